"""The synthetic data set: y = true_W * x + true_b + noise, drawn from a seeded generator."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import torch
from torch import Tensor

from linreg import checks

TRUE_W = 3.0  # the seed notebook's slope
TRUE_B = 0.5  # and intercept
NUM_EXAMPLES = 1000
NOISE = 1.0  # standard deviation of the Gaussian noise on y
SEED = 42


@dataclass(frozen=True)
class Data:
    """Inputs X (n,), targets y (n,) and the line they were drawn from."""

    X: Tensor  # (n,) inputs, x ~ N(0, 1)
    y: Tensor  # (n,) targets
    true_W: float  # slope of the line that generated y
    true_b: float  # intercept of that line
    noise: float  # standard deviation of the noise added to y


def make_data(
    true_W: float = TRUE_W,
    true_b: float = TRUE_B,
    num_examples: int = NUM_EXAMPLES,
    noise: float = NOISE,
    seed: int = SEED,
    *,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> Data:
    """Draw x ~ N(0, 1) and y = true_W * x + true_b + noise * N(0, 1), shapes (n,).

    A local generator seeded with `seed` makes the same arguments give bit-identical tensors,
    and the global RNG is left alone. The draws happen on the CPU and are then moved to
    `device`, so every device sees the same numbers.
    """
    true_W = checks.finite_number(true_W, "true_W")
    true_b = checks.finite_number(true_b, "true_b")
    noise = checks.finite_number(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0; got {noise}.")
    for name, value, low in (("num_examples", num_examples, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be a whole number; got {value!r}.")
        if value < low:
            raise ValueError(f"{name} must be >= {low}; got {value}.")
    if not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating dtype such as torch.float32; got {dtype}.")

    generator = torch.Generator().manual_seed(int(seed))
    size = (int(num_examples),)
    X = torch.normal(0.0, 1.0, size=size, generator=generator, dtype=dtype)
    eps = torch.normal(0.0, 1.0, size=size, generator=generator, dtype=dtype)
    y = X * true_W + true_b + noise * eps
    return Data(X=X.to(device), y=y.to(device), true_W=true_W, true_b=true_b, noise=noise)
