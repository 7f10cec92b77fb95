"""A stranger with only the published site: read its instructions, follow them literally in
an empty folder far from any checkout, with a fresh virtual environment, and run every
notebook; then change lr, num_epochs and seed as the pages invite, and run them again.

Slow (a fresh install of torch and the notebooks' other requirements, about two minutes),
so it runs once per session, in its own venv, and both tests share it; conftest.py starts
it in the background as soon as the site is built (the edited run follows it there), and
runs these tests last.
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
    for line in "\n".join(commands).splitlines():
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
    scratch = home / "edited"
    scratch.mkdir()
    return folder, log, run_edited(folder, scratch)


@pytest.fixture(scope="module")
def reader(_reader_started):
    """follow_the_site's result: started by conftest.py as soon as the site was built, so
    that its installs run while the other tests do."""
    return _reader_started.result()


def test_the_site_alone_is_enough_to_run_every_notebook(reader):
    folder, log, _ = reader
    lines = [line for line, _ in log]
    assert lines[0].startswith("python3 -m venv") and "pip install -r requirements.txt" in lines[1]
    assert "jupyter execute" in lines[-1]
    executed = set(re.findall(r"Executing ([\w-]+)\.ipynb", log[-1][1].stderr))
    assert executed == {p.stem for p in folder.glob("*.ipynb")} == set(PAGES), log[-1][1].stderr
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


def run_edited(folder: Path, scratch: Path) -> tuple[int, subprocess.CompletedProcess]:
    """Every notebook with the EDITS made, run in `scratch` by the reader's Jupyter, in two
    halves side by side; returns how many edits were made and the result (the first that
    failed, if any)."""
    edited = 0
    for notebook in folder.glob("*.ipynb"):
        text = notebook.read_text()
        for before, after in EDITS:
            edited += text.count(before.replace('"', '\\"'))
            text = text.replace(before, after)
        (scratch / notebook.name).write_text(text)
    names = sorted(p.name for p in scratch.glob("*.ipynb"))
    runs = [
        subprocess.Popen(
            [str(folder / ".venv" / "bin" / "jupyter"), "execute", *half],
            cwd=scratch,
            env=reader_environment(scratch),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in (names[::2], names[1::2])
    ]
    results = []
    for run in runs:
        try:
            stdout, stderr = run.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            run.kill()
            stdout, stderr = run.communicate()
        results.append(subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr))
    return edited, next((r for r in results if r.returncode != 0), results[0])


def test_a_reader_can_change_lr_epochs_and_seed(reader):
    _, _, (edited, result) = reader
    assert edited >= 8
    assert result.returncode == 0, result.stderr[-4000:]
