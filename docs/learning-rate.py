# %% [markdown]
# # Choosing the learning rate
#
# Too small a learning rate $\eta$ (`lr`) crawls; too large a one diverges. For the
# mean squared error the upper limit, and the best value below it, follow from the data
# alone. This page derives them, checks the prediction against training, and ends with an
# explorer in which you move $\eta$ yourself.
#
# ## The loss is a bowl
#
# [The loss landscape](landscape.html) showed, in steps 1 to 3, that the loss is exactly
#
# $$L(W, b) = L^* + e^\top H e, \qquad
#   H = \begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1 \end{pmatrix},$$
#
# where $e = (W - W^*,\ b - b^*)$ is how far $(W, b)$ is from the least-squares optimum,
# $L^*$ is the loss there, and a bar is a mean over the examples. Steps 4 to 7 follow a
# gradient step through that bowl.
#
# ## One step, one factor per direction
#
# The idea in two sentences. Every gradient step multiplies the error $e$ by the same
# matrix, $I - 2\eta H$; along the two directions that $H$ only stretches, that matrix acts
# as a plain number, $1 - 2\eta\lambda$. So each of the two parts of the error is multiplied
# by its own fixed factor at every step, and those two factors decide whether training
# converges, how fast, and whether it overshoots.
#
# 4. The gradient of $e^\top H e$ is $2He$ ($H$ is symmetric), so a gradient step,
#    $(W, b) \leftarrow (W, b) - \eta \nabla L$, does $e \leftarrow (I - 2\eta H)\, e$.
# 5. $H$ is symmetric, so it has two perpendicular unit **eigenvectors** $v_1, v_2$:
#    directions that $H$ only stretches, $H v_i = \lambda_i v_i$, by its **eigenvalues**
#    $\lambda_1 = \lambda_{\min}$ and $\lambda_2 = \lambda_{\max}$. Both are positive
#    unless every $x$ is the same: their product is $\overline{x^2} - \bar x^2$, the
#    variance of $x$, and their sum is $\overline{x^2} + 1$.
# 6. Write $e = c_1 v_1 + c_2 v_2$. One step multiplies each part by its own factor,
#    $c_i \leftarrow (1 - 2\eta\lambda_i)\, c_i$, and after $t$ steps
#    $c_i(t) = (1 - 2\eta\lambda_i)^t\, c_i(0)$.
# 7. In the same terms $e^\top H e = \lambda_1 c_1^2 + \lambda_2 c_2^2$, so
#
#    $$L_t - L^* = \sum_i \lambda_i\, c_i(0)^2\, (1 - 2\eta\lambda_i)^{2t}.$$
#
# Everything follows from the factors $1 - 2\eta\lambda_i$:
#
# - training **converges** exactly when both lie between $-1$ and $1$, that is when
#   $0 < \eta < 1/\lambda_{\max}$, the **stability bound**;
# - a factor near 1 is **slow** (a small $\eta$), a negative one **overshoots** (the part
#   changes sign at every step), and one near $-1$ is slow again, oscillating;
# - the slower part sets the pace, and it is fastest when the two factors balance,
#   $1 - 2\eta\lambda_{\min} = 2\eta\lambda_{\max} - 1$: the **best constant learning rate**
#   is $\eta = 1/(\lambda_{\min} + \lambda_{\max})$, which makes the larger of the two
#   $|1 - 2\eta\lambda_i|$ as small as it can be. Its factors are
#   $\pm(\kappa - 1)/(\kappa + 1)$, with $\kappa = \lambda_{\max}/\lambda_{\min}$ the
#   condition number: each part is multiplied by that, up to its sign, at every step.
#
# In code, $H$ and the bound are two short functions. The means are taken in float64, a
# chunk of the data at a time (`linreg.statistics.mean` and `mean_square`), so that
# neither rounding nor memory limits the size of the data:

# %% tags=["export"]
import torch

from linreg.statistics import mean, mean_square


def curvature_matrix(X):
    """H = [[mean of x², mean of x], [mean of x, 1]], in float64: half the loss's Hessian."""
    m1, m2 = (torch.tensor(m, dtype=torch.float64) for m in (mean(X), mean_square(X)))
    return torch.stack([torch.stack([m2, m1]), torch.stack([m1, torch.ones_like(m1)])])


def stability_bound(X):
    """The learning rate below which gradient descent on the MSE converges: 1 / λmax of H."""
    return 1.0 / torch.linalg.eigvalsh(curvature_matrix(X))[-1].item()


