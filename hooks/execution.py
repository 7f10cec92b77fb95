"""MkDocs hook: execute the notebook pages in parallel, each in a kernel of its own, from a
cache that is never stale; and say exactly where and why a page failed.

mkdocs-jupyter still converts every page (its nb2html, with the options in mkdocs.yml);
this hook decides when and how:

- Cache. A page's HTML is stored under a key made of the page's bytes, the mkdocs-jupyter
  options, the Python version, every installed distribution and its version, the `linreg`
  sources and this hook's own code: anything that can change what a page shows. Entries
  are written atomically; one that cannot be read is executed again; old entries are kept
  (up to a bound), so undoing an edit is a cache hit. mkdocs-jupyter's own cache is off:
  its key ignores the code a page imports.
- Speed. Pages that miss the cache start executing as soon as the configuration is read,
  on as many threads as there are cores, while MkDocs does the rest of its work. Each page
  gets a fresh kernel, shut down at once when done; on Linux the kernel is forked from a
  process that has already imported torch, numpy and matplotlib (hooks/forkserver.py), so
  no page pays for those imports. LINREG_KERNELS=fresh starts ordinary kernels instead
  (the tests build both ways and compare the sites byte for byte).
- Honest outputs. Consecutive pieces of one stream are joined (a line printed in two
  pieces is one output, whatever the timing), and a cell that writes to stderr (a warning,
  an error message) fails the build unless it is tagged `stderr`, which says the page
  shows it on purpose. A cell running longer than LINREG_CELL_TIMEOUT seconds fails too.
- Failures that explain themselves: for every failed page, the line of docs/<page>.py,
  the error and its message (for a bare assert, the values it compared), once, without
  terminal colours.
"""

from __future__ import annotations

import ast
import atexit
import concurrent.futures
import contextlib
import functools
import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import jupytext
from jupyter_client.manager import AsyncKernelManager
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs_jupyter import convert, nbconvert2
from nbclient.exceptions import CellTimeoutError

log = logging.getLogger("mkdocs.hooks.execution")

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LINREG_CACHE", ROOT / ".cache")) / "pages"
PACKAGE = ROOT / "linreg"
FORKSERVER = Path(__file__).with_name("forkserver.py")
# The server's own helpers (where its sockets live, whether one answers), by path: hooks/
# is no package. Importing it starts nothing.
_spec = importlib.util.spec_from_file_location("linreg_forkserver", FORKSERVER)
forkserver = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(forkserver)
# What every page imports, through linreg: imported once by the fork server. Never linreg
# itself, nor anything of a page's: a page can see no other page's imports or variables.
PRELOAD = ["torch", "torch._dynamo", "numpy", "matplotlib.figure", "matplotlib.ticker"]
# Environment variables that the preloaded libraries read when they are imported.
LIBRARY_VARIABLES = ("OMP_", "MKL_", "KMP_", "OPENBLAS", "TORCH", "PYTORCH", "CUDA", "MPL")
LIBRARY_VARIABLES += ("MATPLOTLIB", "PYTHON", "LD_", "XDG_", "JUPYTER", "IPYTHON", "NUMPY")
KEEP = 200  # cache entries kept, most recently used first: several versions of every page
CELL_TIMEOUT = int(os.environ.get("LINREG_CELL_TIMEOUT", "300"))  # seconds, per cell
# Only what a kernel's stderr shows on purpose: the cell is tagged, and its prose says why.
STDERR_TAG = "stderr"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
BUILD: dict = {}  # this build's state: what ran, what came from the cache


def kernels() -> str:
    choice = os.environ.get("LINREG_KERNELS") or ("forked" if sys.platform == "linux" else "fresh")
    if choice not in ("forked", "fresh"):
        raise PluginError(f"LINREG_KERNELS={choice!r}: use 'forked' or 'fresh'")
    return choice


