# %% [markdown]
# # Momentum
#
# [Choosing the learning rate](learning-rate.html) ended on a valley: with $x$ shifted to a
# mean of 5, the [condition number](glossary.html#condition-number) of $H$ is about 725,
# and even the best constant learning rate multiplies the distance to the optimum by
# $(\kappa - 1)/(\kappa + 1) \approx 0.997$ a step, about 835 steps for each tenfold. No
# learning rate fixes that. A small change to the step does: let each step keep part of
# the one before. This page writes that step by hand, tunes it from the two eigenvalues of
# $H$, and races it against plain gradient descent on the valley.
#
# ## The heavy ball
#
# Picture a [heavy ball](glossary.html#heavy-ball) rolling down the valley instead of a
# walker who stops after every step. It keeps a **[velocity](glossary.html#velocity)** $v$, one number per parameter,
# which each step adds the gradient to and friction shrinks:
#
# $$v \leftarrow \mu v + \nabla L, \qquad \theta \leftarrow \theta - \eta v,$$
#
# where $\theta = (W, b)$, $\eta$ is the learning rate and $\mu$, between 0 and 1, the
# **[momentum](glossary.html#momentum)**: how much of the last velocity survives a step.
# The velocity starts at zero, so the first step is a plain gradient step; with $\mu = 0$
# every step is. Across the valley the gradient flips sign from one step to the next and
# the velocity's terms cancel; along the floor it points the same way every step and they
# add up, to about $1/(1 - \mu)$ times one gradient. This is Polyak's **heavy-ball method**
# (1964), written as PyTorch writes it.
# Other texts write the same method in other forms:
#
# - Polyak's own, $\theta_{t+1} = \theta_t - \alpha \nabla L(\theta_t) + \beta(\theta_t -
#   \theta_{t-1})$, is the same sequence of steps with $\alpha = \eta$ and $\beta = \mu$,
#   since the last step $\theta_t - \theta_{t-1}$ is $-\eta$ times the previous velocity;
# - Sutskever's, $v \leftarrow \mu v + \eta \nabla L$, $\theta \leftarrow \theta - v$,
#   keeps $\eta$ times our velocity, and takes the same steps while $\eta$ is constant;
# - the averaging form, $v \leftarrow \mu v + (1 - \mu) \nabla L$, keeps $1 - \mu$ times our
#   velocity, so it takes our steps only with its learning rate $\eta / (1 - \mu)$.
#
# The step reuses the hand-written loss and `backward()`, as
# [`gradient_step`](gradient.html) does; only the update changes:

# %% tags=["export"]
import torch

from linreg.pages.loss import mse_loss


def momentum_step(model, X, y, lr, momentum, velocity):
    """One heavy-ball step on the MSE, in place; velocity: one tensor per parameter."""
    loss = mse_loss(model(X), y)  # forward
    loss.backward()  # backward: W.grad and b.grad
    with torch.no_grad():  # the update is not part of the graph
        for param, v in zip(model.parameters(), velocity, strict=True):
            v.mul_(momentum).add_(param.grad)  # v <- momentum v + gradient
            param.add_(v, alpha=-lr)  # param <- param - lr v, as SGD does it
            param.grad.zero_()
    return loss.detach()


# %% [markdown]
# `param.add_(v, alpha=-lr)` is `param -= lr * v` written as `torch.optim.SGD` writes the
# update, so that the two agree to the last bit ([the oracle](#the-oracle-torchoptimsgd),
# below, says why that needs the same form, not only the same maths). The loop is
# [Training](training.html)'s `train` with this step, and with a velocity that starts at
# rest and lives as long as the run:


# %% tags=["export"]
def train_momentum(model, X, y, lr, momentum, num_epochs):
    """Take num_epochs heavy-ball steps from rest; yield each epoch's loss, W and b before it."""
    velocity = [torch.zeros_like(param) for param in model.parameters()]  # at rest
    for _ in range(num_epochs):
        W, b = model.W.item(), model.b.item()
        loss = momentum_step(model, X, y, lr, momentum, velocity)
        yield loss.item(), W, b


