"""The built site in a real browser: Debian's Chromium, driven by Playwright.

Marked `browser`: `pytest -m "not browser"` runs the fast tests alone. Without Chromium
these tests fail rather than skip, so CI cannot pass without running them.
Tests that only look at a page share one visit of it per width and palette (`look`);
tests that click, type or toggle open their own (`visit`). Screenshots for a reviewer's
eyes are a tool, not a test: tools/screenshots.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest
from paths import PAGES, visible_cells
from serve import serve
from sitebuild import run_mkdocs
from test_site import RAW_MARKUP

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# URL paths in the nav's order: the notebook pages, then the API reference
READING_ORDER = [f"{page}.html" for page in PAGES] + ["reference.html"]
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def server(built_site):
    """The built site on 127.0.0.1, on a free port, for the duration of this module."""
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get update && "
            "apt-get install -y chromium), as .ci/run does. Browser tests never skip."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Visit:
    """A page opened in a fresh context, with every request and console message recorded,
    once it has loaded (`until="networkidle"`: and no request for half a second more)."""

    def __init__(self, browser, server, path, width=1280, scheme="light", until="load"):
        self.server = server
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

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server):
    visits = []

    def open_page(path, **kwargs):
        visits.append(Visit(browser, server, path, **kwargs))
        return visits[-1]

    yield open_page
    for v in visits:
        v.close()


@pytest.fixture(scope="module")
def look(browser, server):
    """Visits shared by the tests that only read a page: one per page, width and palette,
    left open for the module. They wait for the network to be idle, so that a request or
    an error that comes after `load` (the search index, a late script) is recorded."""
    opened = {}

    def open_page(path, width=1280, scheme="light"):
        if (path, width, scheme) not in opened:
            opened[path, width, scheme] = Visit(browser, server, path, width, scheme, "networkidle")
        return opened[path, width, scheme]

    yield open_page
    for v in opened.values():
        v.close()


# --- every page --------------------------------------------------------------------------


@pytest.mark.parametrize("path", READING_ORDER)
def test_loads_cleanly_and_only_from_its_own_host(look, path):
    v = look(path)
    assert not v.errors, v.errors
    assert not v.failed, v.failed
    hosts = {urlparse(url).netloc for url in v.requests if not url.startswith("data:")}
    assert hosts == {urlparse(v.server).netloc}, hosts


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("path", READING_ORDER)
def test_images_load_and_nothing_overflows(look, path, width):
    v = look(path, width=width)
    broken = v.page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt)"
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
def test_maths_is_typeset(look, path):
    v = look(path)
    assert v.page.locator("article .katex").count() > 0
    assert v.page.locator("article .katex-error").count() == 0
    text = v.page.locator("article").inner_text()
    for raw in ["$$", "\\(", "\\[", "$\\", "\\frac"]:
        assert raw not in text, f"raw maths {raw!r} left on {path or 'home'}"


@pytest.mark.parametrize("path", READING_ORDER)
def test_no_raw_markup_in_what_the_browser_shows(look, path):
    v = look(path)
    text = v.page.evaluate(
        """() => {
        const article = document.querySelector('article').cloneNode(true);
        article.querySelectorAll('pre, code, .katex, script, style').forEach(e => e.remove());
        return article.textContent;
        }"""
    )
    found = [m.group(0).strip() for m in RAW_MARKUP.finditer(text)]
    assert not found, f"raw markup shown on {path}: {found}"


@pytest.mark.parametrize("path", READING_ORDER[:-1])
def test_copy_buttons_copy_exactly_each_cell(visit, path):
    v = visit(path)
    cells = visible_cells(path.removesuffix(".html"))
    buttons = v.page.locator(
        "article .jp-CodeCell .jp-InputArea .md-code__button[data-md-type=copy]"
    )
    assert buttons.count() == len(cells)
    for button, source in zip(buttons.all(), cells, strict=True):
        button.scroll_into_view_if_needed()
        button.click()
        assert v.page.evaluate("navigator.clipboard.readText()") == source
    # Every other block too (library code shown as an output, fenced code in the prose)
    # copies the code it shows, not its neighbour's.
    for pre in v.page.locator("article pre:has(> code)").all():
        pre.scroll_into_view_if_needed()
        pre.locator(".md-code__button[data-md-type=copy]").click()
        shown = pre.locator(":scope > code").text_content().rstrip("\n")
        assert v.page.evaluate("navigator.clipboard.readText()").rstrip("\n") == shown
    blocks = v.page.locator("article pre > code").count()
    assert v.page.locator("article .md-code__button[data-md-type=copy]").count() == blocks


@pytest.mark.parametrize("path", READING_ORDER[:-1])
def test_notebook_download_is_a_valid_notebook(look, path):
    v = look(path)
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
        let bg = el, back = null;
        while (bg) {
            const c = rgb(getComputedStyle(bg).backgroundColor);
            if (c.length < 4 || c[3] > 0) { back = c; break; }
            bg = bg.parentElement;
        }
        back = back || [255, 255, 255];
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
def test_palette_toggle_keeps_figures_and_outputs_visible(visit, path):
    v = visit(path)
    schemes = []
    for _ in range(2):
        scheme = v.page.get_attribute("body", "data-md-color-scheme")
        schemes.append(scheme)
        assert contrast(v.page, "article p") >= 4.5, scheme
        if v.page.locator("article .jp-OutputArea-output pre").count():
            assert contrast(v.page, "article .jp-OutputArea-output pre") >= 4.5, scheme
        for img in v.page.locator("article img").all():
            assert img.is_visible() and img.evaluate("i => i.naturalWidth") > 0
            # figures are drawn on white, so they read the same on the dark palette
            assert img.evaluate("i => getComputedStyle(i).opacity") == "1"
        v.page.locator("form[data-md-component=palette] label:visible").click()
        v.page.wait_for_function(f"document.body.dataset.mdColorScheme !== '{scheme}'")
    assert schemes == ["default", "slate"]


def test_a_dark_system_preference_opens_in_the_dark_palette(visit):
    v = visit("training.html", scheme="dark")
    assert v.page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert contrast(v.page, "article .jp-OutputArea-output pre") >= 4.5


# --- the whole site ----------------------------------------------------------------------


@pytest.mark.parametrize("word", ["gradient", "optimizer", "SGD"])
def test_search_typed_with_the_keyboard_finds_the_gradient_page(visit, word):
    v = visit("")
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


def test_navigation_follows_the_reading_order(visit):
    v = visit("index.html")
    sidebar = v.page.locator(".md-sidebar--primary .md-nav__link[href]")
    order = []
    for link in sidebar.all():
        url = urlparse(v.page.evaluate("a => a.href", link.element_handle())).path
        if url not in order:
            order.append(url)
    assert order == ["/" + p for p in READING_ORDER]
    visited = [urlparse(v.page.url).path]
    while v.page.locator("a.md-footer__link--next").count():
        v.page.locator("a.md-footer__link--next").click()
        v.page.wait_for_load_state()
        visited.append(urlparse(v.page.url).path)
    assert visited == ["/" + p for p in READING_ORDER]


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


@pytest.mark.parametrize("path", READING_ORDER[:-1])
def test_on_a_phone_figures_stay_legible_and_wide_maths_scrolls(look, path):
    v = look(path, width=390)
    for img in v.page.locator("article .jp-OutputArea-output img").all():
        img.scroll_into_view_if_needed()
        box = img.bounding_box()
        natural = img.evaluate("i => i.naturalWidth")
        assert box["width"] >= 0.75 * natural, (box, natural)  # 10 pt text at >= 7.5 pt
        container = img.evaluate(
            "i => { const c = i.parentElement; return [getComputedStyle(c).overflowX,"
            " c.scrollWidth > c.clientWidth]; }"
        )
        assert container[0] == "auto", container
    for block in v.page.locator("article .katex-display").all():
        wide, overflow, cue = block.evaluate(
            "e => [e.scrollWidth > e.clientWidth, getComputedStyle(e).overflowX,"
            " getComputedStyle(e).backgroundImage]"
        )
        if wide:
            assert overflow == "auto" and "gradient" in cue, (overflow, cue)
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_long_outputs_wrap_and_commands_clear_the_copy_button(look, width):
    v = look("training.html", width=width)
    for pre in v.page.locator("article .jp-RenderedText pre").all():
        assert pre.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), pre.inner_text()[:80]
    home = look("index.html", width=width)
    for code in home.page.locator("article pre > code").all():
        padding, button = code.evaluate(
            "c => [parseFloat(getComputedStyle(c).paddingRight),"
            " c.parentElement.querySelector('.md-code__nav')?.getBoundingClientRect().width ?? 0]"
        )
        assert padding >= button, (padding, button)
