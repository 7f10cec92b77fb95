# %% [markdown]
# # The loss landscape
#
# The loss depends on two numbers, $W$ and $b$, so it can be drawn as a map: $W$ across,
# $b$ up, and a ring through every point where the loss takes the same value, like the
# contour lines of a hill on a walking map. Here the rings are drawn at $L^* + 2^k$, where
# $L^*$ is the least-squares loss, the lowest any line reaches: from one ring to the next,
# the excess loss $L - L^*$ doubles. On this map we draw the path that training took, one
# dot per epoch, from the Training page's run:

# %%
import linreg
from linreg.plots import plot_landscape

data = linreg.make_data()
model = linreg.LinearModel.like(data.X)  # starts at W = 16, b = 10
history = linreg.fit(model, data.X, data.y, lr=0.1, num_epochs=20)
plot_landscape(data.X, data.y, history, true_W=data.true_W, true_b=data.true_b)

# %% [markdown]
# The rings are circles around the least-squares optimum $(W^*, b^*)$, the star, and the
# path runs straight to it. Why?
#
# ## The loss is a bowl
#
# Some notation: $n$ examples $(x_i, y_i)$; a bar is a mean over them, so
# $\bar x = \frac1n \sum_i x_i$ and $\overline{x^2} = \frac1n \sum_i x_i^2$; the loss is
# $L(W, b) = \frac1n \sum_i (W x_i + b - y_i)^2$. Write
# $e = (e_W, e_b) = (W - W^*,\ b - b^*)$ for how far $(W, b)$ is from the optimum. Three
# steps give the loss at any $e$:
#
# 1. Split each residual at the optimum:
#    $W x_i + b - y_i = (e_W x_i + e_b) + r^*_i$, where $r^*_i = W^* x_i + b^* - y_i$ is
#    the residual of the least-squares line.
# 2. Square and average:
#    $L = \overline{(e_W x + e_b)^2} + 2\,\overline{(e_W x + e_b)\, r^*} +
#    \overline{{r^*}^2}$. The last term is $L^*$. The middle one is zero: at the optimum
#    both derivatives of the loss vanish, $\frac{\partial L}{\partial W} = 2\,\overline{x
#    r^*} = 0$ and $\frac{\partial L}{\partial b} = 2\,\overline{r^*} = 0$.
# 3. Expand the first term:
#    $\overline{(e_W x + e_b)^2} = e_W^2\, \overline{x^2} + 2 e_W e_b\, \bar x + e_b^2
#    = e^\top H e$, with
#    $H = \begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1 \end{pmatrix}$.
#
# So, exactly,
#
# $$L(W, b) = L^* + e^\top H e:$$
#
# a bowl whose shape is $H$. The loss's second derivatives are
# $\partial^2 L / \partial W^2 = 2\,\overline{x^2}$,
# $\partial^2 L / \partial W\, \partial b = 2\bar x$ and $\partial^2 L / \partial b^2 = 2$, so
# $H$ is half the loss's [Hessian](glossary.html#hessian), the matrix of its second
# derivatives, which says how sharply the loss curves in each direction. Our $x$ is
# drawn from a normal distribution with mean 0 and variance 1, so $\bar x \approx 0$ and
# $\overline{x^2} \approx 1$. `curvature_matrix` computes $H$ from the data:

# %%
from linreg.curvature import curvature_matrix

curvature_matrix(data.X)

# %% [markdown]
# ## Why the bowl is round here
#
# $H$ is almost the identity matrix, so $L \approx L^* + (W - W^*)^2 + (b - b^*)^2$: the
# loss grows with the distance from the optimum alone, the same in every direction, and
# its rings are circles. The gradient, $2He \approx 2e$, then points straight away from the
# optimum, and each step moves straight towards it.
#
# ## A long, narrow valley
#
# Nothing made $\bar x = 0$ but the way the data were drawn. Take the same sample with $x$
# shifted to a mean of 5 (`x_mean=5.0`; $y$ moves with it, along the same line
# $y = 3x + 0.5$), so that the intercept $b$ is now far from the data:

# %%
from linreg.plots import SHIFT

shifted = linreg.make_data(x_mean=SHIFT)  # SHIFT = 5.0
curvature_matrix(shifted.X)

