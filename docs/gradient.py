# %% [markdown]
# # The gradient step
#
# Gradient descent improves the parameters by stepping against the gradient of the loss,
# the vector $\nabla L = (\partial L/\partial W, \partial L/\partial b)$ of its two
# [partial derivatives](glossary.html#partial-derivative):
#
# $$W \leftarrow W - \eta \frac{\partial L}{\partial W}, \qquad
#   b \leftarrow b - \eta \frac{\partial L}{\partial b},$$
#
# where $\eta$ is the learning rate (`lr` in code). PyTorch computes the two derivatives for
# us; everything else we write by hand.
#
# ## One slope at a time
#
# Hold $b$ at its starting value 10 and let only $W$ vary. The loss as a function of $W$
# alone is a slice through the bowl, a parabola, and $\partial L/\partial W$ at the model's
# $W = 16$ is the slope of its [tangent](glossary.html#tangent) there:

# %%
import linreg
from linreg.plots import plot_loss_slice

data = linreg.make_data()
model = linreg.LinearModel.like(data.X)
plot_loss_slice(data.X, data.y, model, lr=0.1)

# %% [markdown]
# The slope is 26.2, positive: the loss rises as $W$ grows. So the step
# $-\eta\, \partial L/\partial W$, here with $\eta = 0.1$, moves $W$ down, from 16 to 13.38,
# towards the slice's lowest point, at $W = 2.98$. Near $W = 16$ the tangent hugs the curve: a
# small change $h$ in $W$ changes the loss by about $h\, \partial L/\partial W$.
#
# The slope along $b$ works the same way. Moving both parameters by $h$ times a direction
# $u$ of length 1 changes the loss by about $h\, (u \cdot \nabla L)$. Since
# $u \cdot \nabla L \le \lVert \nabla L \rVert$, with equality only when $u$ points along
# $\nabla L$, the gradient is the direction in which the loss rises fastest, and
# $-\nabla L$ the one in which it falls fastest.
#
# ## What `backward()` fills in
#
# Calling `backward()` on the loss walks back through the operations that produced it and
# stores $\partial L / \partial W$ in `W.grad` and $\partial L / \partial b$ in `b.grad`:

# %%
loss = linreg.mse_loss(model(data.X), data.y)
loss.backward()
model.W.grad, model.b.grad

# %% [markdown]
# ## The same gradient by hand
#
# Differentiating $L = \frac1n \sum_i r_i^2$ with $r_i = W x_i + b - y_i$, and using
# $\partial r_i / \partial W = x_i$ and $\partial r_i / \partial b = 1$:
#
# $$\frac{\partial L}{\partial W} = \frac{2}{n} \sum_{i=1}^{n} r_i x_i, \qquad
#   \frac{\partial L}{\partial b} = \frac{2}{n} \sum_{i=1}^{n} r_i.$$
#
# `linreg.manual_gradient` computes exactly these two means:

# %%
dW, db = linreg.manual_gradient(model.W.detach(), model.b.detach(), data.X, data.y)
dW, db

# %% [markdown]
# They agree with autograd to within a few units in the last place
# ([ulps](glossary.html#ulp)) of float32, the spacing between neighbouring float32 numbers
# at that size. The differences, in ulps:

# %%
import numpy as np

ulps = [
    abs(by_autograd.item() - by_hand.item()) / np.spacing(np.float32(by_hand.item()))
    for by_autograd, by_hand in [(model.W.grad, dW), (model.b.grad, db)]
]
ulps

# %% [markdown]
# ## Why the update runs under `torch.no_grad()`
#
# `W` is a leaf that requires grad. Changing it in place while autograd is recording would
# make the update itself part of the graph, and PyTorch refuses:

# %%
try:
    model.W -= 0.1 * model.W.grad
except RuntimeError as error:
    refusal = str(error)
    print(refusal)

