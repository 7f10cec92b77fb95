"""Validation of what a user passes in: every error names the argument and the fix."""

from __future__ import annotations

import math
import numbers

import torch
from torch import Tensor


def as_vector(values: object, name: str) -> Tensor:
    """Return `values` as a 1-D floating tensor of finite numbers, or raise naming `name`."""
    if isinstance(values, Tensor):
        tensor = values.detach()
    else:
        try:
            tensor = torch.as_tensor(values)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(
                f"{name} must be a tensor or a list/array of numbers; got {type(values).__name__} "
                f"that torch cannot convert ({exc}). Pass numbers, e.g. {name}=[0.1, 0.5, 1.2]."
            ) from None
    if tensor.dtype == torch.bool or tensor.is_complex():
        raise TypeError(
            f"{name} must hold real numbers, not {tensor.dtype}; convert it with .float()."
        )
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.get_default_dtype())
    if tensor.ndim != 1:
        fix = f"flatten it with {name}.reshape(-1)" if tensor.numel() > 1 else "pass a 1-D sequence"
        raise ValueError(
            f"{name} must be 1-D, one value per example; got shape {tuple(tensor.shape)}: {fix}."
        )
    if tensor.numel() == 0:
        raise ValueError(f"{name} is empty: pass at least one example.")
    if not torch.isfinite(tensor).all():
        bad = int((~torch.isfinite(tensor)).sum())
        raise ValueError(
            f"{name} holds {bad} NaN or infinite value(s): drop or impute them before fitting."
        )
    return tensor


def as_data(X: object, y: object) -> tuple[Tensor, Tensor]:
    """Return (X, y) as 1-D float tensors of one length, dtype and device, or raise."""
    X, y = as_vector(X, "X"), as_vector(y, "y")
    if len(X) != len(y):
        raise ValueError(
            f"X has {len(X)} examples but y has {len(y)}: pass one target per example."
        )
    if X.device != y.device:
        raise ValueError(f"X is on {X.device} but y is on {y.device}: move both to one device.")
    dtype = torch.promote_types(X.dtype, y.dtype)
    return X.to(dtype), y.to(dtype)


def _is_number(value: object) -> bool:
    if isinstance(value, Tensor):
        return value.numel() == 1 and not value.dtype.is_complex and value.dtype != torch.bool
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def learning_rate(lr: object) -> float:
    """Return `lr` as a finite positive float, or raise."""
    if not _is_number(lr):
        raise TypeError(f"lr must be a number, e.g. lr=0.1; got {lr!r}.")
    lr = float(lr)
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a finite number > 0, e.g. lr=0.1; got {lr}.")
    return lr


def num_epochs(epochs: object) -> int:
    """Return `epochs` as a non-negative int, or raise."""
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise TypeError(f"num_epochs must be a whole number, e.g. num_epochs=20; got {epochs!r}.")
    if epochs < 0:
        raise ValueError(f"num_epochs must be >= 0, e.g. num_epochs=20; got {epochs}.")
    return int(epochs)


def finite_number(value: object, name: str) -> float:
    """Return `value` as a finite float, or raise naming `name`."""
    if not _is_number(value):
        raise TypeError(f"{name} must be a number; got {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value}.")
    return value
