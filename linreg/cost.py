"""What a training step costs, counted rather than timed: the same on every machine and in
every build, where seconds are not.

`count` runs a function under a TorchDispatchMode, which sees every operation torch runs
(in the forward pass, in backward() and in the update) with its input and output tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import Tensor
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves


@dataclass(frozen=True)
class Cost:
    """What the operations of one call did, counted."""

    operations: int
    """How many operations torch ran."""
    elements_read: int
    """Elements the operations read from their tensor inputs (a broadcast scalar counts
    once; a view, such as a chunk cut by `split`, reads nothing)."""
    allocated: int
    """Bytes of the new tensors the operations returned (views share memory: not counted)."""
    largest: int
    """Bytes of the largest of those tensors."""

    def passes(self, n: int) -> float:
        """elements_read / n: how many times an array the size of the data was read."""
        return self.elements_read / n


class _Counter(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.operations = self.read = self.allocated = self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        self.operations += 1
        inputs = [t for t in tree_leaves((args, kwargs)) if isinstance(t, Tensor)]
        if not func.is_view:  # a view (split, expand, detach) reads nothing
            self.read += sum(_stored(t) for t in inputs)
        storages = {t.untyped_storage().data_ptr() for t in inputs}
        for output in tree_leaves(result):
            if isinstance(output, Tensor) and output.untyped_storage().data_ptr() not in storages:
                size = output.untyped_storage().nbytes()
                self.allocated += size
                self.largest = max(self.largest, size)
        return result


def _stored(tensor: Tensor) -> int:
    """The elements a tensor really holds: an expanded one (stride 0) holds fewer."""
    if tensor.numel() == 0:
        return 0
    extents = zip(tensor.shape, tensor.stride(), strict=True)
    return 1 + sum((size - 1) * stride for size, stride in extents if stride)


def count(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Cost:
    """Run `function(*args, **kwargs)` and count what torch did for it."""
    with _Counter() as counter:
        function(*args, **kwargs)
    return Cost(counter.operations, counter.read, counter.allocated, counter.largest)
