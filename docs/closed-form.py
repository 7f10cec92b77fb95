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
#   b^* = \bar y - W^* \bar x,$$
#
# where $\operatorname{cov}(x, y) = \overline{xy} - \bar x \bar y$ is the
# [covariance](glossary.html#covariance) of $x$ and $y$, the mean of
# $(x_i - \bar x)(y_i - \bar y)$, and $\operatorname{var}(x) = \overline{x^2} - \bar x^2$
# is the variance of $x$, the mean of $(x_i - \bar x)^2$.
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
# sample's optimum ten times closer to the truth.
#
# ## Where the spread comes from
#
# The $1/\sqrt n$ follows from the formula for $W^*$ in a few lines. Write the noise of
# example $i$ as $\varepsilon_i$, so that $y_i = 3 x_i + 0.5 + \varepsilon_i$, with the
# $\varepsilon_i$ independent, of mean 0 and standard deviation $\sigma$. Then
# $y_i - \bar y = 3 (x_i - \bar x) + (\varepsilon_i - \bar\varepsilon)$, and since
# $\sum_i (x_i - \bar x) = 0$, the formula for $W^*$ (its covariance and variance written as
# sums) gives
#
# $$W^* - 3 = \frac{\sum_i (x_i - \bar x)\, \varepsilon_i}{\sum_i (x_i - \bar x)^2}.$$
#
# For the sample's $x$, this is a weighted sum of $n$ independent noises, each of variance
# $\sigma^2$. Its variance is the sum of the squared weights times $\sigma^2$, which is
# $\sigma^2 / \sum_i (x_i - \bar x)^2$. Its square root is the standard deviation of $W^*$
# from sample to sample, written $\operatorname{sd}(W^*)$; with
# $s_x^2 = \frac1n \sum_i (x_i - \bar x)^2$, the variance of $x$:
#
# $$\operatorname{sd}(W^*) = \frac{\sigma}{\sqrt{\sum_i (x_i - \bar x)^2}}
#   = \frac{\sigma}{s_x \sqrt n}.$$
#
# The same steps give $\operatorname{sd}(b^*) = \sigma \sqrt{1/n + \bar x^2 / \sum_i (x_i -
# \bar x)^2}$, which is about $\sigma / \sqrt n$ when $\bar x$ is near 0. For our sample
# $\sigma = 1$ and $s_x = 1.003$, so $\operatorname{sd}(W^*) = 0.0315$.
#
# ## How far off, from one sample
#
# With real data there is one sample, and $\sigma$ is unknown. The residuals of the fitted
# line estimate it: $s^2 = \frac{1}{n - 2} \sum_i r_i^2$. It divides by $n - 2$, not $n$,
# because the line's two parameters were fitted to these same residuals, which leaves their
# squares summing to $(n - 2)\,\sigma^2$ on average. With $s$ in place of $\sigma$, the
# formula gives the **[standard error](glossary.html#standard-error)** of $W^*$, and $W^* \pm 1.96$ standard errors is a
# **95% [confidence interval](glossary.html#confidence-interval)** for the true slope:


# %%
def interval(X, y):
    """W*, its standard error, and the ends of the 95% interval W* ± 1.96 standard errors."""
    x, y = X.double(), y.double()
    W, b = linreg.least_squares(X, y)
    s = (((W * x + b - y) ** 2).sum() / (len(x) - 2)).sqrt()
    standard_error = (s / ((x - x.mean()) ** 2).sum().sqrt()).item()
    return W, standard_error, W - 1.96 * standard_error, W + 1.96 * standard_error


W_star, standard_error, low, high = interval(data.X, data.y)
print(f"W* = {W_star:.4f}, standard error {standard_error:.4f}, interval [{low:.3f}, {high:.3f}]")

