"""Checks of what a user passes in, made once at the package's edges.

The modules that hold the algorithm (`loss`, `model`, `training`) trust their inputs, so
that what a reader studies is the algorithm alone. The names that `linreg` exports check
their inputs first: `linreg.mse_loss` and `linreg.gradient_step` are the bare functions
behind `checked`, and `fit`, `make_data`, `least_squares` and `LinearModel` call these
checks on entry. Every error names the argument it is about (`.argument`) and the fix.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import torch
from torch import Tensor

from linreg.statistics import sum_of_squares

F = TypeVar("F", bound=Callable[..., Any])


class ArgumentError(ValueError):
    """A bad value for one argument, named by `.argument` (e.g. "lr").

    `.wider` is the part of the message that suggests a wider dtype (float64), or "": the
    command line, which has no dtype to change, leaves it out (`.without_wider`).
    """

    def __init__(self, argument: str, message: str, wider: str = "") -> None:
        super().__init__(message + wider)
        self.argument = argument
        self.wider = wider
        self.without_wider = message + ("." if wider and not message.endswith(".") else "")


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of the wrong type, named by `.argument`."""


def checked(
    function: F,
    check: Callable[..., dict[str, Any]],
    after: Callable[..., None] | None = None,
) -> F:
    """`function` behind `check`, which gets its arguments by name and returns them
    checked, and `after`, which gets the result and those arguments and may refuse the
    result. A call that raises, `after`'s refusal or Ctrl-C included, leaves a `model`
    argument as it was.

    The result has `function`'s name, signature, docstring and source (`inspect.getsource`
    follows `__wrapped__`), so a page that shows it shows the bare algorithm.
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def checked_function(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{function.__name__}{signature}: {exc}") from None
        bound.apply_defaults()
        arguments = check(**bound.arguments)
        model = arguments.get("model")
        start = snapshot(model) if model is not None else None
        try:
            result = function(**arguments)
            if after is not None:
                after(result, **arguments)
        except BaseException:
            if model is not None:
                restore(model, start)
            raise
        return result

    return checked_function  # type: ignore[return-value]


def snapshot(model: Any) -> list[tuple[Tensor, Tensor | None]]:
    """Each parameter's value and .grad, for `restore`."""
    return [(param.detach().clone(), param.grad) for param in model.parameters()]


def restore(model: Any, saved: list[tuple[Tensor, Tensor | None]]) -> None:
    """Put the parameters and their .grad back as `snapshot` found them (their .grad came
    in cleared: `linear_model` refuses another)."""
    with torch.no_grad():
        for param, (value, grad) in zip(model.parameters(), saved, strict=True):
            param.copy_(value)
            param.grad = grad
            if grad is not None:
                grad.zero_()


# --- numbers -------------------------------------------------------------------------------


def _is_real_number(value: object) -> bool:
    if isinstance(value, Tensor):
        return (
            value.numel() == 1
            and not value.dtype.is_complex
            and value.dtype != torch.bool
            and value.device.type != "meta"  # a shape without a value
        )
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _as_float(value: object, name: str, hint: str) -> float:
    """A real number as a float: one too large for float64 is an error about its size."""
    try:
        return float(value)
    except OverflowError:
        raise ArgumentError(
            name, f"{name} is too large for a float (largest {sys.float_info.max:.3g}){hint}."
        ) from None


def finite_number(value: object, name: str, example: str = "") -> float:
    """`value` as a finite float, or an error naming `name`."""
    hint = f" (for example {example})" if example else ""
    if not _is_real_number(value):
        raise ArgumentTypeError(name, f"{name} must be a number{hint}; got {value!r}.")
    number = _as_float(value, name, hint)
    if not math.isfinite(number):
        raise ArgumentError(name, f"{name} must be a finite number{hint}; got {number}.")
    return number


