"""The learning-rate explorer: gradient descent run at many learning rates, for a slider.

`explore` trains from the same start at each learning rate (and each momentum, if given)
with the bare loops (`linreg.training.train`, or the Momentum page's `train_momentum`, so a
run above the stability bound keeps going and shows its divergence instead of stopping at
the first rise as `fit` does) and keeps every epoch's W, b and loss. `together` puts the
explorers of several data sets in one, with a choice between them. Shown in a notebook, an
explorer is a static figure of some of the runs; on the tutorial's site, the site's own
script (docs/javascripts/explorer.js) reads the runs and draws the path and the loss of
the one the sliders pick. Every number it shows is one computed here, at build time.
"""

from __future__ import annotations

import html
import itertools
import json
import math
from dataclasses import dataclass, field

import contourpy
import torch
from matplotlib.ticker import MaxNLocator
from torch import Tensor

from linreg import checks
from linreg.curvature import curvature
from linreg.model import LinearModel
from linreg.pages.large_data import moments_loss
from linreg.pages.loss import mse_loss
from linreg.pages.momentum import train_momentum
from linreg.plots import DescribedFigure, contour_levels, lr_text, plot_landscape, view_box
from linreg.reference import least_squares
from linreg.settings import DEFAULTS
from linreg.statistics import moments
from linreg.training import History, train

PANEL = (480, 330)  # each panel's size in the SVG's own units (about px on a desktop)
PLOT = (58, 12, 410, 270)  # the plotting area in a panel: left, top, width, height
DIGITS = 6  # significant digits kept of each number: the page's JSON stays small
# The site holds every epoch of every run as JSON: these keep it to a few hundred KB.
MAX_RUNS, MAX_EPOCHS, MAX_STEPS = 200, 1000, 20_000  # MAX_STEPS: runs times epochs
MAX_BOUNDS = 10  # lrs up to this many times the stability bound: beyond, runs overflow at once


@dataclass
class Explorer:
    """Runs at many learning rates, and what the page needs to draw them."""

    histories: list[History] = field(repr=False)
    """One run per momentum and learning rate, momentum by momentum (all lrs at the first
    momentum, then at the next): the loss, W and b before each epoch, and the final W, b."""
    shown: tuple[float, ...]
    """The learning rates of the runs drawn in the static figure."""
    start: float
    """The learning rate the slider starts at."""
    spec: dict = field(repr=False)
    """Everything the page's script draws, as JSON-ready values."""
    data: tuple[Tensor, Tensor, float | None, float | None] = field(repr=False)
    """X, y, true_W and true_b, for the static figure."""
    momenta: tuple[float, ...] = (0.0,)
    """The momenta of the runs (0: plain gradient descent)."""

    def runs(self, momentum: float | None = None) -> list[History]:
        """The runs at one of `momenta` (by default the first), one per lr, in order."""
        momentum = self.momenta[0] if momentum is None else momentum
        if momentum not in self.momenta:
            raise checks.ArgumentError(
                "momentum", f"momentum must be one of {self.momenta}; got {momentum!r}."
            )
        per = len(self.histories) // len(self.momenta)
        first = self.momenta.index(momentum) * per
        return self.histories[first : first + per]

    def __repr__(self) -> str:
        lrs = [h.lr for h in self.runs()]
        listed = ", ".join(map(str, self.momenta))
        momenta = "" if self.momenta == (0.0,) else f", momentum {listed}"
        return (
            f"<Explorer of {len(self.histories)} runs, lr from {lrs[0]:g} to {lrs[-1]:g}"
            f"{momenta}, starting at {self.start:g}. In Jupyter or on the site it shows as a "
            "figure (.figure()).>"
        )

    def figure(self) -> DescribedFigure:
        """The static figure: the paths of the runs at `shown` on the loss landscape."""
        X, y, true_W, true_b = self.data
        runs = [h for h in self.runs() if h.lr in self.shown]
        return plot_landscape(X, y, *runs, true_W=true_W, true_b=true_b)

    def _repr_html_(self) -> str:
        return _box(self.spec, self, f"a slider here picks any of the {len(self.histories)} runs")


