# %% [markdown]
# # The same model in idiomatic PyTorch
#
# Everything so far was written by hand so that you could see it. The PyTorch you will
# write tomorrow uses library pieces for the same jobs: `nn.Linear` for the model,
# `nn.MSELoss` for the loss, `torch.optim.SGD` for the step, and a `DataLoader` for the
# mini-batches. This page builds the same training from those pieces and checks that it
# follows the hand-written run step for step.
#
# ## The four pieces
#
# | Our code | PyTorch | What it does |
# |---|---|---|
# | `linreg.LinearModel`: `W * X + b` | `nn.Linear(1, 1)` | holds the weight and the bias, computes $Wx + b$ |
# | `linreg.mse_loss` | `nn.MSELoss()` | the mean of the squared residuals |
# | `param -= lr * param.grad` under `torch.no_grad()` | `optimizer.step()` | the update |
# | `param.grad.zero_()` | `optimizer.zero_grad()` | clears the gradients that `backward()` adds to |
#
# `nn.Linear` works on rows of features: its input has shape (n, 1), one feature per
# example, and its weight has shape (1, 1). We start it where our model starts,
# $W = 16$ and $b = 10$:

# %%
import torch
from torch import nn

import linreg

data = linreg.make_data()
X, y = data.X.unsqueeze(1), data.y.unsqueeze(1)  # (n,) -> (n, 1): one feature per row

model = nn.Linear(1, 1)
with torch.no_grad():  # setting the start is not part of training
    model.weight.fill_(16.0)
    model.bias.fill_(10.0)

loss_fn = nn.MSELoss()
lr, num_epochs = 0.1, 20  # the hand-written run below uses the same two
optimizer = torch.optim.SGD(model.parameters(), lr=lr)

losses = []
for _ in range(num_epochs):
    optimizer.zero_grad()  # clear the gradients of the last step
    loss = loss_fn(model(X), y)  # forward
    loss.backward()  # backward: model.weight.grad and model.bias.grad
    optimizer.step()  # update: param -= lr * param.grad, without tracking
    losses.append(loss.item())

print(f"W = {model.weight.item():.6f}, b = {model.bias.item():.6f}")

# %% [markdown]
# The hand-written run from the same start:

# %%
history = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=lr, num_epochs=num_epochs)
print(f"W = {history.W:.6f}, b = {history.b:.6f}")
largest = max(abs(a - b) / b for a, b in zip(losses, history.losses, strict=True))
print(f"largest relative difference between the two loss logs: {largest:.1e}")

# %% [markdown]
# The same trajectory, to float32 rounding: the two compute the same sums in a slightly
# different order, and float32 keeps about seven digits.
#
# ## `zero_grad()` and `set_to_none`
#
# `backward()` adds to `.grad`, so each step must clear it first, as
# [The gradient step](gradient.html) explains. Our loop writes zeros into it;
# `optimizer.zero_grad()` by default removes the tensor altogether (`set_to_none=True`), which
# saves memory and a pass over it, and `backward()` creates it afresh:

# %%
optimizer.zero_grad()
print(model.weight.grad)
loss_fn(model(X), y).backward()
optimizer.zero_grad(set_to_none=False)
print(model.weight.grad)

# %% [markdown]
# The difference only shows if you read `.grad` between `zero_grad()` and `backward()`:
# `None` instead of a tensor of zeros.
#
# ## Why `W = W - lr * W.grad` breaks training
#
# A natural first attempt at the update rebinds the name instead of changing the tensor in
# place, and leaves autograd on:

# %%
import warnings

W = torch.tensor(16.0, requires_grad=True)
b = torch.tensor(10.0, requires_grad=True)
with warnings.catch_warnings(record=True) as warned:
    warnings.simplefilter("always")
    try:
        for epoch in range(3):
            loss = linreg.mse_loss(W * data.X + b, data.y)
            loss.backward()
            print(f"epoch {epoch}: loss {loss.item():.4g}, W is a leaf: {W.is_leaf}")
            W = W - 0.1 * W.grad
            b = b - 0.1 * b.grad
    except TypeError as error:
        print(f"TypeError: {error}")

print(f"PyTorch warned: {str(warned[0].message)[:106]}...")

