"""What went wrong on a page, said as a contributor reads it (hooks/execution.py): the line
of docs/<page>.py, the error and its message, for a bare `assert` the values it compared,
and the traceback, without terminal colours.

Not an MkDocs hook: hooks/execution.py imports it.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import jupytext

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A warning names a cell's line as "/tmp/ipykernel_<pid>/<hash>.py:<line>": the page's line.
KERNEL_FILE = re.compile(r"\S*/ipykernel_\d+/\d+\.py:(\d+):")
STDERR_TAG = "stderr"  # what a cell that shows its stderr on purpose is tagged


def shown_value(result: dict) -> str:
    """A user_expression's value as text, or the error it raised."""
    if result.get("status") == "ok":
        text = result["data"].get("text/plain", "")
    else:
        text = f"({result.get('ename')}: {result.get('evalue')})"
    return text if len(text) < 300 else text[:300] + " ..."


def assert_operands(source: str, line: int) -> list[str]:
    """The expressions a failing `assert` on `line` of a cell compared or tested: the
    operands of its comparisons and the arguments of its calls, not literals."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    statement = next(
        (
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Assert) and node.lineno <= line <= node.end_lineno
        ),
        None,
    )
    if statement is None:
        return []
    found: list[str] = []

    def visit(node: ast.expr) -> None:
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                visit(value)
        elif isinstance(node, ast.UnaryOp):
            visit(node.operand)
        elif isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                keep(operand)
        elif isinstance(node, ast.Call):
            for argument in node.args:
                if isinstance(argument, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
                    for generator in argument.generators:  # what it ran over, not its names
                        iterated = generator.iter
                        if isinstance(iterated, ast.Call):
                            for inner in iterated.args:
                                keep(inner)
                        else:
                            keep(iterated)
                elif not isinstance(argument, ast.Lambda):
                    keep(argument)
        else:
            keep(node)

    def keep(node: ast.expr) -> None:
        text = ast.get_source_segment(source, node)
        if text and not isinstance(node, ast.Constant) and text not in found:
            found.append(text)

    visit(statement.test)
    return found[:8]


def coalesce(cell) -> None:
    """Merge consecutive stream outputs of the same stream: the kernel flushes on a timer,
    so one printed line could arrive (and be shown) as two outputs on one build in ten.
    (nbclient's own coalesce_streams merges them across displays: text printed after a
    figure would move before it.)"""
    merged = []
    for output in cell.get("outputs", []):
        last = merged[-1] if merged else None
        if (
            last is not None
            and output.get("output_type") == last.get("output_type") == "stream"
            and output.get("name") == last.get("name")
        ):
            last["text"] += output["text"]
        else:
            merged.append(output)
    cell.outputs = merged


def cell_lines(path: Path) -> list[int]:
    """The line of `path` (a py:percent page) where each cell's source begins; [] if the
    file does not start every cell with a `# %%` marker."""
    lines = path.read_text(encoding="utf-8").splitlines()
    markers = [number for number, line in enumerate(lines, start=1) if line.startswith("# %%")]
    cells = jupytext.read(path).cells
    if len(markers) != len(cells):
        return []
    starts = []
    for marker, cell in zip(markers, cells, strict=True):
        first = cell.source.strip().splitlines()[0].strip() if cell.source.strip() else ""
        line = marker + 1  # IPython numbers from the first line that is not blank
        while line < len(lines) and first and lines[line - 1].strip() != first:
            line += 1
        starts.append(line)
    return starts


def shown(page: Path) -> str:
    """The page's path as a contributor types it, from the project's folder (where MkDocs
    runs): docs/<page>.py."""
    root = Path.cwd()
    return page.relative_to(root).as_posix() if page.is_relative_to(root) else str(page)


def where(page: Path, cell_index: int, line_in_cell: int = 1) -> str:
    """`docs/page.py, line N` for a line of a cell."""
    starts = cell_lines(page)
    if cell_index >= len(starts):
        return f"{shown(page)}, cell {cell_index + 1}"
    return f"{shown(page)}, line {starts[cell_index] + line_in_cell - 1}"


def cell_code(source: str) -> list[str]:
    """A cell's lines as IPython numbers them: blank lines before the first are dropped."""
    lines = source.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def failing_line(error: dict) -> int:
    """The line of its cell where the error was raised (1 if unknown)."""
    text = ANSI.sub("", "\n".join(error.get("traceback", [])))
    found = re.search(r"Cell In\[\d+\], line (\d+)", text)
    if found is None and error.get("ename") in ("SyntaxError", "IndentationError"):
        found = re.search(r", line (\d+)\)$", error.get("evalue", ""))
    return int(found[1]) if found else 1


