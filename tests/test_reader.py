"""A stranger with only the published site: read its instructions, follow them literally in
an empty folder far from any checkout, with a fresh virtual environment, and run every
notebook, changed as the pages invite (lr, num_epochs and seed).

Slow (a fresh install of torch and the notebooks' other requirements, about two minutes),
so it runs once per test run, and both tests share it. The README's `install` command
does what the home page's "Run it yourself" says, and then runs the notebooks with the
edits made: one run shows that the download runs at all and that it runs as changed.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from paths import PAGES, ROOT
from serve import serve


def reader_environment(home: Path) -> dict[str, str]:
    """The machine's environment, without this checkout's venv or any Python path to it."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    venv_bin = str(Path(os.sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    env["HOME"] = str(home)
    env["MPLBACKEND"] = "Agg"
    return env


def follow_the_site(built_site: Path, home: Path) -> tuple[Path, list, tuple]:
    """What a reader ends up with: the unzipped folder, the venv made in it, and the log;
    then the notebooks run again with the edits a reader makes (`run_edited`)."""
    assert ROOT not in home.parents
    with serve(built_site, prefix="/tutorial/") as url:
        page = urllib.request.urlopen(url + "index.html").read().decode()
        soup = BeautifulSoup(page, "html.parser")
        heading = soup.find(id="run-it-yourself")
        section = []
        for element in heading.find_all_next():
            if element.name == "h2":
                break
            section.append(element)
        (link,) = {a["href"] for e in section for a in e.select('a[href$=".zip"]')}
        commands = [  # the shell blocks of the prose, not the page's Python cells
            e.get_text()
            for e in section
            if e.name == "code"
            and e.parent.name == "pre"
            and e.find_parent(class_="jp-MarkdownCell")
        ]
        archive = urllib.request.urlopen(url + link).read()
    zipfile.ZipFile(io.BytesIO(archive)).extractall(home)
    (folder,) = home.glob("linreg-notebooks-*")
    log = []
    *install, run = "\n".join(commands).splitlines()
    assert "jupyter execute" in run, run  # the last command runs the notebooks
    for line in install:
        result = subprocess.run(
            ["bash", "-e", "-c", line],
            cwd=folder,
            env=reader_environment(home),
            capture_output=True,
            text=True,
            timeout=900,
        )
        log.append((line, result))
        assert result.returncode == 0, f"$ {line}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return folder, log, run, run_edited(folder, run)


@pytest.fixture(scope="module")
def reader(built_site, tmp_path_factory):
    return follow_the_site(built_site, tmp_path_factory.mktemp("reader-home"))


def test_the_site_alone_is_enough_to_run_every_notebook(reader):
    folder, log, run, (_, result) = reader
    lines = [line for line, _ in log]
    assert lines[0].startswith("python3 -m venv") and "pip install -r requirements.txt" in lines[1]
    assert run.startswith(".venv/bin/jupyter execute"), run
    assert result.returncode == 0, result.stderr[-4000:]
    executed = set(re.findall(r"Executing ([\w-]+)\.ipynb", result.stderr))
    assert executed == {p.stem for p in folder.glob("*.ipynb")} == set(PAGES), result.stderr
    where = subprocess.run(
        [str(folder / ".venv" / "bin" / "python"), "-c", "import linreg; print(linreg.__file__)"],
        cwd=folder.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(folder / ".venv") in where and str(ROOT) not in where  # the wheel, not this checkout


# What the pages invite a reader to change, as a reader would type it.
EDITS = [
    ("linreg.make_data()", "linreg.make_data(seed=7)"),  # the data page: "Change seed="
    ("lr=0.1, num_epochs=20", "lr=0.5, num_epochs=10"),  # home: the first run
    (
        "linreg.fit(model, data.X, data.y)",
        "linreg.fit(model, data.X, data.y, lr=0.5, num_epochs=10)",
    ),
]


def run_edited(folder: Path, run: str) -> tuple[int, subprocess.CompletedProcess]:
    """Every notebook with the EDITS made, in a folder of its own, run by the reader's own
    command (`run`, the home page's last); returns how many edits were made and the result."""
    scratch = folder.parent / "edited"
    scratch.mkdir()
    (scratch / ".venv").symlink_to(folder / ".venv")
    edited = 0
    for notebook in folder.glob("*.ipynb"):
        text = notebook.read_text()
        for before, after in EDITS:
            edited += text.count(before.replace('"', '\\"'))
            text = text.replace(before, after)
        (scratch / notebook.name).write_text(text)
    result = subprocess.run(
        ["bash", "-e", "-c", run],
        cwd=scratch,
        env=reader_environment(scratch),
        capture_output=True,
        text=True,
        timeout=900,
    )
    return edited, result


def test_a_reader_can_change_lr_epochs_and_seed(reader):
    _, _, _, (edited, result) = reader
    assert edited >= 8
    assert result.returncode == 0, result.stderr[-4000:]
