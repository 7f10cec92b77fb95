"""Every input a user can get wrong gets an error that names the argument and the fix."""

import math

import numpy as np
import pytest
import torch

import linreg


@pytest.fixture
def data():
    return linreg.make_data(num_examples=50)


def fit(X, y, **kwargs):
    return linreg.fit(linreg.LinearModel(), X, y, **kwargs)


def test_lists_and_numpy_arrays_are_accepted(data):
    from_tensor = fit(data.X, data.y)
    from_numpy = fit(data.X.numpy(), data.y.numpy())
    from_lists = fit(data.X.tolist(), data.y.tolist())
    assert from_tensor.losses == from_numpy.losses
    assert from_lists.losses == pytest.approx(from_tensor.losses, rel=1e-6)
    int_run = fit([0, 1, 2, 3], [1, 3, 5, 7], num_epochs=3)  # ints become floats
    assert all(math.isfinite(v) for v in int_run.losses)


def test_different_lengths(data):
    with pytest.raises(ValueError, match=r"X has 50 examples but y has 49: pass one target"):
        fit(data.X, data.y[:-1])


def test_column_vector_against_flat_targets_is_rejected(data):
    # The classic bug: X of shape (n, 1) and y of shape (n,) broadcast to (n, n) and the
    # loss becomes the mean of every prediction minus every target. We reject it.
    X_col = data.X.reshape(-1, 1)
    wrong = linreg.LinearModel()(X_col) - data.y
    assert wrong.shape == (50, 50)  # what would happen silently
    with pytest.raises(
        ValueError,
        match=r"X must be 1-D.*got shape \(50, 1\): flatten it with X\.reshape\(-1\)",
    ):
        fit(X_col, data.y)
    with pytest.raises(ValueError, match=r"y must be 1-D"):
        fit(data.X, data.y.reshape(-1, 1))


def test_mse_loss_rejects_mismatched_shapes(data):
    y_hat = linreg.LinearModel()(data.X.reshape(-1, 1))
    with pytest.raises(
        ValueError, match=r"would broadcast to shape \(50, 50\).*y_hat\.reshape\(-1\)"
    ):
        linreg.mse_loss(y_hat, data.y)
    with pytest.raises(ValueError, match="y_hat has 3 values but y has 50"):
        linreg.mse_loss(data.y[:3], data.y)
    with pytest.raises(ValueError, match="do not even broadcast"):
        linreg.mse_loss(data.y[:3].reshape(3, 1), data.y.reshape(5, 10))


@pytest.mark.parametrize("empty", [[], torch.empty(0), np.array([])])
def test_empty_data(empty):
    with pytest.raises(ValueError, match="X is empty: pass at least one example"):
        fit(empty, empty)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_or_infinite_values(data, bad):
    y = data.y.clone()
    y[7] = bad
    with pytest.raises(ValueError, match=r"y holds 1 NaN or infinite value\(s\): drop or impute"):
        fit(data.X, y)
    with pytest.raises(ValueError, match="X holds 1 NaN"):
        linreg.least_squares([1.0, bad, 3.0], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("bad", [["a", "b"], "abc", None, {"x": 1}, [[1, 2], [3]], object()])
def test_non_numeric_input(data, bad):
    with pytest.raises(TypeError, match="X must be a tensor or a list/array of numbers"):
        fit(bad, data.y)


@pytest.mark.parametrize("bad", [torch.tensor([True, False]), torch.tensor([1j, 2j])])
def test_bool_or_complex_input(bad):
    with pytest.raises(TypeError, match="y must hold real numbers"):
        fit([1.0, 2.0], bad)


@pytest.mark.parametrize("lr", [0, -0.1, math.nan, math.inf])
def test_bad_learning_rate(data, lr):
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0 \(for example 0\.1\)"):
        fit(data.X, data.y, lr=lr)


@pytest.mark.parametrize("lr", ["0.1", None, True])
def test_learning_rate_of_the_wrong_type(data, lr):
    with pytest.raises(TypeError, match="lr must be a number"):
        fit(data.X, data.y, lr=lr)


def test_learning_rate_is_checked_by_the_step_too(data):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        linreg.gradient_step(linreg.LinearModel(), data.X, data.y, lr=-1.0)


@pytest.mark.parametrize(
    ("epochs", "error"), [(-1, ValueError), (2.5, TypeError), ("20", TypeError)]
)
def test_bad_epochs(data, epochs, error):
    with pytest.raises(error, match=r"num_epochs must be .*\(for example 20\)"):
        fit(data.X, data.y, num_epochs=epochs)


def test_model_on_another_dtype(data):
    with pytest.raises(ValueError, match=r"LinearModel\.like\(X\)"):
        linreg.fit(linreg.LinearModel(dtype=torch.float64), data.X, data.y)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_examples": 0}, "num_examples must be >= 1"),
        ({"num_examples": 2.0}, "num_examples must be a whole number"),
        ({"noise": -1.0}, "noise is a standard deviation and must be >= 0"),
        ({"noise": math.nan}, "noise must be a finite number"),
        ({"seed": -3}, "seed must be between 0 and 4294967295"),
        ({"true_W": math.inf}, "true_W must be a finite number"),
        ({"dtype": torch.int64}, "dtype must be a floating dtype"),
    ],
)
def test_bad_data_arguments(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        linreg.make_data(**kwargs)


def test_bad_initial_parameters():
    with pytest.raises(ValueError, match="W must be a finite number"):
        linreg.LinearModel(W=math.nan)


def test_least_squares_needs_two_distinct_x():
    with pytest.raises(ValueError, match=r"all 3 values of X are equal in torch\.float64"):
        linreg.least_squares([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])
