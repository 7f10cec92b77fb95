"""Shared fixtures and reporting.

- `built_site`: one strict build of the site per test run, however many pytest-xdist
  workers ask for it (the first builds, behind a file lock, into a folder of this run;
  executed pages come from the cache, whose key covers the pages, linreg and every
  installed library: hooks/execution.py).
- A failure that many tests share (the site did not build; matplotlib is not the one the
  baselines were drawn with) fails each of them with one line, and is explained in full
  once, in a section of the run's summary.
- Image tests: a matplotlib or FreeType other than the ones the baselines were drawn with
  fails them at once, before any comparison; regenerating the baselines on one is refused.
  A failing image test says how to accept an intended change.
- The browser tests drive Debian's Chromium through pytest-playwright's fixtures.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import settings
from paths import ROOT
from sitebuild import run_mkdocs

BASELINES = ROOT / "tests" / "baseline"
DRAWN_WITH = BASELINES / "drawn-with.json"  # written whenever the baselines are generated
REGENERATE = ".venv/bin/python -m pytest tests/test_figures.py --mpl-generate-path=tests/baseline"
CHROMIUM = "/usr/bin/chromium"
# What Chromium needs here: no sandbox as root, no GPU, and no connections of its own
# (this machine's network is closed; they would be refused, many at a time).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Hypothesis (tests/test_properties.py): the same examples on every run and machine
# (derandomize), no example database left in the checkout, no per-example deadline (the
# machines are shared and noisy), and a shrunk failure printed with the seed to replay it.
# HYPOTHESIS_PROFILE=explore searches afresh and further, for a contributor's own run.
settings.register_profile(
    "ci", max_examples=300, derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile("explore", max_examples=1000, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
SITE_FAILED = "The site did not build (mkdocs build --strict): why is in 'the site build' below"


RUN = pytest.StashKey[Path]()  # this test run's folder, shared by its xdist workers


@pytest.fixture(scope="session")
def run_folder(pytestconfig) -> Path:
    """A folder of this test run's own, shared by its xdist workers: made by the run
    (mkdtemp), removed when it ends."""
    return pytestconfig.stash[RUN]


@pytest.fixture(scope="session")
def built_site(run_folder) -> Path:
    """A fresh `mkdocs build --strict` of the site, made once per test run."""
    site, record = run_folder / "site", run_folder / "site-build.json"
    with FileLock(run_folder / "site-build.lock"):
        if not record.exists():
            result = run_mkdocs(site)
            build = {"status": result.returncode, "log": result.stderr, "left": result.left}
            record.write_text(json.dumps(build))
    if json.loads(record.read_text())["status"]:
        pytest.fail(SITE_FAILED, pytrace=False)
    return site


def build_failure(log: str) -> str:
    """The part of a failed build's log that says why, without MkDocs' INFO lines."""
    lines = [line for line in log.splitlines() if not line.startswith("INFO")]
    return "\n".join(lines[-80:])


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's browser, as Debian's Chromium (Playwright cannot download one)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get update && "
            "apt-get install -y chromium), as .ci/run does. Browser tests never skip.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


# Modules that take longest, first: pytest-xdist hands whole modules to its workers
# (--dist loadscope), and the run ends soonest when the longest start at once.
FIRST = ["test_reader.py", "test_browser.py"]


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: FIRST.index(item.path.name) if item.path.name in FIRST else 2)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and item.get_closest_marker("mpl_image_compare"):
        report.sections.append(
            (
                "if this change to the figure is intended",
                "look at the result, baseline and difference in mpl-results/, then "
                f"regenerate the baselines and commit them with the change:\n    {REGENERATE}",
            )
        )
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Each failure that stopped many tests, explained once."""
    record = config.stash[RUN] / "site-build.json"
    if record.exists() and json.loads(record.read_text())["status"]:
        terminalreporter.write_sep("=", "the site build")
        terminalreporter.write_line(build_failure(json.loads(record.read_text())["log"]))
    mismatch = drawing_mismatch()
    if mismatch and terminalreporter.stats.get("error"):
        terminalreporter.write_sep("=", "the image tests' matplotlib")
        terminalreporter.write_line(mismatch)


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


def drawing_mismatch() -> str:
    """Why no image can be compared, if the baselines were drawn by another matplotlib."""
    if not DRAWN_WITH.exists():
        return ""
    drawn, running = json.loads(DRAWN_WITH.read_text()), drawing_versions()
    if drawn == running:
        return ""
    return (
        f"The image tests need matplotlib {drawn['matplotlib']} (FreeType "
        f"{drawn['freetype']}), which drew the baselines; this is matplotlib "
        f"{running['matplotlib']} (FreeType {running['freetype']}).\n"
        "Another version draws text differently, so every figure would fail with "
        "differences you cannot see: no image was compared. Install the pinned "
        "versions:\n    .venv/bin/pip install -c constraints.txt -e '.[test]'"
    )


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
    if hasattr(config, "workerinput"):  # an xdist worker: the run's folder is given
        config.stash[RUN] = Path(config.workerinput["linreg_run"])
        return
    config.stash[RUN] = Path(tempfile.mkdtemp(prefix="linreg-tests-"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """(pytest-xdist) What each worker is given: this run's folder."""
    node.workerinput["linreg_run"] = str(node.config.stash[RUN])


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and RUN in config.stash:
        shutil.rmtree(config.stash[RUN], ignore_errors=True)


def pytest_sessionfinish(session, exitstatus):
    if generating_baselines(session.config) and exitstatus == 0:
        DRAWN_WITH.write_text(json.dumps(drawing_versions(), indent=2) + "\n")


@pytest.fixture(autouse=True)
def _baselines_drawn_with_this_matplotlib(request):
    if not request.node.get_closest_marker("mpl_image_compare"):
        return
    if generating_baselines(request.config):
        return
    mismatch = drawing_mismatch()
    if mismatch:
        headline = mismatch.split("\n", 1)[0]
        pytest.fail(f"{headline} No image was compared (see the summary).", pytrace=False)
