r"""The curvature of the loss, and the largest learning rate that it allows.

The loss is quadratic in \((W, b)\): \(L = L^* + e^\top H e\), where \(e\) is the distance
from the optimum and \(H = \begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1
\end{pmatrix}\) (a bar is a mean over the sample). Each gradient step multiplies the part
of \(e\) along an eigenvector of \(H\) with eigenvalue \(\lambda\) by
\(1 - 2 \eta \lambda\), where \(\eta\) is `lr`, so the steps converge exactly when
\(\eta < 1 / \lambda_{\max}\).
"""

from __future__ import annotations

import torch
from torch import Tensor

from linreg import checks


def stability_bound(X: Tensor) -> float:
    r"""The learning rate below which gradient descent on the MSE converges, \(1/\lambda_{\max}\).

    X has shape (n,); \(H\) (see the module) and its largest eigenvalue are computed in
    float64.
    """
    X = checks.vector(X, "X", dtype=torch.float64, device="cpu")
    m1, m2 = X.mean(), (X**2).mean()
    H = torch.stack([torch.stack([m2, m1]), torch.stack([m1, torch.ones_like(m1)])])
    return 1.0 / torch.linalg.eigvalsh(H)[-1].item()
