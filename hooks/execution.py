"""MkDocs hook: execute the notebook pages in parallel, each in a kernel of its own, from a
cache that is never stale; and say exactly where and why a page failed.

The pages are jupytext files, docs/*.py. This hook makes each a documentation page (a
`File` that MkDocs renders as a page), executes it with nbclient, has mkdocs-jupyter's
converter render the executed notebook (`nb2html(..., execute=False)`, with the options
under mkdocs-jupyter in mkdocs.yml), and gives MkDocs that HTML as the page's content
(`on_page_content`). Nothing of another package's is replaced.

- Cache. A page's HTML is stored under a key made of the page's bytes, the rendering
  options, the Python version, every installed distribution and its version, the `linreg`
  sources and this hook's own code: anything that can change what a page shows. Entries
  are written atomically; one that cannot be read is executed again; old ones are kept
  (up to a bound), so undoing an edit is a cache hit.
- Speed. Pages that miss the cache start executing as soon as the configuration is read,
  one per core at a time, while MkDocs does the rest of its work. Each page gets a fresh
  kernel, shut down as soon as it is done. On Linux the kernel is forked from a process
  that has imported torch, numpy and matplotlib once (the standard library's forkserver
  with those modules preloaded, behind a jupyter_client provisioner), so no page pays for
  those imports; LINREG_KERNELS=fresh starts ordinary kernels instead.
- Nothing outlives the build: at MkDocs' shutdown every process the build started and
  that still runs (the preloaded process; after a failure, kernels) is stopped. Kernels
  talk over Unix sockets in a folder this build made for itself (`mkdtemp`), and each page
  runs in an empty folder of its own, so no page relies on the checkout's files.
- Honest outputs. Consecutive pieces of one stream are joined (a line printed in two
  pieces is one output, whatever the timing). A cell that writes to stderr (a warning, an
  error message) fails the page unless it is tagged `stderr`, which says the page shows it
  on purpose. A cell running longer than LINREG_CELL_TIMEOUT seconds fails. An exercise's
  check (a `check` cell after its `solution` cells) is run once more with `answer` set to
  a value that equals nothing, and fails the page if it passes: a check that cannot fail
  checks nothing.
- Failures that explain themselves: for every failed page, the line of docs/<page>.py,
  the error and its message (for a bare assert, the values it compared), once, without
  terminal colours.
"""

from __future__ import annotations

import ast
import concurrent.futures
import contextlib
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import re
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import jupytext
import nbformat
import psutil
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs_jupyter import convert
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from traitlets import Bool, Unicode
from traitlets.config import Config

log = logging.getLogger("mkdocs.hooks.execution")

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LINREG_CACHE", ROOT / ".cache"))
PACKAGE = ROOT / "linreg"
KERNEL = Path(__file__).with_name("kernel.py")  # what a forked process runs to be a kernel
# What every page imports, through linreg: imported once by the preloaded process. Never
# linreg itself, nor anything of a page's: a page can see no other page's names.
# ("__main__": the build's own command line, which the standard library's forkserver
# would otherwise run again in every process it forks.)
PRELOAD = ["__main__", "ipykernel.kernelapp", "torch", "numpy", "matplotlib.figure"]
PRELOAD += ["matplotlib.ticker"]
# ipykernel gives every kernel this backend before the page's first import of matplotlib;
# the preloaded process imports matplotlib, and reads it from the environment it inherits.
INLINE = "module://matplotlib_inline.backend_inline"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
KEEP = 200  # cache entries kept, most recently used first: several versions of every page
CELL_TIMEOUT = int(os.environ.get("LINREG_CELL_TIMEOUT", "300"))  # seconds, per cell
# Only what a kernel's stderr shows on purpose: the cell is tagged, and its prose says why.
STDERR_TAG = "stderr"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A warning names a cell's line as "/tmp/ipykernel_<pid>/<hash>.py:<line>": the page's line.
KERNEL_FILE = re.compile(r"\S*/ipykernel_\d+/\d+\.py:(\d+):")
BUILD: dict = {}  # this build's state: the pages, what ran, what came from the cache


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
    sources = {f"hooks/{path.name}": path for path in (Path(__file__), KERNEL)}
    for path in sorted(PACKAGE.rglob("*.py")):
        sources[f"linreg/{path.relative_to(PACKAGE).as_posix()}"] = path
    for name, path in sources.items():
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_page(path: Path) -> bool:
    """A notebook page: a jupytext file in docs/, not a private helper (_*.py)."""
    return path.suffix == ".py" and not path.name.startswith("_")


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
    for folder in (CACHE / "pages", CACHE / "lean"):
        if not folder.is_dir():
            continue
        for leftover in folder.glob("*.tmp"):
            if time.time() - leftover.stat().st_mtime > 3600:
                leftover.unlink(missing_ok=True)
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)


