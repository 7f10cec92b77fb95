"""The tutorial's figures: each function draws on an Axes and returns its Figure.

Figures are built with `Figure()` rather than pyplot, so nothing global is touched and a
notebook shows each one exactly once. They carry alt text and display in Jupyter as an
HTML image with that alt text, from PNG bytes that hold no version string or timestamp.
Outside Jupyter, `fig.show()` opens a window (or writes a PNG where no window can open).
`site_figures` says which function draws each of the site's figures, from which run.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import itertools
import math
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import Tensor

from linreg.curvature import Curvature, curvature, predicted_excess, stability_bound
from linreg.data import make_data
from linreg.model import LinearModel
from linreg.pages import generalisation, weight_decay
from linreg.pages.large_data import moments_loss
from linreg.pages.many_features import LinearModelND
from linreg.reference import least_squares
from linreg.statistics import moments
from linreg.training import DivergenceError, History, fit

if TYPE_CHECKING:
    from linreg.experiment import Experiment, SamplingError

FIGSIZE = (6.4, 4.0)  # inches; at DPI 100 a 640 x 400 image, the width of the site's column
DPI = 100
TRUE_COLOR = "tab:blue"  # the data, and the true line
MODEL_COLOR = "tab:orange"  # the model's predictions
W_COLOR, B_COLOR = "tab:red", "tab:blue"  # the original notebook's colours for W and b
# plot_losses and plot_parameter_noise: one colour per run, in order
RUN_COLORS = ["tab:gray", MODEL_COLOR, "tab:green", "tab:purple", "tab:red", "tab:brown"]
RUN_MARKERS = ["o", "s", "^", "D", "v", "P"]  # plot_losses and plot_landscape: one per run
# plot_losses with mini-batch runs: (line width, marker size) of each run in order, widest first
BATCH_RUN_SIZES = [(4.0, 8.0), (2.0, 5.0), (1.5, 3.5), (1.0, 2.5)]
ODD_COLOR = "tab:purple"  # plot_zigzag: the points at odd epochs
MAX_POINTS = 5000  # a scatter shows at most this many examples: more only slow it down


class DescribedFigure(Figure):
    """A Figure with alt text (`.alt`), shown in notebooks as an image with that alt text."""

    alt: str = ""

    def png(self) -> bytes:
        """The figure as PNG bytes, the same on every run: no software version, no date."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()

    def save(self, path: str | Path) -> Path:
        """Write the figure to `path` as PNG and return the path."""
        path = Path(path)
        path.write_bytes(self.png())
        return path

    def show(self) -> Path | None:
        """Show the figure: inline in Jupyter, else in a window through pyplot.

        Where no window can open (a headless machine, a non-interactive backend), the
        figure is written to a temporary PNG file whose path is printed and returned.
        """
        if "ipykernel" in sys.modules:  # in Jupyter: display it once, as a cell output does
            from IPython.display import display

            display(self)
            return None
        import matplotlib
        from matplotlib import pyplot as plt
        from matplotlib.backends import BackendFilter, backend_registry

        backend = matplotlib.get_backend().lower()
        if backend in backend_registry.list_builtin(BackendFilter.INTERACTIVE):
            plt.figure(self)  # hand the figure to pyplot, which knows how to open a window
            plt.show()
            return None
        with tempfile.NamedTemporaryFile(prefix="linreg-", suffix=".png", delete=False) as f:
            path = self.save(f.name)
        print(f"no window can open with matplotlib's {backend!r} backend; wrote {path}")
        return path

    def __repr__(self) -> str:
        title = self.axes[0].get_title() if self.axes else ""
        return (
            f"<{type(self).__name__} {title!r}: {self.alt} "
            "Call .show() to see it (at the >>> prompt: _.show()), or .save('figure.png').>"
        )

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        return f'<img alt="{html.escape(self.alt)}" src="data:image/png;base64,{data}">'


def _axes(ax: Axes | None, alt: str) -> Axes:
    """`ax`, or the Axes of a new DescribedFigure; either way the figure gets `alt`."""
    if ax is None:
        fig = DescribedFigure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
        fig.set_facecolor("white")  # readable on the site's light and dark palettes alike
        ax = fig.add_subplot()
    if isinstance(ax.figure, DescribedFigure):
        ax.figure.alt = " ".join(filter(None, [ax.figure.alt, alt]))
    return ax


def _cpu(t: Tensor) -> Tensor:
    return t.detach().cpu()


def _shown(n: int) -> tuple[Tensor | slice, str]:
    """Which of n examples a scatter draws (evenly spaced, at most MAX_POINTS), and a note."""
    if n <= MAX_POINTS:
        return slice(None), ""
    return torch.linspace(0, n - 1, MAX_POINTS).long(), f" ({MAX_POINTS:,} of {n:,} shown)"


