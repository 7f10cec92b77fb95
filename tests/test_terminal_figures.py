"""Figures outside Jupyter: a reader at a terminal can see each one, and a notebook shows
each exactly once."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest
from paths import ROOT

import linreg
from linreg.plots import plot_data

DRAW = "import linreg\nfrom linreg.plots import plot_data\nd = linreg.make_data()\n"


def test_a_terminal_without_a_display_gets_a_png_and_its_path(tmp_path):
    result = subprocess.run(
        [sys.executable, "-i", "-q"],
        input=DRAW
        + "fig = plot_data(d.X, d.y)\nfig\npath = fig.show()\nprint(path.read_bytes()[:4])\n",
        env={**os.environ, "MPLBACKEND": "Agg", "TMPDIR": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "Call .show() to see it" in result.stderr + result.stdout  # the repr at the prompt
    assert "no window can open with matplotlib's 'agg' backend; wrote" in result.stdout
    assert "b'\\x89PNG'" in result.stdout
    assert len(list(tmp_path.glob("linreg-*.png"))) == 1


def test_with_a_window_backend_pyplot_opens_the_figure(monkeypatch):
    import matplotlib
    from matplotlib import pyplot as plt

    shown = []
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "TkAgg")
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(plt.gcf()))
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    data = linreg.make_data(num_examples=10)
    fig = plot_data(data.X, data.y)
    assert fig.show() is None
    assert shown == [fig] and fig.canvas.manager is not None
    plt.close(fig)


def test_a_notebook_shows_each_figure_once(tmp_path):
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(DRAW),
        nbformat.v4.new_code_cell("plot_data(d.X, d.y)"),
        nbformat.v4.new_code_cell("fig = plot_data(d.X, d.y)\nfig.show()"),
    ]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(
        notebook, timeout=120, allow_errors=False, resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    images = [
        sum("<img alt=" in output.get("data", {}).get("text/html", "") for output in cell.outputs)
        for cell in notebook.cells
    ]
    assert images == [0, 1, 1]


@pytest.mark.parametrize(
    "name", ["data", "before-training", "parameters", "after-training", "loss"]
)
def test_every_site_figure_describes_itself_at_the_prompt(name):
    from linreg.plots import site_figures

    figure = site_figures(linreg.run())[name]()
    assert figure.alt in repr(figure) and ".show()" in repr(figure)
