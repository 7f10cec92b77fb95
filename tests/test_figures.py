"""Image-regression tests: every figure the site shows, from the inputs the site uses.

Each test draws one figure as `linreg.plots.site_figures` defines it for the seed run
(`linreg.run()`), the definition that `linreg --plots` uses too, and returns it; pytest-mpl
compares it with tests/baseline/<test name>.png. `--mpl` is in addopts,
so the README's plain `pytest` compares images. To regenerate the baselines on purpose:

    .venv/bin/python -m pytest tests/test_figures.py --mpl-generate-path=tests/baseline
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import linreg
from linreg.plots import site_figures

# The RMS difference allowed is mpl-default-tolerance in pyproject.toml (why it is what
# it is, is said there).
compare = pytest.mark.mpl_image_compare


@pytest.fixture(scope="module", autouse=True)
def _no_earlier_results(pytestconfig):
    """Before this run compares images, mpl-results/ is emptied: an earlier run's would
    mislead. (A run without these tests leaves them; pytest-xdist gives a module to one
    worker, so no other is writing there.)"""
    results = pytestconfig.getoption("--mpl-results-path")
    if pytestconfig.getoption("--mpl") and results and Path(results).is_dir():
        for stale in Path(results).iterdir():
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()


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
def test_residuals_figure(figures):
    return figures["residuals"]()


@compare
def test_loss_slice_figure(figures):
    return figures["loss-slice"]()


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
def test_momentum_figure(figures):
    return figures["momentum"]()


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


@compare
def test_degree_figure(figures):
    return figures["degree"]()


@compare
def test_early_stopping_figure(figures):
    return figures["early-stopping"]()


@compare
def test_penalty_path_figure(figures):
    return figures["penalty-path"]()


@compare
def test_penalty_figure(figures):
    return figures["penalty"]()


def test_every_site_figure_has_an_image_test(figures):
    tested = {
        name.removeprefix("test_").removesuffix("_figure").replace("_", "-")
        for name in globals()
        if name.startswith("test_") and name.endswith("_figure")
    }
    assert tested == set(figures)