# %% [markdown]
# The first step works. But `W - 0.1 * W.grad` is a new tensor, *computed from* the old `W`:
# it is not a leaf of the graph, autograd records how it was made, and `backward()` fills in
# `.grad` only for leaves. So at the second step `W.grad` is `None` (PyTorch warns) and the
# update fails. Worse, had it not failed, every step would have chained onto the graph of
# the one before. Updating in place under `torch.no_grad()`, as our `gradient_step` and
# `optimizer.step()` do, keeps `W` the same [leaf tensor](glossary.html#leaf-tensor) and keeps the update out of the graph.
#
# ## Mini-batches with a `DataLoader`
#
# A `DataLoader` over a `TensorDataset` shuffles and batches, as `linreg.training.batches`
# does on the [Mini-batches](minibatch.html) page:

# %%
from torch.utils.data import DataLoader, TensorDataset

loader = DataLoader(
    TensorDataset(X, y),
    batch_size=50,
    shuffle=True,
    generator=torch.Generator().manual_seed(42),  # a seeded shuffle, as ours
)
model = nn.Linear(1, 1)
with torch.no_grad():
    model.weight.fill_(16.0)
    model.bias.fill_(10.0)

optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

batches_seen = []
for _ in range(40):
    for X_batch, y_batch in loader:
        batches_seen.append((X_batch, y_batch))
        optimizer.zero_grad()
        loss_fn(model(X_batch), y_batch).backward()
        optimizer.step()

with torch.no_grad():
    print(f"after 40 epochs: loss on all the data {loss_fn(model(X), y).item():.5f}")

# %% [markdown]
# `linreg`'s shuffle and the `DataLoader`'s draw from their generators differently, so the
# two runs see different batches, and end at different points of the same noise floor. Given
# the batches the `DataLoader` drew, our hand-written step follows the same path:

# %%
ours = linreg.LinearModel.like(data.X)
for X_batch, y_batch in batches_seen:
    linreg.gradient_step(ours, X_batch.squeeze(1), y_batch.squeeze(1), lr=0.1)

print(f"nn.Linear + SGD: W = {model.weight.item():.6f}, b = {model.bias.item():.6f}")
print(f"by hand:         W = {ours.W.item():.6f}, b = {ours.b.item():.6f}")

# %% tags=["check"]
import statistics

# "follows the hand-written run step for step ... to float32 rounding"
assert largest < 1e-5, largest
assert (
    abs(model.weight.item() - ours.W.item()) < 1e-5
    and abs(model.bias.item() - ours.b.item()) < 1e-5
)
first = nn.Linear(1, 1)
with torch.no_grad():
    first.weight.fill_(16.0)
    first.bias.fill_(10.0)
sgd = torch.optim.SGD(first.parameters(), lr=lr)
for _ in range(num_epochs):
    sgd.zero_grad()
    loss_fn(first(X), y).backward()
    sgd.step()
assert abs(first.weight.item() - history.W) < 1e-5 and abs(first.bias.item() - history.b) < 1e-5
# the table: nn.MSELoss is our mse_loss; nn.Linear computes W x + b
assert torch.allclose(loss_fn(first(X), y), linreg.mse_loss(first(X).squeeze(1), data.y))
assert first.weight.shape == (1, 1) and first.bias.shape == (1,)
# zero_grad: None by default, zeros with set_to_none=False
probe = nn.Linear(1, 1)
loss_fn(probe(X), y).backward()
torch.optim.SGD(probe.parameters(), lr=0.1).zero_grad()
assert probe.weight.grad is None
loss_fn(probe(X), y).backward()
torch.optim.SGD(probe.parameters(), lr=0.1).zero_grad(set_to_none=False)
assert probe.weight.grad is not None and probe.weight.grad.abs().sum() == 0
# the rebinding: the first step works, the second finds W.grad None and raises TypeError
assert not W.is_leaf and len(warned) >= 1 and "not a leaf" in str(warned[0].message)
# "the two runs see different batches": linreg's first batch is not the DataLoader's
ours_first = linreg.training.batches(1000, 50, torch.Generator().manual_seed(42))[0]
assert not torch.equal(data.X[ours_first], batches_seen[0][0].squeeze(1))
assert len(batches_seen) == 40 * 20
# "end at different points of the same noise floor": both within the floor of batch 50
W_best, b_best = linreg.least_squares(data.X, data.y)
best_loss = linreg.mse_loss(W_best * data.X + b_best, data.y).item()
with torch.no_grad():
    final = loss_fn(model(X), y).item()
