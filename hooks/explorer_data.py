"""MkDocs hook: an explorer's runs in a script beside its page, not in the page.

`linreg.explorer` writes every run into its HTML (`data-explorer="{...}"`), so that a
notebook holds all it shows. On the site that would make the page several hundred KB of
escaped JSON. This hook moves each explorer's JSON into `<page>.explorer-<k>.js` beside the
page, a script that hands it to the site's explorer script by name, and leaves in the page
`data-explorer-id` and a deferred `<script src>`: the page stays light, and the data still
load from disk (file://), where a fetch() of a JSON file would be refused.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path, PurePosixPath

# The attribute in either quotes: an HTML serialiser may pick single quotes for JSON
BOX = re.compile(r"""<div class="linreg-explorer" data-explorer=(?:"([^"]*)"|'([^']*)')>""")


def data_script(key: str, spec: dict) -> str:
    """The script that hands `spec` to docs/javascripts/explorer.js under `key`."""
    text = json.dumps(spec, separators=(",", ":"), allow_nan=False)
    return (
        "// The explorer's runs, computed by linreg.explorer when the site was built.\n"
        f"(window.linregExplorers = window.linregExplorers || {{}})[{json.dumps(key)}] = {text};\n"
    )


def on_post_page(output, page, config):
    dest = PurePosixPath(page.file.dest_uri)
    count = 0

    def move(match: re.Match) -> str:
        nonlocal count
        count += 1
        spec = json.loads(html.unescape(match.group(1) or match.group(2)))
        name = f"{dest.stem}.explorer-{count}.js"
        key = f"{dest.stem}-{count}"
        path = Path(config["site_dir"]) / dest.parent / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data_script(key, spec), encoding="utf-8")
        return (
            f'<div class="linreg-explorer" data-explorer-id="{html.escape(key)}">'
            f'<script defer src="{html.escape(name)}"></script>'
        )

    output = BOX.sub(move, output)
    if "data-explorer=" in output:  # a new shape of the box: say so rather than ship it inline
        raise ValueError(f"{page.file.src_uri}: an explorer's data left in the page")
    return output
