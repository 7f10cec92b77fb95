"""MkDocs hook: key mkdocs-jupyter's cache on what the pages import, not only on the pages.

mkdocs-jupyter keys each executed page on the page file and its own options, so a change
in `linreg` (or a new torch or matplotlib) would be served from a stale cache. This hook
points the plugin's cache at a folder named after a hash of the `linreg` sources and the
versions of the libraries that draw the outputs, and removes the folders of other keys.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

# Relative to where mkdocs runs, like mkdocs-jupyter's own default; LINREG_CACHE_ROOT moves
# it (the tests use that to build from an empty cache).
CACHE_ROOT = Path(os.environ.get("LINREG_CACHE_ROOT", ".cache/mkdocs-jupyter"))
PACKAGE = Path(__file__).resolve().parent.parent / "linreg"
LIBRARIES = ("torch", "numpy", "matplotlib", "mkdocs-jupyter", "nbconvert", "jupytext")


def environment_key() -> str:
    """A hash of the linreg sources, the Python version and the output-shaping libraries."""
    digest = hashlib.sha256(sys.version.encode())
    for name in LIBRARIES:
        digest.update(f"{name}=={metadata.version(name)}\n".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def on_config(config):
    plugin = config.plugins["mkdocs-jupyter"]
    plugin.config["cache_dir"] = str(CACHE_ROOT / environment_key())
    return config


def on_post_build(config):
    current = Path(config.plugins["mkdocs-jupyter"].config["cache_dir"])
    if CACHE_ROOT.is_dir():
        for entry in CACHE_ROOT.iterdir():
            if entry != current:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