ours_run = linreg.fit(
    linreg.LinearModel.like(data.X), data.X, data.y, lr=0.1, num_epochs=40, batch_size=50
)
floor = statistics.mean(loss - best_loss for loss in ours_run.losses[20:])
assert 0 < final - best_loss < 10 * floor, (final - best_loss, floor)
assert (model.weight.item(), model.bias.item()) != (ours_run.W, ours_run.b)

# %% [markdown]
# ## On a GPU
#
# Nothing in the algorithm changes on a GPU; what changes is where each tensor lives. A
# tensor's `device` says where: its data and every operation on it stay there, and an
# operation on tensors on two different devices is an error, not a silent copy (a CPU
# tensor holding one number, with no dimensions, is the one exception). So the
# device enters the code at exactly two places: where the data are made (or moved, with
# `.to(device)`), and where the parameters are made. `make_data(device=...)` draws the
# sample on the CPU with its seeded generator and then moves it, so every device gets the
# same numbers; `LinearModel.like(X)` puts $W$ and $b$ on the device of `X`; an `nn.Linear`
# is moved with `model.to(device)`. The loss, `backward()` and the update then run where
# their tensors are:

# %%
device = "cuda" if torch.cuda.is_available() else "cpu"  # this site is built on a CPU
on_device = linreg.make_data(device=device)
hand = linreg.LinearModel.like(on_device.X)  # W and b on the data's device
run_there = linreg.fit(hand, on_device.X, on_device.y, lr=lr, num_epochs=num_epochs)

layer = nn.Linear(1, 1).to(device)  # moves the weight and the bias
print(f"data on {on_device.X.device}, W on {hand.W.device}, nn.Linear on {layer.weight.device}")
print(f"loss before the last step: {run_there.losses[-1]:.4f}")

# %% [markdown]
# A GPU runs its work asynchronously: a call such as `loss.backward()` only queues the
# work and returns at once, and the CPU runs on to queue the next. `.item()` copies one
# number back to the CPU, so it must wait until everything queued before it has finished:
# it **[synchronises](glossary.html#synchronise)**. `fit` calls it to log each epoch's loss, $W$ and $b$, which is one
# wait per step: harmless for a step as small as ours, a real cost for many small steps on
# a large GPU, where logging every tenth step, or keeping the losses in a tensor on the
# device and copying them once at the end, lets the GPU run ahead. For the same reason,
# time GPU code only after `torch.cuda.synchronize()`, or the clock measures the queueing.
# The test suite runs this section's code on CUDA when a GPU is present and checks that it
# gives the CPU's losses to float32 rounding (`tests/test_training.py`).

# %% tags=["check"]
# "every device gets the same numbers"; the run is the hand-written one of the CPU
assert torch.equal(on_device.X.cpu(), data.X) and torch.equal(on_device.y.cpu(), data.y)
assert hand.W.device == on_device.X.device == layer.weight.device == torch.device(device)
cpu_run = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=lr, num_epochs=num_epochs)
pairs = list(zip(run_there.losses, cpu_run.losses, strict=True))
assert all(abs(a - b) <= 1e-4 * b for a, b in pairs), pairs
# "an operation on tensors on two different devices is an error, not a silent copy": the
# meta device stands in for a second device here
try:
    data.X + torch.zeros(1000, device="meta")
except (RuntimeError, NotImplementedError):
    pass
else:
    raise AssertionError("adding tensors on two devices did not fail")
# "... the one exception": a 0-dimensional CPU tensor joins a tensor on another device
assert (torch.zeros(3, device="meta") + torch.tensor(2.0)).device.type == "meta"
# "fit calls it [.item()] to log each epoch's loss, W and b": the log holds Python numbers
assert {type(v) for v in (*run_there.losses, *run_there.Ws, *run_there.bs)} == {float}