def plot_data(
    X: Tensor,
    y: Tensor,
    *,
    true_W: float | None = None,
    true_b: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Scatter of the examples (X, y), each of shape (n,), with the true line if given."""
    X, y = _cpu(X), _cpu(y)
    shown, note = _shown(len(X))
    alt = f"Scatter plot of {len(X)} examples{note}, y against x."
    if true_W is not None and true_b is not None:
        alt += f" The points spread around the true line y = {true_W:g}x + {true_b:g}."
    ax = _axes(ax, alt)
    ax.scatter(X[shown], y[shown], s=8, alpha=0.5, color=TRUE_COLOR, label=f"data{note}")
    if true_W is not None and true_b is not None:
        xs = torch.linspace(float(X.min()), float(X.max()), 2)
        ax.plot(xs, true_W * xs + true_b, "k--", label=f"true line y = {true_W:g}x + {true_b:g}")
    ax.set(xlabel="x", ylabel="y", title="The data")
    ax.legend(loc="upper left")
    return ax.figure


def plot_predictions(
    X: Tensor, y: Tensor, model: LinearModel, *, title: str = "", ax: Axes | None = None
) -> Figure:
    """Scatter of the targets y (the data) and the predictions model(X), with a legend."""
    X, y = _cpu(X), _cpu(y)
    shown, note = _shown(len(X))
    X, y = X[shown], y[shown]
    with torch.no_grad():
        y_hat = _cpu(model(X.to(model.W)))
    W, b = model.W.item(), model.b.item()
    ax = _axes(
        ax,
        f"Scatter plot of the {len(X)} targets y{note} and the model's predictions against x. "
        f"The predictions lie on the line y = {W:.2f}x + {b:.2f}.",
    )
    ax.scatter(X, y, s=8, alpha=0.5, color=TRUE_COLOR, label=f"data (targets y){note}")
    ax.scatter(X, y_hat, s=8, color=MODEL_COLOR, label=f"predicted: {W:.2f}x + {b:.2f}")
    ax.set(xlabel="x", ylabel="y", title=title or "Targets and predictions")
    ax.legend(loc="upper left")
    return ax.figure


def plot_parameters(
    history: History, true_W: float, true_b: float, *, ax: Axes | None = None
) -> Figure:
    """W and b at the start of each epoch, against the true values (dashed)."""
    epochs = range(len(history.Ws))
    if history.Ws:
        # what is drawn: the values at the start of each epoch, the last before its step
        alt = (
            f"Line plot of W and b at the start of each of {len(history.Ws)} epochs. From "
            f"epoch 0 to epoch {len(history.Ws) - 1}, W goes from {history.Ws[0]:g} to "
            f"{history.Ws[-1]:.2f} (true value {true_W:g}) and b from {history.bs[0]:g} to "
            f"{history.bs[-1]:.2f} (true value {true_b:g})."
        )
    else:
        alt = f"No epochs were run: W = {history.W:g} and b = {history.b:g} throughout."
    ax = _axes(ax, alt)
    if history.Ws:
        ax.plot(epochs, history.Ws, color=W_COLOR, label="W")
        ax.plot(epochs, history.bs, color=B_COLOR, label="b")
    else:
        ax.plot([0], [history.W], "o", color=W_COLOR, label="W (no epochs run)")
        ax.plot([0], [history.b], "o", color=B_COLOR, label="b (no epochs run)")
    ax.axhline(true_W, color=W_COLOR, linestyle="--", label="true W")
    ax.axhline(true_b, color=B_COLOR, linestyle="--", label="true b")
    ax.set(xlabel="epoch", ylabel="value", title="Parameters during training")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper right")
    return ax.figure


def plot_loss(
    history: History, *, best_loss: float | None = None, ax: Axes | None = None
) -> Figure:
    """The loss at the start of each epoch on a log scale, with the least-squares loss if given."""
    epochs = range(len(history.losses))
    if history.losses:
        alt = (
            f"Line plot of the loss over {len(history.losses)} epochs on a logarithmic scale, "
            f"from {history.losses[0]:.4g} to {history.losses[-1]:.4g}."
        )
    else:
        alt = "An empty plot of the loss: no epochs were run."
    if best_loss is not None:
        alt += f" A dashed line marks the least-squares loss, {best_loss:.4g}."
    ax = _axes(ax, alt)
    ax.plot(epochs, history.losses, "o-", color=MODEL_COLOR, markersize=4, label="loss")
    if best_loss is not None:
        ax.axhline(best_loss, color="k", linestyle="--", label="least-squares loss")
    positive = [v for v in [*history.losses, best_loss or 0.0] if v > 0]
    ax.set(xlabel="epoch", ylabel="mean squared error", title="Loss")
    if positive:  # a log scale needs something above zero to show
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper right")
    return ax.figure


def plot_landscape(
    X: Tensor,
    y: Tensor,
    *histories: History,
    true_W: float | None = None,
    true_b: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Contours of the loss over (W, b), the least-squares optimum, and each history's path.

    The contours are drawn at L* + 2^k: from one ring to the next the excess loss L - L*
    doubles. W and b share one scale, so a round bowl looks round.
    """
    W_best, b_best = least_squares(X, y)
    m = moments(X.detach().cpu(), y.detach().cpu())
    best_loss = moments_loss(W_best, b_best, m)
    box = view_box(
        [(W_best, b_best), *([(true_W, true_b)] if true_W is not None else [])], histories
    )
    # The grid reaches beyond the box: an equal aspect widens one of its sides to fill the axes.
    (W_lo, W_hi), (b_lo, b_hi) = box
    half = max(W_hi - W_lo, b_hi - b_lo)
    W_mid, b_mid = (W_lo + W_hi) / 2, (b_lo + b_hi) / 2
    W_grid, b_grid = torch.meshgrid(
        torch.linspace(W_mid - half, W_mid + half, 401, dtype=torch.float64),
        torch.linspace(b_mid - half, b_mid + half, 401, dtype=torch.float64),
        indexing="xy",
    )
    loss = moments_loss(W_grid, b_grid, m)
    inside = (W_grid >= W_lo) & (W_grid <= W_hi) & (b_grid >= b_lo) & (b_grid <= b_hi)
    levels = contour_levels(best_loss, loss[inside].max().item())
    alt = (
        f"Contour plot of the loss over W (horizontal) and b (vertical), with its minimum, "
        f"{best_loss:.4g}, at the least-squares W = {W_best:.2f}, b = {b_best:.2f}."
    )
    lrs = [history.lr for history in histories]
    for history in histories:
        path = descent_path(history)
        alt += (
            f" The path of gradient descent with lr = {lr_text(history.lr, lrs)} goes from "
            f"({path[0][0]:g}, {path[0][1]:g}) in {len(history.Ws)} steps to "
            f"({path[-1][0]:.2f}, {path[-1][1]:.2f})."
        )
    ax = _axes(ax, alt)
    ax.contour(W_grid, b_grid, loss, levels, colors="0.7", linewidths=0.8)
    colors = [MODEL_COLOR, "tab:green", "tab:purple", "tab:brown", "tab:pink"]
    runs = list(zip(histories, itertools.cycle(colors), itertools.cycle(RUN_MARKERS)))
    # Paths can run along one line (in a round bowl each heads straight for the optimum), so
    # the largest lr is drawn first and widest, each smaller one narrower on top of it: every
    # path shows beside those drawn over it. The legend keeps the order of `histories`.
    handles = {}
    for rank, (history, color, marker) in enumerate(sorted(runs, key=lambda r: -r[0].lr)):
        path = descent_path(history)
        under = len(runs) - 1 - rank  # how many paths are drawn on top of this one
        (handles[id(history)],) = ax.plot(
            [W for W, _ in path],
            [b for _, b in path],
            f"{marker}-",
            color=color,
            # a long path stays a line, not a blot
            markersize=(3 if len(path) <= 40 else 1.5) + 2 * under,
            linewidth=1 + 2 * under,
            label=f"lr = {lr_text(history.lr, lrs)}",
        )
    handles = [handles[id(history)] for history in histories]
    # the true point under the optimum, as a cross whose arms reach past the star
    if true_W is not None and true_b is not None:
        ax.plot(true_W, true_b, "+", color=TRUE_COLOR, markersize=16, mew=2, label="true (W, b)")
    ax.plot(W_best, b_best, "k*", markersize=11, zorder=3, label="least squares (W*, b*)")
    ax.set(xlabel="W", ylabel="b", title="The loss over (W, b)")
    # Show the box, widened on one side to fill the axes at an equal aspect: the view follows
    # the data limits, which are set to the box (the contours and a diverging path reach out).
    ax.dataLim.set_points(torch.tensor(box).T.numpy())
    ax.margins(0)
    ax.set_aspect("equal", adjustable="datalim")
    # beside the map, not over it: nothing drawn hides under the legend
    handles += ax.lines[len(handles) :]  # the true point and the optimum
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")
    return ax.figure


def plot_zigzag(
    X: Tensor,
    y: Tensor,
    history: History,
    *,
    numbered: int = 5,
    true_W: float | None = None,
    true_b: float | None = None,
) -> Figure:
    """A run in a narrow valley, two ways: its path over the loss landscape (left), and its
    offset from the optimum across the valley and along it, epoch by epoch (right).

    On the map the points at even and odd epochs differ in colour and shape, an arrow draws
    each of the first `numbered` - 1 steps, and the first `numbered` points and the last are
    numbered by epoch. Across is the eigenvector of H with the larger eigenvalue, along the
    other; each offset is signed, positive at the start.
    """
    fig = DescribedFigure(figsize=(FIGSIZE[0], 4.8), dpi=DPI, layout="constrained")
    fig.set_facecolor("white")
    fig.alt = "Two panels. Left:"
    left, right = fig.subplots(1, 2, width_ratios=[1.3, 1])
    plot_landscape(X, y, history, true_W=true_W, true_b=true_b, ax=left)
    path = descent_path(history)
    W_best, b_best = least_squares(X, y)
    along, across = (
        [(W - W_best) * v[0] + (b - b_best) * v[1] for W, b in path]
        for v in curvature(X).eigenvectors.T.tolist()  # ascending eigenvalues
    )
    along, across = ([math.copysign(1.0, o[0]) * v for v in o] for o in (along, across))
    # The bounces, drawn: the path's line thin and grey under its points, the points at even
    # and odd epochs in two colours and shapes, and an arrow for each of the first steps.
    route, *marks = left.lines  # the path, then the true point and the optimum
    route.set(marker="", color="0.5", linewidth=0.6, label=f"path, {route.get_label()}")
    parities = [
        ("even", "o", MODEL_COLOR, "orange circles"),
        ("odd", "s", ODD_COLOR, "purple squares"),
    ]
    for first, (name, marker, color, _) in enumerate(parities):
        points = path[first::2]
        left.plot(
            [W for W, _ in points],
            [b for _, b in points],
            marker,
            color=color,
            markersize=3,
            label=f"{name} epochs",
        )
    shown = min(max(numbered, 0), len(path))  # how many of the first points are numbered
    steps = max(shown - 1, 0)  # how many steps have an arrow
    for a, b in itertools.pairwise(path[:shown]):
        left.annotate(
            "",
            xy=b,
            xytext=a,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "k",
                "linewidth": 0.8,
                "shrinkA": 3,
                "shrinkB": 3,
                "connectionstyle": "arc3,rad=0.2",  # bowed: a step back does not hide a step on
            },
        )
    for epoch in dict.fromkeys([*range(shown), len(path) - 1]):  # the first points, the last
        last = epoch >= shown
        left.annotate(
            str(epoch),
            path[epoch],
            textcoords="offset points",
            xytext=(4, -10) if last else (0, 6),
            ha="left" if last else "center",
            fontsize=8,
        )
    left.get_legend().remove()  # below both panels instead: nothing on the map hides under it
    *_, even, odd = left.lines
    handles = [even, odd, route, *marks]  # read down the columns: even, odd, then the rest
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize="small")
    sides = all((offset > 0) == (epoch % 2 == 0) for epoch, offset in enumerate(across))
    _axes(
        right,
        (f"Arrows show the first {steps} steps. " if steps else "")
        + f"The points at even epochs are {parities[0][3]} and those at odd epochs "
        f"{parities[1][3]}"
        + (
            ": every step crosses the valley floor, even epochs on the starting side, odd "
            "epochs on the other. "
            if sides and len(path) > 1
            else ". "
        )
        + (f"The first {shown} points and the last are numbered by epoch. " if shown else "")
        + f"Right: line plot over {len(path) - 1} epochs of the offset from the optimum across "
        f"the valley, from {across[0]:.3g} to {across[-1]:.2g}, and along it, from "
        f"{along[0]:.3g} to {along[-1]:.3g}.",
    )
    epochs = range(len(path))
    right.axhline(0.0, color="k", linewidth=0.8)
    right.plot(
        epochs, across, "o-", color=W_COLOR, markersize=2, linewidth=0.8, label="across the valley"
    )
    right.plot(epochs, along, "-", color=B_COLOR, linewidth=1.5, label="along the valley")
    right.set(xlabel="epoch", ylabel="offset from the optimum", title="Across and along")
    right.legend(loc="upper right", fontsize="small")
    return fig


