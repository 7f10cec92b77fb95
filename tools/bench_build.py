"""Benchmark the site build in the situations a contributor meets, median of N rounds.

Run from the project root with the docs installed:

    .venv/bin/python tools/bench_build.py [--rounds 3] [--project PATH]

Each round, on a copy of the project (the checkout is never edited): a clean build (empty
cache), twice (the first of a round is the first on this machine for a while: before
hooks/execution.py's preloaded process ended with its build, an older checkout's kernel
server outlived it, and this stops it first); a rebuild with nothing changed; one page edited; that
edit undone; a `linreg` module edited; that edit undone; and a clean build with every
executed page doubled (a copy of each page added), which gives the marginal cost of one
more executed page. Prints each situation's median and all its times, which pages were
executed, and (for the clean build) the seconds each page spent on its worker thread.
--project measures another checkout (for example an older commit, to compare). Not a
test: timings on a shared machine are noisy, so they go in notes, not in assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).with_name("mkdocs")
COPIED = ["docs", "hooks", "linreg", "overrides", "mkdocs.yml", "pyproject.toml", "README.md"]
COPIED += ["LICENSE", "constraints.txt"]


def build(project: Path, site: Path) -> tuple[float, str, dict]:
    timings = project / "timings.json"
    timings.unlink(missing_ok=True)
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "LINREG_BUILD_TIMINGS": str(timings),
        "LINREG_CACHE": str(project / ".cache"),
        "LINREG_CACHE_ROOT": str(project / ".cache" / "mkdocs-jupyter"),  # older checkouts
    }
    start = time.perf_counter()
    result = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed\n{result.stderr[-3000:]}")
    executed = re.search(r"pages executed: (.*)", result.stderr)
    if executed:
        pages = executed[1]
    else:  # before hooks/execution.py: mkdocs-jupyter's own log
        found = re.findall(r"Converting notebook \(execute=True\): .*/(\S+)", result.stderr)
        pages = ", ".join(found) or "none (all cached)"
    details = json.loads(timings.read_text()) if timings.exists() else {}
    return seconds, pages, details


def edit(path: Path):
    original = path.read_text()
    path.write_text(original + "\n# benchmark edit\n")
    return lambda: path.write_text(original)


def edits(project: Path, site: Path, times: dict) -> None:
    times["nothing changed"] = build(project, site)
    undo = edit(project / "docs" / "loss.py")
    times["one page edited"] = build(project, site)
    undo()
    times["page edit undone"] = build(project, site)
    undo = edit(project / "linreg" / "loss.py")
    times["linreg edited"] = build(project, site)
    undo()
    times["linreg edit undone"] = build(project, site)


def one_round(source: Path, scratch: Path, marginal: bool) -> dict[str, tuple[float, str, dict]]:
    project = scratch / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir()
    for name in COPIED:
        if (source / name).is_dir():
            shutil.copytree(source / name, project / name)
        elif (source / name).exists():
            shutil.copy2(source / name, project / name)
    (project / "node_modules").symlink_to(source / "node_modules")
    site = scratch / "site"
    times = {}
    server = source / "hooks" / "forkserver.py"  # older checkouts: a server outlived builds
    if server.exists():
        subprocess.run([sys.executable, str(server), "stop"], check=True)
    times["clean, first"] = build(project, site)
    shutil.rmtree(project / ".cache")
    times["clean build"] = build(project, site)
    if not marginal:
        edits(project, site, times)
    pages = sorted((project / "docs").glob("*.py"))
    for page in pages:  # a copy differs by a comment, so that no cache can serve it
        copy = page.with_name(f"{page.stem}_copy.py")
        copy.write_text(page.read_text() + f"\n# {copy.name}\n")
    shutil.rmtree(project / ".cache")
    times["clean, pages doubled"] = build(project, site)
    times["clean, pages doubled"] += (len(pages),)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument(
        "--marginal", action="store_true", help="only the clean builds and the doubled pages"
    )
    arguments = parser.parse_args()
    rounds = []
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(arguments.rounds):
            rounds.append(one_round(arguments.project.resolve(), Path(scratch), arguments.marginal))
            print(f"round {number + 1} of {arguments.rounds} done", file=sys.stderr)
    print(f"{'situation':<22} {'median':>7}   all rounds (s)        pages executed")
    for situation in rounds[0]:
        seconds = [r[situation][0] for r in rounds]
        listed = " ".join(f"{s:5.1f}" for s in seconds)
        print(
            f"{situation:<22} {statistics.median(seconds):6.1f}s   {listed:<20}  "
            f"{rounds[0][situation][1]}"
        )
    clean = statistics.median(r["clean build"][0] for r in rounds)
    doubled = statistics.median(r["clean, pages doubled"][0] for r in rounds)
    added = rounds[0]["clean, pages doubled"][3]
    print(f"marginal cost of one more executed page: {(doubled - clean) / added:.2f} s")
    details = rounds[-1]["clean build"][2]
    if details:
        print("\nclean build, last round, per page (seconds on a worker thread):")
        for name, value in details.items():
            print(f"  {name:<30} {value}")


if __name__ == "__main__":
    main()
