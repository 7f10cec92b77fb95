"""Every page ends with a summary and exercises whose solutions are executed and checked.

Each exercise is a markdown cell; its solution is one or more cells tagged `solution`, the
code one leaving its result in `answer`; the `check` cell after it asserts that answer.
The build runs every such check twice, as written (it must pass) and with `answer` set to
a value that equals nothing (it must fail: hooks/execution.py, shown on a small page in
tests/test_execution.py), so no check can pass whatever the solution computes. Here: that
every page has them.
"""

from __future__ import annotations

import re

import jupytext
import pytest
from paths import PAGES, ROOT


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


@pytest.mark.parametrize("name", PAGES)
def test_each_page_ends_with_a_summary_and_checked_exercises(name):
    notebook = jupytext.read(ROOT / "docs" / f"{name}.py")
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert any(m.startswith("## Summary") for m in markdown), name
    prompts = [p for m in markdown for p in re.findall(r"^\*\*\d+\. .*$", m, re.MULTILINE)]
    checks = [kind for kind, _ in exercises(name) if kind == "answer-check"]
    assert 2 <= len(prompts) <= 4 and len(checks) == len(prompts), (name, len(prompts), checks)
