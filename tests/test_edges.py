"""Right on every input: inputs a new user tried that once gave a wrong answer or a false
error. Each test failed before its fix; each covers more cases of the same kind than the
one that was reported."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch

import linreg
from linreg import cli

# --- least squares: exact against rational arithmetic ------------------------------------


def exact_least_squares(X, y) -> tuple[float, float]:
    """(W*, b*) of the float64 values of X and y, in exact rational arithmetic."""
    xs = [Fraction(float(v)) for v in np.asarray(X, dtype=np.float64)]
    ys = [Fraction(float(v)) for v in np.asarray(y, dtype=np.float64)]
    n = len(xs)
    x_mean, y_mean = sum(xs) / n, sum(ys) / n
    W = sum((a - x_mean) * (b - y_mean) for a, b in zip(xs, ys, strict=True)) / sum(
        (a - x_mean) ** 2 for a in xs
    )
    return float(W), float(y_mean - W * x_mean)


OFFSET_CASES = {
    "the reported case": (np.arange(10.0) + 1e8, 2 * np.arange(10.0) + 1),
    "years": (np.arange(1950.0, 2021.0), 0.02 * np.arange(71.0) + 14.0),
    "kelvin": (273.15 + np.linspace(0, 0.5, 30), 1e-3 * np.linspace(0, 0.5, 30) - 7.0),
    "unix seconds": (1.7e9 + np.arange(0.0, 600.0, 60.0), -0.5 * np.arange(10.0) + 3),
    "tiny spread": (np.array([1.0, 1.0 + 1e-9, 1.0 + 2e-9]), np.array([0.0, 1.0, 2.0])),
    "plain": (np.array([-1.0, 0.0, 2.0, 5.0]), np.array([1.0, 2.0, 2.5, 7.0])),
}


@pytest.mark.parametrize("case", OFFSET_CASES)
def test_least_squares_is_exact_with_a_large_offset(case):
    X, y = OFFSET_CASES[case]
    W, b = linreg.least_squares(X, y)
    W_exact, b_exact = exact_least_squares(X, y)
    assert W == pytest.approx(W_exact, rel=1e-9)
    assert b == pytest.approx(b_exact, rel=1e-9, abs=1e-9 * abs(W_exact * X.mean()))


def test_the_reported_offset_case_gives_the_slope():
    W, b = linreg.least_squares(np.arange(10.0) + 1e8, 2 * np.arange(10.0) + 1)
    assert W == pytest.approx(2.0, rel=1e-9) and b == pytest.approx(-2e8 + 1, rel=1e-9)


def test_lists_go_straight_to_float64():
    # In float32, 1e8 + 1, 1e8 + 2 and 1e8 + 3 are not even distinct (the spacing is 8).
    X = [1e8 + 1, 1e8 + 2, 1e8 + 3]
    y = [1.0, 3.0, 5.0]
    assert linreg.least_squares(X, y) == pytest.approx(exact_least_squares(X, y), rel=1e-9)
    dW, _ = linreg.manual_gradient(2.0, 1.0 - 2e8, [0.1, 0.2], [1.2, 1.4])
    assert dW.dtype == torch.float32  # lists train in torch's default dtype, like fit


def test_float32_tensors_are_solved_as_the_float32_values_they_hold():
    data = linreg.make_data()
    W, b = linreg.least_squares(data.X, data.y)
    assert (W, b) == pytest.approx(exact_least_squares(data.X, data.y), rel=1e-12)


# --- divergence: rounding noise is not a rise, a real rise is caught at once ------------


def quiet_fit(X, y, lr, num_epochs, dtype=torch.float64, **start):
    X = torch.as_tensor(X, dtype=dtype)
    y = torch.as_tensor(y, dtype=dtype)
    return linreg.fit(linreg.LinearModel.like(X, **start), X, y, lr=lr, num_epochs=num_epochs)


def test_the_reported_false_alarms_are_gone(capsys):
    assert cli.main(["--noise", "0", "--lr", "0.9", "--epochs", "100"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "Epoch 99:" in out
    history = quiet_fit(np.arange(10), 3 * np.arange(10) + 1, 0.01, 2000, dtype=torch.float32)
    assert history.W == pytest.approx(3.0, abs=1e-3)


DATASETS = {
    "default": (linreg.make_data().X, linreg.make_data().y),
    "noise-free": (linreg.make_data(noise=0).X, linreg.make_data(noise=0).y),
    "integers": (torch.arange(10.0), 3 * torch.arange(10.0) + 1),
    "offset x": (linreg.make_data().X + 5, linreg.make_data().y),
    "large y": (linreg.make_data().X, 1e4 * linreg.make_data().y),
    "two points": (torch.tensor([0.0, 1.0]), torch.tensor([1.0, -1.0])),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.999])
@pytest.mark.parametrize("name", DATASETS)
def test_no_false_alarm_below_the_bound(name, fraction, dtype):
    X, y = DATASETS[name]
    lr = fraction * linreg.stability_bound(X)
    history = quiet_fit(X, y, lr, 3000, dtype=dtype)
    assert len(history.losses) == 3000


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_no_false_alarm_when_starting_at_the_optimum(dtype):
    X, y = DATASETS["noise-free"]
    history = quiet_fit(X, y, 0.9, 500, dtype=dtype, W=3.0, b=0.5)
    assert len(history.losses) == 500


@pytest.mark.parametrize("factor", [1.05, 1.5, 3.0, 1e6])
@pytest.mark.parametrize("name", DATASETS)
def test_divergence_above_the_bound_is_caught_and_a_smaller_lr_suggested(name, factor):
    X, y = DATASETS[name]
    bound = linreg.stability_bound(X)
    lr = factor * bound
    with pytest.raises(linreg.DivergenceError) as info:
        quiet_fit(X, y, lr, 2000, dtype=torch.float32)
    suggested = info.value.suggested_lr
    assert str(info.value).endswith(f"such as {suggested}.")
    assert 0 < suggested < lr and suggested < bound
    assert "above the stability bound" in str(info.value)
    assert len(info.value.history.losses) <= (120 if factor == 1.05 else 12)


def test_the_default_data_diverges_at_epoch_one_at_lr_1_5():
    with pytest.raises(linreg.DivergenceError, match="diverged at epoch 1:"):
        quiet_fit(*DATASETS["default"], 1.5, 20, dtype=torch.float32)


# --- one sample, every dtype ------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_every_dtype_gets_the_same_sample(dtype):
    reference = linreg.make_data()
    other = linreg.make_data(dtype=dtype)
    assert other.X.dtype == other.y.dtype == dtype
    tolerance = {torch.float64: 1e-6, torch.float16: 2e-3, torch.bfloat16: 2e-2}[dtype]
    torch.testing.assert_close(other.X.float(), reference.X, rtol=tolerance, atol=tolerance)
    torch.testing.assert_close(other.y.float(), reference.y, rtol=tolerance, atol=5 * tolerance)


def test_float64_loss_is_the_float32_loss_to_rounding():
    runs = {
        dtype: quiet_fit(
            linreg.make_data(dtype=dtype).X, linreg.make_data(dtype=dtype).y, 0.1, 20, dtype=dtype
        )
        for dtype in (torch.float32, torch.float64)
    }
    assert runs[torch.float64].losses[0] == pytest.approx(runs[torch.float32].losses[0], rel=1e-6)
    assert runs[torch.float64].losses == pytest.approx(runs[torch.float32].losses, rel=1e-4)


# --- NumPy arrays, lists and mixed dtypes --------------------------------------------------


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (np.linspace(0, 1, 5), torch.float64),
        (np.linspace(0, 1, 5).astype(np.float32), torch.float32),
        (np.arange(5), torch.float32),
        ([0.0, 0.5, 1.0], torch.float32),
        ([0, 1, 2], torch.float32),
        (torch.arange(5, dtype=torch.float64), torch.float64),
    ],
)
def test_a_model_like_any_data_trains_on_it(values, dtype):
    model = linreg.LinearModel.like(values)
    assert model.W.dtype == dtype
    targets = [2 * float(v) + 1 for v in values]
    if isinstance(values, np.ndarray):
        targets = np.asarray(targets, dtype=values.dtype if values.dtype.kind == "f" else None)
    lr = 0.5 * linreg.stability_bound(values)
    history = linreg.fit(model, values, targets, lr=lr, num_epochs=5)
    assert len(history.losses) == 5 and history.losses[-1] < history.losses[0]


def test_mixed_dtypes_name_the_tensor_that_differs():
    data = linreg.make_data()
    model = linreg.LinearModel.like(data.X)
    with pytest.raises(
        linreg.ArgumentError, match=r"^y is torch.float64 .* y\.to\(torch\.float32\)"
    ) as info:
        linreg.fit(model, data.X, data.y.double())
    assert info.value.argument == "y"
    with pytest.raises(linreg.ArgumentError, match=r"^X is torch.float64.*LinearModel\.like\(X\)"):
        linreg.fit(model, data.X.double(), data.y)


def test_a_float64_model_takes_lists_and_float32_arrays_in_its_dtype():
    model = linreg.LinearModel(dtype=torch.float64)
    history = linreg.fit(model, [0.0, 1.0, 2.0], np.array([1.0, 3.0, 5.0], dtype=np.float32))
    assert model.W.dtype == torch.float64 and math.isfinite(history.W)


# --- gradient_step: checked, once ---------------------------------------------------------


def test_gradient_step_refuses_nan_data_and_leaves_the_model_alone():
    data = linreg.make_data(num_examples=20)
    model = linreg.LinearModel.like(data.X)
    X = data.X.clone()
    X[3] = math.nan
    with pytest.raises(linreg.ArgumentError, match="X holds 1 NaN") as info:
        linreg.gradient_step(model, X, data.y, lr=0.1)
    assert info.value.argument == "X"
    assert (model.W.item(), model.b.item()) == (16.0, 10.0) and model.W.grad is None


def test_gradient_step_takes_lists_and_arrays_as_fit_does():
    data = linreg.make_data(num_examples=20)
    steps = []
    for X, y in [
        (data.X, data.y),
        (data.X.numpy(), data.y.numpy()),
        (data.X.tolist(), data.y.tolist()),
    ]:
        model = linreg.LinearModel.like(data.X)
        steps.append((linreg.gradient_step(model, X, y, lr=0.1).item(), model.W.item()))
    assert steps[0] == steps[1] == pytest.approx(steps[2], rel=1e-6)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda m, d: linreg.gradient_step(m, d.X.reshape(-1, 1), d.y, 0.1), "X"),
        (lambda m, d: linreg.gradient_step(m, d.X, d.y[:-1], 0.1), "y"),
        (lambda m, d: linreg.gradient_step(object(), d.X, d.y, 0.1), "model"),
        (lambda m, d: linreg.gradient_step(m, d.X, d.y, "0.1"), "lr"),
        (lambda m, d: linreg.mse_loss(m(d.X).reshape(-1, 1), d.y), "y_hat"),
        (lambda m, d: linreg.mse_loss(d.X.tolist(), d.y), "y_hat"),
    ],
)
def test_bad_arguments_to_the_shown_functions_name_the_argument(call, argument):
    data = linreg.make_data(num_examples=20)
    with pytest.raises(linreg.ArgumentError) as info:
        call(linreg.LinearModel.like(data.X), data)
    assert info.value.argument == argument


def test_fit_checks_its_inputs_once_not_every_epoch(monkeypatch):
    from linreg import checks

    calls = []
    original = checks.vector
    data = linreg.make_data(num_examples=20)
    model = linreg.LinearModel.like(data.X)
    monkeypatch.setattr(checks, "vector", lambda *a, **k: calls.append(a[1]) or original(*a, **k))
    linreg.fit(model, data.X, data.y, num_epochs=50)
    assert sorted(calls) == ["X", "y"]


# --- what a reviewer found next -----------------------------------------------------------


def test_a_converged_model_can_keep_training():
    X = torch.linspace(-1, 1, 101)
    y = 3 * X + 0.5
    model = linreg.LinearModel.like(X, W=0.0, b=0.0)
    linreg.fit(model, X, y, lr=0.5, num_epochs=500)
    assert len(linreg.fit(model, X, y, lr=0.5, num_epochs=10).losses) == 10
    data = linreg.make_data()
    best = linreg.LinearModel.like(data.X, *linreg.least_squares(data.X, data.y))
    assert len(linreg.fit(best, data.X, data.y).losses) == 20


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"W": 1e39}, "W"),
        ({"b": -1e39}, "b"),
        ({"W": 7e4, "dtype": torch.float16}, "W"),
        ({"device": "banana"}, "device"),
        ({"dtype": torch.int32}, "dtype"),
    ],
)
def test_a_model_that_cannot_exist_is_refused(kwargs, argument):
    with pytest.raises(linreg.ArgumentError) as info:
        linreg.LinearModel(**kwargs)
    assert info.value.argument == argument


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_a_clear_error():
    with pytest.raises(linreg.ArgumentError, match="no CUDA device") as info:
        linreg.make_data(device="cuda")
    assert info.value.argument == "device"


def test_the_fix_in_a_dtype_error_does_something():
    model = linreg.LinearModel()
    X, y = torch.randn(5).double(), torch.randn(5).double()
    with pytest.raises(linreg.ArgumentError, match=r"LinearModel\.like\(X\)") as info:
        linreg.fit(model, X, y)
    assert info.value.argument == "X"
    with pytest.raises(linreg.ArgumentError, match=r"y\.to\(torch\.float32\)"):
        linreg.fit(model, X.float(), y)


@pytest.mark.parametrize(
    ("y_hat", "y", "argument", "message"),
    [
        (torch.zeros(5), torch.zeros(5, 1), "y", r"y\.reshape\(-1\)"),
        (torch.zeros(5, 1), torch.zeros(5), "y_hat", r"y_hat\.reshape\(-1\)"),
        (torch.zeros(5), torch.zeros(4), "y", "5 values but y has 4"),
        (torch.zeros(5, dtype=torch.int64), torch.zeros(5), "y_hat", r"y_hat\.float\(\)"),
        (torch.zeros(0), torch.zeros(0), "y", "y is empty"),
    ],
)
def test_mse_loss_blames_the_right_argument(y_hat, y, argument, message):
    with pytest.raises(linreg.ArgumentError, match=message) as info:
        linreg.mse_loss(y_hat, y)
    assert info.value.argument == argument


def test_a_leftover_gradient_is_refused_not_added():
    data = linreg.make_data()
    model = linreg.LinearModel.like(data.X)
    linreg.mse_loss(model(data.X), data.y).backward()  # as the gradient page does
    for step in (
        lambda: linreg.gradient_step(model, data.X, data.y, 0.1),
        lambda: linreg.fit(model, data.X, data.y),
    ):
        with pytest.raises(linreg.ArgumentError, match=r"already holds a gradient"):
            step()
    model.W.grad, model.b.grad = None, None
    assert linreg.gradient_step(model, data.X, data.y, 0.1).item() == pytest.approx(262.547)
    assert model.W.item() == pytest.approx(13.38, abs=0.01)


def test_an_lr_that_overflows_the_dtype_is_refused():
    data = linreg.make_data()
    with pytest.raises(linreg.ArgumentError, match=r"lr=1e\+40 overflows torch.float32"):
        linreg.gradient_step(linreg.LinearModel.like(data.X), data.X, data.y, lr=1e40)


def test_a_wrong_call_names_the_function():
    with pytest.raises(TypeError, match=r"^gradient_step\(model.*missing a required argument"):
        linreg.gradient_step(linreg.LinearModel(), [1.0], [2.0])


def test_seeds_are_32_bit_and_say_so():
    with pytest.raises(linreg.ArgumentError, match="between 0 and 4294967295"):
        linreg.make_data(seed=2**32 + 42)
    assert not torch.equal(linreg.make_data(seed=2**32 - 1).X, linreg.make_data().X)
