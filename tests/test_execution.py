"""How pages are executed (hooks/execution.py), shown on small sites built for the purpose:
a failure names the page, the line of docs/<page>.py and the values, once and without
colours; a page sees no other page's imports; stderr fails a page unless it says it shows
it; an exercise's check that passes a wrong answer fails its page; outputs do not depend
on timing; the cache survives a killed write and an undone edit; kernels forked from the
preloaded process are the kernels Jupyter would start, and build the same site; and
nothing the build started is running once it returns.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from hooks_loaded import load_hook
from nbclient import NotebookClient
from sitebuild import build_pages
from traitlets.config import Config

FALSE_CLAIM = """# %% [markdown]
# # A claim

# %%
ulps = [2, 0, 7]
best_loss = 1.0

# %% tags=["check"]

assert len(ulps) == 3
assert max(ulps) <= 4 and best_loss < 2
"""


DRIFTED_CLAIM = """# %% [markdown]
# # A claim
#
# The answer is 42.

# %%
answer = 6 * 7 + 1

# %% tags=["check"]
assert answer == 42, "the prose says 42"
"""

LIBRARY_ERROR = """# %% [markdown]
# # Bad input

# %%
import linreg

data = linreg.make_data(seed=-3)
"""

WARNING = """# %% [markdown]
# # A warning

# %%{tag}
import warnings

warnings.warn("this API is deprecated", stacklevel=1)
"""

EXERCISE = """# %% [markdown]
# **1. Predict, then run.** What does W = 16, b = 10 predict for x = 1?

# %% [markdown] tags=["solution"]
# 16 + 10 = 26.

# %% tags=["solution"]
answer = {answer}

