"""The same gradient step across processes and machines, with torch.distributed.

Each process holds a shard of the examples. It computes its share of the loss (its
squared residuals' sum, divided by the number of examples in all the shards), and
backward() gives its share of the gradient; `all_reduce` sums the shares across the
processes, so every process holds the gradient of the whole data, and applies the same
update. (A SUM then a division, not ReduceOp.AVG: gloo's AVG has been reported to give
wrong results without an error, and an average of shard means is not the mean when the
shards differ in size.)

`distributed_step`, `train_distributed` and `train_ddp` are the page's ("Across processes
and machines", `linreg.pages.distributed`) and trust their inputs; `fit_shard` and
`fit_ddp` run them in each process of a group. `launch` runs a function in several
local processes over gloo on 127.0.0.1, and stops them all, with an error naming the
process, if one fails or the time runs out; on several machines `torchrun` starts the
processes instead (`python -m linreg` notices).
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import itertools
import os
import pickle
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import Tensor

from linreg.checks import ArgumentError, finite_number, whole_number
from linreg.model import LinearModel
from linreg.pages.distributed import distributed_step, train_ddp, train_distributed
from linreg.settings import DEFAULTS

T = TypeVar("T")
TIMEOUT = 120.0  # seconds a launch, or one collective, may take before it is stopped
MAX_TIMEOUT = 7 * 24 * 3600.0  # a week: torch's process group takes no longer


def shard(n: int, rank: int, world_size: int) -> slice:
    """The examples that process `rank` of `world_size` holds: a contiguous slice of
    range(n); the shards' sizes differ by one at most."""
    n = whole_number(n, "n", 0, 1000)
    world_size = whole_number(world_size, "world_size", 1, 2)
    rank = whole_number(rank, "rank", 0, 0, high=world_size - 1)
    size, extra = divmod(n, world_size)
    start = rank * size + min(rank, extra)
    return slice(start, start + size + (rank < extra))


def agreed(check: Callable[[], T]) -> T:
    """`check()` in every process of the group: its result if no process's check raised an
    ArgumentError; otherwise that error, the first by rank, raised in every process, so
    that all stop with the same message and none waits in a collective for the others."""
    try:
        value, refusal = check(), None
    except ArgumentError as error:
        value, refusal = None, (error.argument, str(error), dist.get_rank())
    refusals: list = [None] * dist.get_world_size()
    dist.all_gather_object(refusals, refusal)
    first = next((r for r in refusals if r is not None), None)
    if first is not None:
        argument, message, rank = first
        where = "" if rank == dist.get_rank() else f" (in process {rank})"
        raise ArgumentError(argument, message + where)
    return value


def backend(device: torch.device | str = "cpu") -> str:
    """NCCL for CUDA tensors, gloo for the CPU."""
    return "nccl" if torch.device(device).type == "cuda" else "gloo"


# -- local processes ----------------------------------------------------------------------


def launch(
    function: Callable[..., Any],
    world_size: int,
    *args: Any,
    timeout: float = TIMEOUT,
) -> list[Any]:
    """Run `function(*args)` in `world_size` new Python processes joined in one gloo
    process group on 127.0.0.1; return what each returned, by rank.

    The processes are PyTorch's (`torch.multiprocessing.start_processes`, "spawn"), and
    `function` must be importable there: defined in a module, not in a notebook, and, as
    for any spawned process, a script that calls `launch` needs an
    `if __name__ == "__main__":` guard. What the processes print is printed; what they
    return comes back through a pipe. If a process raises or dies, or the run takes longer
    than `timeout` seconds, every process is stopped and a RuntimeError names the process
    that failed first, with its traceback.
    """
    where = f"{getattr(function, '__module__', None)}.{getattr(function, '__qualname__', '')}"
    if not callable(function) or where.startswith("__main__.") or "<" in where:
        raise ArgumentError(
            "function",
            f"launch runs the function in new processes, which import it by name, and "
            f"{where} cannot be imported there (it was defined in a notebook, a script or "
            "another function, or is not a function): define it in a module of its own "
            "and import it from there.",
        )
    world_size = whole_number(world_size, "world_size", 1, 2)
    timeout = finite_number(timeout, "timeout", "120")
    if not 0 < timeout <= MAX_TIMEOUT:
        raise ArgumentError(
            "timeout",
            f"timeout must be between 0 and {MAX_TIMEOUT:g} seconds (for example 120); got "
            f"{timeout:g}.",
        )
    context = mp.get_context("spawn")
    results, failures = context.SimpleQueue(), context.SimpleQueue()
    group = (world_size, _free_port(), timeout)
    try:
        processes = mp.start_processes(
            _process,
            args=(group, function, args, results, failures),
            nprocs=world_size,
            join=False,
            start_method="spawn",
        )
    except (pickle.PicklingError, AttributeError, TypeError) as exc:  # before any started
        raise ArgumentError(
            "args",
            f"the arguments cannot be sent to new processes ({exc}): pass values that "
            "pickle (tensors, numbers, lists; not lambdas or local functions).",
        ) from None
    deadline = time.monotonic() + timeout
    returned: dict[int, Any] = {}

    def receive() -> None:  # what has arrived on `results`, by rank
        while not results.empty():
            rank, value = results.get()
            returned[rank] = pickle.loads(value)

    try:
        while not processes.join(timeout=max(0.0, min(0.1, deadline - time.monotonic()))):
            # Read what the processes return as they send it: one whose value is larger than
            # the pipe holds waits in `put` until it is read, and would never end.
            receive()
            if time.monotonic() >= deadline:
                waiting = [rank for rank, p in enumerate(processes.processes) if p.is_alive()]
                raise RuntimeError(
                    f"processes {waiting} of {world_size} had not finished after "
                    f"{timeout:g} s, and all were stopped: a collective that never completed "
                    "(a process that hangs, or one waiting for a peer that never came), or "
                    "more work than the timeout allows (pass a larger timeout=)"
                )
    except (mp.ProcessRaisedException, mp.ProcessExitedException) as error:
        raise RuntimeError(_failure(error, failures, world_size)) from None
    finally:
        for process in processes.processes:  # after a failure or the timeout: none is left
            if process.is_alive():
                process.kill()
            process.join()
        for path in processes.error_files:  # PyTorch's, one a process, in the temp folder
            with contextlib.suppress(OSError):
                os.unlink(path)
    receive()
    return [returned[rank] for rank in range(world_size)]