def plot_excess(
    history: History, best_loss: float, predicted: list[float], *, ax: Axes | None = None
) -> Figure:
    """The excess loss L - L* of each epoch, observed (dots) and predicted (line), log scale."""
    observed = [loss - best_loss for loss in history.losses]
    if observed:
        alt = (
            f"Line plot, on a logarithmic scale, of the excess loss L - L* over "
            f"{len(observed)} epochs at lr = {lr_text(history.lr)}: the predicted curve, from "
            f"{predicted[0]:.4g} to {predicted[-1]:.4g}, runs through the observed points."
        )
    else:
        alt = "An empty plot of the excess loss: no epochs were run."
    ax = _axes(ax, alt)
    epochs = range(len(observed))
    ax.plot(epochs, predicted, "-", color="k", linewidth=1, label="predicted from H")
    shown = [e for e in epochs if observed[e] > 0]  # rounding can take the loss to L*
    ax.plot(
        shown, [observed[e] for e in shown], "o", color=MODEL_COLOR, markersize=5, label="observed"
    )
    ax.set(xlabel="epoch", ylabel="L - L*", title=f"Excess loss at lr = {lr_text(history.lr)}")
    if shown:  # a log scale needs something above zero to show
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper right")
    return ax.figure


def plot_momentum(
    X: Tensor,
    y: Tensor,
    plain: History,
    heavy: History,
    *,
    momentum: float,
    ax: Axes | None = None,
) -> Figure:
    """The excess loss L - L* at each step of plain gradient descent and of the heavy ball
    (run with `momentum`), on a log scale; computed in float64 from each run's (W, b), so
    that it shows below float32's rounding of the loss. The heavy ball's peak is marked.
    The plain run's lr is shown with the digits that tell it from plain descent's stability
    bound, and called the best constant lr when it is that lr."""
    m = moments(_cpu(X), _cpu(y))
    W_best, b_best = least_squares(X, y)
    best = moments_loss(W_best, b_best, m)
    excess = [
        [moments_loss(W, b, m) - best for W, b in descent_path(run)] for run in (plain, heavy)
    ]
    c = curvature(_cpu(X))
    lrs = [plain.lr, heavy.lr]
    kind = "best constant lr" if math.isclose(plain.lr, c.best_lr, rel_tol=1e-6) else "lr"
    labels = [
        f"plain, {kind} = {lr_text(plain.lr, [*lrs, c.bound])}",
        f"heavy ball, lr = {lr_text(heavy.lr, lrs)}, momentum = {momentum:.3g}",
    ]
    peak = max(range(len(excess[1])), key=excess[1].__getitem__)
    alt = (
        f"Line plot, on a logarithmic scale, of the excess loss L - L* over "
        f"{len(excess[0]) - 1} steps. {labels[0].capitalize()} falls steadily from "
        f"{excess[0][0]:.3g} to {excess[0][-1]:.3g}. The {labels[1]} first rises, to "
        f"{excess[1][peak]:.3g} at step {peak}, {excess[1][peak] / excess[1][0]:.0f} times its "
        f"start, then falls fast, to {min(excess[1]):.2g}."
    )
    ax = _axes(ax, alt)
    for values, label, color in zip(excess, labels, (B_COLOR, MODEL_COLOR), strict=True):
        shown = [t for t, v in enumerate(values) if v > 0]  # rounding can reach L* itself
        ax.plot(shown, [values[t] for t in shown], "-", color=color, label=label)
    ax.plot(peak, excess[1][peak], "o", color=MODEL_COLOR, label=f"its peak, step {peak}")
    ax.set(xlabel="step", ylabel="L - L*", title="Plain descent and the heavy ball on the valley")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower left", fontsize="small")
    return ax.figure


