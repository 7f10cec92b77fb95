# %% [markdown]
# # Weight decay
#
# [Generalisation](generalisation.html) tamed the polynomial of degree 12 by lowering its
# degree or by stopping its training early. Weight decay keeps every weight and trains to
# the end, but makes large weights cost something. This page adds that cost to the
# hand-written loss, writes the gradient step and the closed form that go with it, checks
# both against PyTorch and scikit-learn, and chooses how large the cost should be on the
# validation data.
#
# ## The penalty
#
# The wild fits of the last page had large weights: the least-squares polynomial of degree
# 12 needs weights in the thousands, from $-2265$ to 1323, to swing through its 20 training
# points. So we add to the mean squared error a penalty on the size of $W$:
#
# $$L_\lambda(W, b) = \frac1n \sum_{i=1}^{n} (x_i^\top W + b - y_i)^2
#   + \lambda \lVert W \rVert^2, \qquad \lVert W \rVert^2 = \sum_k W_k^2.$$
#
# This is [regularisation](glossary.html#regularisation): a term that pulls the fit towards
# simpler models, here towards $W = 0$, traded against the fit by $\lambda \ge 0$. The bias
# $b$ is not penalised. It does not make the curve wiggle, it only sets its level; and a
# penalty on it would pull the predictions towards 0 rather than towards the mean of the
# targets, so that adding a constant to every target would change the fitted shape.

# %% tags=["export"]
import torch

from linreg.pages.gradient import update
from linreg.pages.loss import mse_loss


def penalised_loss(model, X, y, lam):
    """The MSE of model(X) against y (n,), plus lam times the squared length of W (not b)."""
    return mse_loss(model(X), y) + lam * (model.W**2).sum()


# %% [markdown]
# ## The step
#
# The penalty adds $2\lambda W$ to the gradient with respect to $W$ and nothing to the one
# with respect to $b$. The step on $W$ becomes
#
# $$W \leftarrow W - \eta\left(\frac{\partial L}{\partial W} + 2\lambda W\right)
#   = (1 - 2\eta\lambda)\, W - \eta \frac{\partial L}{\partial W}:$$
#
# before the usual step, each weight is shrunk by the factor $1 - 2\eta\lambda$. That
# shrinking is why the method is called [weight decay](glossary.html#weight-decay). The
# hand-written step adds the penalty's gradient to what `backward()` left in `W.grad`:


# %% tags=["export"]
def weight_decay_step(model, X, y, lr, lam):
    """One gradient step on the MSE + lam ||W||^2, in place; returns the MSE before it."""
    loss = mse_loss(model(X), y)  # forward
    loss.backward()  # backward: the gradient of the MSE
    with torch.no_grad():
        model.W.grad += 2 * lam * model.W  # the penalty's gradient; b has none
    update(model.parameters(), lr)
    return loss.detach()


# %% [markdown]
# The data are those of the last page, the 30 points around $\sin(\pi x)$, and the features
# the standardised powers up to $x^{12}$:

# %%
from linreg.pages.generalisation import make_curve, split, standardised_features
from linreg.pages.many_features import LinearModelND
from linreg.plots import CURVE_EXAMPLES, CURVE_NOISE, CURVE_SEED, CURVE_TRAIN, HIGH_DEGREE

X, y = make_curve(CURVE_EXAMPLES, CURVE_NOISE, CURVE_SEED)
(x_train, y_train), (x_valid, y_valid) = split(X, y, CURVE_TRAIN, CURVE_SEED)
X_train, X_valid = standardised_features(x_train, x_valid, HIGH_DEGREE)
train, valid = (X_train, y_train), (X_valid, y_valid)

# %% [markdown]
# Autograd on `penalised_loss` gives the same gradient as the step's sum, so the step is
# gradient descent on $L_\lambda$:

# %%
model = LinearModelND(HIGH_DEGREE)
with torch.no_grad():
    model.W += torch.linspace(-1, 1, HIGH_DEGREE)  # a start where the penalty matters

penalised_loss(model, X_train, y_train, lam=0.1).backward()
by_autograd = model.W.grad.clone()
model.W.grad.zero_()
model.b.grad.zero_()
mse_loss(model(X_train), y_train).backward()
by_hand = model.W.grad + 2 * 0.1 * model.W.detach()
print(f"largest difference: {(by_autograd - by_hand).abs().max():.1e}")

