"""`fit`: the loops the pages write, behind a check of their arguments and a watch for
divergence.

The steps and the loops are the pages' (`linreg.pages`): `gradient_step` and `train` from
"The gradient step" and "Training", `train_minibatch` from "Mini-batches",
`gradient_step_in_chunks` and `train_on_moments` from "When the data grows". They trust
their inputs; `fit` checks them once, on entry, runs the loop that fits the data, records
each epoch in a History and watches the loss beside the loop rather than inside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.distributed
from torch import Tensor

from linreg import checks
from linreg.curvature import stability_bound
from linreg.model import LinearModel
from linreg.pages.gradient import gradient_step
from linreg.pages.large_data import gradient_step_in_chunks, train_on_moments
from linreg.pages.loss import mse_loss
from linreg.pages.minibatch import batches, train_minibatch
from linreg.pages.training import train
from linreg.settings import DEFAULTS
from linreg.statistics import CHUNK

__all__ = [
    "DivergenceError",
    "History",
    "batches",
    "fit",
    "gradient_step",
    "gradient_step_in_chunks",
    "train",
    "train_minibatch",
    "train_on_moments",
]


@dataclass
class History:
    """What `fit` saw: per epoch, the loss, W and b *before* that epoch's update."""

    lr: float
    """The learning rate of the run."""
    batch_size: int | None = None
    """The mini-batch size, or None: each step on all the data."""
    losses: list[float] = field(default_factory=list)
    """`losses[e]`: the loss at the start of epoch e."""
    Ws: list[float] = field(default_factory=list)
    """`Ws[e]`: W at the start of epoch e."""
    bs: list[float] = field(default_factory=list)
    """`bs[e]`: b at the start of epoch e."""
    W: float = math.nan
    """W after the last update."""
    b: float = math.nan
    """b after the last update."""


class DivergenceError(ArithmeticError):
    """Training diverged: the loss rose by more than rounding explains, or overflowed.

    `.history` holds the run so far, `.bound` the stability bound of the data (lr is
    normally above it) and `.suggested_lr` a smaller learning rate to try. `fit` has put
    the model back as it came in, so a second call with that lr starts where this one did.
    """

    def __init__(self, message: str, history: History, bound: float, suggested_lr: float) -> None:
        super().__init__(message)
        self.history = history
        self.bound = bound
        self.suggested_lr = suggested_lr


