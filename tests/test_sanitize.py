"""The cleaning of notebook HTML (hooks/notebook_pages.py) against filter-evasion vectors.

The vectors follow the kinds of OWASP's XSS Filter Evasion Cheat Sheet, written here in
our own words. Each names, as `gone`, the part that must not survive the cleaning; the
browser test is the oracle: all of them, cleaned, in one page of Chromium, where none may
run a script, open a dialog, make a frame, load what it names or move the page, while the
same page uncleaned does each of those.
"""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from hooks_loaded import load_hook

notebook_pages = load_hook("notebook_pages")

PWN = "__pwned(1)"  # a vector that runs calls this (the browser test defines it)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


SCRIPT_PAGE = b64(f"<script>{PWN}</script>")
SVG_PAGE = f"<svg xmlns='http://www.w3.org/2000/svg' onload='{PWN}'/>"
SVG_B64 = b64(SVG_PAGE)

# kind/variant: (the vector, what must be gone from it once cleaned)
VECTORS = {
    # <script> itself, and markup a browser ends sooner than a lenient parser does
    "script/plain": (f"<script>{PWN}</script>", "<script"),
    "script/mixed-case-src": ("<ScRiPt SRC=/leak/script.js></sCrIpT>", "<script"),
    "script/slash-for-space": (f"<script/x>{PWN}</script>", "<script"),
    "script/extra-open-bracket": (f"<<script>{PWN}//<</script>", "<script"),
    "script/half-open": ("<script src=/leak/half.js <b>", "<script"),
    "script/in-svg": (f"<svg><script>{PWN}</script></svg>", "<script"),
    "script/empty-comment": (f"<!--><script>{PWN}</script>-->", "<script"),
    "script/bang-comment-end": (f"<!-- --!><script>{PWN}</script>-->", "<script"),
    "script/cdata-in-html": (f"<![CDATA[><script>{PWN}</script>]]>", "<script"),
    "script/conditional-comment": (f"<!--[if IE]><script>{PWN}</script><![endif]-->", "<!--"),
    # event-handler attributes, however written
    "handler/img-onerror": (f"<img src=/missing.png onerror={PWN}>", "onerror"),
    "handler/img-onerror-alert": ("<img src=/missing.png onerror=alert(1)>", "onerror"),
    "handler/uppercase": (f"<IMG SRC=/missing.png ONERROR={PWN}>", "onerror"),
    "handler/svg-onload": (f"<svg onload={PWN}></svg>", "onload"),
    "handler/details-ontoggle": (f"<details open ontoggle={PWN}>x</details>", "ontoggle"),
    "handler/autofocus-onfocus": (f"<input autofocus onfocus={PWN}>", "onfocus"),
    "handler/in-empty-comment": (f"<!--><img src=/missing.png onerror={PWN}>-->", "onerror"),
    "handler/svg-set-onclick": (
        f"<svg><set attributeName=onclick to={PWN} /><rect width=9 height=9 /></svg>",
        "<set",
    ),
    # script URLs, obfuscated with entities, whitespace, case and control characters
    "script-url/javascript": (f'<a href="javascript:{PWN}">x</a>', "href"),
    "script-url/alert": ('<a href="javascript:alert(1)">x</a>', "href"),
    "script-url/mixed-case": (f'<a href="JaVaScRiPt:{PWN}">x</a>', "href"),
    "script-url/decimal-entities": (
        f'<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{PWN}">x</a>',
        "href",
    ),
    "script-url/hex-entities-no-semicolon": (
        f'<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A{PWN}">x</a>',
        "href",
    ),
    "script-url/zero-padded-entities": (
        f'<a href="&#0000106&#0000097vascript&#0000058{PWN}">x</a>',
        "href",
    ),
    "script-url/named-colon": (f'<a href="javascript&colon;{PWN}">x</a>', "href"),
    "script-url/tab": (f'<a href="jav&#x09;ascript:{PWN}">x</a>', "href"),
    "script-url/newline": (f'<a href="jav&#x0A;ascript:{PWN}">x</a>', "href"),
    "script-url/carriage-return": (f'<a href="jav\rascript:{PWN}">x</a>', "href"),
    "script-url/leading-control": (f'<a href=" &#14; javascript:{PWN}">x</a>', "href"),
    "script-url/null-byte": (f'<a href="java\0script:{PWN}">x</a>', "href"),
    "script-url/vbscript": ('<a href="vbscript:msgbox(1)">x</a>', "href"),
    "script-url/livescript": (f'<a href="livescript:{PWN}">x</a>', "href"),
    "script-url/mocha": (f'<a href="mocha:{PWN}">x</a>', "href"),
    "script-url/img-src": (f'<img alt=x src="javascript:{PWN}">', "src"),
    "script-url/grave-accents": (f"<img alt=x src=`javascript:{PWN}`>", "src"),
    "script-url/srcset-entry": (f'<img alt=x srcset="a.png 1x, javascript:{PWN} 2x">', "srcset"),
    "script-url/video-poster": (f'<video poster="javascript:{PWN}"></video>', "poster"),
    "script-url/table-background": (f'<table background="javascript:{PWN}"></table>', "background"),
    "script-url/blockquote-cite": (f'<blockquote cite="livescript:{PWN}">q</blockquote>', "cite"),
    # data: URLs of every type that can hold a script (only raster images may stay)
    "data-url/text-html": (f'<a href="data:text/html,<script>{PWN}</script>">x</a>', "href"),
    "data-url/text-html-base64": (f'<a href="data:text/html;base64,{SCRIPT_PAGE}">x</a>', "href"),
    "data-url/spaced-uppercase": (
        f'<a href=" DATA:TEXT/HTML,<script>{PWN}</script>">x</a>',
        "href",
    ),
    "data-url/svg": (f'<a href="data:image/svg+xml;base64,{SVG_B64}">x</a>', "href"),
    "data-url/svg-image": (f'<img alt=x src="data:image/svg+xml,{SVG_PAGE}">', "svg"),
    "data-url/xhtml": (
        f'<a href="data:application/xhtml+xml;base64,{SCRIPT_PAGE}">x</a>',
        "href",
    ),
    "data-url/xml": (f'<a href="data:text/xml;base64,{SVG_B64}">x</a>', "href"),
    "data-url/javascript": (f'<a href="data:text/javascript,{PWN}">x</a>', "href"),
    "data-url/no-type": (f'<a href="data:,{PWN}">x</a>', "href"),
    # frames: their own document, from srcdoc or src
    "frame/srcdoc": (f'<iframe srcdoc="&lt;script&gt;{PWN}&lt;/script&gt;"></iframe>', "srcdoc"),
    "frame/srcdoc-uppercase": (
        f'<IFRAME SRCDOC="&lt;img src=x onerror={PWN}&gt;"></IFRAME>',
        "srcdoc",
    ),
    "frame/javascript-src": (f'<iframe src="javascript:{PWN}"></iframe>', "<iframe"),
    "frame/data-svg-src": (
        f'<iframe src="data:image/svg+xml;base64,{SVG_B64}"></iframe>',
        "<iframe",
    ),
    "frame/data-html-src": (
        f'<iframe src="data:text/html;base64,{SCRIPT_PAGE}"></iframe>',
        "<iframe",
    ),
    "frame/http-src": ('<iframe src="/leak/frame.html"></iframe>', "<iframe"),
    "frame/frameset": (f'<frameset><frame src="javascript:{PWN}"></frameset>', "<frame"),
    "frame/portal": ('<portal src="/leak/portal.html"></portal>', "<portal"),
    # object, embed, applet: plugins and documents inside the page
    "embed/object-html": (
        f'<object data="data:text/html;base64,{SCRIPT_PAGE}"></object>',
        "<object",
    ),
    "embed/object-xhtml": (
        '<object type="application/xhtml+xml" '
        f'data="data:application/xhtml+xml;base64,{SCRIPT_PAGE}"></object>',
        "<object",
    ),
    "embed/object-remote": ('<object data="/leak/object.html"></object>', "<object"),
    "embed/object-param": (
        f'<object><param name=src value="javascript:{PWN}"></object>',
        "<object",
    ),
    "embed/embed-svg": (f'<embed src="data:image/svg+xml;base64,{SVG_B64}">', "<embed"),
    "embed/embed-remote": ('<embed src="/leak/embed.swf">', "<embed"),
    "embed/applet": ('<applet code="X.class" codebase="/leak/applet/"></applet>', "<applet"),
    # <base>: every relative link and source of the page resolved elsewhere
    "base/elsewhere": ('<base href="https://evil.test/">', "<base"),
    "base/javascript": (f'<base href="javascript:{PWN}//">', "<base"),
    # <meta>: refresh to another URL, or the page read in another charset
    "meta/refresh-javascript": (
        f'<meta http-equiv="refresh" content="0;url=javascript:{PWN}">',
        "<meta",
    ),
    "meta/refresh-data": (
        f'<meta http-equiv="refresh" content="0; URL=data:text/html;base64,{SCRIPT_PAGE}">',
        "<meta",
    ),
    "meta/refresh-elsewhere": (
        '<meta http-equiv="refresh" content="1;url=/leak/refresh">',
        "<meta",
    ),
    "meta/charset": ('<meta charset="utf-7">', "<meta"),
    # SVG: links, animations that rewrite them, and documents it pulls in
    "svg/xlink-href": (
        f'<svg><a xlink:href="javascript:{PWN}"><text y=20>x</text></a></svg>',
        "xlink:href",
    ),
    "svg/animate-values": (
        f'<svg><a><animate attributeName=href values="/ok;javascript:{PWN}" />'
        "<text y=20>x</text></a></svg>",
        "<animate",
    ),
    "svg/set-to": (
        f'<svg><a><set attributeName=href to="javascript:{PWN}" /><text y=20>x</text></a></svg>',
        "<set",
    ),
    "svg/animate-from-by": (
        f'<svg><a><animate attributeName=href from="javascript:{PWN}" by="1" />'
        "<text y=20>x</text></a></svg>",
        "<animate",
    ),
    "svg/use-data": (f'<svg><use href="data:image/svg+xml;base64,{SVG_B64}#x" /></svg>', "href"),
    "svg/foreign-object": (
        f'<svg><foreignObject><iframe srcdoc="&lt;script&gt;{PWN}&lt;/script&gt;"></iframe>'
        "</foreignObject></svg>",
        "<iframe",
    ),
    "svg/style": ("<svg><style>@import url(/leak/svg.css);</style></svg>", "<style"),
    # MathML: links on any element, and its parsing quirks
    "mathml/href": (f'<math href="javascript:{PWN}"><mi>x</mi></math>', "href"),
    "mathml/maction": (
        f'<math><maction actiontype="statusline" xlink:href="javascript:{PWN}">'
        "<mtext>x</mtext></maction></math>",
        "href",
    ),
    "mathml/data-href": (f'<math><mi href="data:text/xml;base64,{SVG_B64}">x</mi></math>', "href"),
    "mathml/mglyph-style": (
        "<math><mtext><table><mglyph><style><!--</style>"
        f'<img alt=x title="--&gt;&lt;img src=x onerror={PWN}&gt;">'
        "</mglyph></table></mtext></math>",
        "<style",
    ),
    # CSS: style elements and links, and style attributes that load or run something
    "css/style-element": ("<style>p { background: url(/leak/style.png) }</style>", "<style"),
    "css/style-import": ('<style>@import "/leak/import.css";</style>', "<style"),
    "css/link-stylesheet": ('<link rel="stylesheet" href="/leak/link.css">', "<link"),
    "css/url-javascript": (
        f'<div style="background-image: url(javascript:{PWN})">x</div>',
        "style",
    ),
    "css/url-remote": ('<div style="background: url(/leak/background.png)">x</div>', "style"),
    "css/escaped-url": (r'<div style="background: \75 rl(/leak/escaped.png)">x</div>', "style"),
    "css/image-set": ("<div style=\"background: image-set('/leak/set.png' 1x)\">x</div>", "style"),
    "css/expression": (f'<div style="width: expression({PWN})">x</div>', "style"),
    "css/expression-comment": (f'<div style="width: expr/*x*/ession({PWN})">x</div>', "style"),
    "css/import-attribute": ("<div style=\"@import '/leak/attribute.css'\">x</div>", "style"),
    "css/behavior": ('<div style="behavior: url(/leak/x.htc)">x</div>', "style"),
    "css/moz-binding": ('<div style="-moz-binding: url(/leak/x.xml#x)">x</div>', "style"),
    # forms: where they send the reader
    "form/action": (f'<form action="javascript:{PWN}"><button>go</button></form>', "action"),
    "form/formaction": (
        f'<form><button formaction="javascript:{PWN}">go</button></form>',
        "formaction",
    ),
    "form/action-xhtml": (
        f'<form action="data:application/xhtml+xml;base64,{SCRIPT_PAGE}"><button>go</button>'
        "</form>",
        "action",
    ),
    "form/input-image": (
        f'<form><input type=image alt=go formaction="vbscript:{PWN}"></form>',
        "formaction",
    ),
    "form/isindex": (f'<isindex type=image action="javascript:{PWN}">', "action"),
    # malformed markup: where a lenient parser and a browser disagree
    "malformed/quote-breakout": (f'<img """><script>{PWN}</script>">', "<script"),
    "malformed/attribute-name-quote": (f'<img alt=x src=x a"onerror={PWN}>', "onerror"),
    "malformed/noscript-title": (
        f'<noscript><p title="</noscript><img src=x onerror={PWN}>"></noscript>',
        "<noscript",
    ),
    "malformed/xmp": (f"<xmp><p title='</xmp><img src=x onerror={PWN}>'></xmp>", "<xmp"),
    "malformed/processing-instruction": (f"<?xml-stylesheet href='/leak/pi.xsl'?>{PWN}", "<?"),
    "malformed/plaintext": ("<plaintext>the rest of the page as text", "<plaintext"),
}


