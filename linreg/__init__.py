"""Linear regression in PyTorch with the loss and the gradient step written by hand."""

from linreg.data import Data, make_data
from linreg.loss import mse_loss
from linreg.model import LinearModel
from linreg.reference import least_squares, manual_gradient, stability_bound
from linreg.training import DivergenceError, History, fit, gradient_step

__all__ = [
    "Data",
    "DivergenceError",
    "History",
    "LinearModel",
    "fit",
    "gradient_step",
    "least_squares",
    "make_data",
    "manual_gradient",
    "mse_loss",
    "stability_bound",
]