# %% [markdown]
# Now $\overline{x^2} \approx 26$ and $\bar x \approx 5$. Moving $W$ changes every
# prediction by about 5 times as much as moving $b$ does, and the two can almost cancel:
# raising $W$ by 1 and lowering $b$ by 5 leaves the predictions near $x = 5$, where the data
# are, nearly where they were. The loss is a valley, steep across and nearly flat along.
# The default learning rate, which served so well above, now diverges at once:

# %%
try:
    linreg.fit(linreg.LinearModel.like(shifted.X), shifted.X, shifted.y, lr=0.1)
except linreg.DivergenceError as error:
    print(error)
else:
    print("lr = 0.1 converged: it is below this data's stability bound")

# %% [markdown]
# Just under that bound, at 95% of it (lr = 0.0352), training converges, slowly. The figure
# shows the first 100 epochs twice. On the map (left), arrows draw the first four steps, and
# the first five points and the last are numbered by epoch. The path starts at point 0, on
# the right, and each step carries it across the floor of the valley to the other side: 1 on
# the left, 2 on the right, and so on, at every one of the 100 steps. So the points at even
# epochs, the orange circles, all lie right of the floor, and those at odd epochs, the
# purple squares, all left of it. The path bounces back and forth on nearly one line,
# because each step moves it along the valley very little: in all 100 epochs it moves along
# the valley by less than a tenth of the length of its first step, and once the bounces die
# down the points crowd into the short stretch of floor that ends at point 100. On the
# right, the same path is split into its offset from the optimum across the valley and
# along it (the next section makes these two directions exact). Each step multiplies the
# offset across by $-0.9$, so it changes sign at every step, the bounce, and dies down over
# the first few dozen epochs. The offset along shrinks by only 0.26% a step: after 100
# epochs 77% of it is left, and the path is still far from the optimum:

# %%
from linreg.plots import SHIFTED_EPOCHS, SHIFTED_FRACTION, plot_zigzag

lr = SHIFTED_FRACTION * linreg.stability_bound(shifted.X)  # SHIFTED_FRACTION = 0.95
model = linreg.LinearModel.like(shifted.X)
zigzag = linreg.fit(model, shifted.X, shifted.y, lr=lr, num_epochs=SHIFTED_EPOCHS)  # 100
plot_zigzag(shifted.X, shifted.y, zigzag, true_W=shifted.true_W, true_b=shifted.true_b)

# %%
W_best, b_best = linreg.least_squares(shifted.X, shifted.y)
loss = linreg.mse_loss(model(shifted.X), shifted.y).item()
print(f"after 100 epochs: W = {zigzag.W:.3f}, b = {zigzag.b:.3f}, loss = {loss:.4g}")
print(f"least squares:    W = {W_best:.3f}, b = {b_best:.3f}")

# %% [markdown]
# ## The condition number, from the picture
#
# How long and narrow the valley is can be read off $H$. It has two eigenvalues: two
# numbers $\lambda_{\min} \le \lambda_{\max}$ with, for each, a direction $v$ in the
# $(W, b)$ plane (an [eigenvector](glossary.html#eigenvector)) along which $H$ only stretches, $H v = \lambda v$. Along
# $v$, the loss rises as $\lambda \lVert e \rVert^2$, so its second derivative in that
# direction, its curvature, is $2\lambda$: $\lambda_{\max}$ sets the curvature across the
# valley (which is $2\lambda_{\max}$), $\lambda_{\min}$ the curvature along it
# ($2\lambda_{\min}$). A ring where the excess loss is $\delta$ is an ellipse with
# half-axes $\sqrt{\delta / \lambda}$, so the valley is
# $\sqrt{\lambda_{\max} / \lambda_{\min}}$ times longer than it is wide. The ratio
# $\kappa = \lambda_{\max} / \lambda_{\min}$ is the **[condition number](glossary.html#condition-number)** of $H$:

# %%
from linreg.curvature import curvature

for name, d in [("x with mean 0", data), ("x with mean 5", shifted)]:
    bowl = curvature(d.X)
    low, high = bowl.eigenvalues
    print(
        f"{name}: eigenvalues {low:.4f} and {high:.4f}, condition number "
        f"{bowl.condition_number:.4g}, rings {bowl.condition_number**0.5:.3g} times longer "
        f"than wide, stability bound {bowl.bound:.4f}"
    )