@dataclass
class Explorers:
    """The explorers of several data sets, shown as one with a choice of data set."""

    explorers: dict[str, Explorer]
    """Each data set's name, as the choice shows it, and its explorer; the first shows first."""

    def __repr__(self) -> str:
        return f"<Explorers of {', '.join(self.explorers)}: {list(self.explorers.values())}>"

    def figure(self) -> DescribedFigure:
        """The first data set's static figure."""
        return next(iter(self.explorers.values())).figure()

    def _repr_html_(self) -> str:
        sets = [{"name": name, **e.spec} for name, e in self.explorers.items()]
        runs = sum(len(e.histories) for e in self.explorers.values())
        first = next(iter(self.explorers))
        return _box(
            {"sets": sets},
            next(iter(self.explorers.values())),
            f"a menu here picks the data ({' or '.join(self.explorers)}), and sliders any "
            f"of the {runs} runs; it draws the run's path and its loss. The figure is of "
            f"{first}",
        )


def together(explorers: dict[str, Explorer]) -> Explorers:
    """One explorer with a choice of data set: `explorers` maps each data set's name (as the
    choice shows it, such as "the valley") to its `explore(...)`."""
    if (
        not isinstance(explorers, dict)
        or not explorers
        or not all(isinstance(k, str) and k for k in explorers)
        or not all(isinstance(e, Explorer) for e in explorers.values())
    ):
        raise checks.ArgumentTypeError(
            "explorers",
            "explorers must map names to explorers, such as {'the round bowl': explore(X, y, "
            f"lrs), 'the valley': explore(X2, y2, lrs2)}}; got {explorers!r}.",
        )
    return Explorers(dict(explorers))


def _box(spec: dict, explorer: Explorer, what: str) -> str:
    """The explorer's HTML: its runs as JSON, and the static figure with a note for readers
    whose browser does not run the site's script (and for notebooks)."""
    # allow_nan=False: a NaN or an infinity would make the page's JSON invalid
    text = json.dumps(spec, separators=(",", ":"), allow_nan=False)
    shown = ", ".join(lr_text(lr, explorer.shown) for lr in explorer.shown)  # as the legend
    return (
        f'<div class="linreg-explorer" data-explorer="{html.escape(text, quote=True)}">'
        f"{explorer.figure()._repr_html_()}"
        f'<p class="linreg-explorer-note">This figure shows the runs at lr = {shown}. '
        f"On the tutorial's site, where its script runs, {what}.</p></div>"
    )


