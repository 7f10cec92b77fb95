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
# Notation, as on the previous pages: $n$ examples $(x_i, y_i)$; a bar is a mean over them,
# so $\bar x = \frac1n \sum_i x_i$ and $\overline{x^2} = \frac1n \sum_i x_i^2$; the loss is
# $L(W, b) = \frac1n \sum_i (W x_i + b - y_i)^2$. Let $(W^*, b^*)$ be the least-squares
# optimum, $L^*$ the loss there, and $e = (e_W, e_b) = (W - W^*,\ b - b^*)$ how far
# $(W, b)$ is from it.
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
# So $L = L^* + e^\top H e$ exactly: a bowl whose shape is $H$.
#
# ## One step, one factor per direction
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
sweep = (0.01, 0.1, 0.5, 0.95, 1.05)  # too small, the default, one step, near and above the bound
plot_contraction(curv, sweep)

# %% [markdown]
# And the runs themselves, each from $(16, 10)$ for 20 epochs:

# %%
histories = []
for lr in sweep:
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
# $\kappa \approx 725$. The same formulas say how much that costs:

# %%
import math

shifted = linreg.make_data(x_mean=5.0)
for name, d in [("x with mean 0", data), ("x with mean 5", shifted)]:
    bowl = curvature(d.X)
    rate = bowl.contraction(bowl.best_lr)
    tenfold = math.log(10) / -math.log(rate)  # steps for the distance to shrink tenfold
    print(
        f"{name}: bound {bowl.bound:.5f}, best lr {bowl.best_lr:.5f}, factor per step "
        f"{rate:.4f}, {tenfold:.1f} steps to shrink the distance tenfold"
    )

# %% [markdown]
# With $x$ centred, the best learning rate leaves a factor of 0.005: one step does nearly
# all the work. With $x$ shifted, the best constant learning rate is just under a bound 27
# times smaller, and its factor is $(\kappa-1)/(\kappa+1) \approx 0.997$: it takes more than
# 800 steps to shrink the distance to the optimum tenfold. No learning rate fixes a badly
# conditioned bowl; centring $x$ does.
#
# ## Explore
#
# Move the slider (drag it, or focus it and use the arrow keys): the path over the loss
# landscape, the loss curve, and the loss after each step are redrawn for that learning
# rate. All 44 runs, from 0.025 to 1.1 in steps of 0.025, were computed by `linreg` when
# this page was built, with the bare training loop, so that the runs above the bound go on
# for 20 epochs and show their divergence instead of stopping at the first rise.

# %%
from linreg.explorer import explore

lrs = [round(0.025 * k, 3) for k in range(1, 45)]  # round: 0.025 * 38 is 0.9500000000000001
explorer = explore(
    data.X, data.y, lrs, true_W=data.true_W, true_b=data.true_b, shown=(0.1, 0.5, 0.95)
)
explorer