# %% [markdown]
# `linreg.stability_bound` is this function behind a check of its argument, and
# `linreg.curvature.curvature` gives both eigenvalues and the learning rates they allow:

# %%
import linreg
from linreg.curvature import curvature

data = linreg.make_data()
curv = curvature(data.X)
low, high = curv.eigenvalues
print(f"eigenvalues: {low:.4f} and {high:.4f}")
print(f"stability bound 1/λmax:      {stability_bound(data.X):.4f}")
print(f"best lr 1/(λmin + λmax):     {curv.best_lr:.4f}")

# %% [markdown]
# ## The prediction against training
#
# At the default $\eta = 0.1$ the factors are about $0.80$, so each epoch should keep about
# $0.80^2 = 0.64$ of the excess loss. `predicted_excess` evaluates the formula of step 7
# from the data and the start $(16, 10)$, without training; the dots are what training
# measured:

# %%
from linreg.curvature import predicted_excess
from linreg.plots import plot_contraction, plot_excess, plot_losses

model = linreg.LinearModel.like(data.X)
history = linreg.fit(model, data.X, data.y, lr=0.1, num_epochs=20)
W_best, b_best = linreg.least_squares(data.X, data.y)
best_loss = linreg.mse_loss(W_best * data.X + b_best, data.y).item()
predicted = predicted_excess(data.X, data.y, lr=history.lr, num_epochs=len(history.losses))
plot_excess(history, best_loss, predicted)

# %% [markdown]
# The factor each epoch multiplies the excess by, measured and predicted, every fourth
# epoch:

# %%
observed = [loss - best_loss for loss in history.losses]
for epoch in range(1, len(observed), 4):
    if observed[epoch - 1] < 1e-6 * observed[0]:
        break  # down to float32's rounding of the loss: nothing left to measure
    measured = observed[epoch] / observed[epoch - 1]
    expected = predicted[epoch] / predicted[epoch - 1]
    print(f"epoch {epoch:2}: measured {measured:.4f}, predicted {expected:.4f}")

# %% [markdown]
# They agree to within 0.01% at every epoch: the theory is not an approximation here, the
# loss *is* this quadratic.
#
# ## A sweep of learning rates
#
# The two factors $|1 - 2\eta\lambda_i|$ as functions of $\eta$ (`lr` in the code), with
# the learning rates tried below marked on the larger of the two, which sets the pace:

# %%
from linreg.plots import SWEEP  # too small, the default, one step, near and above the bound

print(SWEEP)
plot_contraction(curv, SWEEP)

# %% [markdown]
# Here the two lines nearly coincide. $H$ is nearly the identity, so its eigenvalues,
# 0.9978 and 1.008, are nearly equal, and so are the two factors: nowhere in the figure do
# they differ by more than 0.03. On the shifted data of the previous page they part
# (below).
#
# And the runs themselves, each from $(16, 10)$ for 20 epochs:

# %%
histories = []
for lr in SWEEP:
    try:
        run = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=lr)
    except linreg.DivergenceError as error:
        run = error.history
        print(f"lr = {lr}: DivergenceError at epoch {len(run.losses) - 1}")
    else:
        print(f"lr = {lr}: loss {run.losses[-1]:.4g} at epoch {len(run.losses) - 1}")
    histories.append(run)

plot_losses(histories, best_loss=best_loss)

# %% [markdown]
# - **0.01, too small**: factors of 0.98; at epoch 19, the last logged, the excess loss
#   has kept $0.98^{38} \approx 46\%$ of its start.
# - **0.1, the default**: factors of 0.80, the steady fall of the Training page.
# - **0.5, one step**: here $H$ is nearly the identity (the previous page), so $2\eta H
#   \approx I$ and one step takes $e$ to nearly zero: it removes all but 0.01% of the
#   excess loss, and after the second step the loss equals $L^*$ to six digits. For this
#   quadratic, **Newton's step**, $(W, b) - (\nabla^2 L)^{-1} \nabla L$ with the Hessian
#   $\nabla^2 L = 2H$, lands on the optimum exactly; with $H \approx I$, plain gradient
#   descent at 0.5 is almost that step. (The best constant learning rate, 0.4985, is the
#   number $\eta$ that makes $I - 2\eta H$ smallest.) This is why the Training page's
#   `linreg --lr 0.5 --epochs 10` has all but converged after one epoch.
# - **0.95, near the bound**: factors of about $-0.9$; every step overshoots, $W$ and $b$
#   swing from one side of the optimum to the other, and the loss falls slowly again.
# - **1.05, above the bound**: both factors are below $-1$; each step lands on the other
#   side of the optimum, farther from it than it started, the loss rises at the first
#   step, and `fit` raises a `DivergenceError`.
#
# ## The shifted data
#
# On the previous page, shifting $x$ to a mean of 5 made a valley with condition number
# $\kappa \approx 725$. Its eigenvalues are far apart, and so are the two factors
# $1 - 2\eta\lambda_i$, here at a few learning rates up to the bound:

