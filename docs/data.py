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
# Plotted, the points scatter around the true line. The noise has a
# [standard deviation](glossary.html#standard-deviation) of 1: the square root of its
# [variance](glossary.html#variance), the mean squared distance from its mean (0 here),
# which is also 1. So most points lie within about 2 of the line:

# %%
plot_data(data.X, data.y, true_W=data.true_W, true_b=data.true_b)

# %% tags=["check"]
import torch

assert data.X.shape == data.y.shape == (1000,)  # "i = 1, ..., 1000"
assert (data.true_W, data.true_b) == (3.0, 0.5)  # "the line y = 3x + 0.5"
assert torch.equal(linreg.make_data().X, data.X)
residual = data.y - (data.true_W * data.X + data.true_b)
assert abs(residual.std().item() - 1.0) < 0.1  # "a standard deviation of 1"
# "the square root of its variance, the mean squared distance from its mean (0), also 1"
variance = ((residual - residual.mean()) ** 2).mean()
assert abs(variance.sqrt() - residual.std(correction=0)) < 1e-6 and abs(variance - 1) < 0.1
assert abs(residual.mean().item()) < 0.1  # mean 0, to sampling
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
# **1. Predict, then run.** Draw the data with a steeper line,
# `linreg.make_data(true_W=6.0)`, from the same seed. How far do its points scatter around
# their true line (the standard deviation of $y - 6x - 0.5$)? And how much does $y$ itself
# spread (its standard deviation), against the default data's? Predict from two facts,
# then compute: multiplying a quantity by $a$ multiplies its variance by $a^2$, and the
# variances of independent quantities add; $x$ and the noise each have variance 1.

# %% [markdown] tags=["solution"]
# The scatter around the line is the noise alone, and the same seed draws the same $x$ and
# the same noise: the standard deviation of $y - 6x - 0.5$ is that of the default data's
# $y - 3x - 0.5$, 1.03, to float32 rounding. The spread of $y = Wx + 0.5 + \varepsilon$ is
# not: its variance is about $W^2 \times 1 + 1$, 10 for $W = 3$ and 37 for $W = 6$, so its
# standard deviation goes from about $\sqrt{10} \approx 3.16$ to about
# $\sqrt{37} \approx 6.08$. The sample gives 3.20 and 6.13: a sample's spread is not
# exactly that of the distribution it is drawn from. A steeper line spreads $y$, not the
# points around the line.

# %% tags=["solution"]
steep = linreg.make_data(true_W=6.0)
# std(correction=0) divides by n, as the variance above (torch divides by n - 1 unless told)
answer = (
    (steep.y - (6 * steep.X + 0.5)).std(correction=0).item(),  # around the line
    data.y.std(correction=0).item(),  # y, W = 3
    steep.y.std(correction=0).item(),  # y, W = 6
)
print(f"around the line: {answer[0]:.3f}; y: {answer[1]:.3f} for W = 3, {answer[2]:.3f} for W = 6")

# %% tags=["check"]
import math

base = (data.y - (3 * data.X + 0.5)).std(correction=0).item()
assert abs(answer[0] - base) < 1e-5 and round(answer[0], 2) == 1.03  # "1.03, to rounding"
assert torch.equal(steep.X, data.X)  # "the same x"
assert round(answer[1], 2) == 3.20 and round(answer[2], 2) == 6.13  # "3.20 and 6.13"
assert round(math.sqrt(10), 2) == 3.16 and round(math.sqrt(37), 2) == 6.08
assert abs(answer[1] - math.sqrt(10)) < 0.05 and abs(answer[2] - math.sqrt(37)) < 0.05  # "about"
# the two facts: a times a quantity has a^2 times its variance; independent variances add,
# and x and the noise each have variance 1 (all three to sampling)
noise = data.y - (3 * data.X + 0.5)
assert abs((6 * data.X).var() - 36 * data.X.var()) < 1e-5 * 36 * data.X.var()
assert abs((data.X + noise).var() - (data.X.var() + noise.var())) < 0.1
assert abs(data.X.var() - 1) < 0.1 and abs(noise.var() - 1) < 0.1

# %% [markdown]
# **2. Predict, then run.** `linreg.make_data(x_mean=5.0)` draws the same sample with every
# $x$ moved right by 5 (and $y$ with it, along the same line). Predict the mean and the
# standard deviation of its $y$ from those of the default data's $y$, then compute all
# four.

# %% [markdown] tags=["solution"]
# Each $x_i$ grows by 5 and its noise stays the same, so each $y_i = 3 x_i + 0.5 +
# \varepsilon_i$ grows by $3 \times 5 = 15$. The mean grows by the same 15, from 0.47 to
# 15.47, and every distance from the mean stays as it was, so the standard deviation stays
# 3.20 (both to float32 rounding). Moving the cloud changes where it is, not how far it
# spreads.

# %% tags=["solution"]
shifted = linreg.make_data(x_mean=5.0)
means = (data.y.mean().item(), shifted.y.mean().item())
spreads = (data.y.std(correction=0).item(), shifted.y.std(correction=0).item())
answer = (means[1] - means[0], spreads[1] - spreads[0])
print(f"mean of y: {means[0]:.2f} -> {means[1]:.2f}")
print(f"standard deviation of y: {spreads[0]:.2f} -> {spreads[1]:.2f}")

# %% tags=["check"]
assert abs(answer[0] - 15) < 1e-4 and abs(answer[1]) < 1e-5, answer
assert torch.allclose(shifted.X, data.X + 5) and torch.allclose(shifted.y, data.y + 15, atol=1e-5)
assert (round(means[0], 2), round(means[1], 2)) == (0.47, 15.47)
assert round(spreads[0], 2) == round(spreads[1], 2) == 3.20