# %% [markdown]
# ## Summary
#
# - `nn.Linear`, `nn.MSELoss`, `torch.optim.SGD` and `zero_grad()` do what our model, loss,
#   update and `.grad.zero_()` do, and follow the hand-written run to float32 rounding.
# - The update must change the leaf tensors in place, outside the graph; rebinding
#   `W = W - lr * W.grad` breaks training at the second step.
# - A `DataLoader` shuffles and batches like `linreg.training.batches`, from its own random
#   stream.
# - On a GPU only the places where tensors are made change (`device=`, `.to(device)`);
#   `.item()` waits for the GPU to finish what it has queued.
#
# ## Exercises
#
# **1. Predict, then run.** Give `torch.optim.SGD` a `momentum=0.9`. Does the run still
# follow the hand-written one? Where is it after 20 epochs, and why?

# %% [markdown] tags=["solution"]
# It parts from the second step on. With momentum $\mu$, SGD keeps a velocity
# $v \leftarrow \mu v + \nabla L$ and steps by $-\mathrm{lr}\, v$: each step carries
# $\mu$ times the previous one. The first step is the plain one ($v$ starts at zero); the
# second already adds $0.9$ of the first.
#
# Here that is slower, not faster. As [Momentum](momentum.html) derives, along an
# eigenvector of $H$ with eigenvalue $\lambda$ the part $e_t$ of the distance to the optimum
# follows
#
# $$e_{t+1} = (1 + \mu - 2\,\mathrm{lr}\,\lambda)\, e_t - \mu\, e_{t-1}.$$
#
# Each distance now depends on the last two. With $\lambda \approx 1$, lr 0.1 and
# $\mu = 0.9$ the factor $1 + \mu - 2\,\mathrm{lr}\,\lambda$ is about 1.7, and the distance
# no longer shrinks steadily: the run overshoots the optimum and swings around it, about 14
# steps a swing, and each step the size of the swing shrinks only by the factor
# $\sqrt{\mu} \approx 0.95$, where plain descent shrinks the distance by 0.80. (If you know
# complex numbers: that factor is the modulus of the two roots of
# $z^2 - (1 + \mu - 2\,\mathrm{lr}\,\lambda) z + \mu$, which are complex here, and whose
# product is $\mu$.) $W$ falls from 16 past $W^* \approx 3.02$ to $-6.2$, climbs back to
# 9.5, and is still swinging at epoch 19, where the loss is 27.8, against 1.11 without
# momentum.

# %% tags=["solution"]
moving = nn.Linear(1, 1)
with torch.no_grad():
    moving.weight.fill_(16.0)
    moving.bias.fill_(10.0)

momentum = torch.optim.SGD(moving.parameters(), lr=lr, momentum=0.9)
momentum_losses, momentum_Ws, momentum_bs = [], [], []
for _ in range(num_epochs):
    momentum_Ws.append(moving.weight.item())  # logged before the step, as fit logs
    momentum_bs.append(moving.bias.item())
    momentum.zero_grad()
    loss = loss_fn(moving(X), y)
    loss.backward()
    momentum.step()
    momentum_losses.append(loss.item())

answer = momentum_losses[-1]
print(f"epoch 19: loss {answer:.2f} with momentum, {history.losses[-1]:.2f} without")
print(f"W with momentum, every epoch: {' '.join(f'{W:.1f}' for W in momentum_Ws)}")

# %% tags=["check"]
import cmath
import math

from linreg.curvature import curvature, curvature_matrix

# "it parts from the second step on": equal, equal (the first step is the plain one), apart
apart = [abs(a - b) / b for a, b in zip(momentum_losses, history.losses, strict=True)]
assert apart[0] < 1e-5 and apart[1] < 1e-5 and apart[2] > 0.01
# "the loss is 27.8, against 1.11 without momentum", at epoch 19
assert round(answer, 1) == 27.8 and round(history.losses[-1], 2) == 1.11
assert len(momentum_losses) == len(history.losses) == num_epochs == 20
# "e_{t+1} = (1 + mu - 2 lr lambda) e_t - mu e_{t-1}" in each direction: in (W, b),
# e_{t+1} = ((1 + mu) I - 2 lr H) e_t - mu e_{t-1}, to float32 rounding
W_best, b_best = linreg.least_squares(data.X, data.y)
e = torch.tensor([momentum_Ws, momentum_bs], dtype=torch.float64) - torch.tensor(
    [[W_best], [b_best]], dtype=torch.float64
)
step_matrix = 1.9 * torch.eye(2, dtype=torch.float64) - 2 * lr * curvature_matrix(data.X.double())
for t in range(1, num_epochs - 1):
    expected = step_matrix @ e[:, t] - 0.9 * e[:, t - 1]
    assert (e[:, t + 1] - expected).abs().max() < 1e-4, (t, e[:, t + 1], expected)
