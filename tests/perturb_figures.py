"""A pytest plugin that spoils one published figure, to show that the image tests bite.

Loaded only by tests/test_guard_bites.py, as `-p perturb_figures` of an in-process pytest
run, with LINREG_PERTURB set to some of `point`, `colour` and `line`, comma-separated: each
spoils a different figure. It wraps the plotting functions for the length of that run; the
committed code and baselines are untouched.
"""

from __future__ import annotations

import functools
import os

import linreg.plots


def _moved_point(fig):
    points = fig.axes[0].collections[0]  # the data scatter
    offsets = points.get_offsets().copy()
    offsets[0, 1] += 1.0  # one of the 1000 points, 1 unit higher
    points.set_offsets(offsets)


def _changed_colour(fig):
    fig.axes[0].lines[1].set_color("tab:green")  # b's trajectory


def _dropped_line(fig):
    fig.axes[0].lines[1].remove()  # the dashed least-squares loss


PERTURBATIONS = {
    "point": ("plot_data", _moved_point),
    "colour": ("plot_parameters", _changed_colour),
    "line": ("plot_loss", _dropped_line),
}
SPOILS = {
    "point": "test_data_figure",
    "colour": "test_parameters_figure",
    "line": "test_loss_figure",
}


_originals: dict[str, object] = {}


def pytest_configure(config):
    for perturbation in os.environ["LINREG_PERTURB"].split(","):
        name, spoil = PERTURBATIONS[perturbation]
        original = getattr(linreg.plots, name)
        _originals[name] = original
        setattr(linreg.plots, name, _spoiled(original, spoil))


def _spoiled(original, spoil):
    @functools.wraps(original)
    def spoiled(*args, **kwargs):
        fig = original(*args, **kwargs)
        spoil(fig)
        return fig

    return spoiled


def pytest_unconfigure(config):
    # tests/test_guard_bites.py runs this in its own process: leave linreg.plots unspoiled.
    while _originals:
        name, original = _originals.popitem()
        setattr(linreg.plots, name, original)