# %% [markdown]
# ## The closed form: ridge regression
#
# Like least squares, the penalised loss has a closed form, called
# [ridge regression](glossary.html#ridge-regression). Put the parameters in one vector
# $\theta = (W, b)$ and the features in $\tilde X = [X, 1]$, the matrix $X$ with a column of
# ones, so that the predictions are $\tilde X \theta$. Let $I'$ be the identity matrix with
# its last diagonal entry, the one for $b$, set to 0. Then
#
# $$L_\lambda(\theta) = \frac1n \lVert \tilde X \theta - y \rVert^2 + \lambda\, \theta^\top I' \theta,
#   \qquad
#   \nabla L_\lambda = \frac2n \tilde X^\top (\tilde X \theta - y) + 2\lambda I' \theta.$$
#
# Setting the gradient to zero and multiplying by $n/2$:
#
# $$(\tilde X^\top \tilde X + n\lambda I')\,\theta = \tilde X^\top y, \qquad
#   \theta = (\tilde X^\top \tilde X + n\lambda I')^{-1} \tilde X^\top y.$$
#
# The $n$ comes from our loss being a *mean*: a loss that sums the squares instead has
# $\lambda$ where we have $n\lambda$. For $\lambda > 0$ the matrix is invertible however alike
# the columns are, and the penalty also improves its condition number: that is where the
# name comes from, a ridge $n\lambda$ added along the diagonal.


# %% tags=["export"]
def ridge(X, y, lam):
    """W (d,) and b minimising the MSE + lam ||W||^2 for X (n, d), y (n,), in float64."""
    X1 = torch.cat([X, torch.ones(len(X), 1)], dim=1).double()  # the columns [X, 1]
    penalty = len(X) * lam * torch.eye(X1.shape[1], dtype=torch.float64)
    penalty[-1, -1] = 0  # I': the bias is not penalised
    theta = torch.linalg.solve(X1.T @ X1 + penalty, X1.T @ y.double())
    return theta[:-1], theta[-1]


# %% [markdown]
# Gradient descent with `weight_decay_step`, run to convergence, reaches the same point.
# At $\lambda = 0.01$ the condition number of the penalised problem is about 780 (without the
# penalty it is $6 \times 10^{10}$), so 8000 steps at the best learning rate,
# $1/(\lambda_{\min} + \lambda_{\max})$, are enough:

# %%
from linreg.pages.many_features import curvature_matrix

lam = 0.01
penalised = curvature_matrix(X_train) + lam * torch.diag(torch.tensor([1.0] * HIGH_DEGREE + [0.0]))
eigenvalues = torch.linalg.eigvalsh(penalised)
print(f"condition number with the penalty: {eigenvalues[-1] / eigenvalues[0]:.0f}")
descent = LinearModelND(HIGH_DEGREE)
for _ in range(8000):
    weight_decay_step(descent, X_train, y_train, 1 / (eigenvalues[0] + eigenvalues[-1]), lam)

W_ridge, b_ridge = ridge(X_train, y_train, lam)
print(f"largest difference from the closed form: {(descent.W - W_ridge).abs().max():.1e}")

# %% [markdown]
# scikit-learn's `Ridge` is an oracle. It minimises
# $\sum_i (x_i^\top W + b - y_i)^2 + \alpha \lVert W \rVert^2$, a sum rather than a mean,
# and leaves the intercept unpenalised, as we do: $n$ times our $L_\lambda$, so the same
# minimum when $\alpha = n\lambda$.

# %%
from sklearn.linear_model import Ridge

oracle = Ridge(alpha=len(X_train) * lam).fit(X_train.double().numpy(), y_train.double().numpy())
print(
    f"largest difference from sklearn: {(W_ridge - torch.from_numpy(oracle.coef_)).abs().max():.1e}"
)