def fit(
    model: LinearModel,
    X: Tensor,
    y: Tensor,
    *,
    lr: float = DEFAULTS.lr,
    num_epochs: int = DEFAULTS.num_epochs,
    on_epoch: Callable[[int, float], object] | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    distributed: bool = False,
) -> History:
    """Train `model` in place for `num_epochs` epochs on (X, y), each of shape (n,).

    An epoch is one gradient step on all the data (`train`), or with `batch_size`, one step
    per mini-batch of a shuffle drawn from a generator seeded with `seed` (default
    `DEFAULTS.seed`; a seed without a batch size is refused: full batches draw nothing)
    (`train_minibatch`). Checks every argument once, on entry, and records each epoch in a
    History. Below the stability bound the loss of full-batch gradient descent on this
    quadratic never rises, so a rise larger than rounding can explain, or an overflow,
    raises DivergenceError with the history so far; with mini-batches the loss is noisy,
    and only an overflow or a tenfold rise over the start does.

    A call that raises (an ArgumentError, a DivergenceError, an error of `on_epoch`,
    Ctrl-C) leaves the model as it was: W, b and their .grad as they came in.

    With `distributed=True`, this process is one of a torch.distributed group (started by
    torchrun, or `linreg.distributed.launch`), (X, y) is its shard, and each step is one on
    all the shards' data (`linreg.distributed.train_distributed`): every process of the
    group must call fit with the same arguments but its own shard.
    """

    def checked():
        model_ = checks.linear_model(model)
        X_, y_ = checks.model_data(model_, X, y)
        sums = checks.within_range(X_, "X"), checks.within_range(y_, "y")
        lr_ = checks.representable(checks.learning_rate(lr), "lr", model_.W.dtype)
        epochs = checks.whole_number(num_epochs, "num_epochs", 0, DEFAULTS.num_epochs)
        return model_, X_, y_, sums, lr_, epochs

    checks.callback(on_epoch)
    if checks.flag(distributed, "distributed"):
        from linreg import distributed as group

        checks.in_process_group(batch_size)
        if seed is not None:
            raise _seed_without_batches()
        # Each process checks its own shard, and all refuse or none does: one that stopped
        # alone would leave the others waiting in the first collective.
        model, X, y, sums, lr, num_epochs = group.agreed(checked)
        start = checks.snapshot(model)
        steps = group.train_distributed(model, X, y, lr, num_epochs)
    else:
        if batch_size is not None:
            batch_size = checks.whole_number(batch_size, "batch_size", 1, 32)
            seed = checks.whole_number(
                DEFAULTS.seed if seed is None else seed, "seed", 0, DEFAULTS.seed, high=2**32 - 1
            )
        elif seed is not None:
            raise _seed_without_batches()
        model, X, y, sums, lr, num_epochs = checked()
        start = checks.snapshot(model)
        if batch_size is None:
            step = gradient_step if len(X) <= CHUNK else gradient_step_in_chunks
            steps = train(model, X, y, lr, num_epochs, step)
        else:
            generator = torch.Generator().manual_seed(seed)
            steps = train_minibatch(model, X, y, lr, num_epochs, batch_size, generator)

    history = History(lr=lr, batch_size=batch_size)
    try:
        watch = _DivergenceWatch(X, y, sums, noisy=batch_size is not None, distributed=distributed)
        for loss, W, b in steps:
            history.losses.append(loss)
            history.Ws.append(W)
            history.bs.append(b)
            watch(history, model)
            if on_epoch is not None:
                on_epoch(len(history.losses) - 1, loss)
        history.W, history.b = model.W.item(), model.b.item()
    except BaseException:
        checks.restore(model, start)  # a call that fails changes nothing
        raise
    return history


def _seed_without_batches() -> checks.ArgumentError:
    return checks.ArgumentError(
        "seed",
        "seed shuffles the mini-batches, and full-batch training (batch_size=None) draws "
        "nothing: pass a batch_size too, or leave seed out.",
    )


