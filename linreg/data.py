"""The synthetic data set: y = true_W * x + true_b + noise, drawn from a seeded generator."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from linreg import checks
from linreg.settings import DEFAULTS
from linreg.statistics import chunks, sum_of_squares

DRAW_DTYPE = torch.float32  # every dtype rounds this one sample


@dataclass(frozen=True)
class Data:
    """Inputs X (n,), targets y (n,) and the line they were drawn from."""

    X: Tensor
    """(n,) inputs, x ~ N(x_mean, 1)."""
    y: Tensor
    """(n,) targets."""
    true_W: float
    """Slope of the line that generated y."""
    true_b: float
    """Intercept of that line."""
    noise: float
    """Standard deviation of the noise added to y."""


def make_data(
    true_W: float = DEFAULTS.true_W,
    true_b: float = DEFAULTS.true_b,
    num_examples: int = DEFAULTS.num_examples,
    noise: float = DEFAULTS.noise,
    seed: int = DEFAULTS.seed,
    *,
    x_mean: float = 0.0,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> Data:
    r"""Draw \(x \sim \mathcal N(\mathrm{x\_mean}, 1)\) and
    \(y = \mathrm{true\_W}\, x + \mathrm{true\_b} + \mathrm{noise}\cdot\varepsilon\) with
    \(\varepsilon \sim \mathcal N(0, 1)\); shapes (n,).

    A local generator seeded with `seed` makes the same arguments give bit-identical tensors,
    and the global RNG is left alone. The draws are made in float32 on the CPU, then rounded
    to `dtype` and moved to `device`: every dtype and device gets the same sample. A
    nonzero `x_mean` shifts that same sample of x (and y with it, along the same line).
    """
    true_W = checks.finite_number(true_W, "true_W", "3.0")
    true_b = checks.finite_number(true_b, "true_b", "0.5")
    noise = checks.finite_number(noise, "noise", "1.0")
    x_mean = checks.finite_number(x_mean, "x_mean", "5.0")
    if noise < 0:
        raise checks.ArgumentError(
            "noise", f"noise is a standard deviation and must be >= 0; got {noise}."
        )
    num_examples = checks.whole_number(num_examples, "num_examples", 1, DEFAULTS.num_examples)
    # The CPU generator keeps 32 bits of its seed: larger seeds would repeat smaller ones.
    seed = checks.whole_number(seed, "seed", 0, DEFAULTS.seed, high=2**32 - 1)
    dtype = checks.floating_dtype(dtype)
    device = checks.torch_device(device)
    # X and y, and the float32 draws on their way to dtype
    checks.memory(num_examples, 2 * dtype.itemsize + 2 * 4, "the data alone")

    generator = torch.Generator().manual_seed(seed)
    size = (num_examples,)
    X = torch.normal(0.0, 1.0, size=size, generator=generator, dtype=DRAW_DTYPE).to(dtype)
    if x_mean:  # shifted in dtype: float64 keeps the sample's spread around a large x_mean
        X.add_(x_mean)
    y = torch.normal(0.0, 1.0, size=size, generator=generator, dtype=DRAW_DTYPE).to(dtype)
    # y = X * true_W + true_b + noise * eps, computed in place a chunk at a time: the same
    # operations in the same order, without three temporaries the size of the data
    for X_c, y_c in chunks(X, y):
        torch.add(X_c * true_W + true_b, y_c.mul_(noise), out=y_c)
    _check_range(y, dtype, {"true_W": true_W, "true_b": true_b, "noise": noise, "x_mean": x_mean})
    return Data(X=X.to(device), y=y.to(device), true_W=true_W, true_b=true_b, noise=noise)


def _check_range(y: Tensor, dtype: torch.dtype, terms: dict[str, float]) -> None:
    """Refuse targets whose squares overflow `dtype`: no loss could be computed on them."""
    # The loss sums the squares before dividing by n, so their sum must fit in dtype too.
    if sum_of_squares(y) <= torch.finfo(dtype).max:
        return
    largest = y.abs().max().item()
    name = max(terms, key=lambda key: abs(terms[key]))
    raise checks.ArgumentError(
        name,
        f"{name}={terms[name]:g} makes y as large as {largest:.3g}"
        f"{' (overflows)' if math.isinf(largest) else ''}: the sum of its squares "
        f"overflows {dtype} (largest {torch.finfo(dtype).max:.3g}), so no loss can be "
        f"computed. Pass a smaller {name}",
        " (or make float64 data)." if dtype != torch.float64 else ".",
    )
