"""The built site: every page executed, lean, private, accessible and downloadable."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import jupytext
import nbformat
import pytest
from bs4 import BeautifulSoup
from hooks_loaded import load_hook
from markup import RAW_MARKUP
from paths import DOCUMENTS, PAGES, ROOT, visible_cells
from prompt import pasted_errors, without_inner_blank_lines
from sitebuild import build_pages

import linreg

# every page's HTML, without its figures and the explorer's runs (files beside it) and the
# shared styles: 200 KB, the most a reader on a slow phone should wait for before the text
MAX_PAGE_BYTES = 200_000


def page_html(site: Path, page: str) -> Path:
    return site / f"{page}.html"


GOOD_PASTE = ["import math\n\nx = math.pi", "for i in range(3):\n    x += i", "print(x)"]
BAD_PASTES = {
    "a statement right after a loop": ["for i in range(3):\n    x = i\nprint(x)"],
    "a blank line in a function": ["def f():\n    a = 1\n\n    return a"],
    "IPython's display": ["display(1)"],
}
# ... and as the home page says to paste it there: without the blank line
GOOD_PASTE_WITHOUT = [
    without_inner_blank_lines("class A:\n    a = 1\n\n    def f(self):\n        return 2\n")
]


def python_prompt(cells: list[str]) -> subprocess.CompletedProcess:
    """The cells typed into a real `python -i`, a blank line after each."""
    return subprocess.run(
        [sys.executable, "-i", "-q"],
        input="\n\n".join(cells) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONSTARTUP": ""},
    )


@pytest.mark.parametrize("case", ["good", "good without blank lines", *BAD_PASTES])
def test_the_paste_check_agrees_with_the_python_prompt(case):
    good = {"good": GOOD_PASTE, "good without blank lines": GOOD_PASTE_WITHOUT}
    cells = good.get(case) or BAD_PASTES[case]
    real = python_prompt(cells)
    refused = bool(re.search(r"^\w*(Error|Exception)\b", real.stderr, re.MULTILINE))
    assert refused == (case not in good), real.stderr
    assert bool(pasted_errors(cells)) == refused, pasted_errors(cells)


@pytest.mark.parametrize("name", PAGES)
def test_pasted_cells_run_at_the_python_prompt(name):
    # The home page: each cell runs "as it is when pasted, in order, into a Python session"
    # (tests/prompt.py reads them as the prompt does; test_execution.py checks it so).
    errors = pasted_errors([without_inner_blank_lines(cell) for cell in visible_cells(name)])
    assert not errors, f"docs/{name}.py: " + "\n\n".join(errors)


def test_nothing_the_site_build_started_is_running_when_it_returns(built_site, run_folder):
    # (tests/sitebuild.py runs the build as a subreaper: what outlives it is found)
    assert json.loads((run_folder / "site-build.json").read_text())["left"] == []


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_executed_with_outputs(built_site, name):
    soup = BeautifulSoup(page_html(built_site, name).read_text(), "html.parser")
    cells = soup.select(".jp-CodeCell .jp-InputArea")
    outputs = soup.select(".jp-OutputArea-output")
    assert cells and outputs, f"{name}: no executed code cells"
    # nbconvert marks stderr and error outputs with these MIME types (a warning is stderr)
    errors = soup.select(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
    )
    assert not errors, f"{name}: {[e.get_text()[:200] for e in errors]}"
    assert "Traceback" not in soup.get_text()


def test_the_training_page_shows_the_seed_log(built_site):
    text = BeautifulSoup(page_html(built_site, "training").read_text(), "html.parser").get_text()
    log = re.findall(r"^Epoch (\d+): Loss: ([\d.]+)$", text, flags=re.MULTILINE)
    assert [int(epoch) for epoch, _ in log] == list(range(20))
    assert abs(float(log[0][1]) - 260.25) < 15 and abs(float(log[-1][1]) - 1) < 0.2


@pytest.mark.parametrize("name", PAGES)
def test_figures_have_alt_text_and_check_cells_are_hidden(built_site, name):
    soup = BeautifulSoup(page_html(built_site, name).read_text(), "html.parser")
    for img in soup.select("article img"):
        assert len(img.get("alt", "")) > 20, f"{name}: an image without a real alt text"
    assert "assert " not in soup.select_one("article").get_text()


def test_pages_are_light(built_site):
    sizes = {page: page_html(built_site, page).stat().st_size for page in [*PAGES, *DOCUMENTS]}
    assert max(sizes.values()) <= MAX_PAGE_BYTES, sizes
    # figures are files beside the page (hooks/figure_files.py), with their size, lazily
    for page in PAGES:
        soup = BeautifulSoup(page_html(built_site, page).read_text(), "html.parser")
        for img in soup.select("article img"):
            assert not img["src"].startswith("data:"), f"{page}: a figure inside the page"
            assert (page_html(built_site, page).parent / img["src"]).is_file(), img["src"]
            assert img["loading"] == "lazy" and int(img["width"]) > 0 < int(img["height"])
    for page in PAGES:
        html = page_html(built_site, page).read_text()
        assert "<style" not in html.split("<article", 1)[1], f"{page} inlines CSS"


def test_nothing_is_loaded_from_another_host(built_site):
    external = re.compile(r"^(https?:)?//", re.IGNORECASE)
    for html_file in built_site.rglob("*.html"):
        soup = BeautifulSoup(html_file.read_text(), "html.parser")
        for tag, attribute in [
            ("script", "src"),
            ("link", "href"),
            ("img", "src"),
            ("iframe", "src"),
            ("source", "src"),
        ]:
            for element in soup.find_all(tag):
                url = element.get(attribute, "")
                assert not external.match(url), f"{html_file}: <{tag}> loads {url}"
    for css in built_site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(errors="replace")):
            assert not external.match(url), f"{css}: loads {url}"


@pytest.mark.parametrize("name", PAGES)
def test_each_page_downloads_as_a_valid_notebook(built_site, name):
    html = page_html(built_site, name)
    link = BeautifulSoup(html.read_text(), "html.parser").select_one(".linreg-download a")
    notebook_file = html.parent / link["href"]
    assert notebook_file.suffix == ".ipynb"
    notebook = nbformat.read(notebook_file, as_version=4)
    nbformat.validate(notebook)
    source = jupytext.read(ROOT / "docs" / f"{name}.py")
    shown = [c for c in source.cells if "check" not in c.metadata.get("tags", [])]
    intro, *cells = notebook.cells
    # every cell a reader sees, and no check cell; links lead to the sibling notebooks
    # (pages that are notebooks), or say where the rest is
    expected = []
    for cell in shown:
        text = re.sub(
            r"\[([^\]]*)\]\((reference\.html[^)]*|downloads/[^)]*)\)",
            r"\1 (on the tutorial's site)",
            cell.source,
        )
        text = re.sub(r"\[([^\]]*)\]\(glossary\.html[^)]*\)", r"\1", text)
        if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "markdown":
            text = f"<details><summary>Solution</summary>\n\n{text}\n\n</details>"
        expected.append(text)
    assert [re.sub(r"\]\(([\w-]+)\.ipynb", r"](\1.html", c.source) for c in cells] == expected
    # solutions stay folded in Jupyter until the reader opens them
    for cell, original in zip(cells, shown, strict=True):
        if "solution" in original.metadata.get("tags", []) and cell.cell_type == "code":
            assert cell.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert "Run it yourself" in intro.source and f"version {linreg.__version__}" in intro.source
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_the_cache_key_covers_linreg_and_every_installed_library(tmp_path, monkeypatch):
    execution = load_hook("execution")
    installed = execution.installed()
    for library in ["torch", "matplotlib", "pygments", "mistune", "ipython", "pillow"]:
        assert any(name.lower().startswith(f"{library}-") for name in installed), library
    package = tmp_path / "linreg"
    package.mkdir()
    (package / "loss.py").write_text("def mse_loss(): ...\n")
    monkeypatch.setattr(execution, "PACKAGE", package)
    first = execution.environment_key({})
    assert execution.environment_key({}) == first  # stable
    (package / "loss.py").write_text("def mse_loss(): return 0\n")
    edited = execution.environment_key({})
    assert edited != first  # an edit in linreg changes the key
    other = sorted(name.replace("pygments-", "pygments-0.") for name in installed)
    monkeypatch.setattr(execution, "installed", lambda: other)
    assert execution.environment_key({}) != edited  # so does another Pygments (or anything)
    assert execution.environment_key({"no_prompt": False}) != edited  # and the rendering


def test_a_mkdocs_jupyter_option_the_build_would_ignore_is_refused():
    from mkdocs.exceptions import PluginError
    from mkdocs_jupyter.plugin import Plugin

    execution = load_hook("execution")
    plugin = Plugin()
    plugin.load_config({"include": [], "execute": False, "cache": False, "no_prompt": True})
    assert execution.render_options(plugin)["no_prompt"] is True
    plugin.load_config({"include": [], "execute": False, "cache": False, "toc_depth": 3})
    with pytest.raises(PluginError, match="does not use toc_depth"):
        execution.render_options(plugin)
    plugin.load_config({"include": ["*.py"], "execute": False, "cache": False})
    with pytest.raises(PluginError, match="set `execute: false`, `include: \\[\\]`"):
        execution.render_options(plugin)


@pytest.mark.parametrize("name", [*PAGES, *DOCUMENTS])
def test_in_page_links_reach_their_anchors(built_site, name):
    soup = BeautifulSoup(page_html(built_site, name).read_text(), "html.parser")
    ids = {element["id"] for element in soup.find_all(id=True)}
    targets = {a["href"][1:] for a in soup.select('a[href^="#"]') if len(a["href"]) > 1}
    assert targets <= ids, f"links to missing anchors: {sorted(targets - ids)}"
    if name in PAGES:  # a notebook page's table of contents names its sections in full
        links = soup.select(".md-nav--secondary a.md-nav__link")
        toc = list(dict.fromkeys(a.get_text().strip() for a in links))
        headings = [h.get_text().strip().rstrip("¶").strip() for h in soup.select("article h2")]
        assert toc == headings


CLAIM_PAGE = """# %% [markdown]
# # A claim
#
# The answer is 42.

