"""Shared fixtures: one strict build of the site per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import build_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """A fresh `mkdocs build --strict` of the site; executed pages come from the cache,
    whose key covers the pages, linreg and the library versions (hooks/cache_key.py)."""
    return build_site(tmp_path_factory.mktemp("site"))
