# %% [markdown]
# # Many features
#
# Every page so far had one input $x$ per example. Real data have many: for each of 442
# patients, the data set of this page holds ten measurements taken at a first visit, and
# the target is how far their diabetes had progressed a year later. Each input is a
# **[feature](glossary.html#feature)**, and with $d$ of them the slope $W$ becomes a vector
# of $d$ numbers, one per feature. This page shows how little that changes in the
# algorithm and what it does to the bowl of [The loss landscape](landscape.html), then fits
# the real data by hand, checked against two solvers this project did not write.
#
# ## From one feature to many
#
# Put the $n$ examples' features in the rows of a matrix $X$ of shape $(n, d)$. The
# prediction for example $i$ is a weighted sum of its features plus the intercept,
# $\hat y_i = \sum_{j=1}^{d} X_{ij} W_j + b$; for all the examples at once that is a
# matrix-vector product:
#
# $$\hat y = X W + b, \qquad X: (n, d),\quad W: (d,),\quad b: (),\quad \hat y: (n,).$$
#
# In code, `X @ W + b`. The model is the class of [The model](model.html) with that one line
# changed and $W$ a vector. With many features there is no picture to start far from, and
# for this loss every start leads to the same optimum, so both parameters start at zero:

# %% tags=["export"]
import torch


class LinearModelND:
    """y_hat = X @ W + b for X of shape (n, d): W of shape (d,) and b 0-d, both from zero."""

    def __init__(self, num_features, dtype=torch.float32, device="cpu"):
        self.W = torch.zeros(num_features, dtype=dtype, device=device, requires_grad=True)
        self.b = torch.zeros((), dtype=dtype, device=device, requires_grad=True)

    def __call__(self, X):
        return X @ self.W + self.b

    def parameters(self):
        return [self.W, self.b]


# %% [markdown]
# Everything else is the code of the earlier pages, imported unchanged:
#
# | | one feature | $d$ features |
# |---|---|---|
# | $X$ | shape $(n,)$ | shape $(n, d)$ |
# | $W$ | shape $()$ | shape $(d,)$ |
# | the forward pass | `self.W * X + self.b` | `X @ self.W + self.b` |
# | the Hessian of the loss | $2 \times 2$ | $(d + 1) \times (d + 1)$ (below) |
# | the loss | `mse_loss(y_hat, y)` | the same function |
# | `loss.backward()` | fills `W.grad`, shape $()$ | the same call; `W.grad` has shape $(d,)$ |
# | the update | `update`, inside `gradient_step` | the same functions |
#
# `mse_loss` only sees predictions and targets, both of shape $(n,)$ still; `update`
# loops over whatever `model.parameters()` returns and moves each tensor against its own
# `.grad`, whatever its shape; `gradient_step` calls the model, the loss, `backward()` and
# `update`. The gradient `backward()` fills in is the one of
# [The gradient step](gradient.html) with a sum over examples turned into a matrix
# product: with the residuals $r = \hat y - y$,
#
# $$\nabla_W L = \frac2n X^\top r, \qquad \frac{\partial L}{\partial b} = \frac2n
#   \sum_{i=1}^{n} r_i.$$
#
# ## The diabetes data
#
# scikit-learn ships a small data set with it, so nothing is downloaded:
# `sklearn.datasets.load_diabetes`. For each of 442 patients it holds ten features, age,
# sex, body mass index (`bmi`), average blood pressure (`bp`) and six blood serum
# measurements (`s1` to `s6`: `s1` is the total cholesterol, `s2` and `s3` two kinds of
# it), and the target, a measure of disease progression one year later. By default
# scikit-learn hands out the features already centred and rescaled; we ask for the raw
# values with `scaled=False`, to do that step ourselves:

# %%
from sklearn.datasets import load_diabetes

diabetes = load_diabetes(scaled=False)
X = torch.from_numpy(diabetes.data)  # (442, 10), float64
y = torch.from_numpy(diabetes.target)  # (442,), float64
n, d = X.shape
print(f"X: {tuple(X.shape)} {X.dtype}, y: {tuple(y.shape)} {y.dtype}")
print("feature:", "  ".join(f"{name:>6}" for name in diabetes.feature_names))
print("mean:   ", "  ".join(f"{m:6.1f}" for m in X.mean(dim=0).tolist()))
print("std:    ", "  ".join(f"{s:6.2f}" for s in X.std(dim=0, correction=0).tolist()))

