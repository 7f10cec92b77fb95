"""Shared fixtures and reporting.

- `built_site`: one strict build of the site per test session; executed pages come from
  the cache, whose key covers the pages, linreg and every installed library
  (hooks/execution.py). Once it is built, the reader's slow install (tests/test_reader.py)
  starts in the background, and its tests run last.
- `early`: the slow runs in other processes that some tests only read the results of
  (`EARLY`), all started with the session's first test, so that they use the core this
  process leaves idle instead of waiting for their tests' turn.
- A failure that many tests share (the site did not build; matplotlib is not the one the
  baselines were drawn with) is explained in full once; every other test it stops says so
  in one line instead of repeating it.
- Image tests: a matplotlib or FreeType other than the ones the baselines were drawn with
  fails them at once, before any comparison, with the fix; regenerating the baselines on
  one is refused. A failing image test says how to accept an intended change. Stale
  results are cleared before image tests run, and a run without any leaves the last
  summary alone.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from paths import ROOT
from sitebuild import run_mkdocs

BASELINES = ROOT / "tests" / "baseline"
DRAWN_WITH = BASELINES / "drawn-with.json"  # written whenever the baselines are generated
REGENERATE = ".venv/bin/python -m pytest tests/test_figures.py --mpl-generate-path=tests/baseline"


class Explained(Exception):
    """A failure whose message says everything; shown once, then referred to."""


_explained: set[str] = set()


class _Shown:
    """A report's text in full in its section, and only its first line in the short summary.

    pytest prints a string report in full in the summary too when it runs on CI.
    """

    def __init__(self, text: str, headline: str):
        self.text = text
        self.reprcrash = SimpleNamespace(message=headline)  # what the summary line shows

    def toterminal(self, tw) -> None:
        tw.line(self.text)

    def __str__(self) -> str:
        return self.text


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(Explained):
        message = str(call.excinfo.value)
        headline = message.splitlines()[0]
        if headline in _explained:
            message = f"{headline} (explained in full at the first test it stopped)"
        _explained.add(headline)
        report.longrepr = _Shown(message, headline)
    elif report.failed and item.get_closest_marker("mpl_image_compare"):
        report.sections.append(
            (
                "if this change to the figure is intended",
                "look at the result, baseline and difference in mpl-results/, then "
                f"regenerate the baselines and commit them with the change:\n    {REGENERATE}",
            )
        )
    return report


@pytest.fixture(scope="session")
def _site_build(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    return site, run_mkdocs(site)


@pytest.fixture(scope="session")
def built_site(_site_build, request) -> Path:
    """A fresh `mkdocs build --strict` of the site."""
    site, result = _site_build
    if result.returncode != 0:
        raise Explained(build_failure(result.stderr))
    if any("reader" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("_reader_started")  # the reader's installs start now
    return site


@pytest.fixture(scope="session")
def _reader_started(_site_build, tmp_path_factory):
    """tests/test_reader.py's slow run (a fresh venv, torch and all), in the background."""
    from test_reader import follow_the_site

    site, _ = _site_build
    home = tmp_path_factory.mktemp("reader-home")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(follow_the_site, site, home)


# Each: the session fixture that gives its result, and the function (module, name) that
# computes it from a folder of its own. None of them needs the built site.
EARLY = {
    "fresh_kernel_site": ("test_site", "build_with_fresh_kernels"),  # every page again
    "pasted": ("test_site", "paste_every_page"),  # each page's cells at a `python -i` prompt
    "exercise_runs": ("test_exercises", "run_every_page"),  # each page as a script
}


@pytest.fixture(scope="session", autouse=True)
def early(request, tmp_path_factory) -> dict[str, concurrent.futures.Future]:
    """The EARLY runs that this session's tests use, started now, one thread each."""
    wanted = {name for item in request.session.items for name in item.fixturenames}
    names = [name for name in EARLY if name in wanted]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(names)))
    started = {}
    for name in names:
        module, function = EARLY[name]
        work = getattr(importlib.import_module(module), function)
        started[name] = pool.submit(work, tmp_path_factory.mktemp(name))
    yield started
    pool.shutdown(wait=True, cancel_futures=True)


def pytest_collection_modifyitems(session, config, items):
    # The reader's tests last: their background install then has the longest head start.
    items.sort(key=lambda item: "reader" in getattr(item, "fixturenames", ()))
    _image_results(config, items)


def build_failure(log: str) -> str:
    """The part of a failed build's log that says why, without MkDocs' INFO lines."""
    lines = [line for line in log.splitlines() if not line.startswith("INFO")]
    return "The site did not build (mkdocs build --strict):\n" + "\n".join(lines[-80:])


# -- the image tests' matplotlib ----------------------------------------------------------


def drawing_versions() -> dict[str, str]:
    """The matplotlib and FreeType that draw the figures (LINREG_DRAWING_VERSIONS, JSON,
    pretends to be others: tests/test_guard_bites.py shows what happens then)."""
    import matplotlib
    import matplotlib.ft2font

    if os.environ.get("LINREG_DRAWING_VERSIONS"):
        return json.loads(os.environ["LINREG_DRAWING_VERSIONS"])

    return {
        "matplotlib": matplotlib.__version__,
        "freetype": matplotlib.ft2font.__freetype_version__,
    }


def pinned_matplotlib() -> str:
    found = re.search(r"^matplotlib==(\S+)", (ROOT / "constraints.txt").read_text(), re.M)
    return found[1]


def generating_baselines(config) -> bool:
    generate = config.getoption("--mpl-generate-path", default=None)
    return bool(generate) and Path(generate).resolve() == BASELINES


def pytest_configure(config):
    if generating_baselines(config):
        running = drawing_versions()["matplotlib"]
        if running != pinned_matplotlib():
            pytest.exit(
                f"Refusing to regenerate the baselines with matplotlib {running}: "
                f"constraints.txt pins {pinned_matplotlib()}, and another version draws text "
                "differently, so every baseline would change. Install the pins first: "
                ".venv/bin/pip install -c constraints.txt -e '.[test]'",
                returncode=4,
            )


def pytest_sessionfinish(session, exitstatus):
    if generating_baselines(session.config) and exitstatus == 0:
        DRAWN_WITH.write_text(json.dumps(drawing_versions(), indent=2) + "\n")


def _image_results(config, items):
    plugin = next(
        (p for p in config.pluginmanager.get_plugins() if type(p).__name__ == "ImageComparison"),
        None,
    )
    image_tests = [item for item in items if item.get_closest_marker("mpl_image_compare")]
    if plugin is None:
        return
    if not image_tests:
        plugin.generate_summary = None  # keep the last run's summary: this run compared none
        return
    results = getattr(config, "pytest_mpl_results_dir", None)
    if results and Path(results).is_dir():
        for stale in Path(results).iterdir():  # images of earlier runs would mislead
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()


@pytest.fixture(autouse=True)
def _baselines_drawn_with_this_matplotlib(request):
    if not request.node.get_closest_marker("mpl_image_compare"):
        return
    if generating_baselines(request.config) or not DRAWN_WITH.exists():
        return
    drawn, running = json.loads(DRAWN_WITH.read_text()), drawing_versions()
    if drawn != running:
        raise Explained(
            f"The image tests need matplotlib {drawn['matplotlib']} (FreeType "
            f"{drawn['freetype']}), which drew the baselines; this is matplotlib "
            f"{running['matplotlib']} (FreeType {running['freetype']}).\n"
            "Another version draws text differently, so every figure would fail with "
            "differences you cannot see: no image was compared. Install the pinned "
            "versions:\n    .venv/bin/pip install -c constraints.txt -e '.[test]'"
        )