def whole_number(value: object, name: str, low: int, example: int, high: int | None = None) -> int:
    """`value` as an int in [low, high], or an error naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(
            name, f"{name} must be a whole number (for example {example}); got {value!r}."
        )
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise ArgumentError(name, f"{name} must be {bounds} (for example {example}); got {value}.")
    return int(value)


def learning_rate(lr: object, name: str = "lr") -> float:
    """`lr` as a finite float > 0, or an error naming `name`."""
    if not _is_real_number(lr):
        raise ArgumentTypeError(name, f"{name} must be a number (for example 0.1); got {lr!r}.")
    lr = _as_float(lr, name, " (for example 0.1)")
    if not math.isfinite(lr) or lr <= 0:
        raise ArgumentError(
            name, f"{name} must be a finite number > 0 (for example 0.1); got {lr}."
        )
    return lr


def representable(value: float, name: str, dtype: torch.dtype) -> float:
    """`value`, if rounding it to `dtype` keeps it finite and, unless it is 0, nonzero; or
    an error naming `name`."""
    rounded = torch.tensor(value, dtype=dtype).item()
    if not math.isfinite(rounded):
        raise ArgumentError(
            name,
            f"{name}={value:g} overflows {dtype} (largest {torch.finfo(dtype).max:.3g}): pass "
            f"a smaller {name}",
            ", or use a wider dtype such as torch.float64.",
        )
    if rounded == 0 and value != 0:
        raise ArgumentError(
            name,
            f"{name}={value:g} rounds to 0 in {dtype}: pass "
            f"{'a' if name == 'lr' else '0 or a'} larger {name}",
            ", or use a wider dtype such as torch.float64.",
        )
    return value


def torch_device(device: object) -> torch.device:
    """`device` as a torch.device that exists on this machine and can hold data, or an error."""
    try:
        checked = torch.device(device)  # type: ignore[arg-type]
    except (RuntimeError, TypeError) as exc:
        raise ArgumentError(
            "device",
            f"device must name a torch device such as 'cpu' or 'cuda'; got {device!r} ({exc}).",
        ) from None
    if checked.type == "cuda" and not torch.cuda.is_available():
        raise ArgumentError(
            "device",
            f"device={device!r}, but this torch has no CUDA device to use: pass "
            "device='cpu', or install a CUDA build of torch on a machine with a GPU.",
        )
    try:  # a value there and back: 'meta' holds no data, and a missing backend raises
        torch.ones(1, device=checked).cpu()
    except Exception as exc:  # each backend raises its own kind
        raise ArgumentError(
            "device",
            f"device={device!r} cannot hold data on this machine ({type(exc).__name__}: "
            f"{(str(exc).splitlines() or ['no message'])[0][:100]}): pass device='cpu'.",
        ) from None
    return checked


def floating_dtype(dtype: object, name: str = "dtype") -> torch.dtype:
    """`dtype` if it is a floating torch dtype that torch computes in, or an error."""
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ArgumentTypeError(
            name, f"{name} must be a floating dtype such as torch.float32; got {dtype!r}."
        )
    if dtype.itemsize < 2:  # the float8 formats store numbers; torch does little math in them
        raise ArgumentTypeError(
            name,
            f"{name} is {dtype}, a storage format that torch's arithmetic does not support: "
            "use torch.float16 or wider.",
        )
    return dtype


# --- data ----------------------------------------------------------------------------------


def dtype_of(values: object) -> torch.dtype:
    """The floating dtype that `values` (a tensor, an array or a list) would train in."""
    try:
        dtype = values.dtype if isinstance(values, Tensor) else torch.as_tensor(values).dtype
    except (TypeError, ValueError, RuntimeError):
        return torch.get_default_dtype()  # vector() will say what is wrong with the values
    # NumPy's float64 stays float64; lists of floats and integer data take torch's default.
    return dtype if dtype.is_floating_point else torch.get_default_dtype()


def vector(
    values: object,
    name: str,
    *,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> Tensor:
    """`values` as a 1-D floating tensor of finite numbers, or an error naming `name`.

    Tensors keep their dtype and device unless `dtype` or `device` is given. Anything else
    (a list, a NumPy array) is converted straight to `dtype` (default: its own floating
    dtype, else torch's default), so a list of floats never passes through float32 on its
    way to float64. A finite value that `dtype` cannot hold is an error about its size,
    not a NaN.
    """
    if isinstance(values, Tensor):
        if values.device.type == "meta":
            raise ArgumentError(
                name, f"{name} is on the 'meta' device, which holds shapes but no values."
            )
        if values.layout != torch.strided:
            raise ArgumentTypeError(
                name, f"{name} is a {values.layout} tensor: pass {name}.to_dense()."
            )
        tensor = values.detach()
    else:
        tensor = _converted(values, name, dtype)
    if tensor.dtype == torch.bool or tensor.is_complex():
        raise ArgumentTypeError(
            name, f"{name} must hold real numbers, not {tensor.dtype}; convert it with .float()."
        )
    if tensor.is_floating_point():
        floating_dtype(tensor.dtype, name)
    else:
        tensor = tensor.to(dtype or torch.get_default_dtype())
    if tensor.ndim != 1:
        fix = f"flatten it with {name}.reshape(-1)" if tensor.numel() > 1 else "pass a 1-D sequence"
        raise ArgumentError(
            name,
            f"{name} must be 1-D, one value per example; got shape {tuple(tensor.shape)}: {fix}.",
        )
    if tensor.numel() == 0:
        raise ArgumentError(name, f"{name} is empty: pass at least one example.")
    if dtype is not None or device is not None:
        tensor = tensor.to(dtype=dtype or tensor.dtype, device=device or tensor.device)
    if not torch.isfinite(tensor).all():
        raise _not_finite(values, tensor, name)
    return tensor


def _converted(values: object, name: str, dtype: torch.dtype | None) -> Tensor:
    """A list or an array as a tensor: straight to `dtype` when it is given and the values
    are real, else as torch infers it (integers beyond int64 go to a float)."""
    if isinstance(values, np.ndarray) and any(stride < 0 for stride in values.strides):
        values = values.copy()  # torch takes no negative strides (a[::-1])
    try:
        tensor = torch.as_tensor(values)
    except (TypeError, ValueError, RuntimeError, OverflowError) as exc:
        if not isinstance(exc, OverflowError) and "Overflow" not in str(exc):
            raise _unconvertible(values, name, exc) from None
        tensor = None  # Python integers too large for int64: as floats, below
    if tensor is not None and (tensor.dtype == torch.bool or tensor.is_complex()):
        return tensor  # vector() says what is wrong with it
    if tensor is None or dtype is not None:
        float_dtype = dtype or torch.get_default_dtype()
        try:
            tensor = torch.as_tensor(values, dtype=float_dtype)  # straight to dtype, no detour
        except OverflowError:
            raise ArgumentError(
                name,
                f"{name} holds a number too large for any float dtype (float64's largest is "
                f"{torch.finfo(torch.float64).max:.3g}): rescale {name}, for example divide "
                "it by a power of ten.",
            ) from None
    return tensor


def _unconvertible(values: object, name: str, exc: Exception) -> ArgumentError:
    kind = getattr(getattr(values, "dtype", None), "kind", "")
    if kind in ("f", "i", "u"):  # a NumPy array of numbers torch has no dtype for
        return ArgumentTypeError(
            name,
            f"{name} is a NumPy array of {values.dtype}, which torch cannot hold: convert it "
            f"with {name}.astype(numpy.float64).",
        )
    return ArgumentTypeError(
        name,
        f"{name} must be a tensor or a list/array of numbers; got "
        f"{type(values).__name__} that torch cannot convert ({exc}). Pass numbers, "
        "for example [0.1, 0.5, 1.2].",
    )


def _not_finite(values: object, tensor: Tensor, name: str) -> ArgumentError:
    """The error for a `tensor` with values that are not finite: NaN or infinite in
    `values` themselves, or finite values too large for the tensor's dtype."""
    try:  # the values as given, in float64 (a list would become float32 by default)
        if isinstance(values, Tensor) or hasattr(values, "dtype"):  # a tensor, an array
            given = torch.as_tensor(values).detach().to(torch.float64)
        else:
            given = torch.as_tensor(values, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        given = None
    source = given if given is not None and given.numel() == tensor.numel() else tensor
    bad = int((~torch.isfinite(source)).sum())
    if bad:
        return ArgumentError(
            name,
            f"{name} holds {bad} NaN or infinite value(s): drop or impute them first.",
        )
    largest = source.abs().max().item()
    return ArgumentError(
        name,
        f"{name} holds values as large as {largest:.3g}, beyond {tensor.dtype}'s largest, "
        f"{torch.finfo(tensor.dtype).max:.3g}: rescale {name}",
        ", or use float64 data and a float64 model (linreg.LinearModel.like(X)).",
    )


def within_range(values: Tensor, name: str) -> float:
    """The float64 sum of `values ** 2`, if it fits in their dtype, or an error naming
    `name`: the loss and its gradient sum such squares, which would overflow."""
    total = sum_of_squares(values)
    if total > torch.finfo(values.dtype).max:
        raise too_large(name, values, values.dtype)
    return total


def too_large(name: str, values: Tensor, dtype: torch.dtype) -> ArgumentError:
    """The error for finite `values` whose sums of squares overflow `dtype`, with a power
    of ten to divide them by."""
    largest = torch.finfo(dtype).max
    # log10 of the root of the sum of squares, at most (in logs: the product may overflow)
    size = math.log10(values.abs().max().item()) + math.log10(len(values)) / 2
    scale = 10 ** (math.ceil(size - math.log10(largest) / 2) + 1)
    wider = ", or use float64 data and a float64 model." if dtype != torch.float64 else ""
    return ArgumentError(
        name,
        f"{name} is too large for {dtype}: the sum of its squares overflows it (largest "
        f"{largest:.3g}), and the loss sums such squares. Rescale {name} (for example "
        f"{name} / {scale:g})" + ("" if wider else "."),
        wider,
    )


def parameter(value: object, name: str) -> Tensor | float:
    """`value` as a finite number: a float, or a 0-d floating tensor (kept, for autograd)."""
    if (
        isinstance(value, Tensor)
        and value.is_floating_point()
        and value.ndim == 0
        and value.device.type != "meta"
    ):
        if not torch.isfinite(value).all():
            raise ArgumentError(name, f"{name} must be finite; got {value.item()}.")
        return value
    return finite_number(value, name)


def same_length(X: Tensor, y: Tensor) -> None:
    if len(X) != len(y):
        raise ArgumentError(
            "y", f"X has {len(X)} examples but y has {len(y)}: pass one target per example."
        )


def reference_vector(values: object, name: str) -> Tensor:
    """`values` as a 1-D floating tensor on the CPU, for the closed-form references, which
    sum it in float64 a chunk at a time (linreg.statistics): a floating tensor keeps its
    dtype (no float64 copy of all the data), anything else becomes float64 directly."""
    floating = isinstance(values, Tensor) and values.is_floating_point()
    return vector(values, name, dtype=values.dtype if floating else torch.float64, device="cpu")


def reference_data(X: object, y: object) -> tuple[Tensor, Tensor]:
    """(X, y) as `reference_vector`s of the same length."""
    X, y = reference_vector(X, "X"), reference_vector(y, "y")
    same_length(X, y)
    return X, y


def linear_model(model: object) -> Any:
    """`model`, if its W and b are finite 0-d floating tensors that gradient descent can update."""
    W, b = getattr(model, "W", None), getattr(model, "b", None)
    if (
        W is None
        or b is None
        or not callable(model)
        or not callable(getattr(model, "parameters", None))
    ):
        raise ArgumentTypeError(
            "model",
            f"model must be a linreg.LinearModel (W, b, model(X) and model.parameters()); "
            f"got {type(model).__name__}. Build one with linreg.LinearModel.like(X).",
        )
    for name, param in (("W", W), ("b", b)):
        if not isinstance(param, Tensor):
            raise ArgumentTypeError(
                name,
                f"model.{name} must be a 0-d tensor that requires grad; got "
                f"{type(param).__name__} {param!r}: build the model with linreg.LinearModel.",
            )
    if W.device.type == "meta" or b.device.type == "meta":
        raise ArgumentError(
            "model", "model is on the 'meta' device, which holds no values: build it on 'cpu'."
        )
    if (W.dtype, W.device) != (b.dtype, b.device):
        raise ArgumentError(
            "b",
            f"model.W is {W.dtype} on {W.device} but model.b is {b.dtype} on {b.device}: "
            "build the model with linreg.LinearModel.like(X).",
        )
    for name, param in (("W", W), ("b", b)):
        if param.ndim != 0 or not param.is_floating_point():
            raise ArgumentTypeError(
                name, f"model.{name} must be a 0-d floating tensor; got {param!r}."
            )
        floating_dtype(param.dtype, "model")
        if not (param.is_leaf and param.requires_grad):
            raise ArgumentError(
                name,
                f"model.{name} must be a leaf tensor that requires grad, so that backward() "
                "fills its .grad; build the model with linreg.LinearModel.like(X).",
            )
        if not math.isfinite(param.item()):
            raise ArgumentError(
                name, f"model.{name} is {param.item()}: start from a finite {name}, such as 0."
            )
        if param.grad is not None and bool(param.grad.any()):
            raise ArgumentError(
                name,
                f"model.{name}.grad already holds a gradient ({param.grad.item():.4g}) from an "
                "earlier backward(): a step would add the new gradient to it. Clear it with "
                f"model.{name}.grad = None (or .zero_()) first.",
            )
    return model


def model_data(model: Any, X: object, y: object) -> tuple[Tensor, Tensor]:
    """(X, y) as 1-D tensors in the model's dtype and on its device, or an error.

    Lists and NumPy arrays are converted to the model's dtype and device. Tensors are not
    copied behind the user's back: one of another dtype or device is an error that says
    which tensor differs and how to make them agree.
    """
    W = model.W
    tensors = {}
    for name, values in (("X", X), ("y", y)):
        if isinstance(values, Tensor) and (values.dtype, values.device) != (W.dtype, W.device):
            if values.is_floating_point():
                fix = (
                    "build the model with linreg.LinearModel.like(X)"
                    if name == "X"
                    else f"convert y with y.to({W.dtype}) (or build X, y and the model alike)"
                )
                raise ArgumentError(
                    name,
                    f"{name} is {values.dtype} on {values.device} but the model is {W.dtype} on "
                    f"{W.device}: {fix}.",
                )
            values = values.to(W.device)  # integer or bool tensors: vector() converts
        tensors[name] = vector(values, name, dtype=W.dtype, device=W.device)
    same_length(tensors["X"], tensors["y"])
    return tensors["X"], tensors["y"]


# --- the checks behind the shown functions -------------------------------------------------


def loss_arguments(y_hat: object, y: object) -> dict[str, Any]:
    """The arguments of mse_loss: two floating tensors of one shape, not empty."""
    for name, value in (("y_hat", y_hat), ("y", y)):
        if not isinstance(value, Tensor):
            raise ArgumentTypeError(
                name,
                f"{name} must be a tensor; got {type(value).__name__}: wrap it with "
                f"torch.as_tensor({name}).",
            )
        if not value.is_floating_point():
            raise ArgumentTypeError(
                name,
                f"{name} must be a floating tensor; got {value.dtype}: convert it with "
                f"{name}.float().",
            )
        floating_dtype(value.dtype, name)
        if value.device.type == "meta" or value.layout != torch.strided:
            raise ArgumentTypeError(
                name,
                f"{name} must be a dense tensor with values; got one on {value.device}"
                f" of layout {value.layout}.",
            )
    if y_hat.shape != y.shape:
        raise ArgumentError(*_shape_mismatch(y_hat.shape, y.shape))
    if y.numel() == 0:
        raise ArgumentError("y", "y is empty: the mean of no squared residuals is undefined.")
    if y_hat.device != y.device:
        raise ArgumentError(
            "y", f"y_hat is on {y_hat.device} but y on {y.device}: move y with y.to(y_hat.device)."
        )
    # As fit refuses such data: a NaN loss would not say which value was bad.
    for name, value in (("y", y), ("y_hat", y_hat)):
        if not torch.isfinite(value).all():
            bad = int((~torch.isfinite(value)).sum())
            raise ArgumentError(
                name, f"{name} holds {bad} NaN or infinite value(s): the loss would be NaN."
            )
    return {"y_hat": y_hat, "y": y}


def finite_loss(loss: Tensor, y_hat: Tensor, y: Tensor) -> None:
    """Refuse a loss that overflowed: finite inputs whose squared residuals sum beyond the
    dtype's largest (the mean of them may fit, but the sum it is taken from does not)."""
    if not torch.isfinite(loss):
        raise ArgumentError(
            "y_hat",
            f"the squared residuals of y_hat against y sum beyond {loss.dtype}'s largest, "
            f"{torch.finfo(loss.dtype).max:.3g}, so the loss overflows: rescale y_hat and y",
            ", or compute in float64.",
        )


def _shape_mismatch(y_hat: torch.Size, y: torch.Size) -> tuple[str, str]:
    """Which of y_hat and y to blame for their shapes, and what to say."""
    if len(y_hat) == len(y) == 1:
        return "y", (
            f"y_hat has {y_hat[0]} values but y has {y[0]}: pass one prediction per target."
        )
    try:
        result = f"would broadcast to shape {tuple(torch.broadcast_shapes(y_hat, y))}"
    except RuntimeError:
        result = "do not even broadcast"
    name = "y" if len(y_hat) == 1 else "y_hat"  # the one that is not 1-D
    return name, (
        f"y_hat has shape {tuple(y_hat)} but y has shape {tuple(y)}: their residuals "
        f"{result}, not one per example. Make both 1-D, e.g. {name}.reshape(-1)."
    )


def step_arguments(model: object, X: object, y: object, lr: object) -> dict[str, Any]:
    """The arguments of gradient_step: a model, its data and a learning rate."""
    model = linear_model(model)
    X, y = model_data(model, X, y)
    within_range(X, "X")
    within_range(y, "y")
    lr = representable(learning_rate(lr), "lr", model.W.dtype)
    return {"model": model, "X": X, "y": y, "lr": lr}


def step_result(loss: Tensor, model: Any, X: Tensor, y: Tensor, lr: float) -> None:
    """Refuse a gradient step whose loss or new W, b overflowed the dtype (the caller puts
    the model back): the start is too far from the data, or lr too large."""
    dtype = model.W.dtype
    if not torch.isfinite(loss):
        raise ArgumentError(
            "model",
            f"the loss at the model's W and b overflows {dtype} on this data: start nearer "
            "the data, with W and b of the size of the slope and the intercept of y",
            ", or use float64 data and a float64 model.",
        )
    moved = [param for param in model.parameters() if not torch.isfinite(param)]
    if moved:
        from linreg.pages.learning_rate import stability_bound

        bound = stability_bound(X)
        raise ArgumentError(
            "lr",
            f"lr={lr:g} makes the step overflow {dtype} (a parameter would become "
            f"{moved[0].item()}): pass an lr below this data's stability bound, "
            f"{bound:.3g}, such as {float(f'{bound / 2:.1g}')}.",
        )


def model_arguments(W: object, b: object, dtype: object, device: object) -> dict[str, Any]:
    """The arguments of LinearModel: a W and b finite in a floating dtype, a real device."""
    dtype = floating_dtype(dtype)
    return {
        "W": representable(finite_number(W, "W", "16.0"), "W", dtype),
        "b": representable(finite_number(b, "b", "10.0"), "b", dtype),
        "dtype": dtype,
        "device": torch_device(device),
    }


# --- memory --------------------------------------------------------------------------------


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux's MemAvailable), if known."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def memory(num_examples: int, bytes_per_example: int, what: str) -> None:
    """Refuse, before allocating, `num_examples` that cannot fit in the memory available."""
    if not isinstance(num_examples, numbers.Integral):
        return  # not a count at all: the function it is passed to says so
    needed = num_examples * bytes_per_example
    available = available_memory()
    if available is None or needed <= available:
        return
    fits = max(1, available // bytes_per_example // 2)
    raise ArgumentError(
        "num_examples",
        f"num_examples={num_examples} needs about {needed / 1e9:.3g} GB for {what}, and "
        f"this machine has {available / 1e9:.3g} GB available: pass fewer examples, such as "
        f"{10 ** int(math.log10(fits))}.",
    )


def callback(on_epoch: object) -> None:
    """`on_epoch`, if it is None or can be called."""
    if on_epoch is not None and not callable(on_epoch):
        raise ArgumentTypeError(
            "on_epoch",
            f"on_epoch must be a function called as on_epoch(epoch, loss), or None; got "
            f"{on_epoch!r}.",
        )


def flag(value: object, name: str) -> bool:
    """`value`, if it is True or False."""
    if not isinstance(value, bool):
        raise ArgumentTypeError(name, f"{name} must be True or False; got {value!r}.")
    return value


def in_process_group(batch_size: object) -> None:
    """`fit(distributed=True)` needs a torch.distributed group, and full batches."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        raise ArgumentError(
            "distributed",
            "distributed=True trains one shard per process of a torch.distributed group, and "
            "none is initialized: start the processes with torchrun (or "
            "linreg.distributed.launch), or call torch.distributed.init_process_group first.",
        )
    if batch_size is not None:
        raise ArgumentError(
            "batch_size",
            "distributed=True takes full-batch steps: pass batch_size=None (the default).",
        )
