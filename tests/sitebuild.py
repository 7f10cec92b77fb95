"""Build the site the way the README does, into a folder of the caller's choosing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from paths import ROOT


def build_site(site: Path, cache_root: Path | None = None) -> Path:
    """Run `mkdocs build --strict` into `site`; with `cache_root`, from that cache."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if cache_root is not None:
        env["LINREG_CACHE_ROOT"] = str(cache_root)
    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return site