# %%
import math

from linreg.plots import SHIFT

shifted = linreg.make_data(x_mean=SHIFT)  # SHIFT = 5.0
valley = curvature(shifted.X)
print(f"eigenvalues: {valley.eigenvalues[0]:.4f} and {valley.eigenvalues[1]:.4f}")
for lr in (0.005, 0.0185, 0.03, valley.best_lr, valley.bound):
    f_min, f_max = valley.factors(lr)
    print(f"lr = {lr:.5f}: factors {f_min:.4f} (for λmin) and {f_max:+.4f} (for λmax)")

# %% [markdown]
# The factor for $\lambda_{\max}$ runs from near 1, through 0 at
# $\eta = 1/(2\lambda_{\max}) \approx 0.0185$, to $-1$ at the bound, as both factors do on
# our data. The factor for $\lambda_{\min}$, an eigenvalue 725 times smaller, barely leaves
# 1: below the bound it stays above 0.997, so the larger of the two, in size, never falls
# below 0.997 either. The same formulas say how much that costs. At the best constant
# learning rate both factors have the same size, so the distance to the optimum shrinks by
# exactly that factor at every step, and the steps it takes to shrink tenfold follow:

# %%
for name, d in [("x with mean 0", data), ("x with mean 5", shifted)]:
    bowl = curvature(d.X)
    rate = bowl.contraction(bowl.best_lr)
    steps = math.ceil(math.log(10) / -math.log(rate))  # the first t with rate**t <= 1/10
    print(
        f"{name}: bound {bowl.bound:.5f}, best lr {bowl.best_lr:.5f}, factor per step "
        f"{rate:.4f}, steps until the distance is a tenth: {steps}"
    )

# %% [markdown]
# With $x$ centred, the best learning rate leaves a factor of 0.005: one step does nearly
# all the work. With $x$ shifted, the best constant learning rate is just under a bound 27
# times smaller, and its factor is $(\kappa-1)/(\kappa+1) \approx 0.997$: it takes 836
# steps to shrink the distance to the optimum tenfold. No learning rate fixes a badly
# conditioned bowl; centring $x$ does.
#
# ## Explore
#
# Move the learning-rate slider (drag it, or focus it and use the arrow keys): the path
# over the loss landscape, the loss curve, and the loss after each step are redrawn for that
# learning rate. The menu above it picks the data: the round bowl of this page ($x$ with
# mean 0) or the valley ($x$ with mean 5). The [momentum](glossary.html#momentum) slider
# belongs to the next page, [Momentum](momentum.html); at 0, where it starts, each step is
# the plain gradient step of this page.
#
# On the round bowl there are 44 learning rates, from 0.025 to 1.1 in steps of 0.025, each
# at momentum 0, 0.5 and 0.9, for 20 steps. On the valley there are 7: a quarter, a half
# and three quarters of its stability bound, its best constant rate, 1.25 and 1.6 times the
# bound, and the rate the Momentum page tunes the [heavy ball](glossary.html#heavy-ball)
# to; each at momentum 0, 0.5, 0.8, 0.86 (that page's tuning) and 0.95, for 150 steps,
# since the valley is slow. All 167 runs were computed by `linreg` when this page was
# built, with the bare training loops, so that the runs above the bound go on and show
# their divergence instead of stopping at the first rise.

# %%
from linreg.explorer import explore, together
from linreg.pages.momentum import heavy_ball_tuning

lrs = [round(0.025 * k, 3) for k in range(1, 45)]  # round: 0.025 * 38 is 0.9500000000000001
explorer = explore(
    data.X,
    data.y,
    lrs,
    momenta=(0.0, 0.5, 0.9),
    true_W=data.true_W,
    true_b=data.true_b,
    shown=(0.1, 0.5, 0.95),
)
tuned_lr, tuned_momentum = heavy_ball_tuning(*valley.eigenvalues)  # the Momentum page's
fractions = (0.25, 0.5, 0.75, 1.25, 1.6)  # of the valley's stability bound
valley_lrs = sorted([valley.bound * f for f in fractions] + [valley.best_lr, tuned_lr])
valley_explorer = explore(
    shifted.X,
    shifted.y,
    valley_lrs,
    momenta=(0.0, 0.5, 0.8, tuned_momentum, 0.95),
    num_epochs=150,
    true_W=shifted.true_W,
    true_b=shifted.true_b,
    start=valley.best_lr,
)
together({"the round bowl": explorer, "the valley": valley_explorer})