# %% [markdown]
# `linreg.momentum.fit_momentum` is this loop behind a check of its arguments, recording
# each epoch in a `History` as `fit` does.
#
# ## Two numbers for each direction
#
# Along an eigenvector of $H$ with eigenvalue $\lambda$, write $e_t$ for the part of the
# distance to the optimum at step $t$ (the $c_i$ of the previous page). The gradient there is
# $2\lambda e_t$, so the two updates read
#
# $$v_t = \mu v_{t-1} + 2\lambda e_t, \qquad e_{t+1} = e_t - \eta v_t.$$
#
# One step earlier the second gives $\eta v_{t-1} = e_{t-1} - e_t$; put that into the
# first, and the first into the second:
#
# $$e_{t+1} = (1 + \mu - 2\eta\lambda)\, e_t - \mu\, e_{t-1}.$$
#
# Each part now depends on the last two, and $e_t = z^t$ solves this when
# $z^2 - (1 + \mu - 2\eta\lambda) z + \mu = 0$. The product of the two roots is $\mu$. When
# they are complex, $(1 + \mu - 2\eta\lambda)^2 < 4\mu$, they have the same size,
# $\sqrt\mu$: the part swings around the optimum and its swing is multiplied by $\sqrt\mu$ a step,
# **whatever $\lambda$ is**. Plain gradient descent cannot do that; its factor
# $1 - 2\eta\lambda$ depends on $\lambda$. That condition holds for every $\lambda$ with
# $(1 - \sqrt\mu)^2 \le 2\eta\lambda \le (1 + \sqrt\mu)^2$, so choose $\eta$ and $\mu$ to
# put $\lambda_{\min}$ at the low end and $\lambda_{\max}$ at the high end. Dividing the two
# ends gives $\sqrt\kappa = (1 + \sqrt\mu)/(1 - \sqrt\mu)$, and adding their square roots
# gives $\sqrt{2\eta}\,(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}}) = 2$:
#
# $$\eta = \frac{2}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2}, \qquad
#   \mu = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2,$$
#
# the classic tuning of the heavy ball. Textbooks write its learning rate as
# $4/(\sqrt{a_{\max}} + \sqrt{a_{\min}})^2$ in the eigenvalues $a$ of the loss's
# [Hessian](glossary.html#hessian); ours is $2H$, so $a = 2\lambda$ and the two agree.
# Every part is then multiplied by $\sqrt\mu = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ a step,
# about $1 - 2/\sqrt\kappa$, where plain descent's best is about $1 - 2/\kappa$: the
# steps per tenfold, $\ln 10 / (-\ln \text{factor})$, go from about $1.15\,\kappa$ to about
# $1.15\sqrt\kappa$. The tuning in code:


# %% tags=["export"]
def heavy_ball_tuning(low, high):
    """The classic lr and momentum for H's eigenvalues low <= high (the loss's are 2x)."""
    root_low, root_high = low**0.5, high**0.5
    lr = 2 / (root_high + root_low) ** 2
    momentum = ((root_high - root_low) / (root_high + root_low)) ** 2
    return lr, momentum


# %% [markdown]
# ($(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ is
# $(\sqrt{\lambda_{\max}} - \sqrt{\lambda_{\min}})/(\sqrt{\lambda_{\max}} +
# \sqrt{\lambda_{\min}})$.) On the valley:

# %%
import math

import linreg
from linreg.curvature import curvature
from linreg.plots import SHIFT

shifted = linreg.make_data(x_mean=SHIFT)  # SHIFT = 5.0
valley = curvature(shifted.X)
kappa = valley.condition_number
lr, mu = heavy_ball_tuning(*valley.eigenvalues)
plain_factor, heavy_factor = valley.contraction(valley.best_lr), math.sqrt(mu)
print(f"condition number {kappa:.1f}, stability bound of plain descent {valley.bound:.5f}")
print(f"plain, best lr {valley.best_lr:.5f}: factor {plain_factor:.5f} a step")
print(f"heavy ball, lr {lr:.5f}, momentum {mu:.4f}: factor {heavy_factor:.4f} a step")
for name, factor in [("plain", plain_factor), ("heavy ball", heavy_factor)]:
    print(f"{name}: {math.log(10) / -math.log(factor):.1f} steps per tenfold, predicted")

