"""Results derived on paper, which the hand-written training is checked against."""

from __future__ import annotations

import math
import sys

import torch
from torch import Tensor

from linreg import checks
from linreg.statistics import moments, power_of_two_exponent


def manual_gradient(
    W: Tensor | float, b: Tensor | float, X: Tensor, y: Tensor
) -> tuple[Tensor, Tensor]:
    r"""\(\partial L / \partial W\) and \(\partial L / \partial b\), derived by hand.

    For \(L = \frac1n \sum_i r_i^2\) with residuals \(r_i = W x_i + b - y_i\) they are
    \(\frac2n \sum_i r_i x_i\) and \(\frac2n \sum_i r_i\). X and y have shape (n,);
    returns two 0-d tensors, computed in X's dtype (a list's: torch's default), as autograd
    computes them on the same tensors.
    """
    X = checks.vector(X, "X")
    if isinstance(y, Tensor) and y.is_floating_point() and y.dtype != X.dtype:
        raise checks.ArgumentError(
            "y", f"y is {y.dtype} but X is {X.dtype}: convert one, e.g. y.to({X.dtype})."
        )
    y = checks.vector(y, "y", dtype=X.dtype, device=X.device)
    checks.same_length(X, y)
    checks.within_range(X, "X")
    checks.within_range(y, "y")
    W, b = (checks.parameter(value, name) for value, name in ((W, "W"), (b, "b")))
    r = W * X + b - y
    dW, db = 2 * (r * X).mean(), 2 * r.mean()
    if not (torch.isfinite(dW) and torch.isfinite(db)):
        raise checks.ArgumentError(
            "W",
            f"the gradient at W={float(W):g}, b={float(b):g} overflows {X.dtype} on this data: "
            "take W and b nearer the data's slope and intercept",
            ", or use float64 data.",
        )
    return dW, db


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
    # The sums are taken of X and y scaled by powers of two to near 1, exactly, so that
    # they neither overflow nor sink into float64's subnormal range; then scaled back.
    kx, ky = power_of_two_exponent(X), power_of_two_exponent(y)
    m = moments(X, y, scale=(2.0**kx, 2.0**ky))
    if m.n < 2:
        raise checks.ArgumentError(
            "X",
            f"X has {m.n} example, and a line through one point is not unique: pass at "
            "least two examples with different x.",
        )
    if not math.isfinite(m.sxx):
        raise checks.too_large("X", X, torch.float64)
    # Equal values can still leave a rounding error in sxx (three 0.1s do): test them as such
    if m.sxx == 0.0 or bool(X.min() == X.max()):
        raise checks.ArgumentError(
            "X",
            f"all {m.n} values of X are equal in {X.dtype}, so no line through them is "
            "unique: pass X with at least two different values",
            (
                f" (values closer together than {X.dtype} tells apart round to one number: "
                "pass float64 data)."
                if X.dtype != torch.float64
                else "."
            ),
        )
    W_scaled = m.sxy / m.sxx
    try:  # back to the data's scale: W = W' * 2 ** (kx - ky), b = b' * 2 ** -ky
        W = math.ldexp(W_scaled, kx - ky)
        b = math.ldexp(m.y_mean - W_scaled * m.x_mean, -ky)
    except OverflowError:
        W = b = math.inf
    if not all(map(math.isfinite, (m.syy, m.sxy, W, b))):
        raise checks.ArgumentError(
            "y",
            "the least-squares slope of y on X is beyond float64's range "
            f"({sys.float_info.max:.3g}): rescale y or X.",
        )
    return W, b