# %% [markdown]
# The explorer shows 21 losses for each run: the one at the start and the one after each of
# the 20 steps. The loss logs on these pages show the 20 losses at the *start* of each
# epoch, so they stop one step earlier. At 0.1 the explorer's loss after step 19, 1.113, is
# the last loss the Training page logs (1.11 there, at epoch 19), and its loss after step
# 20, 1.0947, is the loss after the last update (1.095 there).
#
# Things to try: find the largest learning rate whose path never overshoots (both factors
# positive: $\eta < 1/(2\lambda_{\max})$); step from 0.975 to 1.0 across the bound and
# watch the loss curve tip from falling to rising; compare 0.45, where each step stops short
# of the optimum, with 0.55, where each step goes past it: their factors are about $+0.1$
# and $-0.1$, and both are within 0.1% of $L^*$ after three steps.
#
# On the valley: at its best constant rate, 0.0370, the path bounces from one side of the
# valley to the other for all 150 steps, and the loss is still about 2508 at the end (least
# squares: 1.0626). At 0.0278, three quarters of the bound, the bounce dies within ten
# steps, but the path then creeps along the floor and ends at 2.05. Momentum moves the
# bound: at 0.0463, 1.25 times it, momentum 0 diverges and momentum 0.5 converges, since
# with momentum $\mu$ the learning rate only has to stay below $1 + \mu$ times the bound.
# At the Momentum page's tuning, 0.0688 and 0.86, the loss rises 98-fold by step 13 before
# it falls, and is 1.164 after 150 steps: the tuning wins in the long run, and over these
# 150 steps a smaller rate at the same momentum, 0.0463, ends closer (1.0628).

# %% tags=["check"]
import itertools
import math

import linreg.curvature

# "linreg.stability_bound is this function", and curvature's eigenvalues give the same bound
assert linreg.stability_bound(data.X) == stability_bound(data.X)
assert torch.equal(linreg.curvature.curvature_matrix(data.X), curvature_matrix(data.X))
assert abs(curv.bound - stability_bound(data.X)) < 1e-12
# the derivation: L = L* + e^T H e, checked in float64 at random points
x64, y64 = data.X.double(), data.y.double()
H = curvature_matrix(data.X)
generator = torch.Generator().manual_seed(0)
for W_, b_ in (torch.randn(20, 2, generator=generator, dtype=torch.float64) * 10).tolist():
    e = torch.tensor([W_ - W_best, b_ - b_best], dtype=torch.float64)
    direct = ((W_ * x64 + b_ - y64) ** 2).mean().item()
    L_star = ((W_best * x64 + b_best - y64) ** 2).mean().item()
    assert abs(direct - (L_star + e @ H @ e).item()) < 1e-9 * direct
# "every gradient step multiplies the error e by the same matrix, I - 2 eta H ... each of
# the two parts of the error is multiplied by its own fixed factor": the run at 0.1
identity = torch.eye(2, dtype=torch.float64)
errors = [
    torch.tensor([W_ - W_best, b_ - b_best], dtype=torch.float64)
    for W_, b_ in zip([*history.Ws, history.W], [*history.bs, history.b], strict=True)
]
for before, after in itertools.pairwise(errors[:10]):  # while float32 rounding is small
    assert torch.allclose(after, (identity - 2 * 0.1 * H) @ before, rtol=1e-4, atol=1e-5)
    parts_before, parts_after = curv.eigenvectors.T @ before, curv.eigenvectors.T @ after
    factors = (parts_after / parts_before).tolist()
    assert all(abs(f - g) < 1e-4 for f, g in zip(factors, curv.factors(0.1), strict=True))