def _process(rank: int, group: tuple, function, args, results, failures) -> None:
    """In a process `launch` started: join the group, run the function, send back what it
    returned; if it raises, say when, so that `launch` can name the first to fail."""
    world_size, port, timeout = group
    os.environ.update(
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world_size)
    )
    torch.set_num_threads(1)  # one core each: the processes share the machine
    dist.init_process_group(
        "gloo", init_method="env://", timeout=datetime.timedelta(seconds=timeout)
    )
    try:
        value = function(*args)
    except BaseException:
        # Its end only, which is what `_failure` shows: a pipe holds that much, and a longer
        # one would wait in `put` until `launch` read it, which it does once all have ended.
        failures.put((time.monotonic(), rank, traceback.format_exc()[-3000:]))
        raise
    finally:
        # What the function built on the group (DDP keeps itself alive in a reference
        # cycle) goes first: destroyed after the group, it aborts the process at exit.
        gc.collect()
        dist.destroy_process_group()
    results.put((rank, pickle.dumps(value)))  # by value: nothing shared outlives the process


def _failure(error: Exception, failures, world_size: int) -> str:
    """Which process failed first, and its traceback: a peer that lost its connection to
    it failed later (the clock is the machine's, the same in every process)."""
    reported = []
    while not failures.empty():
        reported.append(failures.get())
    if not reported:  # it died without raising (a signal, os._exit): PyTorch says how
        return f"process {error.error_index} of {world_size} failed ({error}); all were stopped."
    reported.sort()
    _, first, text = reported[0]
    others = sorted({rank for _, rank, _ in reported[1:]} - {first})
    also = f", and then {', '.join(map(str, others))} (its peers)" if others else ""
    return f"process {first} of {world_size} failed{also}; all were stopped. Its error:\n{text}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- what each process runs ---------------------------------------------------------------


def fit_shard(
    X: Tensor,
    y: Tensor,
    lr: float,
    num_epochs: int,
    W0: float = DEFAULTS.W0,
    b0: float = DEFAULTS.b0,
    bounds: list[int] | None = None,
) -> tuple[list[tuple[float, float, float]], float, float]:
    """In each process of a group: train from (W0, b0) on this process's shard of (X, y),
    `shard`'s, or examples bounds[rank] to bounds[rank + 1] (bounds: 0, ..., len(X), one
    more than there are processes); return the log (loss, W, b per epoch) and the final
    W and b."""
    part = _part(len(X), bounds)
    model = LinearModel.like(X, W=W0, b=b0)
    log = list(train_distributed(model, X[part], y[part], lr, num_epochs))
    return log, model.W.item(), model.b.item()


def fit_ddp(
    X: Tensor,
    y: Tensor,
    lr: float,
    num_epochs: int,
    W0: float = DEFAULTS.W0,
    b0: float = DEFAULTS.b0,
    bounds: list[int] | None = None,
) -> tuple[list[tuple[float, float, float]], float, float]:
    """`fit_shard` the idiomatic way: `train_ddp`, `DistributedDataParallel` around
    `nn.Linear(1, 1)` and `torch.optim.SGD`, from (W0, b0)."""
    part = _part(len(X), bounds)
    layer = torch.nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(W0)
        layer.bias.fill_(b0)
    log = list(train_ddp(layer, X[part], y[part], lr, num_epochs, len(X)))
    return log, layer.weight.item(), layer.bias.item()


def _part(n: int, bounds: list[int] | None) -> slice:
    """This process's examples: `shard`'s, or bounds[rank]:bounds[rank + 1]."""
    rank, world_size = dist.get_rank(), dist.get_world_size()
    if bounds is None:
        return shard(n, rank, world_size)
    check_bounds(n, world_size, bounds)
    return slice(bounds[rank], bounds[rank + 1])


def check_bounds(n: int, world_size: int, bounds: list[int]) -> None:
    """Raise an ArgumentError (a ValueError) naming `bounds` unless they cut range(n) into
    `world_size` shards: world_size + 1 whole numbers, from 0 to n, never decreasing."""
    n = whole_number(n, "n", 0, 1000)
    world_size = whole_number(world_size, "world_size", 1, 2)
    try:
        bounds = [whole_number(bound, "bounds", 0, 0) for bound in bounds]
        ordered = all(a <= b for a, b in itertools.pairwise(bounds))
    except (ArgumentError, TypeError):
        bounds, ordered = bounds, False
    if not ordered or len(bounds) != world_size + 1 or bounds[0] != 0 or bounds[-1] != n:
        example = [shard(n, rank, world_size).start for rank in range(world_size)] + [n]
        raise ArgumentError(
            "bounds",
            f"bounds={bounds} must cut the {n} examples into {world_size} shards, one per "
            f"process: {world_size + 1} increasing numbers from 0 to {n}, e.g. {example}",
        )


__all__ = [
    "backend",
    "check_bounds",
    "distributed_step",
    "fit_ddp",
    "fit_shard",
    "launch",
    "shard",
    "train_ddp",
    "train_distributed",
]
