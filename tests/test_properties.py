"""The public API's promises as properties, driven by Hypothesis with generated inputs: any
shape, dtype, finite or non-finite values, values of odd types. Each call either gives the
right answer, checked against an oracle we did not derive the code from (float64 or exact
rational arithmetic, autograd, NumPy), or raises `linreg.ArgumentError` (a fit may also
diverge, with `linreg.DivergenceError`); and a call that raises leaves the model as it was.

The examples are small (a few values, a few epochs) and derandomized (tests/conftest.py's
Hypothesis profile), so the run is the same on every machine and within CI's budget.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import assume, given, reject
from hypothesis import strategies as st

import linreg

FLOATS = [torch.float16, torch.bfloat16, torch.float32, torch.float64]


# --- strategies ---------------------------------------------------------------------------


def finite(dtype: torch.dtype, bound: float | None = None) -> st.SearchStrategy[float]:
    """Finite floats that `dtype` holds, up to `bound` in size."""
    largest = torch.finfo(dtype).max
    bound = largest if bound is None else min(bound, largest)
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False)


def values(dtype: torch.dtype, *, allow_bad: bool = True) -> st.SearchStrategy[float]:
    """Floats for data in `dtype`: mostly modest, sometimes huge, NaN or infinite."""
    modest = finite(dtype, 1e3)
    if not allow_bad:
        return modest
    return st.one_of(
        modest,
        modest,
        modest,
        finite(dtype),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    )


@st.composite
def data_pairs(draw, dtype: torch.dtype | None = None, allow_bad: bool = True):
    """(X, y) as tensors, arrays or lists: two times in three a well-formed pair (1-D, of
    one length, finite, modest), else anything: empty, of other lengths or shapes, huge,
    NaN or infinite values."""
    dtype = dtype or draw(st.sampled_from(FLOATS))
    clean = not allow_bad or draw(st.sampled_from([True, True, False]))
    n = draw(st.integers(1 if clean else 0, 12))
    m = n if clean else draw(st.one_of(st.just(n), st.integers(0, 12)))
    X = draw(st.lists(values(dtype, allow_bad=not clean), min_size=n, max_size=n))
    y = draw(st.lists(values(dtype, allow_bad=not clean), min_size=m, max_size=m))
    shape = "flat" if clean else draw(st.sampled_from(["flat", "column", "scalar"]))
    kind = draw(st.sampled_from(["tensor", "tensor", "numpy", "list"]))

    def make(v):
        t = torch.tensor(v, dtype=torch.float64).to(dtype)
        if shape == "column":
            t = t.reshape(-1, 1)
        elif shape == "scalar" and len(v) == 1:
            t = t.reshape(())
        if kind == "numpy" and dtype in (torch.float32, torch.float64):
            return t.numpy()
        if kind == "list":
            return t.tolist()
        return t

    return make(X), make(y), dtype


ODD = st.sampled_from(["0.1", None, [0.1], {"lr": 0.1}, object(), True, 1j, b"1"])


def numbers(dtype=torch.float32) -> st.SearchStrategy:
    """A number of any kind a user might pass, good or bad."""
    return st.one_of(
        finite(dtype, 100.0),
        st.floats(),  # NaN, infinities, the extremes
        st.integers(-(10**6), 10**6),
        ODD,
    )


# --- oracles ------------------------------------------------------------------------------


def as_float64(values) -> np.ndarray:
    return np.asarray(torch.as_tensor(values).double() if not isinstance(values, list) else values)


def same_state(model, before) -> bool:
    return [
        (p.detach().clone(), None if p.grad is None else p.grad.clone()) for p in model.parameters()
    ] == before or all(
        torch.equal(p, v) and ((p.grad is None) == (g is None))
        for p, (v, g) in zip(model.parameters(), before, strict=True)
    )


def snapshot(model):
    return [
        (p.detach().clone(), None if p.grad is None else p.grad.clone()) for p in model.parameters()
    ]


def unchanged(model, before) -> bool:
    return all(
        torch.equal(p.detach(), value)
        and (p.grad is None if grad is None else torch.equal(p.grad, grad))
        for p, (value, grad) in zip(model.parameters(), before, strict=True)
    )


def loss_oracle(W: float, b: float, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The float64 MSE of the line and the size of the numbers it subtracts."""
    r = W * X + b - y
    scale = float(np.max(np.abs(y)) + abs(W) * np.max(np.abs(X)) + abs(b))
    return float(np.mean(r * r)), scale