# %% [markdown]
# A round bowl has $\kappa \approx 1$; the shifted valley has $\kappa \approx 725$, and its
# rings are about 27 times longer than wide, as the closed rings around the star on the
# map show. The learning rate has to suit the steepest direction: above $1/\lambda_{\max}$
# the steps across the valley grow instead of shrinking (the next page shows why). At a step
# that small, the gentle slope along the valley, where the gradient is about $\kappa$ times
# weaker than across it at the same distance from the optimum, is covered at a crawl. The
# larger $\kappa$, the slower gradient descent.

# %% [markdown]
# ## The fix: centre x
#
# Subtract the mean of $x$ before training, and $\bar x = 0$ again: the valley is a round
# bowl, and a large learning rate is safe. Fit $W$ and an intercept $b_c$ for the centred
# $x - \bar x$; since $W x + b = W (x - \bar x) + b_c$ exactly when $b = b_c - W \bar x$,
# that recovers the intercept for the original $x$:

# %%
x_bar = shifted.X.mean()
centred = shifted.X - x_bar
model = linreg.LinearModel.like(centred)
fitted = linreg.fit(model, centred, shifted.y, lr=0.5, num_epochs=5)
W, b = fitted.W, fitted.b - fitted.W * x_bar.item()
loss = linreg.mse_loss(model(centred), shifted.y).item()
print(f"centred, 5 epochs: W = {W:.3f}, b = {b:.3f}, loss = {loss:.4g}")
print(f"least squares:     W = {W_best:.3f}, b = {b_best:.3f}")

# %% [markdown]
# Five epochs reach the least-squares line that 100 epochs on the raw $x$ did not come near.
# Centring (and scaling each input to a similar spread) is the usual first step before
# gradient descent for this reason. The next page derives the bound and the speed of
# convergence from $H$, and lets you move the learning rate yourself.

# %% tags=["check"]
import itertools
import math

import torch

# "drawn at L* + 2^k ... the excess loss doubles": the contour levels of the figure
figure = plot_landscape(data.X, data.y, history, true_W=data.true_W, true_b=data.true_b)
levels = figure.axes[0].collections[0].levels
W_opt, b_opt = linreg.least_squares(data.X, data.y)
best_loss = linreg.mse_loss(W_opt * data.X + b_opt, data.y).item()
excess = [level - best_loss for level in levels]
assert all(abs(b / a - 2) < 1e-5 for a, b in itertools.pairwise(excess)), excess
# the derivation: L = L* + e^T H e exactly, checked in float64 at random points
x64, y64 = data.X.double(), data.y.double()
H = curvature_matrix(data.X)
L_star = ((W_opt * x64 + b_opt - y64) ** 2).mean().item()
generator = torch.Generator().manual_seed(0)
for W_, b_ in (torch.randn(20, 2, generator=generator, dtype=torch.float64) * 10).tolist():
    e = torch.tensor([W_ - W_opt, b_ - b_opt], dtype=torch.float64)
    direct = ((W_ * x64 + b_ - y64) ** 2).mean().item()
    assert abs(direct - (L_star + e @ H @ e).item()) < 1e-9 * direct
# step 2: the least-squares residuals have mean 0 and are uncorrelated with x
r = W_opt * x64 + b_opt - y64
assert abs(r.mean().item()) < 1e-9 and abs((x64 * r).mean().item()) < 1e-9
# "H is half the loss's Hessian": the second derivatives by autograd, in float64
hessian = torch.autograd.functional.hessian(
    lambda p: ((p[0] * x64 + p[1] - y64) ** 2).mean(), torch.tensor([16.0, 10.0]).double()
)
assert torch.allclose(hessian, 2 * H, rtol=1e-12), hessian
assert torch.allclose(hessian, 2 * torch.tensor([[(x64**2).mean(), x64.mean()], [x64.mean(), 1]]))
# "H is almost the identity": x-bar ~ 0 and mean x^2 ~ 1
assert (H - torch.eye(2, dtype=torch.float64)).abs().max() < 0.05, H
# "the path runs straight to it": every point within half a degree of the line to the optimum
W0, b0 = history.Ws[0], history.bs[0]
for W_, b_ in zip([*history.Ws, history.W], [*history.bs, history.b], strict=True):
    cross = (W_ - W_opt) * (b0 - b_opt) - (b_ - b_opt) * (W0 - W_opt)
    lengths = math.hypot(W_ - W_opt, b_ - b_opt) * math.hypot(W0 - W_opt, b0 - b_opt)
    assert abs(cross) <= math.sin(math.radians(0.5)) * lengths, (W_, b_)
