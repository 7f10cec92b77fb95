"""Refusals that change nothing, name the argument at fault and its real cause, on inputs no
earlier test listed (issue 21): a call that fails leaves every argument as it was; every
argument is checked on entry, also those that matter in one mode only; an error says what
is really wrong; files of pairs; process counts; the explorer's inputs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

import linreg
from linreg import distributed, statistics
from linreg.explorer import explore


def state(model):
    """What a call must leave as it was: W, b and their gradients."""
    return [(p.item(), None if p.grad is None else p.grad.item()) for p in model.parameters()]


@pytest.fixture(scope="module")
def data():
    return linreg.make_data(num_examples=50)


# --- a call that fails changes nothing ----------------------------------------------------


FAILING_FITS = {
    # the loss of the start overflows only once W x is formed: noticed after the first step
    "start overflows": (
        torch.tensor([1e18, -1e18, 2e18]),
        torch.tensor([0.0, 1.0, 2.0]),
        {"lr": 1e-40},
        {"W": 1e21, "b": 0.0},
    ),
    "divergence": (None, None, {"lr": 1.5}, {}),
    "mini-batch divergence": (None, None, {"lr": 50.0, "batch_size": 5}, {}),
    "on_epoch raises": (None, None, {"on_epoch": lambda epoch, loss: 1 / (epoch - 2)}, {}),
    "lr too small for the dtype": (None, None, {"lr": 1e-30}, {}),
}


@pytest.mark.parametrize("case", FAILING_FITS)
def test_a_fit_that_fails_leaves_the_model_as_it_was(case, data):
    X, y, kwargs, start = FAILING_FITS[case]
    X, y = (data.X, data.y) if X is None else (X, y)
    model = linreg.LinearModel.like(X, **start)
    before = state(model)
    with pytest.raises((linreg.ArgumentError, linreg.DivergenceError, ZeroDivisionError)):
        linreg.fit(model, X, y, num_epochs=20, **kwargs)
    assert state(model) == before
    if not start:  # so a corrected call starts where the first one did
        fixed = linreg.fit(model, data.X, data.y, lr=0.1, num_epochs=2)
        assert fixed.Ws[0] == before[0][0] and fixed.bs[0] == before[1][0]


def test_a_fit_interrupted_by_ctrl_c_leaves_the_model_as_it_was(data):
    model = linreg.LinearModel.like(data.X)
    before = state(model)

    def interrupt(epoch, loss):
        if epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        linreg.fit(model, data.X, data.y, on_epoch=interrupt)
    assert state(model) == before


def test_a_refused_gradient_step_changes_nothing(data):
    model = linreg.LinearModel.like(data.X)
    before = state(model)
    huge = torch.full((3,), 1e30)
    with pytest.raises(linreg.ArgumentError) as info:
        linreg.gradient_step(model, huge, torch.zeros(3), 0.1)
    assert info.value.argument == "X" and state(model) == before


# --- every argument is checked on entry ---------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"on_epoch": 5}, "on_epoch"),
        ({"on_epoch": "print"}, "on_epoch"),
        ({"seed": 3}, "seed"),  # a seed shuffles mini-batches: without them it did nothing
        ({"seed": 0, "batch_size": None}, "seed"),
        ({"batch_size": 2.0}, "batch_size"),
        ({"batch_size": True}, "batch_size"),
        ({"batch_size": 10, "seed": 1.5}, "seed"),
        ({"num_epochs": True}, "num_epochs"),
        ({"num_epochs": 3.0}, "num_epochs"),
        ({"distributed": "yes"}, "distributed"),
        ({"distributed": 1}, "distributed"),
    ],
)
def test_fit_checks_every_argument_before_a_step(kwargs, argument, data):
    model = linreg.LinearModel.like(data.X)
    before = state(model)
    with pytest.raises(linreg.ArgumentError) as info:
        linreg.fit(model, data.X, data.y, **kwargs)
    assert info.value.argument == argument
    assert state(model) == before


@pytest.mark.parametrize("device", ["meta", "mps", "xpu", "cuda:7"])
def test_a_device_that_cannot_hold_data_is_refused(device):
    for call in (
        lambda: linreg.make_data(num_examples=5, device=device),
        lambda: linreg.LinearModel(device=device),
    ):
        with pytest.raises(linreg.ArgumentError) as info:
            call()
        assert info.value.argument == "device"


def test_data_on_a_device_without_data_is_refused():
    with pytest.raises(linreg.ArgumentError) as info:
        linreg.LinearModel.like(torch.zeros(3, device="meta"))
    assert info.value.argument == "device"


@pytest.mark.parametrize("X", [5, "abc", None, [[1.0, 2.0]]])
def test_a_model_like_something_that_is_not_data_is_refused(X):
    with pytest.raises(linreg.ArgumentError) as info:
        linreg.LinearModel.like(X)
    assert info.value.argument == "X"


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: linreg.manual_gradient("a", 1.0, [1.0, 2.0], [1.0, 2.0]), "W"),
        (lambda: linreg.manual_gradient(1.0, math.nan, [1.0, 2.0], [1.0, 2.0]), "b"),
        (lambda: linreg.manual_gradient(torch.tensor(math.inf), 1.0, [1.0], [1.0]), "W"),
        (lambda: linreg.run(on_epoch=3), "on_epoch"),
        (lambda: linreg.mse_loss(torch.zeros(3), torch.tensor([1.0, math.nan, 2.0])), "y"),
        (lambda: linreg.mse_loss(torch.tensor([math.inf, 0.0]), torch.zeros(2)), "y_hat"),
        (lambda: linreg.mse_loss(torch.zeros(2), torch.zeros(2, device="meta")), "y"),
    ],
)
def test_the_exported_names_check_what_they_are_given(call, argument):
    with pytest.raises(linreg.ArgumentError) as info:
        call()
    assert info.value.argument == argument


def test_mse_loss_of_finite_values_is_the_float64_mean_of_squares():
    y_hat, y = torch.tensor([1.0, 2.5, -3.0]), torch.tensor([0.5, 2.0, 1.0])
    expected = np.mean((y_hat.double().numpy() - y.double().numpy()) ** 2)
    assert linreg.mse_loss(y_hat, y).item() == pytest.approx(expected, rel=1e-7)


# --- an error names the real cause, and a fix that works ----------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.float64])
def test_data_whose_squares_overflow_are_an_error_about_x(dtype):
    big = 0.6 * math.sqrt(torch.finfo(dtype).max)  # each square fits; their sum does not
    X = torch.tensor([big, -big, big, 0.0], dtype=dtype)
    y = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=dtype)
    model = linreg.LinearModel.like(X, W=0.0, b=0.0)
    with pytest.raises(linreg.ArgumentError) as info:
        linreg.fit(model, X, y, lr=1e-3)
    assert info.value.argument == "X" and "Rescale X (for example X / " in str(info.value)
    divisor = float(str(info.value).split("X / ")[1].split(")")[0])
    smaller = X / divisor  # the fix it names works
    history = linreg.fit(model, smaller, y, lr=0.5 * linreg.stability_bound(smaller))
    assert all(map(math.isfinite, history.losses))


def test_squares_beyond_float64_are_an_error_about_x_everywhere():
    X = torch.tensor([1e200, 1.0, 2.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    for call in (
        lambda: linreg.stability_bound(X),
        lambda: linreg.least_squares(X, y),
        lambda: linreg.fit(linreg.LinearModel.like(X), X, y),
    ):
        with pytest.raises(linreg.ArgumentError, match="X is too large") as info:
            call()
        assert info.value.argument == "X"


def test_targets_whose_squares_overflow_are_an_error_about_y():
    X = torch.tensor([0.0, 1.0, 2.0])
    y = torch.tensor([3e38, -3e38, 1.0])
    with pytest.raises(linreg.ArgumentError, match="y is too large") as info:
        linreg.fit(linreg.LinearModel.like(X), X, y)
    assert info.value.argument == "y"


@pytest.mark.parametrize("n", [2, 50])
def test_x_values_equal_in_the_dtype_are_not_too_few_examples(n):
    X = torch.tensor([1e8 + 1.0, 1e8 + 2.0] * (n // 2))  # one float32 value (spacing 8)
    with pytest.raises(linreg.ArgumentError, match=f"all {n} values of X are equal") as info:
        linreg.least_squares(X, torch.arange(float(n)))
    message = str(info.value)
    assert "more examples" not in message and "float64" in message
    W, _ = linreg.least_squares(X.double() + torch.tensor([0.0, 1.0] * (n // 2)), torch.ones(n))
    assert W == pytest.approx(0.0, abs=1e-12)  # the fix named: float64 data tells them apart


def test_one_example_is_not_a_line():
    with pytest.raises(linreg.ArgumentError, match="X has 1 example"):
        linreg.least_squares([1.0], [2.0])


@pytest.mark.parametrize(
    "X", [[10**400, 1.0], [2.0, -(10**309)]], ids=["beyond float64", "negative, beyond"]
)
def test_numbers_too_large_for_float64_are_not_called_not_numbers(X):
    with pytest.raises(linreg.ArgumentError, match="too large for any float dtype") as info:
        linreg.least_squares(X, [1.0, 2.0])
    assert "must be a tensor or a list/array of numbers" not in str(info.value)


def test_integers_beyond_int64_that_float64_holds_are_numbers():
    W, b = linreg.least_squares([2**70, 2**71], [1.0, 2.0])
    assert W == pytest.approx(1 / 2**70) and b == pytest.approx(0.0, abs=1e-9)


def test_finite_values_too_large_for_the_model_dtype_are_not_called_infinite():
    model = linreg.LinearModel()  # float32
    with pytest.raises(linreg.ArgumentError, match=r"as large as 1e\+39, beyond torch.float32"):
        linreg.fit(model, [1e39, 1.0], [1.0, 2.0])
    with pytest.raises(linreg.ArgumentError, match="holds 1 NaN or infinite"):
        linreg.fit(model, [math.inf, 1.0], [1.0, 2.0])


def test_a_numpy_array_torch_cannot_hold_says_how_to_convert_it():
    X = np.array([1.0, 2.0], dtype=np.longdouble)
    with pytest.raises(linreg.ArgumentError, match=r"astype\(numpy.float64\)"):
        linreg.least_squares(X, [1.0, 2.0])


# --- files of pairs ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_file_of_pairs_with_a_non_finite_value_is_refused_naming_the_pair(bad, tmp_path):
    values = np.arange(40, dtype=np.float32)
    values[27] = bad  # pair 13's y
    path = tmp_path / "pairs.f32"
    values.tofile(path)
    for chunk in (4, 1000):  # the pair in a later chunk, and in the first
        with pytest.raises(linreg.ArgumentError, match="at pair 13 ") as info:
            statistics.read_moments(path, chunk=chunk)
        assert info.value.argument == "path"


@pytest.mark.parametrize("chunk", [0, -1, 2.5, True, "8"])
def test_chunk_sizes_that_are_not_positive_whole_numbers_are_refused(chunk, tmp_path):
    path = tmp_path / "pairs.f32"
    statistics.write_pairs(path, torch.arange(4.0), torch.arange(4.0))
    with pytest.raises(linreg.ArgumentError) as info:
        statistics.read_moments(path, chunk=chunk)
    assert info.value.argument == "chunk"


def test_pairs_that_cannot_be_read_back_are_not_written(tmp_path):
    path = tmp_path / "pairs.f32"
    for X, argument in (([1.0, math.nan], "X"), ([1.0, 1e39], "X")):
        with pytest.raises(linreg.ArgumentError) as info:
            statistics.write_pairs(path, torch.tensor(X, dtype=torch.float64), [1.0, 2.0])
        assert info.value.argument == argument
    assert not path.exists()
    (tmp_path / "empty.f32").write_bytes(b"")
    with pytest.raises(linreg.ArgumentError, match="is empty"):
        statistics.read_moments(tmp_path / "empty.f32")


# --- process counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ((10, 0, 0), "world_size"),
        ((10, 0, -2), "world_size"),
        ((10, 0, 1.5), "world_size"),
        ((10, 0, True), "world_size"),
        ((10, 2, 2), "rank"),
        ((10, -1, 2), "rank"),
        ((-5, 0, 2), "n"),
        ((10.0, 0, 2), "n"),
    ],
)
def test_shard_refuses_bad_counts(arguments, named):
    with pytest.raises(linreg.ArgumentError) as info:
        distributed.shard(*arguments)
    assert info.value.argument == named


@pytest.mark.parametrize("bounds", [None, [0, "a", 100], [0, 50.0, 100], [0, -1, 100], 7])
def test_bounds_of_the_wrong_kind_are_an_argument_error(bounds):
    with pytest.raises(linreg.ArgumentError) as info:
        distributed.check_bounds(100, 2, bounds)
    assert info.value.argument == "bounds"


# --- the explorer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"W0": math.nan}, "W0"),
        ({"b0": math.inf}, "b0"),
        ({"true_W": math.nan, "true_b": 0.5}, "true_W"),
        ({"true_W": 3.0, "true_b": -math.inf}, "true_b"),
        ({"true_W": 3.0}, "true_b"),
        ({"lrs": [0.1, 1e300]}, "lrs"),
        ({"lrs": [0.1, math.nan]}, "lr"),
        ({"lrs": [0.01 * k for k in range(1, 1000)]}, "lrs"),
        ({"lrs": 0.1}, "lrs"),
        ({"num_epochs": 10**9}, "num_epochs"),
        ({"W0": 1e30}, "W0"),
    ],
)
def test_the_explorer_refuses_non_finite_or_absurd_inputs(kwargs, argument, data):
    arguments = {"lrs": [0.1, 0.5], **kwargs}
    with pytest.raises(linreg.ArgumentError) as info:
        explore(data.X, data.y, **arguments)
    assert info.value.argument == argument


def test_the_explorers_page_json_is_valid_json(data):
    explorer = explore(data.X, data.y, [0.1, 0.5, 2.0, 8.0], num_epochs=40)
    spec = explorer._repr_html_().split('data-explorer="', 1)[1].split('"', 1)[0]
    import html

    json.loads(html.unescape(spec), parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
