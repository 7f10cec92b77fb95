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


def build_site(site: Path, cache_root: Path | None = None) -> Path:
    """Build the project's site into `site`, failing the test if the build fails."""
    result = run_mkdocs(site, cache_root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return site