def close_to(value: float, expected: float, dtype: torch.dtype, scale: float, n: int) -> bool:
    """`value` equals `expected` up to rounding in `dtype`, where the numbers subtracted are
    of size `scale`: each residual is off by about eps * scale, so its square by about
    eps * scale * (2 |r| + eps * scale), a sum of n by log2(n) more; and a square below the
    dtype's smallest normal number may underflow to 0."""
    info = torch.finfo(dtype)
    slack = 8 * (1 + math.log2(max(n, 2))) * info.eps
    return abs(value - expected) <= slack * (abs(expected) + scale * scale) + 4 * info.tiny


# --- the properties -----------------------------------------------------------------------


class Stop(Exception):
    """What a reader's on_epoch raises, to stop training."""


def stops_at(epoch: int):
    def on_epoch(e, loss):
        if e == epoch:
            raise Stop

    return on_epoch


ON_EPOCH = st.one_of(
    st.none(), st.none(), st.integers(0, 3).map(stops_at), st.sampled_from([5, "print", [print]])
)


@given(data_pairs(), st.data())
def test_fit_gives_the_float64_answer_or_refuses_and_changes_nothing(pair, draw):
    X, y, dtype = pair
    W0 = draw.draw(finite(dtype, 50.0), label="W0")
    b0 = draw.draw(finite(dtype, 50.0), label="b0")
    lr = draw.draw(st.one_of(st.floats(1e-4, 2.0), numbers()), label="lr")
    num_epochs = draw.draw(st.one_of(st.integers(0, 3), numbers()), label="num_epochs")
    batch_size = draw.draw(st.one_of(st.none(), st.none(), st.integers(-1, 4), ODD), label="bs")
    seed = draw.draw(st.one_of(st.none(), st.none(), st.integers(-1, 2**33), ODD), label="seed")
    on_epoch = draw.draw(ON_EPOCH, label="on_epoch")
    try:
        model = linreg.LinearModel(W0, b0, dtype=dtype)
    except linreg.ArgumentError:  # a start that rounds to 0 in dtype: refused, and not fit's
        reject()
    before = snapshot(model)
    arguments = {"lr": lr, "num_epochs": num_epochs, "batch_size": batch_size, "seed": seed}
    try:
        history = linreg.fit(model, X, y, on_epoch=on_epoch, **arguments)
    except (linreg.ArgumentError, linreg.DivergenceError, Stop):
        assert unchanged(model, before), "a call that raised changed the model"
        return
    # the call was accepted: its first logged loss and its first step are the float64 ones
    Xd, yd = as_float64(X), as_float64(y)
    assert Xd.ndim == yd.ndim == 1 and len(Xd) == len(yd) > 0 and np.isfinite(Xd).all()
    assert len(history.losses) == num_epochs
    if num_epochs == 0 or batch_size is not None:
        return
    eps = torch.finfo(dtype).eps
    W0, b0 = model_start = before[0][0].item(), before[1][0].item()
    expected, scale = loss_oracle(*model_start, Xd, yd)
    assert close_to(history.losses[0], expected, dtype, scale, len(Xd)), expected
    if num_epochs >= 2:  # the first update: W - lr dL/dW, b - lr dL/db, in float64
        r = W0 * Xd + b0 - yd
        lr_d = float(torch.tensor(float(lr), dtype=dtype))
        for got, start, grad, size in (
            (history.Ws[1], W0, 2 * np.mean(r * Xd), np.max(np.abs(Xd))),
            (history.bs[1], b0, 2 * np.mean(r), 1.0),
        ):
            step_error = lr_d * 2 * scale * size
            slack = 16 * (1 + math.log2(max(len(Xd), 2))) * eps
            assert abs(got - (start - lr_d * grad)) <= slack * (abs(start) + step_error) + 1e-300