# %% tags=["check"]
# "the same gradient": autograd on penalised_loss against MSE gradient + 2 lam W
torch.testing.assert_close(by_autograd, by_hand, rtol=1e-6, atol=1e-6)
assert model.b.grad is not None  # b has a gradient from the MSE only ...
probe = LinearModelND(HIGH_DEGREE)
(penalised_loss(probe, X_train, y_train, 5.0) - mse_loss(probe(X_train), y_train)).backward()
assert probe.b.grad.item() == 0  # ... the penalty gives it none
# the step's "(1 - 2 lr lam) W - lr dL/dW", against the package's plain step
a, b_ = LinearModelND(HIGH_DEGREE), LinearModelND(HIGH_DEGREE)
for m in (a, b_):
    with torch.no_grad():
        m.W += torch.linspace(-1, 1, HIGH_DEGREE)
W0 = a.W.detach().clone()
weight_decay_step(a, X_train, y_train, 0.1, 0.5)
mse_loss(b_(X_train), y_train).backward()
torch.testing.assert_close(a.W, (1 - 2 * 0.1 * 0.5) * W0 - 0.1 * b_.W.grad, rtol=1e-6, atol=1e-6)
# the closed form's equation holds: the gradient of L_lam is 0 there, in float64
theta = torch.cat([W_ridge, b_ridge[None]])
X1 = torch.cat([X_train, torch.ones(len(X_train), 1)], dim=1).double()
gradient = 2 / len(X1) * X1.T @ (X1 @ theta - y_train.double()) + 2 * lam * torch.cat(
    [W_ridge, torch.zeros(1, dtype=torch.float64)]
)
assert gradient.abs().max() < 1e-12, gradient
# "about 780", "6e10", "8000 steps ... enough": float32 descent within 1e-5 of float64 ridge
kappa = (eigenvalues[-1] / eigenvalues[0]).item()
assert round(kappa, -1) == 780, kappa
plain = torch.linalg.eigvalsh(curvature_matrix(X_train))
assert round((plain[-1] / plain[0]).item(), -10) == 6e10
assert (descent.W.double() - W_ridge).abs().max() < 1e-5
assert abs(descent.b.item() - b_ridge.item()) < 1e-6
# sklearn's Ridge with alpha = n lam: the same W and b, to float64 rounding
assert (W_ridge - torch.from_numpy(oracle.coef_)).abs().max() < 1e-9
assert abs(b_ridge.item() - oracle.intercept_) < 1e-9
for other in (1e-6, 1e-3, 1.0):  # and at other penalties
    W_o, b_o = ridge(X_train, y_train, other)
    sk = Ridge(alpha=20 * other).fit(X_train.double().numpy(), y_train.double().numpy())
    assert (W_o - torch.from_numpy(sk.coef_)).abs().max() < 1e-7 * max(1, W_o.abs().max()), other
    assert abs(b_o.item() - sk.intercept_) < 1e-9
# "a loss that sums the squares has lam where we have n lam": sklearn's objective is n L_lam
w64, b64 = W_ridge, b_ridge
ours = mse_loss(X_train.double() @ w64 + b64, y_train.double()) + lam * (w64**2).sum()
summed = ((X_train.double() @ w64 + b64 - y_train.double()) ** 2).sum() + 20 * lam * (w64**2).sum()
assert abs(summed.item() - 20 * ours.item()) < 1e-12

# %% [markdown]
# ## `torch.optim.SGD` with `weight_decay`
#
# PyTorch's optimizers take a `weight_decay` argument. `torch.optim.SGD` adds
# `weight_decay * p` to the gradient of each parameter `p` before its step, which is the
# gradient of the penalty $\frac{\mathrm{wd}}{2} \lVert p \rVert^2$: so our $\lambda$ is
# `weight_decay / 2`, or `weight_decay = 2 * lam`. And it does so for *every* parameter it
# is given, the bias included. To leave $b$ alone, give the optimizer two parameter groups,
# one with the decay and one without:

# %%
lr, steps = 0.1, 200
ours = LinearModelND(HIGH_DEGREE)
theirs = LinearModelND(HIGH_DEGREE)
optimizer = torch.optim.SGD(
    [
        {"params": [theirs.W], "weight_decay": 2 * lam},  # lam ||W||^2 has gradient 2 lam W
        {"params": [theirs.b], "weight_decay": 0.0},  # the bias: not decayed
    ],
    lr=lr,
)
largest = 0.0
for _ in range(steps):
    weight_decay_step(ours, X_train, y_train, lr, lam)
    optimizer.zero_grad()
    mse_loss(theirs(X_train), y_train).backward()
    optimizer.step()
    largest = max(largest, (ours.W - theirs.W).abs().max().item(), abs(ours.b - theirs.b).item())