# -- kernels ------------------------------------------------------------------------------


@functools.cache
def preloaded() -> multiprocessing.context.BaseContext:
    """The standard library's forkserver, told to import PRELOAD before it forks. It starts
    with the first kernel, as a child of this build, and on_shutdown stops it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


class _Forked:
    """A kernel forked by the preloaded process, with the methods of Popen that
    LocalProvisioner uses."""

    stdin = stdout = stderr = None

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self.process, self.pid = process, process.pid

    def poll(self) -> int | None:
        return self.process.exitcode

    def wait(self) -> int | None:
        self.process.join()
        return self.process.exitcode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def fresh_path(env: dict) -> list[str]:
    """sys.path as `python -m ipykernel_launcher` has it with this environment: the
    interpreter's own (the working directory, first, the launcher removes)."""
    variables = tuple(sorted((k, v) for k, v in env.items() if not k.startswith("JPY_")))
    return list(_fresh_path(variables))


@functools.cache
def _fresh_path(variables: tuple) -> tuple[str, ...]:
    command = [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path[1:]))"]
    found = subprocess.run(command, env=dict(variables), capture_output=True, text=True)
    return tuple(json.loads(found.stdout))


class ForkedKernel(LocalProvisioner):
    """jupyter_client's LocalProvisioner (made to be subclassed), with one change: the
    kernel is forked from the preloaded process instead of started with Popen. Everything
    else (the connection file, the environment, signals, shutdown) is the provisioner's."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if cmd[1:3] != ["-m", "ipykernel_launcher"] or cmd[0] != sys.executable:
            return await super().launch_kernel(cmd, **kwargs)  # another kernel: as usual
        cwd = kwargs.get("cwd") or os.getcwd()
        launch = {
            "arguments": cmd[3:],
            "env": dict(kwargs["env"]),
            "cwd": str(cwd),
            "path": fresh_path(kwargs["env"]),
        }
        process = preloaded().Process(
            target=runpy.run_path,
            args=(str(KERNEL),),
            kwargs={"init_globals": {"launch": launch}, "run_name": "linreg_kernel"},
        )
        process.start()
        self.process = _Forked(process)
        self.pid = self.pgid = process.pid  # the kernel makes itself a process group
        self.cwd = cwd
        return self.connection_info


class PageKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, over Unix sockets in the build's own folder (no
    TCP port, no connection file among the user's), with a ForkedKernel as its provisioner
    when `forked` is set. KernelManager is the application's to subclass; it uses the
    provisioner an application gives it."""

    folder = Unicode("", config=True, help="where the sockets and connection file go")
    forked = Bool(False, config=True, help="fork the kernel from the preloaded process")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.folder and os.name == "posix":
            name = os.path.join(self.folder, f"kernel-{uuid.uuid4().hex[:12]}")
            self.transport, self.ip, self.connection_file = "ipc", name, f"{name}.json"
        if self.forked:
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = ForkedKernel(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )


def stop_processes() -> None:
    """End every process this one started that is still running: the preloaded process
    and the standard library's resource tracker that came with it (which ignores SIGTERM),
    and kernels left by a failure. None holds anything to save: each is killed."""
    left = psutil.Process().children(recursive=True)
    for process in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(left, timeout=10)


# -- executing a page ---------------------------------------------------------------------


class PageFailed(Exception):
    """A page that cannot be published as it is; the message says where and why."""


# Run in the kernel, silently, after an exercise's check has passed: the same check, in a
# copy of the page's names where `answer` is a value that equals nothing. It must raise.
PROBE = """(lambda box: (exec('''
class Wrong:
    "An answer that equals nothing, orders against nothing, and computes nothing."
    def __eq__(self, other): return False
    def __ne__(self, other): raise TypeError("a wrong answer")
    __lt__ = __le__ = __gt__ = __ge__ = __ne__
    def __bool__(self): raise TypeError("a wrong answer")
    def __getattr__(self, name): raise TypeError("a wrong answer")
    __hash__ = None
try:
    exec(compile(source, "check", "exec"), dict(names, answer=Wrong()))
except Exception:
    box["caught"] = True
''', {{"box": box, "names": globals(), "source": {source!r}}}), box)[1])({{"caught": False}})"""


