"""What happens to a page's cells pasted into Python's own `>>>` prompt, without running them.

The home page says each cell runs "as it is when pasted, in order, into a Python session".
At the prompt, unlike in Jupyter, a blank line ends a compound statement (so a blank line
inside a function body cuts it short) and a compound statement must be followed by one
before the next statement; and IPython's own names (`display`, `get_ipython`) do not
exist. `pasted_errors` reads the cells as the standard library's interactive console
does (`code.InteractiveConsole`, whose rules are the prompt's) with a blank line after each
cell, as a reader presses Enter, and runs nothing. tests/test_execution.py checks it
against a real `python -i` on small pages.
"""

from __future__ import annotations

import ast
import builtins
import code

IPYTHON_ONLY = {"display", "get_ipython", "In", "Out"}  # names only a Jupyter kernel defines


class _Reader(code.InteractiveConsole):
    """The console's reading and compiling, without running what it compiles."""

    def __init__(self) -> None:
        super().__init__(filename="<stdin>")
        self.errors: list[str] = []
        self.statements: list[str] = []

    def runcode(self, compiled) -> None:  # what the prompt would run now: keep its source
        self.statements.append("\n".join(self.buffer))

    def showsyntaxerror(self, filename=None, **kwargs) -> None:
        self.errors.append("\n".join(self.buffer))

    def showtraceback(self) -> None:  # compiling raised something other than SyntaxError
        self.errors.append("\n".join(self.buffer))


def without_inner_blank_lines(cell: str) -> str:
    """The cell as the home page tells a reader of the classic prompt to paste it: without the
    blank lines inside a class or a function (those followed by an indented line)."""
    lines = cell.splitlines()
    kept = [
        line
        for number, line in enumerate(lines)
        if line.strip()
        or not any(later.strip() for later in lines[number + 1 :])
        or next(later for later in lines[number + 1 :] if later.strip())[:1] not in (" ", "\t")
    ]
    return "\n".join(kept)


def pasted_errors(cells: list[str]) -> list[str]:
    """The statements the prompt would refuse, or that use a name only IPython defines."""
    reader = _Reader()
    for cell in cells:
        for line in (cell + "\n\n").splitlines():
            reader.push(line)
    errors = [f"the prompt refuses:\n{text}" for text in reader.errors]
    defined = set(dir(builtins))
    for statement in reader.statements:
        tree = ast.parse(statement)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                defined.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
        used = {
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        for name in sorted((used & IPYTHON_ONLY) - defined):
            errors.append(f"{name} exists only in IPython:\n{statement}")
    return errors
