"""How pages are executed (hooks/execution.py), shown on small sites built for the purpose:
a failure names the page, the line of docs/<page>.py and the values, once and without
colours; a page sees no other page's imports; stderr fails a page unless it says it shows
it; outputs do not depend on timing; and the cache survives a killed write and an undone
edit.
"""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup
from sitebuild import build_pages

FALSE_CLAIM = """# %% [markdown]
# # A claim

# %%
ulps = [2, 0, 7]
best_loss = 1.0

# %% tags=["check"]
assert len(ulps) == 3
assert max(ulps) <= 4 and best_loss < 2
"""


def test_a_false_check_names_the_page_the_line_and_the_values_once(tmp_path):
    result = build_pages(tmp_path, {"claim.py": FALSE_CLAIM})
    assert result.returncode == 1
    log = result.stderr
    assert "docs/claim.py, line 10: AssertionError\n" in log, log[-3000:]
    assert "    assert max(ulps) <= 4 and best_loss < 2\nwhere\n    max(ulps) = 7\n" in log
    assert "best_loss = 1.0" in log
    assert "----> 10 assert max(ulps)" in log  # the listing numbers lines as the file does
    assert "\x1b[" not in log  # no terminal colours
    assert log.count("AssertionError") == 1


LIBRARY_ERROR = """# %% [markdown]
# # Bad input

# %%
import linreg

data = linreg.make_data(seed=-3)
"""


def test_an_error_raised_in_linreg_names_the_pages_line(tmp_path):
    result = build_pages(tmp_path, {"bad.py": LIBRARY_ERROR})
    assert result.returncode == 1
    headline = "docs/bad.py, line 7: ArgumentError: seed must be between 0 and 4294967295"
    assert headline in result.stderr, result.stderr[-3000:]
    assert "linreg/data.py" in result.stderr  # the traceback goes on into the library
    assert result.stderr.count("ArgumentError: seed must be") == 1


def test_a_page_cannot_use_what_another_page_imported(tmp_path):
    pages = {
        "first.py": "# %%\nimport torch\n\ntorch.zeros(2)\n",
        "second.py": "# %%\nx = 1\n\n# %%\ntorch.zeros(3)\n",
    }
    result = build_pages(tmp_path, pages)
    assert result.returncode == 1
    expected = "docs/second.py, line 5: NameError: name 'torch' is not defined"
    assert expected in result.stderr, result.stderr[-3000:]


WARNING = """# %% [markdown]
# # A warning

# %%{tag}
import warnings

warnings.warn("this API is deprecated", stacklevel=1)
"""


def test_output_on_stderr_fails_the_page_unless_it_is_tagged(tmp_path):
    result = build_pages(tmp_path / "untagged", {"warns.py": WARNING.format(tag="")})
    assert result.returncode == 1
    assert "docs/warns.py, line 5: the cell wrote to stderr:" in result.stderr
    assert "UserWarning: this API is deprecated" in result.stderr
    assert 'tag the cell `stderr` (# %% tags=["stderr"])' in result.stderr
    tagged = build_pages(tmp_path / "tagged", {"warns.py": WARNING.format(tag=' tags=["stderr"]')})
    assert tagged.returncode == 0, tagged.stderr[-3000:]


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
    result = build_pages(project, {"showcase.py": SHOWCASE}, cache)
    assert result.returncode == 0, result.stderr[-3000:]
    assert executed(result) == "showcase.py"
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
    (entry,) = (cache / "pages").glob("*.json")
    entry.write_text(entry.read_text()[:100])
    result = build_pages(project, {"showcase.py": SHOWCASE}, cache)
    assert result.returncode == 0, result.stderr[-3000:]
    assert executed(result) == "showcase.py"
    assert "is unreadable" in result.stderr
    assert json.loads(entry.read_text())["content"]

    # Undoing an edit finds the page in the cache again.
    edited = SHOWCASE.replace("second half", "second half!")
    assert executed(build_pages(project, {"showcase.py": edited}, cache)) == "showcase.py"
    assert executed(build_pages(project, {"showcase.py": SHOWCASE}, cache)) == "none (all cached)"
