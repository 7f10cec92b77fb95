# %% [markdown]
# # Mini-batches
#
# Every step so far has used all 1000 examples. Real training rarely does: data sets are
# too large to pass through for every step, and a gradient from a few dozen examples points
# roughly the right way for a fraction of the work. This page takes the same hand-written
# step and feeds it **[mini-batches](glossary.html#mini-batch)**.
#
# ## Shuffle, cut, step
#
# Each epoch shuffles the indices of the examples with a seeded generator and cuts them into
# batches of `batch_size`; the gradient step of [The gradient step](gradient.html) runs on
# each batch in turn:

# %% tags=["export"]
import torch

from linreg.pages.gradient import gradient_step
from linreg.pages.loss import mse_loss
from linreg.pages.training import train


def batches(n, batch_size, generator):
    """One epoch's mini-batches: the indices 0..n-1 shuffled, cut into batch_size pieces."""
    return torch.randperm(n, generator=generator).split(batch_size)


# %% [markdown]
# The loop of [Training](training.html) still counts the epochs; what changes is the
# epoch, which is now `1000 / batch_size` steps instead of one. The loss logged for each
# epoch is still the loss on all the data, so that runs with different batch sizes can be
# compared:


# %% tags=["export"]
def train_minibatch(model, X, y, lr, num_epochs, batch_size, generator):
    """`train`, with each epoch one gradient step per mini-batch of a fresh shuffle."""

    def epoch(model, X, y, lr):  # the loss on all the data, then a step per batch
        with torch.no_grad():
            loss = mse_loss(model(X), y)
        for index in batches(len(X), batch_size, generator):
            gradient_step(model, X[index], y[index], lr)
        return loss

    return train(model, X, y, lr, num_epochs, step=epoch)


# %% [markdown]
# Two epochs with batches of 50, from $(16, 10)$ at lr = 0.1: one epoch is twenty steps,
# and the loss is close to $L^*$ after the first.

# %%
import linreg

data = linreg.make_data()
batched = linreg.LinearModel.like(data.X)
generator = torch.Generator().manual_seed(0)
log = train_minibatch(
    batched, data.X, data.y, lr=0.1, num_epochs=2, batch_size=50, generator=generator
)
for epoch, (loss, W, b) in enumerate(log):
    print(f"Epoch {epoch}: Loss: {loss:.4f}, W = {W:.4f}, b = {b:.4f}")

batched

# %% [markdown]
# `linreg.fit` takes `batch_size` (and the shuffle's `seed`) and runs this loop instead of
# the full-batch one.
#
# ## Loss curves
#
# Forty epochs from $(16, 10)$ at lr = 0.1, with batches of 10, 50 and 250 examples, and
# with all the data as before:

# %%
from linreg.plots import (
    MINIBATCH_EPOCHS,
    MINIBATCH_LR,
    MINIBATCH_SIZES,
    MINIBATCH_SKIP,
    plot_losses,
    plot_parameter_noise,
)

W_best, b_best = linreg.least_squares(data.X, data.y)
best_loss = linreg.mse_loss(W_best * data.X + b_best, data.y).item()

runs = []
for batch_size in MINIBATCH_SIZES:  # 10, 50, 250 and None: all the data
    model = linreg.LinearModel.like(data.X)
    run = linreg.fit(
        model, data.X, data.y, lr=MINIBATCH_LR, num_epochs=MINIBATCH_EPOCHS, batch_size=batch_size
    )
    runs.append(run)

plot_losses(runs, best_loss=best_loss, title="Loss for each batch size")

# %% [markdown]
# Per epoch, small batches get to the bottom much sooner: batches of 10 take 100 steps an
# epoch, and are near $L^*$ after one, as are batches of 50 (their line is drawn inside the
# wider one of batches of 10, where the two fall together). But they do not settle there.
# Zoom in on $W$ over the last thirty epochs:

# %%
plot_parameter_noise(runs, W_best, skip=MINIBATCH_SKIP)