def explore(
    X: Tensor,
    y: Tensor,
    lrs: list[float],
    *,
    momenta: tuple[float, ...] = (0.0,),
    num_epochs: int = DEFAULTS.num_epochs,
    W0: float = DEFAULTS.W0,
    b0: float = DEFAULTS.b0,
    true_W: float | None = None,
    true_b: float | None = None,
    start: float | None = None,
    shown: tuple[float, ...] | None = None,
) -> Explorer:
    """Train from (W0, b0) for `num_epochs` epochs at each of `lrs` and each of `momenta`
    (heavy-ball momentum, as on the Momentum page; 0 is plain gradient descent), for the
    explorer.

    The lr slider starts at `start` (by default the lr in `lrs` nearest `DEFAULTS.lr`), the
    momentum slider at the first of `momenta`; the static figure shows the runs at `shown`
    (by default `start` alone) with the first momentum. Both must be among `lrs`. A run
    whose numbers overflow stops there. Refuses, naming the argument, anything that is not
    finite, more than MAX_RUNS runs, MAX_EPOCHS epochs or MAX_STEPS steps in all (the site
    holds every number as JSON), a momentum outside [0, 1), and lrs above MAX_BOUNDS
    times the stability bound.
    """
    if not isinstance(lrs, list | tuple) or not 0 < len(lrs) <= MAX_RUNS:
        raise checks.ArgumentError(
            "lrs", f"lrs must be a list of 1 to {MAX_RUNS} learning rates; got {lrs!r}."
        )
    lrs = [checks.learning_rate(lr, "lrs") for lr in lrs]
    if sorted(set(lrs)) != lrs:
        raise checks.ArgumentError("lrs", f"lrs must be increasing, with no repeats; got {lrs}.")
    if not isinstance(momenta, list | tuple) or not momenta:
        raise checks.ArgumentTypeError(
            "momenta", f"momenta must be a tuple of momenta, such as (0.0, 0.9); got {momenta!r}."
        )
    momenta = [checks.finite_number(m, "momenta", "0.9") for m in momenta]
    if sorted(set(momenta)) != momenta or not (0 <= momenta[0] and momenta[-1] < 1):
        raise checks.ArgumentError(
            "momenta",
            f"momenta must be increasing, with no repeats, from 0 up to below 1; got {momenta}.",
        )
    if len(lrs) * len(momenta) > MAX_RUNS:
        raise checks.ArgumentError(
            "lrs",
            f"{len(lrs)} lrs times {len(momenta)} momenta make {len(lrs) * len(momenta)} "
            f"runs, more than {MAX_RUNS}: pass fewer lrs or momenta.",
        )
    if start is None:
        start = min(lrs, key=lambda lr: abs(lr - DEFAULTS.lr))
    start = _among(lrs, start, "start")
    if shown is not None and not isinstance(shown, list | tuple):
        raise checks.ArgumentTypeError(
            "shown", f"shown must be a tuple of lrs to draw, such as (0.1, 0.5); got {shown!r}."
        )
    shown = tuple(_among(lrs, lr, "shown") for lr in (shown or (start,)))
    num_epochs = checks.whole_number(num_epochs, "num_epochs", 1, DEFAULTS.num_epochs, MAX_EPOCHS)
    if num_epochs * len(lrs) * len(momenta) > MAX_STEPS:
        raise checks.ArgumentError(
            "num_epochs",
            f"{num_epochs} epochs of {len(lrs) * len(momenta)} runs make more than "
            f"{MAX_STEPS} steps for the site to hold: pass at most "
            f"{MAX_STEPS // (len(lrs) * len(momenta))} epochs, or fewer runs.",
        )
    W0, b0 = checks.finite_number(W0, "W0", "16.0"), checks.finite_number(b0, "b0", "10.0")
    if (true_W is None) != (true_b is None):
        raise checks.ArgumentError(
            "true_b" if true_b is None else "true_W",
            "pass both true_W and true_b (the line the data were drawn from), or neither.",
        )
    if true_W is not None:
        true_W = checks.finite_number(true_W, "true_W", "3.0")
        true_b = checks.finite_number(true_b, "true_b", "0.5")
    for name, value in (("W0", W0), ("b0", b0)):
        checks.representable(value, name, checks.dtype_of(X))
    probe = LinearModel.like(X, W=W0, b=b0)
    X, y = checks.model_data(probe, X, y)
    x_squares, y_squares = checks.within_range(X, "X"), checks.within_range(y, "y")
    bound = curvature(X).bound
    if lrs[-1] > MAX_BOUNDS * bound:
        raise checks.ArgumentError(
            "lrs",
            f"lrs go up to {lrs[-1]:g}, more than {MAX_BOUNDS} times this data's stability "
            f"bound {bound:.4g}: such runs overflow within a step or two and show nothing "
            f"new. Keep lrs below {MAX_BOUNDS * bound:.4g}.",
        )

    histories, finals = [], []
    for momentum, lr in itertools.product(momenta, lrs):  # momentum by momentum
        model = LinearModel.like(X, W=W0, b=b0)
        history = History(lr=lr)
        steps = (
            train_momentum(model, X, y, lr, momentum, num_epochs)
            if momentum
            else train(model, X, y, lr, num_epochs)
        )
        for loss, W, b in steps:
            if not math.isfinite(loss):
                break
            history.losses.append(loss)
            history.Ws.append(W)
            history.bs.append(b)
        if not history.losses:  # the first loss overflowed: name its largest term
            terms = {"y": y_squares, "W0": W0 * W0 * x_squares, "b0": b0 * b0 * len(X)}
            name = max(terms, key=terms.__getitem__)
            raise checks.ArgumentError(
                name,
                f"the loss at the start, W0={W0:g}, b0={b0:g}, overflows {X.dtype}, and "
                f"{name} is its largest term: "
                + ("rescale y, or use float64 data." if name == "y" else f"pass a smaller {name}."),
            )
        history.W, history.b = model.W.item(), model.b.item()
        with torch.no_grad():
            finals.append(mse_loss(model(X), y).item())
        histories.append(history)

    c = curvature(X)
    W_best, b_best = least_squares(X, y)
    best_loss = mse_loss(W_best * X + b_best, y).item()
    true = (true_W, true_b) if true_W is not None and true_b is not None else None
    stable = [h for h in histories[: len(lrs)] if h.lr < c.bound]  # at the first momentum
    box = view_box([(W_best, b_best), *([true] if true else [])], stable)
    view, ticks = _view(box)
    runs = []
    kinds = itertools.product(momenta, lrs)
    for (momentum, _), history, final in zip(kinds, histories, finals, strict=True):
        path = [*zip(history.Ws, history.bs, strict=True), (history.W, history.b)]
        losses = [*history.losses, final]
        keep = len(history.losses) + (1 if math.isfinite(final) else 0)
        runs.append(
            {
                "lr": history.lr,
                "momentum": momentum,
                "W": [_short(W) for W, _ in path[:keep]],
                "b": [_short(b) for _, b in path[:keep]],
                "loss": [_short(v) for v in losses[:keep]],
                **_factors(c, history.lr, momentum),
            }
        )
    spec = {
        "panel": PANEL,
        "plot": PLOT,
        "start": lrs.index(start),
        "epochs": num_epochs,
        "lrs": lrs,
        "momenta": momenta,
        "lr_decimals": _decimals(lrs),
        "momentum_decimals": _decimals(momenta),
        "bound": _short(c.bound),
        "bounds": [_short((1 + m) * c.bound) for m in momenta],
        "optimum": [_short(W_best), _short(b_best)],
        "best_loss": _short(best_loss),
        "true": list(true) if true else None,
        "view": view,
        "ticks": ticks,
        "contours": _contours(X, y, view, best_loss),
        "loss_view": _loss_view(best_loss, histories),
        "runs": runs,
    }
    data = (X, y, true_W, true_b)
    return Explorer(histories, tuple(shown), start, spec, data, tuple(momenta))


