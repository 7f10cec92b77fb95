"""Benchmark the site build: clean, unchanged, and after editing one page.

Run from the project root with the docs installed:  .venv/bin/python tools/bench_build.py
Prints wall times, which pages were executed in each build, and every page's HTML size.
It edits one page, then one linreg module (a trailing comment), and puts them back.
Not a test: timings on a shared machine are noisy, so they go in notes, not in assertions.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).with_name("mkdocs")
EDITED = ROOT / "docs" / "loss.py"


def build(label: str) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    result = subprocess.run(
        [str(MKDOCS), "build", "--strict"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{label}: build failed\n{result.stderr[-3000:]}")
    executed = re.findall(r"Converting notebook \(execute=True\): .*/(\S+)", result.stderr)
    print(f"{label:<22} {seconds:6.1f} s   executed: {', '.join(executed) or 'none'}")


def main() -> None:
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    shutil.rmtree(ROOT / "site", ignore_errors=True)
    build("clean build")
    build("nothing changed")
    original = EDITED.read_text()
    try:
        EDITED.write_text(original + "\n# benchmark edit\n")
        build(f"edited {EDITED.name}")
    finally:
        EDITED.write_text(original)
    build("edit undone")
    library = ROOT / "linreg" / "loss.py"
    code = library.read_text()
    try:
        library.write_text(code + "\n# benchmark edit\n")
        build("edited linreg/loss.py")
    finally:
        library.write_text(code)
    print("\npage sizes (HTML, figures inline):")
    for page in sorted((ROOT / "site").glob("*.html")):
        name = page.relative_to(ROOT / "site").as_posix()
        print(f"  {name:<28} {page.stat().st_size / 1000:7.1f} kB")
    shared = [ROOT / "site" / "stylesheets" / "notebook.css"]
    shared += sorted((ROOT / "site" / "assets" / "stylesheets").glob("*.css"))
    print("shared styles, served once and cached:")
    for css in shared:
        print(
            f"  {css.relative_to(ROOT / 'site').as_posix():<40} {css.stat().st_size / 1000:7.1f} kB"
        )


if __name__ == "__main__":
    main()
