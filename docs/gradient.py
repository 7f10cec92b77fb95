# %% [markdown]
# # The gradient step
#
# Gradient descent improves the parameters by stepping against the gradient of the loss,
# the direction in which the loss rises fastest:
#
# $$W \leftarrow W - \eta \frac{\partial L}{\partial W}, \qquad
#   b \leftarrow b - \eta \frac{\partial L}{\partial b},$$
#
# where $\eta$ is the learning rate (`lr` in code). PyTorch computes the two derivatives for
# us; everything else we write by hand.
#
# ## What `backward()` fills in
#
# Calling `backward()` on the loss walks back through the operations that produced it and
# stores $\partial L / \partial W$ in `W.grad` and $\partial L / \partial b$ in `b.grad`:

# %%
import linreg

data = linreg.make_data()
model = linreg.LinearModel.like(data.X)
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
# They agree with autograd to within a few units in the last place (ulps) of float32, the
# spacing between neighbouring float32 numbers at that size. The differences, in ulps:

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
# with its defaults (no momentum, no weight decay), makes the same update in
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
torch.testing.assert_close(model.W.grad, torch.zeros(()))  # the step left clean grads
fresh = linreg.LinearModel(dtype=torch.float64)
X64, y64 = data.X.double(), data.y.double()
linreg.mse_loss(fresh(X64), y64).backward()
dW64, db64 = linreg.manual_gradient(16.0, 10.0, X64, y64)
torch.testing.assert_close(fresh.W.grad, dW64, rtol=1e-12, atol=1e-12)
torch.testing.assert_close(fresh.b.grad, db64, rtol=1e-12, atol=1e-12)
assert abs(ratio.item() - 2.0) < 1e-6  # "the stored gradient doubles"
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
# - `backward()` fills `W.grad` and `b.grad` with $\partial L/\partial W = \frac2n \sum_i r_i
#   x_i$ and $\partial L/\partial b = \frac2n \sum_i r_i$, the same numbers as the formulas
#   computed by hand.
# - The step moves each parameter against its gradient, under `torch.no_grad()`, and then
#   clears `.grad`, because `backward()` adds to it.
#
# ## Exercises
#
# **1. Predict, then run.** At the start, $W = 16$ is far above the best slope, about 3. Is
# $\partial L/\partial W$ positive or negative? Check with `linreg.manual_gradient`.

# %% [markdown] tags=["solution"]
# Positive: the loss rises as $W$ grows past the best slope, so the step $W - \eta \cdot
# \partial L/\partial W$ lowers $W$. Here it is about 26.2.

# %% tags=["solution"]
start = linreg.LinearModel.like(data.X)
dW, db = linreg.manual_gradient(start.W.detach(), start.b.detach(), data.X, data.y)
answer = dW.item()
print(f"dL/dW at the start: {answer:.4f}")

# %% tags=["check"]
assert answer > 0 and round(answer, 1) == 26.2
probe = linreg.LinearModel.like(data.X)
linreg.mse_loss(probe(data.X), data.y).backward()
assert abs(probe.W.grad.item() - answer) < 1e-3  # autograd agrees

# %% [markdown]
# **2. Forget to zero.** Call `backward()` twice on two fresh losses of the same model
# without clearing `.grad` in between. What is in `W.grad`?

# %% [markdown] tags=["solution"]
# Twice the gradient: `backward()` adds to whatever `.grad` holds. A loop that never clears
# it steps with the sum of every gradient so far.

# %% tags=["solution"]
twice = linreg.LinearModel.like(data.X)
for _ in range(2):
    mse_loss(twice(data.X), data.y).backward()

answer = twice.W.grad.item() / dW.item()
print(f"W.grad is {answer:.4f} times the gradient")

# %% tags=["check"]
assert abs(answer - 2) < 1e-5
