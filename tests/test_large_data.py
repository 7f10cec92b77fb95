"""Data larger than a chunk (linreg.statistics.CHUNK examples): the chunked gradient step,
the chunked float64 statistics and the memory of a large run, against oracles (autograd on
the whole data, float64 recomputation, torch.linalg.lstsq)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

import linreg
import linreg.pages.large_data
from linreg import statistics, training
from linreg.statistics import CHUNK

N = 2 * CHUNK + 12_345  # three chunks, the last one short


@pytest.fixture(scope="module")
def data():
    return linreg.make_data(num_examples=N, x_mean=0.7)


def float64_descent(X, y, lr, num_epochs, W=16.0, b=10.0):
    """Full-data gradient descent in float64, the gradient written out: losses, W, b."""
    X, y = X.double(), y.double()
    losses = []
    for _ in range(num_epochs):
        r = W * X + b - y
        losses.append((r * r).mean().item())
        W, b = W - lr * 2 * (r * X).mean().item(), b - lr * 2 * r.mean().item()
    return losses, W, b


def test_the_chunked_step_is_the_whole_data_step(data):
    whole, chunked = linreg.LinearModel.like(data.X), linreg.LinearModel.like(data.X)
    loss_whole = training.gradient_step(whole, data.X, data.y, 0.1)
    loss_chunked = training.gradient_step_in_chunks(chunked, data.X, data.y, 0.1)
    assert loss_chunked.item() == pytest.approx(loss_whole.item(), rel=1e-6)
    assert chunked.W.item() == pytest.approx(whole.W.item(), rel=1e-6)
    assert chunked.b.item() == pytest.approx(whole.b.item(), rel=1e-6)
    assert chunked.W.grad.item() == chunked.b.grad.item() == 0.0  # zeroed for the next step


def test_fit_on_large_data_follows_float64_gradient_descent(data):
    model = linreg.LinearModel.like(data.X)
    history = linreg.fit(model, data.X, data.y, lr=0.1, num_epochs=20)
    losses, W, b = float64_descent(data.X, data.y, 0.1, 20)
    assert history.losses == pytest.approx(losses, rel=1e-5)
    assert (history.W, history.b) == pytest.approx((W, b), rel=1e-5)


def test_fit_takes_the_chunked_step_only_above_a_chunk(monkeypatch, data):
    taken = []
    original = training.gradient_step_in_chunks
    monkeypatch.setattr(
        training, "gradient_step_in_chunks", lambda *a: taken.append(len(a[1])) or original(*a)
    )
    small = linreg.make_data(num_examples=CHUNK)
    linreg.fit(linreg.LinearModel.like(small.X), small.X, small.y, num_epochs=2)
    assert taken == []  # the step a reader reads: gradient_step
    linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, num_epochs=2)
    assert taken == [N, N]


def test_moments_and_least_squares_against_float64_and_lstsq(data):
    X, y = data.X.double(), data.y.double()
    m = statistics.moments(data.X, data.y)
    assert m.n == N
    assert m.x_mean == pytest.approx(X.mean().item(), rel=1e-12)
    assert m.sxx == pytest.approx(((X - X.mean()) ** 2).sum().item(), rel=1e-12)
    assert m.sxy == pytest.approx(((X - X.mean()) * (y - y.mean())).sum().item(), rel=1e-12)
    assert m.syy == pytest.approx(((y - y.mean()) ** 2).sum().item(), rel=1e-12)
    A = torch.stack([X, torch.ones_like(X)], dim=1)
    W, b = torch.linalg.lstsq(A, y.unsqueeze(1)).solution.squeeze(1).tolist()
    assert linreg.least_squares(data.X, data.y) == pytest.approx((W, b), rel=1e-10)
    assert statistics.mean_square(data.X) == pytest.approx((X**2).mean().item(), rel=1e-12)
    best = linreg.least_squares(data.X, data.y)
    loss = ((best[0] * X + best[1] - y) ** 2).mean().item()
    assert statistics.line_loss(*best, data.X, data.y) == pytest.approx(loss, rel=1e-6)


def test_least_squares_keeps_integer_and_list_data_exact():
    years = torch.arange(1950, 2021)  # int64: converted to float64, never float32
    temperature = 0.02 * years.double() - 25.0
    W, b = linreg.least_squares(years, temperature)
    assert W == pytest.approx(0.02, rel=1e-9) and b == pytest.approx(-25.0, rel=1e-9)


def peak_rss(*argv: str) -> int:
    """Peak resident bytes of `python -m linreg ARGV` in a fresh process."""
    code = (
        "import resource, runpy, sys; sys.argv = ['linreg', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('linreg', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.splitlines()[-1]) * 1024


def test_a_large_run_holds_little_more_than_its_data():
    n = 20_000_000
    data_bytes = 2 * 4 * n  # X and y, float32
    baseline = peak_rss("--num-examples", "1000", "--epochs", "1")  # torch and Python
    peak = peak_rss("--num-examples", str(n), "--epochs", "2")
    # about 2x the data here (X and y, and the allocator's per-thread arenas); 6x before the
    # sums were chunked (measured at 5x10^7); the bound is 3x
    assert peak - baseline <= 3 * data_bytes, (peak - baseline) / data_bytes


# --- sufficient statistics: O(1) epochs, and data read from a file ------------------------


def test_descent_on_the_moments_is_descent_on_all_the_data(data):
    # float64 on both sides, so that the only difference is the order of the sums
    X, y = data.X.double(), data.y.double()
    m = statistics.moments(X, y)
    model = linreg.LinearModel.like(X)
    log = list(training.train_on_moments(model, m, 0.1, 20))
    losses, W, b = float64_descent(X, y, 0.1, 20)
    assert [loss for loss, _, _ in log] == pytest.approx(losses, rel=1e-9)
    assert (model.W.item(), model.b.item()) == pytest.approx((W, b), rel=1e-9)
    # and its gradient is autograd's on all the data, at a few points
    for W0, b0 in [(16.0, 10.0), (-3.0, 0.25), (3.0, 0.5)]:
        on_moments = linreg.LinearModel(W0, b0, dtype=torch.float64)
        linreg.pages.large_data.moments_loss(on_moments.W, on_moments.b, m).backward()
        on_data = linreg.LinearModel(W0, b0, dtype=torch.float64)
        linreg.mse_loss(on_data(X), y).backward()
        assert on_moments.W.grad.item() == pytest.approx(on_data.W.grad.item(), rel=1e-9, abs=1e-12)
        assert on_moments.b.grad.item() == pytest.approx(on_data.b.grad.item(), rel=1e-9, abs=1e-12)


def test_merged_moments_equal_the_moments_of_the_whole(data):
    whole = statistics.moments(data.X, data.y)
    cut = 100_001
    halves = statistics.moments(data.X[:cut], data.y[:cut]).merge(
        statistics.moments(data.X[cut:], data.y[cut:])
    )
    for name in ["x_mean", "y_mean", "sxx", "sxy", "syy"]:
        assert getattr(halves, name) == pytest.approx(getattr(whole, name), rel=1e-12), name
    assert halves.n == whole.n


def test_moments_from_a_file_equal_those_in_memory(data, tmp_path):
    path = tmp_path / "pairs.f32"
    statistics.write_pairs(path, data.X, data.y)
    assert path.stat().st_size == 8 * N
    from_file = statistics.read_moments(path, chunk=50_000)
    in_memory = statistics.moments(data.X, data.y)
    for name in ["x_mean", "y_mean", "sxx", "sxy", "syy"]:
        assert getattr(from_file, name) == pytest.approx(getattr(in_memory, name), rel=1e-12)
    (tmp_path / "odd.f32").write_bytes(path.read_bytes()[:-4])
    with pytest.raises(ValueError, match="middle of a pair"):
        statistics.read_moments(tmp_path / "odd.f32")


BOUNDED = r"""
import os, resource, sys
import torch
from linreg import statistics
path, limit = sys.argv[1], int(sys.argv[2])
# From here on, this process may not hold more than `limit` bytes more than it does now.
with open("/proc/self/status") as status:
    size = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (size + limit, size + limit))
