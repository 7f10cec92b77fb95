"""The curvature of the loss, and the largest learning rate that it allows.

The loss is quadratic in (W, b): L = L* + e^T H e, where e is the distance from the
optimum and H = [[mean(x^2), mean(x)], [mean(x), 1]]. Each gradient step multiplies the
part of e along an eigenvector of H with eigenvalue lambda by 1 - 2 lr lambda, so the
steps converge exactly when lr < 1 / lambda_max.
"""

from __future__ import annotations

import torch
from torch import Tensor

from linreg import checks


def stability_bound(X: Tensor) -> float:
    """The learning rate below which gradient descent on the MSE converges: 1 / lambda_max(H).

    X has shape (n,); H = [[mean(x^2), mean(x)], [mean(x), 1]] is computed in float64.
    """
    X = checks.vector(X, "X", dtype=torch.float64, device="cpu")
    m1, m2 = X.mean(), (X**2).mean()
    H = torch.stack([torch.stack([m2, m1]), torch.stack([m1, torch.ones_like(m1)])])
    return 1.0 / torch.linalg.eigvalsh(H)[-1].item()
