"""The command line: `python -m linreg` (or `linreg`) runs the tutorial's experiment."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import linreg
from linreg import experiment
from linreg.checks import ArgumentError
from linreg.settings import DEFAULTS
from linreg.training import DivergenceError

EXIT_FAILED = 1  # the output could not be written
EXIT_BAD_INPUT = 2  # argparse's own code for a usage error
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C

# Each setting's option: how an error about an argument is put to the command line's user.
OPTIONS = {
    "num_epochs": "--epochs",
    "lr": "--lr",
    "W": "--w0",
    "b": "--b0",
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

exit status: 0 on success, {EXIT_BAD_INPUT} for a bad option, {EXIT_DIVERGED} if training diverges.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; its defaults are linreg.DEFAULTS."""
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
    try:
        status = _main(sys.argv[1:] if argv is None else argv)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        return status
    except BrokenPipeError:  # e.g. `linreg --epochs 100000 | head -1`: the reader has enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        return 0
    except KeyboardInterrupt:
        print("\nlinreg: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # writing the log failed, e.g. `linreg > /dev/full`
        if exc.errno is None:
            raise
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        print(f"linreg: error: cannot write the output: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED


def _main(argv: list[str]) -> int:
    if _torchrun_rank():  # another process of a torchrun group: rank 0 speaks for all
        # (and every process refuses what rank 0 refuses), down to what torch's C++ writes
        silent = os.open(os.devnull, os.O_WRONLY)
        os.dup2(silent, sys.stdout.fileno())
        os.dup2(silent, sys.stderr.fileno())
    parser = build_parser()
    args = vars(parser.parse_args(_join_negative_values(argv)))
    plots = args.pop("plots")
    settings = dataclasses.replace(DEFAULTS, **args)
    if plots is not None:  # before training, so that a bad folder costs nothing
        try:
            plots.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"{parser.prog}: error: --plots: cannot write to {plots}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    with _torchrun_group() as rank:
        return _run(parser, settings, plots if not rank else None, distributed=rank is not None)


def _run(parser, settings, plots: Path | None, distributed: bool) -> int:
    log = _Log()
    try:
        result = experiment.run(settings, on_epoch=log.print, distributed=distributed)
    except DivergenceError as exc:
        log.print_rest(exc.history.losses)  # the epoch whose loss rose, too
        print(f"{parser.prog}: error: --lr: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except ArgumentError as exc:
        option = OPTIONS.get(exc.argument)
        prefix = f"{option}: " if option else ""
        print(f"{parser.prog}: error: {prefix}{exc}", file=sys.stderr)
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
            paths = write_plots(plots, result)
        except OSError as exc:
            print(f"{parser.prog}: error: --plots: cannot write to {plots}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print()
        for path in paths:
            print(f"wrote {path}")
    return 0


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
    """Prints the loss log as training runs, in the format of the notebook we grew from."""

    def __init__(self) -> None:
        self.printed = 0

    def print(self, epoch: int, loss: float) -> None:
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


def write_plots(folder: Path, result: experiment.Experiment) -> list[Path]:
    """Write the site's figures for this run to `folder` as PNG files; return their paths."""
    from linreg import plots  # matplotlib is only imported when figures are asked for

    folder.mkdir(parents=True, exist_ok=True)
    return [
        draw().save(folder / f"{name}.png") for name, draw in plots.site_figures(result).items()
    ]


if __name__ == "__main__":
    sys.exit(main())