# %% [markdown]
# The explorer shows 21 losses for each run: the one at the start and the one after each of
# the 20 steps. The loss logs on these pages show the 20 losses at the *start* of each
# epoch, so they stop one step earlier (at 0.1, 1.113 at epoch 19, against 1.0947 after the
# last step).
#
# Things to try: find the largest learning rate whose path never overshoots (both factors
# positive: $\eta < 1/(2\lambda_{\max})$); step from 0.975 to 1.0 across the bound and
# watch the loss curve tip from falling to rising; compare 0.45, where each step stops short
# of the optimum, with 0.55, where each step goes past it: their factors are about $+0.1$
# and $-0.1$, and both are within 0.1% of $L^*$ after three steps.

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
# step 2: the least-squares residuals have mean 0 and are uncorrelated with x
r = W_best * x64 + b_best - y64
assert abs(r.mean().item()) < 1e-9 and abs((x64 * r).mean().item()) < 1e-9
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
# the sweep: which runs diverged, and the claims about each
runs = dict(zip(sweep, histories, strict=True))
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
assert round(c_s.condition_number) in range(720, 731)  # "kappa ~ 725"
assert round(curv.contraction(curv.best_lr), 3) == 0.005  # "a factor of 0.005"
assert round(curv.bound / c_s.bound) == 27  # "a bound 27 times smaller"
kappa = c_s.condition_number
assert abs(c_s.contraction(c_s.best_lr) - (kappa - 1) / (kappa + 1)) < 1e-12
assert round(c_s.contraction(c_s.best_lr), 3) == 0.997  # "~ 0.997"
steps = math.log(10) / -math.log(c_s.contraction(c_s.best_lr))
assert 800 < steps < 900, steps  # "more than 800 steps"
assert f"{c_s.bound:.5f}" != f"{c_s.best_lr:.5f}"  # the printout tells them apart
assert c_s.best_lr < c_s.bound  # "just under"
# the explorer: 44 runs from 0.025 to 1.1 in steps of 0.025, the build's numbers
assert len(lrs) == 44 and lrs[0] == 0.025 and lrs[-1] == 1.1
assert all(abs(b - a - 0.025) < 1e-9 for a, b in itertools.pairwise(lrs))
assert explorer.spec["runs"][lrs.index(0.1)]["loss"][:20] == [
    float(f"{v:.6g}") for v in history.losses
]
above = [h for h in explorer.histories if h.lr > curv.bound]
assert above and all(len(h.losses) == 20 for h in above)  # "go on for 20 epochs"
assert all(h.losses[-1] > h.losses[0] for h in above)  # "show their divergence"
# "things to try": the largest lr that never overshoots is below 1/(2 lambda_max)
for h in explorer.histories:
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
# "21 losses ... at 0.1, 1.113 at epoch 19, against 1.0947 after the last step"
run10 = explorer.spec["runs"][lrs.index(0.1)]["loss"]
assert len(run10) == 21 and f"{history.losses[19]:.4g}" == "1.113"
assert f"{run10[-1]:.5g}" == "1.0947"
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
# **1. Predict, then run.** Use the formula (`predicted_excess`) to predict the loss at
# epoch 3 with lr 0.3, then train and compare.

# %% [markdown] tags=["solution"]
# Both factors are about $1 - 0.6 = 0.4$, so the excess keeps about $0.16$ per epoch: from
# about 261.5 to roughly $261.5 \cdot 0.16^3 \approx 1.1$ at epoch 3. With the exact
# eigenvalues (factors 0.401 and 0.395) the formula gives a loss of 2.06, and training
# agrees to six digits.

# %% tags=["solution"]
expected = predicted_excess(data.X, data.y, lr=0.3, num_epochs=4)[3] + best_loss
trained = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=0.3, num_epochs=4)
answer = (expected, trained.losses[3])
print(f"predicted {answer[0]:.6f}, trained {answer[1]:.6f}")

# %% tags=["check"]
assert abs(answer[0] - answer[1]) < 1e-5 * answer[1] and round(answer[0], 2) == 2.06
assert all(round(f, 1) == 0.4 for f in curv.factors(0.3))
assert [round(f, 3) for f in curv.factors(0.3)] == [0.401, 0.395]

# %% [markdown]
# **2. A derivation.** Suppose $x$ is centred with variance $s^2$ instead of 1. What is the
# stability bound, as a function of $s$? Check it for $s = 2$.

# %% [markdown] tags=["solution"]
# With $\bar x = 0$, $H = \operatorname{diag}(s^2, 1)$, whose eigenvalues are $s^2$ and 1,
# so the bound is $1/\max(s^2, 1)$: for $s = 2$, $1/4$. Wider inputs need a smaller step.

# %% tags=["solution"]
answer = stability_bound(2 * (data.X - data.X.mean()))
print(f"bound for s = 2: {answer:.4f}")

# %% tags=["check"]
s2 = (2 * (data.X - data.X.mean())).double().var(correction=0).item()
assert abs(answer - 1 / max(s2, 1)) < 1e-9 and abs(answer - 0.25) < 0.005
