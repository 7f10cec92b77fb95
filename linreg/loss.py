"""The loss, written by hand: the mean of the squared residuals."""

from __future__ import annotations

import torch
from torch import Tensor


def mse_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    """Mean squared error between predictions y_hat (n,) and targets y (n,); a 0-d tensor.

    The shapes must match exactly: y_hat of shape (n, 1) against y of shape (n,) would
    broadcast to an (n, n) matrix of every prediction minus every target, and its mean is
    a number with no meaning.
    """
    if y_hat.shape != y.shape:
        try:
            result = (
                f"would broadcast to shape {tuple(torch.broadcast_shapes(y_hat.shape, y.shape))}"
            )
        except RuntimeError:
            result = "do not even broadcast"
        raise ValueError(
            f"y_hat has shape {tuple(y_hat.shape)} but y has shape {tuple(y.shape)}: their "
            f"residuals {result}, not one per example. Make both 1-D, e.g. y_hat.reshape(-1)."
        )
    return ((y_hat - y) ** 2).mean()