# %% [markdown]
# The heavy ball should need 31 steps where plain descent needs 835: 27 times fewer, about
# $\sqrt\kappa$. Its learning rate is 1.86 times plain descent's stability bound; on its
# own, without the velocity, such a step would diverge.
#
# ## The race on the valley
#
# Both runs start from $(16, 10)$ and take 400 steps; the figure shows the
# [excess loss](glossary.html#excess-loss) $L - L^*$ on a log scale:

# %%
from linreg.momentum import fit_momentum
from linreg.plots import MOMENTUM_EPOCHS, plot_momentum

X, y = shifted.X, shifted.y
num_epochs = MOMENTUM_EPOCHS  # 400
plain = linreg.fit(linreg.LinearModel.like(X), X, y, lr=valley.best_lr, num_epochs=num_epochs)
heavy = fit_momentum(linreg.LinearModel.like(X), X, y, lr=lr, momentum=mu, num_epochs=num_epochs)
plot_momentum(X, y, plain, heavy, momentum=mu)

# %% [markdown]
# Plain descent falls steadily and slowly: in 400 steps its excess loss falls by less than
# tenfold. The heavy ball first *rises*, by a factor of 98 in 13 steps, then falls fast, to
# about $10^{-9}$ by step 280, where float32's rounding of the gradient stops it.
#
# The rise is the velocity overshooting. The first step is a plain gradient step at 1.86
# times the bound, and flings $(W, b)$ across the valley to 2.72 times as far on the other
# side. The velocity then carries each swing across the floor further than the last,
# while friction, $\mu < 1$, takes off a fixed share a step; for about 13 steps the carry
# wins. In the formula: at the classic tuning both ends of the range are met exactly, the
# two roots coincide, and a double root $z$ gives $e_t = (A + Bt)\, z^t$ instead of
# $A z^t$. Across the valley, from rest, $z = -\sqrt\mu$ and
# $e_t = e_0\,(1 + (1 + \sqrt\mu)\,t)\,(-\sqrt\mu)^t$: it changes sign at every step, its
# size grows with $t$ until $\sqrt\mu^{\,t}$ wins, and it is largest at step 13, about 10
# times where it started. Along the floor $z = +\sqrt\mu$ and
# $e_t = e_0\,(1 + (1 - \sqrt\mu)\,t)\,\sqrt\mu^{\,t}$: no overshoot, but the factor $t$
# slows it a little.
#
# Steps per tenfold of the distance to the optimum, measured from the runs: for plain
# descent over all 400 steps, for the heavy ball from step 100, after the rise, to step 200,
# before float32 rounding:

# %%
W_best, b_best = linreg.least_squares(X, y)


def distances(run):
    """The distance to the optimum at each step, from the run's path."""
    points = zip([*run.Ws, run.W], [*run.bs, run.b], strict=True)
    return [math.hypot(W - W_best, b - b_best) for W, b in points]


def per_tenfold(d, first, last):
    return (last - first) * math.log(10) / math.log(d[first] / d[last])


d_plain, d_heavy = distances(plain), distances(heavy)
print(f"plain:      {per_tenfold(d_plain, 0, 400):.1f} steps per tenfold, measured")
print(f"heavy ball: {per_tenfold(d_heavy, 100, 200):.1f} steps per tenfold, measured")

# %% [markdown]
# Plain descent measures 835.1 against 835.0 predicted: at the best constant learning rate
# both parts are multiplied by exactly $(\kappa - 1)/(\kappa + 1)$ in size, so the distance does
# too. The heavy ball measures 34.2, not 31.0: the factor $1 + (1 + \sqrt\mu)\,t$ still
# costs a little at steps 100 to 200. The exact formula above, evaluated from the start
# without training, predicts the same 34.2, and the pace tends to 31 as $t$ grows. In
# steps to the first tenth of the starting distance, the heavy ball needs 101 and plain
# descent 836, rise included.
#
# To try other learning rates and momenta on this valley, go back to the
# [explorer](learning-rate.html#explore): choose "the valley" in its menu and move its
# momentum slider. Its runs are 150 steps long and were computed with this page's
# `train_momentum` when the site was built.
#
# ## The oracle: `torch.optim.SGD`
#
# PyTorch's SGD with `momentum=` takes the same step. From the same start, with the same
# `lr` and `momentum`, its run and ours agree to the last bit at every one of the 400 steps:

# %%
model = linreg.LinearModel.like(X)
optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=mu)
path = []
for _ in range(MOMENTUM_EPOCHS):
    path.append((model.W.item(), model.b.item()))
    optimizer.zero_grad()
    mse_loss(model(X), y).backward()
    optimizer.step()

same = path == list(zip(heavy.Ws, heavy.bs, strict=True)) and model.W.item() == heavy.W
print(f"the same W and b at every step: {same}")

# %% [markdown]
# The tolerance is zero. `param -= lr * v` would not always give the same: it rounds $\eta v$
# to float32 before the subtraction, where `add_(v, alpha=-lr)`, like SGD, may multiply and
# subtract with a single rounding (a fused multiply-add, if the machine's kernels use one).
# Where the two differ, the runs part at the first step, by a few units in the last place;
# the swings across the valley magnify that to a few parts in $10^4$ of $(W, b)$ around step
# 85, and both still end at the same optimum to float32 rounding.

# %% tags=["check"]
import itertools

import numpy as np

import linreg.pages.momentum
from linreg.pages.large_data import moments_loss
from linreg.statistics import moments

# "kappa about 725"; the printed numbers; "1.86 times plain descent's stability bound"
assert round(kappa) == 725 and f"{kappa:.1f}" == "725.3"
low, high = valley.eigenvalues
assert (lr, mu) == linreg.pages.momentum.heavy_ball_tuning(low, high)
assert round(lr / valley.bound, 2) == 1.86
# the tuning, as derived: both ends of the range met exactly, in either form
r = math.sqrt(mu)
assert abs(2 * lr * low - (1 - r) ** 2) < 1e-12 and abs(2 * lr * high - (1 + r) ** 2) < 1e-12
assert abs(r - (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) < 1e-12
assert abs(lr - 4 / (math.sqrt(2 * high) + math.sqrt(2 * low)) ** 2) < 1e-15  # textbook form
assert abs(r - (1 - 2 / math.sqrt(kappa))) < 0.003 and abs(plain_factor - (1 - 2 / kappa)) < 1e-5
# the curvature of L is 2H: curvature() returns H's eigenvalues (autograd's Hessian, halved)
hessian = torch.autograd.functional.hessian(
    lambda p: ((p[0] * X.double() + p[1] - y.double()) ** 2).mean(),
    torch.tensor([16.0, 10.0], dtype=torch.float64),
)
assert torch.allclose(
    torch.linalg.eigvalsh(hessian), 2 * torch.tensor(valley.eigenvalues, dtype=torch.float64)
)
# "31 steps where plain descent needs 835: 27 times fewer, about sqrt(kappa)"
steps_plain = math.log(10) / -math.log(plain_factor)
steps_heavy = math.log(10) / -math.log(heavy_factor)
assert f"{steps_plain:.1f}" == "835.0" and f"{steps_heavy:.1f}" == "31.0"
assert round(steps_plain / steps_heavy) == 27 == round(math.sqrt(kappa))
assert abs(steps_plain / kappa - 1.15) < 0.005 and abs(steps_heavy / math.sqrt(kappa) - 1.15) < 0.01
# "such a step would diverge": plain descent at that lr
assert max(abs(f) for f in valley.factors(lr)) > 1
# the recurrence e_{t+1} = (1 + mu - 2 lr H) e_t - mu e_{t-1}, in (W, b), on the run itself
e = torch.tensor(
    [
        [W - W_best, b - b_best]
        for W, b in zip([*heavy.Ws, heavy.W], [*heavy.bs, heavy.b], strict=True)
    ],
    dtype=torch.float64,
)
M = (1 + mu) * torch.eye(2, dtype=torch.float64) - 2 * lr * valley.H
for t in range(1, 60):
    expected = M @ e[t] - mu * e[t - 1]
    assert (e[t + 1] - expected).norm() < 1e-5 * e[: t + 2].norm(dim=1).max(), t
# complex roots have modulus sqrt(mu) for every lambda inside the range; double at its ends
for lam in torch.linspace(low, high, 50, dtype=torch.float64).tolist()[1:-1]:
    roots = np.roots([1, -(1 + mu - 2 * lr * lam), mu])
    assert np.iscomplexobj(roots) and np.allclose(abs(roots), r, rtol=1e-9), lam
for lam, z in [(low, r), (high, -r)]:
    assert abs((1 + mu - 2 * lr * lam) - 2 * z) < 1e-12  # z^2 - 2 z z + z^2: a double root
# "the velocity's terms add up to about 1/(1 - mu) times one gradient" along the floor
assert abs(sum(mu**k for k in range(10_000)) - 1 / (1 - mu)) < 1e-9
# the three other forms make the same steps (float64, on the valley, 50 steps)
X64, y64 = X.double(), y.double()


def grad(p):
    residual = p[0] * X64 + p[1] - y64
    return torch.stack([2 * (residual * X64).mean(), 2 * residual.mean()])


start = torch.tensor([16.0, 10.0], dtype=torch.float64)
ours, polyak, sutskever, averaged = start.clone(), start.clone(), start.clone(), start.clone()
previous, v_ours, v_sut, v_avg = start.clone(), 0 * start, 0 * start, 0 * start
for _ in range(50):
    v_ours = mu * v_ours + grad(ours)
    ours = ours - lr * v_ours
    polyak, previous = polyak - lr * grad(polyak) + mu * (polyak - previous), polyak
    v_sut = mu * v_sut + lr * grad(sutskever)
    sutskever = sutskever - v_sut
    v_avg = mu * v_avg + (1 - mu) * grad(averaged)
    averaged = averaged - lr / (1 - mu) * v_avg
    for other in (polyak, sutskever, averaged):
        assert torch.allclose(other, ours, rtol=1e-9, atol=1e-9), (other, ours)
# the figure: "falls by less than tenfold in 400 steps"; "rises by 98 in 13 steps";
# "reaches the limit of float32 before step 300"
m = moments(X, y)
best = moments_loss(W_best, b_best, m)
excess = {
    name: [
        moments_loss(W, b, m) - best
        for W, b in zip([*run.Ws, run.W], [*run.bs, run.b], strict=True)
    ]
    for name, run in [("plain", plain), ("heavy", heavy)]
}
assert len(excess["plain"]) == MOMENTUM_EPOCHS + 1 == 401 and len(heavy.losses) == 400
assert all(a > b for a, b in itertools.pairwise(excess["plain"]))
assert 1 < excess["plain"][0] / excess["plain"][-1] < 10
peak = max(range(401), key=excess["heavy"].__getitem__)
assert peak == 13 and round(excess["heavy"][peak] / excess["heavy"][0]) == 98
assert all(a < b for a, b in itertools.pairwise(excess["heavy"][:14]))
lowest = min(range(401), key=excess["heavy"].__getitem__)
assert lowest == 280 and round(math.log10(excess["heavy"][lowest])) == -9
assert all(1e-9 < v < 1e-8 for v in excess["heavy"][280:])  # stopped there, by rounding
# "the first step flings (W, b) across the valley to 2.72 times as far on the other side"
v_along, v_across = valley.eigenvectors.T.tolist()
across = [
    (W - W_best) * v_across[0] + (b - b_best) * v_across[1]
    for W, b in zip(heavy.Ws, heavy.bs, strict=True)
]
along = [
    (W - W_best) * v_along[0] + (b - b_best) * v_along[1]
    for W, b in zip(heavy.Ws, heavy.bs, strict=True)
]
assert round(1 - 2 * lr * high, 2) == -2.72 and round(across[1] / across[0], 2) == -2.72
# the double-root formulas, from the start alone, against the float32 run
for t in range(0, 200):
    pred_across = across[0] * (1 + (1 + r) * t) * (-r) ** t
    pred_along = along[0] * (1 + (1 - r) * t) * r**t
    scale = 1e-4 * abs(across[0]) * 10 + 1e-6
    assert abs(across[t] - pred_across) < scale and abs(along[t] - pred_along) < scale, t
sizes = [(1 + (1 + r) * t) * r**t for t in range(60)]
assert max(range(60), key=sizes.__getitem__) == 13 and round(max(sizes)) == 10  # "about 10 times"
assert all(a * b < 0 for a, b in itertools.pairwise(across[:150]))  # "changes sign"
assert all(abs(a) > abs(b) and a * b > 0 for a, b in itertools.pairwise(along[:150]))
# the measured paces: "835.1 against 835.0"; "34.2, not 31.0 ... predicts the same 34.2"
assert f"{per_tenfold(d_plain, 0, 400):.1f}" == "835.1"
assert f"{per_tenfold(d_heavy, 100, 200):.1f}" == "34.2"


def predicted_distance(t):
    return math.hypot(across[0] * (1 + (1 + r) * t) * r**t, along[0] * (1 + (1 - r) * t) * r**t)


predicted = [predicted_distance(t) for t in range(401)]
assert f"{per_tenfold(predicted, 100, 200):.1f}" == "34.2"
far = {t: predicted_distance(t) for t in (2000, 3000)}  # float64 holds r**3000, 1e-97
assert round(per_tenfold(far, 2000, 3000)) == 31  # "tends to 31"
assert (
    max(
        abs(p / q - 1)
        for p, q in zip(d_plain, [d_plain[0] * plain_factor**t for t in range(401)], strict=True)
    )
    < 1e-4
)
assert per_tenfold(d_heavy, 100, 200) > steps_heavy  # "still costs a little"
# "the heavy ball needs 101 and plain descent 836" steps to the first tenth
assert next(t for t, d in enumerate(d_heavy) if d <= d_heavy[0] / 10) == 101
long_plain = linreg.fit(linreg.LinearModel.like(X), X, y, lr=valley.best_lr, num_epochs=840)
d_long = distances(long_plain)
assert next(t for t, d in enumerate(d_long) if d <= d_long[0] / 10) == 836
# fit_momentum is train_momentum, recorded
bare = list(linreg.pages.momentum.train_momentum(linreg.LinearModel.like(X), X, y, lr, mu, 400))
assert [step[0] for step in bare] == heavy.losses and [step[1] for step in bare] == heavy.Ws
# SGD: "agree to the last bit at every one of the 400 steps"; "the tolerance is zero"
assert same and model.b.item() == heavy.b and len(path) == 400
# "with param -= lr * v ... part at the first step, by a few ulps ... a few parts in 10^4 of
# (W, b) around step 85 ... both still end at the same optimum to float32 rounding"
model_ = linreg.LinearModel.like(X)
velocity = [torch.zeros_like(p) for p in model_.parameters()]
rounded_twice = []
for _ in range(MOMENTUM_EPOCHS):
    mse_loss(model_(X), y).backward()
    with torch.no_grad():
        for param, v in zip(model_.parameters(), velocity, strict=True):
            v.mul_(mu).add_(param.grad)
            param -= lr * v
            param.grad.zero_()
    rounded_twice.append((model_.W.item(), model_.b.item()))
ours_after = [*zip(heavy.Ws[1:], heavy.bs[1:], strict=True), (heavy.W, heavy.b)]
parted = [t for t, (p, q) in enumerate(zip(rounded_twice, ours_after, strict=True)) if p != q]
if parted:  # this machine's kernels round the two ways differently
    ulps = [
        abs(a - b) / np.spacing(np.float32(abs(b)))
        for a, b in zip(rounded_twice[0], ours_after[0], strict=True)
    ]
    assert parted[0] == 0 and max(ulps) <= 4, (parted[:3], ulps)
    gaps = [
        max(abs(a - b) / max(abs(b), 1.0) for a, b in zip(p, q, strict=True))
        for p, q in zip(rounded_twice, ours_after, strict=True)
    ]
    worst = max(range(400), key=gaps.__getitem__)
    assert 1e-4 < gaps[worst] < 1e-3 and 75 <= worst <= 95, (gaps[worst], worst)
assert all(
    abs(a - b) < 4 * np.spacing(np.float32(abs(b)))
    for a, b in zip(rounded_twice[-1], ours_after[-1], strict=True)
)

# %% [markdown]
# ## Summary
#
# - The heavy ball keeps a velocity, $v \leftarrow \mu v + \nabla L$, and steps by
#   $-\eta v$, as `torch.optim.SGD(params, lr=η, momentum=μ)` does, to the last bit.
# - Along each eigenvector the distance follows
#   $e_{t+1} = (1 + \mu - 2\eta\lambda) e_t - \mu e_{t-1}$; tuned with
#   $\eta = 2/(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2$ and
#   $\mu = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2$, every part is multiplied by $\sqrt\mu$ a step:
#   steps per tenfold grow like $\sqrt\kappa$ instead of $\kappa$, 31 instead of 835 on the
#   valley.
# - The price is a transient: the loss rises, here 98-fold, before it falls, because the
#   velocity overshoots across the valley. A loss that rises is not always a divergence.
#
# ## Exercises
#
# **1. Predict, then run.** What are the classic heavy ball's learning rate and momentum on
# the tutorial's own round bowl, $x$ with mean 0 ($\kappa \approx 1.01$)? Predict them
# before you compute them.

# %% [markdown] tags=["solution"]
# With $\lambda_{\min} \approx \lambda_{\max} \approx 1$, $\eta = 2/(2\sqrt\lambda)^2 =
# 1/(2\lambda) \approx 0.5$, the best constant learning rate, and
# $\mu = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2 \approx 7 \times 10^{-6}$: almost no
# momentum. In a round bowl one plain step nearly lands on the optimum, and there is nothing
# left for the velocity to carry.

# %% tags=["solution"]
bowl = curvature(linreg.make_data().X)
answer = heavy_ball_tuning(*bowl.eigenvalues)
print(f"lr = {answer[0]:.4f}, momentum = {answer[1]:.1e} (best plain lr {bowl.best_lr:.4f})")

# %% tags=["check"]
assert round(answer[0], 1) == 0.5 and abs(answer[0] - bowl.best_lr) < 1e-4
assert f"{answer[1]:.0e}" == "7e-06" and round(bowl.condition_number, 2) == 1.01

# %% [markdown]
# **2. A derivation.** Using $\ln 10 / (-\ln \text{factor})$ steps per tenfold, how many
# times fewer steps does the tuned heavy ball need than plain descent at its best constant
# learning rate on a valley with $\kappa = 10^4$? Derive the answer for a large $\kappa$
# first, then compute it exactly.

# %% [markdown] tags=["solution"]
# For a small $\epsilon$, $-\ln(1 - \epsilon) \approx \epsilon$. Plain descent's factor is
# $(\kappa - 1)/(\kappa + 1) \approx 1 - 2/\kappa$, so it needs about $\kappa \ln 10 / 2$
# steps per tenfold; the heavy ball's is $(\sqrt\kappa - 1)/(\sqrt\kappa + 1) \approx
# 1 - 2/\sqrt\kappa$, about $\sqrt\kappa \ln 10 / 2$. The ratio is about
# $\sqrt\kappa = 100$; exactly, 11513 steps against 115.1, a ratio of 100.0.

# %% tags=["solution"]
k = 1e4
steps = [math.log(10) / -math.log(f) for f in ((k - 1) / (k + 1), (k**0.5 - 1) / (k**0.5 + 1))]
answer = steps[0] / steps[1]
print(f"plain {steps[0]:.0f}, heavy ball {steps[1]:.1f} steps per tenfold: {answer:.1f} times")

# %% tags=["check"]
assert f"{answer:.1f}" == "100.0" and [f"{steps[0]:.0f}", f"{steps[1]:.1f}"] == ["11513", "115.1"]