def _factors(c, lr: float, momentum: float) -> dict:
    """What one step does to each of the two parts of the distance to the optimum (along
    the eigenvectors of H): without momentum it multiplies it by 1 - 2 lr lambda; with it,
    e_t follows e_t+1 = (1 + momentum - 2 lr lambda) e_t - momentum e_t-1 (the Momentum
    page), and shrinks by the larger root z of z^2 - (1 + momentum - 2 lr lambda) z +
    momentum a step. Complex roots (both of size sqrt(momentum)) swing around the optimum:
    "swings" says which parts do."""
    if not momentum:
        return {"factors": [_short(f) for f in c.factors(lr)], "swings": [False, False]}
    factors, swings = [], []
    for eigenvalue in c.eigenvalues:
        a = 1 + momentum - 2 * lr * eigenvalue
        discriminant = a * a - 4 * momentum
        if discriminant < 0:
            factors.append(_short(math.sqrt(momentum)))
            swings.append(True)
        else:
            roots = ((a + math.sqrt(discriminant)) / 2, (a - math.sqrt(discriminant)) / 2)
            factors.append(_short(max(roots, key=abs)))
            swings.append(False)
    return {"factors": factors, "swings": swings}


def _decimals(values: list[float]) -> int:
    """The fewest decimals that tell `values` apart, each within 0.5% of itself (or 0 as 0):
    the explorer shows each value with as many, so that its label keeps one width."""
    for decimals in range(1, 10):
        texts = [f"{v:.{decimals}f}" for v in values]
        close = all(abs(float(t) - v) <= 0.005 * abs(v) for t, v in zip(texts, values, strict=True))
        if close and len(set(texts)) == len(texts):
            return decimals
    return 10


