"""Image-regression tests: every figure the site shows, from the inputs the site uses.

Each test makes exactly the call a page makes, on the same seeded defaults, and returns the
figure; pytest-mpl compares it with tests/baseline/<test name>.png. `--mpl` is in addopts,
so the README's plain `pytest` compares images. To regenerate the baselines on purpose:

    .venv/bin/python -m pytest tests/test_figures.py --mpl-generate-path=tests/baseline
"""

from __future__ import annotations

import pytest

import linreg
from linreg.plots import plot_data, plot_loss, plot_parameters, plot_predictions

# RMS difference allowed, on matplotlib's 0-255 scale. With matplotlib (and so FreeType)
# pinned, the same commit draws byte-identical PNGs (RMS 0), so the tolerance only has to
# absorb sub-pixel anti-aliasing noise: moving the dashed least-squares line by 1e-5 gave
# RMS 0.015. The smallest real changes measured sit well above it: one of the 1000 points
# moved by 1 in y, RMS 0.78; lr 0.1001 instead of 0.1, 0.72; the colour of b changed, 5.2;
# the true-W line dropped, 9.8. tests/test_guard_bites.py shows the first and the last two
# failing the README's test command.
TOLERANCE = 0.3

compare = pytest.mark.mpl_image_compare(tolerance=TOLERANCE)


@pytest.fixture(scope="module")
def run():
    """The site's run: default data, model and training, as every page makes them."""
    data = linreg.make_data()
    initial = linreg.LinearModel.like(data.X)
    model = linreg.LinearModel.like(data.X)
    history = linreg.fit(model, data.X, data.y, lr=0.1, num_epochs=20)
    W_best, b_best = linreg.least_squares(data.X, data.y)
    best_loss = linreg.mse_loss(W_best * data.X + b_best, data.y).item()
    return data, initial, model, history, best_loss


@compare
def test_data_figure(run):
    data, *_ = run
    return plot_data(data.X, data.y, true_W=data.true_W, true_b=data.true_b)


@compare
def test_before_training_figure(run):
    data, initial, *_ = run
    return plot_predictions(data.X, data.y, initial, title="Before training")


@compare
def test_parameters_figure(run):
    data, _, _, history, _ = run
    return plot_parameters(history, true_W=data.true_W, true_b=data.true_b)


@compare
def test_after_training_figure(run):
    data, _, model, *_ = run
    return plot_predictions(data.X, data.y, model, title="After training")


@compare
def test_loss_figure(run):
    *_, history, best_loss = run
    return plot_loss(history, best_loss=best_loss)


def test_two_generations_are_byte_identical(run):
    data, initial, _, history, best_loss = run
    makers = [
        lambda: plot_data(data.X, data.y, true_W=data.true_W, true_b=data.true_b),
        lambda: plot_predictions(data.X, data.y, initial, title="Before training"),
        lambda: plot_parameters(history, true_W=data.true_W, true_b=data.true_b),
        lambda: plot_loss(history, best_loss=best_loss),
    ]
    for make in makers:
        first, second = make().png(), make().png()
        assert first == second
        assert b"Matplotlib" not in first and b"Software" not in first  # no version string