print(f"largest difference over {steps} steps: {largest:.1e}")

# %% [markdown]
# The same trajectory, step for step. Passing `model.parameters()` with one
# `weight_decay` instead would also decay $b$, and the run would drift away from ours
# towards a bias nearer 0.

# %% tags=["check"]
assert largest < 1e-6, largest
# decaying b too: a different run, with b pulled towards 0
everything = LinearModelND(HIGH_DEGREE)
sgd_all = torch.optim.SGD(everything.parameters(), lr=lr, weight_decay=2 * lam)
for _ in range(steps):
    sgd_all.zero_grad()
    mse_loss(everything(X_train), y_train).backward()
    sgd_all.step()
assert abs(everything.b.item() - ours.b.item()) > 1e-4
assert abs(everything.b.item()) < abs(ours.b.item())
# "adds weight_decay * p to the gradient": one step from a start off zero, by the formula
start = torch.linspace(-1, 1, HIGH_DEGREE).requires_grad_()
one = torch.optim.SGD([start], lr=0.1, weight_decay=0.3)
before = start.detach().clone()
(start**2).sum().backward()
one.step()
torch.testing.assert_close(start.detach(), before - 0.1 * (2 * before + 0.3 * before))

# %% [markdown]
# ## How the weights shrink
#
# One closed form for each penalty on a grid, and the loss of each fit on both sets:


# %% tags=["export"]
def ridge_path(train, valid, lams):
    """W (len(lams), d) by `ridge` for each lam, and its training and validation MSE."""
    Ws, train_losses, valid_losses = [], [], []
    for lam in lams:
        W, b = ridge(*train, lam)
        Ws.append(W)
        train_losses.append(mse_loss(train[0].double() @ W + b, train[1].double()).item())
        valid_losses.append(mse_loss(valid[0].double() @ W + b, valid[1].double()).item())
    return torch.stack(Ws), train_losses, valid_losses


# %%
from linreg.plots import PENALTIES, plot_coefficients

Ws, train_losses, valid_losses = ridge_path(train, valid, PENALTIES)
plot_coefficients(PENALTIES, Ws)

# %% [markdown]
# At $\lambda = 10^{-8}$ the fit is close to least squares (a training loss of 0.063,
# against 0.061), with weights between $-106$ and 197 that cancel each other almost
# everywhere. As $\lambda$ grows the weights shrink as a whole: their length $\lVert W \rVert$
# falls at every step of the grid, from 289 to 0.05 at $\lambda = 10$. A single weight can
# grow for a while, though: $W_1$ rises from 1.18 to 1.86 at $\lambda = 3.2 \times 10^{-6}$
# before it falls, to 0.04, and each of the 12 weights grows in size somewhere along the
# grid. At $\lambda = 10$ the fit is nearly flat: on the training points its predictions
# stay within 0.18 of $b$, while the training targets spread with a standard deviation of
# 0.70. The bias is the same at every penalty, the mean of the training targets, $-0.047$:
# the standardised columns have mean 0 on the training data, so $b$ only has to match the
# targets' mean, and nothing pulls it elsewhere.
#
# ## Choosing the penalty on validation data
#
# $\lambda$ is not learned by the step: it is a setting chosen from outside, like the
# degree, and chosen the same way, on the validation data:

# %%
from linreg.plots import plot_validation

plot_validation(
    PENALTIES,
    train_losses,
    valid_losses,
    xlabel="penalty λ",
    title="Loss against the penalty",
    log_x=True,
)

# %%
best = min(range(len(PENALTIES)), key=valid_losses.__getitem__)
lam_best = PENALTIES[best]
print(f"lowest validation loss {valid_losses[best]:.4f} at lambda = {lam_best:.3g}")

