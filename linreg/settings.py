"""The run's settings: one home for the defaults of the data, the model and training.

`make_data`, `LinearModel`, `fit`, the command line (and its --help) and the pages all read
their defaults from `DEFAULTS`, so the tutorial's run (that of the notebook it grew from)
is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """The tutorial's experiment: its data, its starting point and its training."""

    true_W: float = 3.0
    """Slope of the line the data are drawn from."""
    true_b: float = 0.5
    """Intercept of that line."""
    num_examples: int = 1000
    """Number of (x, y) examples."""
    noise: float = 1.0
    """Standard deviation of the Gaussian noise on y."""
    seed: int = 42
    """Seed of the data's own random generator."""
    W0: float = 16.0
    """Starting slope, far from the true one."""
    b0: float = 10.0
    """Starting intercept, far from the true one."""
    lr: float = 0.1
    """Learning rate: the step size of gradient descent."""
    num_epochs: int = 20
    """Number of gradient steps, each on the whole data set."""


DEFAULTS = Settings()
"""The tutorial's run: `make_data`, `LinearModel`, `fit` and the command line default
to these values."""