# %% [markdown]
# Full-batch descent creeps steadily towards $W^*$; batches of 250 sit on it; batches of 50
# and 10 wander around it, the smaller the batch, the wider. This is the **[noise floor](glossary.html#noise-floor)**.
#
# ## Why there is a floor, and how to lower it
#
# The gradient of one batch is the mean of its examples' gradients. It points, on average,
# where the full gradient points, but it differs from it by the luck of the draw, and that
# difference, the step's kick, does not vanish at the optimum, where the full gradient
# does: every step moves $(W, b)$ by lr times its kick. Averaging over $B$ examples divides the variance of
# the kick by about $B$. The rest of the step is a full-batch step, which pulls $(W, b)$
# towards $(W^*, b^*)$: it multiplies each part of the distance by its factor
# $1 - 2\,\mathrm{lr}\,\lambda_i$ of [Choosing the learning rate](learning-rate.html),
# here both about $1 - 2\,\mathrm{lr}$ (both eigenvalues are near 1, as $x$ has mean 0 and
# variance 1). The floor is where the pull balances the kicks. If each step's batch is drawn
# afresh, independently of the others, it is about
#
# $$L - L^* \approx \frac{2\,\mathrm{lr}\,L^*}{B\,(1 - \mathrm{lr})},$$
#
# about half of it from $b$ (Exercise 1 derives that half) and half from $W$: for a small
# learning rate, proportional to $\mathrm{lr}/B$.
#
# `train_minibatch` does not draw its batches independently: an epoch cuts one shuffle, and
# uses every example once. So two measurements. A single run's $L - L^*$ scatters from one
# epoch to the next by about as much as its mean, so each measurement takes many runs side
# by side, one column of a tensor each, with the step of [The gradient step](gradient.html)
# written out for all of them at once. `noise_floor` draws each step's $B$ examples at
# random, with replacement, as the argument assumes, and averages $L - L^*$ after each of
# 2000 steps that follow 200 others (those bring $(W, b)$ down from $(16, 10)$), in each of
# 50 runs. `shuffled_floor` measures the shuffled epochs of `linreg.fit` as the curves above
# show them: its runs are the very runs `fit` makes with seeds 0 to 99 (the site's build
# compares them, run by run, in a check the page hides), and it averages $L - L^*$ at the start of each of epochs 20 to 39, where
# `fit` logs the loss (at the end of the epoch before): 2000 epochs in all. Both return
# each run's mean, so that the scatter of the runs says how far their average can be
# trusted. Both take $L - L^*$ from the distance to the optimum: since the residuals of the
# best line, and their products with $x$, average to zero, $L - L^*$ is exactly the mean
# of $((W - W^*)\,x + (b - b^*))^2$, which needs the means of $x$ and $x^2$ rather than
# 1000 examples for every run (Exercise 1 does the same for $b$ alone).

# %%
import statistics

mean_x, mean_x2 = data.X.double().mean().item(), (data.X.double() ** 2).mean().item()


def excess_loss(W, b):
    """L(W, b) - L*, exactly: the mean of ((W - W*) x + (b - b*))^2, from the means of x, x^2."""
    dW, db = W.double() - W_best, b.double() - b_best
    return dW**2 * mean_x2 + 2 * dW * db * mean_x + db**2


def start(lrs, num_runs):
    """W and b at (16, 10) for each lr (a row) and run (a column), and the lrs as a column."""
    W, b = torch.full((len(lrs), num_runs), 16.0), torch.full((len(lrs), num_runs), 10.0)
    return W, b, torch.tensor(lrs)[:, None]


def steps(W, b, x, y, lr):
    """gradient_step for every run at once, the gradient written out: x, y hold each run's
    batch, (run, B); W, b are (lr, run) and lr a column. Returns the new W and b."""
    r = W[..., None] * x + b[..., None] - y  # each run's residuals on its batch
    return W - lr * 2 * (r * x).mean(-1), b - lr * 2 * r.mean(-1)  # dL/dW, dL/db


def noise_floor(batch_size, lrs, num_runs=50, num_steps=2200, skip=200):
    """Each run's mean L - L* after each step but the first `skip`, each step on B examples
    drawn afresh, with replacement: a tensor (lr, run)."""
    W, b, lr = start(lrs, num_runs)
    generator = torch.Generator().manual_seed(0)
    total = 0
    for step in range(num_steps):
        index = torch.randint(len(data.X), (num_runs, batch_size), generator=generator)
        W, b = steps(W, b, data.X[index], data.y[index], lr)
        if step >= skip:
            total = total + excess_loss(W, b)
    return total / (num_steps - skip)


def shuffled_runs(batch_size, lrs, num_runs=100, num_epochs=40):
    """W and b at the start of each epoch, as linreg.fit logs them, in its runs with seeds 0
    to num_runs - 1, all taken at once: two tensors (epoch, lr, seed)."""
    W, b, lr = start(lrs, num_runs)
    generators = [torch.Generator().manual_seed(seed) for seed in range(num_runs)]
    Ws, bs = [], []
    for _ in range(num_epochs):
        Ws.append(W)
        bs.append(b)
        shuffles = torch.stack([torch.randperm(len(data.X), generator=g) for g in generators])
        x, y = data.X[shuffles], data.y[shuffles]  # each run's examples, in its shuffle's order
        for x_batch, y_batch in zip(x.split(batch_size, 1), y.split(batch_size, 1), strict=True):
            W, b = steps(W, b, x_batch, y_batch, lr)  # a step per batch, as batches() cuts them
    return torch.stack(Ws), torch.stack(bs)


