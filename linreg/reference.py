"""Results derived on paper, which the hand-written training is checked against."""

from __future__ import annotations

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
    if m.n < 2 or m.sxx == 0.0:
        raise checks.ArgumentError(
            "X",
            "X needs at least two distinct values for the least-squares line to be unique; "
            "pass more examples (e.g. num_examples >= 2).",
        )
    W = m.sxy / m.sxx
    return W, m.y_mean - W * m.x_mean