# %% [markdown]
# We keep the data in float64, the [dtype](glossary.html#dtype) they arrive in and the
# one the two solvers we compare with compute in, so that the comparison measures how close
# gradient descent came and not float32's rounding (the third exercise tries float32).
#
# The features have very different offsets and spreads: the mean blood pressure is about
# 95 and the mean total cholesterol about 189, while `sex` is coded 1 or 2 and has a
# standard deviation of 0.5. On the one-feature pages an offset in $x$ made a long, narrow
# valley; here there are ten offsets and ten spreads.
#
# ## The bowl has d + 1 directions
#
# Write the parameters as one vector $\theta = (W, b)$ of length $d + 1$, and add to $X$ a
# column of ones, $\tilde X = [X, 1]$ of shape $(n, d + 1)$: then $\hat y = \tilde X
# \theta$, the intercept being the weight of a feature that is always 1. Let $\theta^*$ be
# the least-squares optimum, $e = \theta - \theta^*$ the distance from it and
# $r^* = \tilde X \theta^* - y$ its residuals. The residuals of $\theta$ are
# $\tilde X e + r^*$, and at the optimum the gradient $\frac2n \tilde X^\top r^*$ is
# zero, so the cross term drops out of the mean of their squares:
#
# $$L(\theta) = L^* + e^\top H e, \qquad H = \frac1n \tilde X^\top \tilde X.$$
#
# This is the bowl of [The loss landscape](landscape.html), in $d + 1$ dimensions. For
# $d = 1$, $\tilde X$ has rows $(x_i, 1)$ and $H$ is that page's
# $\begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1 \end{pmatrix}$. The Hessian of
# the loss is $2H$, now $(d + 1) \times (d + 1)$, and everything
# [Choosing the learning rate](learning-rate.html) derived from $H$ carries over with
# $d + 1$ eigenvalues instead of two: gradient descent converges exactly when
# $\eta < 1/\lambda_{\max}$, the best constant learning rate is
# $1/(\lambda_{\min} + \lambda_{\max})$, and the condition number
# $\kappa = \lambda_{\max}/\lambda_{\min}$ says how slow that best rate still is.


# %% tags=["export"]
def curvature_matrix(X):
    """H = X1ᵀ X1 / n, X1 being X (n, d) and a column of ones: (d + 1, d + 1), float64.

    Half the Hessian of the mean squared error in (W, b).
    """
    X1 = torch.cat([X, torch.ones_like(X[:, :1])], dim=1).double()
    return X1.T @ X1 / len(X)


# %% [markdown]
# For the raw diabetes features:

# %%
eigenvalues = torch.linalg.eigvalsh(curvature_matrix(X))  # ascending
print(f"λmin = {eigenvalues[0]:.4g}, λmax = {eigenvalues[-1]:.4g}")
print(f"condition number: {eigenvalues[-1] / eigenvalues[0]:.3g}")

# %% [markdown]
# A condition number of about 52 million: a valley so narrow that, at the best constant
# learning rate, the slowest part of the distance to the optimum would shrink by a factor
# of ten only every 60 million steps or so.
#
# ## Standardisation
#
# The landscape page rounded its bowl by centring $x$. With many features the same cure
# has two parts, one for each cause: subtract each column's mean, which removes the
# offsets, and divide by its [standard deviation](glossary.html#standard-deviation), which
# puts every feature on the same scale. That is
# **[standardisation](glossary.html#standardisation)**: each standardised column has mean
# 0 and standard deviation 1.


# %% tags=["export"]
def standardise(X):
    """Each column of X (n, d) less its mean, over its standard deviation (dividing by n).

    Returns (X_std, mean, std); mean and std have shape (d,).
    """
    mean = X.mean(dim=0)
    std = X.std(dim=0, correction=0)
    return (X - mean) / std, mean, std


