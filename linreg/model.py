"""The package's model: the class of the page "The model" (`linreg.pages.model`), with
what a library adds to it and a lesson leaves out: default values, `like`, a repr, and a
check of its arguments before the page's `__init__` runs."""

from __future__ import annotations

import torch

from linreg import checks
from linreg.pages import model as page
from linreg.settings import DEFAULTS


class LinearModel(page.LinearModel):
    """The line y_hat = W x + b; W and b are 0-d leaf tensors that require grad.

    Refuses, with an ArgumentError naming it, a W or b that is not finite in `dtype`, a
    `dtype` that is not floating, or a `device` that does not exist.
    """

    def __init__(
        self,
        W: float = DEFAULTS.W0,
        b: float = DEFAULTS.b0,
        *,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ) -> None:
        super().__init__(**checks.model_arguments(W, b, dtype, device))

    @classmethod
    def like(cls, X: object, W: float = DEFAULTS.W0, b: float = DEFAULTS.b0) -> LinearModel:
        """A model in the dtype and on the device of the data X (a tensor, array or list).

        Float tensors and NumPy float arrays keep their dtype; lists and integer data take
        torch's default float, as `fit` will convert them.
        """
        device = checks.vector(X, "X").device  # data, or an error naming X
        return cls(W, b, dtype=checks.dtype_of(X), device=device)

    def __repr__(self) -> str:
        """LinearModel(W=..., b=...), to four decimals."""
        return f"LinearModel(W={self.W.item():.4f}, b={self.b.item():.4f})"
