# %% [markdown]
# # When the data grows
#
# Every page so far trained on 1000 examples. Data sets of millions are common, and the
# loop of [Training](training.html) still works on them, but what an epoch costs changes
# character. This page counts what torch does in one step, and how many numbers it reads
# and writes for it, then trains three ways that need far less memory or work: a chunk of
# the data at a time, from six numbers computed in one pass, and from a file larger than
# the memory the process may use.
#
# ## What one step does
#
# Rather than time the step (times differ from machine to machine, and from one run to the
# next), count what it does. `linreg.cost.count` runs a function and watches every operation
# torch performs for it: in the forward pass, in `backward()` and in the update. One step of
# [The gradient step](gradient.html) on a million examples:

# %%
import linreg
from linreg import cost, statistics
from linreg.pages.gradient import gradient_step

n = 1_000_000
lr, num_epochs = 0.1, 20
data = linreg.make_data(num_examples=n)

model = linreg.LinearModel.like(data.X)
whole = cost.count(gradient_step, model, data.X, data.y, lr)
print(f"operations:        {whole.operations}")
print(f"arrays of n read:  {whole.passes(n):.0f}")
print(f"new arrays of n:   {whole.allocated / (4 * n):.0f}")
print(f"largest new array: {whole.largest / 2**20:.1f} MiB")

# %% [markdown]
# The least any step could do is read $x$ and $y$ once each: two arrays. This one reads 14
# arrays the size of the data and allocates 9 new ones, every epoch. The forward pass makes
# $Wx$, $Wx + b$, the residuals and their squares; `backward()` makes an array for each
# derivative on the way back, down to the products with $x_i$ that sum to
# $\partial L/\partial W$. Each is used once and freed.
#
# These counts say what the step moves through memory, not how long it takes (that depends
# on the machine): for each example it reads 14 numbers and writes 9 new ones, 92 bytes,
# where reading $x$ and $y$ once would take 8. At ten million examples one epoch allocates
# about 340 MiB, in 9 arrays of 38 MiB.
#
# ## A chunk at a time
#
# The loss is a sum over the examples, and the gradient of a sum is the sum of the
# gradients of its parts. `backward()` *adds* to `.grad` (which is why the step zeroes
# it), so the step can take the data a chunk at a time, each chunk's share of the loss
# through its own `backward()`, and update once at the end, with the `update` of [The
# gradient step](gradient.html). `linreg.statistics.chunks` cuts tensors into views of
# `linreg.statistics.CHUNK` examples, side by side:

# %% tags=["export"]
import torch

from linreg.pages.gradient import update
from linreg.pages.training import train
from linreg.statistics import chunks


# %% tags=["export"]
def gradient_step_in_chunks(model, X, y, lr):
    """gradient_step, a chunk of the examples at a time; the same step up to rounding."""
    loss = torch.zeros((), dtype=X.dtype, device=X.device)
    for X_c, y_c in chunks(X, y):
        r = model(X_c) - y_c  # forward: this chunk's residuals
        share = torch.dot(r, r) / len(X)  # its part of the mean: its sum of squares, over n
        share.backward()  # backward: adds this chunk's part of dL/dW and dL/db to .grad
        loss += share.detach()
    update(model.parameters(), lr)  # once, with the whole gradient
    return loss


# %% [markdown]
# The same step, up to the order in which floating-point numbers are added (`torch.dot(r,
# r)` sums the squares in one operation, without an array of them). It reads as much as the
# whole-data step, but every temporary is the size of a chunk, `linreg.statistics.CHUNK`
# examples, however large the data. What it saves is memory, not reads:

# %%
chunked_model = linreg.LinearModel.like(data.X)
chunked = cost.count(gradient_step_in_chunks, chunked_model, data.X, data.y, lr)
print(f"chunk:             {statistics.CHUNK} examples")
print(f"arrays of n read:  {chunked.passes(n):.0f}")
print(f"new arrays of n:   {chunked.allocated / (4 * n):.0f}, a chunk at a time")
print(f"largest new array: {chunked.largest / 2**20:.1f} MiB")
print(f"W, b after it:     {chunked_model.W.item():.6f} {chunked_model.b.item():.6f}")
print(f"whole-data step:   {model.W.item():.6f} {model.b.item():.6f}")

