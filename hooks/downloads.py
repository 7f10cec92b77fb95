"""MkDocs hook: what a reader needs to run the tutorial, built from the same commit as the pages.

After the build, `site/downloads/` holds

- the package as a wheel, `linreg_by_hand-<version>-py3-none-any.whl`, built from this
  checkout (cached on the package's sources, so a rebuild with no change costs nothing);
- `linreg-notebooks.zip`, a folder `linreg-notebooks-<version>` with every page as a
  notebook (as hooks/notebook_pages.py writes them: no check cells), the wheel, a
  `requirements.txt` that installs the wheel and the exact versions of what the notebooks
  import (from constraints.txt, the one home of our pins), and a README.txt with the home
  page's "Run it yourself" commands.

Zip entries carry the time of the last commit (SOURCE_DATE_EPOCH), so the same commit
builds the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import jupytext
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LINREG_CACHE", ROOT / ".cache"))
# What the notebooks import, and what runs them (`jupyter execute`, or JupyterLab's kernel).
# scikit-learn (with scipy, joblib, threadpoolctl, which it needs): the Many features page
# loads the diabetes data that its wheel ships, and checks the fit against LinearRegression
READER_PACKAGES = ["torch", "numpy", "matplotlib", "contourpy", "ipykernel", "nbclient"]
READER_PACKAGES += ["scikit-learn", "scipy", "joblib", "threadpoolctl"]
WHEEL_SOURCES = ["pyproject.toml", "README.md", "LICENSE", "linreg"]


def version() -> str:
    text = (ROOT / "linreg" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, flags=re.MULTILINE)[1]


ZIP_NAME = "linreg-notebooks.zip"  # no version in the name: the home page links to it


def wheel() -> Path:
    """The package's wheel, built once per version of its sources."""
    digest = hashlib.sha256(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    for name in WHEEL_SOURCES:
        path = ROOT / name
        for file in sorted([path] if path.is_file() else path.rglob("*.py")):
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes())
    folder = CACHE / "wheel" / digest.hexdigest()[:16]
    built = sorted(folder.glob("*.whl"))
    if built:
        return built[0]
    with tempfile.TemporaryDirectory() as scratch:
        # Copy the sources, so that building leaves no build/ or egg-info in the checkout.
        source = Path(scratch) / "source"
        source.mkdir()
        for name in WHEEL_SOURCES:
            if (ROOT / name).is_dir():
                ignore = shutil.ignore_patterns("__pycache__")
                shutil.copytree(ROOT / name, source / name, ignore=ignore)
            else:
                shutil.copy2(ROOT / name, source / name)
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        command += ["--quiet", "--wheel-dir", str(Path(scratch) / "out"), str(source)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise PluginError(f"building the linreg-by-hand wheel failed:\n{result.stderr}")
        (out,) = (Path(scratch) / "out").glob("*.whl")
        folder.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(out, folder / out.name))


def requirements(wheel_name: str) -> str:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name = line.split("==")[0].strip()
            pins[name.lower().replace("_", "-")] = line.strip()
    lines = [
        f"# The linreg tutorial's notebooks, version {version()}: pip install -r requirements.txt",
        f"./{wheel_name}",
        *(pins[name] for name in READER_PACKAGES),
    ]
    return "\n".join(lines) + "\n"


def reader_commands() -> str:
    """The shell commands of the home page's "Run it yourself" section, as a reader sees them."""
    home = jupytext.read(ROOT / "docs" / "index.py")
    text = "\n".join(cell.source for cell in home.cells if cell.cell_type == "markdown")
    section = text.split("## Run it yourself", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    if not blocks:
        raise PluginError('docs/index.py: the "Run it yourself" section has no ```bash block.')
    return "\n".join(block.strip() for block in blocks) + "\n"


def _write_zip(target: Path, files: dict[str, bytes]) -> None:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or 315532800)  # 1980, zip's first day
    stamp = time.gmtime(max(epoch, 315532800))[:6]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])


def on_post_build(config):
    site = Path(config["site_dir"])
    downloads = site / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    built = wheel()
    shutil.copyfile(built, downloads / built.name)
    folder = f"linreg-notebooks-{version()}"
    files = {f"{folder}/{built.name}": built.read_bytes()}
    for notebook in sorted(site.glob("*.ipynb")):  # the pages', not colab/'s (notebook_pages.py)
        files[f"{folder}/{notebook.name}"] = notebook.read_bytes()
    files[f"{folder}/requirements.txt"] = requirements(built.name).encode()
    files[f"{folder}/README.txt"] = (
        f"The linreg tutorial's notebooks, version {version()}.\n"
        'In this folder, run (the home page\'s "Run it yourself" section says more):\n\n'
        + reader_commands()
    ).encode()
    _write_zip(downloads / ZIP_NAME, files)


def on_config(config):
    config["copyright"] = (
        f"linreg-by-hand {version()} · {config.get('copyright') or 'The linreg authors'}"
    )
    return config
