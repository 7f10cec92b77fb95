"""MkDocs hook: serve KaTeX from the site itself, copied from node_modules at build time.

`npm ci` installs the pinned version (package-lock.json); nothing of KaTeX is committed.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

DIST = Path(__file__).resolve().parent.parent / "node_modules" / "katex" / "dist"
WANTED = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "fonts/*"]


def on_files(files, config):
    if not (DIST / "katex.min.js").is_file():
        raise PluginError(
            f"KaTeX is missing from {DIST}: run `npm ci` in the project root first "
            "(the README's set-up command does)."
        )
    for pattern in WANTED:
        for path in sorted(DIST.glob(pattern)):
            uri = "assets/katex/" + path.relative_to(DIST).as_posix()
            files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files