# %% [markdown]
# The training loss rises with $\lambda$ at every step, from 0.063: the penalty only ever
# costs fit on the training data. The validation loss falls from 481 to its lowest, 0.068,
# at $\lambda = 1.8 \times 10^{-5}$, as good as the cubic of the last page (0.073) and
# better than early stopping (0.105), and rises beyond, towards the 0.52 of a near-constant
# fit. The curve has a second, broader valley, 0.116 near $\lambda = 6 \times 10^{-3}$;
# with ten validation points, which of the two is lower is partly luck, and a narrow dip is
# the more fragile choice. Like the degree, a penalty chosen on the validation data makes
# its validation loss an optimistic estimate: [test data](glossary.html#test-data) would
# give an honest one.

# %% tags=["check"]
import itertools

assert len(PENALTIES) == 37 and PENALTIES[0] == 1e-8 and PENALTIES[-1] == 10.0
assert PENALTIES[24] == 0.01  # the lam = 0.01 above is on the grid
norms = Ws.norm(dim=1)
# "their length falls at every step of the grid, from 289 to 0.05"
assert all(a > b for a, b in itertools.pairwise(norms.tolist()))
assert (round(norms[0].item()), round(norms[-1].item(), 2)) == (289, 0.05)
# "W_1 rises from 1.18 to 1.86 at lambda = 3.2e-6 before it falls, to 0.04"
W1 = Ws[:, 0].tolist()
top = max(range(len(W1)), key=W1.__getitem__)
assert (round(W1[0], 2), round(W1[top], 2), f"{PENALTIES[top]:.2g}") == (1.18, 1.86, "3.2e-06")
assert all(a < b for a, b in itertools.pairwise(W1[: top + 1]))
assert all(a > b for a, b in itertools.pairwise(W1[top:])) and round(W1[-1], 2) == 0.04
# "each of the 12 weights grows in size somewhere along the grid"
sizes = Ws.abs()
assert Ws.shape[1] == 12 and all((sizes[1:, k] > sizes[:-1, k]).any() for k in range(12))
assert (round(Ws[0].min().item()), round(Ws[0].max().item())) == (-106, 197)
# "close to least squares (a training loss of 0.063, against 0.061)"
from linreg.pages.generalisation import fit_least_squares

W_ls, b_ls = fit_least_squares(X_train, y_train)
# "the least-squares polynomial of degree 12 needs weights in the thousands, from -2265 to
# 1323": X_train holds the standardised powers up to x^12
assert HIGH_DEGREE == 12 == X_train.shape[1]
assert (round(W_ls.min().item()), round(W_ls.max().item())) == (-2265, 1323)
assert W_ls.abs().max() > 1000
ls_loss = mse_loss(X_train.double() @ W_ls + b_ls, y_train.double()).item()
assert (round(train_losses[0], 3), round(ls_loss, 3)) == (0.063, 0.061)
# "nearly flat: on the training points its predictions stay within 0.18 of b ... a standard
# deviation of 0.70" (on the validation points they reach 0.21 from b)
W10, b10 = ridge(X_train, y_train, 10.0)
assert round((X_train.double() @ W10).abs().max().item(), 2) == 0.18
assert round((X_valid.double() @ W10).abs().max().item(), 2) == 0.21
assert round(y_train.std(correction=0).item(), 2) == 0.70
# "The bias is the same at every penalty, the mean of the training targets, -0.047"
for lam_ in PENALTIES:
    assert abs(ridge(X_train, y_train, lam_)[1].item() - y_train.double().mean().item()) < 1e-5
assert round(y_train.mean().item(), 3) == -0.047
assert X_train.mean(dim=0).abs().max() < 1e-6  # "the columns have mean 0 on the training data"
# the training loss rises at every step; the validation loss from 481 to 0.068 at 1.8e-5
assert all(a < b for a, b in itertools.pairwise(train_losses))
assert round(train_losses[0], 3) == 0.063
assert round(valid_losses[0]) == 481 and round(valid_losses[best], 3) == 0.068
assert f"{lam_best:.2g}" == "1.8e-05" and best == 13
assert all(a > b for a, b in itertools.pairwise(valid_losses[: best + 1]))
assert round(valid_losses[-1], 2) == 0.52
# "as good as the cubic (0.073) and better than early stopping (0.105)"
assert valid_losses[best] < 0.073 < 0.105
# "a second, broader valley, 0.116 near 6e-3"
second = min(range(best + 5, len(PENALTIES)), key=valid_losses.__getitem__)
assert round(valid_losses[second], 3) == 0.116 and round(PENALTIES[second], 3) == 0.006
assert max(valid_losses[best:second]) > 0.3  # a hill between the two valleys
# the figures draw these numbers
fig = plot_validation(
    PENALTIES, train_losses, valid_losses, xlabel="penalty λ", title="", log_x=True
)
assert "lowest, 0.0678, at penalty λ 1.78e-05" in fig.alt