def explain_error(page: Path, error: dict) -> str:
    """The failing line, the error with its values, and the traceback: without colours,
    with the page's own lines numbered as in docs/<page>.py."""
    frames = [ANSI.sub("", frame) for frame in error.get("traceback", [])]
    heading = f"{error['ename']}: {error['evalue']}" if error["evalue"] else error["ename"]
    frames = [
        frame
        for frame in frames
        if frame.strip("-\n ")
        and "Traceback (most recent call last)" not in frame
        and frame.strip().rstrip(":") != heading.strip()  # the message's first line says it
    ]
    starts = cell_lines(page)
    first = starts[error["index"]] if error["index"] < len(starts) else None
    line_in_cell = failing_line(error)
    listing = []
    for frame in frames:
        found = re.match(r"\s*Cell In\[\d+\], line (\d+)", frame)
        if found and first is not None:  # the page's cell: number its lines as the file does
            frame = frame.replace(
                found[0].strip(), f"{shown(page)}, line {first + int(found[1]) - 1}"
            )
            frame = re.sub(
                r"^(\s*(?:-+>)?\s*)(\d+)(?= )",
                lambda m: f"{m[1]}{first + int(m[2]) - 1}",
                frame,
                flags=re.MULTILINE,
            )
        listing.append(frame.strip("\n"))
    code = cell_code(error["cell"].source)
    failing = code[line_in_cell - 1].strip() if line_in_cell <= len(code) else ""
    parts = [f"{where(page, error['index'], line_in_cell)}: {heading}"]
    if failing:
        parts.append(f"    {failing}")
    if error.get("values"):
        parts.append("where")
        parts += [f"    {expression} = {value}" for expression, value in error["values"]]
    if listing:
        parts.append("Traceback:\n" + "\n".join(listing))
    return "\n".join(parts)


def explain_stderr(page: Path, problems: list) -> str:
    lines = []
    for index, text in problems:
        text = ANSI.sub("", text).strip()
        found = KERNEL_FILE.search(text)
        here = where(page, index, int(found[1]) if found else 1)
        text = KERNEL_FILE.sub(functools.partial(where_line, page, index), text)
        lines.append(f"{here}: the cell wrote to stderr:\n    " + text.replace("\n", "\n    "))
    return "\n".join(lines) + (
        f"\nA page shows no warnings or error messages by accident: fix the cause, or tag the "
        f'cell `{STDERR_TAG}` (# %% tags=["{STDERR_TAG}"]) and say in the prose why it shows one.'
    )


def where_line(page: Path, index: int, match: re.Match) -> str:
    """`docs/page.py:N` for a warning's `<temp file>:<line in cell>`."""
    starts = cell_lines(page)
    if index >= len(starts):
        return f"{shown(page)}:"
    return f"{shown(page)}:{starts[index] + int(match[1]) - 1}:"


def explain_lenient(page: Path, indices: list[int]) -> str:
    return "\n".join(
        f"{where(page, index)}: this exercise's check passed with `answer` set to a value "
        "that equals nothing, so it cannot catch a wrong published answer: assert what the "
        "answer must be, as in `assert answer == ...` or `assert abs(answer - ...) < ...`."
        for index in indices
    )
