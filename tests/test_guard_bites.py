"""The image comparison is shown to fail when a published figure changes.

Each case runs the figure tests exactly as the README's test command does (addopts and
all), with a plugin that spoils one figure, and expects a failure with the result,
baseline and difference images and the HTML summary written for a reviewer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from paths import ROOT


@pytest.mark.parametrize(
    ("perturbation", "failing_test"),
    [
        ("point", "test_data_figure"),
        ("colour", "test_parameters_figure"),
        ("line", "test_parameters_figure"),
    ],
)
def test_a_spoiled_figure_fails_the_image_tests(tmp_path, perturbation, failing_test):
    results = tmp_path / "mpl-results"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_figures.py",
            "-p",
            "perturb_figures",
            f"--mpl-results-path={results}",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env={**os.environ, "LINREG_PERTURB": perturbation},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert re.search(r"\b1 failed, \d+ passed", result.stdout)
    assert f"FAILED tests/test_figures.py::{failing_test}" in result.stdout
    assert "Error: Image files did not match" in result.stdout
    folder = results / f"test_figures.{failing_test}"
    for name in ["result.png", "baseline.png", "result-failed-diff.png"]:
        assert (folder / name).is_file(), sorted(p.name for p in results.rglob("*"))
    assert (results / "fig_comparison.html").is_file()
