"""A stranger with only the published site: read its instructions, follow them literally in
an empty folder far from any checkout, with a fresh virtual environment, and run every
notebook, changed as the pages invite (lr, num_epochs and seed); and the same notebooks as
Colab runs them. (One setting is not the reader's: pip does not byte-compile what it
installs, PIP_COMPILE=false; Python compiles what the notebooks import.)

Slow (a fresh install of torch and the notebooks' other requirements, about two minutes),
so it runs once per test run, and the tests share it. The run is the one the home page
says, of the notebooks with the edits made, and of their Colab versions: each Colab
notebook is the downloaded one (the same code cells, asserted) with a first cell that
installs linreg from the site. So linreg is taken out of the reader's environment first,
which then holds torch and the rest, as Colab does; each notebook's first cell installs
linreg from the site served here; torch must not be installed again. One run shows that
the download runs, that it runs as changed, and that it runs in Colab.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from hooks_loaded import load_hook
from paths import PAGES, ROOT
from serve import serve

# Not the reader's: what this machine's or CI's environment may set
NOT_THE_READERS = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}


def reader_environment(home: Path) -> dict[str, str]:
    """The machine's environment, without this checkout's venv or any Python path to it.
    pip does not byte-compile what it installs (on 2 cores, half of the install's two
    minutes goes to compiling modules no notebook imports); Python compiles what the
    notebooks import, once, as a reader's Python does."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_THE_READERS}
    env["PIP_COMPILE"] = "false"  # pip install --no-compile
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    venv_bin = str(Path(os.sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    env["HOME"] = str(home)
    env["MPLBACKEND"] = "Agg"
    return env


def follow_the_site(built_site: Path, home: Path) -> tuple[Path, list, tuple]:
    """What a reader ends up with: the unzipped folder, the venv made in it, the log, and
    where linreg is imported from; then the notebooks, as Colab runs them, with the edits a
    reader makes (`run_edited`), installing linreg from the site served here."""
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
            output = result.stdout[-3000:] + result.stderr[-3000:]
            assert result.returncode == 0, f"$ {line}\n{output}"
        where = linreg_location(folder)  # before the Colab run takes it out and back
        return folder, log, run, where, run_edited(folder, run, url)


@pytest.fixture(scope="module")
def reader(built_site, tmp_path_factory):
    return follow_the_site(built_site, tmp_path_factory.mktemp("reader-home"))


def linreg_location(folder: Path) -> str:
    """Where the reader's environment imports linreg from."""
    return subprocess.run(
        [str(folder / ".venv" / "bin" / "python"), "-c", "import linreg; print(linreg.__file__)"],
        cwd=folder.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_site_alone_is_enough_to_run_every_notebook(reader):
    folder, log, run, where, (_, result, _) = reader
    lines = [line for line, _ in log]
    assert lines[0].startswith("python3 -m venv") and "pip install -r requirements.txt" in lines[1]
    assert run.startswith(".venv/bin/jupyter execute"), run
    assert result.returncode == 0, result.stderr[-4000:]
    executed = set(re.findall(r"Executing ([\w-]+)\.ipynb", result.stderr))
    assert executed == {p.stem for p in folder.glob("*.ipynb")} == set(PAGES), result.stderr
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


def run_edited(folder: Path, run: str, url: str) -> tuple[int, subprocess.CompletedProcess, dict]:
    """Every notebook as Colab runs it, with the EDITS made, in a folder of its own, by the
    reader's own command (`run`, the home page's last), after linreg is taken out of the
    environment; returns how many edits were made, the result, and torch before and after."""
    notebook_pages = load_hook("notebook_pages")
    scratch = folder.parent / "edited"
    scratch.mkdir()
    (scratch / ".venv").symlink_to(folder / ".venv")
    python, env = str(folder / ".venv" / "bin" / "python"), reader_environment(scratch)
    edited = 0
    for downloaded in sorted(folder.glob("*.ipynb")):
        source = ROOT / "docs" / f"{downloaded.stem}.py"
        colab = notebook_pages.colab_notebook(str(source), url)
        # the same code as the download, after the one cell that installs linreg
        code = [c.source for c in nbformat.read(downloaded, 4).cells if c.cell_type == "code"]
        assert [c.source for c in colab.cells[2:] if c.cell_type == "code"] == code, downloaded
        text = nbformat.writes(colab)
        for before, after in EDITS:
            edited += text.count(before.replace('"', '\\"'))
            text = text.replace(before, after)
        (scratch / downloaded.name).write_text(text)
    subprocess.run([python, "-m", "pip", "uninstall", "-y", "linreg-by-hand"], env=env, check=True)
    torch = "import torch, os; print(torch.__version__, os.stat(torch.__file__).st_mtime_ns)"
    before = subprocess.run([python, "-c", torch], env=env, capture_output=True, text=True)
    result = subprocess.run(
        ["bash", "-e", "-c", run],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    after = subprocess.run([python, "-c", torch], env=env, capture_output=True, text=True)
    return edited, result, {"before": before.stdout, "after": after.stdout, "url": url}


def test_colab_notebooks_install_linreg_from_the_site_and_keep_the_torch_there(reader):
    folder, _, _, _, (_, result, torch) = reader
    assert result.returncode == 0, result.stderr[-4000:]
    assert torch["before"] and torch["after"] == torch["before"], torch  # same version, file
    for notebook in sorted((folder.parent / "edited").glob("*.ipynb")):
        install = nbformat.read(notebook, as_version=4).cells[1]
        said = "".join(output.get("text", "") for output in install.outputs)
        assert install.source.startswith("%pip install")
        assert torch["url"] + "downloads/" in install.source, install.source
        assert "linreg-by-hand" in said, (notebook.name, said)
        installed = re.findall(r"Successfully installed (.*)", said)
        assert not any("torch" in line for line in installed), (notebook.name, installed)
    # the first notebook installed it from the site, and the rest found it there
    assert str(folder / ".venv") in linreg_location(folder)


def test_a_reader_can_change_lr_epochs_and_seed(reader):
    _, _, _, _, (edited, result, _) = reader
    assert edited >= 8
    assert result.returncode == 0, result.stderr[-4000:]
