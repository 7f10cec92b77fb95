"""Functions that tests/test_distributed.py runs in each process of a group: they must be
importable by the processes that `linreg.distributed.launch` starts."""

from __future__ import annotations

import os
import sys
import time

import torch.distributed as dist

from linreg.distributed import fit_ddp, fit_shard


def every_way(X, y, lr, num_epochs, uneven):
    """The hand-written step on even and on uneven shards, and DDP on uneven shards."""
    return {
        "even": fit_shard(X, y, lr, num_epochs),
        "uneven": fit_shard(X, y, lr, num_epochs, bounds=uneven),
        "ddp": fit_ddp(X, y, lr, num_epochs, bounds=uneven),
    }


def fails_on_rank_one():
    if dist.get_rank() == 1:
        raise ValueError("a shard that cannot be read")
    dist.barrier()  # rank 0 waits for a peer that has gone


def hangs_on_rank_one():
    if dist.get_rank() == 1:
        time.sleep(3600)
    dist.barrier()


def prints_its_rank():
    """Writes to standard output, which must not disturb what comes back."""
    print(f"process {dist.get_rank()} says hello", flush=True)
    return {"rank": dist.get_rank(), "world": dist.get_world_size()}


LINE = "x" * 500  # a line `prints_a_lot` prints, after its rank
LINES = 2000  # of them: 1 MB from each process, more than a pipe holds


def prints_a_lot():
    """Writes more than a pipe holds, without flushing, then to sys.stdout and to the file
    descriptor itself; returns more than a pipe holds."""
    rank = dist.get_rank()
    for _ in range(LINES):
        print(f"{rank} {LINE}")
    sys.stdout.write(f"{rank} by sys.stdout\n")
    os.write(1, f"{rank} by its file descriptor\n".encode())
    return bytes([rank]) * 2**20  # and returns more than a pipe holds


def fails_at_length():
    """An error whose message is larger than a pipe holds."""
    if dist.get_rank() == 1:
        raise ValueError("a shard that cannot be read: " + "x" * 2**20)
    dist.barrier()