def cleaned(html: str) -> str:
    """The HTML as a page keeps it, after hooks/notebook_pages.py's cleaning."""
    soup = BeautifulSoup(html, "html.parser")
    notebook_pages.clean(soup)
    return str(soup)


@pytest.mark.parametrize(("vector", "gone"), VECTORS.values(), ids=VECTORS.keys())
def test_the_cleaning_removes(vector, gone):
    assert gone.lower() not in cleaned(vector).lower()


# What the site's own pages hold, as nbconvert and linreg.explorer write it.
OWN = (
    '<div class="jp-Cell jp-CodeCell" id="cell-id=1a2b"><div class="highlight-ipynb">'
    '<pre><span class="n">loss</span> <span class="o">=</span> <span class="mi">1</span></pre>'
    '</div><div class="jp-OutputArea-output" data-mime-type="image/png" tabindex="0">'
    '<img alt="The data: a line through noisy points" src="data:image/png;base64,iVBORw0KGgo="/>'
    "</div></div>"
    '<div class="linreg-explorer" data-explorer=\'{"lr": [0.1, 1.05], "note": "a:b &lt;c&gt;"}\'>'
    '<img alt="Three runs" src="data:image/jpeg;base64,/9j/4AAQ"/></div>'
    '<p>Read <a href="loss.html#the-loss">the loss</a>, <a href="#top">this page</a>, '
    '<a href="https://pytorch.org/docs/stable/">PyTorch</a>, '
    '<a href="mailto:linreg@example.org">us</a>, '
    '<a download="" href="data.ipynb">the notebook</a>.</p>'
    "<p>$\\hat{y} = Xw + b$ and \\(x^2\\)</p>"
    '<table><tr><td style="text-align: right; color: rgb(0, 0, 0)">1</td></tr></table>'
    '<details class="linreg-solution success"><summary>Solution</summary><p>16</p></details>'
)