def installed() -> list[str]:
    """Every installed distribution with its version, from the names of the .dist-info
    and .egg-info folders on sys.path (reading each one's metadata takes 50 times longer)."""
    if "installed" not in BUILD:
        found = set()
        for folder in filter(os.path.isdir, sys.path):
            found.update(
                name for name in os.listdir(folder) if name.endswith((".dist-info", ".egg-info"))
            )
        BUILD["installed"] = sorted(found)
    return BUILD["installed"]


def environment_key(options: dict) -> str:
    """A hash of everything besides a page that shapes its HTML."""
    digest = hashlib.sha256(sys.version.encode())
    digest.update(json.dumps(options, sort_keys=True, default=repr).encode())
    digest.update("\n".join(installed()).encode())
    sources = {f"hooks/{path.name}": path for path in (Path(__file__), FORKSERVER)}
    for path in sorted(PACKAGE.rglob("*.py")):
        sources[f"linreg/{path.relative_to(PACKAGE).as_posix()}"] = path
    for name, path in sources.items():
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# -- the cache ----------------------------------------------------------------------------


def read_entry(path: Path) -> str | None:
    """The cached HTML, or None if there is none or it cannot be read (then it is redone)."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        content = entry["content"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.info("cache entry %s is unreadable (%s): executing the page again", path, error)
        path.unlink(missing_ok=True)
        return None
    os.utime(path)  # most recently used: kept longest
    return content


def write_entry(path: Path, content: str) -> None:
    """Write atomically: a build killed mid-write leaves no half entry behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
    ) as scratch:
        json.dump({"content": content}, scratch)
    os.replace(scratch.name, path)


def evict(keep: int = KEEP) -> None:
    """In each memo of the cache (executed pages; the lean pages of hooks/notebook_pages.py),
    remove all but the `keep` most recently used entries, and leftovers of killed writes."""
    for folder in (CACHE, CACHE.with_name("lean")):
        if not folder.is_dir():
            continue
        for leftover in folder.glob("*.tmp"):
            if time.time() - leftover.stat().st_mtime > 3600:
                leftover.unlink(missing_ok=True)
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)


# -- kernels ------------------------------------------------------------------------------


class ForkServer:
    """The fork server for this interpreter and these libraries (hooks/forkserver.py).

    It outlives the build: the next build, or the next rebuild of `mkdocs serve`, forks its
    kernels at once instead of importing torch again. It holds no page's state (it only
    imports libraries and forks), is named after everything its imports depend on (the
    interpreter, the installed distributions, the variables those libraries read), and
    exits after LINREG_KERNEL_SERVER_IDLE seconds (default 600) with no request and no
    kernel running.
    """

    def __init__(self) -> None:
        folder = Path(forkserver.folder())
        folder.mkdir(mode=0o700, exist_ok=True)
        name = server_key()
        self.socket = str(folder / f"{name}.sock")
        self.log = folder / f"{name}.log"
        self._error: str | None = None
        self._ready = threading.Thread(target=self._start, daemon=True)
        self._ready.start()

    def _start(self) -> None:
        if forkserver.alive(self.socket):
            return
        idle = os.environ.get("LINREG_KERNEL_SERVER_IDLE", "600")
        with open(self.log, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, str(FORKSERVER), "serve", self.socket, idle, *PRELOAD],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,  # not the build's stderr: the server outlives the build
                cwd=Path(self.socket).parent,
                start_new_session=True,
            )
        if process.stdout.readline() != b"ready\n":
            process.wait()
            tail = self.log.read_text(errors="replace")[-2000:]
            self._error = (
                f"the kernel fork server (hooks/forkserver.py) did not start; its log, "
                f"{self.log}, ends:\n{tail}\nLINREG_KERNELS=fresh builds with ordinary kernels"
            )
        process.stdout.close()

    def address(self) -> str:
        self._ready.join()
        if self._error:
            raise RuntimeError(self._error)
        return self.socket


def server_key() -> str:
    """A name for the fork server: what its imports depend on, and its own code."""
    digest = hashlib.sha256(sys.executable.encode() + sys.version.encode())
    digest.update("\n".join(installed() + PRELOAD).encode())
    digest.update(FORKSERVER.read_bytes())
    variables = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name.startswith(LIBRARY_VARIABLES) or name in ("HOME", "PATH")
    )
    digest.update(repr(variables).encode())
    return digest.hexdigest()[:16]


