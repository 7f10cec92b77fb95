"""A pytest plugin that spoils one published figure, to show that the image tests bite.

Loaded only by tests/test_guard_bites.py, as `-p perturb_figures` of an in-process pytest
run, with LINREG_PERTURB set to `point`, `colour` or `line`. It wraps a plotting function
for the length of that run; the committed code and baselines are untouched.
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
    fig.axes[0].lines[2].remove()  # the dashed true-W line


PERTURBATIONS = {
    "point": ("plot_data", _moved_point),
    "colour": ("plot_parameters", _changed_colour),
    "line": ("plot_parameters", _dropped_line),
}


_originals: dict[str, object] = {}


def pytest_configure(config):
    name, spoil = PERTURBATIONS[os.environ["LINREG_PERTURB"]]
    original = getattr(linreg.plots, name)
    _originals[name] = original

    @functools.wraps(original)
    def spoiled(*args, **kwargs):
        fig = original(*args, **kwargs)
        spoil(fig)
        return fig

    setattr(linreg.plots, name, spoiled)


def pytest_unconfigure(config):
    # tests/test_guard_bites.py runs this in its own process: leave linreg.plots unspoiled.
    while _originals:
        name, original = _originals.popitem()
        setattr(linreg.plots, name, original)
