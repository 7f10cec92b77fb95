"""MkDocs hook: each figure a file beside its page, not base64 inside it.

An executed page's figures arrive as `<img src="data:image/png;base64,...">`, which is what
a notebook holds. On the site that puts every figure's bytes, a third larger, into the
page, and a reader downloads them all before the text. This hook writes each PNG, byte for
byte, to `<page>.figure-<k>.png` beside the page and points the `<img>` at it, with its
width and height (read from the PNG, so the page does not jump as it loads) and
`loading="lazy"` (a figure far down the page loads as the reader gets near it).
"""

from __future__ import annotations

import base64
import html
import re
import struct
from pathlib import Path, PurePosixPath

FIGURE = re.compile(r'<img\b([^>]*?)\ssrc="data:image/png;base64,([A-Za-z0-9+/=]+)"([^>]*?)/?>')
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height in a PNG's header (its first chunk, IHDR)."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def on_post_page(output, page, config):
    dest = PurePosixPath(page.file.dest_uri)
    count = 0

    def move(match: re.Match) -> str:
        nonlocal count
        before, encoded, after = match.groups()
        data = base64.b64decode(encoded)
        width, height = png_size(data)
        count += 1
        name = f"{dest.stem}.figure-{count}.png"
        path = Path(config["site_dir"]) / dest.parent / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return (
            f'<img{before} src="{html.escape(name)}" width="{width}" height="{height}" '
            f'loading="lazy" decoding="async"{after}>'
        )

    return FIGURE.sub(move, output)
