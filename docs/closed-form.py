# %% [markdown]
# # The closed form
#
# Gradient descent walks to the bottom of the bowl. For this loss the bottom can also be
# computed directly, in one step of algebra: this page derives it three ways, checks that
# they agree with each other and with training, and asks how close that bottom is to the
# line the data were drawn from.
#
# ## The normal equations
#
# At the optimum both derivatives of the loss are zero. With the gradient from
# [The gradient step](gradient.html), $\frac{\partial L}{\partial W} = \frac2n \sum_i r_i
# x_i$ and $\frac{\partial L}{\partial b} = \frac2n \sum_i r_i$ with
# $r_i = W x_i + b - y_i$, setting both to zero and dividing by 2 gives two linear equations
# in $W$ and $b$, the **[normal equations](glossary.html#normal-equations)** (a bar is a mean
# over the sample):
#
# $$\overline{x^2}\, W + \bar x\, b = \overline{xy}, \qquad \bar x\, W + b = \bar y.$$
#
# The second gives $b = \bar y - W \bar x$; put into the first, it leaves
# $W(\overline{x^2} - \bar x^2) = \overline{xy} - \bar x \bar y$, that is
#
# $$W^* = \frac{\operatorname{cov}(x, y)}{\operatorname{var}(x)}, \qquad
#   b^* = \bar y - W^* \bar x.$$
#
# The matrix of the normal equations is the $H$ of
# [Choosing the learning rate](learning-rate.html): solving them is solving
# $H\,(W, b) = (\overline{xy}, \bar y)$.
#
# ## Three ways to the same line
#
# The normal equations solved as a 2 × 2 system, the centred formula (`linreg.least_squares`,
# which centres $x$ first, for accuracy), and PyTorch's general least-squares solver
# `torch.linalg.lstsq` on the matrix whose rows are $(x_i, 1)$; all in float64:

# %%
import torch

import linreg
from linreg.curvature import curvature_matrix

data = linreg.make_data()
x, y = data.X.double(), data.y.double()

H = curvature_matrix(data.X)
normal = torch.linalg.solve(H, torch.stack([(x * y).mean(), y.mean()]))
centred = linreg.least_squares(data.X, data.y)
columns = torch.stack([x, torch.ones_like(x)], dim=1)  # the rows (x_i, 1)
solver = torch.linalg.lstsq(columns, y.unsqueeze(1)).solution.squeeze(1)

print(f"normal equations: W = {normal[0]:.12f}, b = {normal[1]:.12f}")
print(f"centred formula:  W = {centred[0]:.12f}, b = {centred[1]:.12f}")
print(f"torch.linalg:     W = {solver[0]:.12f}, b = {solver[1]:.12f}")

# %% [markdown]
# They agree to about twelve digits. Gradient descent, run long enough, lands on the same
# line, to the precision of its float32 arithmetic:

# %%
model = linreg.LinearModel.like(data.X)
history = linreg.fit(model, data.X, data.y, lr=0.5, num_epochs=20)
print(f"gradient descent: W = {history.W:.6f}, b = {history.b:.6f}")

# %% [markdown]
# ## The sample's optimum is not the truth
#
# Gradient descent finds the best line for *this sample*, $(W^*, b^*)$, not the line the
# data were drawn from, $(3, 0.5)$: the noise in $y$ tilts and shifts the sample's best line
# a little, and no amount of training undoes that. For our 1000 examples the difference is
# about 0.02 in $W$ and 0.04 in $b$:

# %%
print(f"W* - 3   = {centred[0] - data.true_W:+.4f}")
print(f"b* - 0.5 = {centred[1] - data.true_b:+.4f}")

# %% [markdown]
# How big that gap is depends on the sample's size. Draw samples of each size with 20
# different seeds, solve each, and take the root mean square of the gaps:

# %%
from linreg.experiment import sampling_error
from linreg.plots import plot_sampling_error

sizes = [10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000]
error = sampling_error(sizes, seeds=list(range(20)))
plot_sampling_error(error, noise=data.noise)

