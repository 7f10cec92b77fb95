"""Accessibility, measured by axe-core (pinned in package-lock.json, run in Chromium): no
serious and no critical violation on any page, in the light and the dark palette, on a
desktop and on a phone. A module of its own, so that pytest-xdist runs it beside the other
browser tests rather than after them."""

from __future__ import annotations

import pytest
from paths import DOCUMENTS, PAGES, ROOT
from serve import serve

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
READING_ORDER = [*(f"{page}.html" for page in PAGES), *(f"{page}.html" for page in DOCUMENTS)]
VIEWS = {
    f"{scheme}-{name}": (scheme, width)
    for scheme in ("light", "dark")
    for name, width in (("desktop", 1280), ("phone", 390))
}
# The page as axe-core sees it, once its maths is typeset and its fonts have loaded (a
# formula's width, and so whether it scrolls, depends on them)
AUDIT = """async () => {
    await document.fonts.ready;
    await new Promise(requestAnimationFrame);
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
        .filter(v => v.impact === "serious" || v.impact === "critical")
        .map(v => ({
            rule: v.id,
            impact: v.impact,
            nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary.split("\\n")[1]),
        }));
}"""


@pytest.fixture(scope="module")
def server(built_site):
    with serve(built_site) as url:
        yield url


def violations(page, url: str) -> list[str]:
    """axe-core's serious and critical violations on `url`, one line each: the rule, how
    many elements, and the first of them with what is wrong."""
    page.goto(url)
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(AUDIT)
    return [
        f"{v['rule']} ({v['impact']}) on {len(v['nodes'])} element(s), e.g. {v['nodes'][0]}"
        for v in found
    ]


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
def test_axe_finds_no_serious_or_critical_violation(browser, server, view):
    scheme, width = view
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    for path in READING_ORDER:
        if problems := violations(page, server + path):
            found[path] = problems
    context.close()
    assert not found, "\n".join(f"{path}: {p}" for path, ps in found.items() for p in ps)


def test_axe_finds_what_it_is_here_to_find(browser, server):
    """The audit bites: a page with a link told only by its colour, an unnamed dialog and
    grey text too faint fails it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + "training.html")
    page.wait_for_load_state("load")
    page.add_style_tag(content=".md-typeset a { text-decoration: none !important; }")
    page.evaluate("document.querySelector('.md-search').removeAttribute('aria-label')")
    page.evaluate(
        "document.querySelector('article p').insertAdjacentHTML('beforeend',"
        " '<span style=\"color:#999\">faint</span>')"
    )
    page.add_script_tag(path=str(AXE))
    rules = {v["rule"] for v in page.evaluate(AUDIT)}
    context.close()
    assert {"link-in-text-block", "aria-dialog-name", "color-contrast"} <= rules, rules
