"""The published figures are the guarded figures.

Every PNG the built site shows must be, byte for byte, a figure that
`linreg.plots.site_figures` draws for the seed run in this process, and each of those must
appear on the site. tests/test_figures.py compares those same drawings with the committed
baselines; so an intended change to a figure fails there alone, with the command that
accepts it, while a page that draws a figure some other way fails here. Byte identity
between the build's kernels and this process is also the test that the figures are
reproducible: no date, version or random state gets into a PNG.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

import linreg
from linreg.plots import site_figures as drawings

# A figure in a page: a PNG file beside it (hooks/figure_files.py), or embedded as base64
FIGURE = re.compile(r'<img\b[^>]*?\ssrc="(data:image/png;base64,[A-Za-z0-9+/=]+|[^":]+\.png)"')


def site_figures(site: Path, scratch: Path) -> list[tuple[str, Path]]:
    """Every PNG a page of the built site shows, embedded or a file it points to, copied to
    `scratch` byte for byte, with where it was."""
    figures = []
    for page in sorted(site.rglob("*.html")):
        for number, match in enumerate(FIGURE.finditer(page.read_text())):
            source = match[1]
            if source.startswith("data:"):
                data = base64.b64decode(source.split(",", 1)[1])
            else:
                data = (page.parent / source).read_bytes()
            path = scratch / f"{page.stem}-{number}.png"
            path.write_bytes(data)
            figures.append((f"{page.relative_to(site)} figure {number + 1}", path))
    return figures


@pytest.fixture(scope="module")
def drawn() -> dict[bytes, str]:
    """The site's figures as linreg.plots.site_figures draws them now: name by PNG bytes."""
    figures = drawings(linreg.run())
    pngs = {draw().png(): name for name, draw in figures.items()}
    assert len(pngs) == len(figures), "two figures are the same PNG: one would hide the other"
    return pngs


def test_every_site_figure_is_one_the_code_draws(built_site, drawn, tmp_path):
    figures = site_figures(built_site, tmp_path)
    assert len(figures) >= len(drawn)
    unmatched = [where for where, path in figures if path.read_bytes() not in drawn]
    assert not unmatched, (
        f"figures on the site that are not, byte for byte, one linreg.plots.site_figures "
        f"draws: {unmatched}; draw every figure with the function site_figures names for it"
    )
    shown = {drawn[path.read_bytes()] for _, path in figures}
    missing = set(drawn.values()) - shown
    assert not missing, f"figures site_figures draws that the site does not show: {missing}"


def test_the_check_catches_a_figure_drawn_otherwise(drawn, tmp_path):
    from linreg.plots import plot_data

    data = linreg.make_data(seed=7)  # not the site's data: no drawing of the run matches it
    png = base64.b64encode(plot_data(data.X, data.y).png()).decode()
    site = tmp_path / "site"
    site.mkdir()
    (site / "data.html").write_text(f'<img alt="x" src="data:image/png;base64,{png}">')
    (figure,) = site_figures(site, tmp_path)
    assert figure[0] == "data.html figure 1"
    assert figure[1].read_bytes() not in drawn
    # and the site's own figure, drawn again, is found
    png = base64.b64encode(drawings(linreg.run())["data"]().png()).decode()
    (site / "data.html").write_text(f'<img alt="x" src="data:image/png;base64,{png}">')
    (figure,) = site_figures(site, tmp_path)
    assert drawn[figure[1].read_bytes()] == "data"
