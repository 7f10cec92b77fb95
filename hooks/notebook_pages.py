"""MkDocs hook: make mkdocs-jupyter's pages lean, accessible and downloadable.

mkdocs-jupyter embeds about 600 KB of JupyterLab CSS and its own scripts in every page,
and its copy buttons differ from the rest of the site. For each notebook page this hook

- removes the cells tagged `check` once they have run (mkdocs-jupyter's remove_tag_config
  would remove them before execution, so their assertions would never run);
- folds each run of cells tagged `solution` (an exercise's worked answer, executed at build
  time and checked by the `check` cell after it) into a collapsed <details> block;
- drops the inline <style> and <script> blocks (docs/stylesheets/notebook.css, served
  once and cached, styles the cells with Material's own colours in both palettes);
- keeps nothing that could run script, embed a document or send the reader elsewhere (an
  HTML output or a page's markdown could carry any of these): no frames, objects, <base>
  or <meta>, no comments (a browser may end one sooner than the parser here did), no event
  handlers or `srcdoc`, no URL but a relative one, http(s), mailto or a raster image's
  `data:`, no style attribute that loads or runs something;
- turns each code cell into Material's `pre > code` block, so it gets the same copy button
  as every other code block and copies exactly the cell's source;
- refuses any figure without alt text;
- rebuilds the table of contents from the page's headings: mkdocs-jupyter's drops inline
  code from titles and ids, so "What `backward()` fills in" linked to a missing anchor;
- writes the page as a Jupyter notebook (no outputs, no check cells, Python 3 kernel, a
  first cell that says how to install what it imports) beside it and links to it;
- when the site says where it is published (`site_url`) and its repository is on GitHub
  (`repo_url`), writes the page for Google Colab too, `colab/<page>.ipynb` (its first code
  cell installs linreg from the site's wheel and leaves Colab's torch alone), and links
  "Open in Colab" to it on the branch the site workflow puts those notebooks on;
- numbers the cells instead of keeping random ids: builds are repeatable, and the "=" in
  nbconvert's "cell-id=..." made the copy buttons' selectors invalid; and numbers each
  code block in a cell, so that each copy button copies its own block.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

import jupytext
import nbformat
from bs4 import BeautifulSoup
from bs4.element import PreformattedString
from downloads import version  # the one reading of linreg's version among the hooks
from mkdocs.exceptions import PluginError
from mkdocs.structure.toc import get_toc

ROOT = Path(__file__).resolve().parent.parent
MEMO = Path(os.environ.get("LINREG_CACHE", ROOT / ".cache")) / "lean"
THIS = Path(__file__).read_bytes()  # the memo is keyed on this code too
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# The branch .github/workflows/site.yml puts site/colab/ on, for Colab's GitHub loader
COLAB_BRANCH = "colab"
GITHUB_REPOSITORY = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
JUNK = [
    ".zeroclipboard-container",  # mkdocs-jupyter's copy button; Material adds its own
    ".clipboard-copy-txt",  # the hidden text that button copied
    ".celltoolbar",  # cell tags, for authors only
    ".jp-Collapser",  # empty JupyterLab furniture
    ".celltag_check",  # cells that assert the prose: they ran, and readers need not see them
]

# The cleaning works kind by kind on bs4's tree, which bs4 writes out again with every
# attribute quoted and escaped: what is checked here is what the browser reads. (nh3 would
# clean to an allowlist, but it comes with the release tools, not the docs build, and
# would need every tag and attribute that nbconvert writes listed.)
UNSAFE = [  # removed with all they hold: they run, load or embed a document, or move the page
    *("script", "style", "link", "base", "meta"),
    *("iframe", "frame", "frameset", "object", "embed", "applet", "portal", "fencedframe"),
    # SVG animations can set any attribute, a link's href to a javascript: URL among them
    *("animate", "set", "animatemotion", "animatetransform", "animatecolor", "discard"),
    # their content is text to a browser but markup to bs4, so the two would read it apart
    *("noscript", "noembed", "noframes", "xmp", "plaintext"),
]
URL_ATTRIBUTES = {  # (after any namespace prefix: xlink:href, xml:base)
    *("href", "src", "srcset", "imagesrcset", "action", "formaction", "ping", "base"),
    *("data", "codebase", "classid", "archive", "poster", "background", "cite", "longdesc"),
    *("lowsrc", "dynsrc", "manifest", "icon", "usemap"),
}
SCHEMES = {"http", "https", "mailto"}
IMAGES = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")  # raster images run no script
CSS_FUNCTIONS = {"rgb", "rgba", "hsl", "hsla", "calc", "var", "min", "max", "clamp"}


def is_notebook(page) -> bool:
    return page.file.src_uri.endswith(".py")


def notebook_name(page) -> str:
    return Path(page.file.src_uri).with_suffix(".ipynb").name


def on_page_content(html, page, config, files):
    """The lean page, from a memo of earlier builds when the same HTML came in (parsing and
    rewriting it is half a second a build; hooks/execution.py keeps the memo's size down)."""
    if not is_notebook(page):
        return html
    source = Path(page.file.abs_src_path).read_bytes()  # its cells' tags shape the page too
    key = hashlib.sha256(
        THIS + page.file.src_uri.encode() + b"\0" + source + b"\0" + html.encode()
    ).hexdigest()
    memo = MEMO / f"{key[:32]}.json"
    try:
        lean = json.loads(memo.read_text(encoding="utf-8"))
        os.utime(memo)
    except (OSError, ValueError):
        content, tokens = lean_page(html, page)
        lean = {"content": content, "toc": tokens}
        MEMO.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=MEMO, suffix=".tmp", delete=False
        ) as scratch:
            json.dump(lean, scratch)
        os.replace(scratch.name, memo)  # atomic: a killed build leaves no half entry
    page.toc = get_toc(lean["toc"])
    return lean["content"]


