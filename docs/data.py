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

# %% [markdown]
# ## Summary
#
# - `linreg.make_data` draws $x \sim \mathcal N(0, 1)$ and $y = 3x + 0.5 + \varepsilon$, from
#   a generator of its own: the same seed gives the same tensors.
# - The points scatter around the true line by the noise, whose standard deviation is 1.
#
# ## Exercises
#
# **1. Predict, then run.** Draw the data with `noise=2.0`. By how much do the points now
# scatter around the true line (the standard deviation of $y - 3x - 0.5$)?

# %% [markdown] tags=["solution"]
# About 2: the noise term is $2\varepsilon$ with $\varepsilon \sim \mathcal N(0, 1)$, and
# the same seed draws the same $\varepsilon$, so every residual doubles (to float32
# rounding).

# %% tags=["solution"]
import torch

noisy = linreg.make_data(noise=2.0)
answer = (noisy.y - (3 * noisy.X + 0.5)).std().item()
print(f"standard deviation of the residuals: {answer:.3f}")

# %% tags=["check"]
base = data.y - (3 * data.X + 0.5)
assert abs(answer - 2) < 0.1 and abs(answer - 2 * base.std().item()) < 1e-4
assert torch.allclose(noisy.y - (3 * noisy.X + 0.5), 2 * base, atol=1e-5)  # "exactly doubles"

# %% [markdown]
# **2. Determinism.** Call `linreg.make_data()` twice. Are the two samples equal? And with
# `seed=1` against `seed=2`?

# %% [markdown] tags=["solution"]
# The two default samples are identical, element for element; different seeds give different
# samples. The generator is local to `make_data`, so nothing else in your program changes
# what it draws.

# %% tags=["solution"]
first, second = linreg.make_data(), linreg.make_data()
answer = (
    torch.equal(first.X, second.X) and torch.equal(first.y, second.y),
    torch.equal(linreg.make_data(seed=1).X, linreg.make_data(seed=2).X),
)
print(f"same seed equal: {answer[0]}; seeds 1 and 2 equal: {answer[1]}")

# %% tags=["check"]
assert answer == (True, False)
torch.manual_seed(0)
reference = linreg.make_data().X
torch.manual_seed(123)  # "nothing else in your program changes what it draws"
assert torch.equal(linreg.make_data().X, reference)