class _DivergenceWatch:
    """Raises as soon as the loss overflows or rises by more than rounding can explain.

    In exact arithmetic the loss never rises below the stability bound. In floating point
    a converged loss jitters: each residual W x + b - y carries a rounding error of about
    eps * S, where S = rms(y) + |W| rms(x) + |b| is the size of the numbers subtracted, so
    the loss L itself is only known to about eps * (L + S sqrt(L)) + (eps S)^2. A rise
    within a generous multiple of that is noise, not divergence.
    """

    SLACK = 64  # multiples of the rounding estimate that a rise must exceed

    def __init__(
        self,
        X: Tensor,
        y: Tensor,
        sums: tuple[float, float],
        noisy: bool = False,
        distributed: bool = False,
    ):
        self.X, self.y = X, y
        self.noisy = noisy  # mini-batches: the loss may rise from one epoch to the next
        self.eps = torch.finfo(X.dtype).eps
        # A process of a group sees its shard: the sizes come from all the shards, so that
        # every process decides alike (one that stopped alone would leave the others waiting).
        self.distributed = distributed
        # sums: those of X ** 2 and y ** 2 that the checks took
        totals = torch.tensor([*sums, len(X)], dtype=torch.float64)
        if distributed:
            torch.distributed.all_reduce(totals)
        n = totals[2].item()
        self.x_rms, self.y_rms = (math.sqrt(total / n) for total in totals[:2].tolist())

    def rounding(self, loss: float, W: float, b: float) -> float:
        """How much the computed loss can move by rounding alone at (W, b)."""
        scale = self.SLACK * self.eps * (self.y_rms + abs(W) * self.x_rms + abs(b))
        return self.SLACK * self.eps * loss + scale * math.sqrt(loss) + scale**2

    def __call__(self, history: History, model: LinearModel) -> None:
        epoch, loss = len(history.losses) - 1, history.losses[-1]
        W, b = history.Ws[-1], history.bs[-1]
        if epoch == 0:
            self.first_step(history, model)
            return
        previous = history.losses[-2]
        if math.isfinite(loss) and loss - previous <= self.rounding(previous, W, b):
            return
        if self.noisy and math.isfinite(loss) and loss <= 10 * history.losses[0]:
            return
        history.W, history.b = model.W.item(), model.b.item()
        bound = stability_bound(self.X)
        lr = history.lr
        suggestion = _round_down(min(lr, bound) / 2)
        if lr >= bound:
            why = (
                f"lr={lr:g} is above the stability bound for this data (gradient descent "
                f"converges only for lr < {bound:.4g})"
            )
        else:  # not expected in exact arithmetic: say what was seen
            why = (
                f"lr={lr:g} is below the stability bound {bound:.4g}, so the rise comes from "
                f"rounding in {self.X.dtype}; try float64 data"
            )
        raise DivergenceError(
            f"training diverged at epoch {epoch}: the loss went from {history.losses[0]:.4g} "
            f"to {loss:.4g}. {why}; pass a smaller lr, such as {suggestion}.",
            history,
            bound,
            suggestion,
        )

    def first_step(self, history: History, model: LinearModel) -> None:
        """Before any step, an infinite loss is the data's or the start's fault, not lr's;
        and a first step that moved neither W nor b means lr is too small for the dtype."""
        loss, W, b = history.losses[0], history.Ws[0], history.bs[0]
        dtype = self.X.dtype
        if not math.isfinite(loss):
            sizes = {"y": self.y_rms, "W": abs(W) * self.x_rms, "b": abs(b)}
            name = max(sizes, key=sizes.__getitem__)
            fix = (
                "rescale y (or use float64 data)" if name == "y" else f"start from a smaller {name}"
            )
            raise checks.ArgumentError(
                name,
                f"the initial loss is {loss}: the data or the initial W={W:g}, b={b:g} are too "
                f"large for {dtype}, and {name} is the largest term. {fix[0].upper()}{fix[1:]}.",
            )
        if (model.W.item(), model.b.item()) == (W, b) and not self.distributed:
            self.step_too_small(history, model)  # (on a shard it would judge by the shard)

    def step_too_small(self, history: History, model: LinearModel) -> None:
        """The first step moved neither W nor b. If a step of a sensible size would lower the
        loss by more than rounding, lr is too small for the dtype; if not, the model has
        already converged as far as the dtype allows, and that is no error."""
        suggestion = _round_down(stability_bound(self.X) / 2)
        loss = mse_loss(model(self.X), self.y)
        loss.backward()
        with torch.no_grad():
            W, b = model.W - suggestion * model.W.grad, model.b - suggestion * model.b.grad
            gain = loss.item() - mse_loss(W * self.X + b, self.y).item()
        for param in model.parameters():
            param.grad = None
        if gain > self.rounding(loss.item(), model.W.item(), model.b.item()):
            raise checks.ArgumentError(
                "lr",
                f"lr={history.lr:g} is too small to change W or b in {self.X.dtype}: the first "
                f"step moved neither (lr times the gradient rounds away against "
                f"W={history.Ws[0]:g}, b={history.bs[0]:g}). Pass a larger lr, such as "
                f"{suggestion}.",
            )


def _round_down(value: float) -> float:
    """`value` rounded down to one significant figure, for a suggestion a reader can type."""
    scale = 10 ** math.floor(math.log10(value))
    return float(f"{math.floor(value / scale) * scale:.1g}")
