# %% [markdown]
# # The model
#
# The model is a line with two parameters, a slope $W$ and an intercept $b$:
#
# $$\hat y = W x + b.$$
#
# In PyTorch each parameter is a tensor created with `requires_grad=True`. That flag asks
# [autograd](glossary.html#autograd) to record every operation that uses the tensor, so that `backward()` can later
# compute how the loss changes with it. The model is a small class that holds the two
# tensors; calling it computes the line, and `parameters()` lists what gradient descent will
# update:

# %% tags=["export"]
import torch


class LinearModel:
    """The line y_hat = W x + b; W and b are 0-d tensors that require grad."""

    def __init__(self, W, b, dtype=torch.float32, device="cpu"):
        self.W = torch.tensor(W, dtype=dtype, device=device, requires_grad=True)
        self.b = torch.tensor(b, dtype=dtype, device=device, requires_grad=True)

    def __call__(self, X):
        return self.W * X + self.b

    def parameters(self):
        return [self.W, self.b]


# %% [markdown]
# Like the notebook this tutorial grew from, we start far from the answer, at $W = 16$ and
# $b = 10$, in float32, the [dtype](glossary.html#dtype) of the data:

# %%
import linreg

data = linreg.make_data()
model = LinearModel(16.0, 10.0, dtype=data.X.dtype)
model.W, model.b

# %% [markdown]
# Both are *leaf* tensors: created by us rather than computed from other tensors, so they
# are where gradients accumulate.

# %%
model.W.is_leaf, model.W.requires_grad, model.W.grad

# %% [markdown]
# > **What about `Variable`?** Older tutorials wrap tensors in
# > `torch.autograd.Variable(tensor, requires_grad=True)`. `Variable` has been deprecated
# > since PyTorch 0.4, where it was merged into `Tensor`: it now simply returns a tensor.
# > Create the tensor with `requires_grad=True` instead.
#
# Calling the model computes $W x + b$ for every example at once, through [broadcasting](glossary.html#broadcasting) of the
# two scalars against the vector `X`:

# %%
y_hat = model(data.X)
y_hat.shape, y_hat[:3]

# %% [markdown]
# The `grad_fn=<SliceBackward0>` in the output belongs to `y_hat[:3]`, the first three
# predictions, not to `y_hat`: taking a slice is itself an operation, and autograd records
# it like any other.
#
# Before any training, the predictions lie on the line $16x + 10$, far steeper than the
# data's line $3x + 0.5$. The two cross at $x = -9.5/13 \approx -0.73$: to the right of it,
# where most of the points are, the predictions are far above the data, and to the left
# they fall below it:

# %%
from linreg.plots import plot_predictions

plot_predictions(data.X, data.y, model, title="Before training")

# %% [markdown]
# ## The same class in the package
#
# The later pages import the model from the package rather than write it again:
# `linreg.pages.model` is written from the cell above (the `linreg` package takes each
# page's algorithm from the page itself). The package's `linreg.LinearModel` is that class
# with three additions that live outside the lesson: it starts at $W = 16$, $b = 10$ unless
# told otherwise; `linreg.LinearModel.like(X)` gives the parameters the dtype and device
# of the data `X`, so the same code runs in float64 or on a GPU; and it refuses values
# that cannot train, with a message that names the argument:

# %%
print(linreg.LinearModel.like(data.X))
try:
    linreg.LinearModel(W=float("nan"))
except linreg.ArgumentError as error:
    print(error)

# %% tags=["check"]
import torch

from linreg.pages import model as package_model

assert (model.W.item(), model.b.item()) == (16.0, 10.0)
assert (linreg.DEFAULTS.W0, linreg.DEFAULTS.b0) == (16.0, 10.0)  # "unless told otherwise"
packaged = linreg.LinearModel.like(data.X)
assert isinstance(packaged, package_model.LinearModel)  # "that class, with additions"
assert (packaged.W.item(), packaged.b.item()) == (16.0, 10.0)
assert torch.equal(packaged(data.X), model(data.X))  # the page's class and the package's agree
assert linreg.LinearModel.like(data.X.double()).W.dtype == torch.float64  # "in float64"
for bad in [{"W": float("nan")}, {"b": "ten"}]:  # "refuses values that cannot train"
    try:
        linreg.LinearModel(**bad)
        raise AssertionError(f"LinearModel accepted {bad}")
    except linreg.ArgumentError as refusal:
        assert refusal.argument in bad