def plot_contraction(
    curvature: Curvature, lrs: tuple[float, ...] = (), *, ax: Axes | None = None
) -> Figure:
    """|1 - 2 lr lambda| for both eigenvalues of H against lr, with the bound and the best lr.

    Below 1 the distance to the optimum shrinks each step; the worse of the two sets the pace.
    `lrs` are marked on that worse curve.
    """
    c = curvature
    top = 1.25 * c.bound
    grid = [top * i / 500 for i in range(501)]
    low, high = c.eigenvalues
    bound, best = lr_text(c.bound, [c.best_lr]), lr_text(c.best_lr, [c.bound])
    ax = _axes(
        ax,
        f"Line plot of the two factors by which one step multiplies the parts of the distance "
        f"to the optimum along the eigenvectors of H, against the learning rate from 0 to "
        f"{top:.3g}, for the eigenvalues {low:.4g} and {high:.4g}. The larger of the two is "
        f"lowest at the best learning rate {best} and reaches 1 at the stability bound {bound}.",
    )
    ax.plot(
        grid,
        [abs(1 - 2 * lr * low) for lr in grid],
        color=B_COLOR,
        label=rf"$|1 - 2\,\mathrm{{lr}}\,\lambda_{{\min}}|$, $\lambda_{{\min}}$ = {low:.4g}",
    )
    ax.plot(
        grid,
        [abs(1 - 2 * lr * high) for lr in grid],
        color=W_COLOR,
        label=rf"$|1 - 2\,\mathrm{{lr}}\,\lambda_{{\max}}|$, $\lambda_{{\max}}$ = {high:.4g}",
    )
    ax.axhline(1.0, color="k", linestyle=":", linewidth=1, zorder=1)  # under a factor near 1
    ax.axvline(
        c.bound,
        color="k",
        linestyle="--",
        linewidth=1,
        label=rf"bound $1/\lambda_{{\max}}$ = {bound}",
    )
    ax.axvline(
        c.best_lr,
        color="0.4",
        linestyle="-.",
        linewidth=1,
        label=rf"best lr $1/(\lambda_{{\min}} + \lambda_{{\max}})$ = {best}",
    )
    if lrs:
        ax.plot(lrs, [c.contraction(lr) for lr in lrs], "o", color=MODEL_COLOR, label="lrs tried")
    ax.set(
        xlim=(0, top),
        ylim=(0, 1.5),
        xlabel="learning rate",
        ylabel="factor per step",
        title="What one step does to each part of the distance",
    )
    ax.legend(loc="upper left", fontsize="small")
    return ax.figure