@given(data_pairs(allow_bad=True))
def test_mse_loss_gives_the_float64_mean_or_refuses(pair):
    y_hat, y, dtype = pair
    try:
        loss = linreg.mse_loss(y_hat, y)
    except linreg.ArgumentError:
        return
    a, b = as_float64(y_hat), as_float64(y)
    assert a.shape == b.shape and a.size > 0 and np.isfinite(a).all() and np.isfinite(b).all()
    with np.errstate(over="ignore"):
        expected = float(np.mean((a - b) ** 2))
    scale = float(np.max(np.abs(a)) + np.max(np.abs(b)))
    if not math.isfinite(loss.item()):  # the squares overflowed dtype: so they do in it
        assert expected > 0.1 * torch.finfo(dtype).max
        return
    assert close_to(loss.item(), expected, dtype, scale, a.size)


@given(data_pairs(dtype=torch.float64), numbers(torch.float64), numbers(torch.float64))
def test_manual_gradient_is_autograds_or_refuses(pair, W, b):
    X, y, _ = pair
    try:
        dW, db = linreg.manual_gradient(W, b, X, y)
    except linreg.ArgumentError:
        return
    # autograd in float64 on the values it computed with (lists: torch's default dtype)
    Xd = torch.as_tensor(X).to(dW.dtype).double()
    yd = torch.as_tensor(y).to(dW.dtype).double()
    W_, b_ = (torch.tensor(float(v), dtype=dW.dtype).double().requires_grad_() for v in (W, b))
    ((W_ * Xd + b_ - yd) ** 2).mean().backward()
    scale = (yd.abs().max() + W_.abs() * Xd.abs().max() + b_.abs()).item()
    eps = torch.finfo(dW.dtype).eps * 16 * (1 + math.log2(max(len(Xd), 2)))
    for got, want, size in ((dW, W_.grad, Xd.abs().max().item()), (db, b_.grad, 1.0)):
        if torch.isfinite(want) and math.isfinite(got.item()):
            tiny = 4 * torch.finfo(dW.dtype).tiny  # below it, products lose digits
            assert (
                abs(got.item() - want.item()) <= eps * (abs(want.item()) + 2 * scale * size) + tiny
            )


def exact_normal_equations(W: float, b: float, X: np.ndarray, y: np.ndarray) -> tuple:
    """The two normal equations' residuals at (W, b), in exact rational arithmetic, and
    the sizes of the terms each sums (what rounding is measured against)."""
    xs, ys = [Fraction(float(v)) for v in X], [Fraction(float(v)) for v in y]
    Wf, bf = Fraction(W), Fraction(b)
    x_mean = sum(xs) / len(xs)
    r = [Wf * x + bf - v for x, v in zip(xs, ys, strict=True)]
    size_r = sum(abs(Wf * x) + abs(bf) + abs(v) for x, v in zip(xs, ys, strict=True))
    centred = [x - x_mean for x in xs]
    size_c = sum(
        abs(c) * (abs(Wf * c) + abs(v - sum(ys) / len(ys)))
        for c, v in zip(centred, ys, strict=True)
    )
    # the means are rounded too: centring by them is off by about eps * max|x| and
    # eps * max|y|, which adds n times their product to the centred sum of x y
    eps = Fraction(float(np.finfo(np.float64).eps))
    size_c += len(xs) * eps * max(map(abs, xs)) * max(map(abs, ys))
    return (  # exact, as Fractions: their sizes may lie beyond float64's range
        abs(sum(r)),
        size_r,
        abs(sum(c * ri for c, ri in zip(centred, r, strict=True))),
        size_c,
    )