class PageRun:
    """One page executed by nbclient in a fresh kernel: its hooks keep what went wrong."""

    def __init__(
        self, page: Path, folder: str, forked: bool, allow_errors: bool, kernel_name: str
    ) -> None:
        self.page, self.folder, self.forked = page, folder, forked
        self.allow_errors = allow_errors  # mkdocs-jupyter's options, from mkdocs.yml
        self.kernel_name = kernel_name
        self.client: NotebookClient | None = None
        self.current = 0  # the cell running, to name if it never ends
        self.error: dict | None = None
        self.stderr: list[tuple[int, str]] = []
        self.lenient: list[int] = []  # exercise checks that passed a wrong answer
        self.after_solution = False

    def execute(self):
        notebook = jupytext.read(self.page)
        notebook.metadata["kernelspec"] = KERNELSPEC
        workdir = tempfile.mkdtemp(prefix="page-", dir=self.folder)  # an empty folder each
        config = {"PageKernelManager": {"folder": self.folder, "forked": self.forked}}
        self.client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT,  # a cell that never ends fails its page, not the build
            allow_errors=self.allow_errors,
            kernel_name=self.kernel_name,
            kernel_manager_class=PageKernelManager,
            config=Config(config),
            shutdown_kernel="immediate",  # the outputs are in: no graceful wait (~1 s)
            resources={"metadata": {"path": workdir}},
            on_cell_execute=self.on_cell_execute,
            on_cell_error=self.on_cell_error,
            on_cell_executed=self.on_cell_executed,
        )
        try:
            self.client.execute()
        except Exception as exception:
            raise PageFailed(self.explain(exception)) from None
        if self.stderr:
            raise PageFailed(explain_stderr(self.page, self.stderr))
        if self.lenient:
            raise PageFailed(explain_lenient(self.page, self.lenient))
        return notebook

    def explain(self, exception: Exception) -> str:
        if self.error is not None:
            return explain_error(self.page, self.error)
        if isinstance(exception, CellTimeoutError):
            return (
                f"{where(self.page, self.current)}: the cell that starts here ran for more than "
                f"{CELL_TIMEOUT} s and was stopped (LINREG_CELL_TIMEOUT sets the limit)"
            )
        return f"{shown(self.page)}: {type(exception).__name__}: {exception}"

    def on_cell_execute(self, cell, cell_index):
        self.current = cell_index

    async def on_cell_error(self, cell, cell_index, execute_reply):
        """Keep what went wrong; for a bare `assert`, ask the kernel, still running, for the
        values it compared (as user_expressions: evaluated without printing or binding)."""
        content = execute_reply["content"]
        self.error = {"cell": cell, "index": cell_index, **content}
        if content.get("ename") != "AssertionError" or content.get("evalue"):
            return
        code = "\n".join(cell_code(cell.source))
        expressions = assert_operands(code, failing_line(content))
        if expressions:
            results = await self.evaluate({str(n): e for n, e in enumerate(expressions)})
            self.error["values"] = [
                (expression, shown_value(results.get(str(number), {})))
                for number, expression in enumerate(expressions)
            ]

    async def on_cell_executed(self, cell, cell_index, execute_reply):
        """Join what the kernel sent in pieces, keep any stderr output, and try an exercise's
        check on a wrong answer."""
        coalesce(cell)
        tags = cell.metadata.get("tags", [])
        if STDERR_TAG in tags:  # shown on purpose: say where, as docs/<page>.py:<line>
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    where_cell = functools.partial(where_line, self.page, cell_index)
                    output["text"] = KERNEL_FILE.sub(where_cell, output["text"])
        else:
            text = "".join(
                output.get("text", "")
                for output in cell.get("outputs", [])
                if output.get("output_type") == "stream" and output.get("name") == "stderr"
            )
            if text:
                self.stderr.append((cell_index, text))
        passed = execute_reply["content"].get("status") == "ok"
        if passed and "check" in tags and self.after_solution:
            probe = await self.evaluate({"probe": PROBE.format(source=cell.source)})
            if shown_value(probe.get("probe", {})) != "{'caught': True}":
                self.lenient.append(cell_index)
        if cell.cell_type == "code":
            self.after_solution = "solution" in tags

    async def evaluate(self, expressions: dict[str, str]) -> dict:
        """Evaluate `expressions` in the kernel's namespace without showing anything, with
        no history, and nothing bound (a silent request's outputs are not the cell's)."""
        client = self.client.kc
        request = client.execute("", silent=True, store_history=False, user_expressions=expressions)
        reply = {}
        while reply.get("parent_header", {}).get("msg_id") != request:
            reply = await client.get_shell_msg(timeout=30)
        return reply["content"].get("user_expressions", {})


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


class NotebookPage(File):
    """A docs/*.py page as MkDocs sees it: a documentation page (MkDocs makes only Markdown
    files pages), whose content is its executed notebook, rendered (on_page_content)."""

    def is_documentation_page(self) -> bool:
        return True


RENDERING = threading.Lock()  # mkdocs-jupyter's converter keeps counters in its module


def render_options(plugin) -> dict:
    """mkdocs-jupyter's options that its converter, nb2html, takes."""
    names = ["theme", "show_input", "no_input", "no_prompt", "remove_tag_config"]
    names += ["highlight_extra_classes", "include_requirejs", "custom_mathjax_url"]
    return {name: plugin.config[name] for name in names}


