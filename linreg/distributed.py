"""The same gradient step across processes and machines, with torch.distributed.

Each process holds a shard of the examples. It computes its share of the loss (its
squared residuals' sum, divided by the number of examples in all the shards), and
backward() gives its share of the gradient; `all_reduce` sums the shares across the
processes, so every process holds the gradient of the whole data, and applies the same
update. (A SUM then a division, not ReduceOp.AVG: gloo's AVG has been reported to give
wrong results without an error, and an average of shard means is not the mean when the
shards differ in size.)

`distributed_step` and `train_distributed` are the algorithm and trust their inputs.
`launch` runs a function in several local processes over gloo on 127.0.0.1, and stops
them all, with an error naming the process, if one fails or the time runs out; on
several machines `torchrun` starts the processes instead (`python -m linreg` notices).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor

from linreg.checks import ArgumentError
from linreg.model import LinearModel
from linreg.settings import DEFAULTS

TIMEOUT = 120.0  # seconds a launch, or one collective, may take before it is stopped


def shard(n: int, rank: int, world_size: int) -> slice:
    """The examples that process `rank` of `world_size` holds: a contiguous slice of
    range(n); the shards' sizes differ by one at most."""
    size, extra = divmod(n, world_size)
    start = rank * size + min(rank, extra)
    return slice(start, start + size + (rank < extra))


def distributed_step(model: LinearModel, X: Tensor, y: Tensor, lr: float, n: int) -> Tensor:
    """One gradient step on all n examples, taken by every process from its shard (X, y);
    returns the loss on all n before the step.

    Trusts its inputs: `train_distributed` is called with checked shards.
    """
    share = ((model(X) - y) ** 2).sum() / n  # forward: this shard's part of the mean
    share.backward()  # backward: this shard's part of dL/dW and dL/db, in .grad
    loss = share.detach()
    for total in (model.W.grad, model.b.grad, loss):
        dist.all_reduce(total, op=dist.ReduceOp.SUM)  # the sum of every shard's part
    with torch.no_grad():  # update: the same on every process
        for param in model.parameters():
            param -= lr * param.grad
            param.grad.zero_()
    return loss


