"""Training by hand: one gradient-descent step, and the loop that records a history."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import Tensor

from linreg import checks
from linreg.loss import mse_loss
from linreg.model import LinearModel
from linreg.reference import stability_bound


def gradient_step(model: LinearModel, X: Tensor, y: Tensor, lr: float) -> Tensor:
    """Update model.W and model.b in place by one step of gradient descent on the MSE.

    Returns the loss at the parameters *before* the update (a detached 0-d tensor), so the
    one forward pass serves both for logging and for the gradient.
    """
    lr = checks.learning_rate(lr)
    loss = mse_loss(model(X), y)  # forward
    loss.backward()  # backward: fills W.grad and b.grad with dL/dW and dL/db
    with torch.no_grad():  # the update itself must not become part of the graph
        for param in model.parameters():
            param -= lr * param.grad
            param.grad.zero_()  # backward() adds to .grad, so clear it for the next step
    return loss.detach()


@dataclass
class History:
    """What `fit` saw: per epoch, the loss, W and b *before* that epoch's update."""

    lr: float  # the learning rate of the run
    losses: list[float] = field(default_factory=list)  # losses[e]: loss at the start of epoch e
    Ws: list[float] = field(default_factory=list)  # Ws[e]: W at the start of epoch e
    bs: list[float] = field(default_factory=list)  # bs[e]: b at the start of epoch e
    W: float = math.nan  # W after the last update
    b: float = math.nan  # b after the last update


class DivergenceError(ArithmeticError):
    """Training diverged because lr is above the stability bound; `.history` holds the run."""

    def __init__(self, message: str, history: History, bound: float) -> None:
        super().__init__(message)
        self.history = history
        self.bound = bound


def fit(
    model: LinearModel,
    X: Tensor,
    y: Tensor,
    *,
    lr: float = 0.1,
    num_epochs: int = 20,
) -> History:
    """Train `model` in place with `num_epochs` gradient steps on (X, y), each of shape (n,).

    Raises DivergenceError as soon as the loss is not finite or rises: below the stability
    bound the loss of gradient descent on this quadratic never rises, so a rise means that
    lr is too large. The error carries the history up to that epoch.
    """
    X, y = checks.as_data(X, y)
    lr = checks.learning_rate(lr)
    num_epochs = checks.num_epochs(num_epochs)
    if model.W.dtype != X.dtype or model.W.device != X.device:
        raise ValueError(
            f"model is {model.W.dtype} on {model.W.device} but X is {X.dtype} on {X.device}: "
            "build the model with LinearModel.like(X) so that it follows the data."
        )

    history = History(lr=lr)
    for epoch in range(num_epochs):
        W, b = model.W.item(), model.b.item()
        loss = gradient_step(model, X, y, lr).item()
        history.losses.append(loss)
        history.Ws.append(W)
        history.bs.append(b)
        if epoch == 0 and not math.isfinite(loss):  # before any step: not the rate's fault
            raise ValueError(
                f"the initial loss is {loss}: the data or the initial W={W:g}, b={b:g} are too "
                f"large for {X.dtype}. Rescale X and y, or start from smaller W and b."
            )
        if not math.isfinite(loss) or (epoch > 0 and loss > history.losses[-2] * (1 + 1e-4)):
            history.W, history.b = model.W.item(), model.b.item()
            bound = stability_bound(X)
            raise DivergenceError(
                f"training diverged at epoch {epoch}: the loss went from "
                f"{history.losses[0]:.4g} to {loss:.4g}. lr={lr:g} is above the stability "
                f"bound for this data (gradient descent converges only for lr < {bound:.4g}); "
                f"pass a smaller lr, e.g. lr={_round_down(bound / 2)}.",
                history,
                bound,
            )
    history.W, history.b = model.W.item(), model.b.item()
    return history


def _round_down(value: float) -> float:
    """`value` rounded down to one significant figure, for a suggestion a reader can type."""
    scale = 10 ** math.floor(math.log10(value))
    return math.floor(value / scale) * scale
