"""MkDocs hook: the same commit builds the same site.

MkDocs stamps sitemap.xml (and the mtime inside sitemap.xml.gz) with today's date unless
SOURCE_DATE_EPOCH is set. This hook sets it to the time of the last commit, so the date
still says when the content last changed, but two builds of one commit are identical.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def last_commit_time() -> str:
    """Seconds since the epoch of HEAD's commit, or "0" outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "0"
    return result.stdout.strip() or "0"


def on_config(config):
    os.environ.setdefault("SOURCE_DATE_EPOCH", last_commit_time())
    return config
