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


def test_data_on_a_device_without_data_is_refused_naming_the_data():
    meta = torch.zeros(3, device="meta")
    for call, argument in (
        (lambda: linreg.LinearModel.like(meta), "X"),
        (lambda: linreg.least_squares(meta, [1.0, 2.0, 3.0]), "X"),
        (lambda: linreg.stability_bound(meta), "X"),
        (lambda: linreg.mse_loss(meta, meta), "y_hat"),
        (lambda: linreg.manual_gradient(torch.tensor(1.0, device="meta"), 0.0, [1.0], [0.0]), "W"),
        (lambda: linreg.LinearModel(W=torch.tensor(2.0, device="meta")), "W"),
    ):
        with pytest.raises(linreg.ArgumentError) as info:
            call()
        assert info.value.argument == argument


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


def test_squares_beyond_float64_are_an_error_about_x_where_they_are_summed():
    X = torch.tensor([1e200, 1.0, 2.0], dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    for call in (
        lambda: linreg.stability_bound(X),
        lambda: linreg.fit(linreg.LinearModel.like(X), X, y),
    ):
        with pytest.raises(linreg.ArgumentError, match="X is too large") as info:
            call()
        assert info.value.argument == "X"


@pytest.mark.parametrize("scale", [1e-300, 1e-170, 1e-160, 1e-100, 1.0, 1e100, 1e200, 1e300])
def test_least_squares_is_exact_at_any_scale_of_x_and_y(scale):
    # Sums of the data as given would overflow (1e200) or sink into subnormals (1e-160),
    # losing the answer or claiming the values are equal; it scales them first, exactly.
    X = np.array([1.0, 2.0, 3.0, 5.0]) * scale
    W, b = linreg.least_squares(X, 3 * X / scale + 1)
    assert W == pytest.approx(3 / scale, rel=1e-12) and b == pytest.approx(1.0, rel=1e-12)
    W, b = linreg.least_squares(X / scale, (2 * X / scale - 1) * scale)
    assert W == pytest.approx(2 * scale, rel=1e-12) and b == pytest.approx(-scale, rel=1e-12)


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


@pytest.mark.parametrize(
    "call",
    [
        lambda: linreg.LinearModel(W=10**400),
        lambda: linreg.make_data(true_W=10**400),
        lambda: linreg.fit(linreg.LinearModel(), [1.0, 2.0], [1.0, 2.0], lr=10**400),
        lambda: linreg.manual_gradient(10**400, 0.0, [1.0], [0.0]),
        lambda: explore([1.0, 2.0], [1.0, 2.0], [0.1], W0=10**400),
    ],
)
def test_integers_too_large_for_a_float_are_an_argument_error(call):
    with pytest.raises(linreg.ArgumentError, match="too large for a float"):
        call()


@pytest.mark.parametrize("dtype", [torch.float8_e4m3fn, torch.float8_e5m2])
def test_float8_storage_formats_are_refused_on_entry(dtype):
    for call, argument in (
        (lambda: linreg.make_data(num_examples=5, dtype=dtype), "dtype"),
        (lambda: linreg.LinearModel(dtype=dtype), "dtype"),
        (lambda: linreg.LinearModel.like(torch.zeros(3).to(dtype)), "X"),
    ):
        with pytest.raises(linreg.ArgumentError, match="float16 or wider") as info:
            call()
        assert info.value.argument == argument


def test_sparse_tensors_are_refused_with_the_fix():
    sparse = torch.tensor([1.0, 0.0, 3.0]).to_sparse()
    with pytest.raises(linreg.ArgumentError, match=r"X\.to_dense\(\)"):
        linreg.least_squares(sparse, [1.0, 2.0, 3.0])
    with pytest.raises(linreg.ArgumentError) as info:
        linreg.mse_loss(sparse, sparse)
    assert info.value.argument == "y_hat"


def test_numpy_arrays_with_negative_strides_are_data():
    X = np.arange(5.0)[::-1]
    assert linreg.least_squares(X, 2 * X + 1) == pytest.approx((2.0, 1.0))
    with pytest.raises(linreg.ArgumentError, match="must be 1-D"):  # and 0-d ones are not
        linreg.manual_gradient(0.0, 0.0, np.array(0.0), np.array(0.0))


def test_a_model_without_the_parts_training_uses_is_refused():
    from types import SimpleNamespace

    duck = SimpleNamespace(W=torch.tensor(1.0, requires_grad=True), b=torch.tensor(0.0))
    for call in (
        lambda: linreg.fit(duck, [1.0, 2.0], [1.0, 2.0]),
        lambda: linreg.gradient_step(duck, [1.0, 2.0], [1.0, 2.0], 0.1),
    ):
        with pytest.raises(linreg.ArgumentError) as info:
            call()
        assert info.value.argument == "model"
    model = linreg.LinearModel()
    model.W = 2.0
    with pytest.raises(linreg.ArgumentError, match=r"model\.W must be a 0-d tensor") as info:
        linreg.fit(model, [1.0, 2.0], [1.0, 2.0])
    assert info.value.argument == "W"


@pytest.mark.parametrize(
    ("start", "X", "lr", "argument"),
    [
        ({"W": 1e38}, [10.0], 0.1, "model"),  # the loss at the start overflows
        ({"W": 1.0}, [1.0, 2.0], 1e38, "lr"),  # the step carries W past float32's largest
    ],
)
def test_a_gradient_step_that_overflows_is_refused_and_changes_nothing(start, X, lr, argument):
    model = linreg.LinearModel(b=0.0, **start)
    before = state(model)
    with pytest.raises(linreg.ArgumentError) as info:
        linreg.gradient_step(model, X, [0.0] * len(X), lr)
    assert info.value.argument == argument and state(model) == before


def test_a_gradient_step_interrupted_midway_changes_nothing(data, monkeypatch):
    from linreg.pages import gradient

    def interrupted(parameters, lr):  # Ctrl-C after W moved, before b did
        parameters = list(parameters)
        with torch.no_grad():
            parameters[0] -= lr * parameters[0].grad
        raise KeyboardInterrupt

    model = linreg.LinearModel.like(data.X)
    before = state(model)
    monkeypatch.setattr(gradient, "update", interrupted)
    with pytest.raises(KeyboardInterrupt):
        linreg.gradient_step(model, data.X, data.y, 0.1)
    assert state(model) == before


def test_mse_loss_that_overflows_is_refused_not_infinite():
    with pytest.raises(linreg.ArgumentError, match="the loss overflows") as info:
        linreg.mse_loss(torch.full((10,), 1e19), torch.zeros(10))
    assert info.value.argument == "y_hat"


def test_manual_gradient_refuses_what_it_would_get_wrong():
    with pytest.raises(linreg.ArgumentError, match=r"y\.to\(torch\.float32\)") as info:
        linreg.manual_gradient(0.0, 0.0, torch.tensor([1.0]), torch.tensor([1e-50]).double())
    assert info.value.argument == "y"
    with pytest.raises(linreg.ArgumentError, match="gradient at W=1e\\+20") as info:
        linreg.manual_gradient(1e20, 0.0, torch.tensor([1e19]), torch.tensor([0.0]))
    assert info.value.argument == "W"


def test_make_data_shifts_x_in_its_own_dtype():
    shifted = linreg.make_data(x_mean=1e8, dtype=torch.float64)
    plain = linreg.make_data(dtype=torch.float64)
    torch.testing.assert_close(shifted.X - 1e8, plain.X, rtol=0, atol=1e-7)


def test_the_command_line_offers_no_dtype_it_does_not_have(capsys):
    from linreg import cli

    for option in (["--w0", "1e39"], ["--noise", "1e300"]):
        assert cli.main(option) == cli.EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert "float64" not in err and err.rstrip().endswith(".") and err.count("\n") == 1


def test_an_overlong_plots_name_is_an_error_about_plots(capsys):
    from linreg import cli

    assert cli.main(["--plots", "x" * 300]) == cli.EXIT_BAD_INPUT
    assert capsys.readouterr().err.startswith("linreg: error: --plots: cannot write to x")


@pytest.mark.parametrize("path", [None, 3, ""])
def test_a_path_that_is_not_a_file_name_is_refused(path):
    with pytest.raises(linreg.ArgumentError) as info:
        statistics.read_moments(path)
    assert info.value.argument == "path"


def test_a_file_that_cannot_be_opened_is_an_error_about_path(tmp_path):
    for path in (tmp_path / "missing.f32", tmp_path):
        with pytest.raises(linreg.ArgumentError, match="cannot open") as info:
            statistics.read_moments(path)
        assert info.value.argument == "path"


def test_pairs_beyond_float32_say_the_file_stores_float32(tmp_path):
    with pytest.raises(linreg.ArgumentError, match="which the file stores") as info:
        statistics.write_pairs(tmp_path / "p.f32", [1e39], [1.0])
    assert "float64" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"timeout": 1e14}, "timeout"),
        ({"timeout": 10**400}, "timeout"),
    ],
)
def test_launch_refuses_a_timeout_it_cannot_keep(kwargs, argument):
    with pytest.raises(linreg.ArgumentError) as info:
        distributed.launch(distributed.shard, 1, **kwargs)
    assert info.value.argument == argument


def test_launch_refuses_arguments_that_cannot_reach_the_processes():
    with pytest.raises(linreg.ArgumentError, match="cannot be sent") as info:
        distributed.launch(distributed.shard, 1, lambda: 1)
    assert info.value.argument == "args"


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
        ({"lrs": [0.1, math.nan]}, "lrs"),
        ({"start": "a"}, "start"),
        ({"shown": ["x"]}, "shown"),
        ({"shown": 0.5}, "shown"),
        ({"W0": 1e39}, "W0"),
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
