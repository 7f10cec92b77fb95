"""How pages are executed (hooks/execution.py), shown on small sites built for the purpose:
a failure names the page, the line of docs/<page>.py and the values, once and without
colours; a page sees no other page's imports; stderr fails a page unless it says it shows
it; outputs do not depend on timing; and the cache survives a killed write and an undone
edit.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient
from paths import ROOT
from sitebuild import build_pages
from test_site import load_hook

FALSE_CLAIM = """# %% [markdown]
# # A claim

# %%
ulps = [2, 0, 7]
best_loss = 1.0

# %% tags=["check"]

assert len(ulps) == 3
assert max(ulps) <= 4 and best_loss < 2
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

WRONG_SOLUTION = """# %% [markdown]
# **1. Predict, then run.** What does W = 16, b = 10 predict for x = 1?

# %% [markdown] tags=["solution"]
# 16 + 10 = 27.

# %% tags=["solution"]
answer = 16 + 10 + 1  # a slip in the published answer

# %% tags=["check"]
assert answer == 16 * 1 + 10
"""

ISOLATION = {
    "first.py": "# %%\nimport torch\n\ntorch.zeros(2)\n",
    "second.py": "# %%\nx = 1\n\n# %%\ntorch.zeros(3)\n",
}


@pytest.fixture(scope="module")
def failed_build(tmp_path_factory):
    """One build of eight pages, seven of them broken in different ways."""
    pages = {
        "claim.py": FALSE_CLAIM,
        "exercise.py": WRONG_SOLUTION,
        "bad.py": LIBRARY_ERROR,
        **ISOLATION,
        "warns.py": WARNING.format(tag=""),
        "slow.py": "# %%\nimport time\n\ntime.sleep(600)\n",
        "syntax.py": "# %%\nx = 1\ny = (1,\n",
    }
    result = build_pages(tmp_path_factory.mktemp("failed"), pages, LINREG_CELL_TIMEOUT="5")
    assert result.returncode == 1
    return result.stderr


def test_every_failed_page_is_explained_in_one_build(failed_build):
    assert "7 pages failed:" in failed_build, failed_build[-3000:]
    assert "\x1b[" not in failed_build  # no terminal colours
    assert failed_build.count("Traceback") == 5  # once per raising page, not twice


def test_a_false_check_names_the_page_the_line_and_the_values(failed_build):
    assert "docs/claim.py, line 11: AssertionError\n" in failed_build, failed_build[-3000:]
    expected = "    assert max(ulps) <= 4 and best_loss < 2\nwhere\n    max(ulps) = 7\n"
    assert expected in failed_build
    assert "best_loss = 1.0" in failed_build
    assert "----> 11 assert max(ulps)" in failed_build  # lines numbered as in the file
    assert failed_build.count("AssertionError") == 2  # this page and the exercise's


def test_a_wrong_published_answer_fails_the_build(failed_build):
    assert "docs/exercise.py, line 11: AssertionError\n" in failed_build, failed_build[-3000:]
    assert "    answer = 27" in failed_build  # the value the solution computed


def test_an_error_raised_in_linreg_names_the_pages_line(failed_build):
    headline = "docs/bad.py, line 7: ArgumentError: seed must be between 0 and 4294967295"
    assert headline in failed_build
    assert "linreg/data.py" in failed_build  # the traceback goes on into the library
    assert failed_build.count("ArgumentError: seed must be") == 1


def test_a_page_cannot_use_what_another_page_imported(failed_build):
    expected = "docs/second.py, line 5: NameError: name 'torch' is not defined"
    assert expected in failed_build
    assert "docs/first.py, line" not in failed_build  # which imported it, and ran


def test_a_syntax_error_names_its_line(failed_build):
    assert "docs/syntax.py, line 3: SyntaxError" in failed_build
    assert "    y = (1," in failed_build