class PageKernelManager(AsyncKernelManager):
    """An ordinary KernelManager, but over Unix sockets in the build's own folder (no TCP
    port, no warning about one), and with its kernel process from the fork server."""

    folder: str | None = None
    server: ForkServer | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if os.name == "posix" and self.folder:
            self.transport = "ipc"
            self.ip = os.path.join(self.folder, f"kernel-{uuid.uuid4().hex[:12]}")

    live: ClassVar[set] = set()  # kernels started, not yet shut down: killed if the build ends

    def client(self, **kwargs):
        CELLS.client = super().client(**kwargs)  # to ask a failed assert's values
        return CELLS.client

    async def _async_post_start_kernel(self, **kwargs):
        PageKernelManager.live.add(self)
        await super()._async_post_start_kernel(**kwargs)

    async def shutdown_kernel(self, now=False, restart=False):
        try:
            await super().shutdown_kernel(now=now, restart=restart)
        finally:
            PageKernelManager.live.discard(self)

    @classmethod
    def kill_all(cls) -> None:
        """Kill the kernels still running (their client, in forked mode: the kernel goes
        with it) and remove their connection files."""
        for manager in list(cls.live):
            process = getattr(manager.provisioner, "process", None)
            with contextlib.suppress(Exception):
                if process is not None and process.poll() is None:
                    process.kill()
                manager.cleanup_connection_file()
            cls.live.discard(manager)

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if self.server is None or command[:3] != [sys.executable, "-m", "ipykernel_launcher"]:
            return command  # another interpreter or kernel: start it the ordinary way
        client = [sys.executable, "-I", "-S", str(FORKSERVER), "connect"]
        return [*client, self.server.address(), *command]


# -- executing a page ---------------------------------------------------------------------


class PageFailed(Exception):
    """A page that cannot be published as it is; the message says where and why."""


class _Cells(threading.local):
    """Per worker thread: the cell running, the kernel's client, what the cells did wrong."""

    current = 0
    client = None
    error: dict | None = None
    stderr: list

    def __init__(self) -> None:
        self.stderr = []


CELLS = _Cells()


def record_start(cell, cell_index):
    CELLS.current = cell_index  # which cell to name if it never ends


async def record_error(cell, cell_index, execute_reply):
    """Keep what went wrong; for a bare `assert`, ask the kernel, still running, for the
    values it compared (as user_expressions: evaluated without printing or binding names)."""
    content = execute_reply["content"]
    CELLS.error = {"cell": cell, "index": cell_index, **content}
    if content.get("ename") != "AssertionError" or content.get("evalue") or not CELLS.client:
        return
    code = "\n".join(cell_code(cell.source))
    expressions = assert_operands(code, failing_line(content))
    if not expressions:
        return
    client = CELLS.client
    request = client.execute(
        "",
        silent=True,
        store_history=False,
        user_expressions={str(n): e for n, e in enumerate(expressions)},
    )
    reply = {}
    while reply.get("parent_header", {}).get("msg_id") != request:
        reply = await client.get_shell_msg(timeout=30)
    results = reply["content"].get("user_expressions", {})
    values = []
    for number, expression in enumerate(expressions):
        result = results.get(str(number), {})
        if result.get("status") == "ok":
            text = result["data"].get("text/plain", "")
        else:
            text = f"({result.get('ename')}: {result.get('evalue')})"
        values.append((expression, text if len(text) < 300 else text[:300] + " ..."))
    CELLS.error["values"] = values


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


def record_stderr(cell, cell_index, execute_reply):
    """Join what the kernel happened to send in pieces, then keep any stderr output."""
    coalesce(cell)
    if STDERR_TAG in cell.metadata.get("tags", []):
        return
    text = "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    )
    if text:
        CELLS.stderr.append((cell_index, text))


