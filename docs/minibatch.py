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
# and the loss is near its floor after the first.

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
from linreg.plots import plot_losses, plot_parameter_noise

W_best, b_best = linreg.least_squares(data.X, data.y)
best_loss = linreg.mse_loss(W_best * data.X + b_best, data.y).item()

runs = []
for batch_size in (10, 50, 250, None):
    model = linreg.LinearModel.like(data.X)
    run = linreg.fit(model, data.X, data.y, lr=0.1, num_epochs=40, batch_size=batch_size)
    runs.append(run)

plot_losses(runs, best_loss=best_loss, title="Loss for each batch size")

# %% [markdown]
# Per epoch, small batches get to the bottom much sooner: batches of 10 take 100 steps an
# epoch, and are near $L^*$ after one. But they do not settle there. Zoom in on $W$ over the
# last thirty epochs:

# %%
plot_parameter_noise(runs, W_best, skip=10)

# %% [markdown]
# Full-batch descent creeps steadily towards $W^*$; batches of 250 sit on it; batches of 50
# and 10 wander around it, the smaller the batch, the wider. This is the **[noise floor](glossary.html#noise-floor)**.
#
# ## Why there is a floor, and how to lower it
#
# The gradient of one batch is the mean of its examples' gradients. It points, on average,
# where the full gradient points, but it differs from it by the luck of the draw, and that
# difference does not vanish at the optimum, where the full gradient does: every step kicks
# $(W, b)$ by lr times that difference. Averaging over $B$ examples shrinks the kick's
# spread by about $\sqrt B$. So the excess loss the kicks keep up grows with the learning
# rate and shrinks with the batch size. Measured, as the mean of $L - L^*$ over epochs 20 to
# 39:

# %%
import statistics


def noise_floor(batch_size, lr):
    model = linreg.LinearModel.like(data.X)
    run = linreg.fit(model, data.X, data.y, lr=lr, num_epochs=40, batch_size=batch_size)
    return statistics.mean(loss - best_loss for loss in run.losses[20:])


floors = {}
for batch_size in (10, 50):
    for lr in (0.1, 0.05, 0.025):
        floors[batch_size, lr] = noise_floor(batch_size, lr)
        print(f"batch {batch_size:3}, lr {lr:<5}: L - L* = {floors[batch_size, lr]:.5f}")

# %% [markdown]
# Halving the learning rate cuts the floor by half or more; five times larger batches cut it
# fivefold or more. Both cost something: a smaller learning rate takes longer to get
# down, and a larger batch costs more per step. That is why practical training often starts
# with a large learning rate and lowers it as it goes (a learning-rate *schedule*), and why
# the batch size is a knob traded against the hardware's memory and speed.

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
assert two_epochs.losses[1] < 1.1 * best_loss  # "near its floor after the first"
# "the loss logged for each epoch is still the loss on all the data"
assert runs[0].losses[0] == runs[-1].losses[0]
b10, b50, b250, full = runs
assert [r.batch_size for r in runs] == [10, 50, 250, None]
# "batches of 10 ... are near L* after one [epoch]"
assert b10.losses[1] < 1.05 * best_loss
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
# "Halving the learning rate cuts the floor by half or more"
for batch_size in (10, 50):
    for lr in (0.1, 0.05):
        ratio = floors[batch_size, lr / 2] / floors[batch_size, lr]
        assert 0 < ratio < 0.55, (batch_size, lr, ratio)
# "five times larger batches cut it fivefold or more"
for lr in (0.1, 0.05, 0.025):
    assert floors[50, lr] < floors[10, lr] / 5, (lr, floors)

# %% [markdown]
# ## Summary
#
# - With mini-batches an epoch is one pass over a fresh shuffle: $\lceil n / B \rceil$ steps
#   of the same hand-written gradient step, for batches of $B$.
# - Small batches get near the bottom in fewer epochs but settle on a noise floor; a smaller
#   learning rate or a larger batch lowers the floor.
#
# ## Exercises
#
# **1. Count.** How many gradient steps do 3 epochs take with 1000 examples and
# `batch_size=64`?

# %% [markdown] tags=["solution"]
# $1000 / 64 = 15.6$, so each epoch has 15 full batches and one of 40: 16 steps, 48 in
# three epochs.

# %% tags=["solution"]
import torch

generator = torch.Generator().manual_seed(0)
epochs = [batches(1000, 64, generator) for _ in range(3)]
answer = sum(len(epoch) for epoch in epochs)
print(f"{answer} steps; the last batch of each epoch has {len(epochs[0][-1])} examples")

# %% tags=["check"]
assert answer == 48 and len(epochs[0][-1]) == 40

# %% [markdown]
# **2. Predict, then run.** Where does the floor of batches of 25 at lr 0.1 fall, against
# the table's batches of 10 and 50 at the same lr? Predict, then measure with
# `noise_floor`.

# %% [markdown] tags=["solution"]
# Between the two: the floor falls as the batch grows, and 25 lies between 10 and 50.
# Measured, it is 0.0056, about a third of the floor of batches of 10 and between two and
# three times that of batches of 50.

# %% tags=["solution"]
answer = noise_floor(25, 0.1)
print(f"batch 25, lr 0.1: {answer:.5f} (10: {floors[10, 0.1]:.5f}, 50: {floors[50, 0.1]:.5f})")

# %% tags=["check"]
assert floors[50, 0.1] < answer < floors[10, 0.1] and round(answer, 4) == 0.0056
assert 0.25 < answer / floors[10, 0.1] < 0.4 and 2 < answer / floors[50, 0.1] < 3
