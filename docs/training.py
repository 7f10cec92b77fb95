# %% [markdown]
# # Training
#
# Training repeats the gradient step, once per epoch (here one epoch is one step on the
# whole data set). The loop yields, for each epoch, the loss, $W$ and $b$ *before* that
# epoch's update, so epoch 0 shows the starting point. Its `step` is the gradient step of
# the previous page unless you pass another:

# %% tags=["export"]
from linreg.pages.gradient import gradient_step


def train(model, X, y, lr, num_epochs, step=gradient_step):
    """Take num_epochs steps; yield each epoch's loss, W and b before its step."""
    for _ in range(num_epochs):
        W, b = model.W.item(), model.b.item()
        loss = step(model, X, y, lr)
        yield loss.item(), W, b


# %% [markdown]
# The defaults of the notebook this tutorial grew from are kept in one place,
# `linreg.DEFAULTS`: 20 epochs with a learning rate of 0.1.

# %%
import linreg

linreg.DEFAULTS

# %% [markdown]
# We train with them, and print the log in the format of that notebook:

# %%
data = linreg.make_data()
model = linreg.LinearModel.like(data.X)
log = list(train(model, data.X, data.y, lr=0.1, num_epochs=20))
for epoch, (loss, _, _) in enumerate(log):
    print(f"Epoch {epoch}: Loss: {loss}")

# %% [markdown]
# `linreg.fit` is what the later pages call. It checks its inputs once, runs this loop
# (the package's copy of the cell above), records each epoch in a `History`
# (`history.losses`, `history.Ws`, `history.bs`, and the final `history.W` and
# `history.b`), and beside the loop watches the loss for divergence (more on that at the
# end of the page). From the same start it takes the same steps:

# %%
history = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=0.1, num_epochs=20)
history.losses == [loss for loss, W, b in log]

# %% [markdown]
# The logged loss falls from about 263 at epoch 0 to 1.11 at epoch 19. The log is taken
# before each update, so 1.11 is the loss before the last step; after it, the loss is 1.095.
# It cannot fall much below 1: the noise has variance 1, and no line can predict noise. The
# exact floor for this sample is the [least-squares](glossary.html#least-squares) loss,
# 1.063, computed below.
#
# ## The parameters, epoch by epoch
#
# $W$ and $b$ move quickly at first and then more slowly: each step keeps the same fraction
# of the remaining distance to the optimum, the best line for this sample, about 0.80 of
# it here (each step removes about a fifth). That holds here because, from the optimum, the
# loss rises about equally steeply in every direction. The next page,
# [The loss landscape](landscape.html), shifts $x$ to make data where it does not: there the
# fraction each step keeps, at lr 0.0352 (95 per cent of that data's [stability bound](glossary.html#stability-bound)),
# rises from 0.92 at the first step to 0.997, where it stays. The
# optimum lies close to the true values, dashed in the figure, but not on them (the next
# section computes it). Like the log, the figure draws $W$ and $b$ at the start of each
# epoch: its last points, at epoch 19, come before the last step, $W = 3.20$ and
# $b = 0.59$, and that step takes them to the fitted $W = 3.16$ and $b = 0.57$ printed
# below.

# %%
from linreg.plots import plot_loss, plot_parameters, plot_predictions

plot_parameters(history, true_W=data.true_W, true_b=data.true_b)

# %% [markdown]
# ## The fit after training
#
# The predicted line now runs through the data:

# %%
plot_predictions(data.X, data.y, model, title="After training")

# %% [markdown]
# ## How close is it?
#
# The best line for *this sample* is the least-squares solution, which has a closed form:
# $W^* = \operatorname{cov}(x, y) / \operatorname{var}(x)$ and $b^* = \bar y - W^* \bar x$,
# where a bar is a mean over the sample. `linreg.least_squares` computes it in float64.
# Gradient descent approaches it, not the true $W = 3$ and $b = 0.5$: with noise, the
# sample's best line differs from the line that generated it.

# %%
W_best, b_best = linreg.least_squares(data.X, data.y)
best_loss = linreg.mse_loss(W_best * data.X + b_best, data.y).item()
print(f"fitted:        W = {history.W:.4f}, b = {history.b:.4f}")
print(f"least squares: W = {W_best:.4f}, b = {b_best:.4f}, loss = {best_loss:.4f}")
print(f"true:          W = {data.true_W:.4f}, b = {data.true_b:.4f}")