# %% tags=["check"]
{check}
"""
WRONG_SOLUTION = EXERCISE.format(  # a slip in the published answer
    answer="16 + 10 + 1", check="assert answer == 16 * 1 + 10"
)
LENIENT_CHECK = EXERCISE.format(  # a check that any answer passes
    answer="16 + 10", check="assert answer is not None"
)

ISOLATION = {
    "first.py": "# %%\nimport torch\n\ntorch.zeros(2)\n",
    "second.py": "# %%\nx = 1\n\n# %%\ntorch.zeros(3)\n",
}


@pytest.fixture(scope="module")
def failed_build(tmp_path_factory):
    """One build of ten pages, nine of them broken in different ways."""
    pages = {
        "claim.py": FALSE_CLAIM,
        "drift.py": DRIFTED_CLAIM,
        "exercise.py": WRONG_SOLUTION,
        "lenient.py": LENIENT_CHECK,
        "bad.py": LIBRARY_ERROR,
        **ISOLATION,
        "warns.py": WARNING.format(tag=""),
        "slow.py": "# %%\nimport time\n\ntime.sleep(600)\n",
        "syntax.py": "# %%\nx = 1\ny = (1,\n",
    }
    result = build_pages(tmp_path_factory.mktemp("failed"), pages, LINREG_CELL_TIMEOUT="5")
    assert result.returncode == 1
    return result


def test_every_failed_page_is_explained_in_one_build(failed_build):
    log = failed_build.stderr
    assert "9 pages failed:" in log, log[-3000:]
    assert "\x1b[" not in log  # no terminal colours
    assert log.count("Traceback") == 6  # once per raising page, not twice


def test_a_false_check_names_the_page_the_line_and_the_values(failed_build):
    log = failed_build.stderr
    assert "docs/claim.py, line 11: AssertionError\n" in log, log[-3000:]
    expected = "    assert max(ulps) <= 4 and best_loss < 2\nwhere\n    max(ulps) = 7\n"
    assert expected in log
    assert "best_loss = 1.0" in log
    assert "----> 11 assert max(ulps)" in log  # lines numbered as in the file
    assert log.count("AssertionError") == 3  # this page, the drifted claim, the exercise's


def test_a_claim_that_drifts_says_what_the_prose_says(failed_build):
    assert "docs/drift.py, line 10: AssertionError: the prose says 42" in failed_build.stderr


def test_a_wrong_published_answer_fails_the_build(failed_build):
    log = failed_build.stderr
    assert "docs/exercise.py, line 11: AssertionError\n" in log, log[-3000:]
    assert "    answer = 27" in log  # the value the solution computed


def test_a_check_that_passes_a_wrong_answer_fails_the_build(failed_build):
    expected = "docs/lenient.py, line 11: this exercise's check passed with `answer` set to"
    assert expected in failed_build.stderr, failed_build.stderr[-3000:]


def test_an_error_raised_in_linreg_names_the_pages_line(failed_build):
    log = failed_build.stderr
    assert "docs/bad.py, line 7: ArgumentError: seed must be between 0 and 4294967295" in log
    assert "linreg/data.py" in log  # the traceback goes on into the library
    assert log.count("ArgumentError: seed must be") == 1


def test_a_page_cannot_use_what_another_page_imported(failed_build):
    log = failed_build.stderr
    assert "docs/second.py, line 5: NameError: name 'torch' is not defined" in log
    assert "docs/first.py, line" not in log  # which imported it, and ran


def test_a_syntax_error_names_its_line(failed_build):
    assert "docs/syntax.py, line 3: SyntaxError" in failed_build.stderr
    assert "    y = (1," in failed_build.stderr


def test_a_cell_that_never_ends_fails_its_page(failed_build):
    expected = "docs/slow.py, line 2: the cell that starts here ran for more than 5 s"
    assert expected in failed_build.stderr


def test_output_on_stderr_fails_the_page_unless_it_is_tagged(failed_build):
    log = failed_build.stderr
    assert "docs/warns.py, line 7: the cell wrote to stderr:" in log
    assert "docs/warns.py:7: UserWarning: this API is deprecated" in log
    assert 'tag the cell `stderr` (# %% tags=["stderr"])' in log
    # tagged, the same cell builds: see the next test's site


def test_a_failed_build_leaves_nothing_running(failed_build):
    # Ten kernels, one of them stopped in the middle of a cell, and the preloaded process.
    assert failed_build.left == []


def test_a_process_a_page_leaves_behind_is_found(tmp_path):
    # What the check above looks for, shown: a page that starts a process of its own,
    # outside its kernel's process group (which is killed with the kernel), and leaves it.
    leaving = (  # (its streams elsewhere: a process holding the build's would hold it up)
        "# %%\nimport subprocess\n\nquiet = subprocess.DEVNULL\n"
        "subprocess.Popen(['sleep', '120'], start_new_session=True, stdin=quiet, stdout=quiet,"
        " stderr=quiet);\n"
    )
    result = build_pages(tmp_path / "project", {"leaving.py": leaving})
    try:
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.left == ["sleep 120 "], result.left
    finally:
        subprocess.run(["pkill", "-f", "^sleep 120$"])


def test_ctrl_c_in_the_middle_of_a_cell_leaves_nothing_running(tmp_path):
    started = tmp_path / "started"
    working = (
        "# %%\nimport os, pathlib, time\n\n"
        "pathlib.Path(os.environ['LINREG_TEST_STARTED']).touch()\ntime.sleep(600)\n"
    )
    result = build_pages(
        tmp_path / "project",
        {"working.py": working},
        interrupt_at=started,
        LINREG_TEST_STARTED=str(started),
    )
    assert started.exists() and result.returncode != 0, result.stderr[-2000:]
    assert result.stopping < 20  # at once: not when the cell ends, nor at its timeout
    assert result.left == []  # the kernel, in its cell, and the preloaded process


SHOWCASE = """# %% [markdown]
# # Outputs
#
# A [link](javascript:alert(1)) and <img src="x.png" alt="x" onerror="alert(2)">.

# %%
import time

print("first half, ", end="", flush=True)
time.sleep(0.3)
print("second half")

# %%
from IPython.display import HTML