# %%
answer = 6 * 7

# %% tags=["check"]
assert answer == 42, "the prose says 42"
"""
ASIDE_PAGE = CLAIM_PAGE.replace(
    "# The answer is 42.", '# !!! note "An aside"\n#     The answer is **42**.'
)


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    """A copy of the site with two small pages: a claim checked by a hidden cell, and an
    admonition (which notebook markdown does not render)."""
    project = tmp_path_factory.mktemp("small")
    result = build_pages(project, {"claim.py": CLAIM_PAGE, "aside.py": ASIDE_PAGE})
    assert result.returncode == 0, result.stderr[-2000:]
    return project / "site"


def test_a_check_cell_runs_and_is_hidden(small_site):
    # (a check that fails fails the build: tests/test_execution.py)
    html = (small_site / "claim.html").read_text()
    text = BeautifulSoup(html, "html.parser").select_one("article").get_text()
    assert "answer = 6 * 7" in text and "the prose says" not in text


def visible_prose(html: str) -> str:
    """The text a reader sees in the article, outside code, maths and outputs."""
    article = BeautifulSoup(html, "html.parser").select_one("article")
    for element in article.select("pre, code, .katex, .arithmatex, script, style"):
        element.decompose()
    return article.get_text("\n")


@pytest.mark.parametrize("name", [*PAGES, *DOCUMENTS])
def test_no_raw_markup_is_left_visible(built_site, name):
    text = visible_prose(page_html(built_site, name).read_text())
    found = [m.group(0).strip() for m in RAW_MARKUP.finditer(text)]
    assert not found, f"{name}: raw markup shown to readers: {found}"


def test_the_raw_markup_check_finds_an_admonition(small_site):
    text = visible_prose((small_site / "aside.html").read_text())
    assert "!!!" in [m.group(2) for m in RAW_MARKUP.finditer(text)]


def test_every_link_on_the_site_reaches_a_file(built_site):
    # Relative links, as a reader follows them over HTTP or from disk: each must name a file
    # of the site (a page, a notebook, a download), not a folder or nothing.
    broken = []
    for html in sorted(built_site.rglob("*.html")):
        if html.name == "404.html":  # root-relative on purpose: it is served at any address
            continue
        for a in BeautifulSoup(html.read_text(), "html.parser").select("a[href]"):
            href = a["href"].split("#")[0].split("?")[0]
            if not href or re.match(r"^[a-z]+:|^//", href):
                continue
            if not (html.parent / href).is_file():
                broken.append(f"{html.relative_to(built_site)} -> {a['href']}")
    assert not broken, broken


def test_links_in_a_downloaded_notebook_work_in_its_folder(built_site):
    home = nbformat.read(built_site / "index.ipynb", as_version=4)
    text = "\n".join(c.source for c in home.cells if c.cell_type == "markdown")
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert "data.ipynb" in links and "training.ipynb" in links
    assert not [link for link in links if link.endswith(".html")], links


def glossary_terms() -> dict[str, str]:
    """The glossary's words, by the anchor MkDocs gives their headings."""
    text = (ROOT / "docs" / "glossary.md").read_text()
    return {
        term: re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")
        for term in re.findall(r"^## (.+)$", text, re.MULTILINE)
    }