# %% [markdown]
# The same step, a chunk at a time, allocates 7 arrays of $n$ where the whole-data step
# allocates 9. The two that go are the array of squares, since `torch.dot(r, r)` adds up
# the squares without storing them, and the array that the backward of `.mean()` makes by
# spreading its factor $1/n$ over every example: here the division by $n$ is of the one
# number the dot product returns. Both steps make the other seven: $Wx$, $Wx + b$ and the
# residuals on the way forward, four arrays on the way back.
#
# `linreg.fit` takes this step when the data is larger than one chunk, and
# `gradient_step` otherwise, so the pages before this one run the step they show.
#
# ## Six numbers are enough
#
# For this model there is a better trick still. Write $x_i = \bar x + d_i$ and
# $y_i = \bar y + e_i$, where $\bar x$ and $\bar y$ are the means, so that the $d_i$ and
# the $e_i$ each sum to zero. The residual is $r_i = W d_i - e_i + (W \bar x + b - \bar y)$,
# and squaring and summing it leaves
#
# $$\begin{aligned} L(W, b) &= \frac{W^2 S_{xx} - 2 W S_{xy} + S_{yy}}{n} \\
#   &\quad + (W \bar x + b - \bar y)^2, \end{aligned}$$
#
# where $S_{xx} = \sum_i d_i^2$, $S_{xy} = \sum_i d_i e_i$ and $S_{yy} = \sum_i e_i^2$.
# The loss of *any* line, and so its gradient, depends on the data only through six numbers:
# $n$, $\bar x$, $\bar y$, $S_{xx}$, $S_{xy}$ and $S_{yy}$. Statisticians call such numbers
# **[sufficient statistics](glossary.html#sufficient-statistics)**.
# `linreg.statistics.moments` computes them in one pass over the data, a chunk at a time in
# float64 (a chunk's own means first, then the chunks merged, so that a large offset in $x$
# costs no digits):

# %%
m = statistics.moments(data.X, data.y)
m

# %% [markdown]
# The loss written with them is an ordinary function of $W$ and $b$, so `backward()` still
# gives the gradient, and the step is the gradient step with this loss in place of the
# mean over the data. The loop of [Training](training.html) runs it, with `m` where it
# passes the data (a step on moments has no `y`):


# %% tags=["export"]
def moments_loss(W, b, m):
    """The MSE of the line W x + b on a sample, from the sample's Moments m alone."""
    offset = W * m.x_mean + b - m.y_mean
    return (W * W * m.sxx - 2 * W * m.sxy + m.syy) / m.n + offset * offset


# %% tags=["export"]
def moments_step(model, m, y, lr):
    """gradient_step from the six numbers of m (y is unused: m holds what it says)."""
    loss = moments_loss(model.W, model.b, m)  # forward, from six numbers
    loss.backward()
    update(model.parameters(), lr)
    return loss.detach()


def train_on_moments(model, m, lr, num_epochs):
    """`train` on a sample's Moments m: each step costs O(1), whatever n."""
    return train(model, m, None, lr, num_epochs, step=moments_step)


# %% [markdown]
# Each epoch of gradient descent on it costs a few dozen operations on single numbers,
# whatever $n$ is:

# %%
on_moments = linreg.LinearModel.like(data.X)
epoch = cost.count(lambda: next(train_on_moments(on_moments, m, lr, 1)))
print(f"operations:   {epoch.operations}")
print(f"numbers read: {epoch.elements_read}")

# %% [markdown]
# and it walks the same path as gradient descent on all the data. In float64, so that
# rounding cannot hide a difference, `num_epochs` epochs (twenty) from $(16, 10)$ on the
# million examples:

# %%
X64, y64 = data.X.double(), data.y.double()
m64 = statistics.moments(X64, y64)
full_run = linreg.fit(linreg.LinearModel.like(X64), X64, y64, lr=lr, num_epochs=num_epochs)
moments_model = linreg.LinearModel.like(X64)
moments_run = list(train_on_moments(moments_model, m64, lr, num_epochs))

largest = max(abs(a - b) / b for (a, _, _), b in zip(moments_run, full_run.losses, strict=True))
print(f"largest relative difference of the losses: {largest:.1e}")
print(f"W, b on all the data:  {full_run.W:.10f} {full_run.b:.10f}")
print(f"W, b from six numbers: {moments_model.W.item():.10f} {moments_model.b.item():.10f}")

# %% [markdown]
# The same losses to about fifteen digits. The trick is particular to this model: the loss
# of a line is quadratic in $(W, b)$, so it is determined by a few sums. A neural network's
# loss is not, and training one needs the data at every step; the chunked step above is
# what carries over.
#
# ## Data that does not fit in memory
#
# Since six numbers are all training needs, the data never has to be in memory at once.
# `linreg.statistics.read_moments` reads a file of $(x, y)$ pairs (float32, as
# `write_pairs` writes them) one chunk at a time into a single buffer, and merges each
# chunk's moments into the total: its memory is bounded by one chunk's, the buffer (8 bytes
# a pair) and that chunk's float64 temporaries, however large the file. Here, a file of the
# million examples, and training from what was read:

# %%
import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "pairs.f32"
    statistics.write_pairs(path, data.X, data.y)
    size = path.stat().st_size
    from_file = statistics.read_moments(path)