def coalesce(cell) -> None:
    """Merge consecutive stream outputs of the same stream: the kernel flushes on a timer,
    so one printed line could arrive (and be shown) as two outputs on one build in ten.
    (nbclient's own coalesce_streams cannot be configured, and merges across displays.)"""
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


def get_nbconvert_app(*args, **kwargs):
    """mkdocs-jupyter's nbconvert settings, plus how this hook runs kernels and cells."""
    app = _mkdocs_jupyter_app(*args, **kwargs)
    # mkdocs-jupyter replaces the ExecutePreprocessor section; NotebookClient's is ours.
    app.config.NotebookClient.update(
        {
            "shutdown_kernel": "immediate",  # the outputs are in: no graceful wait (~1 s)
            "timeout": CELL_TIMEOUT,  # a cell that never ends fails its page, not the build
            "on_cell_execute": record_start,
            "on_cell_error": record_error,
            "on_cell_executed": record_stderr,
            "kernel_manager_class": PageKernelManager,
        }
    )
    return app


# `mkdocs serve` loads this hook again on every rebuild: wrap mkdocs-jupyter's own, once.
_mkdocs_jupyter_app = getattr(
    nbconvert2.get_nbconvert_app, "__wrapped__", nbconvert2.get_nbconvert_app
)
get_nbconvert_app.__wrapped__ = _mkdocs_jupyter_app
nbconvert2.get_nbconvert_app = get_nbconvert_app


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
    """The page's path as a contributor types it: docs/<page>.py."""
    root = BUILD.get("root", ROOT)
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
        # A warning names the line as "/tmp/ipykernel_<pid>/<hash>.py:<line>": the page's.
        found = re.search(r"/ipykernel_\d+/\d+\.py:(\d+):", text)
        here = where(page, index, int(found[1]) if found else 1)
        text = re.sub(
            r"\S*/ipykernel_\d+/\d+\.py:(\d+):",
            functools.partial(where_line, page, index),
            text,
        )
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


class Execution:
    """One build's executions: started early, collected when MkDocs renders each page."""

    def __init__(self, options: dict) -> None:
        self.options = options
        self.slots: threading.Semaphore | None = None  # one page per core at a time
        self.server: ForkServer | None = None
        self.folder: str | None = None
        self.futures: dict[Path, concurrent.futures.Future] = {}
        self.timings: dict[str, float] = {}

    def start(self, page: Path, key: Path) -> None:
        if self.slots is None:
            self.folder = tempfile.mkdtemp(prefix="linreg-kernels-")
            if kernels() == "forked":
                self.server = ForkServer()
            PageKernelManager.folder, PageKernelManager.server = self.folder, self.server
            self.slots = threading.Semaphore(os.cpu_count() or 1)
        future = self.futures[page] = concurrent.futures.Future()

        def run() -> None:
            with self.slots:
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    future.set_result(self._execute(page, key))
                except BaseException as failure:  # handed to the page's render
                    future.set_exception(failure)

        # Daemon threads: on Ctrl-C the build ends at once (its kernels are killed at exit),
        # instead of waiting for the cells that are running.
        threading.Thread(target=run, name=f"page {page.name}", daemon=True).start()

    def _execute(self, page: Path, key: Path) -> str:
        start = time.perf_counter()
        CELLS.client, CELLS.error, CELLS.stderr = None, None, []
        try:
            html = convert.nb2html(str(page), execute=True, **self.options)
        except Exception as exception:
            if CELLS.error is not None:
                raise PageFailed(explain_error(page, CELLS.error)) from None
            if isinstance(exception, CellTimeoutError):
                message = (
                    f"{where(page, CELLS.current)}: the cell that starts here ran for more than "
                    f"{CELL_TIMEOUT} s and was stopped (LINREG_CELL_TIMEOUT sets the limit)"
                )
            else:
                message = f"{shown(page)}: {type(exception).__name__}: {exception}"
            raise PageFailed(message) from None
        if CELLS.stderr:
            raise PageFailed(explain_stderr(page, CELLS.stderr))
        write_entry(key, html)
        self.timings[page.name] = time.perf_counter() - start
        return html

    def result(self, page: Path) -> str:
        """The page's HTML; if it failed, an error that explains every page that failed
        (MkDocs stops at the first, but the others have run too: say all at once)."""
        try:
            return self.futures[page].result()
        except PageFailed:
            concurrent.futures.wait(self.futures.values())
            failures = [
                str(future.exception())
                for future in self.futures.values()
                if isinstance(future.exception(), PageFailed)
            ]
            self.close()
            count = f"{len(failures)} pages" if len(failures) > 1 else "A page"
            raise PluginError(f"{count} failed:\n\n" + "\n\n".join(failures)) from None

    def close(self) -> None:
        for future in self.futures.values():
            future.cancel()  # the pages not started yet
        PageKernelManager.kill_all()  # and those still running, if the build ends early
        self.server = None  # it stays up for the next build, until it has been idle a while
        PageKernelManager.folder = PageKernelManager.server = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def render_options(plugin) -> dict:
    """The arguments mkdocs-jupyter's own render passes to nb2html."""
    config = plugin.config
    options = {
        name: config[name]
        for name in (
            "kernel_name",
            "theme",
            "allow_errors",
            "show_input",
            "no_input",
            "no_prompt",
            "remove_tag_config",
            "highlight_extra_classes",
            "include_requirejs",
            "custom_mathjax_url",
        )
    }
    if config["execute_ignore"]:
        raise PluginError("mkdocs-jupyter: execute_ignore is not supported by hooks/execution.py")
    return options


