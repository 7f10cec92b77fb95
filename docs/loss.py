# %% [markdown]
# # The loss
#
# To improve the line we need a number that says how wrong it is. The **mean squared error**
# averages the squared [residuals](glossary.html#residual) $r_i = \hat y_i - y_i$ over the $n$ examples:
#
# $$L(W, b) = \frac{1}{n} \sum_{i=1}^{n} \left(W x_i + b - y_i\right)^2.$$
#
# Squaring makes every residual count as positive and punishes large misses more than small
# ones; it also makes $L$ a smooth bowl in $(W, b)$ with a single lowest point. Written by
# hand, it is one expression, the function's only line of code:

# %% tags=["export"]
def mse_loss(y_hat, y):
    """Mean squared error of predictions y_hat against targets y, both of shape (n,)."""
    return ((y_hat - y) ** 2).mean()


# %% [markdown]
# For the untrained model the loss is large:

# %%
import linreg

data = linreg.make_data()
model = linreg.LinearModel.like(data.X)  # the previous page's model, from the package
loss = mse_loss(model(data.X), data.y)
loss

# %% [markdown]
# We could have predicted that. With $W = 16$ and $b = 10$ the residual is
# $r = 13x + 9.5 - \varepsilon$, and since $x$ and $\varepsilon$ are independent with mean 0
# and variance 1, its expected square is
#
# $$\mathbb E[r^2] = 13^2 + 9.5^2 + 1 = 260.25.$$
#
# Our sample gives a value within a few percent of that. Note the `grad_fn` in the output:
# the loss remembers how it was computed, which is what `backward()` will use on the next
# page.
#
# ## Large misses weigh most
#
# Each example adds its $r_i^2$ to the sum. For a miss under 1 the square is smaller than
# the miss $|r_i|$ itself, and beyond 1 it is larger and grows ever faster: a miss of 2 adds
# 4, a miss of 4 adds 16. The residuals of the true line $3x + 0.5$ are minus the noise,
# $r_i = -\varepsilon_i$. Here each one is drawn at its residual and its square:

# %%
from linreg.plots import plot_residuals

plot_residuals(data.X, data.y, data.true_W, data.true_b)

# %% [markdown]
# The 50 largest misses, 5% of the examples, make up 26% of the sum of squares. Had each
# example added its $|r_i|$ instead (the dashed line), they would make up 14% of the sum.
#
# ## Why squares: the noise
#
# For these data the square is not an arbitrary choice. Their noise is Gaussian with
# standard deviation $\sigma = 1$. If the data came from the line $(W, b)$, each target
# $y_i$ would be drawn from a normal distribution with mean $W x_i + b$ and standard
# deviation $\sigma$, whose density at $y_i$ is
#
# $$p(y_i \mid W, b) = \frac{1}{\sqrt{2\pi\sigma^2}}
#   \exp\left(-\frac{(W x_i + b - y_i)^2}{2\sigma^2}\right).$$
#
# The examples are drawn independently, so the density of the whole sample is the product
# of these $n$ densities: the [likelihood](glossary.html#likelihood) of $(W, b)$. Its logarithm turns the product into a
# sum, and the negative logarithm, divided by $n$, is
#
# $$-\frac1n \sum_{i=1}^{n} \log p(y_i \mid W, b)
#   = \frac12 \log(2\pi\sigma^2) + \frac{L(W, b)}{2\sigma^2}.$$
#
# Neither $\frac12 \log(2\pi\sigma^2)$ nor the factor $\frac{1}{2\sigma^2}$ depends on $W$
# or $b$. So the line with the lowest mean squared error is the line under which the
# observed targets have the highest likelihood, and we need not know $\sigma$ to find it.
# With noise of another shape another loss takes this place: with Laplace noise, whose
# density falls as $e^{-|r|/s}$, it is the mean of $|r_i|$.
#
# ## A pitfall: the (n, 1) versus (n,) shape
#
# Many data sets arrive as a matrix with one column, shape `(n, 1)`, while targets are a
# vector of shape `(n,)`. Subtracting one from the other does not fail. PyTorch
# *broadcasts* the shapes to `(n, n)`, the difference of every prediction with every target:

