"""Results derived on paper, which the hand-written training is checked against."""

from __future__ import annotations

import torch
from torch import Tensor

from linreg import checks


def manual_gradient(
    W: Tensor | float, b: Tensor | float, X: Tensor, y: Tensor
) -> tuple[Tensor, Tensor]:
    """(dL/dW, dL/db) of L = mean((W x + b - y)^2), derived by hand: 2 mean(r x), 2 mean(r).

    X and y have shape (n,); r = W x + b - y is the residual. Returns two 0-d tensors.
    """
    X, y = checks.as_data(X, y)
    r = W * X + b - y
    return 2 * (r * X).mean(), 2 * r.mean()


def least_squares(X: Tensor, y: Tensor) -> tuple[float, float]:
    """(W*, b*) minimising mean((W x + b - y)^2) over the sample, from torch.linalg.lstsq.

    Solved in float64 on the CPU, whatever the data's dtype and device, so that it can
    serve as the oracle for training in float32.
    """
    X, y = checks.as_data(X, y)
    X64, y64 = X.cpu().double(), y.cpu().double()
    if len(X64) < 2 or bool((X64 == X64[0]).all()):
        raise ValueError(
            "X needs at least two distinct values for the least-squares line to be unique; "
            "pass more examples (e.g. num_examples >= 2)."
        )
    A = torch.stack([X64, torch.ones_like(X64)], dim=1)  # (n, 2): columns x and 1
    W, b = torch.linalg.lstsq(A, y64.unsqueeze(1)).solution.squeeze(1).tolist()
    return W, b


def stability_bound(X: Tensor) -> float:
    """The largest learning rate for which gradient descent on the MSE converges.

    The loss is quadratic in (W, b) with Hessian 2 H, H = [[mean(x^2), mean(x)],
    [mean(x), 1]]; each step multiplies the error along an eigenvector of H by
    1 - 2 lr lambda, so training converges exactly when lr < 1 / lambda_max(H).
    """
    X = checks.as_vector(X, "X").cpu().double()
    m1, m2 = X.mean(), (X**2).mean()
    H = torch.stack([torch.stack([m2, m1]), torch.stack([m1, torch.ones_like(m1)])])
    return 1.0 / torch.linalg.eigvalsh(H)[-1].item()