def plot_losses(
    histories: list[History],
    *,
    best_loss: float | None = None,
    title: str = "Loss for each learning rate",
    ax: Axes | None = None,
) -> Figure:
    """The loss of several runs, one line per learning rate, on a log scale.

    A run that stopped early (a DivergenceError's history) ends with a cross.
    """
    longest = max((len(h.losses) for h in histories), default=0)
    batches = any(h.batch_size is not None for h in histories)
    lrs = [h.lr for h in histories]
    alt = f"Line plot of the loss over up to {longest} epochs, on a logarithmic scale, for "
    alt += ", ".join(
        f"{_run_label(h, batches, lrs)} "
        + (f"(from {h.losses[0]:.4g}" if h.losses else "(no epochs")
        + (f", {h.losses[1]:.4g} after one epoch," if batches and len(h.losses) > 1 else "")
        + (f" to {h.losses[-1]:.4g}" if h.losses else "")
        + (f", stopped after {len(h.losses)} epochs)" if len(h.losses) < longest else ")")
        for h in histories
    )
    alt += (
        "."
        if best_loss is None
        else f". A dashed line marks the least-squares loss, {best_loss:.4g}."
    )
    if batches:
        alt += (
            " Each run is drawn with a narrower line and smaller markers than the one before,"
            " on top of it, so that runs that fall together show one inside the other."
        )
    ax = _axes(ax, alt)
    # Mini-batch runs can fall alike (batches of 10 and 50 both reach the floor in their first
    # epoch, along one line): each is drawn narrower than the one before, on top of it, so
    # that every run shows around those drawn over it.
    sizes = itertools.chain(BATCH_RUN_SIZES, itertools.repeat(BATCH_RUN_SIZES[-1]))
    runs = zip(histories, itertools.cycle(RUN_COLORS), itertools.cycle(RUN_MARKERS), sizes)
    for history, color, marker, (width, size) in runs:
        stopped = len(history.losses) < longest
        label = _run_label(history, batches, lrs) + (" (diverged)" if stopped else "")
        # a marker at every epoch: a run that lies on another line still shows
        ax.plot(
            range(len(history.losses)),
            history.losses,
            f"{marker}-",
            color=color,
            markersize=size if batches else 4,
            linewidth=width if batches else None,
            label=label,
        )
        if stopped and history.losses:
            ax.plot(len(history.losses) - 1, history.losses[-1], "x", color=color, markersize=9)
    if best_loss is not None:  # thin, over the runs that reach it: they show around it
        ax.axhline(best_loss, color="k", linestyle="--", linewidth=1, label="least-squares loss")
    ax.set(xlabel="epoch", ylabel="mean squared error", title=title)
    if any(v > 0 for h in histories for v in h.losses):
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    # beside the plot, not over it: no run hides under the legend
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")
    return ax.figure


