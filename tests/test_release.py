"""The release files PyPI would get: an sdist and a wheel that twine accepts, with the
distribution name, version, licence and files the project claims."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from paths import ROOT

import linreg


def test_sdist_and_wheel_pass_twine_check(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "node_modules",
            "site",
            ".cache",
            "mpl-results",
            "screenshots",
            "__pycache__",
            "*.egg-info",
            "build",
            "dist",
        ),
    )
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    version = linreg.__version__
    sdist = dist / f"linreg_by_hand-{version}.tar.gz"
    wheel = dist / f"linreg_by_hand-{version}-py3-none-any.whl"
    assert sorted(p.name for p in dist.iterdir()) == sorted([sdist.name, wheel.name])
    twine = Path(sys.executable).with_name("twine")
    checked = subprocess.run(
        [str(twine), "check", "--strict", str(sdist), str(wheel)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"linreg_by_hand-{version}.dist-info/METADATA").decode()
    assert {"linreg/__init__.py", "linreg/training.py"} <= set(names)
    assert f"linreg_by_hand-{version}.dist-info/licenses/LICENSE" in names
    for line in [
        "Name: linreg-by-hand",
        f"Version: {version}",
        "License-Expression: MIT",
        "Requires-Dist: torch>=2.1",
    ]:
        assert line in metadata.splitlines(), line
    with tarfile.open(sdist) as archive:
        members = {
            Path(m).relative_to(f"linreg_by_hand-{version}").as_posix()
            for m in archive.getnames()
            if "/" in m
        }
    assert {"LICENSE", "README.md", "pyproject.toml", "linreg/pages/loss.py"} <= members


def test_the_docs_extra_stays_below_mkdocs_2():
    """MkDocs 2.0 drops the plugin system that mkdocs-jupyter, mkdocstrings and the hooks
    stand on (README, Development): the docs extra must not let pip take it."""
    import tomllib
    from packaging.requirements import Requirement

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    (mkdocs,) = [Requirement(r) for r in extras["docs"] if Requirement(r).name == "mkdocs"]
    assert "1.6.1" in mkdocs.specifier and "2.0" not in mkdocs.specifier, mkdocs
    assert not mkdocs.specifier.contains("2.0.0rc1", prereleases=True), mkdocs
