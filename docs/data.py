# %% [markdown]
# # The data
#
# We make our own data, so that we know the answer. Each example is a number $x$ drawn from a
# standard normal distribution, and its target is a point on the line $y = 3x + 0.5$ plus
# Gaussian noise:
#
# $$y_i = 3 x_i + 0.5 + \varepsilon_i, \qquad x_i \sim \mathcal N(0, 1), \quad
# \varepsilon_i \sim \mathcal N(0, 1), \qquad i = 1, \dots, 1000.$$
#
# The slope 3 and the intercept 0.5 are what training should recover.

# %%
import linreg
from linreg.plots import plot_data

data = linreg.make_data()
data.X[:5], data.y[:5]

# %% [markdown]
# `X` and `y` are one-dimensional tensors with one entry per example:

# %%
data.X.shape, data.y.shape, data.X.dtype

# %% [markdown]
# `make_data` draws from its own `torch.Generator`, seeded with a fixed number, so the same
# arguments always give the same tensors, and the global random state of your session is
# left alone. Change `seed=` to draw another sample.
#
# Plotted, the points scatter around the true line. The noise has a standard deviation of 1,
# so most points lie within about 2 of the line:

# %%
plot_data(data.X, data.y, true_W=data.true_W, true_b=data.true_b)

# %% tags=["check"]
import torch

assert data.X.shape == data.y.shape == (1000,)  # "i = 1, ..., 1000"
assert (data.true_W, data.true_b) == (3.0, 0.5)  # "the line y = 3x + 0.5"
assert torch.equal(linreg.make_data().X, data.X)
residual = data.y - (data.true_W * data.X + data.true_b)
assert abs(residual.std().item() - 1.0) < 0.1  # "a standard deviation of 1"
assert (residual.abs() < 2).float().mean() > 0.9  # "most points lie within about 2"