def plot_sampling_error(error: SamplingError, *, noise: float, ax: Axes | None = None) -> Figure:
    """How far the least-squares (W*, b*) lies from the truth against n, log-log, with the
    guide line noise / sqrt(n)."""
    ns = error.ns
    ax = _axes(
        ax,
        f"Log-log plot of the root mean square distance of W* and b* from the true values, "
        f"over {len(error.seeds)} samples at each of {len(ns)} sizes from {ns[0]:,} to "
        f"{ns[-1]:,} examples: from {error.W[0]:.2g} to {error.W[-1]:.2g} for W, falling "
        f"along the dashed line {noise:g} / sqrt(n).",
    )
    ax.plot(ns, error.W, "o-", color=W_COLOR, label="W* - true W")
    ax.plot(ns, error.b, "s-", color=B_COLOR, label="b* - true b")
    ax.plot(ns, [noise / math.sqrt(n) for n in ns], "k--", label=f"{noise:g} / sqrt(n)")
    ax.set(
        xlabel="examples n",
        ylabel=f"root mean square over {len(error.seeds)} seeds",
        title="The sample's optimum against the truth",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.legend(loc="upper right")
    return ax.figure


def plot_parameter_noise(
    histories: list[History], W_best: float, *, skip: int = 0, ax: Axes | None = None
) -> Figure:
    """W at the start of each epoch from epoch `skip` on, one line per run, around the
    least-squares W* (dashed): how much mini-batches make W wander."""
    ax = _axes(
        ax,
        f"Line plot of W from epoch {skip} on for "
        + ", ".join(
            f"{_run_label(h, True)} (between {min(h.Ws[skip:]):.3f} and {max(h.Ws[skip:]):.3f})"
            for h in histories
            if h.Ws[skip:]
        )
        + f". A dashed line marks the least-squares W* = {W_best:.3f}.",
    )
    for history, color in zip(histories, itertools.cycle(RUN_COLORS)):
        epochs = range(skip, len(history.Ws))
        ax.plot(epochs, history.Ws[skip:], "-", color=color, label=_run_label(history, True))
    ax.axhline(W_best, color="k", linestyle="--", label="least-squares W*")
    ax.set(xlabel="epoch", ylabel="W", title="W near the end of training")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper right", fontsize="small")
    return ax.figure


def lr_text(lr: float, among: Iterable[float] = ()) -> str:
    """`lr` to 3 significant figures, or to as many more as tell it apart from `among`."""
    others = {other for other in among if other != lr}
    for digits in range(3, 18):
        text = f"{lr:.{digits}g}"
        if all(f"{other:.{digits}g}" != text for other in others):
            return text
    return repr(lr)


def _run_label(history: History, batches: bool = False, among: Iterable[float] = ()) -> str:
    """The run's label: its lr (see lr_text; `among` are the other runs' lrs); with `batches`
    (mini-batch runs among those drawn), also its batch size, or "all data"."""
    lr = lr_text(history.lr, among)
    if not batches:
        return f"lr = {lr}"
    batch = "all data" if history.batch_size is None else f"batch {history.batch_size}"
    return f"{batch}, lr = {lr}"


def contour_levels(best_loss: float, largest: float) -> list[float]:
    """The losses the landscape's rings are drawn at: L* + 2^k, fourteen of them, the last
    at or below `largest` (plot_landscape and the explorer draw the same rings)."""
    top = math.floor(math.log2(largest - best_loss))
    return [best_loss + 2.0**k for k in range(top - 13, top + 1)]


def descent_path(history: History) -> list[tuple[float, float]]:
    """(W, b) at the start of each epoch, then after the last update."""
    return [*zip(history.Ws, history.bs, strict=True), (history.W, history.b)]


def view_box(points, histories) -> tuple[tuple[float, float], tuple[float, float]]:
    """Limits that show `points` and every path point no farther from the first point than
    its start is (a diverging path leaves the frame), with a margin."""
    (W0, b0), *_ = points
    pts = list(points)
    for h in histories:
        path = descent_path(h)
        reach = math.hypot(path[0][0] - W0, path[0][1] - b0)
        pts += [p for p in path if math.hypot(p[0] - W0, p[1] - b0) <= reach * 1.000001]
    Ws, bs = [p[0] for p in pts], [p[1] for p in pts]
    span = max(max(Ws) - min(Ws), max(bs) - min(bs), 1.0)
    pad = 0.08 * span
    return (min(Ws) - pad, max(Ws) + pad), (min(bs) - pad, max(bs) + pad)


LARGEST_MISSES = 0.05  # plot_residuals marks this fraction of the examples, the largest |r|


def plot_residuals(X: Tensor, y: Tensor, W: float, b: float, *, ax: Axes | None = None) -> Figure:
    """Each example's squared residual r^2 against its residual r = W x + b - y (X and y of
    shape (n,)), on the parabola r^2 beside |r|; the LARGEST_MISSES largest |r| in red."""
    r = W * _cpu(X).double() + b - _cpu(y).double()
    squares = r**2
    k = max(1, round(LARGEST_MISSES * len(r)))
    largest = torch.zeros(len(r), dtype=torch.bool)
    largest[r.abs().topk(k).indices] = True
    share = (squares[largest].sum() / squares.sum()).item()
    ax = _axes(
        ax,
        f"Scatter plot of the squared residual r² against the residual r of each of the "
        f"{len(r):,} examples for the line y = {W:g}x + {b:g}. The points lie on the "
        f"parabola r², drawn beside the dashed line |r|: the square is below |r| for misses "
        f"under 1 and above it beyond. The {k:,} largest misses (|r| of "
        f"{r.abs()[largest].min():.2f} or more), {k / len(r):.0%} of the examples, make up "
        f"{share:.0%} of the sum of squares.",
    )
    reach = 1.05 * r.abs().max().item()
    rs = torch.linspace(-reach, reach, 401, dtype=torch.float64)
    ax.plot(rs, rs**2, color="k", linewidth=1, label="squared residual $r^2$")
    ax.plot(rs, rs.abs(), "k--", linewidth=1, label="absolute residual $|r|$")
    shown, note = _shown(len(r))
    r, squares, largest = r[shown], squares[shown], largest[shown]
    ax.scatter(
        r[~largest],
        squares[~largest],
        s=10,
        alpha=0.5,
        color=TRUE_COLOR,
        label=f"the other {len(largest) - int(largest.sum()):,} examples{note}",
    )
    ax.scatter(
        r[largest],
        squares[largest],
        s=14,
        color=W_COLOR,
        label=f"the {k:,} largest misses: {share:.0%} of the loss",
    )
    ax.set(
        xlabel="residual r",
        ylabel="what the example adds",
        title=f"Residuals of the line y = {W:g}x + {b:g} and their squares",
    )
    ax.legend(loc="upper center", fontsize="small")
    return ax.figure


def plot_loss_slice(
    X: Tensor, y: Tensor, model: LinearModel, *, lr: float | None = None, ax: Axes | None = None
) -> Figure:
    """The loss along W with b held at model.b (a slice through the bowl) and its tangent at
    model.W, whose slope is dL/dW; with `lr`, an arrow for the step -lr dL/dW on W alone."""
    m = moments(_cpu(X), _cpu(y))
    W, b = model.W.item(), model.b.item()
    mean_xx = m.sxx / m.n + m.x_mean**2  # the mean of x^2
    mean_xy = m.sxy / m.n + m.x_mean * m.y_mean  # the mean of x y
    at = moments_loss(W, b, m)
    slope = 2 * (W * mean_xx + b * m.x_mean - mean_xy)  # dL/dW = (2/n) sum r_i x_i
    lowest = (mean_xy - b * m.x_mean) / mean_xx  # where the slice's slope is 0
    span = abs(W - lowest) or 1.0
    ws = torch.linspace(
        min(W, lowest) - 0.4 * span, max(W, lowest) + 0.4 * span, 401, dtype=torch.float64
    )
    alt = (
        f"Line plot of the loss as W varies with b held at {b:g}: a parabola, lowest at "
        f"W = {lowest:.2f}. At W = {W:g}, where the loss is {at:.1f}, its tangent has slope "
        f"dL/dW = {slope:.1f}: the loss rises as W grows."
    )
    if lr is not None:
        alt += (
            f" An arrow shows the step on W, -{lr:g} times the slope, which moves W from "
            f"{W:g} to {W - lr * slope:.2f}."
        )
    ax = _axes(ax, alt)
    ax.plot(ws, moments_loss(ws, b, m), color="k", linewidth=1, label=f"loss L(W, {b:g})")
    near = ws[(ws - W).abs() <= 0.4 * span]
    ax.plot(
        near,
        at + slope * (near - W),
        color=MODEL_COLOR,
        linewidth=1.5,
        label=f"tangent at W = {W:g}: slope dL/dW = {slope:.1f}",
    )
    ax.plot(W, at, "o", color=MODEL_COLOR, markersize=6)
    if lr is not None:
        ax.annotate(
            "",
            xy=(W - lr * slope, at),
            xytext=(W, at),
            arrowprops={"arrowstyle": "->", "color": W_COLOR, "linewidth": 1.5},
        )
        ax.plot([], [], color=W_COLOR, label=f"step on W: -{lr:g} × dL/dW = {-lr * slope:+.2f}")
    ax.set(xlabel="W", ylabel="mean squared error", title=f"The loss along W, with b = {b:g}")
    ax.legend(loc="upper left", fontsize="small")
    return ax.figure


def plot_validation(
    values: Sequence[float],
    train_losses: Sequence[float],
    valid_losses: Sequence[float],
    *,
    xlabel: str,
    title: str,
    log_x: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """The training and the validation loss against a setting (a degree, an epoch, a
    penalty), on a log scale, with the lowest validation loss marked by a star."""
    values, train_losses, valid_losses = list(values), list(train_losses), list(valid_losses)
    best = min(range(len(values)), key=valid_losses.__getitem__)
    ax = _axes(
        ax,
        f"Line plot, on a logarithmic scale, of the training and the validation loss against "
        f"the {xlabel}, from {values[0]:.3g} to {values[-1]:.3g}"
        + (" (a logarithmic axis)" if log_x else "")
        + f". The training loss goes from {train_losses[0]:.3g} to {train_losses[-1]:.3g}. "
        f"The validation loss is lowest, {valid_losses[best]:.3g}, at {xlabel} "
        f"{values[best]:.3g}, marked by a star, and is {valid_losses[-1]:.3g} at the end.",
    )
    style = "o-" if len(values) <= 50 else "-"  # a marker per value, unless they crowd
    ax.plot(values, train_losses, style, color=TRUE_COLOR, markersize=4, label="training loss")
    ax.plot(values, valid_losses, style, color=MODEL_COLOR, markersize=4, label="validation loss")
    ax.plot(
        values[best],
        valid_losses[best],
        "k*",
        markersize=12,
        label=f"lowest validation loss,\n{xlabel} {values[best]:.3g}",
    )
    ax.set(xlabel=xlabel, ylabel="mean squared error", title=title)
    ax.set_yscale("log")
    if log_x:
        ax.set_xscale("log")
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")
    return ax.figure


def plot_coefficients(penalties: Sequence[float], Ws: Tensor, *, ax: Axes | None = None) -> Figure:
    """Each weight against the penalty: Ws (len(penalties), d) holds W for each penalty, and
    weight k multiplies the feature x^k standardised on the training data (less its mean,
    over its standard deviation). Log x axis; the y axis is linear within 1 of 0 and logarithmic
    beyond (symlog), so that large and small weights both show."""
    Ws = _cpu(Ws).double()
    norms = Ws.norm(dim=1)
    ax = _axes(
        ax,
        f"Line plot of each of the {Ws.shape[1]} weights, W1 to W{Ws.shape[1]} on the "
        f"standardised powers x^1 to x^{Ws.shape[1]}, against the penalty lambda from "
        f"{penalties[0]:.3g} to {penalties[-1]:.3g}, on a logarithmic axis; the vertical axis "
        f"is linear between -1 and 1 and logarithmic beyond. At lambda {penalties[0]:.3g} the "
        f"weights lie between {Ws[0].min():.3g} and {Ws[0].max():.3g}; at lambda "
        f"{penalties[-1]:.3g} between {Ws[-1].min():.2g} and {Ws[-1].max():.2g}. The length of "
        f"W falls from {norms[0]:.3g} to {norms[-1]:.2g}.",
    )
    colors = colormaps["viridis"](torch.linspace(0, 0.9, Ws.shape[1]).numpy())
    for k, (column, color) in enumerate(zip(Ws.T, colors, strict=True), start=1):
        ax.plot(penalties, column, color=color, label=f"$W_{{{k}}}$")
    ax.axhline(0.0, color="k", linewidth=0.8)
    ax.set(xlabel="penalty λ", ylabel="weight", title="The weights as the penalty grows")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1.0)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.02, 1),
        fontsize="small",
        title="weights on the\nstandardised\npowers of x",
        title_fontsize="small",
    )
    return ax.figure