wrapped = torch.autograd.Variable(torch.tensor(16.0), requires_grad=True)
assert type(wrapped) is torch.Tensor  # "it now simply returns a tensor"
assert y_hat.grad_fn is not None and y_hat.shape == data.X.shape
# "grad_fn=<SliceBackward0> belongs to y_hat[:3] ... the slice is recorded like any other"
first_three = y_hat[:3]
assert type(first_three.grad_fn).__name__ == "SliceBackward0"
assert "grad_fn=<SliceBackward0>" in repr(first_three)
assert first_three.grad_fn.next_functions[0][0] is y_hat.grad_fn  # recorded after y_hat's
assert type(y_hat.grad_fn).__name__ != "SliceBackward0"
assert data.X.dtype == torch.float32  # "in float32, the dtype of the data"
crossing = -9.5 / 13  # 16x + 10 = 3x + 0.5
assert round(crossing, 2) == -0.73
right = data.X > crossing  # "to the right of it, where most of the points are"
assert right.float().mean() > 0.7
assert bool(
    ((y_hat > data.y) == right).float().mean() > 0.9
)  # above on the right, below on the left
assert bool((y_hat[data.X < -1.5] < data.y[data.X < -1.5]).all())  # well left: all below
for bad in [{"W": 1e39}, {"device": "no-such-device"}]:
    try:
        linreg.LinearModel(**bad)
        raise AssertionError(f"LinearModel accepted {bad}")
    except linreg.ArgumentError as refusal:
        assert refusal.argument in bad

# %% [markdown]
# ## Summary
#
# - The model is two numbers, $W$ and $b$, held as 0-d tensors that require a gradient, and
#   a forward pass $\hat y = W x + b$ applied to every example at once.
# - The package's `linreg.LinearModel.like(X)` starts at $W = 16$, $b = 10$, far from the
#   data, in X's dtype.
#
# ## Exercises
#
# **1. Predict, then run.** `W` and `b` are leaves that require a gradient. What about the
# predictions `y_hat = model(data.X)`: do they require a gradient, and are they a leaf?
# Decide from how `y_hat` was made, then check `y_hat.requires_grad` and `y_hat.is_leaf`.

# %% [markdown] tags=["solution"]
# `y_hat` requires a gradient, because it was computed from `W` and `b`, which do: autograd
# recorded the operations that made it, and `y_hat.grad_fn` names the last of them, the
# addition of `b`. For the same reason it is not a leaf: a leaf is created directly, not
# computed from tensors that require a gradient. `backward()` will pass through `y_hat` to
# reach the leaves, `W` and `b`.

# %% tags=["solution"]
y_hat = model(data.X)
answer = (y_hat.requires_grad, y_hat.is_leaf)
print(answer, type(y_hat.grad_fn).__name__)

# %% tags=["check"]
assert answer == (True, False)
assert type(y_hat.grad_fn).__name__ == "AddBackward0"  # "the addition of b"
assert y_hat.grad_fn.next_functions[1][0].variable is model.b
fresh = LinearModel(16.0, 10.0)  # "backward() will pass through y_hat to reach W and b"
fresh(data.X).sum().backward()
assert torch.allclose(fresh.W.grad, data.X.sum()) and fresh.b.grad.item() == len(data.X)

# %% [markdown]
# **2. Shapes.** What are the shapes of `model.W` and of `model(data.X)`, and why does the
# second not depend on the first?

# %% [markdown] tags=["solution"]
# `model.W` is a 0-d tensor, shape `()`; `model(data.X)` has shape `(1000,)`, one prediction
# per example. Broadcasting multiplies the single number $W$ into every element of
# `data.X`, whatever its length.

# %% tags=["solution"]
answer = (tuple(model.W.shape), tuple(model(data.X).shape))
print(answer)

# %% tags=["check"]
assert answer == ((), (1000,))
assert tuple(model(data.X[:7]).shape) == (7,)  # "whatever its length"