try:
    torch.empty(os.path.getsize(path) // 4, dtype=torch.float32)  # the file's size: refused
except RuntimeError:
    print("limited")
m = statistics.read_moments(path)
print(m.n, m.x_mean, m.sxx)
"""


def test_a_file_larger_than_the_memory_allowed_is_read(tmp_path):
    n = 40_000_000  # 305 MiB of pairs, in a process allowed 64 MiB more than torch needs
    generator = torch.Generator().manual_seed(0)
    path = tmp_path / "large.f32"
    with open(path, "wb") as file:
        for _ in range(n // 4_000_000):
            pairs = torch.randn((4_000_000, 2), generator=generator) + torch.tensor([2.0, -1.0])
            file.write(pairs.numpy().tobytes())
    limit = 64 * 2**20
    assert path.stat().st_size > 4 * limit
    # One thread: under the address-space limit, OpenMP's worker threads need stacks too,
    # and libgomp could not create one there ("Thread creation failed", seen in 1 of 5 CI
    # runs on a 2-core machine); the memory this test is about is the data's, not theirs.
    result = subprocess.run(
        [sys.executable, "-c", BOUNDED, str(path), str(limit)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    limited, numbers = result.stdout.splitlines()
    assert limited == "limited"
    count, x_mean, sxx = numbers.split()
    assert int(count) == n
    assert float(x_mean) == pytest.approx(2.0, abs=1e-3)
    assert float(sxx) / n == pytest.approx(1.0, rel=1e-3)
