"""Every page ends with a summary and exercises whose solutions are executed and checked.

Each exercise is a markdown cell; its solution is one or more cells tagged `solution`, the
code one leaving its result in `answer`; the `check` cell after it asserts that answer. Here
each page runs as a script, and every such check runs twice: as built (it must pass) and
with `answer` replaced by a value that equals nothing (it must fail), so no check can pass
whatever the solution computes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import pytest
from paths import PAGES, ROOT

RUNNER = r"""
import json, sys
cells = json.load(sys.stdin)


class Wrong:
    "An answer that equals nothing, orders against nothing, and computes nothing."

    def __eq__(self, other): return False
    def __ne__(self, other): raise TypeError("a wrong answer")
    __lt__ = __le__ = __gt__ = __ge__ = __ne__
    def __bool__(self): raise TypeError("a wrong answer")
    def __getattr__(self, name): raise TypeError("a wrong answer")
    __hash__ = None


namespace = {"__name__": "__main__"}
report = []
for kind, source in cells:
    if kind == "answer-check":
        exec(compile(source, "check", "exec"), namespace)  # as built: passes or raises
        wrong = dict(namespace, answer=Wrong())
        try:
            exec(compile(source, "check", "exec"), wrong)
        except Exception as error:  # the check caught the wrong answer
            report.append(type(error).__name__)
        else:
            report.append(None)
    else:
        exec(compile(source, kind, "exec"), namespace)
print(json.dumps(report))
"""


def exercises(page: str) -> list[tuple[str, str]]:
    """The page's code cells in order; a check that follows a solution is an answer-check."""
    notebook = jupytext.read(ROOT / "docs" / f"{page}.py")
    cells, after_solution = [], False
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code":
            continue
        if "check" in tags and after_solution:
            cells.append(("answer-check", cell.source))
        else:
            cells.append(("code", cell.source))
        after_solution = "solution" in tags
    return cells


def run_every_page(folder: Path) -> dict[str, subprocess.CompletedProcess]:
    """Each page through RUNNER, two at a time. Started with the session (conftest.EARLY)."""

    def run(page):
        return subprocess.run(
            [sys.executable, "-c", RUNNER],
            input=json.dumps(exercises(page)),
            capture_output=True,
            text=True,
            cwd=folder,
            env={"MPLBACKEND": "Agg", "MPLCONFIGDIR": str(folder), "PATH": "/usr/bin:/bin"},
            timeout=300,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(PAGES, pool.map(run, PAGES), strict=True))


@pytest.fixture(scope="session")
def exercise_runs(early):
    return early["exercise_runs"].result()


@pytest.mark.parametrize("page", PAGES)
def test_each_page_ends_with_a_summary_and_checked_exercises(page):
    notebook = jupytext.read(ROOT / "docs" / f"{page}.py")
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert any(m.startswith("## Summary") for m in markdown), page
    prompts = [p for m in markdown for p in re.findall(r"^\*\*\d+\. .*$", m, re.MULTILINE)]
    checks = [kind for kind, _ in exercises(page) if kind == "answer-check"]
    assert 2 <= len(prompts) <= 4 and len(checks) == len(prompts), (page, len(prompts), checks)


@pytest.mark.parametrize("page", PAGES)
def test_every_solution_check_passes_and_fails_on_a_wrong_answer(exercise_runs, page):
    result = exercise_runs[page]
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report and None not in report, f"{page}: a check passed a wrong answer: {report}"
