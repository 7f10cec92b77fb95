r"""The curvature of the loss, and what it says about the learning rate.

The loss is quadratic in \((W, b)\): \(L = L^* + e^\top H e\), where \(e = (W - W^*,
b - b^*)\) is the distance from the least-squares optimum and
\(H = \begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1 \end{pmatrix}\) (a bar is a
mean over the sample). Its gradient is \(2 H e\), so a gradient step with learning rate
\(\eta\) (`lr`) maps \(e\) to \((I - 2\eta H) e\): the part of \(e\) along an eigenvector
of \(H\) with eigenvalue \(\lambda\) is multiplied by \(1 - 2\eta\lambda\). The steps
converge exactly when \(\eta < 1 / \lambda_{\max}\), and fastest, for a constant \(\eta\), at
\(\eta = 1 / (\lambda_{\min} + \lambda_{\max})\).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from linreg import checks
from linreg.pages import learning_rate as page
from linreg.reference import least_squares
from linreg.settings import DEFAULTS


def curvature_matrix(X: Tensor) -> Tensor:
    r"""\(H = \begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1 \end{pmatrix}\), in float64.

    X has shape (n,). The loss's Hessian, its matrix of second derivatives, is \(2H\). The
    page's `linreg.pages.learning_rate.curvature_matrix`, behind a check of X.
    """
    X = checks.reference_vector(X, "X")
    H = page.curvature_matrix(X)
    if not torch.isfinite(H).all():
        raise checks.too_large("X", X, torch.float64)
    return H


@dataclass(frozen=True)
class Curvature:
    """The eigenvalues and eigenvectors of H, and the learning rates they allow."""

    H: Tensor
    """The 2 x 2 matrix H, float64."""
    eigenvalues: tuple[float, float]
    r"""\((\lambda_{\min}, \lambda_{\max})\)."""
    eigenvectors: Tensor
    """The unit eigenvectors, as the columns of a 2 x 2 float64 matrix, in the same order."""

    @property
    def bound(self) -> float:
        r"""The stability bound \(1/\lambda_{\max}\): gradient descent converges for lr below it."""
        return 1.0 / self.eigenvalues[1]

    @property
    def best_lr(self) -> float:
        r"""\(1 / (\lambda_{\min} + \lambda_{\max})\): the constant lr whose slowest part
        shrinks fastest."""
        return 1.0 / sum(self.eigenvalues)

    @property
    def condition_number(self) -> float:
        r"""\(\lambda_{\max} / \lambda_{\min}\): how much more steeply the bowl curves one
        way than the other."""
        low, high = self.eigenvalues
        return high / low if low > 0 else float("inf")

    def factors(self, lr: float) -> tuple[float, float]:
        r"""\(1 - 2\,\mathrm{lr}\,\lambda\) for each eigenvalue: what one step multiplies
        each part of e by."""
        return tuple(1.0 - 2.0 * lr * lam for lam in self.eigenvalues)

    def contraction(self, lr: float) -> float:
        """The largest of |factors(lr)|: the distance to the optimum shrinks at least this much
        per step (it grows when this is above 1)."""
        return max(abs(f) for f in self.factors(lr))


def curvature(X: Tensor) -> Curvature:
    """H for inputs X of shape (n,), with its eigenvalues and eigenvectors (float64)."""
    H = curvature_matrix(X)
    values, vectors = torch.linalg.eigh(H)  # ascending eigenvalues
    return Curvature(H, (values[0].item(), values[1].item()), vectors)


def stability_bound(X: Tensor) -> float:
    r"""The learning rate below which gradient descent on the MSE converges, \(1/\lambda_{\max}\).

    X has shape (n,); H (see the module) and its largest eigenvalue are computed in float64.
    The page's `linreg.pages.learning_rate.stability_bound`, behind a check of X.
    """
    X = checks.reference_vector(X, "X")
    bound = page.stability_bound(X)
    if not bound > 0:  # the mean of x ** 2 overflowed float64 (1 / inf, or NaN)
        raise checks.too_large("X", X, torch.float64)
    return bound


def predicted_excess(
    X: Tensor,
    y: Tensor,
    lr: float,
    num_epochs: int = DEFAULTS.num_epochs,
    W0: float = DEFAULTS.W0,
    b0: float = DEFAULTS.b0,
) -> list[float]:
    r"""The excess loss \(L - L^*\) at the start of each epoch, as the theory predicts it.

    Starting from (W0, b0), the part \(c_i\) of \(e\) along eigenvector \(i\) becomes
    \(c_i (1 - 2\eta\lambda_i)^t\) after t steps, and \(L - L^* = \sum_i \lambda_i c_i^2
    (1 - 2\eta\lambda_i)^{2t}\). Computed in float64 from the data alone, without training.
    """
    lr = checks.learning_rate(lr)
    num_epochs = checks.whole_number(num_epochs, "num_epochs", 0, DEFAULTS.num_epochs)
    W0 = checks.finite_number(W0, "W0", "16.0")
    b0 = checks.finite_number(b0, "b0", "10.0")
    W_best, b_best = least_squares(X, y)
    c = curvature(X)
    parts = c.eigenvectors.T @ torch.tensor([W0 - W_best, b0 - b_best], dtype=torch.float64)
    lam = torch.tensor(c.eigenvalues, dtype=torch.float64)
    factor = 1.0 - 2.0 * lr * lam
    return [(lam * (factor**t * parts) ** 2).sum().item() for t in range(num_epochs)]
