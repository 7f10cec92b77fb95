"""The image comparison is shown to fail when a published figure changes.

Each case runs the image tests in-process (pytester) as the README's test command runs
them, with a plugin that spoils one figure, against baselines just drawn from the current
code; so exactly the spoiled figure must fail, whatever the state of the committed
baselines (an intended change to a figure fails tests/test_figures.py alone, not these).
A reviewer must get the result, baseline and difference images and an HTML summary that
shows them without a network.
"""

from __future__ import annotations

import pytest
from paths import ROOT

pytest_plugins = ["pytester"]

RUN = [str(ROOT / "tests" / "test_figures.py"), "-c", str(ROOT / "pyproject.toml")]
RUN += ["--rootdir", str(ROOT), "-p", "no:cacheprovider", "-q"]


_drawn: dict[str, object] = {}


@pytest.fixture
def fresh_baselines(pytester, tmp_path_factory):
    """Baselines drawn from this checkout's code, once per session."""
    if "folder" not in _drawn:
        folder = tmp_path_factory.mktemp("baseline")
        generated = pytester.runpytest_inprocess(*RUN, f"--mpl-generate-path={folder}")
        assert generated.ret == 0, generated.stdout.str()[-3000:]
        _drawn["folder"] = folder
    return _drawn["folder"]


@pytest.mark.parametrize(
    ("perturbation", "failing_test"),
    [
        ("point", "test_data_figure"),
        ("colour", "test_parameters_figure"),
        ("line", "test_parameters_figure"),
    ],
)
def test_a_spoiled_figure_fails_the_image_tests(
    pytester, fresh_baselines, monkeypatch, tmp_path, perturbation, failing_test
):
    monkeypatch.setenv("LINREG_PERTURB", perturbation)
    results = tmp_path / "mpl-results"
    run = pytester.runpytest_inprocess(
        *RUN,
        "-p",
        "perturb_figures",
        f"--mpl-baseline-path={fresh_baselines}",
        f"--mpl-results-path={results}",
    )
    outcomes = run.parseoutcomes()
    assert outcomes.get("failed") == 1, run.stdout.str()[-3000:]
    run.stdout.fnmatch_lines([f"FAILED *test_figures.py::{failing_test}*"])
    run.stdout.fnmatch_lines(["*Error: Image files did not match*"])
    run.stdout.fnmatch_lines(
        ["*if this change to the figure is intended*", "*--mpl-generate-path=tests/baseline*"]
    )
    folder = results / f"test_figures.{failing_test}"
    for name in ["result.png", "baseline.png", "result-failed-diff.png"]:
        assert (folder / name).is_file(), sorted(p.name for p in results.rglob("*"))
    summary = (results / "fig_comparison_basic.html").read_text()
    assert "http://" not in summary and "https://" not in summary  # readable offline
    assert f"test_figures.{failing_test}/result-failed-diff.png" in summary
