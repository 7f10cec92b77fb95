"""MkDocs hook: make mkdocs-jupyter's pages lean, accessible and downloadable.

mkdocs-jupyter embeds about 600 KB of JupyterLab CSS and its own scripts in every page,
and its copy buttons differ from the rest of the site. For each notebook page this hook

- drops the inline <style> and <script> blocks (docs/stylesheets/notebook.css, served
  once and cached, styles the cells with Material's own colours in both palettes);
- turns each code cell into Material's `pre > code` block, so it gets the same copy button
  as every other code block and copies exactly the cell's source;
- refuses any figure without alt text;
- writes the page as a Jupyter notebook (no outputs) beside it and links to it.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
from bs4 import BeautifulSoup
from mkdocs.exceptions import PluginError

JUNK = [
    "style",
    "script",
    "link",
    ".zeroclipboard-container",  # mkdocs-jupyter's copy button; Material adds its own
    ".clipboard-copy-txt",  # the hidden text that button copied
    ".celltoolbar",  # cell tags, for authors only
    ".jp-Collapser",  # empty JupyterLab furniture
]


def is_notebook(page) -> bool:
    return page.file.src_uri.endswith(".py")


def notebook_name(page) -> str:
    return Path(page.file.src_uri).with_suffix(".ipynb").name


def on_page_content(html, page, config, files):
    if not is_notebook(page):
        return html
    soup = BeautifulSoup(html, "html.parser")
    for selector in JUNK:
        for element in soup.select(selector):
            element.decompose()

    for block in soup.select("div.highlight-ipynb"):
        block["class"] = ["highlight"]
        pre = block.pre
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

    link = BeautifulSoup(
        f'<p class="linreg-download"><a href="{notebook_name(page)}" download>'
        "Download this page as a Jupyter notebook</a></p>",
        "html.parser",
    )
    soup.insert(0, link)
    return str(soup)


def on_post_page(output, page, config):
    if is_notebook(page):
        notebook = jupytext.read(page.file.abs_src_path)
        target = Path(page.file.abs_dest_path).parent / notebook_name(page)
        target.parent.mkdir(parents=True, exist_ok=True)
        jupytext.write(notebook, target, fmt="ipynb")
    return output
