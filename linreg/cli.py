"""The command line: `python -m linreg` (or `linreg`) runs the seed notebook's experiment."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from linreg import data as data_module
from linreg import model as model_module
from linreg.data import Data, make_data
from linreg.model import LinearModel
from linreg.reference import least_squares
from linreg.training import DivergenceError, History, fit

EXIT_BAD_INPUT = 2  # argparse's own code for a usage error
EXIT_DIVERGED = 3

EPILOG = f"""\
examples:
  linreg                      the seed's run: 20 epochs at lr 0.1 from W=16, b=10
  linreg --lr 0.5 --epochs 10
  linreg --lr 1.5             diverges: lr is above the stability bound (about 1 here)

exit status: 0 on success, {EXIT_BAD_INPUT} for a bad option, {EXIT_DIVERGED} if training diverges.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with the seed notebook's settings as defaults."""
    parser = _Parser(
        prog="linreg",
        description=(
            "Fit y = W x + b to synthetic data y = 3x + 0.5 + noise by gradient descent,\n"
            "with the loss and the update written by hand, printing the loss each epoch."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    training = parser.add_argument_group("training")
    training.add_argument(
        "--epochs",
        type=int,
        default=20,
        metavar="N",
        help="number of gradient steps (default: %(default)s)",
    )
    training.add_argument(
        "--lr",
        type=float,
        default=0.1,
        help="step size, 0 < LR < stability bound (default: %(default)s)",
    )
    training.add_argument(
        "--w0",
        type=float,
        default=model_module.W0,
        metavar="W",
        help="initial slope W (default: %(default)s)",
    )
    training.add_argument(
        "--b0",
        type=float,
        default=model_module.B0,
        metavar="B",
        help="initial intercept b (default: %(default)s)",
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--num-examples",
        type=int,
        default=data_module.NUM_EXAMPLES,
        metavar="N",
        help="number of (x, y) examples (default: %(default)s)",
    )
    data.add_argument(
        "--noise",
        type=float,
        default=data_module.NOISE,
        metavar="STD",
        help="standard deviation of the noise on y (default: %(default)s)",
    )
    data.add_argument(
        "--seed",
        type=int,
        default=data_module.SEED,
        help="seed of the data's random generator (default: %(default)s)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--plots",
        type=Path,
        metavar="DIR",
        help="also write the tutorial's figures to DIR as PNG files (created if missing)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the experiment; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        data = make_data(num_examples=args.num_examples, noise=args.noise, seed=args.seed)
        model = LinearModel.like(data.X, W=args.w0, b=args.b0)
        history = fit(model, data.X, data.y, lr=args.lr, num_epochs=args.epochs)
    except DivergenceError as exc:
        for epoch, loss in enumerate(exc.history.losses):
            print(f"Epoch {epoch}: Loss: {loss}")
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except (TypeError, ValueError) as exc:
        print(f"{parser.prog}: error: {_option_names(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT

    for epoch, loss in enumerate(history.losses):
        print(f"Epoch {epoch}: Loss: {loss}")
    print()
    rows = [("W", history.W, data.true_W), ("b", history.b, data.true_b)]
    try:
        best = least_squares(data.X, data.y)
    except ValueError as exc:  # e.g. one example: the best line is not unique
        best = (float("nan"), float("nan"))
        print(f"(no least-squares line: {exc})")
    print(f"{'':3}{'fitted':>12}{'true':>12}{'least squares':>16}")
    for (name, fitted, true), optimum in zip(rows, best, strict=True):
        print(f"{name:3}{fitted:12.4f}{true:12.4f}{optimum:16.4f}")
    if args.plots is not None:
        initial = LinearModel.like(data.X, W=args.w0, b=args.b0)
        try:
            paths = write_plots(args.plots, data, initial, model, history, best)
        except OSError as exc:
            print(
                f"{parser.prog}: error: --plots: cannot write to {args.plots}: {exc}",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        print()
        for path in paths:
            print(f"wrote {path}")
    return 0


def write_plots(
    folder: Path,
    data: Data,
    initial: LinearModel,
    trained: LinearModel,
    history: History,
    best: tuple[float, float],
) -> list[Path]:
    """Write the site's figures for this run to `folder` as PNG files; return their paths."""
    from linreg import plots  # matplotlib is only imported when figures are asked for
    from linreg.loss import mse_loss

    best_loss = None
    if not math.isnan(best[0]):  # NaN when there is no unique least-squares line
        best_loss = mse_loss(best[0] * data.X + best[1], data.y).item()
    figures = {
        "data": plots.plot_data(data.X, data.y, true_W=data.true_W, true_b=data.true_b),
        "before-training": plots.plot_predictions(data.X, data.y, initial, title="Before training"),
        "parameters": plots.plot_parameters(history, true_W=data.true_W, true_b=data.true_b),
        "after-training": plots.plot_predictions(data.X, data.y, trained, title="After training"),
        "loss": plots.plot_loss(history, best_loss=best_loss),
    }
    folder.mkdir(parents=True, exist_ok=True)
    return [figure.save(folder / f"{name}.png") for name, figure in figures.items()]


def _option_names(message: str) -> str:
    """Name the command-line options in a library message about keyword arguments."""
    for keyword, option in (
        ("num_epochs", "--epochs"),
        ("num_examples", "--num-examples"),
        ("noise", "--noise"),
        ("seed", "--seed"),
        ("lr", "--lr"),
        ("W", "--w0"),
        ("b", "--b0"),
    ):
        if message.startswith(f"{keyword} "):
            return f"{option}: {message}"
    return message


if __name__ == "__main__":
    sys.exit(main())
