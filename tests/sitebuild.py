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
import ctypes, json, os, subprocess, sys

PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
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
json.dump({"returncode": result.returncode, "stderr": result.stderr, "left": left}, sys.stdout)
"""


@dataclass
class Build:
    """A finished `mkdocs build`: its exit status, its log, and the command lines of the
    processes it started that were still running when it returned."""

    returncode: int
    stderr: str
    left: list[str] = field(default_factory=list)


def run_mkdocs(
    site: Path, cache_root: Path | None = None, project: Path = ROOT, **extra_env: str
) -> Build:
    """`mkdocs build --strict` of `project` into `site`; with `cache_root`, from that cache;
    `extra_env` sets variables such as LINREG_SITE_URL."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **extra_env}
    if cache_root is not None:
        env["LINREG_CACHE"] = str(cache_root)
    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run(
        [sys.executable, "-c", REAPER, str(mkdocs), "build", "--strict", "--site-dir", str(site)],
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
    project: Path, pages: dict[str, str], cache_root: Path | None = None, **extra_env: str
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
    return run_mkdocs(project / "site", cache_root=cache, project=project, **extra_env)
