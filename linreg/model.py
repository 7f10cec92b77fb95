"""The model: y_hat = W * x + b, with W and b as tensors that require grad."""

from __future__ import annotations

import torch
from torch import Tensor

from linreg import checks

W0 = 16.0  # the seed notebook's starting slope, far from the true 3.0
B0 = 10.0  # and starting intercept, far from the true 0.5


class LinearModel:
    """A line with scalar parameters W and b, leaf tensors that require grad."""

    def __init__(
        self,
        W: float = W0,
        b: float = B0,
        *,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ) -> None:
        W = checks.finite_number(W, "W")
        b = checks.finite_number(b, "b")
        self.W = torch.tensor(W, dtype=dtype, device=device, requires_grad=True)
        self.b = torch.tensor(b, dtype=dtype, device=device, requires_grad=True)

    @classmethod
    def like(cls, X: Tensor, W: float = W0, b: float = B0) -> LinearModel:
        """A model whose parameters take the dtype and device of the data X."""
        return cls(W, b, dtype=X.dtype, device=X.device)

    def __call__(self, X: Tensor) -> Tensor:
        """Predictions W * X + b, of X's shape."""
        return self.W * X + self.b

    def parameters(self) -> list[Tensor]:
        """[W, b], the tensors that gradient descent updates."""
        return [self.W, self.b]

    def __repr__(self) -> str:
        return f"LinearModel(W={self.W.item():.4f}, b={self.b.item():.4f})"
