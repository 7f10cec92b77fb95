"""Results derived on paper, which the hand-written training is checked against."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from linreg import checks
from linreg.statistics import moments


def manual_gradient(
    W: Tensor | float, b: Tensor | float, X: Tensor, y: Tensor
) -> tuple[Tensor, Tensor]:
    r"""\(\partial L / \partial W\) and \(\partial L / \partial b\), derived by hand.

    For \(L = \frac1n \sum_i r_i^2\) with residuals \(r_i = W x_i + b - y_i\) they are
    \(\frac2n \sum_i r_i x_i\) and \(\frac2n \sum_i r_i\). X and y have shape (n,);
    returns two 0-d tensors.
    """
    X, y = checks.vector(X, "X"), checks.vector(y, "y", dtype=checks.dtype_of(X))
    checks.same_length(X, y)
    W, b = (checks.parameter(value, name) for value, name in ((W, "W"), (b, "b")))
    r = W * X + b - y
    return 2 * (r * X).mean(), 2 * r.mean()


def least_squares(X: Tensor, y: Tensor) -> tuple[float, float]:
    r"""\((W^*, b^*)\) minimising \(\frac1n \sum_i (W x_i + b - y_i)^2\): the closed form.

    \(W^* = \operatorname{cov}(x, y) / \operatorname{var}(x)\) and
    \(b^* = \bar y - W^* \bar x\), computed in float64 on the CPU
    from centred data, whatever the inputs' dtype and device, a chunk of examples at a
    time (`linreg.statistics.moments`: no float64 copy of all the data). Centring keeps the answer
    accurate when x has a large offset and a small spread (years, timestamps, kelvins),
    where solving for the columns x and 1 directly loses every digit of the slope.
    """
    X, y = checks.reference_data(X, y)
    m = moments(X, y)
    if m.n < 2:
        raise checks.ArgumentError(
            "X",
            f"X has {m.n} example, and a line through one point is not unique: pass at "
            "least two examples with different x.",
        )
    if not math.isfinite(m.sxx):
        raise checks.too_large("X", X, torch.float64)
    if m.sxx == 0.0:
        raise checks.ArgumentError(
            "X",
            f"all {m.n} values of X are equal in {X.dtype}, so no line through them is "
            "unique: pass X with at least two different values"
            + (
                f" (values closer together than {X.dtype} tells apart round to one number: "
                "pass float64 data)."
                if X.dtype != torch.float64
                else "."
            ),
        )
    W = m.sxy / m.sxx
    b = m.y_mean - W * m.x_mean
    if not all(map(math.isfinite, (m.syy, m.sxy, W, b))):
        raise checks.too_large("y", y, torch.float64)
    return W, b