def _among(lrs: list[float], value: float, name: str) -> float:
    """The lr in `lrs` equal to `value` up to rounding (0.025 * 38 is 0.9500000000000001)."""
    value = checks.learning_rate(value, name)
    nearest = min(lrs, key=lambda lr: abs(lr - value))
    if math.isclose(nearest, value, rel_tol=1e-9):
        return nearest
    raise checks.ArgumentError(
        name,
        f"{name}: {value:g} is not one of lrs (the nearest is {nearest:g}); pass a value "
        "from lrs, or add it to them.",
    )


def _short(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def _view(box) -> tuple[dict, dict]:
    """The (W, b) limits of the landscape panel: `box` widened on one side so that W and b
    share one scale in the plotting area, and round tick values inside them."""
    (W_lo, W_hi), (b_lo, b_hi) = box
    width, height = PLOT[2], PLOT[3]
    scale = min(width / (W_hi - W_lo), height / (b_hi - b_lo))  # units per W (and per b)
    W_mid, b_mid = (W_lo + W_hi) / 2, (b_lo + b_hi) / 2
    W_half, b_half = width / scale / 2, height / scale / 2
    view = {
        "W": [_short(W_mid - W_half), _short(W_mid + W_half)],
        "b": [_short(b_mid - b_half), _short(b_mid + b_half)],
    }
    ticks = {
        axis: [
            _short(t)
            for t in MaxNLocator(nbins=6).tick_values(*limits)
            if limits[0] <= t <= limits[1]
        ]
        for axis, limits in view.items()
    }
    return view, ticks


def _contours(X: Tensor, y: Tensor, view: dict, best_loss: float) -> list[list[float]]:
    """Contour lines of the loss at L* + 2^k over the view, each as a flat list W, b, W, b, ...
    (at most 120 points a line: they are drawn as smooth polylines)."""
    m = moments(X.detach().cpu(), y.detach().cpu())
    Ws = torch.linspace(*view["W"], 161, dtype=torch.float64)
    bs = torch.linspace(*view["b"], 161, dtype=torch.float64)
    W_grid, b_grid = torch.meshgrid(Ws, bs, indexing="xy")
    loss = moments_loss(W_grid, b_grid, m).numpy()
    generator = contourpy.contour_generator(W_grid.numpy(), b_grid.numpy(), loss)
    lines = []
    for level in contour_levels(best_loss, loss.max()):
        for line in generator.lines(level):
            step = max(1, math.ceil(len(line) / 120))
            points = [*line[::step], line[-1]] if (len(line) - 1) % step else list(line[::step])
            lines.append([round(float(v), 3) for point in points for v in point])
    return lines


def _loss_view(best_loss: float, histories: list[History]) -> dict:
    """The loss panel's log10 range: from the decade below L* (so that L* stands clear of the
    frame) to the largest loss of any run, but at most four decades above the largest start."""
    start = math.ceil(math.log10(max(h.losses[0] for h in histories)))
    best_loss = max(best_loss, 10.0 ** (start - 9))  # a perfect fit has L* = 0: no log
    low = math.floor(math.log10(best_loss) - 0.3)
    largest = max(max(h.losses) for h in histories)
    high = max(min(math.ceil(math.log10(largest)), start + 4), low + 1)
    return {"log10": [low, high], "ticks": list(range(low, high + 1))}