# %% [markdown]
# (The message still says "Variable", PyTorch's old name for a tensor that autograd tracks;
# here it means our tensor `W`.)
#
# Inside `with torch.no_grad():` nothing is recorded, so the update is a plain change of the
# numbers, and `W` stays a leaf that requires grad for the next step.
#
# ## Why the gradients are zeroed
#
# `backward()` *adds* to `.grad` rather than replacing it. Without zeroing, the next step
# would use the sum of this gradient and the previous one. Calling `backward()` a second time
# on a fresh loss shows it: the stored gradient doubles.

# %%
before = model.W.grad.clone()
linreg.mse_loss(model(data.X), data.y).backward()
ratio = model.W.grad / before
ratio

# %% [markdown]
# So after each update we set the gradients back to zero.
#
# ## The step
#
# The update moves each parameter against its gradient, under `no_grad`, and then clears
# the gradient. Every step the later pages write by hand ends with this function:

# %% tags=["export"]
import torch

from linreg.pages.loss import mse_loss


def update(parameters, lr):
    """Move each parameter against its gradient, then clear the gradient for the next step."""
    with torch.no_grad():  # the update is not part of the graph
        for param in parameters:
            param -= lr * param.grad
            param.grad.zero_()  # backward() adds to .grad: clear it


# %% [markdown]
# Put together, one step of gradient descent is the forward pass, `backward()` and the
# update. The loss it returns was computed before the update, so the one forward pass serves
# both for the log and for the gradient:


# %% tags=["export"]
def gradient_step(model, X, y, lr):
    """One step of gradient descent on the MSE, in place; returns the loss before the step."""
    loss = mse_loss(model(X), y)  # forward
    loss.backward()  # backward: W.grad and b.grad now hold dL/dW and dL/db
    update(model.parameters(), lr)
    return loss.detach()


# %% [markdown]
# That is all of it. The package's `linreg.gradient_step` is this function behind a check
# of its arguments (the model, finite data of the model's dtype, a positive `lr`).
#
# The update and the zeroing are what a PyTorch optimizer does for you:
# `torch.optim.SGD(model.parameters(), lr=0.1)`, the stochastic gradient descent optimizer
# with its defaults (no [momentum](glossary.html#momentum), no
# [weight decay](glossary.html#weight-decay)), makes the
# same update in
# `optimizer.step()` and clears the gradients in `optimizer.zero_grad()`.
# %% [markdown]
# One step from the starting point, with the learning rate of the next page, already moves
# the line a long way:

# %%
model = linreg.LinearModel.like(data.X)
loss_before = gradient_step(model, data.X, data.y, lr=0.1)
loss_after = mse_loss(model(data.X), data.y)
print(f"loss {loss_before.item():.2f} -> {loss_after.item():.2f}, now {model}")
print(f"W.grad after the step: {model.W.grad.item()}")  # zeroed, ready for the next

# %% tags=["check"]
import math

torch.testing.assert_close(model.W.grad, torch.zeros(()))  # the step left clean grads
fresh = linreg.LinearModel(dtype=torch.float64)
X64, y64 = data.X.double(), data.y.double()
linreg.mse_loss(fresh(X64), y64).backward()
dW64, db64 = linreg.manual_gradient(16.0, 10.0, X64, y64)
torch.testing.assert_close(fresh.W.grad, dW64, rtol=1e-12, atol=1e-12)
torch.testing.assert_close(fresh.b.grad, db64, rtol=1e-12, atol=1e-12)
assert abs(ratio.item() - 2.0) < 1e-6  # "the stored gradient doubles"
# "The slope is 26.2, positive ... moves W down, from 16 to 13.38"
slope = dW64.item()
assert slope > 0 and round(slope, 1) == 26.2
assert round(16 - 0.1 * slope, 2) == 13.38
stepped = linreg.LinearModel.like(data.X)
linreg.gradient_step(stepped, data.X, data.y, lr=0.1)
assert round(stepped.W.item(), 2) == 13.38  # the float32 step itself