# %% [markdown]
# The standard error, 0.0325, is within 4% of the 0.0315 that the true $\sigma$ gives, and
# of the spread the simulation measured at $n = 1000$, 0.033 over 20 samples (the figure's
# point). The interval, $[2.958, 3.085]$, contains the true slope 3. The 1.96 is the point
# of the standard normal distribution (mean 0, standard deviation 1) with 2.5% above it:
# with normal noise, the gap $W^* - 3$ measured in units of $\operatorname{sd}(W^*)$
# follows that distribution. Measured in standard errors instead, it follows Student's $t$
# distribution, a bell a little wider than the normal one, to allow for $s$ being only an
# estimate of $\sigma$; how much wider depends on its degrees of freedom, here the
# $n - 2 = 998$ that $s^2$ divides by. It puts that point at 1.962 and gives the same
# interval to three decimals.
#
# "95%" is a statement about the method, not about this one interval: over many samples,
# intervals built this way contain the true slope about 95% of the time. Of 1000 fresh
# samples:

# %%
fresh = [linreg.make_data(seed=seed) for seed in range(1000, 2000)]
ends = [interval(sample.X, sample.y)[2:] for sample in fresh]
covered = sum(low_s <= data.true_W <= high_s for low_s, high_s in ends)
print(f"{covered} of 1000 intervals contain the true slope")

# %% [markdown]
# ## When gradient descent is still the tool
#
# For one [feature](glossary.html#feature) the closed form is a handful of means, and here
# it is the better tool. It stops being one when the model has no closed form at all, as
# for most models beyond linear least squares (a neural network, say, whose training is
# this same loop with more parameters); and, for linear models, when the normal equations
# grow too large to form or solve: with $d$ features $H$ is $(d + 1) \times (d + 1)$.
# Gradient descent needs only the gradient, and, as the page on
# [mini-batches](minibatch.html) shows, not even on all the data at once.

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
# "cov(x, y) = mean(xy) - mean(x) mean(y), the mean of (x_i - mean x)(y_i - mean y), and
# var(x) = mean(x^2) - mean(x)^2, the mean of (x_i - mean x)^2"; W* is their ratio
cov_xy = (x * y).mean() - x.mean() * y.mean()
var_x = (x * x).mean() - x.mean() ** 2
assert abs(cov_xy - ((x - x.mean()) * (y - y.mean())).mean()) < 1e-12
assert abs(var_x - ((x - x.mean()) ** 2).mean()) < 1e-12
assert abs((cov_xy / var_x).item() - centred[0]) < 1e-12
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
assert error.seeds == list(range(20))
# the derivation: W* - 3 = sum (x - mean x) eps / sum (x - mean x)^2, exactly
eps = y - (data.true_W * x + data.true_b)
xc = x - x.mean()
assert abs((centred[0] - 3) - ((xc * eps).sum() / (xc**2).sum()).item()) < 1e-12
# sd(W*) = sigma / (s_x sqrt n) and sd(b*) = sigma sqrt(1/n + mean(x)^2 / sum xc^2), for the
# sample's x: against 4000 fresh noise vectors on the same x, solved by torch.linalg.lstsq
n, sigma = len(x), data.noise
s_x = x.std(correction=0).item()
assert sigma == 1 and round(s_x, 3) == 1.003  # "sigma = 1 and s_x = 1.003"
sd_W = sigma / (s_x * math.sqrt(n))
assert round(sd_W, 4) == 0.0315 and abs(sd_W - sigma / (xc**2).sum().sqrt().item()) < 1e-15
sd_b = sigma * math.sqrt(1 / n + x.mean().item() ** 2 / (xc**2).sum().item())
assert abs(sd_b - sigma / math.sqrt(n)) < 0.01 * sigma / math.sqrt(n)  # "about sigma / sqrt n"
noise = torch.randn(4000, n, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
fits = torch.linalg.lstsq(columns, (3 * x + 0.5 + sigma * noise).T).solution  # (2, 4000)
for simulated, formula in [(fits[0].std(), sd_W), (fits[1].std(), sd_b)]:
    assert abs(simulated.item() / formula - 1) < 0.05, (simulated, formula)  # 4000: ~1.1%
# "their squares sum to (n - 2) sigma^2 on average": the residuals are (I - P) eps for the
# projection P onto the columns (x_i, 1), whose trace is 2; and the 4000 fits agree
leverage = (columns @ torch.linalg.inv(columns.T @ columns) * columns).sum(dim=1)  # diag P
assert abs(leverage.sum().item() - 2) < 1e-12
squares = ((columns @ fits).T - (3 * x + 0.5 + sigma * noise)).pow(2).sum(dim=1)
assert abs(squares.mean().item() / ((n - 2) * sigma**2) - 1) < 3 * math.sqrt(2 / (n - 2) / 4000)
# the standard error, against the textbook's matrix form s^2 (A^T A)^-1 in float64
r = y - columns @ solver
s2 = (r**2).sum() / (n - 2)
textbook = (s2 * torch.linalg.inv(columns.T @ columns)[0, 0]).sqrt().item()
assert abs(standard_error - textbook) < 1e-12 * textbook
assert W_star == centred[0]
assert round(standard_error, 4) == 0.0325  # the recomputed 0.0325
assert (round(low, 3), round(high, 3)) == (2.958, 3.085) and low <= 3 <= high
# "within 4% of the 0.0315 ... and of the 0.033 the simulation measured at n = 1000"
at_1000 = error.W[error.ns.index(1000)]
assert round(at_1000, 3) == 0.033
assert abs(standard_error / sd_W - 1) < 0.04 and abs(standard_error / at_1000 - 1) < 0.04


# "1.96 is the point with 2.5% above it"; "t with 998 degrees of freedom puts it at 1.962":
# the densities integrated by Simpson's rule in float64, the point found by bisection
def upper_point(log_density, tail=0.025):
    def mass_above_0_to(q):  # the integral of the density from 0 to q
        grid = torch.linspace(0, q, 20_001, dtype=torch.float64)
        f = log_density(grid).exp()
        return (q / 20_000 / 3) * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())

    lo, hi = 0.0, 10.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 0.5 + mass_above_0_to(mid) < 1 - tail else (lo, mid)
    return lo