# %% [markdown]
# Standardising changes the parameters a model needs, not what it can fit. Any prediction
# on the standardised features is also one on the raw features:
#
# $$\frac{X - \mu}{s} W' + b' = X W + b \quad\text{with}\quad W = \frac{W'}{s}, \quad
#   b = b' - \mu \cdot W,$$
#
# where $\mu$ and $s$ are the columns' means and standard deviations and the division is
# column by column. So we can fit on the standardised features and convert the result
# back. The bowl it gives:

# %%
X_std, mean, std = standardise(X)
eigenvalues_std = torch.linalg.eigvalsh(curvature_matrix(X_std))
low, high = eigenvalues_std[0].item(), eigenvalues_std[-1].item()
print(f"λmin = {low:.4g}, λmax = {high:.4g}")
print(f"condition number: {high / low:.4g}")

# %% [markdown]
# From about 52 million to about 470. For standardised columns $H$ takes a simple form.
# Their means are 0, so the last row and column of $H$ are $(0, \dots, 0, 1)$, and the
# entry for features $j$ and $k$ is the mean of $z_j z_k$, where $z_j$ is the standardised
# column $j$: their [correlation](glossary.html#correlation): 1 on the diagonal, and between $-1$ and 1 off
# it. Were the features uncorrelated, $H$ would be the identity and the bowl perfectly
# round. They are not: `s1` and `s2` have a correlation of 0.90, and the direction in
# which the bowl is flattest, the eigenvector of $\lambda_{\min}$, is almost all on four of
# the blood serum measurements, `s1`, `s2`, `s3` and `s5` (99% of its squared length),
# which nearly determine one another. Standardisation removes offsets and scales; what is
# left is the data's own structure. A condition number of 470 still means many steps, but
# ones we can afford.

# %% tags=["check"]
import math

import numpy as np

import linreg
from linreg.curvature import curvature_matrix as curvature_matrix_1d

# the data: "442 patients, ten features ... a year later", float64, raw (not sklearn's scaling)
assert (n, d) == (442, 10) and X.dtype == y.dtype == torch.float64
assert "n =\n442 diabetes patients" in diabetes.DESCR
assert "disease progression one year after baseline" in diabetes.DESCR
assert "s1      tc, total serum cholesterol" in diabetes.DESCR
assert "s2      ldl" in diabetes.DESCR and "s3      hdl" in diabetes.DESCR
names = diabetes.feature_names
assert names == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
scaled = torch.from_numpy(load_diabetes().data)  # "by default ... centred and rescaled"
assert scaled.mean(dim=0).abs().max() < 1e-12 and (scaled.std(dim=0) - 1).abs().max() > 0.5
# "the mean blood pressure is about 95 and the mean total cholesterol about 189, while sex is
# coded 1 or 2 and has a standard deviation of 0.5"
column = dict(zip(names, X.T, strict=True))
assert round(column["bp"].mean().item()) == 95 and round(column["s1"].mean().item()) == 189
assert set(column["sex"].tolist()) == {1.0, 2.0}
assert round(column["sex"].std(correction=0).item(), 1) == 0.5
# "L = L* + e^T H e": in float64 at random points, with lstsq's optimum as theta*
X1_t = torch.cat([X, torch.ones(n, 1, dtype=X.dtype)], dim=1)
theta_star = torch.linalg.lstsq(X1_t, y.unsqueeze(1)).solution.squeeze(1)
L_star_t = ((X1_t @ theta_star - y) ** 2).mean()
H = curvature_matrix(X)
generator = torch.Generator().manual_seed(0)
for _ in range(5):
    e = torch.randn(d + 1, generator=generator, dtype=torch.float64)
    direct = ((X1_t @ (theta_star + e) - y) ** 2).mean()
    assert abs(direct - (L_star_t + e @ H @ e)) < 1e-9 * direct
