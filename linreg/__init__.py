"""Linear regression in PyTorch with the loss and the gradient step written by hand.

The modules hold the algorithm as you would write it, trusting their inputs. The names
exported here are the checked entry points: `mse_loss` and `gradient_step` are the bare
functions of `linreg.loss` and `linreg.training` behind a check of their arguments
(`linreg.checks`); the others check their arguments themselves, once, on entry.
"""

from linreg import checks, loss, training
from linreg.checks import ArgumentError, ArgumentTypeError
from linreg.curvature import stability_bound
from linreg.data import Data, make_data
from linreg.experiment import Experiment, run
from linreg.model import LinearModel
from linreg.reference import least_squares, manual_gradient
from linreg.settings import DEFAULTS, Settings
from linreg.source import source
from linreg.training import DivergenceError, History, fit

__version__ = "0.1.0"

mse_loss = checks.checked(loss.mse_loss, checks.loss_arguments)
gradient_step = checks.checked(training.gradient_step, checks.step_arguments)

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
    "source",
    "stability_bound",
]