# %% [markdown]
# After 20 epochs the last logged loss, 1.113, is within 5% of the least-squares loss,
# 1.063, and $W$ is within 0.2 of the least-squares slope. More epochs would close the gap. On a log scale the
# loss falls steeply and then levels off at the least-squares loss, the dashed line. What
# shrinks by the same factor every epoch is the [excess loss](glossary.html#excess-loss)
# $L - L^*$, how far the loss lies above that floor: each epoch keeps about 0.64 of it, the
# square of the 0.80 above, so the excess alone would plot as a straight line. That is the
# signature of gradient descent on a quadratic bowl:

# %%
plot_loss(history, best_loss=best_loss)

# %% [markdown]
# ## What next: the learning rate
#
# A larger learning rate takes larger steps, up to a limit. For this loss, gradient descent
# converges only when
#
# $$\eta < \frac{1}{\lambda_{\max}},$$
#
# where $\lambda_{\max}$ is a number computed from the data alone: the larger of the two
# [eigenvalues](glossary.html#eigenvalue) of the matrix
# $\begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1 \end{pmatrix}$, whose entries are
# means over the sample (a bar is a mean). The next page says what eigenvalues are. For our
# data the bound is about 1:

# %%
linreg.stability_bound(data.X)

# %% [markdown]
# Above the bound each step lands on the other side of the bottom of the bowl, farther from it
# than it started, and the loss grows. `fit` notices the first rise larger than rounding can
# explain, stops, and raises a `DivergenceError` that names the bound and carries the history
# so far:

# %%
try:
    linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=1.5, num_epochs=20)
except linreg.DivergenceError as error:
    print(error)
    diverged = error.history

# %% [markdown]
# The history it carries ends at that rise:

# %%
diverged.losses

# %% [markdown]
# Where the bound comes from, what the matrix and its eigenvalues are, and why `lr=0.5` all
# but reaches the least-squares line in a single epoch, are the subject of the next two
# pages: [The loss landscape](landscape.html) draws the bowl and the path across it, and
# [Choosing the learning rate](learning-rate.html) derives the bound and the speed of
# convergence, with an explorer in which you move the learning rate yourself.
#
# Try other values in the downloaded notebook: pass them to `train` in the training cell
# and to `fit` in the cell after it, for example `lr=0.5, num_epochs=10` in both, and run
# the page on.
# Or, from a terminal in
# the folder where you installed the notebooks ("Run it yourself" on the home page), run
# `.venv/bin/linreg --lr 0.5 --epochs 10`.

# %% tags=["check"]
import itertools
import math

import torch

assert (linreg.DEFAULTS.num_epochs, linreg.DEFAULTS.lr) == (20, 0.1)  # "20 epochs ... 0.1"
assert len(history.losses) == 20 and history.lr == 0.1
assert round(history.losses[0]) == 263  # "from about 263 at epoch 0"
# "the last logged loss, 1.113, is within 5% of the least-squares loss, 1.063"
assert f"{history.losses[-1]:.4g}" == "1.113" and f"{best_loss:.4g}" == "1.063"
assert history.losses[-1] <= 1.05 * best_loss
# "like the log, the figure draws W and b at the start of each epoch: its last points, at
# epoch 19, come before the last step, W = 3.20 and b = 0.59, and that step takes them to
# the fitted W = 3.16 and b = 0.57 printed below" (the alt text says the same)
figure = plot_parameters(history, true_W=data.true_W, true_b=data.true_b)
drawn_W, drawn_b = figure.axes[0].lines[:2]
assert list(drawn_W.get_ydata()) == history.Ws and list(drawn_b.get_ydata()) == history.bs
assert list(drawn_W.get_xdata()) == list(range(20)) == list(drawn_b.get_xdata())
assert (f"{history.Ws[-1]:.2f}", f"{history.bs[-1]:.2f}") == ("3.20", "0.59")
assert (f"{history.W:.2f}", f"{history.b:.2f}") == ("3.16", "0.57")
assert "From epoch 0 to epoch 19, W goes from 16 to 3.20" in figure.alt
assert "and b from 10 to 0.59" in figure.alt and "3.16" not in figure.alt
assert abs(history.W - W_best) < 0.2  # "W is within 0.2 of the least-squares slope"
# "close to the true values, but not on them"
assert 0 < abs(W_best - data.true_W) < 0.1 and 0 < abs(b_best - data.true_b) < 0.1
# the closed form as the page writes it, in float64
X64, y64 = data.X.double(), data.y.double()
W_formula = ((X64 - X64.mean()) * (y64 - y64.mean())).mean() / X64.var(correction=0)
assert abs(W_formula.item() - W_best) < 1e-12
assert abs((y64.mean() - W_formula * X64.mean()).item() - b_best) < 1e-12
assert abs(linreg.stability_bound(data.X) - 1.0) < 0.05  # "about 1"
# the bound as the page writes it: 1 / the largest eigenvalue of [[mean x^2, mean x], [mean x, 1]]
x64 = data.X.double()
H = torch.tensor([[(x64**2).mean(), x64.mean()], [x64.mean(), 1.0]], dtype=torch.float64)
assert abs(1 / torch.linalg.eigvalsh(H)[-1].item() - linreg.stability_bound(data.X)) < 1e-12
# "each step lands on the other side ..., farther from it than it started": the distance grows
gone = [math.hypot(W - W_best, b - b_best) for W, b in zip(diverged.Ws, diverged.bs, strict=True)]
assert all(
    b > a
    for a, b in itertools.pairwise([*gone, math.hypot(diverged.W - W_best, diverged.b - b_best)])
)
assert diverged.losses[-1] > diverged.losses[-2] and len(diverged.losses) < 20  # "first rise"
assert all(a >= b for a, b in itertools.pairwise(diverged.losses[:-1]))
# "from the same start it takes the same steps": fit runs the page's loop
assert history.losses == [loss for loss, _, _ in log]
assert (history.W, history.b) == (model.W.item(), model.b.item())
# "to 1.11 at epoch 19 ... the loss before the last step; after it, the loss is 1.095"
assert len(history.losses) - 1 == 19 and f"{history.losses[-1]:.2f}" == "1.11"
assert history.losses[-1] == log[-1][0]  # the log is the loss before each update
assert f"{linreg.mse_loss(model(data.X), data.y).item():.3f}" == "1.095"
# "cannot fall much below 1", "the least-squares loss, 1.063"
assert f"{best_loss:.3f}" == "1.063"
assert abs(best_loss - 1.0) < 0.1 and min(history.losses) > best_loss
# "each step keeps ... about 0.80" of the distance to the optimum, every epoch
Ws, bs = [*history.Ws, history.W], [*history.bs, history.b]
distance = [math.hypot(W - W_best, b - b_best) for W, b in zip(Ws, bs, strict=True)]
kept = [b / a for a, b in itertools.pairwise(distance)]
assert all(round(k, 2) == 0.80 for k in kept), kept
# "that holds here because ... the loss rises about equally steeply in every direction":
# the two eigenvalues of the matrix below differ by about 1%
from linreg.curvature import curvature