# "the Hessian of the loss is 2H", by autograd, as the oracle
hessian = torch.autograd.functional.hessian(lambda t: ((X1_t @ t - y) ** 2).mean(), theta_star)
assert torch.allclose(hessian, 2 * H, rtol=1e-12, atol=0)
assert H.shape == (d + 1, d + 1) and H.dtype == torch.float64
# "for d = 1, H is that page's [[mean x^2, mean x], [mean x, 1]]"
data = linreg.make_data()
assert torch.allclose(curvature_matrix(data.X.unsqueeze(1)), curvature_matrix_1d(data.X))
# "nabla_W L = 2/n X^T r, dL/db = 2/n sum r": the model's backward() against the formula
probe = LinearModelND(d, dtype=torch.float64)
with torch.no_grad():
    probe.W += torch.randn(d, generator=generator, dtype=torch.float64)
r = (probe(X) - y).detach()
linreg.pages.loss.mse_loss(probe(X), y).backward()
assert torch.allclose(probe.W.grad, 2 / n * X.T @ r, rtol=1e-12)
assert torch.allclose(probe.b.grad, 2 / n * r.sum(), rtol=1e-12)
assert probe.W.grad.shape == (d,)  # "W.grad has shape (d,)"
# "a condition number of about 52 million ... ten times only every 60 million steps or so"
kappa_raw = (eigenvalues[-1] / eigenvalues[0]).item()
assert round(kappa_raw / 1e6) == 52, kappa_raw
lr_raw = 1 / (eigenvalues[0] + eigenvalues[-1]).item()
slowest = 1 - 2 * lr_raw * eigenvalues[0].item()
assert round(math.log(10) / -math.log(slowest) / 1e7) == 6
# "each standardised column has mean 0 and standard deviation 1"
assert X_std.mean(dim=0).abs().max() < 1e-12
assert (X_std.std(dim=0, correction=0) - 1).abs().max() < 1e-12
# "any prediction on the standardised features is one on the raw features"
W_prime = torch.randn(d, generator=generator, dtype=torch.float64)
W_raw = W_prime / std
assert torch.allclose(X_std @ W_prime + 3.0, X @ W_raw + (3.0 - mean @ W_raw), rtol=1e-12)
# "from about 52 million to about 470"
kappa_std = high / low
assert round(kappa_std, -1) == 470, kappa_std
# "H: last row and column (0, ..., 0, 1), the correlations" against numpy's corrcoef
H_std = curvature_matrix(X_std)
assert torch.allclose(H_std[:d, :d], torch.from_numpy(np.corrcoef(diabetes.data.T)), atol=1e-12)
assert torch.allclose(H_std[d], torch.eye(d + 1, dtype=torch.float64)[d], atol=1e-12)
assert torch.allclose(H_std.diagonal(), torch.ones(d + 1, dtype=torch.float64))
# "s1 and s2 have a correlation of 0.90"
assert f"{H_std[4, 5].item():.2f}" == "0.90"
# "the eigenvector of lambda_min is almost all on s1, s2, s3 and s5 (99% of its squared length)"
v_min = torch.linalg.eigh(H_std).eigenvectors[:, 0]
serum = [names.index(name) for name in ("s1", "s2", "s3", "s5")]
share = (v_min[serum] ** 2).sum().item()
assert round(share, 2) == 0.99, share
assert set(v_min.abs().topk(4).indices.tolist()) == set(serum)
# "which nearly determine one another": along v_min the standardised features combine into
# something nearly constant, of variance under 1% of any one feature's
assert (X_std @ v_min[:d]).var(correction=0) < 0.01 and abs(v_min[d]) < 1e-12

# %% [markdown]
# ## Training by hand
#
# The learning rate comes from the eigenvalues: the best constant one,
# $1/(\lambda_{\min} + \lambda_{\max})$, just below the
# [stability bound](glossary.html#stability-bound) $1/\lambda_{\max}$. At that rate the
# slowest part of the distance to the optimum shrinks by $(\kappa - 1)/(\kappa + 1)$ a
# step:

# %%
import math

lr = 1 / (low + high)
rate = (high / low - 1) / (high / low + 1)
steps = math.log(0.1) / math.log(rate)  # rate ** steps = 1/10
print(f"stability bound {1 / high:.4f}, lr {lr:.4f}")
print(f"factor per step {rate:.5f}: a tenth of the distance every {steps:.0f} steps")