# %%
X_column = data.X.reshape(-1, 1)  # shape (1000, 1)
residuals = model(X_column) - data.y  # (1000, 1) - (1000,) -> (1000, 1000)
residuals.shape

# %% [markdown]
# Our `mse_loss` takes the mean of that matrix without a complaint. It is a number, so
# nothing crashes, but it is not the loss:

# %%
mse_loss(model(X_column), data.y), loss

# %% [markdown]
# Training on it would quietly fit the wrong objective. The package's `linreg.mse_loss` is
# the function above (the package takes it from this page) behind a check of its
# arguments: it makes sure the two shapes match before the function runs, and refuses with
# a message that says how to fix the call. (The check lives in `linreg.checks`, beside the
# loss rather than in it, so the loss stays one line here.)

# %%
try:
    linreg.mse_loss(model(X_column), data.y)
except ValueError as error:
    print(error)

# %% [markdown]
# The fix is to make both one-dimensional, for example with `X_column.reshape(-1)`.

# %% tags=["check"]
import math

import torch

assert 13**2 + 9.5**2 + 1 == 260.25  # the sum as the page writes it
eps = data.y - (data.true_W * data.X + data.true_b)  # the sample's noise
# "the residual is r = 13x + 9.5 - eps": true only for the line 3x + 0.5 and the start (16, 10)
assert torch.allclose(model(data.X) - data.y, 13 * data.X + 9.5 - eps, atol=1e-4)
assert abs(loss.item() - 260.25) / 260.25 < 0.05, loss.item()  # "within a few percent"
assert residuals.shape == (1000, 1000)
assert abs((residuals**2).mean().item() - loss.item()) > 1.0  # "it is not the loss"
fixed = linreg.mse_loss(model(X_column.reshape(-1)), data.y)
assert fixed.item() == loss.item()
assert mse_loss(model(X_column), data.y).item() == (residuals**2).mean().item()  # "takes the mean"
# "the residuals of the true line are minus the noise"
true_residuals = data.true_W * data.X.double() + data.true_b - data.y.double()
assert torch.allclose(true_residuals, -eps.double(), atol=1e-5)
# "under 1 the square is smaller than |r|, beyond 1 larger and growing ever faster"
grid = torch.linspace(-5, 5, 1001, dtype=torch.float64)
assert torch.equal(grid**2 < grid.abs(), (grid.abs() < 1) & (grid != 0))
assert torch.equal(grid**2 > grid.abs(), grid.abs() > 1)
assert bool((torch.diff(grid[grid >= 0] ** 2).diff() > 0).all())  # the increments grow
assert (2**2, 4**2) == (4, 16)  # "a miss of 2 adds 4, a miss of 4 adds 16"
# "The 50 largest misses, 5% of the examples, make up 26% of the sum of squares"
largest = true_residuals.abs().topk(50).indices
assert 50 / len(data.X) == 0.05
share = (true_residuals[largest] ** 2).sum() / (true_residuals**2).sum()
assert round(share.item(), 2) == 0.26, share
absolute_share = true_residuals[largest].abs().sum() / true_residuals.abs().sum()
assert round(absolute_share.item(), 2) == 0.14, absolute_share  # "they would make up 14%"
assert data.noise == 1.0  # "Gaussian with standard deviation 1"
# the negative log-likelihood per example is log(2 pi sigma^2) / 2 + L / (2 sigma^2): against
# torch.distributions.Normal's log_prob, at several lines and several sigmas, in float64
X64, y64 = data.X.double(), data.y.double()
W_best, b_best = linreg.least_squares(data.X, data.y)
for W, b in [(16.0, 10.0), (3.0, 0.5), (W_best, b_best), (-2.0, 7.0)]:
    L = mse_loss(W * X64 + b, y64)
    for sigma in [1.0, 0.3, 2.5]:
        nll = -torch.distributions.Normal(W * X64 + b, sigma).log_prob(y64).mean()
        expected = 0.5 * math.log(2 * math.pi * sigma**2) + L / (2 * sigma**2)
        assert abs(nll.item() - expected.item()) < 1e-9 * max(1, expected.item()), (W, b, sigma)