# "the gradient, 2He ~ 2e, points straight away from the optimum": at the start, within 1 degree
W_t = torch.tensor(W0, requires_grad=True)
b_t = torch.tensor(b0, requires_grad=True)
linreg.mse_loss(W_t * data.X + b_t, data.y).backward()
angle = math.degrees(
    math.atan2(b_t.grad.item(), W_t.grad.item()) - math.atan2(b0 - b_opt, W0 - W_opt)
)
assert abs(angle) < 1, angle
# shifted: "a mean of 5", "mean x^2 ~ 26 and x-bar ~ 5"
assert SHIFT == 5.0
Hs = curvature_matrix(shifted.X)
assert abs(Hs[0, 0] - 26) < 0.5 and abs(Hs[0, 1] - 5) < 0.1, Hs
assert torch.equal(shifted.X, data.X + 5.0) and torch.allclose(
    shifted.y - 3 * shifted.X, data.y - 3 * data.X, atol=1e-5
)  # the same sample, moved along the same line
# "raising W by 1 and lowering b by 5 leaves the predictions ... nearly where they were":
# on average they move by less than a fifth of what raising W by 1 alone moves them
assert (shifted.X - 5).abs().mean() < 0.2 * shifted.X.abs().mean()
# "moving W changes every prediction by about 5 times as much as moving b does": |x| ~ 5
assert abs(shifted.X.abs().mean().item() - 5) < 0.2
# "the default learning rate ... diverges at once"
try:
    linreg.fit(linreg.LinearModel.like(shifted.X), shifted.X, shifted.y, lr=0.1)
except linreg.DivergenceError as caught:
    assert len(caught.history.losses) == 2  # the first rise, after one step
else:
    raise AssertionError("lr 0.1 did not diverge on the shifted data")
# "just under that bound, at 95% of it (lr = 0.0352) ... the first 100 epochs"
c_shifted = curvature(shifted.X)
assert SHIFTED_FRACTION == 0.95 and SHIFTED_EPOCHS == 100 == len(zigzag.losses)
assert f"{lr:.3g}" == "0.0352" and zigzag.lr == lr
# the two offsets of the figure: across the valley (along v_max) and along it (v_min)
v_min, v_max = c_shifted.eigenvectors.T.tolist()
path = list(zip([*zigzag.Ws, zigzag.W], [*zigzag.bs, zigzag.b], strict=True))
across = [(W_ - W_best) * v_max[0] + (b_ - b_best) * v_max[1] for W_, b_ in path]
along = [(W_ - W_best) * v_min[0] + (b_ - b_best) * v_min[1] for W_, b_ in path]
figure = plot_zigzag(shifted.X, shifted.y, zigzag, true_W=shifted.true_W, true_b=shifted.true_b)
drawn_across, drawn_along = (line.get_ydata() for line in figure.axes[1].lines[1:])
sign_across, sign_along = math.copysign(1, across[0]), math.copysign(1, along[0])
assert list(drawn_across) == [sign_across * a for a in across]
assert list(drawn_along) == [sign_along * a for a in along]
# "the first five points and the last are numbered ... 0, on the right ... 1 on the left, 2
# on the right"
numbers = {t.get_text(): t.xy for t in figure.axes[0].texts if t.get_text()}
assert list(numbers) == ["0", "1", "2", "3", "4", "100"]
assert all(numbers[str(k)] == path[k] for k in [0, 1, 2, 3, 4, 100])
assert all((numbers[str(k)][0] > W_best) == (k % 2 == 0) for k in range(5))
# "arrows draw the first four steps"
arrows = [t for t in figure.axes[0].texts if not t.get_text()]
assert all(t.arrow_patch is not None for t in arrows)
assert [(t.xyann, t.xy) for t in arrows] == list(itertools.pairwise(path[:5]))
# "across the floor of the valley to the other side ... at every one of the 100 steps. So the
# points at even epochs, the orange circles, all lie right of the floor, and those at odd
# epochs, the purple squares, all left of it": the floor runs nearly straight up the map
# (along v_min), so its sides are left and right; the side is the sign of the offset along
# v_max, pointed to the right
from matplotlib.colors import same_color