buffer = 8 * statistics.CHUNK
print(f"file: {size / 2**20:.1f} MiB; buffer: {buffer / 2**20:.1f} MiB")
from_file_model = linreg.LinearModel.like(data.X)
for _ in train_on_moments(from_file_model, from_file, lr, num_epochs):
    pass

print(
    f"trained from the file: W = {from_file_model.W.item():.6f}, b = {from_file_model.b.item():.6f}"
)
print(f"trained on the data:   W = {full_run.W:.6f}, b = {full_run.b:.6f}")

# %% [markdown]
# The buffer stays 2 MiB for a file of any size: the project's tests read a 305 MiB file in
# a process that may not map more than 64 MiB beyond what it holds at the start (so could
# not even allocate an array the size of the file). The same merge combines the moments of
# files read on different machines: each sends six numbers.

# %% [markdown]
# ## Summary
#
# - A whole-data step reads 14 arrays the size of the data and allocates 9 new ones every
#   epoch; taken a chunk at a time, with one `backward()` per chunk adding to `.grad`, it
#   computes the same step with temporaries the size of a chunk.
# - For a line the loss depends on the data only through six sufficient statistics: after
#   one pass over the data (even from a file larger than memory), each epoch costs the same
#   whatever $n$, and follows the same path.
#
# ## Exercises
#
# **1. By hand.** From the formula for $L(W, b)$ above, write $\partial L / \partial b$ in
# terms of the six numbers, evaluate it at $(16, 10)$ with `m`, and compare it with what
# `backward()` gives on all the data.

# %% [markdown] tags=["solution"]
# Only the last term depends on $b$: $\partial L/\partial b = 2(W \bar x + b - \bar y)$.

# %% tags=["solution"]
answer = 2 * (16 * m.x_mean + 10 - m.y_mean)
check_model = linreg.LinearModel.like(data.X)
linreg.mse_loss(check_model(data.X), data.y).backward()
print(f"from the moments: {answer:.5f}; from backward(): {check_model.b.grad.item():.5f}")

# %% tags=["check"]
assert abs(answer - check_model.b.grad.item()) < 1e-4 * abs(answer)

# %% [markdown]
# **2. The best line from six numbers.** From the formula for $L(W, b)$ above, find the
# $W^*$ and $b^*$ that minimise it and the least loss $L^*$, all in terms of the six
# numbers. Compute them from `m`, and compare with `linreg.least_squares` and with the loss
# of its line on all the data.

# %% [markdown] tags=["solution"]
# The last term is zero, its least, when $b = \bar y - W \bar x$, whatever $W$ is. The
# first is smallest where its derivative $(2 W S_{xx} - 2 S_{xy})/n$ vanishes:
# $W^* = S_{xy} / S_{xx}$ (the closed form's $\operatorname{cov}(x, y)/\operatorname{var}(x)$
# is $S_{xy}/n$ over $S_{xx}/n$), so $b^* = \bar y - W^* \bar x$. Putting $W^*$ in,
#
# $$L^* = \frac{S_{yy} - S_{xy}^2 / S_{xx}}{n}:$$
#
# the spread of $y$ about its mean, less the part that the line accounts for. One pass over
# the data gives the best line and its loss.

# %% tags=["solution"]
W_star = m.sxy / m.sxx
b_star = m.y_mean - W_star * m.x_mean
answer = (m.syy - m.sxy**2 / m.sxx) / m.n
W_ls, b_ls = linreg.least_squares(data.X, data.y)
residuals = W_ls * data.X.double() + b_ls - data.y.double()
print(f"from m:             W* = {W_star:.6f}, b* = {b_star:.6f}, L* = {answer:.6f}")
print(f"least squares, all: W* = {W_ls:.6f}, b* = {b_ls:.6f}, L* = {(residuals**2).mean():.6f}")

# %% tags=["check"]
assert abs(W_star - W_ls) < 1e-9 * abs(W_ls) and abs(b_star - b_ls) < 1e-9 * abs(b_ls)
assert abs(answer - (residuals**2).mean().item()) < 1e-9 * answer

# %% tags=["check"]
# What the prose says, as it says it.
from linreg.pages.loss import mse_loss