# "the lowest mean squared error is the highest likelihood": the least-squares line beats
# every line nearby, whatever sigma
for sigma in [1.0, 0.3, 2.5]:
    best_nll = -torch.distributions.Normal(W_best * X64 + b_best, sigma).log_prob(y64).mean()
    for dW, db in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01), (0.01, -0.01)]:
        line = (W_best + dW) * X64 + b_best + db
        assert -torch.distributions.Normal(line, sigma).log_prob(y64).mean() > best_nll
# "with Laplace noise ... it is the mean of |r|": -log-likelihood / n = log(2s) + mean|r| / s
for W, b in [(16.0, 10.0), (3.0, 0.5)]:
    nll = -torch.distributions.Laplace(W * X64 + b, 0.7).log_prob(y64).mean()
    expected = math.log(2 * 0.7) + (W * X64 + b - y64).abs().mean() / 0.7
    assert abs(nll.item() - expected.item()) < 1e-9 * expected.item()
try:  # "linreg.mse_loss checks that the two shapes match"
    linreg.mse_loss(model(X_column), data.y)
    raise AssertionError("mse_loss accepted an (n, 1) against (n,) pair")
except linreg.ArgumentError as refusal:
    assert refusal.argument == "y_hat" and "(1000, 1000)" in str(refusal)

# %% [markdown]
# ## Summary
#
# - The mean squared error averages the squared residuals $r_i = W x_i + b - y_i$; for the
#   starting line it is about 263, close to the 260.25 that the residual's expected square
#   predicts.
# - Squaring weighs large misses most: for the true line, the 5% largest misses make up 26%
#   of the sum of squares.
# - With Gaussian noise the mean squared error is, up to a constant and a positive factor,
#   the negative log-likelihood: the line with the lowest loss is the one under which the
#   data are most likely.
# - Predictions and targets must have the same shape: an `(n, 1)` against an `(n,)`
#   broadcasts to `(n, n)` and gives a wrong loss, which `linreg.mse_loss` refuses.
#
# ## Exercises
#
# **1. A derivation.** What loss does the constant prediction $\hat y_i = \bar y$ (the mean
# of the targets) get? Derive it, then compute it.

# %% [markdown] tags=["solution"]
# $\frac1n \sum_i (\bar y - y_i)^2$ is the variance of $y$ (dividing by $n$). For our data
# it is about 10.2: $3^2$ from the slope times the variance of $x$, plus 1 from the noise.
# The best line, at 1.063, does ten times better.

# %% tags=["solution"]
import torch

constant = torch.full_like(data.y, data.y.mean().item())
answer = mse_loss(constant, data.y).item()
print(f"loss of the mean: {answer:.4f}; variance of y: {data.y.var(correction=0).item():.4f}")

# %% tags=["check"]
assert abs(answer - data.y.var(correction=0).item()) < 1e-4
assert round(answer, 1) == 10.2
assert abs(answer - (9 * data.X.var(correction=0).item() + 1)) < 0.5

# %% [markdown]
# **2. Predict, then run.** Is the loss of the *true* line, $W = 3$, $b = 0.5$, above or
# below 1? And above or below the loss of the best line for this sample?

# %% [markdown] tags=["solution"]
# The true line's residuals are exactly the noise, so its loss is the mean of $\varepsilon^2$:
# about 1 (here 1.065, a little above). The sample's best line, which training approaches,
# is lower still (1.063): it is fitted to this sample's noise, the true line is not.

# %% tags=["solution"]
true_loss = mse_loss(3.0 * data.X + 0.5, data.y).item()
W_best, b_best = linreg.least_squares(data.X, data.y)
best = mse_loss(W_best * data.X + b_best, data.y).item()
answer = (true_loss, best)
print(f"true line: {true_loss:.4f}; best line for this sample: {best:.4f}")

# %% tags=["check"]
assert answer[0] > 1 and round(answer[0], 3) == 1.065 and answer[1] < answer[0]
assert round(answer[1], 3) == 1.063