def test_a_cell_that_never_ends_fails_its_page(failed_build):
    expected = "docs/slow.py, line 2: the cell that starts here ran for more than 5 s"
    assert expected in failed_build


def test_output_on_stderr_fails_the_page_unless_it_is_tagged(failed_build):
    assert "docs/warns.py, line 7: the cell wrote to stderr:" in failed_build
    assert "docs/warns.py:7: UserWarning: this API is deprecated" in failed_build
    assert 'tag the cell `stderr` (# %% tags=["stderr"])' in failed_build
    # tagged, the same cell builds: see the next test's site


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
    tagged = {"warns.py": WARNING.format(tag=' tags=["stderr"]')}  # shows its warning
    result = build_pages(project, {"showcase.py": SHOWCASE, **tagged}, cache)
    assert result.returncode == 0, result.stderr[-3000:]
    assert executed(result) == "showcase.py, warns.py"
    assert "without encryption" not in result.stderr  # kernels talk over Unix sockets
    assert "WARNING" not in result.stderr and "Traceback" not in result.stderr
    warns = (project / "site" / "warns.html").read_text()
    assert 'data-mime-type="application/vnd.jupyter.stderr"' in warns
    assert "this API is deprecated" in warns
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

    # A build killed while writing leaves a truncated entry: it is executed again.
    (entry,) = [p for p in (cache / "pages").glob("*.json") if "first half" in p.read_text()]
    entry.write_text(entry.read_text()[:100])
    result = build_pages(project, {"showcase.py": SHOWCASE, **tagged}, cache)
    assert result.returncode == 0, result.stderr[-3000:]
    assert executed(result) == "showcase.py"
    assert "is unreadable" in result.stderr
    assert json.loads(entry.read_text())["content"]

    # Undoing an edit finds the page in the cache again.
    edited = SHOWCASE.replace("second half", "second half!")
    assert executed(build_pages(project, {"showcase.py": edited, **tagged}, cache)) == "showcase.py"
    undone = build_pages(project, {"showcase.py": SHOWCASE, **tagged}, cache)
    assert executed(undone) == "none (all cached)"


# --- the kernel fork server (hooks/forkserver.py) -----------------------------------------

FORKSERVER = str(ROOT / "hooks" / "forkserver.py")


def test_a_client_that_finds_no_server_becomes_an_ordinary_kernel(tmp_path):
    command = [sys.executable, "-c", "print('an ordinary process')"]
    client = [sys.executable, "-I", "-S", FORKSERVER, "connect", str(tmp_path / "none")]
    result = subprocess.run([*client, *command], capture_output=True, text=True, timeout=60)
    assert result.stdout == "an ordinary process\n", result.stderr


def test_the_server_outlives_its_idle_time_while_a_kernel_runs_and_stop_drains(tmp_path):
    execution = load_hook("execution")
    address = str(tmp_path / "server")
    # No preloaded module and one second of idleness: quick, and a page outlives it.
    server = subprocess.Popen(
        [sys.executable, FORKSERVER, "serve", address, "1"], stdout=subprocess.PIPE
    )
    assert server.stdout.readline() == b"ready\n"
    execution.PageKernelManager.folder = str(tmp_path)
    execution.PageKernelManager.server = SimpleNamespace(address=lambda: address)
    try:
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell("import os, time\ntime.sleep(4)\nos.getppid()")]
        client = NotebookClient(
            notebook, kernel_manager_class=execution.PageKernelManager, timeout=60
        )
        stopper = threading.Timer(
            2, subprocess.run, [[sys.executable, FORKSERVER, "stop", address]]
        )
        stopper.start()  # a stop halfway, too: the running kernel finishes
        client.execute()
        stopper.join()
        assert notebook.cells[0].outputs[0]["data"]["text/plain"] == str(server.pid)
    finally:
        execution.PageKernelManager.folder = execution.PageKernelManager.server = None
    assert server.wait(timeout=10) == 0
    assert not Path(address).exists()
