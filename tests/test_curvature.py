"""The learning-rate theory against oracles: autograd's Hessian, eigvalsh, and gradient
descent recomputed in float64; and the explorer's runs against the training loop."""

import html
import json
import math
import re

import pytest
import torch

import linreg
from linreg.curvature import curvature, curvature_matrix, predicted_excess
from linreg.explorer import explore, together
from linreg.training import train


@pytest.fixture(params=[0.0, 5.0, -2.0], ids=["centred", "shifted", "negative"])
def sample(request):
    """A float64 sample unlike the tutorial's, with x centred or shifted."""
    g = torch.Generator().manual_seed(99)
    X = torch.randn(300, generator=g, dtype=torch.float64) * 1.7 + request.param
    y = 1.5 * X - 2.0 + 0.5 * torch.randn(300, generator=g, dtype=torch.float64)
    return X, y


def loss64(X, y, W, b):
    return ((W * X + b - y) ** 2).mean()


def descend64(X, y, lr, steps, W=16.0, b=10.0):
    """Gradient descent in float64 with the gradient written out: the excess at each step."""
    W_best, b_best = linreg.least_squares(X, y)
    best = loss64(X, y, W_best, b_best).item()
    excess = []
    for _ in range(steps):
        excess.append(loss64(X, y, W, b).item() - best)
        r = W * X + b - y
        W, b = W - lr * 2 * (r * X).mean().item(), b - lr * 2 * r.mean().item()
    return excess


def test_H_is_half_the_hessian_autograd_computes(sample):
    X, y = sample
    hessian = torch.autograd.functional.hessian(
        lambda p: loss64(X, y, p[0], p[1]), torch.tensor([0.3, -0.2], dtype=torch.float64)
    )
    assert torch.allclose(curvature_matrix(X), hessian / 2, rtol=1e-12)
    c = curvature(X)
    assert list(c.eigenvalues) == pytest.approx(torch.linalg.eigvalsh(hessian / 2).tolist())
    for lam, v in zip(c.eigenvalues, c.eigenvectors.T, strict=True):
        assert torch.allclose(c.H @ v, lam * v, atol=1e-12)
    assert c.bound == pytest.approx(1 / c.eigenvalues[1]) == linreg.stability_bound(X)


@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.9, 0.99])
def test_predicted_excess_is_gradient_descent_in_float64(sample, fraction):
    X, y = sample
    lr = fraction * curvature(X).bound
    predicted = predicted_excess(X, y, lr=lr, num_epochs=30)
    assert predicted == pytest.approx(descend64(X, y, lr, 30), rel=1e-8, abs=1e-10)


def test_the_bound_separates_convergence_from_divergence(sample):
    X, y = sample
    bound = curvature(X).bound
    below, above = descend64(X, y, 0.999 * bound, 400), descend64(X, y, 1.001 * bound, 400)
    assert below[-1] < below[0] and above[-1] > above[0]


def test_the_best_lr_minimises_the_slowest_factor(sample):
    X, _ = sample
    c = curvature(X)
    grid = [c.bound * k / 2000 for k in range(1, 2000)]
    best_on_grid = min(grid, key=c.contraction)
    assert best_on_grid == pytest.approx(c.best_lr, abs=c.bound / 1000)
    kappa = c.condition_number
    assert c.contraction(c.best_lr) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-9)
    assert c.contraction(c.bound) == pytest.approx(1.0)


def test_shifting_x_moves_the_same_sample_along_the_same_line():
    data, shifted = linreg.make_data(), linreg.make_data(x_mean=5.0)
    assert torch.equal(shifted.X, data.X + 5.0)
    assert torch.allclose(shifted.y - 3.0 * shifted.X, data.y - 3.0 * data.X, atol=1e-5)
    assert curvature(shifted.X).condition_number > 500 > 2 > curvature(data.X).condition_number
    with pytest.raises(linreg.ArgumentError, match="x_mean") as caught:
        linreg.make_data(x_mean=float("nan"))
    assert caught.value.argument == "x_mean"