def on_config(config):
    plugin = config.plugins["mkdocs-jupyter"]
    if plugin.config["cache"] or not plugin.config["execute"]:
        raise PluginError(
            "mkdocs-jupyter: set `execute: true` and `cache: false` (this hook caches)"
        )
    docs = Path(config["docs_dir"])
    pages = [
        path
        for path in sorted(docs.rglob("*"))
        if path.is_file() and plugin.should_include(SimpleNamespace(abs_src_path=str(path)))
    ]
    options = render_options(plugin)
    kernels()  # a wrong LINREG_KERNELS fails every build, not only those that execute
    BUILD.clear()
    BUILD["root"] = Path(config.config_file_path).resolve().parent
    environment = environment_key(options)
    execution = Execution(options)
    BUILD.update(execution=execution, html={}, executed=[])
    for page in pages:
        key = hashlib.sha256(environment.encode() + page.read_bytes()).hexdigest()
        path = CACHE / f"{key[:32]}.json"
        html = read_entry(path)
        if html is None:
            execution.start(page, path)
            BUILD["executed"].append(page.name)
        else:
            BUILD["html"][page] = html
    atexit.register(execution.close)
    return config


def on_files(files, config):
    """The notebook pages last, in MkDocs' page loop: while their kernels run, MkDocs
    renders the other pages (the API reference takes half a second) instead of waiting."""
    executed = set(BUILD.get("html", {})) | set(BUILD["execution"].futures)
    ordered = sorted(files, key=lambda file: Path(file.abs_src_path or "") in executed)
    return Files(ordered)


@event_priority(-100)  # after mkdocs-jupyter's on_pre_page, which sets page.render
def on_pre_page(page, config, files):
    source = Path(page.file.abs_src_path or "")
    if source not in BUILD.get("html", {}) and source not in BUILD["execution"].futures:
        return page

    def render(self, config, files):
        html = BUILD["html"].get(source)
        if html is None:
            html = BUILD["html"][source] = BUILD["execution"].result(source)
        self.content = html

    page.render = render.__get__(page)
    return page


def on_post_build(config):
    execution = BUILD["execution"]
    execution.close()
    executed = BUILD["executed"]
    log.info("pages executed: %s", ", ".join(executed) if executed else "none (all cached)")
    if os.environ.get("LINREG_BUILD_TIMINGS"):
        Path(os.environ["LINREG_BUILD_TIMINGS"]).write_text(json.dumps(execution.timings))
    evict()


def on_build_error(error):
    if "execution" in BUILD:
        BUILD["execution"].close()
