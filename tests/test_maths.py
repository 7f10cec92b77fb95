"""The hand-written maths against oracles: autograd, torch.linalg.lstsq, float64 closed forms."""

import math

import pytest
import torch

import linreg


@pytest.fixture
def random_data():
    """A random float64 sample unlike the tutorial's, so nothing hinges on its numbers."""
    g = torch.Generator().manual_seed(1234)
    X = torch.randn(257, generator=g, dtype=torch.float64) * 2.5 + 1.3
    y = -0.7 * X + 4.0 + torch.randn(257, generator=g, dtype=torch.float64)
    return X, y


def test_mse_loss_is_the_mean_of_squared_residuals(random_data):
    X, y = random_data
    y_hat = 0.3 * X - 2.0
    expected = sum((p - t) ** 2 for p, t in zip(y_hat.tolist(), y.tolist(), strict=True)) / len(y)
    assert linreg.mse_loss(y_hat, y).item() == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize(("W", "b"), [(16.0, 10.0), (-0.7, 4.0), (0.0, 0.0), (2.5, -3.0)])
def test_manual_gradient_equals_autograd(random_data, W, b):
    X, y = random_data
    model = linreg.LinearModel(W, b, dtype=torch.float64)
    linreg.mse_loss(model(X), y).backward()
    dW, db = linreg.manual_gradient(W, b, X, y)
    torch.testing.assert_close(model.W.grad, dW, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(model.b.grad, db, rtol=1e-12, atol=1e-12)


def test_gradient_step_moves_against_the_gradient(random_data):
    X, y = random_data
    model = linreg.LinearModel(16.0, 10.0, dtype=torch.float64)
    dW, db = linreg.manual_gradient(16.0, 10.0, X, y)
    loss = linreg.gradient_step(model, X, y, lr=0.05)
    assert loss.item() == pytest.approx(linreg.mse_loss(16.0 * X + 10.0, y).item(), rel=1e-15)
    assert model.W.item() == pytest.approx(16.0 - 0.05 * dW.item(), rel=1e-14)
    assert model.b.item() == pytest.approx(10.0 - 0.05 * db.item(), rel=1e-14)
    # The step leaves clean grads and tensors that are still leaves, ready for the next one.
    assert model.W.grad.item() == 0.0 and model.b.grad.item() == 0.0
    assert model.W.is_leaf and model.W.requires_grad and model.b.is_leaf


def test_least_squares_matches_the_closed_form(random_data):
    X, y = random_data
    W, b = linreg.least_squares(X, y)
    # Normal equations for one feature: W* = cov(x, y) / var(x), b* = mean(y) - W* mean(x).
    xc, yc = X - X.mean(), y - y.mean()
    W_closed = ((xc * yc).sum() / (xc * xc).sum()).item()
    assert W == pytest.approx(W_closed, rel=1e-12)
    assert b == pytest.approx((y.mean() - W_closed * X.mean()).item(), rel=1e-12)


def test_least_squares_is_where_the_gradient_vanishes(random_data):
    X, y = random_data
    W, b = linreg.least_squares(X, y)
    dW, db = linreg.manual_gradient(W, b, X, y)
    assert abs(dW.item()) < 1e-12 and abs(db.item()) < 1e-12


def test_long_run_converges_to_the_least_squares_optimum_of_the_sample():
    # Gradient descent minimises the loss on *this sample*, whose minimiser is the
    # least-squares line of the sample. The true W=3, b=0.5 generated the data but, with
    # noise, are not the sample's minimiser (they differ by about noise/sqrt(n) ~ 0.03),
    # so no amount of training reaches them: the oracle is lstsq, not the truth.
    data = linreg.make_data(dtype=torch.float64)
    model = linreg.LinearModel.like(data.X)
    history = linreg.fit(model, data.X, data.y, lr=0.5, num_epochs=500)
    W_star, b_star = linreg.least_squares(data.X, data.y)
    assert history.W == pytest.approx(W_star, abs=1e-10)
    assert history.b == pytest.approx(b_star, abs=1e-10)
    assert abs(W_star - data.true_W) > 1e-3  # the truth really is a different point


def test_float32_run_ends_near_the_float64_optimum():
    data = linreg.make_data()
    model = linreg.LinearModel.like(data.X)
    history = linreg.fit(model, data.X, data.y, lr=0.5, num_epochs=200)
    W_star, b_star = linreg.least_squares(data.X, data.y)
    assert history.W == pytest.approx(W_star, abs=1e-4)
    assert history.b == pytest.approx(b_star, abs=1e-4)


def test_stability_bound_is_one_over_the_largest_eigenvalue(random_data):
    X, _ = random_data
    m1, m2 = X.mean().item(), (X**2).mean().item()
    # Largest eigenvalue of [[m2, m1], [m1, 1]] from the 2x2 characteristic polynomial.
    trace, det = m2 + 1, m2 - m1**2
    lam_max = (trace + math.sqrt(trace**2 - 4 * det)) / 2
    assert linreg.stability_bound(X) == pytest.approx(1 / lam_max, rel=1e-12)


def test_stability_bound_separates_convergence_from_divergence(random_data):
    X, y = random_data
    bound = linreg.stability_bound(X)
    below = linreg.fit(
        linreg.LinearModel(dtype=torch.float64), X, y, lr=0.98 * bound, num_epochs=2000
    )
    assert below.W == pytest.approx(linreg.least_squares(X, y)[0], abs=1e-6)
    with pytest.raises(linreg.DivergenceError):
        linreg.fit(linreg.LinearModel(dtype=torch.float64), X, y, lr=1.02 * bound, num_epochs=2000)


def test_default_bound_is_about_one():
    data = linreg.make_data()
    assert linreg.stability_bound(data.X) == pytest.approx(1.0, abs=0.05)
