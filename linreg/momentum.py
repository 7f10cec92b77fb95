"""Heavy-ball momentum behind a check of its arguments: the page's loop, recorded in a History.

The step and the loop are the page's (`linreg.pages.momentum`, from "Momentum"); they trust
their inputs. `fit_momentum` checks them once, on entry, and records each epoch as `fit`
does. It watches for no divergence: a tuned heavy ball's loss rises before it falls.
"""

from __future__ import annotations

from torch import Tensor

from linreg import checks
from linreg.model import LinearModel
from linreg.pages.momentum import train_momentum
from linreg.settings import DEFAULTS
from linreg.training import History


def fit_momentum(
    model: LinearModel,
    X: Tensor,
    y: Tensor,
    *,
    lr: float,
    momentum: float,
    num_epochs: int = DEFAULTS.num_epochs,
) -> History:
    """Take `num_epochs` heavy-ball steps on (X, y), each of shape (n,), from rest, in place.

    Each epoch is one step on all the data: v <- momentum v + grad, param <- param - lr v, as
    `torch.optim.SGD(params, lr=lr, momentum=momentum)` steps. Refuses, naming it, a momentum
    outside [0, 1). Outside the range of lr and momentum that converges, the losses grow
    and may overflow to inf: the History shows them.
    """
    model = checks.linear_model(model)
    X, y = checks.model_data(model, X, y)
    lr = checks.representable(checks.learning_rate(lr), "lr", model.W.dtype)
    momentum = checks.finite_number(momentum, "momentum", "0.9")
    if not 0 <= momentum < 1:
        raise checks.ArgumentError(
            "momentum",
            f"momentum must be at least 0 and below 1 (for example 0.9); got {momentum}.",
        )
    num_epochs = checks.whole_number(num_epochs, "num_epochs", 0, DEFAULTS.num_epochs)
    history = History(lr=lr)
    for loss, W, b in train_momentum(model, X, y, lr, momentum, num_epochs):
        history.losses.append(loss)
        history.Ws.append(W)
        history.bs.append(b)
    history.W, history.b = model.W.item(), model.b.item()
    return history