# %% [markdown]
# Both gaps fall as $1/\sqrt n$, the dashed line: a hundred times more data brings the
# sample's optimum ten times closer to the truth. With noise of standard deviation $\sigma$
# and $x$ of spread $s_x$ and mean near 0, statistics gives
# $\operatorname{sd}(W^*) \approx \sigma / (s_x \sqrt n)$ and
# $\operatorname{sd}(b^*) \approx \sigma / \sqrt n$; here $\sigma = s_x = 1$.
#
# ## When gradient descent is still the tool
#
# For one feature the closed form is a handful of means, and here it is the better tool. It
# stops being one when the model has no closed form at all, as for most models beyond
# linear least squares (a neural network, say, whose training is this same loop with more
# parameters); and, for linear models, when the normal equations grow too large to form or
# solve: with $d$ features $H$ is $(d + 1) \times (d + 1)$. Gradient descent needs only the
# gradient, and, as the page on [mini-batches](minibatch.html) shows, not even on all the
# data at once.

# %% tags=["check"]
import math

# the three solutions agree to about twelve digits
centred_t = torch.tensor(centred, dtype=torch.float64)
for a, b in [(normal, centred_t), (normal, solver), (centred_t, solver)]:
    assert torch.allclose(a, b, rtol=0, atol=1e-11), (a, b)
# the normal equations as written: H (W, b) = (mean xy, mean y); and the centred formula
W_c = ((x - x.mean()) * (y - y.mean())).mean() / x.var(correction=0)
assert abs(W_c.item() - centred[0]) < 1e-12
assert abs((y.mean() - W_c * x.mean()).item() - centred[1]) < 1e-12
assert torch.allclose(H @ normal, torch.stack([(x * y).mean(), y.mean()]), atol=1e-12)
# "gradient descent lands on the same line, to the precision of float32"
assert abs(history.W - centred[0]) < 1e-5 and abs(history.b - centred[1]) < 1e-5
# "about 0.02 in W and 0.04 in b"
assert round(abs(centred[0] - data.true_W), 2) == 0.02, centred
assert round(abs(centred[1] - data.true_b), 2) == 0.04, centred
# "Both gaps fall as 1 / sqrt(n)": within 30% of the line at every size
for n, gap_W, gap_b in zip(error.ns, error.W, error.b, strict=True):
    assert 0.7 < gap_W * math.sqrt(n) < 1.3 and 0.7 < gap_b * math.sqrt(n) < 1.3, n
# "a hundred times more data ... ten times closer": a line through them has slope -1/2
slope = (math.log(error.W[-1]) - math.log(error.W[0])) / (
    math.log(error.ns[-1]) - math.log(error.ns[0])
)
assert abs(slope + 0.5) < 0.05, slope
assert data.noise == 1.0 and abs(x.std().item() - 1) < 0.05  # "1 here", "also 1"
assert error.seeds == list(range(20))

# %% [markdown]
# ## Summary
#
# - Setting both derivatives to zero gives the normal equations; their solution is
#   $W^* = \operatorname{cov}(x, y)/\operatorname{var}(x)$, $b^* = \bar y - W^* \bar x$,
#   and `torch.linalg.lstsq` finds the same line.
# - Gradient descent converges to this sample's optimum; the sample's optimum misses the
#   true line by about $1/\sqrt n$.
#
# ## Exercises
#
# **1. By hand.** Solve the normal equations for the two points $(0, 1)$ and $(1, 3)$, then
# check with `linreg.least_squares`.

# %% [markdown] tags=["solution"]
# $\bar x = 0.5$, $\bar y = 2$, $\overline{x^2} = 0.5$, $\overline{xy} = 1.5$: so
# $W = (1.5 - 0.5 \cdot 2)/(0.5 - 0.25) = 2$ and $b = 2 - 2 \cdot 0.5 = 1$. Two points
# always have a line through both: the loss there is 0.

# %% tags=["solution"]
answer = linreg.least_squares([0.0, 1.0], [1.0, 3.0])
print(answer)

# %% tags=["check"]
assert answer == (2.0, 1.0)

# %% [markdown]
# **2. Predict, then run.** How many examples does it take for the root-mean-square gap
# between $W^*$ and the true 3 to be about 0.01?

# %% [markdown] tags=["solution"]
# The gap is about $1/\sqrt n$, so $n \approx 1/0.01^2 = 10{,}000$. Measured over 20 seeds
# it comes out at 0.012: an average over 20 samples is itself uncertain, by about 15%.

# %% tags=["solution"]
answer = sampling_error([10_000], seeds=list(range(20))).W[0]
print(f"RMS of W* - 3 at n = 10,000: {answer:.4f}")

# %% tags=["check"]
assert 0.007 < answer < 0.013 and round(answer, 3) == 0.012, answer