assert curvature(data.X).condition_number < 1.02
# "the next page ... shifts x to make data where it does not: there the fraction each step
# keeps, at lr 0.0352 (95 per cent of that data's stability bound), rises from 0.92 at the
# first step to 0.997, where it stays" (the landscape page's run)
from linreg.plots import SHIFT, SHIFTED_EPOCHS, SHIFTED_FRACTION

shifted = linreg.make_data(x_mean=SHIFT)
valley = linreg.fit(
    linreg.LinearModel.like(shifted.X),
    shifted.X,
    shifted.y,
    lr=SHIFTED_FRACTION * linreg.stability_bound(shifted.X),
    num_epochs=SHIFTED_EPOCHS,
)
assert round(valley.lr, 4) == 0.0352 and SHIFTED_FRACTION == 0.95
W_s, b_s = linreg.least_squares(shifted.X, shifted.y)
gone_s = [
    math.hypot(W - W_s, b - b_s)
    for W, b in zip([*valley.Ws, valley.W], [*valley.bs, valley.b], strict=True)
]
kept_s = [b / a for a, b in itertools.pairwise(gone_s)]
assert round(kept_s[0], 2) == 0.92 and all(b > a for a, b in itertools.pairwise(kept_s[:60]))
assert all(round(k, 3) == 0.997 for k in kept_s[40:]), kept_s  # then stays, to float32 noise
# "the excess ... each epoch keeps about 0.64 of it, the square of the 0.80"
excess = [loss - best_loss for loss in history.losses]
ratios = [b / a for a, b in itertools.pairwise(excess)]
assert all(round(r, 2) == 0.64 for r in ratios), ratios
assert all(abs(r - k**2) < 0.01 for r, k in zip(ratios, kept, strict=False))
# "levels off at the least-squares loss, the dashed line": the figure draws it
figure = plot_loss(history, best_loss=best_loss)
assert [line.get_ydata()[0] for line in figure.axes[0].lines[1:]] == [best_loss]

# %% [markdown]
# ## Summary
#
# - Training repeats the gradient step; at lr 0.1 each epoch keeps about 0.80 of the
#   distance to the least-squares optimum, and about 0.64 of the excess loss.
# - Gradient descent approaches the best line for this sample, not the true line; `fit`
#   raises a `DivergenceError` when the learning rate is above the [stability bound](glossary.html#stability-bound).
#
# ## Exercises
#
# **1. Predict, then run.** What happens to the loss if you start at $W = 0$, $b = 0$
# instead of $(16, 10)$? Guess the first logged loss and whether 20 epochs still reach the
# least-squares loss.

