"""The training loop: the seed's conventions, a pinned loss log, determinism, divergence."""

import pytest
import torch

import linreg

# The default run's 20 logged losses (seed 42, float32, CPU). A regression pin, not a proof
# of correctness: it catches a change in the algorithm, in its order of operations or in
# how the data's generator is used. The relative tolerance absorbs float32 rounding that
# differs between CPU kernels, and nothing bigger.
PINNED_LOSSES = [
    262.54705810546875,
    167.75218200683594,
    107.32298278808594,
    68.80093383789062,
    44.244117736816406,
    28.58976936340332,
    18.61050796508789,
    12.248974800109863,
    8.193650245666504,
    5.608476161956787,
    3.9604873657226562,
    2.9099321365356445,
    2.240227222442627,
    1.8133052587509155,
    1.5411516427993774,
    1.367659568786621,
    1.2570617198944092,
    1.1865581274032593,
    1.141613245010376,
    1.112961769104004,
]


def seed_notebook_run(X, y, lr, epochs):
    """The seed notebook's loop, kept as it was (Variable swapped for requires_grad)."""

    class Model:
        def __init__(self):
            self.W = torch.tensor(16.0, requires_grad=True)
            self.b = torch.tensor(10.0, requires_grad=True)

        def __call__(self, x):
            return self.W * x + self.b

    def loss(y, y_pred):
        return torch.square(y_pred - y).mean()

    def train(model, X, y, lr):
        current_loss = loss(y, model(X))
        current_loss.backward()
        with torch.no_grad():
            model.W -= model.W.grad.data * lr
            model.b -= model.b.grad.data * lr
        model.W.grad.data.zero_()
        model.b.grad.data.zero_()

    model, Ws, bs, losses = Model(), [], [], []
    for _ in range(epochs):
        with torch.no_grad():
            Ws.append(model.W.numpy().item())
            bs.append(model.b.numpy().item())
            losses.append(loss(y, model(X)).item())
        train(model, X, y, lr)
    return losses, Ws, bs, model.W.item(), model.b.item()


def test_history_equals_the_seed_notebook_exactly():
    result = linreg.run()  # the seed's run, with linreg.DEFAULTS
    history, data = result.history, result.data
    losses, Ws, bs, W, b = seed_notebook_run(data.X, data.y, lr=0.1, epochs=20)
    assert history.losses == losses  # exact: the same numbers, not merely close ones
    assert (history.Ws, history.bs, history.W, history.b) == (Ws, bs, W, b)
    assert (history.Ws[0], history.bs[0]) == (16.0, 10.0)  # epoch 0 shows the initial state


def test_default_loss_log_is_pinned():
    assert linreg.run().history.losses == pytest.approx(PINNED_LOSSES, rel=1e-5)


def test_default_run_has_the_expected_shape():
    history = linreg.run().history
    assert len(history.losses) == 20
    assert history.losses[0] == pytest.approx(13**2 + 9.5**2 + 1, rel=0.05)  # 260.25
    assert history.losses[-1] == pytest.approx(1.0, abs=0.2)  # about the noise variance


def test_one_forward_pass_per_epoch():
    class CountingModel(linreg.LinearModel):
        calls = 0

        def __call__(self, X):
            CountingModel.calls += 1
            return super().__call__(X)

    data = linreg.make_data()
    linreg.fit(CountingModel.like(data.X), data.X, data.y, num_epochs=7)
    assert CountingModel.calls == 7


def test_zero_epochs_leave_the_model_alone():
    data = linreg.make_data()
    history = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, num_epochs=0)
    assert history.losses == [] and (history.W, history.b) == (16.0, 10.0)


def test_same_arguments_give_bit_identical_data_and_runs():
    a, b = linreg.make_data(), linreg.make_data()
    assert torch.equal(a.X, b.X) and torch.equal(a.y, b.y)
    runs = [linreg.fit(linreg.LinearModel.like(d.X), d.X, d.y) for d in (a, b)]
    assert runs[0] == runs[1]
    assert not torch.equal(linreg.make_data(seed=43).X, a.X)


