"""The image comparison is shown to fail when a published figure changes.

One run of the image tests in-process (pytester), as the README's test command runs
them, with a plugin that spoils three figures, each in another way, against baselines just
drawn from the current code; so exactly the spoiled figures must fail, whatever the state
of the committed baselines (an intended change to a figure fails tests/test_figures.py
alone, not these).
A reviewer must get the result, baseline and difference images and an HTML summary that
shows them without a network.
"""

from __future__ import annotations

import json

# In-process runs restore sys.modules afterwards, dropping what they imported; torch and
# contourpy (pybind11: "type ... is already registered") cannot be imported twice in one
# process. Importing the figures' code here keeps it loaded, whichever test runs first.
import contourpy  # noqa: F401
import pytest
from paths import ROOT
from perturb_figures import SPOILS

import linreg.explorer
import linreg.plots  # noqa: F401

pytest_plugins = ["pytester"]

RUN = [str(ROOT / "tests" / "test_figures.py"), "-c", str(ROOT / "pyproject.toml")]
RUN += ["--rootdir", str(ROOT), "-p", "no:cacheprovider", "-q"]
RUN += ["-n0", "-p", "no:playwright"]  # in one process; no browser for the figures


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


def test_spoiled_figures_fail_the_image_tests_and_only_they(
    pytester, fresh_baselines, monkeypatch, tmp_path
):
    # One run, three figures spoiled three ways: a point moved, a colour changed, a line
    # dropped. Exactly those three fail, each with its images and the command to accept it.
    monkeypatch.setenv("LINREG_PERTURB", ",".join(SPOILS))
    monkeypatch.setenv("CI", "true")  # as on CI, where the summary repeats each message
    results = tmp_path / "mpl-results"
    run = pytester.runpytest_inprocess(
        *RUN,
        "-p",
        "perturb_figures",
        f"--mpl-baseline-path={fresh_baselines}",
        f"--mpl-results-path={results}",
    )
    outcomes = run.parseoutcomes()
    assert outcomes.get("failed") == len(SPOILS), run.stdout.str()[-3000:]
    output = run.stdout.str()
    # each once in its failure's section, and once more in its line of the summary
    assert output.count("Error: Image files did not match") == 2 * len(SPOILS)
    assert output.count("if this change to the figure is intended") == len(SPOILS)
    run.stdout.fnmatch_lines(["*--mpl-generate-path=tests/baseline*"])
    summary = (results / "fig_comparison_basic.html").read_text()
    assert "http://" not in summary and "https://" not in summary  # readable offline
    for failing_test in SPOILS.values():
        run.stdout.fnmatch_lines([f"FAILED *test_figures.py::{failing_test}*"])
        folder = results / f"test_figures.{failing_test}"
        for name in ["result.png", "baseline.png", "result-failed-diff.png"]:
            assert (folder / name).is_file(), sorted(p.name for p in results.rglob("*"))
        assert f"test_figures.{failing_test}/result-failed-diff.png" in summary


def test_another_matplotlib_stops_the_image_tests_before_comparing(pytester, monkeypatch):
    other = {"matplotlib": "3.10.9", "freetype": "2.6.1"}
    drawn = json.loads((ROOT / "tests" / "baseline" / "drawn-with.json").read_text())
    monkeypatch.setenv("LINREG_DRAWING_VERSIONS", json.dumps(other))
    monkeypatch.setenv("CI", "true")  # on CI pytest prints summary messages untrimmed
    run = pytester.runpytest_subprocess(*RUN)
    images = (ROOT / "tests" / "test_figures.py").read_text().count("\n@compare\n")
    assert images >= 5 and run.parseoutcomes().get("errors") == images, run.stdout.str()[-3000:]
    output = run.stdout.str()
    headline = (
        f"The image tests need matplotlib {drawn['matplotlib']} (FreeType {drawn['freetype']}), "
        "which drew the baselines; this is matplotlib 3.10.9 (FreeType 2.6.1)."
    )
    # one line in each test's section and in its summary line, and the explanation once
    assert output.count(headline) == 2 * images + 1, output[-3000:]
    run.stdout.fnmatch_lines([f"ERROR *test_figures.py::test_loss_figure - Failed: {headline}*"])
    assert output.count("Another version draws text differently") == 1  # explained once
    assert output.count("pip install -c constraints.txt") == 1
    assert "Image files did not match" not in output  # nothing was compared

    baselines = {p: p.read_bytes() for p in (ROOT / "tests" / "baseline").iterdir()}
    refused = pytester.runpytest_subprocess(*RUN, f"--mpl-generate-path={ROOT}/tests/baseline")
    assert refused.ret == 4, refused.stdout.str()[-3000:]
    refused.stderr.fnmatch_lines(["*Refusing to regenerate the baselines with matplotlib 3.10.9*"])
    assert {p: p.read_bytes() for p in baselines} == baselines
