"""The tutorial's experiment, run once: data, model, training and the closed form.

`run` is the one definition of the tutorial's run. The command line calls it with its
options, the image tests and `linreg --plots` draw `plots.site_figures` from it, and the
pages make the same calls step by step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from linreg import checks
from linreg.data import Data, make_data
from linreg.model import LinearModel
from linreg.reference import least_squares
from linreg.settings import DEFAULTS, Settings
from linreg.statistics import line_loss
from linreg.training import History, fit

# Peak memory of `run` per example in float32: X and y (8 bytes), with every other sum taken
# a chunk at a time. Measured: 17.6 bytes at 10^8 examples (tools/bench_epoch.py --memory:
# 1.76 GB), Python, torch and the allocator's overhead included.
BYTES_PER_EXAMPLE = 20


@dataclass
class Experiment:
    """One run of the experiment and the closed-form answer it is compared with."""

    settings: Settings
    """What was run."""
    data: Data
    """The sample."""
    initial: LinearModel
    """The model before training, at (W0, b0)."""
    model: LinearModel
    """The same model after training."""
    history: History
    """The loss, W and b before each epoch's update."""
    best: tuple[float, float] | None
    """Least-squares `(W*, b*)`; None if x is constant."""
    best_loss: float | None
    """The loss at `(W*, b*)`: the lowest any line reaches."""


def run(
    settings: Settings = DEFAULTS,
    on_epoch: Callable[[int, float], object] | None = None,
    distributed: bool = False,
) -> Experiment:
    """Make the data, train from (W0, b0) and solve the least-squares problem.

    Raises what `make_data` and `fit` raise: an ArgumentError naming a bad setting, or a
    DivergenceError when the loss diverges; and an ArgumentError naming `settings`,
    `on_epoch` or `distributed` if it is not a Settings, a function or a bool. `on_epoch`
    is passed to `fit`. With
    `distributed=True` this process is one of a torch.distributed group: every process
    draws the same data and trains on its shard (`linreg.distributed.shard`), and the
    training is the same as on all the data.
    """
    if not isinstance(settings, Settings):
        raise checks.ArgumentTypeError(
            "settings",
            f"settings must be a linreg.Settings, such as linreg.Settings(lr=0.5); got "
            f"{type(settings).__name__}.",
        )
    checks.callback(on_epoch)
    if checks.flag(distributed, "distributed"):
        import torch.distributed as dist

        from linreg.distributed import agreed, shard

        checks.in_process_group(None)
    s = settings

    def make() -> Data:
        checks.memory(s.num_examples, BYTES_PER_EXAMPLE, "this run")
        data = make_data(s.true_W, s.true_b, s.num_examples, s.noise, s.seed)
        if distributed and len(data.X) < dist.get_world_size():
            raise checks.ArgumentError(
                "num_examples",
                f"{len(data.X)} examples cannot be shared by {dist.get_world_size()} "
                f"processes, one shard each: pass at least {dist.get_world_size()}.",
            )
        return data

    if distributed:
        # Each process checks its own memory and settings, and all refuse or none does: one
        # that stopped alone would leave the others waiting in the first collective.
        data = agreed(make)
        part = shard(len(data.X), dist.get_rank(), dist.get_world_size())
        X, y = data.X[part], data.y[part]
    else:
        data = make()
        X, y = data.X, data.y
    initial = LinearModel.like(data.X, W=s.W0, b=s.b0)
    model = LinearModel.like(data.X, W=s.W0, b=s.b0)
    history = fit(
        model, X, y, lr=s.lr, num_epochs=s.num_epochs, on_epoch=on_epoch, distributed=distributed
    )
    try:
        best = least_squares(data.X, data.y)
    except checks.ArgumentError:  # x takes a single value: no line is the unique best
        best = best_loss = None
    else:
        best_loss = line_loss(*best, data.X, data.y)
    return Experiment(s, data, initial, model, history, best, best_loss)


@dataclass
class SamplingError:
    """How far the least-squares optimum lies from the true line, over many samples."""

    ns: list[int]
    """The sample sizes."""
    seeds: list[int]
    """The seeds drawn at each size."""
    W: list[float]
    """`W[i]`: the root mean square of W* - true_W over the seeds, at `ns[i]` examples."""
    b: list[float]
    """`b[i]`: the same for b* - true_b."""


def sampling_error(ns: list[int], seeds: list[int], settings: Settings = DEFAULTS) -> SamplingError:
    """Draw a sample of each size in `ns` with each seed, solve least squares on it, and
    measure how far (W*, b*) lies from (true_W, true_b), as a root mean square over seeds.

    Theory: with x ~ N(0, 1), both errors are about noise / sqrt(n).
    """
    ns = [checks.whole_number(n, "ns", 2, 1000) for n in ns]
    seeds = [checks.whole_number(seed, "seeds", 0, 42, high=2**32 - 1) for seed in seeds]
    if not ns or not seeds:
        raise checks.ArgumentError("ns", "pass at least one sample size and one seed.")
    s = settings
    rms_W, rms_b = [], []
    for n in ns:
        errors = []
        for seed in seeds:
            data = make_data(s.true_W, s.true_b, n, s.noise, seed)
            W_best, b_best = least_squares(data.X, data.y)
            errors.append((W_best - s.true_W, b_best - s.true_b))
        rms_W.append(math.sqrt(sum(e[0] ** 2 for e in errors) / len(errors)))
        rms_b.append(math.sqrt(sum(e[1] ** 2 for e in errors) / len(errors)))
    return SamplingError(ns, seeds, rms_W, rms_b)
