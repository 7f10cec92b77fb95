"""Image-regression tests: every figure the site shows, from the inputs the site uses.

Each test draws one figure as `linreg.plots.site_figures` defines it for the seed run
(`linreg.run()`), the definition that `linreg --plots` uses too, and returns it; pytest-mpl
compares it with tests/baseline/<test name>.png. `--mpl` is in addopts,
so the README's plain `pytest` compares images. To regenerate the baselines on purpose:

    .venv/bin/python -m pytest tests/test_figures.py --mpl-generate-path=tests/baseline
"""

from __future__ import annotations

import pytest

import linreg
from linreg.plots import site_figures

# RMS difference allowed, on matplotlib's 0-255 scale. With matplotlib (and so FreeType)
# pinned, the same commit draws byte-identical PNGs (RMS 0), so the tolerance only has to
# absorb sub-pixel anti-aliasing noise: moving the dashed least-squares line by 1e-5 gave
# RMS 0.015. The smallest real changes measured sit well above it: one of the 1000 points
# moved by 1 in y, RMS 0.78; lr 0.1001 instead of 0.1, 0.72; the colour of b changed, 5.2;
# the true-W line dropped, 9.8. tests/test_guard_bites.py shows a moved point, a changed
# colour and a dropped line (the least-squares loss) failing the README's test command.
TOLERANCE = 0.3

compare = pytest.mark.mpl_image_compare(tolerance=TOLERANCE)


@pytest.fixture(scope="module")
def figures():
    """The site's figures, as linreg.plots.site_figures defines them for the seed run."""
    return site_figures(linreg.run())


@compare
def test_data_figure(figures):
    return figures["data"]()


@compare
def test_before_training_figure(figures):
    return figures["before-training"]()


@compare
def test_parameters_figure(figures):
    return figures["parameters"]()


@compare
def test_after_training_figure(figures):
    return figures["after-training"]()


@compare
def test_loss_figure(figures):
    return figures["loss"]()


@compare
def test_landscape_figure(figures):
    return figures["landscape"]()


@compare
def test_landscape_shifted_figure(figures):
    return figures["landscape-shifted"]()


@compare
def test_excess_figure(figures):
    return figures["excess"]()


@compare
def test_contraction_figure(figures):
    return figures["contraction"]()


@compare
def test_sweep_figure(figures):
    return figures["sweep"]()


@compare
def test_explorer_figure(figures):
    return figures["explorer"]()


@compare
def test_sampling_error_figure(figures):
    return figures["sampling-error"]()


@compare
def test_minibatch_losses_figure(figures):
    return figures["minibatch-losses"]()


@compare
def test_parameter_noise_figure(figures):
    return figures["parameter-noise"]()


def test_every_site_figure_has_an_image_test(figures):
    tested = {
        name.removeprefix("test_").removesuffix("_figure").replace("_", "-")
        for name in globals()
        if name.startswith("test_") and name.endswith("_figure")
    }
    assert tested == set(figures)


def test_two_generations_are_byte_identical(figures):
    for name, draw in figures.items():
        first, second = draw().png(), draw().png()
        assert first == second, name
        assert b"Matplotlib" not in first and b"Software" not in first  # no version string