# step 4: the gradient is 2 H e (autograd as the oracle)
W_t = torch.tensor(16.0, dtype=torch.float64, requires_grad=True)
b_t = torch.tensor(10.0, dtype=torch.float64, requires_grad=True)
((W_t * x64 + b_t - y64) ** 2).mean().backward()
e0 = torch.tensor([16.0 - W_best, 10.0 - b_best], dtype=torch.float64)
assert torch.allclose(torch.stack([W_t.grad, b_t.grad]), 2 * H @ e0, rtol=1e-9)
# step 5: the product of the eigenvalues is the variance of x
assert abs(low * high - x64.var(correction=0).item()) < 1e-9
# the bound and the best lr as the page writes them
assert abs(curv.bound - 1 / high) < 1e-15 and abs(curv.best_lr - 1 / (low + high)) < 1e-15
# "the factors are about 0.80 ... about 0.64 of the excess"
assert all(round(f, 2) == 0.80 for f in curv.factors(0.1)), curv.factors(0.1)
# "within 0.01% at every epoch" (the bar is 1%)
measured = [b / a for a, b in itertools.pairwise(observed)]
expected = [b / a for a, b in itertools.pairwise(predicted)]
assert all(abs(m / p - 1) < 1e-4 for m, p in zip(measured, expected, strict=True)), measured
assert all(abs(o / p - 1) < 1e-4 for o, p in zip(observed, predicted, strict=True))
assert all(round(p, 2) == 0.64 for p in expected)
# "here the two lines nearly coincide ... eigenvalues, 0.9978 and 1.008 ... nowhere in the
# figure do they differ by more than 0.03" (the legend gives them to 4 digits too)
assert f"{low:.4g}" == "0.9978" and f"{high:.4g}" == "1.008"
figure = plot_contraction(curv, SWEEP)
line_min, line_max = (line.get_ydata() for line in figure.axes[0].lines[:2])
assert max(abs(a - b) for a, b in zip(line_min, line_max, strict=True)) < 0.03
# the sweep: which runs diverged, and the claims about each
assert SWEEP == (0.01, 0.1, 0.5, 0.95, 1.05)
runs = dict(zip(SWEEP, histories, strict=True))
assert [len(h.losses) for h in histories] == [20, 20, 20, 20, 2]
kept = (runs[0.01].losses[-1] - best_loss) / (runs[0.01].losses[0] - best_loss)
assert round(kept, 2) == round(0.98**38, 2) == 0.46, kept  # "kept 0.98^38 ~ 46%"
assert all(round(f, 2) == 0.98 for f in curv.factors(0.01))
# "0.5: removes all but 0.01% of the excess ... after the second, L* to six digits"
one = runs[0.5]
assert (one.losses[1] - best_loss) < 1e-4 * (one.losses[0] - best_loss)
assert f"{one.losses[2]:.6g}" == f"{best_loss:.6g}"
# Newton's step lands on the optimum exactly (float64); gradient descent at 0.5 nearly does
start = torch.tensor([16.0, 10.0], dtype=torch.float64)
newton = start - torch.linalg.solve(2 * H, 2 * H @ e0)
assert torch.allclose(newton, torch.tensor([W_best, b_best], dtype=torch.float64), atol=1e-9)
assert math.hypot(one.Ws[1] - W_best, one.bs[1] - b_best) < 0.01 * e0.norm().item()
assert f"{curv.best_lr:.4f}" == "0.4985"
# the CLI example "has all but converged after one epoch": its log, as the run above
import contextlib
import io

from linreg import cli

log = io.StringIO()
with contextlib.redirect_stdout(log):
    assert cli.main(["--lr", "0.5", "--epochs", "10"]) == 0
