"""Where things are: the project root, the tutorial's notebook pages in reading order, and
the code a reader sees on each."""

import re
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
# The notebook pages in the reading order: the nav of mkdocs.yml, their one home.
NAV = (ROOT / "mkdocs.yml").read_text().split("\nnav:\n", 1)[1]
PAGES = re.findall(r"^\s*- [^:]+: ([\w-]+)\.py$", NAV, flags=re.MULTILINE)
# The markdown pages after them (the glossary, the API reference's pages), in nav order
DOCUMENTS = re.findall(r"^\s*- [^:]+: ([\w-]+)\.md$", NAV, flags=re.MULTILINE)


def visible_cells(page: str) -> list[str]:
    """The sources of the code cells a reader sees on `page`, in order (no `check` cells)."""
    notebook = jupytext.read(ROOT / "docs" / f"{page}.py")
    return [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and "check" not in cell.metadata.get("tags", [])
    ]