assert abs(v_min[1]) > 0.95
v_right = v_max if v_max[0] > 0 else [-v for v in v_max]
right = [(W_ - W_best) * v_right[0] + (b_ - b_best) * v_right[1] for W_, b_ in path]
assert all((offset > 0) == (k % 2 == 0) for k, offset in enumerate(right))
drawn = {line.get_label(): line for line in figure.axes[0].lines}
for name, start, marker, color in [("even", 0, "o", "tab:orange"), ("odd", 1, "s", "tab:purple")]:
    points = drawn[f"{name} epochs"]
    assert list(zip(points.get_xdata(), points.get_ydata(), strict=True)) == path[start::2]
    assert points.get_marker() == marker and same_color(points.get_color(), color)
    assert points.get_linestyle() == "None"
assert "even epochs are orange circles and those at odd epochs purple squares" in figure.alt
# "in all 100 epochs it moves along the valley by less than a tenth of the length of its
# first step, and once the bounces die down (epoch 45, below) the points crowd into the short
# stretch of floor that ends at point 100": within 1 of it, under 4% of the first step
first_step = math.dist(path[0], path[1])
assert abs(along[-1] - along[0]) < 0.1 * first_step
assert max(math.dist(p, path[-1]) for p in path[45:]) < 1 < 0.04 * first_step
# "on nearly one line, because each step moves it along the valley very little": for the
# first 30 steps, under 2% of how far it moves across
steps_along = [abs(b - a) for a, b in itertools.pairwise(along[:31])]
steps_across = [abs(b - a) for a, b in itertools.pairwise(across[:31])]
assert max(steps_along) < 0.02 * min(steps_across)
# "each step multiplies the offset across by -0.9" (to float32 rounding, while it is large)
assert all(round(b / a, 2) == -0.90 for a, b in itertools.pairwise(across[:40]))
assert abs((1 - 2 * lr * c_shifted.eigenvalues[1]) + 0.9) < 1e-12  # and in theory exactly
# "dies down over the first few dozen epochs"
assert abs(across[45]) < 0.01 * abs(across[0])
# "the offset along shrinks by only 0.26% a step, so after 100 epochs 77% of it is left"
assert all(f"{1 - b / a:.2%}" == "0.26%" for a, b in itertools.pairwise(along)), along
assert f"{along[-1] / along[0]:.0%}" == "77%"
# "still far from the optimum"
assert math.hypot(zigzag.W - W_best, zigzag.b - b_best) > 4
# the condition numbers and the ratio of the axes as the prose gives them
c_data = curvature(data.X)
assert abs(c_data.condition_number - 1) < 0.05  # "a round bowl has kappa ~ 1"
assert abs(c_shifted.condition_number - 725) < 5  # "kappa ~ 725"
assert round(c_shifted.condition_number**0.5) == 27  # "about 27 times longer than wide"
# "the closed rings around the star on the map": some rings close inside its view
figure.draw_without_rendering()  # the view, as drawn at an equal aspect
(W_lo, W_hi), (b_lo, b_hi) = figure.axes[0].get_xlim(), figure.axes[0].get_ylim()
closed = [
    p
    for p in figure.axes[0].collections[0].get_paths()
    if len(p.vertices)
    and p.vertices[:, 0].min() > W_lo
    and p.vertices[:, 0].max() < W_hi
    and p.vertices[:, 1].min() > b_lo
    and p.vertices[:, 1].max() < b_hi
]
assert len(closed) >= 5, len(closed)
# the ellipse's half-axes: on the ring at excess c, sqrt(c / lambda) along each eigenvector
for lam, v in zip(c_shifted.eigenvalues, c_shifted.eigenvectors.T, strict=True):
    point = torch.tensor([W_best, b_best], dtype=torch.float64) + math.sqrt(1.0 / lam) * v
    W_p, b_p = point.tolist()
    x64, y64 = shifted.X.double(), shifted.y.double()
    loss_p = ((W_p * x64 + b_p - y64) ** 2).mean().item()
    loss_best = ((W_best * x64 + b_best - y64) ** 2).mean().item()
    assert abs((loss_p - loss_best) - 1.0) < 1e-6
# "the gradient is about kappa times weaker along the valley than across it at the same
# distance": 2 H e along each eigenvector, at distance 1, in float64
v_lo, v_hi = c_shifted.eigenvectors.T
grad_along, grad_across = (2 * c_shifted.H @ v_lo).norm(), (2 * c_shifted.H @ v_hi).norm()
assert abs(grad_across / grad_along / c_shifted.condition_number - 1) < 1e-9
# "its second derivative in that direction, its curvature, is 2 lambda: lambda_max sets the
# curvature across the valley, lambda_min the curvature along it": the Hessian by autograd,
# in float64, along each eigenvector (v_max is across: the first steps cross along it, above)
x64, y64 = shifted.X.double(), shifted.y.double()
hessian_s = torch.autograd.functional.hessian(
    lambda p: ((p[0] * x64 + p[1] - y64) ** 2).mean(), torch.tensor([16.0, 10.0]).double()
)
for lam, v in zip(c_shifted.eigenvalues, c_shifted.eigenvectors.T, strict=True):
    assert abs((v @ hessian_s @ v).item() - 2 * lam) < 1e-9 * lam