def test_explorer_runs_are_the_training_loop():
    data = linreg.make_data(num_examples=200, seed=5)
    lrs = [0.1, 0.5, 1.2]
    explorer = explore(data.X, data.y, lrs, num_epochs=12, start=0.5, shown=(0.1,))
    bound = curvature(data.X).bound
    assert lrs[-1] > bound  # the last run diverges, and keeps going
    for lr, history, run in zip(lrs, explorer.histories, explorer.spec["runs"], strict=True):
        model = linreg.LinearModel.like(data.X)
        steps = list(train(model, data.X, data.y, lr, 12))
        assert history.losses == [loss for loss, _, _ in steps]
        assert (history.W, history.b) == (model.W.item(), model.b.item())
        assert len(run["W"]) == len(run["b"]) == len(run["loss"]) == 13
        assert run["W"] == pytest.approx([*history.Ws, history.W], rel=1e-5)
        assert run["loss"][:-1] == pytest.approx(history.losses, rel=1e-5)
    assert explorer.spec["start"] == 1
    assert explorer.histories[-1].losses[-1] > explorer.histories[-1].losses[0]


def test_explorer_html_carries_its_runs_and_a_described_figure():
    data = linreg.make_data(num_examples=100)
    explorer = explore(data.X, data.y, [0.1, 0.2], shown=(0.1, 0.2))
    page = explorer._repr_html_()
    assert "<script" not in page
    (spec,) = re.findall(r'data-explorer="([^"]*)"', page)
    assert json.loads(html.unescape(spec)) == json.loads(json.dumps(explorer.spec))
    (alt,) = re.findall(r'<img alt="([^"]+)"', page)
    assert "lr = 0.1" in alt and "lr = 0.2" in alt
    assert "lr = 0.1, 0.2" in page and "2 runs" in page
    assert all(math.isfinite(v) for run in explorer.spec["runs"] for v in run["loss"])


def test_explorer_momentum_runs_are_torch_sgd_with_momentum():
    """Each run at a momentum is torch.optim.SGD(momentum=...) on the same loss, from rest;
    each factor is the larger root of z^2 - (1 + mu - 2 lr lambda) z + mu (numpy's roots)."""
    np = pytest.importorskip("numpy")
    data = linreg.make_data(num_examples=200, seed=5, x_mean=3.0)
    c = curvature(data.X)
    lrs, momenta = [0.2 * c.bound, c.bound, 1.7 * c.bound], (0.0, 0.5, 0.9)
    explorer = explore(data.X, data.y, lrs, momenta=momenta, num_epochs=15)
    assert [r["momentum"] for r in explorer.spec["runs"]] == [m for m in momenta for _ in lrs]
    for momentum in momenta[1:]:
        for lr, history in zip(lrs, explorer.runs(momentum), strict=True):
            model = linreg.LinearModel.like(data.X)
            sgd = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
            losses, Ws = [], []
            for _ in range(15):
                Ws.append(model.W.item())
                loss = ((model(data.X) - data.y) ** 2).mean()  # not linreg's loss: the oracle's
                losses.append(loss.item())
                sgd.zero_grad()
                loss.backward()
                sgd.step()
            assert history.losses == pytest.approx(losses, rel=1e-5), (lr, momentum)
            assert history.Ws == pytest.approx(Ws, rel=1e-5, abs=1e-6), (lr, momentum)
    for run in explorer.spec["runs"]:
        for eigenvalue, factor, swings in zip(
            c.eigenvalues, run["factors"], run["swings"], strict=True
        ):
            roots = np.roots(
                [1, -(1 + run["momentum"] - 2 * run["lr"] * eigenvalue), run["momentum"]]
            )
            largest = max(roots, key=abs)
            assert swings == bool(abs(largest.imag) > 0), run
            expected = abs(largest) if swings else largest.real
            assert factor == pytest.approx(expected, rel=1e-5, abs=1e-6), run
    # above the bound, momentum 0 diverges and 0.9 converges (the bound is 1 + mu times)
    top = {r["momentum"]: r for r in explorer.spec["runs"] if r["lr"] == lrs[-1]}
    assert max(map(abs, top[0.0]["factors"])) > 1 > max(map(abs, top[0.9]["factors"]))
    assert top[0.0]["loss"][-1] > top[0.0]["loss"][0] > top[0.9]["loss"][-1]
    assert explorer.spec["bounds"] == pytest.approx([(1 + m) * c.bound for m in momenta], rel=1e-5)


