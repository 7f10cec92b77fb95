"""The tutorial's figures: each function draws on an Axes and returns its Figure.

Figures are built with `Figure()` rather than pyplot, so nothing global is touched and a
notebook shows each one exactly once. They carry alt text and display in Jupyter as an
HTML image with that alt text, from PNG bytes that hold no version string or timestamp.
Outside Jupyter, `fig.show()` opens a window (or writes a PNG where no window can open).
`site_figures` says which function draws each of the site's figures, from which run.
"""

from __future__ import annotations

import base64
import html
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import Tensor

from linreg.model import LinearModel
from linreg.training import History

if TYPE_CHECKING:
    from linreg.experiment import Experiment

FIGSIZE = (6.4, 4.0)  # inches; at DPI 100 a 640 x 400 image, the width of the site's column
DPI = 100
TRUE_COLOR = "tab:blue"  # the data, and the true line
MODEL_COLOR = "tab:orange"  # the model's predictions
W_COLOR, B_COLOR = "tab:red", "tab:blue"  # the original notebook's colours for W and b
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
    """Scatter of the targets y ("true") and the predictions model(X) ("predicted")."""
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
    ax.scatter(X, y, s=8, alpha=0.5, color=TRUE_COLOR, label=f"true{note}")
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
        alt = (
            f"Line plot of W and b over {len(history.Ws)} epochs. W goes from "
            f"{history.Ws[0]:g} to {history.W:.2f} (true value {true_W:g}) and b from "
            f"{history.bs[0]:g} to {history.b:.2f} (true value {true_b:g})."
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


def site_figures(experiment: Experiment) -> dict[str, Callable[[], Figure]]:
    """The site's figures for a run, by name: which function draws each, from which inputs.

    `linreg --plots`, the image tests and the pages' published figures all come from here.
    Each value draws its figure when called.
    """
    e = experiment
    data, settings = e.data, e.settings
    return {
        "data": lambda: plot_data(data.X, data.y, true_W=data.true_W, true_b=data.true_b),
        "before-training": lambda: plot_predictions(
            data.X, data.y, e.initial, title="Before training"
        ),
        "parameters": lambda: plot_parameters(
            e.history, true_W=settings.true_W, true_b=settings.true_b
        ),
        "after-training": lambda: plot_predictions(data.X, data.y, e.model, title="After training"),
        "loss": lambda: plot_loss(e.history, best_loss=e.best_loss),
    }
