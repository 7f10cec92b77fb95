"""Linear regression in PyTorch with the loss and the gradient step written by hand.

The algorithm is written on the tutorial's pages, and `linreg.pages` holds it as they
write it (one module a page, generated from its cells), trusting its inputs. The names
exported here are the checked entry points: `mse_loss` and `gradient_step` are the
functions of `linreg.pages.loss` and `linreg.pages.gradient` behind a check of their
arguments (`linreg.checks`); the others check their arguments themselves, once, on entry.
"""

from linreg import checks
from linreg.checks import ArgumentError, ArgumentTypeError
from linreg.curvature import stability_bound
from linreg.data import Data, make_data
from linreg.experiment import Experiment, run
from linreg.model import LinearModel
from linreg.pages import gradient as _gradient
from linreg.pages import loss as _loss
from linreg.reference import least_squares, manual_gradient
from linreg.settings import DEFAULTS, Settings
from linreg.training import DivergenceError, History, fit

__version__ = "0.1.0"

mse_loss = checks.checked(_loss.mse_loss, checks.loss_arguments, checks.finite_loss)
gradient_step = checks.checked(_gradient.gradient_step, checks.step_arguments, checks.step_result)

__all__ = [
    "DEFAULTS",
    "ArgumentError",
    "ArgumentTypeError",
    "Data",
    "DivergenceError",
    "Experiment",
    "History",
    "LinearModel",
    "Settings",
    "__version__",
    "fit",
    "gradient_step",
    "least_squares",
    "make_data",
    "manual_gradient",
    "mse_loss",
    "run",
    "stability_bound",
]
