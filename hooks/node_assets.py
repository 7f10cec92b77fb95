"""MkDocs hook: serve the front-end files the site needs from the site itself, copied from
node_modules at build time: KaTeX (maths) and iframe-worker's shim, with which Material's
offline plugin runs search from disk (the plugin would load it from a CDN otherwise).

`npm ci` installs the pinned versions (package-lock.json); nothing of them is committed.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
# site path prefix -> (folder in node_modules, files wanted from it)
ASSETS = {
    "assets/katex/": (
        "katex/dist",
        ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "fonts/*"],
    ),
    "assets/iframe-worker/": ("iframe-worker/shim", ["index.js"]),
}


def on_files(files, config):
    for prefix, (folder, patterns) in ASSETS.items():
        source = NODE_MODULES / folder
        if not source.is_dir():
            raise PluginError(
                f"{source} is missing: run `npm ci` in the project root first "
                "(the README's set-up command does)."
            )
        for pattern in patterns:
            for path in sorted(source.glob(pattern)):
                uri = prefix + path.relative_to(source).as_posix()
                files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files