def t_log_density(t, nu=n - 2):
    return (
        math.lgamma((nu + 1) / 2)
        - math.lgamma(nu / 2)
        - 0.5 * math.log(nu * math.pi)
        - (nu + 1) / 2 * torch.log1p(t**2 / nu)
    )


normal_point = upper_point(lambda t: -(t**2) / 2 - 0.5 * math.log(2 * math.pi))
assert round(normal_point, 2) == 1.96 and abs(normal_point - 1.959964) < 1e-6
t_point = upper_point(t_log_density)
assert round(t_point, 3) == 1.962 and t_point > normal_point, t_point  # "widens a little"
t_interval = (W_star - t_point * standard_error, W_star + t_point * standard_error)
assert (round(t_interval[0], 3), round(t_interval[1], 3)) == (2.958, 3.085)  # "the same"
# "the standard normal (mean 0, standard deviation 1)": the density integrated above
grid = torch.linspace(-12, 12, 240_001, dtype=torch.float64)
density = (-(grid**2) / 2).exp() / math.sqrt(2 * math.pi)
moments = [torch.trapezoid(grid**k * density, grid).item() for k in range(3)]
assert abs(moments[0] - 1) < 1e-9 and abs(moments[1]) < 1e-9 and abs(moments[2] - 1) < 1e-9
# "with normal noise, W* - 3 in units of sd(W*) follows that distribution": of the 4000
# fits above, 2.5% beyond 1.96 either way (to three standard errors of a share of 4000)
gap = (fits[0] - 3) / sd_W
for share in [(gap > normal_point).double().mean(), (gap < -normal_point).double().mean()]:
    assert abs(share.item() - 0.025) < 3 * math.sqrt(0.025 * 0.975 / 4000), share