class Execution:
    """One build's executions: started early, collected when MkDocs reaches each page."""

    def __init__(self, options: dict, allow_errors: bool, kernel_name: str) -> None:
        self.options, self.allow_errors = options, allow_errors
        self.kernel_name = kernel_name or KERNELSPEC["name"]
        self.folder: str | None = None  # this build's own: sockets, connection files, pages
        self.slots = threading.Semaphore(os.cpu_count() or 1)  # one page per core at a time
        self.futures: dict[Path, concurrent.futures.Future] = {}
        self.timings: dict[str, float] = {}

    def start(self, page: Path, entry: Path) -> None:
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="linreg-build-")
        future = self.futures[page] = concurrent.futures.Future()
        forked = kernels() == "forked"

        def run() -> None:
            with self.slots:
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    start = time.perf_counter()
                    run = PageRun(page, self.folder, forked, self.allow_errors, self.kernel_name)
                    html = self.render(page, run.execute())
                    write_entry(entry, html)
                    self.timings[page.name] = round(time.perf_counter() - start, 2)
                    future.set_result(html)
                except BaseException as failure:  # handed to the page's turn
                    future.set_exception(failure)

        # Daemon threads: on Ctrl-C the build ends at once (its kernels are stopped at
        # shutdown) instead of waiting for the cells that are running.
        threading.Thread(target=run, name=f"page {page.name}", daemon=True).start()

    def render(self, page: Path, notebook) -> str:
        """The executed notebook as mkdocs-jupyter renders a notebook (not executing it)."""
        executed = Path(self.folder) / f"{page.stem}-{uuid.uuid4().hex[:8]}.ipynb"
        nbformat.write(notebook, executed)
        try:
            with RENDERING:
                return convert.nb2html(str(executed), execute=False, **self.options)
        finally:
            executed.unlink()

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
            count = f"{len(failures)} pages" if len(failures) > 1 else "A page"
            raise PluginError(f"{count} failed:\n\n" + "\n\n".join(failures)) from None

    def close(self) -> None:
        for future in self.futures.values():
            future.cancel()  # the pages not started yet
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def on_startup(command, dirty):
    """(Defined so that MkDocs keeps this hook, and its preloaded process, across the
    rebuilds of `mkdocs serve`.)"""


def on_config(config):
    plugin = config.plugins["mkdocs-jupyter"]
    if plugin.config["execute"] or plugin.config["include"] or plugin.config["cache"]:
        raise PluginError(
            "mkdocs-jupyter: set `execute: false`, `include: []` and `cache: false`: "
            "hooks/execution.py executes the pages, caches them, and renders each with "
            "mkdocs-jupyter's converter"
        )
    kernels()  # a wrong LINREG_KERNELS fails every build, not only those that execute
    os.environ.setdefault("MPLBACKEND", INLINE)  # (see INLINE) for every kernel alike
    docs = Path(config["docs_dir"])
    options = render_options(plugin)
    BUILD.clear()
    BUILD["root"] = Path(config.config_file_path).resolve().parent
    environment = environment_key(options)
    execution = Execution(options, plugin.config["allow_errors"], plugin.config["kernel_name"])
    BUILD.update(execution=execution, html={}, pages={}, executed=[])
    for page in sorted(docs.rglob("*.py")):
        if not is_page(page):
            continue
        BUILD["pages"][page.relative_to(docs).as_posix()] = page
        key = hashlib.sha256(environment.encode() + page.read_bytes()).hexdigest()
        entry = CACHE / "pages" / f"{key[:32]}.json"
        html = read_entry(entry)
        if html is None:
            execution.start(page, entry)
            BUILD["executed"].append(page.name)
        else:
            BUILD["html"][page] = html
    return config


def on_files(files, config):
    """Each page a documentation page, and the notebook pages last in MkDocs' page loop, so
    that MkDocs renders the others (the API reference takes half a second) while their
    kernels run."""
    pages, others = [], []
    for file in files:
        if file.src_uri in BUILD["pages"]:
            page = NotebookPage(
                file.src_uri,
                file.src_dir,
                file.dest_dir,
                file.use_directory_urls,
                inclusion=file.inclusion,
            )
            pages.append(page)
        else:
            others.append(file)
    return Files(others + pages)


def on_page_markdown(markdown, page, config, files):
    """A notebook page's content is its notebook, not Markdown: nothing for MkDocs to
    render from its source."""
    return "" if page.file.src_uri in BUILD["pages"] else markdown


@event_priority(50)  # before hooks/notebook_pages.py, which makes the HTML lean
def on_page_content(html, page, config, files):
    source = BUILD["pages"].get(page.file.src_uri)
    if source is None:
        return html
    if source not in BUILD["html"]:
        BUILD["html"][source] = BUILD["execution"].result(source)
    return BUILD["html"][source]


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


def on_shutdown():
    stop_processes()