def first_use(term: str, terms: list[str], prose: str) -> re.Match | None:
    """Where `term` is first used in `prose`: outside headings, maths, code and other pages'
    links, and not as part of a longer glossary word ("gradient" in "gradient descent")."""
    masked = re.sub(r"^#+ .*$", lambda m: " " * len(m[0]), prose, flags=re.MULTILINE)
    masked = re.sub(
        r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", lambda m: " " * len(m[0]), masked, flags=re.DOTALL
    )
    masked = re.sub(r"\[([^\]]*)\]\((?!glossary\.html)[^)]*\)", lambda m: " " * len(m[0]), masked)
    words = lambda t: r"\b" + r"[- ]".join(map(re.escape, re.split(r"[- ]", t))) + r"(?:s|es)?\b"  # noqa: E731
    for longer in terms:
        if longer != term and term.lower() in longer.lower():
            masked = re.sub(words(longer), lambda m: " " * len(m[0]), masked, flags=re.IGNORECASE)
    return re.search(words(term), masked, flags=re.IGNORECASE)


def test_each_glossary_word_is_linked_where_the_tutorial_first_uses_it():
    terms = glossary_terms()
    unlinked = []
    for term, anchor in terms.items():
        for page in PAGES:
            notebook = jupytext.read(ROOT / "docs" / f"{page}.py")
            prose = "\n\n".join(
                cell.source
                for cell in notebook.cells
                if cell.cell_type == "markdown" and "solution" not in cell.metadata.get("tags", [])
            )
            found = first_use(term, list(terms), prose)
            if found is None:
                continue
            links = [
                m.span(1) for m in re.finditer(rf"\[([^\]]*)\]\(glossary\.html#{anchor}\)", prose)
            ]
            if not any(start <= found.start() < end for start, end in links):
                context = prose[max(0, found.start() - 50) : found.end() + 30].replace("\n", " ")
                unlinked.append(f"{term!r} first used in docs/{page}.py: ...{context}...")
            break
    assert not unlinked, "link these to the glossary:\n" + "\n".join(unlinked)


