"""Mini-batches and the closed form's sampling error: the hand-written loop against a replay
by hand, float64 oracles, and the checks of their arguments."""

import math

import pytest
import torch

import linreg
from linreg.experiment import sampling_error
from linreg.training import batches, train_minibatch


@pytest.fixture
def data():
    return linreg.make_data(num_examples=230, seed=3)


def test_batches_partition_a_fresh_shuffle_each_epoch():
    generator = torch.Generator().manual_seed(5)
    epochs = [batches(23, 5, generator) for _ in range(3)]
    for epoch in epochs:
        assert [len(b) for b in epoch] == [5, 5, 5, 5, 3]
        assert sorted(torch.cat(epoch).tolist()) == list(range(23))
    assert not torch.equal(torch.cat(epochs[0]), torch.cat(epochs[1]))


def test_minibatch_training_is_the_step_on_each_batch(data):
    model = linreg.LinearModel.like(data.X)
    run = linreg.fit(model, data.X, data.y, lr=0.05, num_epochs=3, batch_size=40, seed=9)
    replay = linreg.LinearModel.like(data.X)
    generator = torch.Generator().manual_seed(9)
    W64, b64 = 16.0, 10.0  # the same steps in float64, with the gradient written out
    x64, y64 = data.X.double(), data.y.double()
    for epoch in range(3):
        assert run.Ws[epoch] == replay.W.item() and run.bs[epoch] == replay.b.item()
        full = linreg.mse_loss(replay(data.X), data.y).item()
        assert run.losses[epoch] == pytest.approx(full, rel=1e-6)
        for index in batches(len(data.X), 40, generator):
            linreg.gradient_step(replay, data.X[index], data.y[index], 0.05)
            r = W64 * x64[index] + b64 - y64[index]
            W64, b64 = (
                W64 - 0.05 * 2 * (r * x64[index]).mean().item(),
                b64 - 0.05 * 2 * r.mean().item(),
            )
    assert (run.W, run.b) == (replay.W.item(), replay.b.item())
    assert run.W == pytest.approx(W64, rel=1e-5) and run.b == pytest.approx(b64, rel=1e-5)
    assert run.batch_size == 40 and len(run.losses) == 3


def test_one_batch_of_everything_is_full_batch_descent(data):
    full = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=0.1, num_epochs=10)
    one = linreg.fit(
        linreg.LinearModel.like(data.X), data.X, data.y, lr=0.1, num_epochs=10, batch_size=10**6
    )
    assert one.losses == pytest.approx(full.losses, rel=1e-5)  # the sums' order differs


def test_the_same_seed_gives_the_same_run_and_another_seed_another(data):
    def run(seed):
        return linreg.fit(
            linreg.LinearModel.like(data.X),
            data.X,
            data.y,
            lr=0.1,
            num_epochs=5,
            batch_size=7,
            seed=seed,
        )

    assert run(1).losses == run(1).losses and run(1).losses != run(2).losses


def test_a_noisy_floor_is_no_divergence_but_a_blow_up_is(data):
    long = linreg.fit(
        linreg.LinearModel.like(data.X), data.X, data.y, lr=0.2, num_epochs=30, batch_size=1
    )
    assert len(long.losses) == 30 and max(long.losses[1:]) > min(long.losses[1:])
    with pytest.raises(linreg.DivergenceError):
        linreg.fit(
            linreg.LinearModel.like(data.X), data.X, data.y, lr=3.0, num_epochs=50, batch_size=10
        )


@pytest.mark.parametrize(
    ("kwargs", "argument", "error"),
    [
        ({"batch_size": 0}, "batch_size", linreg.ArgumentError),
        ({"batch_size": 2.5}, "batch_size", linreg.ArgumentTypeError),
        ({"batch_size": True}, "batch_size", linreg.ArgumentTypeError),
        ({"batch_size": 10, "seed": -1}, "seed", linreg.ArgumentError),
    ],
)
def test_bad_batch_arguments_name_themselves(data, kwargs, argument, error):
    with pytest.raises(error) as caught:
        linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, **kwargs)
    assert caught.value.argument == argument


def test_sampling_error_against_a_direct_recomputation():
    error = sampling_error([20, 200], [0, 1, 2])
    for n, rms_W, rms_b in zip(error.ns, error.W, error.b, strict=True):
        gaps = []
        for seed in [0, 1, 2]:
            d = linreg.make_data(num_examples=n, seed=seed)
            x, y = d.X.double(), d.y.double()
            solution = torch.linalg.lstsq(torch.stack([x, torch.ones_like(x)], 1), y.unsqueeze(1))
            W, b = solution.solution.squeeze(1).tolist()
            gaps.append((W - 3.0, b - 0.5))
        assert rms_W == pytest.approx(math.sqrt(sum(g[0] ** 2 for g in gaps) / 3), rel=1e-9)
        assert rms_b == pytest.approx(math.sqrt(sum(g[1] ** 2 for g in gaps) / 3), rel=1e-9)


@pytest.mark.parametrize(
    ("ns", "seeds", "argument"), [([1], [0], "ns"), ([], [0], "ns"), ([10], [-2], "seeds")]
)
def test_sampling_error_bad_input(ns, seeds, argument):
    with pytest.raises(linreg.ArgumentError) as caught:
        sampling_error(ns, seeds)
    assert caught.value.argument == argument


def test_train_minibatch_yields_before_each_epoch(data):
    model = linreg.LinearModel.like(data.X)
    steps = list(
        train_minibatch(model, data.X, data.y, 0.1, 2, 100, torch.Generator().manual_seed(0))
    )
    assert len(steps) == 2 and steps[0][1:] == (16.0, 10.0)