def losses_at(W, b=10.0):  # the loss of the line W x + b, for tensors of W and b
    W, b = torch.as_tensor(W, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return ((W[..., None] * X64 + b[..., None] - y64) ** 2).mean(dim=-1)


# "the slice's lowest point at 2.98": the smallest loss on a grid, not from a formula
coarse = torch.linspace(0, 16, 1601, dtype=torch.float64)  # steps of 0.01
lowest = coarse[losses_at(coarse).argmin()]
fine = torch.linspace(lowest - 0.01, lowest + 0.01, 2001, dtype=torch.float64)  # of 1e-5
lowest = fine[losses_at(fine).argmin()]
assert round(lowest.item(), 2) == 2.98, lowest
# "a small change h in W changes the loss by about h dL/dW": within 1% for |h| up to 0.1
for h in [0.1, -0.1, 0.01, -0.001]:
    change = (losses_at(16 + h) - losses_at(16.0)).item()
    assert abs(change - h * slope) < 0.01 * abs(h * slope), (h, change)
# "the gradient is the direction in which the loss rises fastest": the slope along each of
# 3600 unit directions u, by central differences in float64, is largest along the gradient,
# and there equals its length (and -|gradient| along -gradient)
gradient = torch.stack([dW64, db64])
angles = torch.arange(3600, dtype=torch.float64) * (2 * math.pi / 3600)
u = torch.stack([angles.cos(), angles.sin()], dim=1)
h = 1e-6
slopes = (
    losses_at(16 + h * u[:, 0], 10 + h * u[:, 1]) - losses_at(16 - h * u[:, 0], 10 - h * u[:, 1])
) / (2 * h)
steepest = u[slopes.argmax()]
assert torch.dot(steepest, gradient / gradient.norm()) > math.cos(2 * math.pi / 3600), steepest
assert abs(slopes.max().item() - gradient.norm().item()) < 1e-4 * gradient.norm().item()
assert abs(slopes.min().item() + gradient.norm().item()) < 1e-4 * gradient.norm().item()
assert max(ulps) <= 4  # "within a few units in the last place"
assert "in-place operation" in refusal  # "PyTorch refuses"
assert "leaf Variable" in refusal  # "The message still says Variable"
assert loss_after < 0.7 * loss_before  # "already moves the line a long way"
# the package's step is this page's: the same numbers from the same start
packaged = linreg.LinearModel.like(data.X)
assert linreg.gradient_step(packaged, data.X, data.y, lr=0.1).item() == loss_before.item()
assert (packaged.W.item(), packaged.b.item()) == (model.W.item(), model.b.item())
# "torch.optim.SGD ... makes the same update"
by_hand, by_sgd = linreg.LinearModel.like(data.X), linreg.LinearModel.like(data.X)
gradient_step(by_hand, data.X, data.y, lr=0.1)
optimizer = torch.optim.SGD(by_sgd.parameters(), lr=0.1)
linreg.mse_loss(by_sgd(data.X), data.y).backward()
optimizer.step()
optimizer.zero_grad()
assert (by_sgd.W.item(), by_sgd.b.item()) == (by_hand.W.item(), by_hand.b.item())
assert by_sgd.W.grad is None  # zero_grad sets them to None by default
try:  # "checks its arguments first"
    linreg.gradient_step(model, data.X, data.y, lr=-1.0)
    raise AssertionError("a negative lr was accepted")
except linreg.ArgumentError as refusal:
    assert refusal.argument == "lr"

# %% [markdown]
# ## Summary
#
# - Each partial derivative is the slope of the loss along one parameter, the slope of the
#   tangent to a slice through the bowl; together they point where the loss rises fastest.
# - `backward()` fills `W.grad` and `b.grad` with $\partial L/\partial W = \frac2n \sum_i r_i
#   x_i$ and $\partial L/\partial b = \frac2n \sum_i r_i$, the same numbers as the formulas
#   computed by hand.
# - The step moves each parameter against its gradient, under `torch.no_grad()`, and then
#   clears `.grad`, because `backward()` adds to it.
#
# ## Exercises
#
# **1. Predict, then run.** At the start, $b = 10$ is far above the true intercept 0.5.
# Is $\partial L/\partial b$ positive or negative there, and roughly how large? Derive it
# from $\frac2n \sum_i r_i$ with the residual of the starting line, then check with
# `linreg.manual_gradient`.

# %% [markdown] tags=["solution"]
# The starting line's residual is $r_i = 13 x_i + 9.5 - \varepsilon_i$, so
# $\frac2n \sum_i r_i = 26\, \bar x + 19 - 2 \bar\varepsilon$. The means $\bar x$ and
# $\bar\varepsilon$ are near 0, so the derivative is near 19 and positive: the step lowers
# $b$. Here it is 19.19.

# %% tags=["solution"]
start = linreg.LinearModel.like(data.X)
dW, db = linreg.manual_gradient(start.W.detach(), start.b.detach(), data.X, data.y)
answer = db.item()
print(f"dL/db at the start: {answer:.4f}")

# %% tags=["check"]
assert answer > 0 and round(answer, 2) == 19.19
eps = data.y - (3 * data.X + 0.5)
assert abs(answer - (26 * data.X.mean() + 19 - 2 * eps.mean()).item()) < 1e-4  # the derivation
assert abs(answer - 19) < 0.5  # "near 19"
assert abs(data.X.mean().item()) < 0.05 and abs(eps.mean().item()) < 0.05  # "near 0"
probe = linreg.LinearModel.like(data.X)
linreg.mse_loss(probe(data.X), data.y).backward()
assert abs(probe.b.grad.item() - answer) < 1e-3  # autograd agrees

# %% [markdown]
# **2. Predict, then run.** With $b$ held at 10, $W$ goes from 16 to 15.9. Predict the
# change in the loss from the tangent's slope alone, then compute the two losses. Does the
# tangent overstate or understate the fall, and by how much? (Hint: $L$ is a parabola in
# $W$; expand $L(W + h)$.)

# %% [markdown] tags=["solution"]
# The tangent predicts a change of $h\, \partial L/\partial W = -0.1 \times 26.19 =
# -2.619$. The loss is exactly quadratic in $W$: each residual changes by $h x_i$, so
# $L(W + h) = L(W) + h\, \partial L/\partial W + h^2\, \overline{x^2}$, where
# $\overline{x^2}$ is the mean of the squares $x_i^2$ (not the square of the mean
# $\bar x$), here 1.006. The tangent promises a drop of 2.619; the loss actually falls by
# 2.609, $h^2\, \overline{x^2} = 0.01 \times 1.006 \approx 0.01$ less: the prediction
# overstates the fall. The parabola curves up, away from its tangent, whichever way $W$
# moves.

# %% tags=["solution"]
X64, y64 = data.X.double(), data.y.double()
change = mse_loss(15.9 * X64 + 10.0, y64) - mse_loss(16.0 * X64 + 10.0, y64)
predicted = -0.1 * linreg.manual_gradient(16.0, 10.0, X64, y64)[0]
answer = change.item()
print(f"predicted {predicted.item():.4f}, actual {answer:.4f}")

# %% tags=["check"]
assert round(predicted.item(), 3) == -2.619 and round(answer, 3) == -2.609
assert answer > predicted.item()  # the loss falls by less than the tangent says
mean_x2 = (X64**2).mean().item()
assert abs(answer - (predicted.item() + 0.01 * mean_x2)) < 1e-9  # the expansion, exactly
assert round(mean_x2, 3) == 1.006 and round(0.01 * mean_x2, 2) == 0.01  # "1.006", "~0.01"
assert abs(data.X.double().mean().item() ** 2 - mean_x2) > 1  # "not the square of the mean"
# "promises a drop of 2.619; the loss actually falls by 2.609, 0.01 less: overstates the fall"
assert round(-predicted.item(), 3) == 2.619 and round(-answer, 3) == 2.609
assert round(-predicted.item() - -answer, 2) == 0.01 and -predicted.item() > -answer > 0
dL_dW = linreg.manual_gradient(16.0, 10.0, X64, y64)[0].item()
for h in [0.1, -0.3, 2.0]:  # "whichever way W moves": the loss lies above its tangent
    gap = mse_loss((16 + h) * X64 + 10, y64) - mse_loss(16 * X64 + 10, y64) - h * dL_dW
    assert abs(gap.item() - h**2 * mean_x2) < 1e-9 and gap > 0, h
