"""Build the site the way the README does, into a folder of the caller's choosing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from paths import ROOT


def run_mkdocs(
    site: Path, cache_root: Path | None = None, project: Path = ROOT, **extra_env: str
) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of `project` into `site`; with `cache_root`, from that cache;
    `extra_env` sets variables such as LINREG_SITE_URL."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **extra_env}
    if cache_root is not None:
        env["LINREG_CACHE"] = str(cache_root)
    mkdocs = Path(sys.executable).with_name("mkdocs")
    return subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def build_pages(
    project: Path, pages: dict[str, str], cache_root: Path | None = None, **extra_env: str
) -> subprocess.CompletedProcess:
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