# The runs the learning-rate pages draw besides the tutorial's own (docs/landscape.py and
# docs/learning-rate.py make the same calls; tests/test_site_figures.py fails if they differ).
SHIFT = 5.0  # the mean of x in the shifted data
SHIFTED_FRACTION, SHIFTED_EPOCHS = 0.95, 100  # lr at 95% of the shifted data's bound
MOMENTUM_EPOCHS = 400  # docs/momentum.py: plain descent and the heavy ball on the shifted data
SWEEP = (0.01, 0.1, 0.5, 0.95, 1.05)  # too small, the default, one step, near and above the bound
EXPLORER_SHOWN = (0.1, 0.5, 0.95)  # the explorer's static figure
SAMPLE_SIZES = [10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000]  # docs/closed-form.py
SAMPLE_SEEDS = list(range(20))
MINIBATCH_SIZES = (10, 50, 250, None)  # docs/minibatch.py: lr 0.1, 40 epochs; None: all data
MINIBATCH_LR, MINIBATCH_EPOCHS, MINIBATCH_SKIP = 0.1, 40, 10
# docs/generalisation.py and docs/weight-decay.py: y = sin(pi x) + noise, 30 examples
CURVE_EXAMPLES, CURVE_TRAIN, CURVE_NOISE, CURVE_SEED = 30, 20, 0.3, 42  # 20 train, 10 valid
DEGREES = tuple(range(1, 13))  # the polynomial degrees fitted
HIGH_DEGREE = 12  # the polynomial that early stopping and weight decay tame
EARLY_LR, EARLY_EPOCHS = 0.1, 3000  # below its stability bound, about 0.13
PENALTIES = tuple(10 ** (k / 4) for k in range(-32, 5))  # lambda from 1e-8 to 10


