"""Build the site the way the README does, into a folder of the caller's choosing, and see
what the build left running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from paths import ROOT

# Runs a command as a subreaper (Linux): a process the command started and that outlived
# it is handed to this one, not to init, so whatever is left is found among its children.
REAPER = r"""
import ctypes, json, os, signal, subprocess, sys, time

PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
# Ctrl-C must reach the build even where this test runs with SIGINT ignored (a shell's
# background job): ignored is inherited, and Python then installs no handler of its own.
signal.signal(signal.SIGINT, signal.SIG_DFL)
marker, command = sys.argv[1], sys.argv[2:]
run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
if marker:  # Ctrl-C as soon as the file `marker` appears (a page writes it, then works on)
    while not os.path.exists(marker) and run.poll() is None:
        time.sleep(0.05)
    run.send_signal(signal.SIGINT)
interrupted = time.monotonic()
stdout, stderr = run.communicate()
stopping = time.monotonic() - interrupted  # from Ctrl-C to the build's end
result = subprocess.CompletedProcess(command, run.returncode, stdout, stderr)
left = []
for task in os.listdir("/proc/self/task"):
    with open(f"/proc/self/task/{task}/children") as children:
        for pid in children.read().split():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                        continue  # it has ended (not yet reaped): nothing runs
                with open(f"/proc/{pid}/cmdline", "rb") as command:
                    left.append(command.read().replace(b"\0", b" ").decode(errors="replace"))
            except FileNotFoundError:
                continue
ended = {"returncode": result.returncode, "stderr": result.stderr, "left": left}
json.dump({**ended, "stopping": stopping if marker else None}, sys.stdout)
"""


@dataclass
class Build:
    """A finished `mkdocs build`: its exit status, its log, the command lines of the
    processes it started that were still running when it returned, and, if it was
    interrupted, the seconds it took to end after Ctrl-C."""

    returncode: int
    stderr: str
    left: list[str] = field(default_factory=list)
    stopping: float | None = None


def run_mkdocs(
    site: Path,
    cache_root: Path | None = None,
    project: Path = ROOT,
    interrupt_at: Path | None = None,
    **extra_env: str,
) -> Build:
    """`mkdocs build --strict` of `project` into `site`; with `cache_root`, from that cache;
    with `interrupt_at`, stopped by Ctrl-C once that file exists; `extra_env` sets
    variables such as LINREG_SITE_URL."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **extra_env}
    if cache_root is not None:
        env["LINREG_CACHE"] = str(cache_root)
    build = [str(Path(sys.executable).with_name("mkdocs")), "build", "--strict"]
    result = subprocess.run(
        [sys.executable, "-c", REAPER, str(interrupt_at or ""), *build, "--site-dir", str(site)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the build could not be watched: {result.stderr[-2000:]}")
    return Build(**json.loads(result.stdout))


def build_pages(
    project: Path,
    pages: dict[str, str],
    cache_root: Path | None = None,
    interrupt_at: Path | None = None,
    **extra_env: str,
) -> Build:
    """Build a site of `pages` (name -> py:percent source), in the reading order given,
    with this project's configuration, hooks and package, in the folder `project`."""
    (project / "docs").mkdir(parents=True, exist_ok=True)
    for shared in ["hooks", "linreg", "node_modules", "overrides"]:
        if not (project / shared).exists():
            (project / shared).symlink_to(ROOT / shared)
    for shared in ["assets", "javascripts", "stylesheets"]:
        if not (project / "docs" / shared).exists():
            (project / "docs" / shared).symlink_to(ROOT / "docs" / shared)
    config = (ROOT / "mkdocs.yml").read_text().split("\nnav:")[0]
    nav = "".join(f"\n  - {Path(name).stem}: {name}" for name in pages)
    (project / "mkdocs.yml").write_text(f"{config}\nnav:{nav}\n")
    for name, source in pages.items():
        (project / "docs" / name).write_text(source)
    cache = cache_root if cache_root is not None else project / "cache"
    site = project / "site"
    return run_mkdocs(site, cache, project, interrupt_at, **extra_env)
