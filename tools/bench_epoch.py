"""Benchmark one epoch of full-batch gradient descent, by method and data size.

Run from the project root with the package installed:

    .venv/bin/python tools/bench_epoch.py [--rounds 5] [--sizes 1e3 1e5 1e6 1e7] [--memory]

--sizes and PYTHONPATH=<an older checkout> measure another version of linreg, for
comparison. Each round is a fresh process (so allocator state and caches start alike), with torch on
2 threads; in it each method runs a few warm-up epochs, then enough epochs to last about
0.3 s, and reports milliseconds per epoch. Prints the median over rounds of each method at
each size, and the median over rounds of fit's ratio to the seed notebook's loop and to the
memory floor (ratios within one round, so that a slow moment affects both sides).
--memory also runs the default command line at 10^8 examples and reports its peak
resident memory against the bytes of data it holds. Not a test: timings on a shared
machine are noisy, so they go in notes, not in assertions.
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import statistics
import subprocess
import sys
import time
import types

METHODS = {
    "fit": "linreg.fit (chunked backward() for large data)",
    "seed": "the seed notebook's loop",
    "torch.optim": "nn.Linear + MSELoss + optim.SGD",
    "analytic": "analytic gradient, no autograd",
    "floor": "one read of x and y (torch.dot, the memory floor)",
    "statistics": "sufficient statistics, per epoch after one pass",
}


LR = 1e-3  # small: thousands of epochs stay far from the optimum and from overflow


def fit(X, y, epochs: int) -> None:
    import linreg

    linreg.fit(linreg.LinearModel.like(X), X, y, lr=LR, num_epochs=epochs)


def seed(X, y, epochs: int) -> None:
    """As ../shared/seed does it: log W, b and the loss with a forward pass, then train."""
    import torch

    W = torch.tensor(16.0, requires_grad=True)
    b = torch.tensor(10.0, requires_grad=True)
    for _ in range(epochs):
        with torch.no_grad():
            W.item(), b.item()
            current = torch.square(W * X + b - y).mean()
        loss = torch.square(W * X + b - y).mean()
        loss.backward()
        with torch.no_grad():
            W -= W.grad * LR
            b -= b.grad * LR
        W.grad.zero_()
        b.grad.zero_()
        current.item()


def optim(X, y, epochs: int) -> None:
    import torch

    layer = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=LR)
    criterion = torch.nn.MSELoss()
    inputs, targets = X.unsqueeze(1), y.unsqueeze(1)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(layer(inputs), targets)
        loss.backward()
        optimizer.step()
        loss.item()


def analytic(X, y, epochs: int) -> None:
    import torch

    W, b = torch.tensor(16.0), torch.tensor(10.0)
    for _ in range(epochs):
        r = W * X + b - y
        loss = (r * r).mean()
        W = W - LR * 2 * (r * X).mean()
        b = b - LR * 2 * r.mean()
        loss.item()


def floor(X, y, epochs: int) -> None:
    import torch

    for _ in range(epochs):
        torch.dot(X, y).item()


def sufficient(X, y, epochs: int, stats) -> None:
    W, b = 16.0, 10.0
    for _ in range(epochs):
        # L = W² sxx/n − 2W sxy/n + syy/n + (W x̄ + b − ȳ)², and its gradient
        offset = W * stats.x_mean + b - stats.y_mean
        dW = 2 * (W * stats.sxx - stats.sxy) / stats.n + 2 * offset * stats.x_mean
        W, b = W - LR * dW, b - LR * 2 * offset


def one_round(sizes: list[int]) -> dict[str, dict[int, float]]:
    """Milliseconds per epoch of each method at each size, in this process."""
    import torch

    import linreg

    torch.set_num_threads(2)
    results: dict[str, dict[int, float]] = {name: {} for name in METHODS}
    for n in sizes:
        data = linreg.make_data(num_examples=n)
        X64, y64 = data.X.double(), data.y.double()  # the six numbers, once, untimed
        dx, dy = X64 - X64.mean(), y64 - y64.mean()
        stats = types.SimpleNamespace(
            n=n,
            x_mean=X64.mean().item(),
            y_mean=y64.mean().item(),
            sxx=(dx * dx).sum().item(),
            sxy=(dx * dy).sum().item(),
        )
        del X64, y64, dx, dy
        methods = {
            "fit": fit,
            "seed": seed,
            "torch.optim": optim,
            "analytic": analytic,
            "floor": floor,
            "statistics": functools.partial(sufficient, stats=stats),
        }
        for name, method in methods.items():
            method(data.X, data.y, 3)  # warm up
            epochs, seconds = 3, 0.0
            while seconds < 0.3 and epochs < 100_000:
                epochs *= 4
                start = time.perf_counter()
                method(data.X, data.y, epochs)
                seconds = time.perf_counter() - start
            results[name][n] = 1e3 * seconds / epochs
    return results


def peak_memory(num_examples: int) -> tuple[float, float]:
    """Peak resident memory (GB) of `linreg --num-examples N` and the GB of data it holds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-m", "linreg", "--num-examples", str(num_examples)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak > before, "another child used more memory before this one"
    return peak * 1024 / 1e9, 2 * 4 * num_examples / 1e9  # X and y in float32


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e3, 1e5, 1e6, 1e7])
    parser.add_argument("--memory", action="store_true", help="also the CLI's peak at 10^8")
    parser.add_argument("--round", action="store_true", help=argparse.SUPPRESS)  # a child
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes]
    if arguments.round:
        print(json.dumps(one_round(sizes)))
        return
    rounds = []
    for number in range(arguments.rounds):
        child = [sys.executable, __file__, "--round", "--sizes", *map(str, sizes)]
        result = subprocess.run(child, check=True, capture_output=True, text=True)
        measured = json.loads(result.stdout)
        rounds.append({name: {int(n): ms for n, ms in d.items()} for name, d in measured.items()})
        print(f"round {number + 1} of {arguments.rounds} done", file=sys.stderr)
    header = "".join(f"{f'{n:.0e}':>10}" for n in sizes)
    print(f"ms per epoch, median of {len(rounds)} rounds\n{'method':<52}{header}")
    for name, label in METHODS.items():
        cells = "".join(f"{statistics.median(r[name][n] for r in rounds):10.4g}" for n in sizes)
        print(f"{label:<52}{cells}")
    for other in ["seed", "floor"]:
        ratios = "".join(
            f"{statistics.median(r['fit'][n] / r[other][n] for r in rounds):10.3g}" for n in sizes
        )
        print(f"{'fit / ' + METHODS[other]:<52}{ratios}")
    if arguments.memory:
        peak, data = peak_memory(10**8)
        print(
            f"\nlinreg --num-examples 100000000: peak {peak:.2f} GB for {data:.2f} GB of data "
            f"({peak / data:.2f}x)"
        )


if __name__ == "__main__":
    main()