# %% [markdown]
# 8000 epochs are then plenty: $0.99575^{8000}$ is about $10^{-15}$, as far as the sixteen
# digits of float64 go. Each epoch is one full-batch step of the same `gradient_step`
# as on the one-feature pages:

# %%
from linreg.pages.gradient import gradient_step

model = LinearModelND(d, dtype=X_std.dtype)
num_epochs = 8000
losses = []
for _ in range(num_epochs):
    losses.append(gradient_step(model, X_std, y, lr).item())  # forward, backward, update

for epoch in (0, 10, 100, 1000, num_epochs - 1):
    print(f"epoch {epoch:5}: loss {losses[epoch]:.6f}")

# %% [markdown]
# The loss starts at the mean of $y^2$, since the model starts at zero, and settles at
# about 2860: the predicted progression is typically off by about 53, its square root,
# against a spread (a standard deviation) of about 77 in the targets themselves. Converted
# back to the raw features:

# %%
W = model.W.detach() / std
b = model.b.detach() - mean @ W
print("feature:", "  ".join(f"{name:>7}" for name in diabetes.feature_names), "      b")
print("W, b:   ", "  ".join(f"{w:7.3f}" for w in W.tolist()), f"{b.item():8.3f}")

# %% [markdown]
# Each $W_j$ is the change in the predicted progression per unit of feature $j$ (a year of
# age, a unit of body mass index) with the other nine held fixed.
#
# ## Checked against two solvers
#
# NumPy's least-squares solver, `numpy.linalg.lstsq`, on $\tilde X$, and scikit-learn's
# `LinearRegression`, which fits the intercept itself, both on the raw features in
# float64. For each of the eleven numbers, the difference from ours relative to its size,
# and the largest of those:

# %%
import numpy as np
from sklearn.linear_model import LinearRegression

ours = np.append(W.numpy(), b.item())
X1 = np.column_stack([diabetes.data, np.ones(n)])  # X with a column of ones
by_numpy = np.linalg.lstsq(X1, diabetes.target)[0]
fitted = LinearRegression().fit(diabetes.data, diabetes.target)
by_sklearn = np.append(fitted.coef_, fitted.intercept_)


def largest_relative_difference(a, b):
    return np.max(np.abs(a - b) / np.abs(b))


for name, first, second in [
    ("ours against numpy.linalg.lstsq", ours, by_numpy),
    ("ours against sklearn LinearRegression", ours, by_sklearn),
    ("lstsq against LinearRegression", by_numpy, by_sklearn),
]:
    print(f"{name:38}: {largest_relative_difference(first, second):.1e}")

# %% [markdown]
# All eleven agree with both solvers to better than one part in $10^{12}$, about as
# closely as the two solvers agree with each other.
#
# ## Without standardisation
#
# The same loop on the raw features, from zero, at their own best constant learning rate,
# for the same 8000 epochs:

# %%
raw_model = LinearModelND(d, dtype=X.dtype)
raw_lr = 1 / (eigenvalues[0] + eigenvalues[-1]).item()
raw_losses = [gradient_step(raw_model, X, y, raw_lr).item() for _ in range(num_epochs)]
L_star = np.mean((X1 @ by_numpy - diabetes.target) ** 2)  # the least-squares loss
kept = (raw_losses[-1] - L_star) / (raw_losses[0] - L_star)
print(f"lr {raw_lr:.3g}; loss {raw_losses[0]:.0f} -> {raw_losses[-1]:.0f} (L* = {L_star:.0f})")
print(f"excess loss left after {num_epochs} epochs: {kept:.0%}")

# %% [markdown]
# The learning rate has to suit the steepest direction, and with raw features that is
# about 18,000 times steeper than with standardised ones; along the flattest directions the
# steps are then so small that 8000 of them remove only about a tenth of the
# excess loss: what the condition number predicted, seen in a run.
#
# ## The (n, 1) against (n,) pitfall, again
#
# [The loss](loss.html#a-pitfall-the-n-1-versus-n-shape) showed that predictions of shape
# $(n, 1)$ against targets of shape $(n,)$ [broadcast](glossary.html#broadcasting) to an
# $(n, n)$ matrix. With many features the trap is easier to fall into: it is common to hold
# $W$ as a column of shape $(d, 1)$ (`nn.Linear`'s weight has shape $(1, d)$), and then
# `X @ W` is $(n, 1)$, not $(n,)$:

# %%
from linreg.pages.loss import mse_loss

W_column = model.W.detach().reshape(-1, 1)  # (10, 1): W held as a column
y_hat_column = X_std @ W_column + model.b.detach()  # (442, 10) @ (10, 1) -> (442, 1)
residuals = y_hat_column - y  # (442, 1) - (442,) -> (442, 442)
print(residuals.shape)
print(f"the loss computed on it: {mse_loss(y_hat_column, y).item():.0f}")
print(f"the loss:                {mse_loss(model(X_std), y).item():.0f}")

# %% [markdown]
# The same model, the same data, and a loss more than three times too large, with no error
# to warn of it: each prediction is compared with every patient's target, not its own.
# Training on it would fit the wrong objective (the first exercise says which). The fix is
# the one of the one-feature pages: keep $W$ of shape $(d,)$, as `LinearModelND` does, so
# that `X @ W` is $(n,)$; or make the predictions one-dimensional with
# `y_hat.reshape(-1)`. The package's `linreg.mse_loss` refuses the mismatch:

# %%
import linreg

try:
    linreg.mse_loss(y_hat_column, y)
except linreg.ArgumentError as error:
    print(error)

# %% tags=["check"]
from linreg.pages import many_features

# "just below the stability bound"
assert lr < 1 / high and (1 / high - lr) < 0.01 * (1 / high)
# "(kappa - 1) / (kappa + 1) ... 0.99575 ... a tenth every ~541 steps"
assert f"{rate:.5f}" == "0.99575" and round(steps) == 541
assert abs(rate - max(abs(1 - 2 * lr * lam) for lam in (low, high))) < 1e-15
# "0.99575^8000 is about 10^-15, as far as the sixteen digits of float64 go"
assert num_epochs == 8000 and round(math.log10(rate**num_epochs)) == -15
# "the loss starts at the mean of y^2"
assert abs(losses[0] - (y**2).mean().item()) < 1e-9 * losses[0]
# "settles at about 2860 ... within about 53 ... a spread of about 77"
assert round(losses[-1], -1) == 2860 and round(math.sqrt(losses[-1])) == 53
assert round(y.std(correction=0).item()) == 77
assert abs(losses[-1] - L_star) < 1e-12 * L_star and max(losses[-100:]) - min(losses[-100:]) < 1e-9
# "agree with both solvers to better than one part in 10^12"
assert largest_relative_difference(ours, by_numpy) < 1e-12
assert largest_relative_difference(ours, by_sklearn) < 1e-12
# "about as closely as the two solvers agree with each other": within a factor of 10 (or
# both at float64's rounding of these sums, 1e-12, where the solvers agree more closely)
between = largest_relative_difference(by_numpy, by_sklearn)
assert between < 1e-10
assert largest_relative_difference(ours, by_numpy) < max(10 * between, 1e-12)
assert largest_relative_difference(ours, by_sklearn) < max(10 * between, 1e-12)
# the package's model is the page's: the same code, exported
assert many_features.LinearModelND.__doc__ == LinearModelND.__doc__
assert torch.equal(many_features.standardise(X)[0], X_std)
# "8000 of them remove only about a tenth of the excess loss"
assert round(1 - kept, 1) == 0.1, kept
assert raw_losses[0] == losses[0]  # the same start
# "with raw features the steepest direction is about 18,000 times steeper"
assert round(eigenvalues[-1].item() / high, -3) == 18_000, eigenvalues[-1].item() / high
# the pitfall: "(n, n) ... more than three times too large ... compared with every target"
assert residuals.shape == (n, n)
wrong, right = mse_loss(y_hat_column, y).item(), mse_loss(model(X_std), y).item()
assert wrong > 3 * right
assert abs(wrong - ((y_hat_column.reshape(-1, 1) - y.reshape(1, -1)) ** 2).mean().item()) < 1e-6
try:
    linreg.mse_loss(y_hat_column, y)
    raise AssertionError("linreg.mse_loss accepted (n, 1) against (n,)")