logged = [float(line.rsplit(":", 1)[1]) for line in log.getvalue().splitlines()[:3]]
assert logged == one.losses[:3], log.getvalue()
# "0.95: factors of about -0.9; every step overshoots": the distance changes sign along e0
f95 = curv.factors(0.95)
assert all(round(f, 1) == -0.9 for f in f95), f95
side = [
    (W_ - W_best) * e0[0].item() + (b_ - b_best) * e0[1].item()
    for W_, b_ in zip(runs[0.95].Ws, runs[0.95].bs, strict=True)
]
assert all(a * b < 0 for a, b in itertools.pairwise(side))
assert runs[0.95].losses[-1] > 5 * runs[0.1].losses[-1]  # "falls slowly again"
# "1.05, above the bound: a factor below -1 ... the loss rises at the first step"
assert 1.05 > curv.bound > 0.95 and min(curv.factors(1.05)) < -1
assert runs[1.05].losses[1] > runs[1.05].losses[0]
# the shifted data
c_s = curvature(shifted.X)
assert SHIFT == 5.0 and round(c_s.condition_number) in range(720, 731)  # "kappa ~ 725"
# "the factor for lambda_max runs from near 1, through 0 at 1/(2 lambda_max) ~ 0.0185, to -1
# at the bound; the factor for lambda_min, an eigenvalue 725 times smaller, barely leaves 1:
# below the bound it stays above 0.997, so the larger of the two, in size, never falls
# below 0.997"
low_s, high_s = c_s.eigenvalues
assert abs(c_s.factors(1 / (2 * high_s))[1]) < 1e-12 and abs(c_s.factors(c_s.bound)[1] + 1) < 1e-12
assert round(1 / (2 * high_s), 4) == 0.0185 and round(high_s / low_s) == 725
grid = [c_s.bound * k / 1000 for k in range(1, 1000)]
assert all(c_s.factors(lr)[0] > 0.997 for lr in grid)
assert min(c_s.contraction(lr) for lr in grid) > 0.997
assert all(f_max > -1 for _, f_max in map(c_s.factors, grid))  # "to -1 at the bound"
# "at the best constant learning rate both factors have the same size, so the distance
# shrinks by exactly that factor at every step": in float64, and the steps it takes
f_lo, f_hi = c_s.factors(c_s.best_lr)
assert abs(abs(f_lo) - abs(f_hi)) < 1e-12
e_s = torch.tensor([16.0, 10.0], dtype=torch.float64) - torch.tensor(
    linreg.least_squares(shifted.X, shifted.y), dtype=torch.float64
)
step = torch.eye(2, dtype=torch.float64) - 2 * c_s.best_lr * c_s.H
distances = [e_s.norm().item()]
for _ in range(836):
    e_s = step @ e_s
    distances.append(e_s.norm().item())
assert all(
    abs(b / a - c_s.contraction(c_s.best_lr)) < 1e-9 for a, b in itertools.pairwise(distances)
)
assert distances[835] > distances[0] / 10 >= distances[836]  # "836 steps"
assert round(curv.contraction(curv.best_lr), 3) == 0.005  # "a factor of 0.005"
assert round(curv.bound / c_s.bound) == 27  # "a bound 27 times smaller"
kappa = c_s.condition_number
assert abs(c_s.contraction(c_s.best_lr) - (kappa - 1) / (kappa + 1)) < 1e-12
assert round(c_s.contraction(c_s.best_lr), 3) == 0.997  # "~ 0.997"
assert steps == 836  # the last line printed, and "it takes 836 steps"
assert f"{c_s.bound:.5f}" != f"{c_s.best_lr:.5f}"  # the printout tells them apart
assert c_s.best_lr < c_s.bound  # "just under"
# the explorer: 44 runs from 0.025 to 1.1 in steps of 0.025, the build's numbers
assert len(lrs) == 44 and lrs[0] == 0.025 and lrs[-1] == 1.1
assert all(abs(b - a - 0.025) < 1e-9 for a, b in itertools.pairwise(lrs))
assert explorer.spec["runs"][lrs.index(0.1)]["loss"][:20] == [
    float(f"{v:.6g}") for v in history.losses
]
above = [h for h in explorer.runs(0.0) if h.lr > curv.bound]
assert above and all(len(h.losses) == 20 for h in above)  # "go on for 20 epochs"
assert all(h.losses[-1] > h.losses[0] for h in above)  # "show their divergence"
# "things to try": the largest lr that never overshoots is below 1/(2 lambda_max)
for h in explorer.runs(0.0):
    side = [
        (W_ - W_best) * e0[0].item() + (b_ - b_best) * e0[1].item()
        for W_, b_ in zip([*h.Ws, h.W], [*h.bs, h.b], strict=True)
    ]
    overshoots = any(a * b < 0 for a, b in itertools.pairwise(side))
    assert overshoots == (h.lr > 1 / (2 * high)), h.lr