def test_data_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    linreg.make_data()
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(0)
    first = linreg.make_data()
    torch.manual_seed(1)
    assert torch.equal(linreg.make_data().X, first.X)


def test_data_matches_its_arguments():
    data = linreg.make_data(true_W=-2.0, true_b=7.0, num_examples=20_000, noise=0.5, seed=3)
    W, b = linreg.least_squares(data.X, data.y)
    assert data.X.shape == data.y.shape == (20_000,)
    assert W == pytest.approx(-2.0, abs=0.02) and b == pytest.approx(7.0, abs=0.02)
    residual_std = (data.y - (W * data.X + b)).std().item()
    assert residual_std == pytest.approx(0.5, rel=0.03)


def test_model_follows_the_data_dtype():
    data = linreg.make_data(dtype=torch.float64)
    model = linreg.LinearModel.like(data.X)
    assert model.W.dtype == model.b.dtype == torch.float64
    history = linreg.fit(model, data.X, data.y)
    assert model(data.X).dtype == torch.float64 and len(history.losses) == 20


def runs_on(device: str) -> tuple[list[float], list[float]]:
    """The Idiomatic PyTorch page's GPU section on `device`: the hand-written fit, and
    nn.Linear with torch.optim.SGD moved there with .to(device), 20 full-batch epochs each."""
    data = linreg.make_data(device=device)
    model = linreg.LinearModel.like(data.X)
    assert model.W.device.type == model.b.device.type == device
    hand = linreg.fit(model, data.X, data.y).losses
    layer = torch.nn.Linear(1, 1).to(device)
    with torch.no_grad():
        layer.weight.fill_(16.0)
        layer.bias.fill_(10.0)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    X, y = data.X.unsqueeze(1), data.y.unsqueeze(1)
    library = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(layer(X), y)
        loss.backward()
        optimizer.step()
        library.append(loss.item())  # waits for the device: the value is the finished one
    assert layer.weight.device.type == device
    return hand, library


def test_the_gpu_sections_code_runs_on_the_cpu():
    hand, library = runs_on("cpu")
    assert hand == PINNED_LOSSES
    assert library == pytest.approx(PINNED_LOSSES, rel=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_the_same_code_runs_on_a_gpu():
    cpu = linreg.make_data()
    gpu = linreg.make_data(device="cuda")
    assert torch.equal(gpu.X.cpu(), cpu.X)  # drawn on the CPU, so the same numbers
    hand, library = runs_on("cuda")
    assert hand == pytest.approx(PINNED_LOSSES, rel=1e-4)  # float32, summed in another order
    assert library == pytest.approx(PINNED_LOSSES, rel=1e-4)


def test_divergence_stops_and_keeps_the_history():
    data = linreg.make_data()
    model = linreg.LinearModel.like(data.X)
    with pytest.raises(
        linreg.DivergenceError, match=r"lr=1\.5 is above the stability bound"
    ) as info:
        linreg.fit(model, data.X, data.y, lr=1.5, num_epochs=20)
    history = info.value.history
    assert len(history.losses) < 20 and history.losses[-1] > history.losses[0]
    assert info.value.bound == pytest.approx(linreg.stability_bound(data.X))
    assert f"{info.value.bound:.4g}" in str(info.value)


def test_overflow_to_infinity_is_reported_as_divergence():
    data = linreg.make_data()
    with pytest.raises(linreg.DivergenceError, match="stability bound"):
        linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=1e30, num_epochs=5)


def test_an_infinite_initial_loss_is_not_blamed_on_the_rate():
    data = linreg.make_data()
    model = linreg.LinearModel.like(data.X, W=1e30)  # (1e30 x)^2 overflows float32
    with pytest.raises(ValueError, match=r"initial loss is inf.*initial W=1e\+30"):
        linreg.fit(model, data.X, data.y)