except linreg.ArgumentError as refusal:
    assert refusal.argument == "y_hat" and "(442, 442)" in str(refusal)

# %% [markdown]
# ## Summary
#
# - With $d$ features, $X$ is $(n, d)$, $W$ is $(d,)$ and the model is `X @ W + b`. The
#   loss, `backward()` and the update are the code of the one-feature pages, unchanged.
# - The loss is still a bowl, $L = L^* + e^\top H e$, with $H = \tilde X^\top \tilde X / n$
#   of size $(d + 1) \times (d + 1)$ and the Hessian $2H$; the stability bound
#   $1/\lambda_{\max}$ and the condition number carry over.
# - Standardisation, each column less its mean and over its standard deviation, is the
#   many-feature form of centring: on the diabetes data it takes the condition number from
#   about 52 million to about 470, what correlated features leave.
# - Gradient descent by hand, in float64, matches `numpy.linalg.lstsq` and scikit-learn's
#   `LinearRegression` to better than one part in $10^{12}$; without standardisation the
#   same 8000 epochs remove only about a tenth of the excess loss.
# - Predictions of shape $(n, 1)$ against targets of shape $(n,)$ give an $(n, n)$ matrix
#   of residuals and a wrong loss, silently: keep $W$ of shape $(d,)$.
#
# ## Exercises
#
# **1. Predict, then run.** Train a fresh `LinearModelND` on the standardised features for
# 100 epochs with the broadcasting loss of the last section, the predictions made a column
# with `model(X_std).reshape(-1, 1)`. What $W$ and $b$ does it reach? (Hint: write the mean
# of $(\hat y_i - y_j)^2$ over all pairs $i, j$ in terms of the mean and spread of
# $\hat y$.)

# %% [markdown] tags=["solution"]
# Over all pairs, the mean of $(\hat y_i - y_j)^2$ is
# $\operatorname{var}(\hat y) + (\bar{\hat y} - \bar y)^2 + \operatorname{var}(y)$:
# the targets enter only through their mean and variance, so which target goes with which
# patient is lost. It is smallest when every prediction is $\bar y$: $W = 0$ and
# $b = \bar y \approx 152.13$, a model that ignores every feature and predicts the average
# for everyone. From zero, $W$ stays at zero, up to rounding: on centred columns its
# gradient at $W = 0$ is zero whatever $b$ is, and $b$ alone walks to $\bar y$.

# %% tags=["solution"]
from linreg.pages.gradient import update

column_model = LinearModelND(d, dtype=X_std.dtype)
for _ in range(100):
    loss = mse_loss(column_model(X_std).reshape(-1, 1), y)  # (442, 1) against (442,)
    loss.backward()
    update(column_model.parameters(), lr)

answer = (column_model.W.detach(), column_model.b.item())
print(f"largest |W_j|: {answer[0].abs().max().item():.1e}, b = {answer[1]:.2f}")
print(f"mean of y: {y.mean().item():.2f}")

# %% tags=["check"]
W_broadcast, b_broadcast = answer
assert W_broadcast.abs().max() < 1e-9 and round(b_broadcast, 2) == 152.13
assert abs(b_broadcast - y.mean().item()) < 1e-9
# the identity, in float64, at the trained model's predictions
p = model(X_std).detach()
pairs = ((p.reshape(-1, 1) - y) ** 2).mean()
expected = p.var(correction=0) + (p.mean() - y.mean()) ** 2 + y.var(correction=0)
assert abs(pairs - expected) < 1e-9 * expected

# %% [markdown]
# **2. A derivation.** scikit-learn's default `load_diabetes()` gives the features centred,
# each column scaled so that its squares sum to 1 (so its variance is $1/n$). Is that as
# good as standardisation for gradient descent? Work out $H$ for such columns, predict its
# condition number from the standardised eigenvalues above, then compute it.

# %% [markdown] tags=["solution"]
# The columns are the standardised ones divided by $\sqrt n$, and still centred, so
# $H = \begin{pmatrix} C/n & 0 \\ 0 & 1 \end{pmatrix}$, with $C$ the matrix of
# correlations. Its eigenvalues are those of $C$ divided by $n = 442$, all below 0.01, and
# the 1 of the intercept. So $\lambda_{\max} = 1$ and
# $\lambda_{\min} = 0.00856 / 442$: a condition number of about 51,600, a hundred times
# worse than standardising. Centring is not enough: the intercept's column of ones and the
# features must be on the same scale too.