assert n == len(data.X) == 1_000_000
assert round(whole.passes(n)) == 14 and round(whole.allocated / (4 * n)) == 9
assert whole.largest == 4 * n
assert abs(whole.passes(n) - 14) < 1e-3  # arrays of n numbers, plus a few scalars
# "reads 14 numbers and writes 9 new ones, 92 bytes, where reading x and y once would take 8"
assert (14 + 9) * 4 == 92 and 2 * data.X.element_size() == 8
# "At ten million examples one epoch allocates about 340 MiB, in 9 arrays of 38 MiB"
assert round(whole.allocated / (4 * n) * 4 * 10_000_000 / 2**20, -1) == 340
assert round(4 * 10_000_000 / 2**20) == 38
# the chunked step: the same step up to rounding, temporaries of one chunk
assert chunked.largest == 4 * statistics.CHUNK < whole.largest
assert abs(chunked_model.W.item() - model.W.item()) <= 1e-6 * abs(model.W.item())
assert abs(chunked_model.b.item() - model.b.item()) <= 1e-6 * abs(model.b.item())
assert chunked.allocated < whole.allocated  # fewer arrays in all, none larger than a chunk
assert round(chunked.passes(n)) == round(whole.passes(n))  # "reads as much"


def arrays(counted):  # new arrays of n (and a few bytes of scalars, dropped by round)
    return round(counted.allocated / (4 * n))


# "7 arrays of n where the whole-data step allocates 9"
assert arrays(chunked) == 7 and arrays(whole) == 9
# "the array of squares": r ** 2 makes one, torch.dot(r, r) none
probe = data.X.clone().requires_grad_()
assert arrays(cost.count(lambda: probe**2)) == 1
assert arrays(cost.count(lambda: torch.dot(probe, probe))) == 0
# "the array the backward of .mean() makes, spreading its factor 1/n": one array
assert arrays(cost.count(lambda: torch.autograd.grad(probe.mean(), probe))) == 1
# "the division by n is of the one number the dot product returns"
assert arrays(cost.count(lambda: torch.dot(probe, probe) / n)) == 0


# "Both make the other seven: Wx, Wx + b and the residuals forward, four on the way back":
# each step's forward and backward on all the data, counted apart
def chunk_share(model):  # gradient_step_in_chunks's forward, on one chunk of all n
    r = model(data.X) - data.y
    return torch.dot(r, r) / n


held = {}
for name, forward in [("whole", lambda m: mse_loss(m(data.X), data.y)), ("chunked", chunk_share)]:
    counted_model = linreg.LinearModel.like(data.X)
    forward_cost = cost.count(lambda f=forward, m=counted_model: held.update(loss=f(m)))
    backward_cost = cost.count(held["loss"].backward)
    held[name] = (arrays(forward_cost), arrays(backward_cost))
assert held["whole"] == (4, 5) and held["chunked"] == (3, 4), held
assert held["whole"][0] - held["chunked"][0] == 1  # forward: the squares
assert held["whole"][1] - held["chunked"][1] == 1  # backward: mean's array of 1/n
# "fit takes this step when the data is larger than one chunk"
assert statistics.CHUNK < n
# "a few dozen operations on single numbers, whatever n"
assert 24 <= epoch.operations < 100 and epoch.elements_read < 100 and epoch.largest <= 8
small = linreg.make_data()
small_m = statistics.moments(small.X, small.y)
small_model = linreg.LinearModel.like(small.X)
small_epoch = cost.count(lambda: next(train_on_moments(small_model, small_m, lr, 1)))
assert small_epoch.elements_read == epoch.elements_read
# "the same losses to about fifteen digits", at a million and for the seed run
assert largest < 1e-12, largest
assert (
    abs(moments_model.W.item() - full_run.W) < 1e-12
    and abs(moments_model.b.item() - full_run.b) < 1e-12
)
seed_X, seed_y = small.X.double(), small.y.double()
seed_full = linreg.fit(linreg.LinearModel.like(seed_X), seed_X, seed_y)
seed_m = statistics.moments(seed_X, seed_y)
seed_moments = list(train_on_moments(linreg.LinearModel.like(seed_X), seed_m, 0.1, 20))
assert len(seed_full.losses) == len(seed_moments) == 20 and lr == 0.1 and num_epochs == 20
assert (
    max(abs(a - b) / b for (a, _, _), b in zip(seed_moments, seed_full.losses, strict=True)) < 1e-12
)
# the file: 8 bytes a pair, the same moments, a 2 MiB buffer; training from it
assert size == 8 * n and buffer == 2 * 2**20
assert (
    abs(from_file_model.W.item() - full_run.W) < 1e-5
    and abs(from_file_model.b.item() - full_run.b) < 1e-5
)
for name in ["x_mean", "y_mean", "sxx", "sxy", "syy"]:
    assert abs(getattr(from_file, name) - getattr(m, name)) <= 1e-12 * abs(getattr(m, name))
# "the project's tests read a 305 MiB file in a process that may not map 64 MiB more"
test_source = Path(linreg.__file__).parent.parent / "tests" / "test_large_data.py"
if test_source.exists():  # in the checkout that builds the site (not in a reader's folder)
    text = test_source.read_text()
    assert "n = 40_000_000  # 305 MiB" in text and "limit = 64 * 2**20" in text
    assert round(8 * 40_000_000 / 2**20) == 305
