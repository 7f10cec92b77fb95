"""The published figures are the guarded figures.

Every PNG embedded in the built site must match, within the image tests' tolerance, a
figure that `linreg.plots.site_figures` draws for the seed run, and each of those must
appear on the site. tests/test_figures.py compares those same drawings with the committed
baselines; so an intended change to a figure fails there alone, with the command that
accepts it, while a page that draws a figure some other way fails here.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from matplotlib.testing.compare import compare_images
from matplotlib.testing.exceptions import ImageComparisonFailure

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
def drawn(tmp_path_factory) -> list[Path]:
    """The site's figures as linreg.plots.site_figures draws them now, as PNG files."""
    folder = tmp_path_factory.mktemp("drawn")
    return [draw().save(folder / f"{name}.png") for name, draw in drawings(linreg.run()).items()]


@pytest.fixture(scope="module")
def tolerance(pytestconfig) -> float:
    """The image tests' own (pyproject.toml's mpl-default-tolerance)."""
    return float(pytestconfig.getini("mpl-default-tolerance"))


def matching(figure: Path, drawn: list[Path], tolerance: float) -> Path | None:
    for candidate in drawn:
        try:
            if compare_images(str(candidate), str(figure), tol=tolerance) is None:
                return candidate
        except ImageComparisonFailure:  # a different size: not this one
            continue
    return None


def test_every_site_figure_is_one_the_code_draws(built_site, drawn, tolerance, tmp_path):
    figures = site_figures(built_site, tmp_path)
    assert len(figures) >= len(drawn)
    unmatched = [where for where, path in figures if matching(path, drawn, tolerance) is None]
    assert not unmatched, (
        f"figures on the site that linreg.plots.site_figures does not draw: {unmatched}; "
        "draw every figure with the function site_figures names for it"
    )
    shown = {matching(path, drawn, tolerance).stem for _, path in figures}
    missing = {path.stem for path in drawn} - shown
    assert not missing, f"figures site_figures draws that the site does not show: {missing}"


def test_the_check_catches_a_figure_drawn_otherwise(drawn, tolerance, tmp_path):
    from linreg.plots import plot_data

    data = linreg.make_data(seed=7)  # not the site's data: no drawing of the run matches it
    png = base64.b64encode(plot_data(data.X, data.y).png()).decode()
    site = tmp_path / "site"
    site.mkdir()
    (site / "data.html").write_text(f'<img alt="x" src="data:image/png;base64,{png}">')
    (figure,) = site_figures(site, tmp_path)
    assert figure[0] == "data.html figure 1"
    assert matching(figure[1], drawn, tolerance) is None