assert 0.975 < curv.bound < 1.0  # "0.975 to 1.0 across the bound"
# "0.45 stops short, 0.55 goes past: factors of about +0.1 and -0.1, both within 0.1% at 3"
f45, f55 = curv.factors(0.45), curv.factors(0.55)
assert all(round(a, 1) == 0.1 and round(b, 1) == -0.1 for a, b in zip(f45, f55, strict=True))
run45, run55 = (explorer.spec["runs"][lrs.index(lr)]["loss"] for lr in (0.45, 0.55))
assert run45[3] < 1.001 * best_loss and run55[3] < 1.001 * best_loss, (run45, run55)
# "21 losses ... at 0.1 the explorer's loss after step 19, 1.113, is the last loss the
# Training page logs (1.11 there, at epoch 19), and its loss after step 20, 1.0947, is the
# loss after the last update (1.095 there)" (the explorer's script shows 5 digits)
run10 = explorer.spec["runs"][lrs.index(0.1)]["loss"]
assert len(run10) == 21 and run10[19] == float(f"{history.losses[19]:.6g}")
assert f"{run10[19]:.5g}" == "1.113" and f"{history.losses[19]:.2f}" == "1.11"
after_last = linreg.mse_loss(model(data.X), data.y).item()
assert f"{run10[20]:.5g}" == "1.0947" and f"{after_last:.3f}" == "1.095"
assert run10[20] == float(f"{after_last:.6g}")
# the explorer of two data sets: 44 x 3 runs on the round bowl, 7 x 5 on the valley, 167
assert len(explorer.histories) == 132 and len(valley_explorer.histories) == 35
assert fractions == (0.25, 0.5, 0.75, 1.25, 1.6) and tuned_lr in valley_lrs
assert valley_explorer.momenta == (0.0, 0.5, 0.8, tuned_momentum, 0.95)
assert explorer.spec["epochs"] == 20 and valley_explorer.spec["epochs"] == 150
assert explorer.momenta == (0.0, 0.5, 0.9) and f"{tuned_momentum:.2f}" == "0.86"
valley_runs = {(r["momentum"], r["lr"]): r for r in valley_explorer.spec["runs"]}
lr_34, lr_54 = valley.bound * 0.75, valley.bound * 1.25
assert [f"{v:.4f}" for v in (valley.best_lr, lr_34, lr_54, tuned_lr)] == [
    "0.0370",
    "0.0278",
    "0.0463",
    "0.0688",
]  # as the explorer shows them: 4 decimals on the valley
assert valley_explorer.spec["lr_decimals"] == 4 and valley_explorer.spec["momentum_decimals"] == 2
# "the path bounces from one side to the other for all 150 steps ... still about 2508"
at_best = valley_runs[0.0, valley.best_lr]
assert (
    f"{at_best['loss'][-1]:.4g}" == "2508"
    and f"{valley_explorer.spec['best_loss']:.5g}" == "1.0626"
)
assert at_best["factors"][1] < -0.997  # the part across the valley changes sign every step
# "at 0.0278 the bounce dies within ten steps ... creeps along the floor and ends at 2.05"
at_34 = valley_runs[0.0, lr_34]
assert at_34["factors"][1] == -0.5 and 0.5**10 < 1e-3 and at_34["factors"][0] > 0.997
assert f"{at_34['loss'][-1]:.3g}" == "2.05"
# "at 0.0463, momentum 0 diverges and momentum 0.5 converges ... below 1 + mu times the bound"
assert valley_runs[0.0, lr_54]["loss"][-1] > 1e30
assert valley_runs[0.5, lr_54]["loss"][-1] < 1.3 and max(valley_runs[0.5, lr_54]["factors"]) < 1
assert lr_54 < (1 + 0.5) * valley.bound
# "at the tuning, the loss rises 98-fold by step 13 ... is 1.164 after 150 steps ... a
# smaller rate at the same momentum, 0.0463, ends closer (1.0628)"
tuned_loss = valley_runs[tuned_momentum, tuned_lr]["loss"]
peak = max(range(len(tuned_loss)), key=tuned_loss.__getitem__)
assert peak == 13 and round(tuned_loss[peak] / tuned_loss[0]) == 98, (peak, tuned_loss[:20])
assert f"{tuned_loss[-1]:.4g}" == "1.164" and len(tuned_loss) == 151
assert f"{valley_runs[tuned_momentum, lr_54]['loss'][-1]:.5g}" == "1.0628"
# "1.05: both factors are below -1"
assert all(f < -1 for f in curv.factors(1.05))
# "which makes the larger of the two |1 - 2 eta lambda| as small as it can be"
grid = [k / 10000 for k in range(1, 10000)]
assert abs(min(grid, key=curv.contraction) - curv.best_lr) < 1e-3

# %% [markdown]
# ## Summary
#
# - Each step multiplies the part of the error along each eigenvector of $H$ by
#   $1 - 2\eta\lambda$; training converges exactly when $\eta < 1/\lambda_{\max}$.
# - The best constant learning rate is $1/(\lambda_{\min} + \lambda_{\max})$; its factor
#   $(\kappa - 1)/(\kappa + 1)$ is near 0 for a round bowl and near 1 for a narrow valley.
# - The prediction $L_t - L^* = \sum_i \lambda_i c_i^2 (1 - 2\eta\lambda_i)^{2t}$ matches
#   training to float32 rounding.
#
# ## Exercises
#
# **1. Predict, then run.** On the shifted data, train from $(16, 10)$ for 100 epochs at
# $\eta = 1/(2\lambda_{\max})$, half the bound, instead of at 95% of it as on the previous
# page. Predict what the path does, and whether it ends closer to the optimum than that
# run. Then train both and compare their distances to the optimum.

