"""The loss, written by hand: the mean of the squared residuals; and the same loss from a
sample's sufficient statistics alone (linreg.statistics.Moments)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from torch import Tensor

if TYPE_CHECKING:
    from linreg.statistics import Moments


def mse_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    """Mean squared error of predictions y_hat (n,) against targets y (n,); a 0-d tensor.

    Trusts its inputs: the checks run before it is called (linreg.checks).
    """
    return ((y_hat - y) ** 2).mean()


def moments_loss(W: Tensor, b: Tensor, m: Moments) -> Tensor:
    """The MSE of the line W x + b on a sample, from its Moments alone: the same number
    as mse_loss on all the data (up to rounding), in O(1) whatever n; a 0-d tensor.

    With x = x_mean + dx and y = y_mean + dy, the residual is W dx - dy + (W x_mean + b -
    y_mean), and the centred dx and dy sum to zero.
    """
    offset = W * m.x_mean + b - m.y_mean
    return (W * W * m.sxx - 2 * W * m.sxy + m.syy) / m.n + offset * offset