def lean_page(html: str, page) -> tuple[str, list[dict]]:
    """The page's HTML as the site shows it, and its table of contents."""
    soup = BeautifulSoup(html, "html.parser")
    tag_markdown_cells(soup, page)
    clean(soup)
    fold_solutions(soup)

    # nbconvert's cell ids read "cell-id=<random hex>": random, so no two builds would agree,
    # and Material derives each copy button's CSS selector from the enclosing id, where "="
    # makes the selector invalid and nothing is copied. Number the cells instead.
    for number, cell in enumerate(soup.select('[id^="cell-id="]'), start=1):
        cell["id"] = f"cell-{number}"
        # Material names each code block after its closest element with an id, so two
        # blocks in one cell (a cell and its shown source, or two fenced blocks in one
        # markdown cell) would share a copy target and both copy the first: give each
        # <pre> an id of its own.
        for block, pre in enumerate(cell.find_all("pre"), start=1):
            pre["id"] = f"cell-{number}-{block}"

    # Code cells (div.highlight-ipynb) and fenced code in markdown cells (div.highlight)
    # come as a bare <pre>; Material's copy button and scrolling expect <pre><code>.
    for block in soup.select("div.highlight-ipynb, div.highlight"):
        block["class"] = ["highlight"]
        pre = block.pre
        if pre.find("code", recursive=False) is None:
            code = soup.new_tag("code")
            for child in list(pre.contents):
                code.append(child.extract())
            pre.append(code)

    for img in soup.find_all("img"):
        if not img.get("alt", "").strip():
            raise PluginError(
                f"{page.file.src_uri}: a figure has no alt text. Draw it with a "
                "linreg.plots function, which describes what it shows."
            )

    # nbconvert's heading permalinks as Material's own: styled alike, and left out of the
    # search index (whose titles otherwise end in "¶").
    for anchor in soup.select("a.anchor-link"):
        anchor["class"] = ["headerlink"]
        anchor["title"] = "Permanent link"

    tokens = toc_tokens(soup)
    link = BeautifulSoup(
        f'<p class="linreg-download"><a href="{notebook_name(page)}" download>'
        "Download this page as a Jupyter notebook</a></p>",
        "html.parser",
    )
    soup.insert(0, link)
    return str(soup), tokens


def tag_markdown_cells(soup, page) -> None:
    """Give markdown cells the `celltag_<tag>` classes that nbconvert gives code cells only,
    from the page's source, cell by cell."""
    cells = jupytext.read(page.file.abs_src_path).cells
    shown = [c for c in soup.select(".jp-Cell") if c.find_parent(class_="jp-Cell") is None]
    if len(shown) != len(cells):
        raise PluginError(
            f"{page.file.src_uri}: {len(cells)} cells in the source but {len(shown)} on the "
            "page; hooks/notebook_pages.py cannot tell which cell is which."
        )
    for element, cell in zip(shown, cells, strict=True):
        if cell.cell_type == "markdown":
            element["class"] = [
                *element.get("class", []),
                *(f"celltag_{tag}" for tag in cell.metadata.get("tags", [])),
            ]


