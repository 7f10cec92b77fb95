"""Accessibility, measured by axe-core (pinned in package-lock.json, run in Chromium): no
serious and no critical violation on any page, in the light and the dark palette, on a
desktop and on a phone. Each page is loaded once and audited in its four views: at 1280 and
390 pixels in the light palette, then, with the system's preference and the palette toggle
both dark, at 390 and 1280. A module of its own, so that pytest-xdist runs it beside the
other browser tests rather than after them."""

from __future__ import annotations

import pytest
from paths import DOCUMENTS, PAGES, ROOT
from serve import serve

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
READING_ORDER = [*(f"{page}.html" for page in PAGES), *(f"{page}.html" for page in DOCUMENTS)]
WIDTHS = {"desktop": 1280, "phone": 390}
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


def violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each:
    the rule, how many elements, and the first of them with what is wrong."""
    return [
        f"{v['rule']} ({v['impact']}) on {len(v['nodes'])} element(s), e.g. {v['nodes'][0]}"
        for v in page.evaluate(AUDIT)
    ]


@pytest.mark.parametrize("path", READING_ORDER)
def test_axe_finds_no_serious_or_critical_violation(browser, server, path):
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900})
    page = context.new_page()
    page.goto(server + path)
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    found = {}
    for scheme, widths in [("light", ["desktop", "phone"]), ("dark", ["phone", "desktop"])]:
        if scheme == "dark":  # as a reader who prefers dark and one who toggles see it
            page.emulate_media(color_scheme="dark")
            page.locator("form[data-md-component=palette] label:visible").click()
            page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
        for width in widths:
            page.set_viewport_size({"width": WIDTHS[width], "height": 900})
            found[f"{scheme}, {width}"] = violations(page)
    context.close()
    problems = [f"{path} ({view}): {p}" for view, ps in found.items() for p in ps]
    assert not problems, "\n".join(problems)


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