def gaps_in_standard_errors(x, noise):
    """(W* - 3) / standard error for each row of noise, on the line 3x + 0.5."""
    xc = x - x.mean()
    targets = 3 * x + 0.5 + noise
    W = (xc * (targets - targets.mean(dim=1, keepdim=True))).sum(dim=1) / (xc**2).sum()
    b = targets.mean(dim=1) - W * x.mean()
    s2 = ((W[:, None] * x + b[:, None] - targets) ** 2).sum(dim=1) / (len(x) - 2)
    return (W - 3) / (s2 / (xc**2).sum()).sqrt()


# "Measured in standard errors, it follows Student's t ... degrees of freedom, the n - 2 that
# s^2 divides by": at n = 1000 against the t point of 998; and at n = 5, where t with 3
# degrees of freedom is far from the normal, 5% beyond its point 3.182, not beyond 1.96
in_errors = gaps_in_standard_errors(x, sigma * noise)
share = ((in_errors.abs() > t_point).double().mean()).item()
assert abs(share - 0.05) < 3 * math.sqrt(0.05 * 0.95 / 4000), share
x5 = linreg.make_data(num_examples=5).X.double()
noise5 = torch.randn(40_000, 5, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
in_errors5 = gaps_in_standard_errors(x5, noise5)
t3_point = upper_point(lambda t: t_log_density(t, nu=3))
assert round(t3_point, 3) == 3.182, t3_point
assert abs((in_errors5.abs() > t3_point).double().mean().item() - 0.05) < 0.004
assert (in_errors5.abs() > normal_point).double().mean().item() > 0.12  # t, not normal
# "how much wider depends on its degrees of freedom": fewer, wider
assert t3_point > t_point > normal_point
# "Of 1000 fresh samples": about 95% contain the true slope
assert 0.93 < covered / 1000 < 0.97, covered

# %% [markdown]
# ## Summary
#
# - Setting both derivatives to zero gives the normal equations; their solution is
#   $W^* = \operatorname{cov}(x, y)/\operatorname{var}(x)$, $b^* = \bar y - W^* \bar x$,
#   and `torch.linalg.lstsq` finds the same line.
# - Gradient descent converges to this sample's optimum; the sample's optimum misses the
#   true line by about $1/\sqrt n$: $\operatorname{sd}(W^*) = \sigma / (s_x \sqrt n)$.
# - One sample's residuals give the standard error of $W^*$, here 0.0325, and the 95%
#   confidence interval $W^* \pm 1.96$ standard errors, here $[2.958, 3.085]$.
#
# ## Exercises
#
# **1. Derive, then run.** Measure $x$ in other units: multiply every $x_i$ by 2 and keep
# every $y_i$. Predict from the formulas what happens to $W^*$, to $b^*$ and to the standard
# error of $W^*$, then check with `interval` and `linreg.least_squares`.

# %% [markdown] tags=["solution"]
# $\operatorname{cov}(2x, y) = 2 \operatorname{cov}(x, y)$ and
# $\operatorname{var}(2x) = 4 \operatorname{var}(x)$, so $W^*$ halves. Then
# $b^* = \bar y - \frac{W^*}{2} \cdot 2 \bar x$ is unchanged. The line's predictions are
# unchanged, and so are its residuals and $s$, while $\sum_i (2x_i - 2\bar x)^2$ is four
# times larger: the standard error halves too. Only the unit in which the slope is measured
# has changed.

# %% tags=["solution"]
W_2, se_2, _, _ = interval(2 * data.X, data.y)
b_2 = linreg.least_squares(2 * data.X, data.y)[1]
answer = (W_2 / W_star, b_2 - centred[1], se_2 / standard_error)
print(f"W* x {answer[0]:.6f}, b* {answer[1]:+.2e}, standard error x {answer[2]:.6f}")

# %% tags=["check"]
assert abs(answer[0] - 0.5) < 1e-12 and abs(answer[1]) < 1e-12 and abs(answer[2] - 0.5) < 1e-12

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
