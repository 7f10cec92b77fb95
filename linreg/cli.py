"""The command line: `python -m linreg` (or `linreg`) runs the tutorial's experiment."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import linreg
from linreg import experiment
from linreg.checks import ArgumentError
from linreg.settings import DEFAULTS, Settings
from linreg.training import DivergenceError

EXIT_FAILED = 1  # the output cannot be written
EXIT_BAD_INPUT = 2  # argparse's own code for a usage error
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C

# Each setting's option: how an error about an argument is put to the command line's user.
OPTIONS = {
    "num_epochs": "--epochs",
    "lr": "--lr",
    "W": "--w0",
    "b": "--b0",
    "W0": "--w0",  # the names of W and b in linreg.Settings
    "b0": "--b0",
    "num_examples": "--num-examples",
    "noise": "--noise",
    "seed": "--seed",
}

EPILOG = f"""\
examples:
  linreg                      the tutorial's run: {DEFAULTS.num_epochs} epochs at lr {DEFAULTS.lr} \
from W={DEFAULTS.W0:g}, b={DEFAULTS.b0:g}
  linreg --lr 0.5 --epochs 10
  linreg --lr 1.5             diverges: lr is above the stability bound (about 1 here)

exit status: 0 on success, {EXIT_BAD_INPUT} for a bad option, {EXIT_DIVERGED} if training diverges,
{EXIT_FAILED} if the output cannot be written, {EXIT_INTERRUPTED} on Ctrl-C.
"""


class _Refusal(Exception):
    """A reason not to start the run, said in one line: `linreg: error: MESSAGE`."""

    def __init__(self, message: str, status: int = EXIT_BAD_INPUT, hint: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.hint = hint  # said after the message, and after the process it came from


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        # Raised, not exited: under torchrun every process must hear of it first.
        raise _Refusal(message, hint=f" (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; its defaults are linreg.DEFAULTS. A bad option raises, for
    `main` to say, rather than exiting."""
    parser = _Parser(
        prog="linreg",
        description=(
            f"Fit y = W x + b to synthetic data y = {DEFAULTS.true_W:g}x + {DEFAULTS.true_b:g} "
            "+ noise by gradient descent,\n"
            "with the loss and the update written by hand, printing the loss each epoch."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {linreg.__version__}")
    training = parser.add_argument_group("training")
    training.add_argument(
        "--epochs",
        dest="num_epochs",
        type=int,
        default=DEFAULTS.num_epochs,
        metavar="N",
        help="number of gradient steps (default: %(default)s)",
    )
    training.add_argument(
        "--lr",
        type=float,
        default=DEFAULTS.lr,
        help="step size, 0 < LR < stability bound (default: %(default)s)",
    )
    training.add_argument(
        "--w0",
        dest="W0",
        type=float,
        default=DEFAULTS.W0,
        metavar="W",
        help="initial slope W (default: %(default)s)",
    )
    training.add_argument(
        "--b0",
        dest="b0",
        type=float,
        default=DEFAULTS.b0,
        metavar="B",
        help="initial intercept b (default: %(default)s)",
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--num-examples",
        dest="num_examples",
        type=int,
        default=DEFAULTS.num_examples,
        metavar="N",
        help="number of (x, y) examples (default: %(default)s)",
    )
    data.add_argument(
        "--noise",
        type=float,
        default=DEFAULTS.noise,
        metavar="STD",
        help="standard deviation of the noise on y (default: %(default)s)",
    )
    data.add_argument(
        "--seed",
        type=int,
        default=DEFAULTS.seed,
        help="seed of the data's random generator (default: %(default)s)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--plots",
        type=_folder,
        metavar="DIR",
        help="also write the tutorial's figures to DIR as PNG files (created if missing)",
    )
    return parser


def _folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "an empty folder name would write into the current folder; name one, "
            "e.g. --plots figures"
        )
    return Path(text)


def main(argv: list[str] | None = None) -> int:
    """Run the experiment; return the exit status."""
    with _CtrlC() as ctrl_c:
        try:
            status = _main(sys.argv[1:] if argv is None else argv, ctrl_c.check)
            ctrl_c.check()  # one that Python swallowed after the last epoch or figure
            if sys.stdout is not None:  # None in a process that refused a closed one
                sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
            return status
        except BrokenPipeError:  # e.g. `linreg --epochs 100000 | head -1`: the reader has enough
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
            return 0
        except KeyboardInterrupt:
            ctrl_c.stopping = True
            print("\nlinreg: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except OSError as exc:  # writing the log failed, e.g. `linreg > /dev/full`
            if exc.errno is None:
                raise
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            print(f"linreg: error: cannot write the output: {exc.strerror}", file=sys.stderr)
            return EXIT_FAILED


def _main(argv: list[str], check: Callable[[], None]) -> int:
    speaks = not _torchrun_rank()  # this process, or process 0 of a torchrun group
    if not speaks:  # another process of the group: process 0 says what all do and refuse,
        silent = os.open(os.devnull, os.O_WRONLY)  # down to what torch's C++ writes
        os.dup2(silent, 1)
        os.dup2(silent, 2)
    parser = build_parser()
    settings = plots = refusal = None
    try:
        if speaks:
            _check_output()
        args = vars(parser.parse_args(_join_negative_values(argv)))
        plots = args.pop("plots")
        settings = dataclasses.replace(DEFAULTS, **args)
        if plots is not None and speaks:  # the process that writes them
            _check_plots_folder(plots)  # before training: a bad one costs nothing
    except _Refusal as exc:
        refusal = exc
    with _torchrun_group() as rank:
        if rank is not None:  # all start, or none: one that stopped alone would leave the
            refusal = _agree(refusal, settings)  # others waiting for it in a collective
        if refusal is not None:
            if not rank:
                # sys.stderr is None if it is closed, and print then writes to stdout
                print(f"{parser.prog}: error: {refusal}{refusal.hint}", file=sys.stderr)
            _wait_for_rank_0(rank)
            return refusal.status
        plots = plots if not rank else None
        return _run(parser, settings, plots, rank, check)


def _run(parser, settings, plots: Path | None, rank: int | None, check) -> int:
    log = _Log(check)
    distributed = rank is not None
    try:
        result = experiment.run(settings, on_epoch=log.print, distributed=distributed)
    except DivergenceError as exc:  # in every process alike: the loss is the group's
        log.print_rest(exc.history.losses)  # the epoch whose loss rose, too
        print(f"{parser.prog}: error: --lr: {exc}", file=sys.stderr)
        _wait_for_rank_0(rank)
        return EXIT_DIVERGED
    except ArgumentError as exc:  # in a group, every process's checks are agreed: all stop
        option = OPTIONS.get(exc.argument)
        prefix = f"{option}: " if option else ""
        # without the advice to use float64: the command line has no dtype to change
        print(f"{parser.prog}: error: {prefix}{exc.without_wider}", file=sys.stderr)
        _wait_for_rank_0(rank)
        return EXIT_BAD_INPUT
    except (MemoryError, RuntimeError) as exc:  # the estimate was not enough
        if not isinstance(exc, MemoryError) and "alloc" not in str(exc):
            raise
        print(
            f"{parser.prog}: error: --num-examples: out of memory with "
            f"{settings.num_examples} examples; pass fewer.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT

    _print_summary(result)
    if plots is not None:
        try:
            paths = write_plots(plots, result, between=check)
        except OSError as exc:
            print(f"{parser.prog}: error: --plots: cannot write to {plots}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print()
        for path in paths:
            print(f"wrote {path}")
    return 0


class _CtrlC:
    """Ctrl-C, obeyed at any moment of `main`.

    A KeyboardInterrupt raised in a finalizer or a garbage-collection callback (matplotlib
    and torch run many) is swallowed: Python prints "Exception ignored" and goes on. So the
    handler also records it, and `check()`, at each epoch, between figures and before
    `main` returns, raises it again. Only in the main thread, and only where Ctrl-C has
    Python's own meaning (not where it is ignored, as in a background job).
    """

    def __init__(self) -> None:
        self.pressed = False
        self.stopping = False  # main is saying so: a second Ctrl-C need not interrupt that

    def __enter__(self) -> _CtrlC:
        self.installed = (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        )
        if self.installed:
            signal.signal(signal.SIGINT, self._handle)
            # Python's report of the swallowed one: the record says it, in one line
            self._unraisablehook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            sys.unraisablehook = self._unraisablehook

    def _handle(self, signum: int, frame: object) -> None:
        self.pressed = True
        if not self.stopping:
            raise KeyboardInterrupt

    def _unraisable(self, unraisable) -> None:
        if not (self.pressed and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            self._unraisablehook(unraisable)

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C was pressed, wherever its own was swallowed."""
        if self.pressed:
            raise KeyboardInterrupt


def _check_output() -> None:
    """Refuse a closed standard output or error (`linreg >&-`): Python then starts with
    sys.stdout None, and print() prints nothing, so the run would say nothing and exit 0."""
    for stream, name, what, fix in [
        (sys.stdout, "standard output", "the log", ">/dev/null"),
        (sys.stderr, "standard error", "any error", "2>/dev/null"),
    ]:
        if stream is None:
            raise _Refusal(
                f"{name} is closed, so {what} would be lost: to discard it, redirect it to "
                f"/dev/null ({fix}) rather than close it.",
                EXIT_FAILED,
            )


def _check_plots_folder(folder: Path) -> None:
    """Refuse a folder the figures cannot be written to: create it if missing, write a
    file there and remove it. What it created, it removes: a run refused later leaves
    nothing behind, and `write_plots` creates it again."""
    created = []
    try:
        created = [path for path in [folder, *folder.parents] if not path.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".linreg-") as probe:
            probe.write(b"\x89PNG")
            probe.flush()
    except OSError as exc:
        raise _Refusal(
            f"--plots: cannot write to {folder}: {exc.strerror or exc}; pass a folder you "
            "can write to."
        ) from None
    finally:
        for path in created:  # the deepest first
            with contextlib.suppress(OSError):
                path.rmdir()


def _agree(refusal: _Refusal | None, settings: Settings | None) -> _Refusal | None:
    """Under torchrun, before training: the first refusal of any process, by rank, naming
    the process if it is not this one; or one if the processes were given other settings
    (each machine has its own command line); None if all may start."""
    import torch.distributed as dist

    said = None if refusal is None else (str(refusal), refusal.status, refusal.hint)
    everyone: list = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, (said, settings))
    here = dist.get_rank()
    for rank, (theirs, _) in enumerate(everyone):
        if theirs is not None:
            message, status, hint = theirs
            where = "" if rank == here else f" (in process {rank})"
            return _Refusal(message + where, status, hint)
    first = everyone[0][1]
    for rank, (_, theirs) in enumerate(everyone[1:], start=1):
        for field in dataclasses.fields(Settings):
            zero, other = getattr(first, field.name), getattr(theirs, field.name)
            if repr(zero) != repr(other):  # by repr: nan is nan
                return _Refusal(
                    f"{OPTIONS.get(field.name, field.name)}: process {rank} was given {other}, "
                    f"and process 0 {zero}: give every process the same options."
                )
    return None


def _wait_for_rank_0(rank: int | None) -> None:
    """Under torchrun, where every process stops alike: wait until process 0 has said why,
    since torchrun stops every process as soon as one ends with an error, and a quicker
    peer would cut process 0 off before it had."""
    if rank is not None:
        import torch.distributed as dist

        dist.barrier()


def _torchrun_rank() -> int | None:
    """This process's rank under torchrun (WORLD_SIZE > 1 in the environment), else None."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return None
    return int(os.environ.get("RANK", "0"))


@contextlib.contextmanager
def _torchrun_group() -> Iterator[int | None]:
    """Under torchrun: join its process group, gloo on the CPU, and give this process's
    rank; otherwise None."""
    if _torchrun_rank() is None:
        yield None
        return
    import torch.distributed as dist

    from linreg.distributed import TIMEOUT

    timeout = datetime.timedelta(seconds=TIMEOUT)
    dist.init_process_group("gloo", init_method="env://", timeout=timeout)
    # Every process connected to every other before any goes on: one that stopped at once
    # (a bad setting stops all alike) would leave a peer that was still connecting with a
    # connection error instead of the message.
    dist.barrier()
    try:
        yield dist.get_rank()
    finally:
        dist.destroy_process_group()


def _join_negative_values(argv: list[str]) -> list[str]:
    """`--w0 -1e3` as `--w0=-1e3`: argparse takes "-1e3" and "-inf" for options."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] in VALUE_OPTIONS and arg.startswith("-") and _is_float(arg):
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


VALUE_OPTIONS = {"--lr", "--w0", "--b0", "--noise", "--epochs", "--num-examples", "--seed"}


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class _Log:
    """Prints the loss log as training runs, in the format of the notebook we grew from,
    calling `check` (main's Ctrl-C checkpoint) before each line."""

    def __init__(self, check: Callable[[], None]) -> None:
        self.printed = 0
        self.check = check

    def print(self, epoch: int, loss: float) -> None:
        self.check()
        print(f"Epoch {epoch}: Loss: {loss}")
        self.printed = epoch + 1

    def print_rest(self, losses: list[float]) -> None:
        for epoch in range(self.printed, len(losses)):
            self.print(epoch, losses[epoch])


def _number(value: float, width: int) -> str:
    """`value` right-aligned in `width` columns, in fixed or scientific notation, with a
    space before it however long it is."""
    text = f"{value:.4f}" if abs(value) < 1e7 else f"{value:.4e}"
    return " " + text.rjust(width - 1)


def _print_summary(result: experiment.Experiment) -> None:
    print()
    best = result.best
    if best is None:
        best = (float("nan"), float("nan"))
        print("(no least-squares line: x takes a single value, so the best line is not unique)")
    rows = [
        ("W", result.history.W, result.data.true_W, best[0]),
        ("b", result.history.b, result.data.true_b, best[1]),
    ]
    print(f"{'':3}{'fitted':>12}{'true':>12}{'least squares':>16}")
    for name, fitted, true, optimum in rows:
        print(f"{name:3}{_number(fitted, 12)}{_number(true, 12)}{_number(optimum, 16)}")
    note = _convergence_note(result)
    if note:
        print(f"\n{note}")


def _convergence_note(result: experiment.Experiment) -> str:
    """A note when training stopped less than 99% of the way from the start to the optimum."""
    history, best_loss = result.history, result.best_loss
    if best_loss is None or not history.losses:
        return ""
    from linreg.statistics import line_loss

    data = result.data
    final = line_loss(history.W, history.b, data.X, data.y)
    if final - best_loss <= max(0.01 * (history.losses[0] - best_loss), 1e-3 * best_loss):
        return ""  # 99% of the way there, or within rounding of the optimum
    bound = linreg.stability_bound(data.X)
    return (
        f"note: training has not converged: the loss is still {final:.4g}, against "
        f"{best_loss:.4g} for the least-squares line. Try more --epochs, or another --lr "
        f"below the stability bound {bound:.4g}."
    )


def write_plots(
    folder: Path, result: experiment.Experiment, between: Callable[[], object] | None = None
) -> list[Path]:
    """Write the site's figures for this run to `folder` as PNG files; return their paths.
    `between` is called before each figure (the command line's Ctrl-C checkpoint)."""
    from linreg import plots  # matplotlib is only imported when figures are asked for

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in plots.site_figures(result).items():
        if between is not None:
            between()
        paths.append(draw().save(folder / f"{name}.png"))
    return paths


if __name__ == "__main__":
    sys.exit(main())