# %% [markdown]
# ## Summary
#
# - Weight decay adds $\lambda \lVert W \rVert^2$ to the loss, not penalising $b$; the
#   step shrinks $W$ by $1 - 2\eta\lambda$ before the usual update.
# - Its closed form is ridge regression,
#   $(\tilde X^\top \tilde X + n\lambda I')^{-1} \tilde X^\top y$ for a mean-squared loss;
#   it matches gradient descent run to convergence and scikit-learn's `Ridge` with
#   $\alpha = n\lambda$.
# - `torch.optim.SGD(weight_decay=wd)` is the same step with $\mathrm{wd} = 2\lambda$,
#   applied to every parameter in its group: put $b$ in a group without it.
# - As $\lambda$ grows the weights shrink as a whole, their length falling towards 0,
#   though a single weight can grow for a while; the penalty is chosen on the validation
#   data, here $\lambda = 1.8 \times 10^{-5}$.
#
# ## Exercises
#
# **1. A derivation.** Suppose you decay $b$ too, with the same $\lambda$ (the identity in
# place of $I'$). On these standardised features, what does the closed form give for $b$?
# Derive it from the last row of the equations, then solve them.

# %% [markdown] tags=["solution"]
# The last row of $(\tilde X^\top \tilde X + n\lambda I)\theta = \tilde X^\top y$ reads
# $\sum_i x_i^\top W + n b + n\lambda b = \sum_i y_i$. The columns have mean 0 on the
# training data, so the first sum is 0, and $b = \bar y / (1 + \lambda)$: the bias is
# pulled from the mean of the targets towards 0, by a factor that does not depend on the
# data. At $\lambda = 1$ it is half the mean.

# %% tags=["solution"]
X1 = torch.cat([X_train, torch.ones(len(X_train), 1)], dim=1).double()
n = len(X_train)
theta = torch.linalg.solve(
    X1.T @ X1 + n * 1.0 * torch.eye(X1.shape[1], dtype=torch.float64), X1.T @ y_train.double()
)
answer = theta[-1].item()
print(f"b with b decayed, lambda = 1: {answer:.5f}; the mean of the targets: {y_train.mean():.5f}")

# %% tags=["check"]
assert abs(answer - y_train.double().mean().item() / 2) < 1e-6
assert abs(answer - ridge(X_train, y_train, 1.0)[1].item()) > 0.01

# %% [markdown]
# **2. Predict, then run.** Keep $\lambda$ at the value chosen above and fit the degrees 3,
# 6, 9 and 12 by ridge. Does the validation loss still climb into the thousands with the
# degree, as least squares did on the last page?

# %% [markdown] tags=["solution"]
# No. The penalty keeps the weights from growing to cancel one another, so no degree
# swings far: the validation loss stays below 0.3 at every degree (0.073, 0.179, 0.278 and
# 0.068), where least squares reached 159 at degree 9 and 3017 at degree 12. It is not
# monotone in the degree either: a penalty chosen for degree 12 is not the best for the
# others.

# %% tags=["solution"]
answer = []
for degree in (3, 6, 9, 12):
    F_train, F_valid = standardised_features(x_train, x_valid, degree)
    W, b = ridge(F_train, y_train, lam_best)
    answer.append(mse_loss(F_valid.double() @ W + b, y_valid.double()).item())

print([f"{loss:.3f}" for loss in answer])

# %% tags=["check"]
assert max(answer) < 0.3 and [round(a, 3) for a in answer] == [0.073, 0.179, 0.278, 0.068]
from linreg.pages.generalisation import losses_by_degree

_, least = losses_by_degree((x_train, y_train), (x_valid, y_valid), (9, 12))
assert (round(least[0]), round(least[1])) == (159, 3017)