HTML('<a href="jav&#x09;ascript:alert(3)" onclick="alert(4)">out</a>')
"""


def executed(result) -> str:
    return re.search(r"pages executed: (.*)", result.stderr)[1]


def test_outputs_are_coalesced_script_is_stripped_and_the_cache_is_robust(tmp_path):
    project, cache = tmp_path / "project", tmp_path / "cache"
    pages = {
        "showcase.py": SHOWCASE,
        "warns.py": WARNING.format(tag=' tags=["stderr"]'),  # shows its warning
        "exercise.py": EXERCISE.format(answer="16 + 10", check="assert answer == 16 * 1 + 10"),
    }
    result = build_pages(project, pages, cache)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.left == []  # nothing the build started outlives it
    assert executed(result) == "exercise.py, showcase.py, warns.py"
    assert "without encryption" not in result.stderr  # kernels talk over Unix sockets
    assert "WARNING" not in result.stderr and "Traceback" not in result.stderr
    warns = (project / "site" / "warns.html").read_text()
    assert 'data-mime-type="application/vnd.jupyter.stderr"' in warns
    # where the warning comes from, as the page's file and line (not the kernel's temp file)
    assert "docs/warns.py:7: UserWarning: this API is deprecated" in warns
    html = (project / "site" / "showcase.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    streams = [o.get_text() for o in soup.select(".jp-OutputArea-output pre")]
    assert "first half, second half\n" in streams  # one output, however the kernel flushed
    article = soup.select_one("article")
    attributes = [
        (name, str(value)) for e in article.find_all(True) for name, value in e.attrs.items()
    ]
    scripted = [
        a for a in attributes if a[0].startswith("on") or "script:" in re.sub(r"\s", "", a[1])
    ]
    assert not scripted  # no event handlers, no javascript: links, from markdown or outputs
    assert article.find("a", string="out") and article.find("img", alt="x")  # still shown

    # A build killed while writing leaves a truncated entry: it is executed again; and an
    # edited page is executed again, while the rest comes from the cache...
    (entry,) = [p for p in (cache / "pages").glob("*.json") if "first half" in p.read_text()]
    entry.write_text(entry.read_text()[:100])
    edited = {**pages, "warns.py": pages["warns.py"].replace("deprecated", "deprecated!")}
    result = build_pages(project, edited, cache)
    assert result.returncode == 0, result.stderr[-3000:]
    assert executed(result) == "showcase.py, warns.py"
    assert "is unreadable" in result.stderr
    assert json.loads(entry.read_text())["content"]
    # ...and undoing the edit finds the page in the cache again.
    assert executed(build_pages(project, pages, cache)) == "none (all cached)"


# --- kernels forked from the preloaded process --------------------------------------------

# What a kernel is: what it has imported, and where and how it runs.
PORTRAIT = """
names = sorted(name for name in dir() if not name.startswith("_"))  # before any import
import os, sys
{
    "names": names,  # not torch, numpy...: the preloaded modules are no page's names
    "warm": "torch" in sys.modules,
    "argv": sys.argv[1:2],
    "cwd": os.getcwd(),
    "path": sys.path,
    "parent": os.getppid() != os.getpid(),
    "group": os.getpgrp() == os.getpid(),
    "backend": os.environ.get("MPLBACKEND"),
    "variable": os.environ.get("LINREG_TEST_VARIABLE"),
    "linreg": "linreg" in sys.modules,  # never preloaded: it is what the pages change
}
"""


def portrait(folder: Path, forked: bool) -> dict:
    kernels = load_hook("page_kernels")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(PORTRAIT)]
    workdir = folder / "work"
    workdir.mkdir(parents=True)
    config = {"PageKernelManager": {"folder": str(folder), "forked": forked}}
    NotebookClient(
        notebook,
        kernel_manager_class=kernels.PageKernelManager,
        config=Config(config),
        resources={"metadata": {"path": str(workdir)}},
        timeout=60,
    ).execute()
    text = notebook.cells[0].outputs[0]["data"]["text/plain"]
    return eval(text)


def test_a_forked_kernel_is_the_kernel_jupyter_starts_with_torch_imported(tmp_path, monkeypatch):
    monkeypatch.setenv("LINREG_TEST_VARIABLE", "the build's")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    fresh = portrait(tmp_path / "fresh", forked=False)
    forked = portrait(tmp_path / "forked", forked=True)
    assert forked.pop("warm") and not fresh.pop("warm")  # torch came preloaded
    assert forked.pop("cwd") == str(tmp_path / "forked" / "work")
    assert fresh.pop("cwd") == str(tmp_path / "fresh" / "work")
    assert forked == fresh, (forked, fresh)
    assert fresh["variable"] == "the build's" and fresh["argv"] == ["-f"] and fresh["group"]


def test_kernels_forked_or_fresh_build_the_same_site(tmp_path):
    pages = {
        "figure.py": "# %%\nimport linreg\nfrom linreg import plots\n\n"
        "data = linreg.make_data(num_examples=50)\nplots.plot_data(data.X, data.y)\n",
        "showcase.py": SHOWCASE,
        "warns.py": WARNING.format(tag=' tags=["stderr"]'),
    }
    forked = build_pages(tmp_path / "forked", pages)
    fresh = build_pages(tmp_path / "fresh", pages, LINREG_KERNELS="fresh")
    assert forked.returncode == fresh.returncode == 0, (forked.stderr + fresh.stderr)[-3000:]
    assert forked.left == fresh.left == []
    sites = [tmp_path / name / "site" for name in ("forked", "fresh")]
    files = [sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file()) for site in sites]
    assert Path("figure.html") in files[0] and files[0] == files[1]
    differ = [
        str(f) for f in files[0] if (sites[0] / f).read_bytes() != (sites[1] / f).read_bytes()
    ]
    assert not differ
    assert "<img" in (sites[0] / "figure.html").read_text()