def test_explorers_together_offer_each_data_set():
    bowl = linreg.make_data(num_examples=50)
    shifted = linreg.make_data(num_examples=50, x_mean=5.0)
    first = explore(bowl.X, bowl.y, [0.1, 0.2], momenta=(0.0, 0.5))
    second = explore(shifted.X, shifted.y, [0.001, 0.002], num_epochs=30)
    page = together({"the bowl": first, "the valley": second})._repr_html_()
    (spec,) = re.findall(r'data-explorer="([^"]*)"', page)
    sets = json.loads(html.unescape(spec))["sets"]
    assert [s["name"] for s in sets] == ["the bowl", "the valley"]
    assert sets[0]["runs"] == json.loads(json.dumps(first.spec))["runs"]
    assert sets[1]["epochs"] == 30 and sets[1]["momenta"] == [0.0]
    assert "the bowl or the valley" in page and "6 runs" in page
    with pytest.raises(linreg.ArgumentError) as caught:
        together({"the bowl": bowl})
    assert caught.value.argument == "explorers"


def test_explorer_stops_a_run_where_its_numbers_overflow():
    data = linreg.make_data(num_examples=100)
    explorer = explore(data.X, data.y, [0.1, 9.0], num_epochs=40)  # 9: near MAX_BOUNDS
    big = explorer.spec["runs"][1]
    assert 1 < len(big["loss"]) < 41 and all(math.isfinite(v) for v in big["loss"])
    json.dumps(explorer.spec, allow_nan=False)  # valid JSON for the page's script


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"lrs": []}, "lrs"),
        ({"lrs": [0.2, 0.1]}, "lrs"),
        ({"lrs": [0.1, -0.1]}, "lrs"),
        ({"lrs": [0.1], "start": 0.2}, "start"),
        ({"lrs": [0.1], "shown": (0.3,)}, "shown"),
        ({"lrs": [0.1], "num_epochs": 0}, "num_epochs"),
        ({"lrs": [0.1], "momenta": (0.0, 1.0)}, "momenta"),
        ({"lrs": [0.1], "momenta": (0.5, 0.2)}, "momenta"),
        ({"lrs": [0.1], "momenta": (-0.1,)}, "momenta"),
        ({"lrs": [0.1], "momenta": ()}, "momenta"),
        ({"lrs": [0.01 * k for k in range(1, 81)], "momenta": (0.0, 0.5, 0.9)}, "lrs"),
        ({"lrs": [0.1, 0.2], "momenta": (0.0, 0.5), "num_epochs": 5001}, "num_epochs"),
    ],
)
def test_explorer_bad_input_names_the_argument(kwargs, argument):
    data = linreg.make_data(num_examples=20)
    with pytest.raises(linreg.ArgumentError) as caught:
        explore(data.X, data.y, **kwargs)
    assert caught.value.argument == argument, caught.value


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"lr": 0}, "lr"),
        ({"lr": 0.1, "num_epochs": -1}, "num_epochs"),
        ({"lr": 0.1, "W0": "a"}, "W0"),
    ],
)
def test_predicted_excess_bad_input_names_the_argument(kwargs, argument):
    data = linreg.make_data(num_examples=20)
    with pytest.raises(linreg.ArgumentError) as caught:
        predicted_excess(data.X, data.y, **kwargs)
    assert caught.value.argument == argument