def train_distributed(
    model: LinearModel, X: Tensor, y: Tensor, lr: float, num_epochs: int
) -> Iterator[tuple[float, float, float]]:
    """`linreg.training.train` on a shard: yield each epoch's loss on all the data, W and
    b before its step. Every process of the group must call it, with its own shard."""
    count = torch.tensor(len(X), dtype=torch.int64)
    dist.all_reduce(count, op=dist.ReduceOp.SUM)  # n: the examples of all the shards
    for _ in range(num_epochs):
        W, b = model.W.item(), model.b.item()
        loss = distributed_step(model, X, y, lr, int(count))
        yield loss.item(), W, b


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

    `function` must be importable (defined in a module, not in a notebook or a script),
    as each process imports it. If a process raises or dies, or the run takes longer than
    `timeout` seconds, every process is stopped and a RuntimeError says which and why.
    """
    where = f"{getattr(function, '__module__', None)}.{getattr(function, '__qualname__', '')}"
    if where.startswith("__main__.") or "<" in where:  # <lambda>, <locals>
        raise ArgumentError(
            "function",
            f"launch runs the function in new processes, which import it by name, and "
            f"{where} cannot be imported there (it was defined in a notebook, a script or "
            "another function): define it in a module of its own and import it from there.",
        )
    port = _free_port()
    work = pickle.dumps((function, args, timeout))
    with tempfile.TemporaryDirectory(prefix="linreg-launch-") as folder:
        processes = []
        try:
            for rank in range(world_size):
                env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}
                env |= {"RANK": str(rank), "WORLD_SIZE": str(world_size)}
                with (
                    open(f"{folder}/{rank}.out", "wb") as out,
                    open(f"{folder}/{rank}.err", "wb") as err,
                ):
                    process = subprocess.Popen(
                        [sys.executable, "-c", "from linreg.distributed import _child; _child()"],
                        stdin=subprocess.PIPE,
                        stdout=out,
                        stderr=err,
                        env=env,
                        start_new_session=True,  # stopped as a group, whatever it started
                    )
                processes.append(process)
                process.stdin.write(work)
                process.stdin.close()
            _wait(processes, timeout, folder)
            results = []
            for rank in range(world_size):
                with open(f"{folder}/{rank}.out", "rb") as out:
                    results.append(pickle.load(out))
            return results
        finally:
            for process in processes:
                if process.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait(processes: list[subprocess.Popen], timeout: float, folder: str) -> None:
    """Until every process has exited 0; raise as soon as one fails or time runs out."""
    deadline = time.monotonic() + timeout
    world_size = len(processes)
    while True:
        codes = [process.poll() for process in processes]
        failed = [rank for rank, code in enumerate(codes) if code not in (None, 0)]
        if failed:
            # The peers of a process that failed fail soon after it, or it is still on its
            # way out when they are seen: give them a moment, to name the cause first.
            settle = time.monotonic() + 2
            while None in codes and time.monotonic() < settle:
                time.sleep(0.05)
                codes = [process.poll() for process in processes]
            failed = [rank for rank, code in enumerate(codes) if code not in (None, 0)]
            raise RuntimeError(_failure(failed, codes, folder))
        if all(code == 0 for code in codes):
            return
        if time.monotonic() > deadline:
            waiting = [rank for rank, code in enumerate(codes) if code is None]
            raise RuntimeError(
                f"processes {waiting} of {world_size} had not finished after {timeout:g} s, "
                "and all were stopped: a collective that never completed (a process that "
                "hangs, or one waiting for a peer that never came), or more work than the "
                "timeout allows (pass a larger timeout=)"
            )
        time.sleep(0.05)


PEER_GONE = ("Connection closed by peer", "remote worker", "Connection reset by peer")


def _failure(failed: list[int], codes: list[int | None], folder: str) -> str:
    """Which processes failed, the cause first: a process whose peer went away failed
    because of another, so it is named after the ones that failed on their own."""
    errors = {}
    for rank in failed:
        with open(f"{folder}/{rank}.err", errors="replace") as err:
            errors[rank] = err.read()
    failed = sorted(failed, key=lambda rank: any(text in errors[rank] for text in PEER_GONE))
    first, *others = failed
    also = f", and then {', '.join(map(str, others))} (its peers)" if others else ""
    return (
        f"process {first} of {len(codes)} failed (exit code {codes[first]}){also}; all were "
        f"stopped. The error output of process {first} ends:\n{errors[first][-3000:]}"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _child() -> None:
    """In a process `launch` started: join the group, run the function it was sent, write
    back what it returned (its traceback goes to stderr, and the exit code says so)."""
    function, args, timeout = pickle.loads(sys.stdin.buffer.read())
    torch.set_num_threads(1)  # one core each: the processes share the machine
    dist.init_process_group(
        "gloo", init_method="env://", timeout=datetime.timedelta(seconds=timeout)
    )
    try:
        value = function(*args)
    finally:
        dist.destroy_process_group()
    pickle.dump(value, sys.stdout.buffer)


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
    """`fit_shard` the idiomatic way: `DistributedDataParallel` around `nn.Linear(1, 1)`,
    `torch.optim.SGD`. DDP averages the gradients over the processes, so each shard's loss
    is its sum of squares over n, times the number of processes: the average is the sum."""
    world_size = dist.get_world_size()
    part = _part(len(X), bounds)
    layer = torch.nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(W0)
        layer.bias.fill_(b0)
    model = torch.nn.parallel.DistributedDataParallel(layer)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    inputs, targets = X[part].unsqueeze(1), y[part].unsqueeze(1)
    n = len(X)
    log = []
    for _ in range(num_epochs):
        W, b = layer.weight.item(), layer.bias.item()
        optimizer.zero_grad()
        share = ((model(inputs) - targets) ** 2).sum() / n
        (share * world_size).backward()
        optimizer.step()
        loss = share.detach()
        dist.all_reduce(loss, op=dist.ReduceOp.SUM)
        log.append((loss.item(), W, b))
    return log, layer.weight.item(), layer.bias.item()


def _part(n: int, bounds: list[int] | None) -> slice:
    """This process's examples: `shard`'s, or bounds[rank]:bounds[rank + 1]."""
    rank, world_size = dist.get_rank(), dist.get_world_size()
    if bounds is None:
        return shard(n, rank, world_size)
    check_bounds(n, world_size, bounds)
    return slice(bounds[rank], bounds[rank + 1])


def check_bounds(n: int, world_size: int, bounds: list[int]) -> None:
    """Raise ValueError unless `bounds` cut range(n) into `world_size` shards:
    world_size + 1 numbers, from 0 to n, never decreasing."""
    bounds = list(bounds)
    ordered = all(a <= b for a, b in itertools.pairwise(bounds))
    if len(bounds) != world_size + 1 or bounds[0] != 0 or bounds[-1] != n or not ordered:
        example = [shard(n, rank, world_size).start for rank in range(world_size)] + [n]
        raise ValueError(
            f"bounds={bounds} must cut the {n} examples into {world_size} shards, one per "
            f"process: {world_size + 1} increasing numbers from 0 to {n}, e.g. {example}"
        )