def fold_solutions(soup) -> None:
    """Each run of consecutive cells tagged `solution` into one collapsed block (Material
    styles <details> in both palettes; the summary opens it by mouse and keyboard)."""
    group = None
    for cell in soup.select(".jp-Cell.celltag_solution"):
        if cell.find_parent(class_="jp-Cell") is not None:
            continue  # a part of a cell: it moves with its cell
        previous = cell.find_previous_sibling(True)
        if group is None or previous is not group:
            group = soup.new_tag("details", attrs={"class": "linreg-solution success"})
            summary = soup.new_tag("summary")
            summary.string = "Solution"
            group.append(summary)
            cell.insert_before(group)
        group.append(cell.extract())


def clean(soup) -> None:
    """Remove from the soup mkdocs-jupyter's furniture (JUNK) and whatever could run a
    script, embed a document or move the page."""
    for element in soup.select(", ".join(JUNK + UNSAFE)):  # one pass, not one each
        if not element.decomposed:  # not inside an element removed just before
            element.decompose()
    # bs4 writes comments, CDATA and <?...> back verbatim, and a browser may end them
    # sooner than html.parser did ("<!-->", "--!>", "<![CDATA[>"), exposing the rest.
    for markup in soup.find_all(string=lambda s: isinstance(s, PreformattedString)):
        markup.extract()
    for element in soup.find_all(True):
        for name, value in list(element.attrs.items()):
            if not safe_attribute(name, " ".join(value) if isinstance(value, list) else value):
                del element[name]


def safe_attribute(name: str, value: str) -> bool:
    """Whether an attribute (name lower-cased, value unescaped, as bs4 gives them) may stay."""
    local = name.rsplit(":", 1)[-1]
    if not re.fullmatch(r"[a-z][a-z0-9_.:-]*", name) or local.startswith("on"):
        return False  # an event handler, or a name that bs4 would write out verbatim
    if local == "srcdoc":
        return False  # a frame's whole document
    if local in URL_ATTRIBUTES:  # srcset and ping hold several, split at commas or spaces
        return all(safe_url(url) for url in re.split(r"[\s,]+", value))
    if local == "style":
        return safe_style(value)
    return True


def safe_url(url: str) -> bool:
    """Whether a URL is relative, a fragment, http(s), mailto or a raster image's data:
    (browsers skip tabs and newlines in a scheme, and control characters before it; this
    skips all of them, anywhere)."""
    url = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    scheme, colon, _ = re.split(r"[/?#]", url, maxsplit=1)[0].partition(":")
    if not colon:
        return True  # a path, a query or a fragment: this site
    return scheme in SCHEMES or (scheme == "data" and IMAGES.match(url) is not None)


def safe_style(css: str) -> bool:
    """Whether a style attribute only sets values: no function but colours and arithmetic
    (url(), image-set(), expression() load or run something), no @import, no scheme."""
    css = re.sub(r"/\*.*?(\*/|$)", "", css, flags=re.DOTALL)  # IE read expr/**/ession(
    css = re.sub(  # escapes, as the CSS tokenizer reads them: \75 rl( is url(
        r"\\([0-9a-fA-F]{1,6})\s?|\\(.)",
        lambda m: chr(min(int(m[1], 16), 0x10FFFF)) if m[1] else m[2],
        css,
        flags=re.DOTALL,
    )
    css = re.sub(r"[\x00-\x20\x7f]", "", css).lower()
    functions = set(re.findall(r"([\w-]*)\(", css))
    return functions <= CSS_FUNCTIONS and not re.search(r"@|script:", css)


def toc_tokens(soup) -> list[dict]:
    """Nested table-of-contents tokens, as Python-Markdown makes them, from h1-h6 ids."""
    root: list[dict] = []
    stack: list[dict] = []
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        if not heading.get("id"):
            continue
        permalink = "".join(a.get_text() for a in heading.select("a.headerlink"))
        name = heading.get_text().removesuffix(permalink).strip()
        token = {"level": int(heading.name[1]), "id": heading["id"], "name": name, "children": []}
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


def reader_links(markdown: str, notebooks: set[str], site_url: str) -> str:
    """Links between pages as they work in a folder of notebooks: to a page's notebook when
    there is one (`data.html` -> `data.ipynb`), else to the published site if its URL is
    known, else plain text that says where the thing is."""

    def target(match: re.Match) -> str:
        text, path, rest = match[1], match[2], match[3]
        stem = path.removesuffix(".html")
        if path.endswith(".html") and stem in notebooks:
            return f"[{text}]({stem}.ipynb{rest})"
        if site_url:
            return f"[{text}]({site_url}{path}{rest})"
        if path == "glossary.html":  # a word's definition: the word reads well on its own
            return text
        return f"{text} (on the tutorial's site)"

    return re.sub(r"\[([^\]]*)\]\((?![a-z]+:|#)([^)#\s]+)([^)]*)\)", target, markdown)


