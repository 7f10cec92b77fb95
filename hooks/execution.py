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

import concurrent.futures
import functools
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import jupytext
import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs_jupyter import convert
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError
from traitlets.config import Config

# The hook's own modules, beside it (MkDocs lets a hook import from its folder).
import page_kernels
from page_failures import (
    KERNEL_FILE,
    STDERR_TAG,
    assert_operands,
    cell_code,
    coalesce,
    explain_error,
    explain_lenient,
    explain_stderr,
    failing_line,
    shown,
    shown_value,
    where,
    where_line,
)

log = logging.getLogger("mkdocs.hooks.execution")

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LINREG_CACHE", ROOT / ".cache"))
PACKAGE = ROOT / "linreg"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
KEEP = 200  # cache entries kept, most recently used first: several versions of every page
CELL_TIMEOUT = int(os.environ.get("LINREG_CELL_TIMEOUT", "300"))  # seconds, per cell
BUILD: dict = {}  # this build's state: the pages, what ran, what came from the cache


def kernels() -> str:
    choice = os.environ.get("LINREG_KERNELS") or ("forked" if sys.platform == "linux" else "fresh")
    if choice not in ("forked", "fresh"):
        raise PluginError(f"LINREG_KERNELS={choice!r}: use 'forked' or 'fresh'")
    return choice


def installed() -> list[str]:
    """Every installed distribution with its version, from the names of the .dist-info
    and .egg-info folders on sys.path (reading each one's metadata takes 50 times longer)."""
    found = set()
    for folder in filter(os.path.isdir, sys.path):
        found.update(
            name for name in os.listdir(folder) if name.endswith((".dist-info", ".egg-info"))
        )
    return sorted(found)


def environment_key(options: dict) -> str:
    """A hash of everything besides a page that shapes its HTML."""
    digest = hashlib.sha256(sys.version.encode())
    digest.update(json.dumps(options, sort_keys=True, default=repr).encode())
    digest.update("\n".join(installed()).encode())
    hooks = Path(__file__).parent
    sources = {f"hooks/{path.name}": path for path in sorted(hooks.glob("*.py"))}
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
            kernel_manager_class=page_kernels.PageKernelManager,
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


class NotebookPage(File):
    """A docs/*.py page as MkDocs sees it: a documentation page (MkDocs makes only Markdown
    files pages), whose content is its executed notebook, rendered (on_page_content)."""

    def is_documentation_page(self) -> bool:
        return True


RENDERING = threading.Lock()  # mkdocs-jupyter's converter keeps counters in its module


RENDER_OPTIONS = ["theme", "show_input", "no_input", "no_prompt", "remove_tag_config"]
RENDER_OPTIONS += ["highlight_extra_classes", "include_requirejs", "custom_mathjax_url"]
# mkdocs-jupyter's other options that this hook honours: what it executes with, and the
# three it requires (the plugin itself must claim, execute and cache nothing).
USED_OPTIONS = {"allow_errors", "kernel_name", "include", "execute", "cache"}


def render_options(plugin) -> dict:
    """mkdocs-jupyter's options that its converter, nb2html, takes; any other option set
    to something this hook would ignore is refused, not ignored."""
    if plugin.config["execute"] or plugin.config["include"] or plugin.config["cache"]:
        raise PluginError(
            "mkdocs-jupyter: set `execute: false`, `include: []` and `cache: false`: "
            "hooks/execution.py executes the pages, caches them, and renders each with "
            "mkdocs-jupyter's converter"
        )
    defaults = {name: option.default for name, option in plugin.config_scheme}
    ignored = [
        name
        for name, default in defaults.items()
        if name not in USED_OPTIONS | set(RENDER_OPTIONS) and plugin.config[name] != default
    ]
    if ignored:
        raise PluginError(
            f"mkdocs-jupyter: hooks/execution.py does not use {', '.join(ignored)}: remove "
            "them from mkdocs.yml (the hook renders with "
            f"{', '.join(RENDER_OPTIONS)}, and executes with allow_errors and kernel_name)"
        )
    return {name: plugin.config[name] for name in RENDER_OPTIONS}


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


def on_config(config):
    plugin = config.plugins["mkdocs-jupyter"]
    options = render_options(plugin)
    kernels()  # a wrong LINREG_KERNELS fails every build, not only those that execute
    # (see page_kernels.INLINE) the same for every kernel
    os.environ.setdefault("MPLBACKEND", page_kernels.INLINE)
    docs = Path(config["docs_dir"])
    BUILD.clear()
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
    """Also after Ctrl-C, which MkDocs' build does not catch (no post_build or build_error)."""
    page_kernels.stop_processes()
    if "execution" in BUILD:
        BUILD["execution"].close()