def test_the_cleaning_keeps_what_the_pages_hold():
    assert cleaned(OWN) == str(BeautifulSoup(OWN, "html.parser"))


def test_lean_page_cleans_the_cells(tmp_path):
    source = tmp_path / "page.py"
    source.write_text("# %% [markdown]\n# A page\n")
    page = SimpleNamespace(file=SimpleNamespace(src_uri="page.py", abs_src_path=str(source)))
    kinds = ["frame/srcdoc", "script/empty-comment", "meta/refresh-javascript", "css/url-remote"]
    cell = "".join(VECTORS[kind][0] for kind in kinds)
    html, _ = notebook_pages.lean_page(f'<div class="jp-Cell">{cell}</div>', page)
    for kind in kinds:
        assert VECTORS[kind][1] not in html, kind


# -- the oracle: the vectors in Chromium -----------------------------------------------

ORIGIN = "http://sanitize.test"  # the test serves it itself (Playwright's routing): no network
CLICK_LINKS = """() => {
    for (const link of document.querySelectorAll("a, area, [href]"))
        link.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
}"""  # links only: a form without an action, once cleaned, would rightly submit to itself


def what_it_did(browser, body: str) -> tuple[dict[str, list], list[str]]:
    """Load `body` as a page, click every link in it, and say what happened (calls to
    __pwned by frame, dialogs, frames made, loads of /leak/..., navigations) and the ids of
    the body's <div>s as the browser parsed them."""
    context = browser.new_context()
    page = context.new_page()
    did = {"ran": [], "dialogs": [], "frames": [], "loaded": [], "navigated": []}
    page.expose_binding("__pwned", lambda source, *args: did["ran"].append(source["frame"].url))
    page.on("dialog", lambda dialog: (did["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("frameattached", lambda frame: did["frames"].append(frame))

    def serve(route):
        url = route.request.url
        if url == f"{ORIGIN}/":
            route.fulfill(content_type="text/html; charset=utf-8", body=body)
            return
        if route.request.is_navigation_request():
            did["navigated"].append(url)
        elif "/leak/" in url:
            did["loaded"].append(url)
        route.fulfill(status=404, body="")

    context.route("**/*", serve)
    try:
        page.goto(f"{ORIGIN}/")
        divs = page.evaluate("[...document.querySelectorAll('body > div')].map(div => div.id)")
        if page.evaluate("document.baseURI") != f"{ORIGIN}/":
            did["navigated"].append(f"<base> {page.evaluate('document.baseURI')}")
        page.evaluate(CLICK_LINKS)
        page.wait_for_timeout(1500)  # a refresh after 1 s, late loads and handlers
        if page.url != f"{ORIGIN}/":
            did["navigated"].append(page.url)
        did["frames"] = [frame.url or "(no URL yet)" for frame in did["frames"]]
    finally:
        context.close()
    return did, divs


def page_of(divs: dict[str, str]) -> str:
    """An HTML page of one <div> for each piece of HTML, its id the key."""
    body = "\n".join(f'<div id="{key}">{html}</div>' for key, html in divs.items())
    return f"<!doctype html><html><head><title>vectors</title></head><body>{body}</body></html>"


@pytest.mark.browser
def test_no_vector_does_anything_in_a_browser_once_cleaned(browser):
    did, divs = what_it_did(browser, page_of({k: cleaned(v) for k, (v, _) in VECTORS.items()}))
    assert did == {"ran": [], "dialogs": [], "frames": [], "loaded": [], "navigated": []}
    assert divs == list(VECTORS)  # each vector parsed on its own: none hid those after it


@pytest.mark.browser
def test_uncleaned_the_vectors_do_run_so_the_oracle_can_fail(browser):
    # Not <plaintext>, which turns the rest of the page into text.
    raw = {k: v for k, (v, _) in VECTORS.items() if k != "malformed/plaintext"}
    did, _ = what_it_did(browser, page_of(raw))
    assert all(did.values()), did  # each kind of harm, at least once