# %% [markdown] tags=["solution"]
# The start is much closer to the data, so the first loss is about 10.5, not 263. The
# remaining distance shrinks by the same 0.80 per epoch as before, so 20 epochs end even
# closer: within 0.2% of the least-squares loss.

# %% tags=["solution"]
from_zero = linreg.fit(linreg.LinearModel.like(data.X, W=0.0, b=0.0), data.X, data.y)
answer = (from_zero.losses[0], from_zero.losses[-1])
print(f"first loss {answer[0]:.4g}, last {answer[1]:.5g}, least squares {best_loss:.5g}")

# %% tags=["check"]
assert round(answer[0], 1) == 10.5 and answer[1] < 1.002 * best_loss
assert history.losses[-1] > answer[1]  # "even closer"

# %% [markdown]
# **2. Half the learning rate.** At lr 0.1 the logged loss first comes within 1% of the
# least-squares loss at epoch 23. Predict: at lr 0.05, does that take twice as many epochs,
# more than twice, or fewer? Reason from what one step does to the distance to the optimum,
# then train for 60 epochs and find the first epoch within 1%.

# %% [markdown] tags=["solution"]
# More than twice: epoch 48. A step moves the parameters by lr times the gradient. At
# lr 0.1 that removes a fifth of the distance to the optimum, so at lr 0.05 the same
# gradient removes a tenth: each step keeps 0.90 of the distance instead of 0.80, and 0.81
# of the excess loss (the square) instead of 0.64. The excess must shrink by the same
# factor as before, and the epochs it takes grow as $1/\ln(1/\text{factor})$:
# $\ln(1/0.64) / \ln(1/0.81) \approx 2.1$ times as many.

# %% tags=["solution"]
half = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=0.05, num_epochs=60)
answer = next(epoch for epoch, loss in enumerate(half.losses) if loss < 1.01 * best_loss)
print(f"first epoch within 1% at lr 0.05: {answer}")

# %% tags=["check"]
longer = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, num_epochs=40)
assert next(e for e, loss in enumerate(longer.losses) if loss < 1.01 * best_loss) == 23
assert answer == 48 and answer > 2 * 23  # "more than twice: epoch 48"
Ws_h, bs_h = [*half.Ws, half.W], [*half.bs, half.b]
gone_h = [math.hypot(W - W_best, b - b_best) for W, b in zip(Ws_h, bs_h, strict=True)]
assert all(round(b / a, 2) == 0.90 for a, b in itertools.pairwise(gone_h[:20]))
excess_h = [loss - best_loss for loss in half.losses[:20]]
assert all(round(b / a, 2) == 0.81 for a, b in itertools.pairwise(excess_h))
assert round(math.log(1 / 0.64) / math.log(1 / 0.81), 1) == 2.1

# %% [markdown]
# **3. Change the step.** Write a gradient step that forgets the `zero_()` (copy
# `gradient_step` and `update` from the previous page into one function, and leave the line
# out), and train with it: `train(model, X, y, lr, num_epochs, step=your_step)`. Predict
# first: does the last logged loss of 20 epochs still come down to 1.11?

# %% [markdown] tags=["solution"]
# No. Without the zeroing, `.grad` holds the sum of every gradient so far, so each step
# carries all the earlier ones with it and nothing slows the parameters down: they
# overshoot the optimum and swing around it like a pendulum without friction. The loss
# falls to about 1.1 at epoch 3, climbs back to its start by epoch 6, and goes round again
# every seven epochs.

# %% tags=["solution"]
import torch

from linreg.pages.loss import mse_loss


def forgetful_step(model, X, y, lr):
    """gradient_step without zero_(): .grad keeps the sum of every gradient so far."""
    loss = mse_loss(model(X), y)
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= lr * param.grad
    return loss.detach()


start = linreg.LinearModel.like(data.X)
answer = [loss for loss, W, b in train(start, data.X, data.y, 0.1, 20, step=forgetful_step)]
print(", ".join(f"{loss:.3g}" for loss in answer))

# %% tags=["check"]
assert min(answer) < 1.2 and answer.index(min(answer[:7])) == 3  # "about 1.1 at epoch 3"
assert max(answer[4:8]) > 0.95 * answer[0]  # "climbs back to its start by epoch 6"
lows = [e for e in range(1, 19) if answer[e] < min(answer[e - 1], answer[e + 1])]
assert lows == [3, 10, 17], lows  # "round again every seven epochs"