def test_open_in_colab_needs_a_github_repository_and_the_sites_address(built_site):
    from types import SimpleNamespace

    notebook_pages = load_hook("notebook_pages")
    page = SimpleNamespace(file=SimpleNamespace(src_uri="training.py"))
    site = "https://you.github.io/linreg/"
    for repo_url in ["https://github.com/you/linreg", "https://github.com/you/linreg.git/"]:
        url = notebook_pages.colab_url({"repo_url": repo_url, "site_url": site}, page)
        assert (
            url == "https://colab.research.google.com/github/you/linreg/blob/colab/training.ipynb"
        )
    for config in [
        {"repo_url": "", "site_url": site},
        {"repo_url": "https://gitlab.com/you/linreg", "site_url": site},
        {"repo_url": "https://github.com/you/linreg", "site_url": ""},
    ]:
        assert notebook_pages.colab_url(config, page) is None, config
    # the tests' build has no repository: no link, no Colab notebooks
    assert not (built_site / "colab").exists()
    for html_file in built_site.rglob("*.html"):
        assert "colab.research.google.com" not in html_file.read_text(), html_file


def test_a_site_with_a_github_repository_links_each_page_to_colab(tmp_path):
    notebook_pages = load_hook("notebook_pages")
    result = build_pages(
        tmp_path,
        {"claim.py": CLAIM_PAGE},
        LINREG_SITE_URL="https://you.github.io/linreg/",
        LINREG_REPO_URL="https://github.com/you/linreg",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    soup = BeautifulSoup((site / "claim.html").read_text(), "html.parser")
    (link,) = soup.select("p.linreg-download a[href*=colab]")
    assert link.get_text() == "Open in Colab"
    assert link["href"] == (
        "https://colab.research.google.com/github/you/linreg/blob/"
        f"{notebook_pages.COLAB_BRANCH}/claim.ipynb"
    )
    notebook = nbformat.read(site / "colab" / "claim.ipynb", as_version=4)
    install = notebook.cells[1].source
    wheel = f"linreg_by_hand-{linreg.__version__}-py3-none-any.whl"
    assert install == (
        f'%pip install "linreg-by-hand @ https://you.github.io/linreg/downloads/{wheel}"'
    )
    assert (site / "downloads" / wheel).is_file()  # what it installs is on the site
    # the readers' zip holds the pages' notebooks, not Colab's
    names = zipfile.ZipFile(site / "downloads" / "linreg-notebooks.zip").namelist()
    assert not any("colab" in name for name in names) and any("claim.ipynb" in n for n in names)