@given(data_pairs(allow_bad=True))
def test_least_squares_solves_the_normal_equations_or_refuses(pair):
    X, y, _ = pair
    try:
        W, b = linreg.least_squares(X, y)
    except linreg.ArgumentError:
        return
    Xd, yd = as_float64(X), as_float64(y)
    assert Xd.ndim == 1 and len(Xd) == len(yd) >= 2 and len(set(Xd.tolist())) >= 2
    sum_r, size_r, sum_rx, size_rx = exact_normal_equations(W, b, Xd, yd)
    slack = Fraction(64 * len(Xd)) * Fraction(float(np.finfo(np.float64).eps))
    assert sum_r <= slack * size_r and sum_rx <= slack * size_rx


@given(data_pairs(allow_bad=True))
def test_stability_bound_is_one_over_the_largest_eigenvalue_or_refuses(pair):
    X, _, _ = pair
    try:
        bound = linreg.stability_bound(X)
    except linreg.ArgumentError:
        return
    Xd = as_float64(X)
    assert Xd.ndim == 1 and len(Xd) > 0
    H = np.array([[np.mean(Xd * Xd), np.mean(Xd)], [np.mean(Xd), 1.0]])
    assume(np.isfinite(H).all())
    assert bound == pytest.approx(1 / np.linalg.eigvalsh(H)[-1], rel=1e-9)


@given(numbers(), numbers(), st.sampled_from([*FLOATS, torch.int32, "float32", None]))
def test_a_model_holds_its_numbers_or_refuses(W, b, dtype):
    try:
        model = linreg.LinearModel(W, b, dtype=dtype)
    except linreg.ArgumentError:
        return
    for param, value in ((model.W, W), (model.b, b)):
        assert param.dtype == dtype and param.requires_grad and param.grad is None
        assert param.item() == torch.tensor(float(value), dtype=torch.float64).to(dtype).item()


@given(data_pairs(), st.one_of(st.floats(1e-4, 2.0), numbers()))
def test_a_gradient_step_is_the_float64_step_or_refuses_and_changes_nothing(pair, lr):
    X, y, dtype = pair
    model = linreg.LinearModel(1.5, -0.5, dtype=dtype)
    before = snapshot(model)
    try:
        loss = linreg.gradient_step(model, X, y, lr)
    except linreg.ArgumentError:
        assert unchanged(model, before), "a refused step changed the model"
        return
    Xd, yd = as_float64(X), as_float64(y)
    expected, scale = loss_oracle(1.5, -0.5, Xd, yd)
    assume(math.isfinite(loss.item()))  # within range, but its squares' sum overflowed
    assert close_to(loss.item(), expected, dtype, scale, len(Xd))


@given(
    st.one_of(finite(torch.float32, 1e3), numbers()),
    st.one_of(st.integers(1, 30), numbers()),
    st.one_of(st.floats(0, 10), numbers()),
    st.one_of(st.integers(0, 2**32 - 1), numbers()),
)
def test_make_data_draws_the_line_or_refuses(true_W, num_examples, noise, seed):
    try:
        data = linreg.make_data(true_W, 0.5, num_examples, noise, seed)
    except linreg.ArgumentError:
        return
    assert data.X.shape == data.y.shape == (num_examples,)
    assert torch.isfinite(data.X).all() and torch.isfinite(data.y).all()
    again = linreg.make_data(true_W, 0.5, num_examples, noise, seed)
    assert torch.equal(data.X, again.X) and torch.equal(data.y, again.y)  # seeded
    if noise == 0:  # no noise: the line itself, to float32 rounding
        line = float(true_W) * data.X.double() + 0.5
        eps = torch.finfo(torch.float32).eps
        assert torch.allclose(data.y.double(), line, rtol=4 * eps, atol=4 * eps)