def site_figures(experiment: Experiment) -> dict[str, Callable[[], Figure]]:
    """The site's figures for a run, by name: which function draws each, from which inputs.

    `linreg --plots`, the image tests and the pages' published figures all come from here.
    Each value draws its figure when called.
    """
    from linreg.experiment import sampling_error

    e = experiment
    data, settings = e.data, e.settings
    s = settings
    figures = {
        "data": lambda: plot_data(data.X, data.y, true_W=data.true_W, true_b=data.true_b),
        "before-training": lambda: plot_predictions(
            data.X, data.y, e.initial, title="Before training"
        ),
        "parameters": lambda: plot_parameters(
            e.history, true_W=settings.true_W, true_b=settings.true_b
        ),
        "after-training": lambda: plot_predictions(data.X, data.y, e.model, title="After training"),
        "loss": lambda: plot_loss(e.history, best_loss=e.best_loss),
        "residuals": lambda: plot_residuals(data.X, data.y, settings.true_W, settings.true_b),
    }
    if e.best is None:  # x takes one value: no optimum, no landscape to draw around it
        return figures
    true = {"true_W": settings.true_W, "true_b": settings.true_b}

    def landscape_shifted() -> Figure:  # docs/landscape.py: the same sample, x shifted
        d = make_data(s.true_W, s.true_b, s.num_examples, s.noise, s.seed, x_mean=SHIFT)
        model = LinearModel.like(d.X, W=s.W0, b=s.b0)
        lr = SHIFTED_FRACTION * stability_bound(d.X)
        history = fit(model, d.X, d.y, lr=lr, num_epochs=SHIFTED_EPOCHS)
        return plot_zigzag(d.X, d.y, history, **true)

    def momentum_race() -> Figure:  # docs/momentum.py: on the shifted data, as on landscape
        from linreg.momentum import fit_momentum
        from linreg.pages.momentum import heavy_ball_tuning

        d = make_data(s.true_W, s.true_b, s.num_examples, s.noise, s.seed, x_mean=SHIFT)
        c = curvature(d.X)
        lr, mu = heavy_ball_tuning(*c.eigenvalues)
        start = {"W": s.W0, "b": s.b0}
        plain = fit(
            LinearModel.like(d.X, **start), d.X, d.y, lr=c.best_lr, num_epochs=MOMENTUM_EPOCHS
        )
        heavy = fit_momentum(
            LinearModel.like(d.X, **start), d.X, d.y, lr=lr, momentum=mu, num_epochs=MOMENTUM_EPOCHS
        )
        return plot_momentum(d.X, d.y, plain, heavy, momentum=mu)

    def runs(lrs: tuple[float, ...]) -> list[History]:  # from (W0, b0), as the pages run them
        histories = []
        for lr in lrs:
            model = LinearModel.like(data.X, W=s.W0, b=s.b0)
            try:
                histories.append(fit(model, data.X, data.y, lr=lr, num_epochs=s.num_epochs))
            except DivergenceError as error:
                histories.append(error.history)
        return histories

    @functools.cache
    def minibatch_runs() -> list[History]:
        return [
            fit(
                LinearModel.like(data.X, W=s.W0, b=s.b0),
                data.X,
                data.y,
                lr=MINIBATCH_LR,
                num_epochs=MINIBATCH_EPOCHS,
                batch_size=batch_size,
            )
            for batch_size in MINIBATCH_SIZES
        ]

    predicted = lambda: predicted_excess(data.X, data.y, s.lr, s.num_epochs, s.W0, s.b0)  # noqa: E731
    figures |= {
        "loss-slice": lambda: plot_loss_slice(data.X, data.y, e.initial, lr=s.lr),
        "landscape": lambda: plot_landscape(data.X, data.y, e.history, **true),
        "landscape-shifted": landscape_shifted,
        "excess": lambda: plot_excess(e.history, e.best_loss, predicted()),
        "contraction": lambda: plot_contraction(curvature(data.X), SWEEP),
        "momentum": momentum_race,
        "sweep": lambda: plot_losses(runs(SWEEP), best_loss=e.best_loss),
        "explorer": lambda: plot_landscape(data.X, data.y, *runs(EXPLORER_SHOWN), **true),
        "sampling-error": lambda: plot_sampling_error(
            sampling_error(SAMPLE_SIZES, SAMPLE_SEEDS, s), noise=s.noise
        ),
        "minibatch-losses": lambda: plot_losses(
            minibatch_runs(), best_loss=e.best_loss, title="Loss for each batch size"
        ),
        "parameter-noise": lambda: plot_parameter_noise(
            minibatch_runs(), e.best[0], skip=MINIBATCH_SKIP
        ),
    }
    return figures | _curve_figures()


def _curve_figures() -> dict[str, Callable[[], Figure]]:
    """The figures of docs/generalisation.py and docs/weight-decay.py, drawn from the curve
    sample (CURVE_*), not from the run: the same calls the pages make."""

    @functools.cache
    def sets(degree: int) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
        X, y = generalisation.make_curve(CURVE_EXAMPLES, CURVE_NOISE, CURVE_SEED)
        train, valid = generalisation.split(X, y, CURVE_TRAIN, CURVE_SEED)
        if not degree:
            return train, valid
        X_train, X_valid = generalisation.standardised_features(train[0], valid[0], degree)
        return (X_train, train[1]), (X_valid, valid[1])

    def stopped() -> Figure:
        (x_train, y_train), (x_valid, y_valid) = sets(0)  # in float64, as the page
        X_train, X_valid = generalisation.standardised_features(
            x_train.double(), x_valid.double(), HIGH_DEGREE
        )
        model = LinearModelND(HIGH_DEGREE, dtype=torch.float64)
        train, valid = (X_train, y_train.double()), (X_valid, y_valid.double())
        losses, _ = generalisation.early_stopping(model, train, valid, EARLY_LR, EARLY_EPOCHS)
        epoch_train, epoch_valid = zip(*losses, strict=True)
        return plot_validation(
            range(EARLY_EPOCHS), epoch_train, epoch_valid, xlabel="epoch", title="Early stopping"
        )

    @functools.cache
    def path() -> tuple[Tensor, list[float], list[float]]:
        return weight_decay.ridge_path(*sets(HIGH_DEGREE), PENALTIES)

    return {
        "degree": lambda: plot_validation(
            DEGREES,
            *generalisation.losses_by_degree(*sets(0), DEGREES),
            xlabel="degree",
            title="Loss against the degree",
        ),
        "early-stopping": stopped,
        "penalty-path": lambda: plot_coefficients(PENALTIES, path()[0]),
        "penalty": lambda: plot_validation(
            PENALTIES,
            *path()[1:],
            xlabel="penalty λ",
            title="Loss against the penalty",
            log_x=True,
        ),
    }