def reader_notebook(source: str, notebooks: set[str] = frozenset(), site_url: str = ""):
    """The page as a reader downloads it: no check cells (they assert this page's numbers,
    and would fail once a reader changes lr or seed as the page invites), links that work
    in the downloaded folder, and a first cell that says what the notebook needs and where
    to get it."""
    notebook = jupytext.read(source)
    notebook.cells = [
        cell for cell in notebook.cells if "check" not in cell.metadata.get("tags", [])
    ]
    intro = nbformat.v4.new_markdown_cell(
        f"*A page of the linreg tutorial, version {version()}. It imports the `linreg` "
        "package (distribution linreg-by-hand): to install it and what this notebook needs, "
        'follow "Run it yourself" on the tutorial\'s home page (download '
        "`linreg-notebooks.zip`, then `pip install -r requirements.txt` in its folder).*"
    )
    notebook.cells.insert(0, intro)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = reader_links(cell.source, notebooks, site_url)
        if "solution" in cell.metadata.get("tags", []):  # folded away until the reader asks
            if cell.cell_type == "markdown":
                cell.source = f"<details><summary>Solution</summary>\n\n{cell.source}\n\n</details>"
            else:
                cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"  # not random, so the file is the same on every build
    return notebook


def colab_url(config, page) -> str | None:
    """Where Colab opens the page's notebook, or None: only when the site says where it is
    published (`site_url`: the notebook installs linreg from there) and its repository is
    on GitHub (`repo_url`: Colab opens notebooks from GitHub)."""
    match = GITHUB_REPOSITORY.match(config.get("repo_url") or "")
    if not match or not config.get("site_url"):
        return None
    owner, repository = match.groups()
    return (
        f"https://colab.research.google.com/github/{owner}/{repository}/blob/{COLAB_BRANCH}/"
        f"{notebook_name(page)}"
    )


def colab_notebook(source: str, site_url: str):
    """The page as Colab runs it: the reader's notebook, whose links lead to the site, with
    a first code cell that installs linreg from the site's wheel. pip keeps a torch that
    meets linreg's requirement (torch>=2.1), so Colab's own torch stays as it is."""
    wheel = f"{site_url.rstrip('/')}/downloads/linreg_by_hand-{version()}-py3-none-any.whl"
    notebook = reader_notebook(source, set(), site_url)
    notebook.cells[0] = nbformat.v4.new_markdown_cell(
        f"*A page of the linreg tutorial, version {version()}, for Google Colab. The next "
        "cell installs the `linreg` package (distribution linreg-by-hand) from the "
        "tutorial's site; it keeps the torch that Colab has.*"
    )
    notebook.cells.insert(1, nbformat.v4.new_code_cell(f'%pip install "linreg-by-hand @ {wheel}"'))
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
    notebook.metadata["kernelspec"] = KERNELSPEC
    return notebook


def on_post_page(output, page, config):
    if is_notebook(page):
        pages = Path(config["docs_dir"]).glob("*.py")
        notebooks = {path.stem for path in pages if not path.name.startswith("_")}
        site_url = config.get("site_url") or ""
        notebook = reader_notebook(page.file.abs_src_path, notebooks, site_url)
        notebook.metadata["kernelspec"] = KERNELSPEC  # Jupyter opens it ready to run
        target = Path(page.file.abs_dest_path).parent / notebook_name(page)
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(notebook, target, fmt="ipynb")
        if colab := colab_url(config, page):
            colab_target = Path(config["site_dir"]) / "colab" / notebook_name(page)
            colab_target.parent.mkdir(parents=True, exist_ok=True)
            jupytext.write(colab_notebook(page.file.abs_src_path, site_url), colab_target)
            download = "Download this page as a Jupyter notebook</a>"
            if output.count(download) != 1:
                raise PluginError(f"{page.file.src_uri}: no one download link for Colab's")
            output = output.replace(
                download, f'{download} · <a href="{colab}">Open in Colab</a>', 1
            )
    return output


def on_page_context(context, page, config, nav):
    # The home page's tab reads "<its heading> - linreg", not just "linreg", like every page.
    if page.is_homepage and page.content:
        heading = BeautifulSoup(page.content, "html.parser").find("h1")
        if heading is not None:
            permalink = "".join(a.get_text() for a in heading.select("a.headerlink"))
            page.meta["title"] = heading.get_text().removesuffix(permalink).strip()
    return context