# "Five epochs reach the least-squares line"
assert abs(W - W_best) < 1e-3 and abs(b - b_best) < 1e-2, (W, b, W_best, b_best)
assert loss < 1.001 * linreg.mse_loss(W_best * shifted.X + b_best, shifted.y).item()
assert abs(x_bar.item() - 5) < 0.1
# "100 epochs on the raw x did not come near"
assert abs(zigzag.b - b_best) > 4

# %% [markdown]
# ## Summary
#
# - The loss over $(W, b)$ is a bowl, $L = L^* + e^\top H e$, where $H$ is half the
#   loss's Hessian; with $x$ centred, $H$ is nearly the identity, the bowl is round, and the
#   path runs straight to the optimum.
# - An offset in $x$ makes a long, narrow valley (condition number about 725 for a mean of
#   5): the learning rate must suit the steep direction, so the path bounces across the
#   valley and crawls along it. Centring $x$ fixes it.
#
# ## Exercises
#
# **1. Predict, then run.** Shift $x$ to a mean of $-5$ instead of 5. Which entries of $H$
# change, and does the valley keep its narrowness?

# %% [markdown] tags=["solution"]
# Only $\bar x$ changes sign, so the off-diagonal entries become about $-5$: the valley
# tilts the other way (raising $W$ now goes with raising $b$). $\overline{x^2}$, the
# eigenvalues and the condition number stay nearly the same: about 721 against 725, not
# exactly, because this sample's mean of $x$ is not exactly 0, so $-5$ is not a mirror of 5.

# %% tags=["solution"]
mirrored = linreg.make_data(x_mean=-5.0)
answer = (curvature_matrix(mirrored.X), curvature(mirrored.X).condition_number)
print(answer[0])
print(f"condition number: {answer[1]:.4g}")

# %% tags=["check"]
H_minus, kappa_minus = answer
assert abs(H_minus[0, 1].item() + 5) < 0.1 and abs(H_minus[0, 0].item() - 26) < 0.5
assert round(kappa_minus) == 721 and round(curvature(shifted.X).condition_number) == 725

# %% [markdown]
# **2. A derivation.** Keep $x$ centred but scale it: $x \to 3x$. What are $H$, its
# condition number and the stability bound now? Derive, then check with `curvature`.

# %% [markdown] tags=["solution"]
# $\overline{(3x)^2} = 9\,\overline{x^2} \approx 9$ and $\overline{3x} \approx 0$, so
# $H \approx \operatorname{diag}(9, 1)$: eigenvalues about 9 and 1, a condition number about
# 9 (an ellipse 3 times longer than wide) and a bound about $1/9 \approx 0.11$. Scaling
# matters too, though far less here than the shift did: $\kappa \approx 9$ for the
# threefold spread, against about 725 for the shift of 5 (a valley 27 times longer than
# wide).

# %% tags=["solution"]
scaled = curvature(3 * data.X)
answer = (scaled.eigenvalues, scaled.condition_number, scaled.bound)
print(f"eigenvalues {answer[0][0]:.3f} and {answer[0][1]:.3f}")
print(f"condition number {answer[1]:.3f}, bound {answer[2]:.4f}")

# %% tags=["check"]
(low_s, high_s), kappa_s, bound_s = answer
assert abs(low_s - 1) < 0.05 and abs(high_s - 9) < 0.3
assert abs(kappa_s - 9) < 0.3 and round(kappa_s**0.5) == 3 and abs(bound_s - 1 / 9) < 0.005
# "scaling matters too, though far less here than the shift did: kappa ~ 9 for the threefold
# spread, against about 725 for the shift of 5 (a valley 27 times longer than wide)"
kappa_shift = curvature(shifted.X).condition_number
assert abs(kappa_shift - 725) < 5 and round(kappa_shift**0.5) == 27
assert kappa_s > 1.5 * curvature(data.X).condition_number  # "matters too": 9 against ~1
assert kappa_shift > 50 * kappa_s  # "far less"