# the roots: complex, of modulus sqrt(0.9) ~ 0.95, about 14 steps a swing, for both
# eigenvalues; plain descent's factors 0.80; "the factor 1 + mu - 2 lr lambda is about 1.7"
curv = curvature(data.X)
for lam in curv.eigenvalues:
    c = 1 + 0.9 - 2 * lr * lam
    assert round(c, 1) == 1.7 and round(lam) == 1, (c, lam)
    root = (c + cmath.sqrt(c * c - 4 * 0.9)) / 2
    assert root.imag != 0 and abs(abs(root) - math.sqrt(0.9)) < 1e-12
    assert round(2 * math.pi / cmath.phase(root)) == 14
assert round(math.sqrt(0.9), 2) == 0.95
# SGD's velocity is the last step over lr, as the Momentum page's derivation has it; and
# "each step the size of the swing shrinks by sqrt(mu)": along
# each eigenvector, the swing's size sqrt(e_{t+1}^2 - c e_{t+1} e_t + mu e_t^2) (which
# e_{t+1} = c e_t - mu e_{t-1} multiplies by sqrt(mu) at every step) in the run itself
velocity = momentum.state[moving.weight]["momentum_buffer"].item()
assert abs(velocity - (momentum_Ws[-1] - moving.weight.item()) / lr) < 1e-3 * abs(velocity)
parts = curv.eigenvectors.T @ e  # (2, 20): the part of e along each eigenvector
for lam, part in zip(curv.eigenvalues, parts, strict=True):
    c = 1 + 0.9 - 2 * lr * lam
    size = (part[1:] ** 2 - c * part[1:] * part[:-1] + 0.9 * part[:-1] ** 2).sqrt()
    shrink = size[1:] / size[:-1]
    assert (shrink - math.sqrt(0.9)).abs().max() < 1e-5, shrink
assert all(round(f, 2) == 0.80 for f in curv.factors(lr))
# "W falls from 16 past W* ~ 3.02 to -6.2, climbs back to 9.5, and is still swinging"
assert momentum_Ws[0] == 16.0 and round(W_best, 2) == 3.02
low = momentum_Ws.index(min(momentum_Ws))
high = low + momentum_Ws[low:].index(max(momentum_Ws[low:]))
assert round(momentum_Ws[low], 1) == -6.2 and round(momentum_Ws[high], 1) == 9.5
assert min(momentum_Ws[high:]) < W_best  # past W* again after the climb
assert abs(momentum_Ws[-1] - W_best) > abs(history.Ws[-1] - W_best)

# %% [markdown]
# **2. Predict, then run.** Use `nn.MSELoss(reduction="sum")` with lr 0.1. What happens,
# and why?

# %% [markdown] tags=["solution"]
# The summed loss is 1000 times the mean, so is its gradient: lr 0.1 acts like lr 100, far
# above the stability bound of about 1, and the loss explodes within a few steps.

# %% tags=["solution"]
summed = nn.Linear(1, 1)
with torch.no_grad():
    summed.weight.fill_(16.0)
    summed.bias.fill_(10.0)

sum_loss = nn.MSELoss(reduction="sum")
step = torch.optim.SGD(summed.parameters(), lr=0.1)
answer = []
for _ in range(3):
    step.zero_grad()
    loss = sum_loss(summed(X), y)
    loss.backward()
    step.step()
    answer.append(loss.item() / len(X))  # logged as a mean, to compare

print(answer)

# %% tags=["check"]
assert answer[1] > 1e4 * answer[0] and answer[2] > answer[1]