# %% tags=["solution"]
sklearn_X = torch.from_numpy(load_diabetes().data)
sklearn_eigenvalues = torch.linalg.eigvalsh(curvature_matrix(sklearn_X))
answer = (sklearn_eigenvalues[-1] / sklearn_eigenvalues[0]).item()
print(f"condition number with scikit-learn's scaling: {answer:.4g}")
print(f"predicted: {n / low:.4g}")

# %% tags=["check"]
assert round(answer, -2) == 51_600 and abs(answer / (n / low) - 1) < 1e-9
assert f"{low:.3g}" == "0.00856" and (eigenvalues_std[:-1] / n < 0.01).all()
assert abs(sklearn_eigenvalues[-1].item() - 1) < 1e-12 and round(answer / (high / low), -2) == 100
assert torch.allclose((sklearn_X**2).sum(dim=0), torch.ones(d, dtype=torch.float64))

# %% [markdown]
# **3. Predict, then run.** Repeat the standardised run in float32 (`X_std.float()`,
# `y.float()` and a float32 model) for 5000 epochs, in which float64 shrinks the distance
# to the optimum more than a billionfold. How close to `numpy.linalg.lstsq` do the eleven numbers get now, and do more epochs
# help? (Hint: how far does one step move the parameters along the flattest direction,
# compared with float32's rounding of them?)

# %% [markdown] tags=["solution"]
# They stop a few parts in $10^5$ from the optimum, and more epochs do not help. Along the
# flattest direction each step moves the parameters by $2\eta\lambda_{\min} =
# 2\lambda_{\min}/(\lambda_{\min} + \lambda_{\max}) \approx 1/236$ of their remaining
# distance from the optimum. float32 rounds each parameter to about $6 \times 10^{-8}$ of
# its size, so once that move is below the rounding, within about
# $236 \times 6 \times 10^{-8} \approx 1.4 \times 10^{-5}$ of the parameters' size, the
# additions no longer register and the approach stalls. That is about $\kappa/2$ times
# float32's precision: the condition number decides how much precision gradient descent
# can use. The estimate gives the order only: the run stalls at three to six times it (the
# output below gives the figure of the machine that ran it; where float32 rounds away the
# last digits, each machine's arithmetic leaves its own mark), and from about epoch 3000 on
# the distance no longer shrinks.

# %% tags=["solution"]
model32 = LinearModelND(d, dtype=torch.float32)
X32, y32 = X_std.float(), y.float()


def distance32():
    W32 = model32.W.detach().double() / std
    ours32 = np.append(W32.numpy(), (model32.b.detach().double() - mean @ W32).item())
    return largest_relative_difference(ours32, by_numpy)


for _ in range(3000):
    gradient_step(model32, X32, y32, lr)

at3000 = distance32()
for _ in range(2000):
    gradient_step(model32, X32, y32, lr)

answer = distance32()
print(f"float32 against numpy.linalg.lstsq: {at3000:.1e} at epoch 3000, {answer:.1e} at 5000")

# %% tags=["check"]
assert 1e-5 < answer < 1e-4, answer  # "a few parts in 10^5"
assert abs(answer / at3000 - 1) < 0.1  # "from about epoch 3000 on, no longer shrinks"
# "stalls at three to six times" the estimate 1.4 x 10^-5 (4.6e-5 on one machine, 4.9e-5 on
# another, 7.3e-5 with MKL's SSE4.2 kernels)
assert 3 < answer / 1.4e-5 < 6, answer
assert round(1 / (2 * lr * low)) == 236 and abs(2 * lr * low - 2 * low / (low + high)) < 1e-15
assert round(236 * 6e-8, 6) == 1.4e-5 and round((high / low) / 2) == 235  # "about kappa/2"
# "float64 shrinks the distance more than a billionfold" in 5000 epochs
assert rate**5000 < 1e-9