# %% [markdown] tags=["solution"]
# At half the bound the factor across the valley is $1 - 2\eta\lambda_{\max} = 0$: the first
# step removes the offset across, and the path lands on the valley floor and never bounces.
# Yet it ends farther from the optimum, 6.12 against 5.40. The factor along the valley is
# $1 - \lambda_{\min}/\lambda_{\max} = 1 - 1/\kappa \approx 0.9986$, against
# $1 - 1.9/\kappa \approx 0.9974$ at 95% of the bound, so each step covers about half as
# much of the way along: after 100 epochs the offset along keeps 87% of its start instead
# of 77%. The bounces did not slow the run down; the crawl along the floor did.

# %% tags=["solution"]
from linreg.plots import SHIFTED_FRACTION

W_s, b_s = linreg.least_squares(shifted.X, shifted.y)
answer = []
for lr in (1 / (2 * valley.eigenvalues[1]), SHIFTED_FRACTION * valley.bound):
    run = linreg.fit(
        linreg.LinearModel.like(shifted.X), shifted.X, shifted.y, lr=lr, num_epochs=100
    )
    answer.append(math.hypot(run.W - W_s, run.b - b_s))
    print(f"lr = {lr:.4f}: distance to the optimum after 100 epochs {answer[-1]:.2f}")

# %% tags=["check"]
assert [f"{d:.2f}" for d in answer] == ["6.12", "5.40"] and answer[0] > answer[1]
v_along, v_across = c_s.eigenvectors.T.tolist()
half = linreg.fit(
    linreg.LinearModel.like(shifted.X),
    shifted.X,
    shifted.y,
    lr=1 / (2 * c_s.eigenvalues[1]),
    num_epochs=100,
)
zz = linreg.fit(
    linreg.LinearModel.like(shifted.X), shifted.X, shifted.y, lr=0.95 * c_s.bound, num_epochs=100
)


def offsets(run, v):
    points = zip([*run.Ws, run.W], [*run.bs, run.b], strict=True)
    return [(W_ - W_s) * v[0] + (b_ - b_s) * v[1] for W_, b_ in points]


across_half = offsets(half, v_across)
assert max(abs(a) for a in across_half[1:]) < 1e-5 * abs(across_half[0])  # "never bounces"
assert round(1 - 1 / c_s.condition_number, 4) == 0.9986 == round(c_s.factors(half.lr)[0], 4)
assert round(1 - 1.9 / c_s.condition_number, 4) == 0.9974 == round(c_s.factors(zz.lr)[0], 4)
kept = [offsets(r, v_along)[-1] / offsets(r, v_along)[0] for r in (half, zz)]
assert [f"{k:.0%}" for k in kept] == ["87%", "77%"], kept

# %% [markdown]
# **2. A derivation.** Where between 0 and the stability bound does the best constant
# learning rate lie? Find the ratio of the best learning rate to the bound as a function of
# $\kappa$ alone, then compute it for our data and for the shifted data.

# %% [markdown] tags=["solution"]
# $\dfrac{1/(\lambda_{\min} + \lambda_{\max})}{1/\lambda_{\max}} =
# \dfrac{\lambda_{\max}}{\lambda_{\min} + \lambda_{\max}} = \dfrac{\kappa}{\kappa + 1}$.
# Since $\kappa \ge 1$, the ratio lies between $1/2$, for a round bowl, and 1. Our data,
# with $\kappa \approx 1.01$, give 0.503: the best rate is about half the bound. The shifted
# data, with $\kappa \approx 725$, give 0.9986: in a narrow valley the best constant
# learning rate sits right at the edge of divergence.

# %% tags=["solution"]
answer = [c.best_lr / c.bound for c in (curv, valley)]
print(f"best lr / bound: {answer[0]:.4f} for our data, {answer[1]:.4f} for the shifted data")

# %% tags=["check"]
assert [round(answer[0], 3), round(answer[1], 4)] == [0.503, 0.9986], answer
for ratio, c in zip(answer, (curv, c_s), strict=True):
    kappa = c.condition_number
    assert abs(ratio - kappa / (kappa + 1)) < 1e-12 and 0.5 <= ratio < 1
assert round(curv.condition_number, 2) == 1.01 and round(c_s.condition_number) == 725
