"""The built site in a real browser: Debian's Chromium, driven by Playwright.

Marked `browser`: `pytest -m "not browser"` runs the fast tests alone. Without Chromium
these tests fail rather than skip, so CI cannot pass without running them.
The browser is pytest-playwright's (`browser`, launched as conftest.py says). Every test
of a page at a width shares one browser context (`tab`): those that only look use the page
as it loaded; those that click, type or toggle start from `.fresh()`, the page as it
loaded, which reloads it (with the palette it remembers forgotten) only if an earlier test
left it changed: a solution open, another palette, a slider moved, the search typed in.
Tests that open solutions close them again, so that most pages load once per width, not
once per test. Screenshots for a reviewer's eyes are a tool, not a test:
tools/screenshots.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest
from markup import RAW_MARKUP
from paths import DOCUMENTS, PAGES, visible_cells
from serve import serve
from sitebuild import run_mkdocs

pytestmark = pytest.mark.browser

# URL paths in the nav's order: the notebook pages, then the glossary and the API reference
NOTEBOOK_PAGES = [f"{page}.html" for page in PAGES]
READING_ORDER = [*NOTEBOOK_PAGES, *(f"{page}.html" for page in DOCUMENTS)]
assert READING_ORDER[-5:-3] == ["glossary.html", "reference.html"], READING_ORDER
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def server(built_site):
    """The built site on 127.0.0.1, on a free port, for the duration of this module."""
    with serve(built_site) as url:
        yield url


# What a reader's clicks, keys and toggles change on a page: which page it is (not the
# #anchor, which Material follows as the page scrolls), its palette (not which of the
# palette's radio buttons is checked: none, until the toggle is first used), the solutions
# (details) open, and every other control's value (the search box, Material's hidden
# toggles for the search and the drawer, the explorer's sliders and choices)
STATE = """() => JSON.stringify([
    location.origin + location.pathname + location.search,
    document.body.dataset.mdColorScheme,
    [...document.querySelectorAll('details')].map(d => d.open),
    [...document.querySelectorAll('input:not([name=__palette]), select, textarea')].map(
        e => e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value),
])"""


class Visit:
    """A page opened in a browser context of its own, with every request and console
    message recorded; loaded `until` the network is idle (no request for half a second), so
    that a request or an error that comes after `load` (the search index, a late script)
    is recorded too, or until it has loaded."""

    def __init__(self, browser, server, path, width=1280, scheme="light", until="networkidle"):
        self.server, self.path = server, path
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme
        )
        origin = server.rstrip("/")
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        self.page = self.context.new_page()
        self.requests, self.failed, self.errors = [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on(  # a 404 is no network failure to the browser, but it is to the reader
            "response",
            lambda r: self.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(server + path)
        self.page.wait_for_load_state(until)
        self.loaded = self.page.evaluate(STATE)

    def fresh(self) -> Visit:
        """The page as it first loaded: a test that clicks, types or toggles starts here. It
        is reloaded only if an earlier test left it otherwise, after the storage in which
        Material remembers a chosen palette is cleared."""
        self.errors.clear()
        if self.page.evaluate(STATE) != self.loaded:
            self.page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            self.page.goto(self.server + self.path)
            self.page.wait_for_load_state("load")
            assert self.page.evaluate(STATE) == self.loaded, f"{self.path} reloaded otherwise"
        self.page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
        return self

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def tab(browser, server):
    """One browser context per page and width, shared by every test of that page: tests
    that only look use it as it is; tests that click, type or toggle call .fresh(). (On
    the desktop, the first load waits for the network to be idle: the test of what a page
    loads looks at it.)"""
    opened = {}

    def open_page(path, width=1280):
        if (path, width) not in opened:
            until = "networkidle" if width == 1280 else "load"
            opened[path, width] = Visit(browser, server, path, width, until=until)
        return opened[path, width]

    yield open_page
    for v in opened.values():
        v.close()


@pytest.fixture(scope="module")
def dark(browser, server):
    """A page opened where the system prefers dark (a context of its own per page and width:
    a palette chosen in a page's `tab` would be remembered), as it first loaded."""
    opened = {}

    def open_page(path, width=1280):
        if (path, width) not in opened:
            v = Visit(browser, server, path, width, scheme="dark", until="load")
            v.page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
            v.loaded = v.page.evaluate(STATE)
            opened[path, width] = v
        v = opened[path, width].fresh()
        v.page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        return v

    yield open_page
    for v in opened.values():
        v.close()


# --- every page --------------------------------------------------------------------------


@pytest.mark.parametrize("path", READING_ORDER)
def test_loads_cleanly_and_only_from_its_own_host(tab, path):
    v = tab(path)
    assert not v.errors, v.errors
    assert not v.failed, v.failed
    hosts = {urlparse(url).netloc for url in v.requests if not url.startswith("data:")}
    assert hosts == {urlparse(v.server).netloc}, hosts


@pytest.mark.parametrize("path", READING_ORDER)
def test_the_footer_leads_on_in_the_reading_order(tab, path):
    """To the next page, and back to the previous (a reader who clicks through them all:
    test_reading_from_disk_navigates_and_searches)."""
    v = tab(path)
    at = READING_ORDER.index(path)
    for direction, neighbour in [("next", at + 1), ("prev", at - 1)]:
        footer = v.page.eval_on_selector_all(
            f"a.md-footer__link--{direction}", "links => links.map(a => a.href)"
        )
        expected = [READING_ORDER[neighbour]] if 0 <= neighbour < len(READING_ORDER) else []
        assert [urlparse(href).path for href in footer] == ["/" + p for p in expected], (
            path,
            direction,
        )


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("path", READING_ORDER)
def test_images_load_and_nothing_overflows(tab, path, width):
    v = tab(path, width)
    # Figures load lazily, as a reader nears them: load each now, and each must decode
    broken = v.page.evaluate(
        """async () => {
        const bad = [];
        for (const i of document.querySelectorAll('img')) {
            i.loading = 'eager';
            try { await i.decode(); } catch { bad.push(i.alt); }
            if (i.naturalWidth === 0) bad.push(i.alt);
        }
        return bad;
    }"""
    )
    assert not broken
    assert v.page.evaluate("document.documentElement.scrollWidth") <= width
    # No box may stick out of the content column (Material's .md-content, gutters included:
    # inline code at a line's end bleeds its 3 px of padding into them), unless it sits in
    # a box that scrolls.
    overflowing = v.page.evaluate(
        """() => {
        const column = document.querySelector('.md-content').getBoundingClientRect();
        const scrolls = el => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX);
        const bad = [];
        for (const el of document.querySelectorAll('.md-content__inner *')) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.right <= column.right + 1) continue;
            let up = el.parentElement, clipped = false;
            while (up && !up.classList.contains('md-content__inner')) {
                if (scrolls(up)) { clipped = true; break; }
                up = up.parentElement;
            }
            if (!clipped) bad.push(el.tagName + '.' + el.className + ' ' + Math.round(box.right));
        }
        return bad;
    }"""
    )
    assert not overflowing, overflowing[:5]


@pytest.mark.parametrize("path", READING_ORDER)
def test_maths_is_typeset(tab, path):
    v = tab(path)
    # the code's own reference pages need no maths; the other pages all have some
    no_maths = {"reference-pages.html", "reference-figures.html", "reference-scale.html"}
    assert v.page.locator("article .katex").count() > 0 or path in no_maths
    assert v.page.locator("article .katex-error").count() == 0
    text = v.page.locator("article").inner_text()
    for raw in ["$$", "\\(", "\\[", "$\\", "\\frac"]:
        assert raw not in text, f"raw maths {raw!r} left on {path or 'home'}"


@pytest.mark.parametrize("path", READING_ORDER)
def test_no_raw_markup_in_what_the_browser_shows(tab, path):
    v = tab(path)
    text = v.page.evaluate(
        """() => {
        const article = document.querySelector('article').cloneNode(true);
        article.querySelectorAll('pre, code, .katex, script, style').forEach(e => e.remove());
        return article.textContent;
        }"""
    )
    found = [m.group(0).strip() for m in RAW_MARKUP.finditer(text)]
    assert not found, f"raw markup shown on {path}: {found}"


CLOSE_SOLUTIONS = "document.querySelectorAll('article details').forEach(d => d.open = false)"
# Each block's copy button clicked in turn, the clipboard emptied before, and what it
# then holds; and whether the button is what a reader's pointer would reach there
NOTHING_COPIED = "(nothing copied)"
COPY_EACH_BLOCK = """async nothing => {
    const blocks = [];
    for (const pre of document.querySelectorAll('article pre:has(> code)')) {
        const button = pre.querySelector('.md-code__button[data-md-type=copy]');
        button.scrollIntoView({block: 'center'});
        const box = button.getBoundingClientRect();
        const under = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        await navigator.clipboard.writeText(nothing);
        button.click();
        blocks.push({
            clickable: button.checkVisibility() && box.width > 0 && button.contains(under),
            copied: await navigator.clipboard.readText(),
            shown: pre.querySelector(':scope > code').textContent,
            cell: pre.closest('.jp-CodeCell .jp-InputArea') !== null,
        });
    }
    return blocks;
}"""


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_copy_buttons_copy_exactly_each_cell(tab, path):
    v = tab(path).fresh()
    for summary in v.page.locator("article details.linreg-solution > summary").all():
        summary.click()  # solutions' cells have copy buttons too, once open
    # The first button takes a real click (the mouse's); all are then clicked from the
    # page's own script, one round trip for them all, each once it is scrolled to and seen
    # to be the element under its own centre (shown, not covered).
    blocks = v.page.locator("article pre:has(> code)")
    v.page.evaluate(f"navigator.clipboard.writeText({NOTHING_COPIED!r})")
    blocks.first.locator(".md-code__button[data-md-type=copy]").click()
    first = v.page.evaluate("navigator.clipboard.readText()")
    copies = v.page.evaluate(COPY_EACH_BLOCK, NOTHING_COPIED)
    assert first == copies[0]["copied"]
    # Every block (a cell, library code shown as an output, fenced code in the prose)
    # copies the code it shows, not its neighbour's; and a cell's, the cell as written.
    for number, block in enumerate(copies):
        assert block["clickable"], (path, number, "the copy button is hidden or covered")
        assert block["copied"].rstrip("\n") == block["shown"].rstrip("\n"), (path, number)
    cells = [block["copied"] for block in copies if block["cell"]]
    assert cells == visible_cells(path.removesuffix(".html"))
    copy_buttons = v.page.locator("article .md-code__button[data-md-type=copy]").count()
    assert copy_buttons == blocks.count() == v.page.locator("article pre > code").count()
    v.page.evaluate(CLOSE_SOLUTIONS)


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_notebook_download_is_a_valid_notebook(tab, path):
    v = tab(path)
    link = v.page.locator("a[download][href$='.ipynb']")
    assert link.count() == 1
    response = v.page.request.get(urljoin(v.page.url, link.get_attribute("href")))
    assert response.ok
    notebook = nbformat.reads(response.text(), as_version=4)
    nbformat.validate(notebook)
    assert json.loads(response.text())["nbformat"] == 4


def contrast(page, selector: str) -> float:
    """WCAG contrast ratio between the text colour and the background behind `selector`."""
    return page.evaluate(
        """sel => {
        const el = document.querySelector(sel);
        const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
        // the background as it shows: translucent layers composited over what lies beneath
        const layers = [];
        for (let bg = el; bg; bg = bg.parentElement) {
            const c = rgb(getComputedStyle(bg).backgroundColor);
            const alpha = c.length < 4 ? 1 : c[3];
            if (alpha > 0) layers.push([...c.slice(0, 3), alpha]);
            if (alpha === 1) break;
        }
        let back = [255, 255, 255];
        for (const [r, g, b, a] of layers.reverse()) {
            back = [r, g, b].map((v, i) => a * v + (1 - a) * back[i]);
        }
        const lum = c => {
            const [r, g, b] = c.slice(0, 3).map(v => v / 255).map(
                v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const a = lum(rgb(getComputedStyle(el).color)), b = lum(back);
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""",
        selector,
    )


@pytest.mark.parametrize("path", READING_ORDER)
def test_palette_toggle_keeps_figures_and_outputs_visible(tab, path):
    v = tab(path).fresh()
    schemes = []
    for _ in range(2):
        scheme = v.page.get_attribute("body", "data-md-color-scheme")
        schemes.append(scheme)
        assert contrast(v.page, "article p") >= 4.5, scheme
        if v.page.locator("article .jp-OutputArea-output pre").count():
            assert contrast(v.page, "article .jp-OutputArea-output pre") >= 4.5, scheme
        # (the explorer's static figure gives way to the explorer: tested on its own below)
        for img in v.page.locator("article img:not(.linreg-explorer img)").all():
            img.scroll_into_view_if_needed()  # a figure loads lazily, as the reader nears it
            img.evaluate("i => i.decode()")  # loaded and decoded, or this raises
            assert img.is_visible() and img.evaluate("i => i.naturalWidth") > 0
            # figures are drawn on white, so they read the same on the dark palette
            assert img.evaluate("i => getComputedStyle(i).opacity") == "1"
        v.page.locator("form[data-md-component=palette] label:visible").click()
        v.page.wait_for_function(f"document.body.dataset.mdColorScheme !== '{scheme}'")
    assert schemes == ["default", "slate"]


def test_a_dark_system_preference_opens_in_the_dark_palette(dark):
    v = dark("training.html")
    assert v.page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert contrast(v.page, "article .jp-OutputArea-output pre") >= 4.5


# --- the whole site ----------------------------------------------------------------------


@pytest.mark.parametrize("word", ["gradient", "optimizer", "SGD"])
def test_search_typed_with_the_keyboard_finds_the_gradient_page(tab, word):
    v = tab("index.html").fresh()
    v.page.keyboard.press("/")  # Material's shortcut to the search box
    assert v.page.evaluate("document.activeElement.classList.contains('md-search__input')")
    v.page.keyboard.type(word, delay=50)
    results = v.page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    hrefs = [urlparse(a.get_attribute("href")).path for a in results.all()]
    assert any(h.split("#")[0].endswith("gradient.html") for h in hrefs), hrefs
    titles = v.page.locator(
        ".md-search-result__item h1, .md-search-result__item h2"
    ).all_inner_texts()
    assert titles and not [t for t in titles if "¶" in t], titles


def test_navigation_follows_the_reading_order(tab):
    """The sidebar lists the pages in the reading order (each page's footer leads to the
    next and the previous: test_the_footer_leads_on_in_the_reading_order)."""
    v = tab("index.html")
    hrefs = v.page.eval_on_selector_all(
        ".md-sidebar--primary .md-nav__link[href]", "links => links.map(a => a.href)"
    )
    order = list(dict.fromkeys(urlparse(href).path for href in hrefs))  # each once, in order
    assert order == ["/" + p for p in READING_ORDER]


# --- reading from disk, hosting under a sub-path, phones ---------------------------------


def test_reading_from_disk_navigates_and_searches(browser, built_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((built_site / "index.html").as_uri())
    visited = [Path(urlparse(page.url).path).name]
    while page.locator("a.md-footer__link--next").count():
        page.locator("a.md-footer__link--next").click()
        page.wait_for_load_state()
        assert page.locator("article.md-content__inner").count() == 1, page.url  # no listing
        visited.append(Path(urlparse(page.url).path).name)
    assert visited == READING_ORDER
    page.keyboard.press("/")
    page.keyboard.type("gradient", delay=50)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    results.first.click()
    page.wait_for_load_state()
    assert urlparse(page.url).scheme == "file" and urlparse(page.url).path.endswith(".html")
    assert page.locator("article.md-content__inner").count() == 1
    assert not errors, errors
    context.close()


def test_the_404_page_works_under_a_sub_path(browser, tmp_path):
    site = tmp_path / "site"
    result = run_mkdocs(site, LINREG_SITE_URL="http://127.0.0.1/tutorial/")
    assert result.returncode == 0, result.stderr[-3000:]
    sitemap = (site / "sitemap.xml").read_text()  # empty without a site_url
    for path in READING_ORDER:
        assert f"<loc>http://127.0.0.1/tutorial/{path}</loc>" in sitemap
    with serve(site, prefix="/tutorial/") as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        failed = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        response = page.goto(url + "no/such/page.html")
        page.wait_for_load_state("networkidle")
        assert response.status == 404
        assert failed == [url + "no/such/page.html"], failed  # its styles and scripts load
        assert page.locator("h1").inner_text() == "Page not found"
        color = page.evaluate(
            "getComputedStyle(document.querySelector('.md-header')).backgroundColor"
        )
        assert color not in ("rgba(0, 0, 0, 0)", "transparent"), color  # styled
        links = page.locator("article a[href]")
        assert links.count() >= len(READING_ORDER)
        links.first.click()
        page.wait_for_load_state()
        assert urlparse(page.url).path == "/tutorial/index.html"
        assert page.locator("article.md-content__inner .jp-Cell").count() > 0
        context.close()


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_on_a_phone_figures_stay_legible_and_wide_maths_scrolls(tab, path):
    v = tab(path, 390)
    for img in v.page.locator("article .jp-OutputArea-output > img").all():
        img.scroll_into_view_if_needed()
        box = img.bounding_box()
        natural = img.evaluate("i => i.naturalWidth")
        assert box["width"] >= 0.75 * natural, (box, natural)  # 10 pt text at >= 7.5 pt
        container = img.evaluate(
            "i => { const c = i.parentElement; return [getComputedStyle(c).overflowX,"
            " c.scrollWidth > c.clientWidth]; }"
        )
        assert container[0] == "auto", container
        cue = img.evaluate("i => getComputedStyle(i.parentElement, '::after').content")
        assert "Swipe sideways" in cue, cue  # a reader sees that the figure goes on
    for block in v.page.locator("article .katex-display").all():
        wide, overflow, cue = block.evaluate(
            "e => [e.scrollWidth > e.clientWidth, getComputedStyle(e).overflowX,"
            " getComputedStyle(e).backgroundImage]"
        )
        if wide:
            assert overflow == "auto" and "gradient" in cue, (overflow, cue)
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_long_outputs_wrap_and_commands_clear_the_copy_button(tab, width):
    v = tab("training.html", width)
    for pre in v.page.locator("article .jp-RenderedText pre").all():
        assert pre.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), pre.inner_text()[:80]
    home = tab("index.html", width)
    for code in home.page.locator("article pre > code").all():
        padding, button = code.evaluate(
            "c => [parseFloat(getComputedStyle(c).paddingRight),"
            " c.parentElement.querySelector('.md-code__nav')?.getBoundingClientRect().width ?? 0]"
        )
        assert padding >= button, (padding, button)


# --- the learning-rate explorer ----------------------------------------------------------

LR_SLIDER = ".linreg-explorer.is-live input[id$='-lr']"
MOMENTUM_SLIDER = ".linreg-explorer.is-live input[id$='-momentum']"
EXPLORER_STATE = """() => {
    const box = document.querySelector('.linreg-explorer.is-live');
    const slider = box.querySelector('input[type=range]');
    const pairs = s => s.trim().split(/\\s+/).map(p => p.split(',').map(Number));
    const path = box.querySelector('[data-role=path]');
    const toScreen = (node, [x, y]) => {
        const p = new DOMPoint(x, y).matrixTransform(node.getScreenCTM());
        return [p.x, p.y];
    };
    const optimum = box.querySelector('circle.optimum');
    const points = pairs(path.getAttribute('points'));
    return {
        index: Number(slider.value),
        shown: box.querySelector('output').textContent,
        valuetext: slider.getAttribute('aria-valuetext'),
        path: points,
        loss: pairs(box.querySelector('[data-role=loss]').getAttribute('points')),
        listed: [...box.querySelectorAll('.linreg-explorer-losses li')].map(li => li.textContent),
        status: box.querySelector('.linreg-explorer-status').textContent,
        pathEnd: toScreen(path, points[points.length - 1]),
        optimum: toScreen(optimum, [optimum.cx.baseVal.value, optimum.cy.baseVal.value]),
    };
}"""


@pytest.fixture(scope="module")
def runs():
    """Gradient descent from the tutorial's start at any lr, as linreg computes it here: the
    W, b and loss after each step, the start included (the bare loop, as the explorer)."""
    import torch

    import linreg
    from linreg.training import train

    data = linreg.make_data()
    cache = {}

    def run(lr):
        if lr not in cache:
            model = linreg.LinearModel.like(data.X)
            steps = list(train(model, data.X, data.y, lr, linreg.DEFAULTS.num_epochs))
            with torch.no_grad():
                final = linreg.mse_loss(model(data.X), data.y).item()
            cache[lr] = {
                "path": [[W, b] for _, W, b in steps] + [[model.W.item(), model.b.item()]],
                "loss": [loss for loss, _, _ in steps] + [final],
            }
        return cache[lr]

    return run


def assert_shows_the_build_run(state, runs):
    """The explorer shows, for its lr, the run linreg computes: path, curve and numbers."""
    lr = float(state["shown"])
    expected = runs(lr)
    assert state["valuetext"] == f"learning rate {state['shown']}"
    assert len(state["path"]) == len(expected["path"]) == 21, lr
    for drawn, (W, b) in zip(state["path"], expected["path"], strict=True):
        assert drawn == pytest.approx([W, b], rel=1e-5, abs=1e-5), (lr, drawn, W, b)
    for (epoch, log_loss), (step, loss) in zip(
        state["loss"], enumerate(expected["loss"]), strict=True
    ):
        assert epoch == step and 10**log_loss == pytest.approx(loss, rel=1e-5), (lr, step)
    listed = [float(text) for text in state["listed"]]
    assert listed == pytest.approx(expected["loss"], rel=1e-4), lr
    assert f"After 20 steps the loss is {state['listed'][-1]}" in state["status"]
    return lr


def test_the_explorer_follows_the_mouse(tab, runs):
    v = tab("learning-rate.html").fresh()
    slider = v.page.locator(LR_SLIDER)
    slider.scroll_into_view_if_needed()
    start = v.page.evaluate(EXPLORER_STATE)
    assert assert_shows_the_build_run(start, runs) == 0.1  # the default, to begin with
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    seen = set()
    for fraction in [0.0, 0.44, 1.0, 0.8]:
        v.page.mouse.click(box["x"] + 8 + fraction * (box["width"] - 16), y)
        seen.add(assert_shows_the_build_run(v.page.evaluate(EXPLORER_STATE), runs))
    # and a drag: press on the thumb, move, release
    v.page.mouse.move(box["x"] + 8 + 0.8 * (box["width"] - 16), y)
    v.page.mouse.down()
    v.page.mouse.move(box["x"] + 8 + 0.2 * (box["width"] - 16), y, steps=8)
    v.page.mouse.up()
    dragged = assert_shows_the_build_run(v.page.evaluate(EXPLORER_STATE), runs)
    seen.add(dragged)
    assert {0.025, 1.1} <= seen and dragged < 0.4 and len(seen) == 5, seen
    assert not v.errors, v.errors


def test_the_explorer_answers_the_keyboard(tab, runs):
    v = tab("learning-rate.html").fresh()
    slider = v.page.locator(LR_SLIDER)
    slider.focus()
    path = []
    for key in ["ArrowRight"] * 3 + ["ArrowLeft", "End", "Home", "PageUp"]:
        v.page.keyboard.press(key)
        state = v.page.evaluate(EXPLORER_STATE)
        path.append(assert_shows_the_build_run(state, runs))
    assert path[:6] == [0.125, 0.15, 0.175, 0.15, 1.1, 0.025] and path[6] > 0.025, path
    assert v.page.evaluate("document.activeElement.type") == "range"
    label = v.page.evaluate("document.activeElement.labels[0].textContent")
    assert label.startswith("Learning rate"), label
    assert not v.errors, v.errors


def test_the_explorer_draws_in_the_axes_it_labels(tab):
    v = tab("learning-rate.html").fresh()
    slider = v.page.locator(LR_SLIDER)
    slider.focus()
    for _ in range(200):  # to 0.5: one step to the optimum (a bounded search)
        if v.page.evaluate(EXPLORER_STATE)["shown"] == "0.500":
            break
        v.page.keyboard.press("ArrowRight")
    state = v.page.evaluate(EXPLORER_STATE)
    assert state["pathEnd"] == pytest.approx(state["optimum"], abs=1.0), state
    assert "Converges" in state["status"]
    # each tick label sits where its value falls in the path's own coordinates
    ticks = v.page.evaluate(
        """() => {
        const box = document.querySelector('.linreg-explorer.is-live');
        const path = box.querySelector('[data-role=path]');
        const ctm = path.getScreenCTM();
        return [...box.querySelector('svg').querySelectorAll('text.tick-label')].map(t => {
            const r = t.getBoundingClientRect();
            const value = Number(t.textContent.replace('\u2212', '-'));
            const x = t.classList.contains('x');
            const p = new DOMPoint(x ? value : 0, x ? 0 : value).matrixTransform(ctm);
            return x ? [r.x + r.width / 2, p.x] : [r.y + r.height / 2, p.y];
        });
    }"""
    )
    assert len(ticks) >= 6
    for label, position in ticks:
        assert abs(label - position) < 3, ticks


@pytest.fixture(scope="module")
def valley_run():
    """The heavy ball on the valley as linreg computes it here, at any lr and momentum: the
    W, b and loss after each of 150 steps, the start included (as the explorer)."""
    import torch

    import linreg
    from linreg.pages.momentum import train_momentum
    from linreg.plots import SHIFT

    data = linreg.make_data(x_mean=SHIFT)

    def run(lr, momentum):
        model = linreg.LinearModel.like(data.X)
        steps = list(train_momentum(model, data.X, data.y, lr, momentum, 150))
        with torch.no_grad():
            final = linreg.mse_loss(model(data.X), data.y).item()
        return {
            "path": [[W, b] for _, W, b in steps] + [[model.W.item(), model.b.item()]],
            "loss": [loss for loss, _, _ in steps] + [final],
        }

    return run


def test_the_explorer_runs_momentum_on_the_valley_by_keyboard(tab, valley_run):
    """The menu picks the valley, the keyboard the tuned lr and momentum; the explorer shows
    the heavy ball's run as linreg computes it, and says what it does."""
    import linreg
    from linreg.curvature import curvature
    from linreg.pages.momentum import heavy_ball_tuning
    from linreg.plots import SHIFT

    valley = curvature(linreg.make_data(x_mean=SHIFT).X)
    tuned_lr, tuned_momentum = heavy_ball_tuning(*valley.eigenvalues)
    v = tab("learning-rate.html").fresh()
    menu = v.page.locator(".linreg-explorer.is-live select")
    assert menu.locator("option").all_inner_texts() == ["the round bowl", "the valley"]
    menu.focus()
    v.page.keyboard.press("ArrowDown")  # a closed <select> takes the next option
    state = v.page.evaluate(EXPLORER_STATE)
    assert state["shown"] == "0.0370" and "After 150 steps" in state["status"], state["status"]
    # the reset is said, for a reader who hears the page: the sliders went back to the start
    reset = "the valley: the sliders start again, at learning rate 0.0370 and momentum 0.00. "
    assert state["status"].startswith(reset), state["status"]
    v.page.locator(LR_SLIDER).focus()
    v.page.keyboard.press("End")  # the valley's largest lr: the tuned one, 1.86 times the bound
    momentum = v.page.locator(MOMENTUM_SLIDER)
    momentum.focus()
    for _ in range(3):
        v.page.keyboard.press("ArrowRight")  # 0, 0.5, 0.8, then the tuning
    assert v.page.evaluate("document.activeElement.labels[0].textContent").startswith("Momentum")
    assert momentum.get_attribute("aria-valuetext") == "momentum 0.86"
    state = v.page.evaluate(EXPLORER_STATE)
    assert state["shown"] == "0.0688", state["shown"]
    expected = valley_run(tuned_lr, tuned_momentum)
    assert len(state["path"]) == len(expected["path"]) == 151
    for drawn, point in zip(state["path"], expected["path"], strict=True):
        assert drawn == pytest.approx(point, rel=1e-5, abs=1e-5), (drawn, point)
    listed = [float(text) for text in state["listed"]]
    assert listed == pytest.approx(expected["loss"], rel=1e-4)
    assert "Converges, swinging" in state["status"], state["status"]
    assert "After 150 steps the loss is 1.1637 (least squares: 1.0626)" in state["status"]
    assert not state["status"].startswith("the valley:")  # said once, when the data changed
    labels = v.page.locator(".linreg-explorer.is-live svg").evaluate_all(
        "svgs => svgs.map(s => s.getAttribute('aria-label'))"
    )
    said = "on the valley, at learning rate 0.0688 and momentum 0.86"
    assert len(labels) == 2 and all(label.endswith(said) for label in labels), labels
    assert momentum.evaluate("m => m.labels[0].querySelector('output').ariaLive") == "off"
    # one step to the right of the tuning, momentum 0.95; at 0.0688 a momentum of 0.5 diverges
    v.page.keyboard.press("ArrowRight")
    assert momentum.get_attribute("aria-valuetext") == "momentum 0.95"
    v.page.keyboard.press("Home")
    v.page.keyboard.press("ArrowRight")
    status = v.page.evaluate(EXPLORER_STATE)["status"]
    assert status.startswith("Diverges: with momentum 0.50, lr must stay below 0.05553"), status
    assert not v.errors, v.errors


def test_the_explorer_loads_its_runs_from_disk(browser, built_site):
    """The runs are in a script beside the page, which a page read from disk loads too."""
    html = (built_site / "learning-rate.html").read_text()
    assert "data-explorer=" not in html and 'data-explorer-id="learning-rate-1"' in html
    assert (built_site / "learning-rate.explorer-1.js").stat().st_size < 300_000
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((built_site / "learning-rate.html").as_uri())
    page.locator(".linreg-explorer.is-live select").select_option(label="the valley")
    assert page.locator(LR_SLIDER).get_attribute("aria-valuetext") == "learning rate 0.0370"
    assert not errors, errors
    context.close()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_explorer_reads_in_both_palettes_and_on_a_phone(tab, dark, width, scheme):
    page = "learning-rate.html"
    v = tab(page, width).fresh() if scheme == "light" else dark(page, width)
    box = v.page.locator(".linreg-explorer.is-live")
    box.scroll_into_view_if_needed()
    assert v.page.locator(".linreg-explorer img").is_hidden()  # the static figure gave way
    assert contrast(v.page, ".linreg-explorer-status") >= 4.5
    colours = v.page.evaluate(
        """() => {
        const rgba = s => {
            const c = s.match(/[\\d.]+/g).map(Number);
            return c.length > 3 ? c : [...c, 1];
        };
        const lum = c => {
            const [r, g, b] = c.map(v => v / 255).map(
                v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const ratio = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const backRgb = rgba(getComputedStyle(document.body).backgroundColor).slice(0, 3);
        const back = lum(backRgb);
        const box = document.querySelector('.linreg-explorer.is-live');
        const of = (sel, prop) => {  // a colour with alpha, as it shows over the page
            const c = rgba(getComputedStyle(box.querySelector(sel))[prop]);
            return lum(c.slice(0, 3).map((v, i) => c[3] * v + (1 - c[3]) * backRgb[i]));
        };
        return {
            text: ratio(of('svg text', 'fill'), back),
            path: ratio(of('[data-role=path]', 'stroke'), back),
            contour: ratio(of('.contour', 'stroke'), back),
        };
    }"""
    )
    assert colours["text"] >= 4.5 and colours["path"] >= 3 and colours["contour"] >= 1.5, colours
    for panel in box.locator("svg").all():
        panel_box = panel.bounding_box()
        assert panel_box["width"] >= 300 and panel_box["x"] + panel_box["width"] <= width
        text = panel.locator("text.tick-label").first.bounding_box()
        assert text["height"] >= 9, text  # tick labels at least 9 px high
    assert v.page.evaluate("document.documentElement.scrollWidth") <= width


def test_without_javascript_the_explorer_is_a_figure(browser, server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(server + "learning-rate.html")
    figure = page.locator(".linreg-explorer img")
    assert figure.is_visible() and figure.evaluate("i => i.naturalWidth") == 640
    note = page.locator(".linreg-explorer-note").inner_text()
    assert "lr = 0.1, 0.5, 0.95" in note and "167 runs" in note, note
    assert "the round bowl or the valley" in note and "figure is of the round bowl" in note, note
    assert page.locator(".linreg-explorer input").count() == 0
    context.close()


# --- exercises -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_solutions_open_by_mouse_and_by_keyboard(tab, path):
    v = tab(path).fresh()
    solutions = v.page.locator("article details.linreg-solution")
    assert solutions.count() >= 2
    for number, solution in enumerate(solutions.all()):
        body = solution.locator(":scope > .jp-Cell").first
        summary = solution.locator(":scope > summary")
        assert summary.inner_text().strip() == "Solution" and not body.is_visible()
        if number % 2 == 0:
            summary.click()
        else:
            summary.focus()
            v.page.keyboard.press("Enter")
        assert solution.evaluate("d => d.open") and body.is_visible(), (path, number)
    summary.focus()
    v.page.keyboard.press("Enter")  # and closes again
    assert not solution.evaluate("d => d.open")
    assert not v.errors, v.errors
    v.page.evaluate(CLOSE_SOLUTIONS)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_open_solution_reads_in_both_palettes(tab, dark, scheme):
    v = tab("training.html").fresh() if scheme == "light" else dark("training.html")
    solution = v.page.locator("article details.linreg-solution").first
    solution.locator(":scope > summary").click()
    assert contrast(v.page, "article details.linreg-solution p") >= 4.5
    assert contrast(v.page, "article details.linreg-solution summary") >= 4.5
    code = "article details.linreg-solution .jp-OutputArea-output pre"
    if v.page.locator(code).count():
        assert contrast(v.page, code) >= 4.5
    v.page.evaluate(CLOSE_SOLUTIONS)
