"""Screenshots of every page of a built site, in both palettes, at desktop and phone width.

For a reviewer's eyes, not a test: the browser tests check what can be checked (nothing
overflows, figures keep their size on a phone, maths is typeset, outputs stay visible in
both palettes); a picture shows what they cannot name. Build the site first, then:

    .venv/bin/python tools/screenshots.py [--site site] [--out screenshots]

Pages are opened from disk, in Debian's Chromium (/usr/bin/chromium), one browser context
per page, palette and width; each file is named <page>-<palette>-<width>.png.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_browser import CHROMIUM, FLAGS, READING_ORDER, WIDTHS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    arguments = parser.parse_args()
    if not (arguments.site / "index.html").is_file():
        sys.exit(f"no site at {arguments.site}: build it first (.venv/bin/mkdocs build --strict)")
    from playwright.sync_api import sync_playwright

    shutil.rmtree(arguments.out, ignore_errors=True)
    arguments.out.mkdir(parents=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for path in READING_ORDER:
            for scheme in ["light", "dark"]:
                for name, width in WIDTHS.items():
                    context = browser.new_context(
                        viewport={"width": width, "height": 900}, color_scheme=scheme
                    )
                    page = context.new_page()
                    page.goto((arguments.site / path).resolve().as_uri())
                    page.wait_for_load_state("load")
                    target = arguments.out / f"{path.removesuffix('.html')}-{scheme}-{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    context.close()
        browser.close()
    print(f"{len(list(arguments.out.glob('*.png')))} screenshots in {arguments.out}")


if __name__ == "__main__":
    main()