def shuffled_floor(batch_size, lrs, num_runs=100, num_epochs=40):
    """Each run's mean L - L* at the start of each epoch of its second half: a tensor (lr, seed)."""
    Ws, bs = shuffled_runs(batch_size, lrs, num_runs, num_epochs)
    return excess_loss(Ws, bs)[num_epochs // 2 :].mean(0)


def standard_error(per_run):
    """Of the mean of independent runs' means, from their scatter, as a fraction of it."""
    return (per_run.std() / len(per_run) ** 0.5 / per_run.mean()).item()


lrs = (0.1, 0.05, 0.025)
floors, errors = {}, {}
print("batch  lr     predicted  independent  shuffled")
for batch_size in (10, 50):
    independent_means = noise_floor(batch_size, lrs)  # (lr, run)
    shuffled_means = shuffled_floor(batch_size, lrs)
    for lr, independent, shuffled in zip(lrs, independent_means, shuffled_means, strict=True):
        predicted = 2 * lr * best_loss / (batch_size * (1 - lr))
        floors[batch_size, lr] = predicted, independent.mean().item(), shuffled.mean().item()
        errors[batch_size, lr] = standard_error(independent), standard_error(shuffled)
        print(
            f"{batch_size:5}  {lr:<5}  {predicted:9.5f}  {floors[batch_size, lr][1]:11.5f}  "
            f"{floors[batch_size, lr][2]:8.5f}"
        )

# %% [markdown]
# With independent batches the floor is the prediction to within 3 per cent: halving the
# learning rate halves it, and five times larger batches divide it by five, each to within
# 10 per cent.
#
# The shuffled epochs sit lower at their ends, and fall faster than the learning rate:
# halving it divides the floor of batches of 50 by more than four. The batches of one epoch
# are not independent of one another. At the optimum the full gradient is zero, so the
# difference that kicks a step there is the batch's gradient itself, $k_j$ for batch $j$:
# the mean of the gradients $g_i$ of its $B$ examples. The $n$ gradients $g_i$ add up to
# zero, and an epoch uses each example once, so the $m = n/B$ kicks $k_1, \dots, k_m$ of
# an epoch add up to exactly zero too. A shuffle treats every batch alike, so any two
# different kicks of an epoch have the same covariance $c$ (in $W$, and in $b$): the last
# two as much as the first and the last. Their sum, whose variance is
# $m v + m(m - 1)\,c$ with $v$ the variance of one kick, is always zero, so
#
# $$c = -\frac{v}{m - 1}:$$
#
# every pair of kicks is slightly anti-correlated, recent ones included. The same argument
# for two different examples of one shuffle gives their covariance as $-\tau^2/(n - 1)$,
# with $\tau^2$ the variance of one $g_i$ (not the noise's $\sigma^2$); so a kick, the mean
# of $B$ examples, has
# $v = \frac{\tau^2}{B}\big(1 - \frac{B - 1}{n - 1}\big) = \frac{n - B}{n - 1}\,\frac{\tau^2}{B}$,
# a little less than the $\tau^2/B$ of $B$ independent draws.
#
# Near the optimum a step multiplies $e = (W - W^*, b - b^*)$ by about $\rho = 1 - 2\,\mathrm{lr}$
# and subtracts lr times its kick, so an epoch does
#
# $$e \leftarrow \rho^m e - \mathrm{lr}\,\big(\rho^{m-1} k_1 + \rho^{m-2} k_2 + \dots + \rho\, k_{m-1} + k_m\big).$$
#
# A weighted sum $\sum_j a_j k_j$ has variance $v \sum_j a_j^2 + c \sum_{j \ne l} a_j a_l$;
# here the weights are $1, \rho, \dots, \rho^{m-1}$, with sum $S_1$ and sum of squares
# $S_2$; the products of two different weights add up to
# $\sum_{j \ne l} a_j a_l = (\sum_j a_j)^2 - \sum_j a_j^2 = S_1^2 - S_2$, so it is
# $v\,\big(S_2 - (S_1^2 - S_2)/(m - 1)\big)$. An epoch's shuffle is
# independent of the $e$ it starts from, so the mean square $V$ of $e$ at the ends of
# epochs settles where $V = \rho^{2m} V + \mathrm{lr}^2\, v\,\big(S_2 - (S_1^2 - S_2)/(m - 1)\big)$;
# with independent batches it settles, as in Exercise 1, where
# $V = \rho^2 V + \mathrm{lr}^2 \tau^2/B$.
# The shuffled floor is the fraction
#
# $$f = \frac{n - B}{n - 1}\,\Big(S_2 - \frac{S_1^2 - S_2}{m - 1}\Big)\,\frac{1 - \rho^2}{1 - \rho^{2m}}$$
#
# of the independent one. For batches of 10 at lr 0.1 ($m = 100$) a kick at the start of
# an epoch is multiplied by $0.8^{100} \approx 2 \times 10^{-10}$ by its end, but the last
# few are not, and each pair of them is anti-correlated by $1/99$ of a kick's variance
# (which is itself $(n - B)/(n - 1) = 0.991$ of that of $B$ independent draws):
# $f = 0.91$, not 1. For batches of 50 at lr 0.025 ($m = 20$) the weights fall only to
# $0.95^{19} \approx 0.38$, so the weighted sum is nearly the plain sum of the kicks, which
# is zero: $f = 0.08$. The smaller the learning rate, and the fewer the steps an epoch
# has, the smaller $f$. (Exercise 2 works out $m = 2$ by hand.) Against the measurements:


# %%
def shuffled_fraction(batch_size, lr, n=1000):
    """f: the floor at the ends of shuffled epochs over the floor of independent batches."""
    rho, m = 1 - 2 * lr, n // batch_size
    S1 = sum(rho**k for k in range(m))
    S2 = sum(rho ** (2 * k) for k in range(m))
    return (
        (n - batch_size)
        / (n - 1)
        * (S2 - (S1**2 - S2) / (m - 1))
        * (1 - rho**2)
        / (1 - rho ** (2 * m))
    )


print("batch  lr     f      shuffled / predicted")
for (batch_size, lr), (predicted, _, shuffled) in floors.items():
    f, fraction = shuffled_fraction(batch_size, lr), shuffled / predicted
    error = errors[batch_size, lr][1] * fraction  # the standard error, as a fraction too
    print(f"{batch_size:5}  {lr:<5}  {f:.3f}  {fraction:.3f} ± {error:.3f}")

# %% [markdown]
# In every row the measured fraction is within 10 per cent of $f$. That band is what the
# runs' noise allows: the scatter of the 100 runs puts the standard error of each shuffled
# mean, the ± above, under 2.5 per cent of it, so 10 per cent is four of them, with room
# for the prediction's own error (the independent floor is within 3 per cent of it, and
# its 50 runs put the standard error of each independent mean under 1.5 per cent).
#
# A smaller learning rate or a larger batch lowers the floor, and both cost something: a
# smaller learning rate takes longer to get down, and a larger batch costs more per step.
# That is why practical training often starts with a large learning rate and lowers it as
# it goes (a learning-rate *schedule*), and why the batch size is a knob traded against the
# hardware's memory and speed.

# %% tags=["check"]
import itertools

# "shuffles ... cuts them into batches of batch_size": every index once per epoch
generator = torch.Generator().manual_seed(0)
first, second = batches(1000, 300, generator), batches(1000, 300, generator)
assert [len(b) for b in first] == [300, 300, 300, 100]
assert sorted(torch.cat(first).tolist()) == list(range(1000))
assert not torch.equal(torch.cat(first), torch.cat(second))  # a fresh shuffle each epoch
# "the gradient step of The gradient step runs on each batch": replay the page's two
# epochs by hand, a gradient_step per batch of the same shuffle
by_hand = linreg.LinearModel.like(data.X)
replay = torch.Generator().manual_seed(0)
for _ in range(2):
    for index in batches(1000, 50, replay):
        gradient_step(by_hand, data.X[index], data.y[index], 0.1)
assert (by_hand.W.item(), by_hand.b.item()) == (batched.W.item(), batched.b.item())
# "linreg.fit ... runs this loop": fit's run is the page's, with the generator it seeds
two_epochs = linreg.fit(
    linreg.LinearModel.like(data.X), data.X, data.y, lr=0.1, num_epochs=2, batch_size=50, seed=0
)
assert (two_epochs.W, two_epochs.b) == (batched.W.item(), batched.b.item())
assert two_epochs.losses[1] < 1.1 * best_loss  # "close to L* after the first"
# "the loss logged for each epoch is still the loss on all the data"
assert runs[0].losses[0] == runs[-1].losses[0]
b10, b50, b250, full = runs
assert [r.batch_size for r in runs] == [10, 50, 250, None]
# "batches of 10 ... are near L* after one [epoch], as are batches of 50 (their line is
# drawn inside the wider one of batches of 10)"
assert b10.losses[1] < 1.05 * best_loss and b50.losses[1] < 1.05 * best_loss
from linreg.plots import BATCH_RUN_SIZES  # plot_losses' (line width, marker size) per run

assert BATCH_RUN_SIZES[0] > BATCH_RUN_SIZES[1]  # batches of 10 wider, under batches of 50
assert full.losses[1] > 100 * best_loss
# "do not settle": the loss still moves by more than rounding at the end
assert max(b10.losses[20:]) - min(b10.losses[20:]) > 1e-3
# "full-batch creeps steadily towards W*": monotone; "batches of 250 sit on it";
# "50 and 10 wander around it, the smaller the batch, the wider"
assert all(abs(b - W_best) <= abs(a - W_best) for a, b in itertools.pairwise(full.Ws))
spread = {
    r.batch_size: statistics.pstdev(r.Ws[10:]) for r in (b10, b50, b250)
}  # around a settled W
assert spread[250] < spread[50] < spread[10], spread
assert abs(statistics.mean(b250.Ws[20:]) - W_best) < 0.01
assert min(b10.Ws[10:]) < W_best < max(b10.Ws[10:])
assert min(b50.Ws[10:]) < W_best < max(b50.Ws[10:])
# the constants the figures are drawn with are the ones the prose names
assert MINIBATCH_SIZES == (10, 50, 250, None) and (MINIBATCH_LR, MINIBATCH_EPOCHS) == (0.1, 40)
assert MINIBATCH_EPOCHS - MINIBATCH_SKIP == 30  # "the last thirty epochs"
# "both eigenvalues are near 1, as x has mean 0 and variance 1"
import linreg.curvature

low, high = linreg.curvature.curvature(data.X).eigenvalues
assert 0.99 < low < high < 1.01, (low, high)
assert abs(data.X.mean().item()) < 0.01 and abs(data.X.var().item() - 1) < 0.01
# the measurements are what the prose says they are: `shuffled_runs` are linreg.fit's runs
# with each seed (to float32 rounding: the step's arithmetic is written out), and
# excess_loss at their (W, b) is the L - L* that fit logs (to the rounding of its float32 loss)
for batch_size, lr_pair, num_epochs in ((50, (0.1, 0.025), 5), (10, (0.1, 0.05), 2)):
    Ws, bs = shuffled_runs(batch_size, lr_pair, num_runs=3, num_epochs=num_epochs)
    for column, lr in enumerate(lr_pair):
        for seed in range(3):
            one = linreg.fit(
                linreg.LinearModel.like(data.X),
                data.X,
                data.y,
                lr=lr,
                num_epochs=num_epochs,
                batch_size=batch_size,
                seed=seed,
            )
            together = zip(one.Ws, one.bs, Ws[:, column, seed], bs[:, column, seed], strict=True)
            for W, b, W_together, b_together in together:
                assert abs(W_together / W - 1) < 1e-6 and abs(b_together / b - 1) < 1e-6
            excess = excess_loss(Ws[:, column, seed], bs[:, column, seed]).tolist()
            for loss, by_distance in zip(one.losses, excess, strict=True):
                assert abs(loss - best_loss - by_distance) < 1e-6 * loss, (loss, by_distance)
# "a single run's L - L* scatters from one epoch to the next by about as much as its mean":
# the page's runs of batches of 10 and 50, over epochs 20 to 39
for one in (b10, b50):
    excess = [loss - best_loss for loss in one.losses[20:]]
    assert 0.5 < statistics.pstdev(excess) / statistics.mean(excess) < 1.5, one.batch_size
# "epochs 20 to 39 ... 2000 epochs in all"; "seeds 0 to 99"; "each of 50 runs"; "2000
# steps that follow 200 others"
assert shuffled_floor.__defaults__ == (100, 40) and noise_floor.__defaults__ == (50, 2200, 200)
assert shuffled_runs.__defaults__ == (100, 40)
assert list(range(40))[40 // 2 :] == list(range(20, 40)) and 100 * 20 == 2000
# "L - L* is exactly the mean of ((W - W*) x + (b - b*))^2", and excess_loss computes it
x64, y64 = data.X.double(), data.y.double()
r = W_best * x64 + b_best - y64  # the residuals of the best line
best64 = (r**2).mean().item()  # L*, in float64
for W, b in ((3.1, 0.4), (2.95, 0.58), (16.0, 10.0)):
    direct = ((W * x64 + b - y64) ** 2).mean().item() - best64
    by_distance = (((W - W_best) * x64 + b - b_best) ** 2).mean().item()
    W_b = torch.tensor([W, b], dtype=torch.float64)
    assert abs(by_distance - direct) < 1e-9 * max(direct, 1), (W, b, by_distance, direct)
    assert abs(excess_loss(W_b[0], W_b[1]).item() - direct) < 1e-9 * max(direct, 1), (W, b)
# "the residuals of the best line, and their products with x, average to zero"
assert abs(r.mean().item()) < 1e-12 and abs((r * x64).mean().item()) < 1e-12
# "with independent batches the floor is the prediction to within 3 per cent"
for (batch_size, lr), (predicted, independent, _) in floors.items():
    assert abs(independent / predicted - 1) < 0.03, (batch_size, lr, independent / predicted)
    assert predicted == 2 * lr * best_loss / (batch_size * (1 - lr))
# "halving the learning rate halves it, five times larger batches divide it by five,
# each to within 10 per cent"
for batch_size in (10, 50):
    for lr in (0.1, 0.05):
        ratio = floors[batch_size, lr / 2][1] / floors[batch_size, lr][1]
        assert abs(ratio / 0.5 - 1) < 0.1, (batch_size, lr, ratio)
for lr in (0.1, 0.05, 0.025):
    ratio = floors[50, lr][1] / floors[10, lr][1]
    assert abs(ratio / 0.2 - 1) < 0.1, (lr, ratio)
# "the shuffled epochs sit lower at their ends"; "halving it divides the floor of batches
# of 50 by more than four"
assert all(shuffled < independent for _, independent, shuffled in floors.values())
for lr in (0.1, 0.05):
    assert floors[50, lr / 2][2] < floors[50, lr][2] / 4, (lr, floors)
    assert floors[10, lr / 2][2] < floors[10, lr][2] / 2, (lr, floors)  # "faster than lr"
# "at the optimum the full gradient is zero ... the m = n/B kicks of an epoch add up to
# exactly zero": one epoch's batches, in float64, at the least-squares line
g = torch.stack([2 * r * x64, 2 * r], 1)  # each example's (dL/dW, dL/db) at the optimum
n = len(g)
assert g.mean(0).abs().max() < 1e-12  # the full gradient: zero, so the g_i add up to zero
for batch_size in (10, 50):
    shuffle = batches(n, batch_size, torch.Generator().manual_seed(1))
    kicks = torch.stack([g[i].mean(0) for i in shuffle])  # a batch's gradient: its g_i's mean
    assert len(kicks) == n // batch_size
    assert kicks.sum(0).abs().max() < 1e-12 * kicks.abs().max()
# "two different examples of one shuffle" have covariance -tau^2/(n - 1): over a random
# shuffle, a pair of places holds each ordered pair i != j of examples alike, so their
# covariance (a 2 x 2 matrix, for W and b) is the mean of g_i g_j^T over those pairs
sigma2 = g.T @ g / n  # the variance of one g_i (their mean is zero)
pairs = (torch.outer(g.sum(0), g.sum(0)) - g.T @ g) / (n * (n - 1))
assert torch.allclose(pairs, -sigma2 / (n - 1), rtol=1e-9, atol=0)
for batch_size in (10, 50):
    m = n // batch_size
    # a kick, the mean of B examples: B variances and B (B - 1) pair covariances, over B^2
    v = (batch_size * sigma2 + batch_size * (batch_size - 1) * pairs) / batch_size**2
    assert torch.allclose(v, sigma2 / batch_size * (1 - (batch_size - 1) / (n - 1)), rtol=1e-9)
    assert torch.allclose(v, (n - batch_size) / (n - 1) * sigma2 / batch_size, rtol=1e-9)
    # two different kicks: B^2 pairs of different examples, over B^2; "c = -v/(m - 1)"
    c = pairs
    assert torch.allclose(c, -v / (m - 1), rtol=1e-9)
    # "the variance of their sum, m v + m (m - 1) c, is zero"
    assert (m * v + m * (m - 1) * c).abs().max() < 1e-9 * v.abs().max()
# "a weighted sum has variance v sum a_j^2 + c sum_{j != l} a_j a_l", here
# "v (S2 - (S1^2 - S2)/(m - 1))"
# and f: against the covariance matrix of the m kicks, written out
for batch_size, lr in [*floors, (500, 0.1)]:
    rho, m = 1 - 2 * lr, 1000 // batch_size
    a = torch.tensor([rho**k for k in range(m)], dtype=torch.float64)
    kick_covariance = (1 + 1 / (m - 1)) * torch.eye(m, dtype=torch.float64) - 1 / (m - 1)  # over v
    summed = (a @ kick_covariance @ a).item()  # the epoch's weighted sum's variance, over v
    S1, S2 = a.sum().item(), (a**2).sum().item()
    assert abs(summed - (S2 - (S1**2 - S2) / (m - 1))) < 1e-12 * S2
    # V = rho^2m V + lr^2 v summed; independent: V = rho^2 V + lr^2 tau^2 / B
    V_shuffled = lr**2 * (1000 - batch_size) / 999 * summed / (1 - rho ** (2 * m))
    V_independent = lr**2 / (1 - rho**2)
    assert abs(shuffled_fraction(batch_size, lr) / (V_shuffled / V_independent) - 1) < 1e-12
# "0.8^100 ~ 2e-10 ... anti-correlated by 1/99 ... f = 0.91 ... 0.95^19 ~ 0.38 ... f = 0.08"
assert f"{0.8**100:.0e}" == "2e-10" and round(0.95**19, 2) == 0.38
assert [round(1 - 2 * lr, 10) for lr in (0.1, 0.025)] == [0.8, 0.95]
assert (len(batches(1000, 10, generator)), len(batches(1000, 50, generator))) == (100, 20)
assert (
    round(shuffled_fraction(10, 0.1), 2) == 0.91 and round(shuffled_fraction(50, 0.025), 2) == 0.08
)
# "the smaller the learning rate, and the fewer the steps an epoch has, the smaller f"
f = {key: shuffled_fraction(*key) for key in floors}
for batch_size in (10, 50):
    assert f[batch_size, 0.025] < f[batch_size, 0.05] < f[batch_size, 0.1] < 1
for lr in (0.1, 0.05, 0.025):
    assert f[50, lr] < f[10, lr], f
# "in every row the measured fraction is within 10 per cent of f"; "the standard error of
# each shuffled mean under 2.5 per cent", "of each independent mean under 1.5 per cent"
for key, (predicted, _, shuffled) in floors.items():
    assert abs(shuffled / predicted / f[key] - 1) < 0.1, (key, shuffled / predicted, f[key])
    assert errors[key][1] < 0.025 and errors[key][0] < 0.015, (key, errors[key])

# %% [markdown]
# ## Summary
#
# - With mini-batches an epoch is one pass over a fresh shuffle: $\lceil n / B \rceil$ steps
#   of the same hand-written gradient step, for batches of $B$.
# - Small batches get near the bottom in fewer epochs but settle on a noise floor, where the
#   pull of each step towards the optimum balances the kicks of the batches' luck. With
#   batches drawn independently it is about $2\,\mathrm{lr}\,L^*/(B\,(1 - \mathrm{lr}))$
#   here: a smaller learning rate or a larger batch lowers it.
# - The kicks of a shuffled epoch add up to zero at the optimum, so any two of them are
#   slightly anti-correlated, and at the ends of epochs the loss sits lower still: at a
#   fraction $f$ of the independent floor that is the smaller, the smaller the learning
#   rate and the fewer the steps an epoch has.
#
# ## Exercises
#
# **1. The floor of $b$, by hand.** Hold $W$ at $W^*$ and let only $b$ move, each step on
# $B$ examples drawn at random with replacement. Near $b^*$, what does one step do to
# $b - b^*$? Find the steady mean of $(b - b^*)^2$, and from it the excess loss that $b$
# alone keeps up. Then run it at $B = 10$ and lr 0.1, and compare.

# %% [markdown] tags=["solution"]
# Write $r^*_i = W^* x_i + b^* - y_i$, the residuals of the best line: they average to zero
# (the derivative of the loss in $b$ vanishes at the optimum), and their mean square is
# $L^*$. With $W = W^*$ the batch's derivative in $b$ is
# $2\,\overline{(r^*_i + b - b^*)} = 2(b - b^*) + k$, with $k = 2\,\overline{r^*_i}$ over the
# batch, so a step does
#
# $$b - b^* \leftarrow (1 - 2\,\mathrm{lr})(b - b^*) - \mathrm{lr}\,k.$$
#
# $k$ has mean 0 and variance $4L^*/B$ (the $B$ draws are independent), and it is
# independent of $b - b^*$, which earlier draws made. So $V$, the mean of $(b - b^*)^2$,
# becomes $(1 - 2\,\mathrm{lr})^2 V + \mathrm{lr}^2\, 4L^*/B$, and stops changing at
#
# $$V = \frac{4\,\mathrm{lr}^2 L^* / B}{1 - (1 - 2\,\mathrm{lr})^2}
#     = \frac{\mathrm{lr}\, L^*}{B\,(1 - \mathrm{lr})}.$$
#
# Since the $r^*_i$ average to zero, $L(W^*, b) = L^* + (b - b^*)^2$: $V$ is the excess
# loss $b$ keeps up. Measured, it is within 10 per cent of $V$.

# %% tags=["solution"]
B, lr_b = 10, 0.1
model = linreg.LinearModel.like(data.X, W=W_best, b=b_best)
generator = torch.Generator().manual_seed(0)
squares = []
for step in range(2200):
    index = torch.randint(len(data.X), (B,), generator=generator)
    mse_loss(model(data.X[index]), data.y[index]).backward()
    with torch.no_grad():
        model.b -= lr_b * model.b.grad  # b alone: W stays at W*
    model.W.grad, model.b.grad = None, None
    if step >= 200:
        squares.append((model.b.item() - b_best) ** 2)

V = lr_b * best_loss / (B * (1 - lr_b))
answer = statistics.mean(squares)
print(f"mean (b - b*)^2: {answer:.5f}; lr L* / (B (1 - lr)): {V:.5f}")

# %% tags=["check"]
assert model.W.item() == torch.tensor(W_best).item()  # W stayed at W*
assert abs(answer / V - 1) < 0.1, answer / V
# "the residuals of the best line average to zero ... their mean square is L*"
r_best = W_best * data.X.double() + b_best - data.y.double()
assert abs(r_best.mean().item()) < 1e-12 and abs((r_best**2).mean().item() - best_loss) < 1e-6

# %% [markdown]
# **2. Two steps an epoch.** With batches of 500, an epoch of `train_minibatch` is two
# steps. At the optimum, how is the second batch's kick related to the first's? Predict
# where the shuffled floor falls at lr 0.1 against the floor of independent batches of
# 500, then measure both, with `noise_floor` and `shuffled_floor` (over 80 epochs: at two
# steps an epoch, 20 do not bring $(W, b)$ close enough to the floor from $(16, 10)$).

# %% [markdown] tags=["solution"]
# The two batches hold every example once, so their kicks add up to zero: the second is
# the first reversed, $k_2 = -k_1$. With $e = (W - W^*, b - b^*)$, whose parts a full-batch
# step multiplies by about $\rho = 1 - 2\,\mathrm{lr}$, an epoch does
# $e \leftarrow \rho(\rho e - \mathrm{lr}\,k_1) + \mathrm{lr}\,k_1
# = \rho^2 e + 2\,\mathrm{lr}^2 k_1$: the second step undoes the first kick, except for
# what the pull took from it in between. What is left, $2\,\mathrm{lr}^2 k_1$, is
# $2\,\mathrm{lr}$ times the first step's move $\mathrm{lr}\,k_1$, so the shuffled floor is far below the independent one. Worked through as in Exercise 1
# (a batch of half the data, drawn without replacement, has about half the variance of 500
# draws with replacement), it is $2\,\mathrm{lr}^2 / (1 + \rho^2)$ of it: 1.2 per cent at lr 0.1.
# That is $f$ of the text for $m = 2$, whose $(n - B)/(n - 1) = 500/999$ is the "about half".
# Measured, within 10 per cent of that, with a standard error under 3 per cent.

# %% tags=["solution"]
independent_means, shuffled_means = (
    noise_floor(500, [0.1])[0],
    shuffled_floor(500, [0.1], num_epochs=80)[0],
)
independent, shuffled = independent_means.mean().item(), shuffled_means.mean().item()
answer = shuffled / independent
error = (standard_error(independent_means) ** 2 + standard_error(shuffled_means) ** 2) ** 0.5
predicted = 2 * 0.1**2 / (1 + (1 - 2 * 0.1) ** 2)
print(f"independent {independent:.6f}, shuffled {shuffled:.7f}: {answer:.4f} of it")
print(f"(standard error {error * 100:.1f} per cent)")
print(f"predicted: {predicted:.4f}")

# %% tags=["check"]
assert abs(answer / predicted - 1) < 0.1, (answer, predicted)
assert error < 0.03  # "a standard error under 3 per cent"
assert round(predicted * 100, 1) == 1.2  # "1.2 per cent"
assert abs(shuffled_fraction(500, 0.1) / (predicted * 2 * 500 / 999) - 1) < 1e-12  # "f ... m = 2"
# "20 [epochs] do not bring (W, b) close enough to the floor from (16, 10)": what is left of
# the start after 20 epochs of rho^4 (on the square) is most of the floor; after 40, nothing
start_square = (16 - W_best) ** 2 + (10 - b_best) ** 2
per_epoch = (1 - 2 * 0.1) ** 4  # two steps, each rho on e, so rho^2 on its square
assert start_square * per_epoch**20 > 0.5 * shuffled
assert start_square * per_epoch**40 < 1e-6 * shuffled
assert len(batches(1000, 500, torch.Generator())) == 2  # "two steps"
