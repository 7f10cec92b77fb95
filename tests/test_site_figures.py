"""The published figures are the guarded figures.

Every PNG embedded in the built site must match a committed baseline within the image
tests' tolerance, and every baseline must appear on the site: a figure without a baseline
(or a baseline the site no longer shows) fails.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from matplotlib.testing.compare import compare_images
from matplotlib.testing.exceptions import ImageComparisonFailure
from paths import ROOT
from test_figures import TOLERANCE

BASELINES = sorted((ROOT / "tests" / "baseline").glob("*.png"))
EMBEDDED_PNG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def site_figures(site: Path, scratch: Path) -> list[tuple[str, Path]]:
    """Every PNG embedded in the site's pages, written to `scratch`, with where it was."""
    figures = []
    for page in sorted(site.rglob("*.html")):
        for number, match in enumerate(EMBEDDED_PNG.finditer(page.read_text())):
            path = scratch / f"{page.stem}-{number}.png"
            path.write_bytes(base64.b64decode(match[1]))
            figures.append((f"{page.relative_to(site)} figure {number + 1}", path))
    return figures


def matching_baseline(figure: Path) -> Path | None:
    for baseline in BASELINES:
        try:
            if compare_images(str(baseline), str(figure), tol=TOLERANCE) is None:
                return baseline
        except ImageComparisonFailure:  # a different size: not this baseline
            continue
    return None


def test_every_site_figure_matches_a_baseline(built_site, tmp_path):
    figures = site_figures(built_site, tmp_path)
    assert len(figures) >= len(BASELINES)
    unmatched = [where for where, path in figures if matching_baseline(path) is None]
    assert not unmatched, f"figures on the site with no baseline: {unmatched}"
    shown = {matching_baseline(path) for _, path in figures}
    assert shown == set(BASELINES), f"baselines the site does not show: {set(BASELINES) - shown}"


def test_the_check_catches_a_figure_without_baseline(tmp_path):
    import linreg
    from linreg.plots import plot_data

    data = linreg.make_data(seed=7)  # not the site's data: no baseline can match it
    png = base64.b64encode(plot_data(data.X, data.y).png()).decode()
    site = tmp_path / "site"
    site.mkdir()
    (site / "data.html").write_text(f'<img alt="x" src="data:image/png;base64,{png}">')
    (figure,) = site_figures(site, tmp_path)
    assert figure[0] == "data.html figure 1"
    assert matching_baseline(figure[1]) is None
