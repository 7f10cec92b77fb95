"""Sums over the data a chunk of examples at a time, so that their memory is bounded by the
chunk, not by n: the float64 statistics that the closed form and the checks need, and the
loss of a line over data too large to hold its temporaries.

A whole-tensor expression such as `(X.double() ** 2).mean()` allocates two float64 copies
of X; at 10^8 examples that is 1.6 GB for one number. Here each chunk of CHUNK examples is
converted, used and freed, and only the running sums are kept.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import Tensor

CHUNK = 1 << 18  # examples per chunk: 1 MiB of float32; its temporaries stay in the cache


def chunks(*tensors: Tensor, size: int = CHUNK) -> Iterator[tuple[Tensor, ...]]:
    """The tensors (of equal length) cut into views of `size` examples, side by side."""
    return zip(*(tensor.split(size) for tensor in tensors), strict=True)


@dataclass(frozen=True)
class Moments:
    """The sufficient statistics of a sample of (x, y) for a line: its size, means and
    centred sums, in float64. Least squares, the loss of any line and its gradient follow
    from these six numbers alone, whatever n."""

    n: int
    """The number of examples."""
    x_mean: float
    """The mean of x."""
    y_mean: float
    """The mean of y."""
    sxx: float
    """The sum of `(x - x_mean) ** 2`."""
    sxy: float
    """The sum of `(x - x_mean) * (y - y_mean)`."""
    syy: float
    """The sum of `(y - y_mean) ** 2`."""

    def merge(self, other: Moments) -> Moments:
        """The Moments of both samples together (Chan, Golub and LeVeque's update: the
        centred sums gain the spread between the two means)."""
        n = self.n + other.n
        dx, dy = other.x_mean - self.x_mean, other.y_mean - self.y_mean
        weight = self.n * other.n / n
        return Moments(
            n,
            self.x_mean + dx * other.n / n,
            self.y_mean + dy * other.n / n,
            self.sxx + other.sxx + dx * dx * weight,
            self.sxy + other.sxy + dx * dy * weight,
            self.syy + other.syy + dy * dy * weight,
        )


def chunk_moments(X: Tensor, y: Tensor, scale: tuple[float, float] = (1.0, 1.0)) -> Moments:
    """The Moments of one chunk held in memory (of X and y multiplied by `scale`): means,
    then the sums around them."""
    X, y = X.double() * scale[0], y.double() * scale[1]
    x_mean, y_mean = X.mean(), y.mean()
    dx, dy = X - x_mean, y - y_mean
    sums = ((dx * dx).sum(), (dx * dy).sum(), (dy * dy).sum())
    return Moments(len(X), x_mean.item(), y_mean.item(), *(total.item() for total in sums))


def moments(X: Tensor, y: Tensor, scale: tuple[float, float] = (1.0, 1.0)) -> Moments:
    """The Moments of X and y, each of shape (n,), in one pass over chunks: each chunk
    centred in float64, then the chunks merged (so a large offset in x costs no digits).
    With `scale`, those of X * scale[0] and y * scale[1], scaled chunk by chunk.

    Trusts its inputs: the callers check them (linreg.checks).
    """
    parts = (chunk_moments(X_c, y_c, scale) for X_c, y_c in chunks(X, y))
    total = next(parts)
    for part in parts:
        total = total.merge(part)
    return total


def write_pairs(path: str | os.PathLike, X: Tensor, y: Tensor) -> None:
    """Write (x, y) pairs to `path` as raw float32, interleaved, a chunk at a time: the
    format `read_moments` streams. X and y: finite, shape (n,), of one length."""
    from linreg import checks  # it imports this module

    path = _path(path)
    # lists go straight to float64, so a value beyond float32 is named as such below
    X, y = (
        checks.vector(v, name, dtype=None if isinstance(v, Tensor) else torch.float64)
        for v, name in ((X, "X"), (y, "y"))
    )
    checks.same_length(X, y)
    for name, values in (("X", X), ("y", y)):
        if values.abs().max().item() > torch.finfo(torch.float32).max:
            raise checks.ArgumentError(
                name, f"{name} holds values beyond float32's range, which the file stores."
            )
    with _opened(path, "wb") as file:
        for X_c, y_c in chunks(X, y):
            file.write(torch.stack([X_c, y_c], dim=1).float().cpu().numpy().tobytes())


def read_moments(path: str | os.PathLike, chunk: int = CHUNK) -> Moments:
    """The Moments of the (x, y) pairs in a file `write_pairs` wrote, in one pass that
    reads `chunk` pairs at a time into one buffer (8 bytes a pair): the memory it needs is
    bounded by one chunk's, the buffer and that chunk's float64 temporaries (a few times
    the buffer), however large the file. A file that is empty, ends inside a pair or
    holds a NaN or an infinity is refused, naming the pair."""
    from linreg import checks  # it imports this module

    path = _path(path)
    chunk = checks.whole_number(chunk, "chunk", 1, CHUNK, high=MAX_CHUNK)
    buffer = torch.empty((chunk, 2), dtype=torch.float32)
    view = memoryview(buffer.numpy()).cast("B")
    total, read = None, 0
    with _opened(path, "rb", buffering=0) as file:
        while size := file.readinto(view):
            while size % 8 and (more := file.readinto(view[size:])):
                size += more  # a short read: fill the pair it stopped in
            if size % 8:
                raise checks.ArgumentError(
                    "path", f"{path} ends in the middle of a pair: not float32 (x, y) pairs."
                )
            pairs = buffer[: size // 8]
            finite = torch.isfinite(pairs).all(dim=1)
            if not finite.all():
                where = read + int((~finite).nonzero()[0, 0])
                raise checks.ArgumentError(
                    "path",
                    f"{path} holds a NaN or an infinity at pair {where} (counting from 0): "
                    "drop or impute such pairs before writing the file.",
                )
            part = chunk_moments(pairs[:, 0], pairs[:, 1])
            total = part if total is None else total.merge(part)
            read += len(pairs)
    if total is None:
        raise checks.ArgumentError("path", f"{path} is empty: no (x, y) pairs to read.")
    return total


def power_of_two_exponent(values: Tensor) -> int:
    r"""The k for which \(2^k\) times the values have their largest |value| near 1 (0 for all
    zeros), at most 1000 either way: float64 sums of the scaled values neither overflow nor
    lose digits to underflow, and the scaling is exact."""
    largest = max((chunk.abs().max().item() for (chunk,) in chunks(values)), default=0.0)
    if largest == 0 or not math.isfinite(largest):
        return 0
    return max(-1000, min(1000, -math.frexp(largest)[1]))


MAX_CHUNK = 1 << 27  # pairs read at once, at most: a buffer of 1 GiB


def _path(path: object) -> str | os.PathLike:
    """`path`, if it names a file (a str or a path, not a file descriptor)."""
    from linreg import checks

    if not isinstance(path, str | os.PathLike) or not str(path):
        raise checks.ArgumentTypeError(
            "path", f"path must name a file, as a str or a pathlib.Path; got {path!r}."
        )
    return path


@contextlib.contextmanager
def _opened(path: str | os.PathLike, mode: str, **options):
    """`open(path, mode)`, where a file that cannot be opened is an error naming `path`."""
    from linreg import checks

    try:
        file = open(path, mode, **options)  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise checks.ArgumentError("path", f"cannot open {path}: {exc.strerror}.") from None
    with file:
        yield file


def mean(values: Tensor) -> float:
    """The mean of values, in float64, for values of shape (n,)."""
    total = torch.zeros((), dtype=torch.float64)
    for (chunk,) in chunks(values):
        total = total + chunk.double().sum()
    return total.item() / len(values)


def sum_of_squares(values: Tensor) -> float:
    """The sum of `values ** 2`, in float64, for values of shape (n,)."""
    total = torch.zeros((), dtype=torch.float64)
    for (chunk,) in chunks(values):
        total = total + chunk.double().square().sum()
    return total.item()


def mean_square(values: Tensor) -> float:
    """The mean of `values ** 2`, in float64, for values of shape (n,)."""
    return sum_of_squares(values) / len(values)


def line_loss(W: float, b: float, X: Tensor, y: Tensor) -> float:
    """The MSE of the line W x + b on (X, y), in the data's dtype as `mse_loss` computes
    it; over several chunks, the mean of their sums (float64 sums of the dtype's squares)."""
    if len(X) <= CHUNK:
        return ((W * X + b - y) ** 2).mean().item()
    total = torch.zeros((), dtype=torch.float64)
    for X_c, y_c in chunks(X, y):
        total = total + ((W * X_c + b - y_c) ** 2).sum().double()
    return total.item() / len(X)
