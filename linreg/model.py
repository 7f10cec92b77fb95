"""The model: y_hat = W x + b, with W and b as tensors that require grad."""

from __future__ import annotations

import torch
from torch import Tensor

from linreg import checks
from linreg.settings import DEFAULTS


@checks.checked_init(checks.model_arguments)  # W, b finite in dtype; dtype, device real
class LinearModel:
    """The line y_hat = W x + b; W and b are 0-d leaf tensors that require grad."""

    def __init__(
        self,
        W: float = DEFAULTS.W0,
        b: float = DEFAULTS.b0,
        *,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ) -> None:
        self.W = torch.tensor(W, dtype=dtype, device=device, requires_grad=True)
        self.b = torch.tensor(b, dtype=dtype, device=device, requires_grad=True)

    def __call__(self, X: Tensor) -> Tensor:
        """Predictions W * X + b, one per example: the shape of X."""
        return self.W * X + self.b

    def parameters(self) -> list[Tensor]:
        """[W, b], the tensors that gradient descent updates."""
        return [self.W, self.b]

    @classmethod
    def like(cls, X: object, W: float = DEFAULTS.W0, b: float = DEFAULTS.b0) -> LinearModel:
        """A model in the dtype and on the device of the data X (a tensor, array or list).

        Float tensors and NumPy float arrays keep their dtype; lists and integer data take
        torch's default float, as `fit` will convert them.
        """
        device = X.device if isinstance(X, Tensor) else "cpu"
        return cls(W, b, dtype=checks.dtype_of(X), device=device)

    def __repr__(self) -> str:
        """LinearModel(W=..., b=...), to four decimals."""
        return f"LinearModel(W={self.W.item():.4f}, b={self.b.item():.4f})"
