# %% [markdown]
# # The same model in idiomatic PyTorch
#
# Everything so far was written by hand so that you could see it. The PyTorch you will
# write tomorrow uses library pieces for the same jobs: `nn.Linear` for the model,
# `nn.MSELoss` for the loss, `torch.optim.SGD` for the step, and a `DataLoader` for the
# mini-batches. This page builds the same training from those pieces and checks that it
# follows the hand-written run step for step.
#
# ## The four pieces
#
# | Our code | PyTorch | What it does |
# |---|---|---|
# | `linreg.LinearModel`: `W * X + b` | `nn.Linear(1, 1)` | holds the weight and the bias, computes $Wx + b$ |
# | `linreg.mse_loss` | `nn.MSELoss()` | the mean of the squared residuals |
# | `param -= lr * param.grad` under `torch.no_grad()` | `optimizer.step()` | the update |
# | `param.grad.zero_()` | `optimizer.zero_grad()` | clears the gradients that `backward()` adds to |
#
# `nn.Linear` works on rows of features: its input has shape (n, 1), one feature per
# example, and its weight has shape (1, 1). We start it where our model starts,
# $W = 16$ and $b = 10$:

# %%
import torch
from torch import nn

import linreg

data = linreg.make_data()
X, y = data.X.unsqueeze(1), data.y.unsqueeze(1)  # (n,) -> (n, 1): one feature per row

model = nn.Linear(1, 1)
with torch.no_grad():  # setting the start is not part of training
    model.weight.fill_(16.0)
    model.bias.fill_(10.0)

loss_fn = nn.MSELoss()
lr, num_epochs = 0.1, 20  # the hand-written run below uses the same two
optimizer = torch.optim.SGD(model.parameters(), lr=lr)

losses = []
for _ in range(num_epochs):
    optimizer.zero_grad()  # clear the gradients of the last step
    loss = loss_fn(model(X), y)  # forward
    loss.backward()  # backward: model.weight.grad and model.bias.grad
    optimizer.step()  # update: param -= lr * param.grad, without tracking
    losses.append(loss.item())

print(f"W = {model.weight.item():.6f}, b = {model.bias.item():.6f}")

# %% [markdown]
# The hand-written run from the same start:

# %%
history = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=lr, num_epochs=num_epochs)
print(f"W = {history.W:.6f}, b = {history.b:.6f}")
largest = max(abs(a - b) / b for a, b in zip(losses, history.losses, strict=True))
print(f"largest relative difference between the two loss logs: {largest:.1e}")

# %% [markdown]
# The same trajectory, to float32 rounding: the two compute the same sums in a slightly
# different order, and float32 keeps about seven digits.
#
# ## `zero_grad()` and `set_to_none`
#
# `backward()` adds to `.grad`, so each step must clear it first, as
# [The gradient step](gradient.html) explains. Our loop writes zeros into it;
# `optimizer.zero_grad()` by default removes the tensor altogether (`set_to_none=True`), which
# saves memory and a pass over it, and `backward()` creates it afresh:

# %%
optimizer.zero_grad()
print(model.weight.grad)
loss_fn(model(X), y).backward()
optimizer.zero_grad(set_to_none=False)
print(model.weight.grad)

# %% [markdown]
# The difference only shows if you read `.grad` between `zero_grad()` and `backward()`:
# `None` instead of a tensor of zeros.
#
# ## Why `W = W - lr * W.grad` breaks training
#
# A natural first attempt at the update rebinds the name instead of changing the tensor in
# place, and leaves autograd on:

# %%
import warnings

W = torch.tensor(16.0, requires_grad=True)
b = torch.tensor(10.0, requires_grad=True)
with warnings.catch_warnings(record=True) as warned:
    warnings.simplefilter("always")
    try:
        for epoch in range(3):
            loss = linreg.mse_loss(W * data.X + b, data.y)
            loss.backward()
            print(f"epoch {epoch}: loss {loss.item():.4g}, W is a leaf: {W.is_leaf}")
            W = W - 0.1 * W.grad
            b = b - 0.1 * b.grad
    except TypeError as error:
        print(f"TypeError: {error}")

print(f"PyTorch warned: {str(warned[0].message)[:106]}...")

# %% [markdown]
# The first step works. But `W - 0.1 * W.grad` is a new tensor, *computed from* the old `W`:
# it is not a leaf of the graph, autograd records how it was made, and `backward()` fills in
# `.grad` only for leaves. So at the second step `W.grad` is `None` (PyTorch warns) and the
# update fails. Worse, had it not failed, every step would have chained onto the graph of
# the one before. Updating in place under `torch.no_grad()`, as our `gradient_step` and
# `optimizer.step()` do, keeps `W` the same [leaf tensor](glossary.html#leaf-tensor) and keeps the update out of the graph.
#
# ## Mini-batches with a `DataLoader`
#
# A `DataLoader` over a `TensorDataset` shuffles and batches, as `linreg.training.batches`
# does on the [Mini-batches](minibatch.html) page:

# %%
from torch.utils.data import DataLoader, TensorDataset

loader = DataLoader(
    TensorDataset(X, y),
    batch_size=50,
    shuffle=True,
    generator=torch.Generator().manual_seed(42),  # a seeded shuffle, as ours
)
model = nn.Linear(1, 1)
with torch.no_grad():
    model.weight.fill_(16.0)
    model.bias.fill_(10.0)

optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

batches_seen = []
for _ in range(40):
    for X_batch, y_batch in loader:
        batches_seen.append((X_batch, y_batch))
        optimizer.zero_grad()
        loss_fn(model(X_batch), y_batch).backward()
        optimizer.step()

with torch.no_grad():
    print(f"after 40 epochs: loss on all the data {loss_fn(model(X), y).item():.5f}")

# %% [markdown]
# `linreg`'s shuffle and the `DataLoader`'s draw from their generators differently, so the
# two runs see different batches, and end at different points of the same noise floor. Given
# the batches the `DataLoader` drew, our hand-written step follows the same path:

# %%
ours = linreg.LinearModel.like(data.X)
for X_batch, y_batch in batches_seen:
    linreg.gradient_step(ours, X_batch.squeeze(1), y_batch.squeeze(1), lr=0.1)

print(f"nn.Linear + SGD: W = {model.weight.item():.6f}, b = {model.bias.item():.6f}")
print(f"by hand:         W = {ours.W.item():.6f}, b = {ours.b.item():.6f}")

# %% tags=["check"]
import statistics

# "follows the hand-written run step for step ... to float32 rounding"
assert largest < 1e-5, largest
assert (
    abs(model.weight.item() - ours.W.item()) < 1e-5
    and abs(model.bias.item() - ours.b.item()) < 1e-5
)
first = nn.Linear(1, 1)
with torch.no_grad():
    first.weight.fill_(16.0)
    first.bias.fill_(10.0)
sgd = torch.optim.SGD(first.parameters(), lr=lr)
for _ in range(num_epochs):
    sgd.zero_grad()
    loss_fn(first(X), y).backward()
    sgd.step()
assert abs(first.weight.item() - history.W) < 1e-5 and abs(first.bias.item() - history.b) < 1e-5
# the table: nn.MSELoss is our mse_loss; nn.Linear computes W x + b
assert torch.allclose(loss_fn(first(X), y), linreg.mse_loss(first(X).squeeze(1), data.y))
assert first.weight.shape == (1, 1) and first.bias.shape == (1,)
# zero_grad: None by default, zeros with set_to_none=False
probe = nn.Linear(1, 1)
loss_fn(probe(X), y).backward()
torch.optim.SGD(probe.parameters(), lr=0.1).zero_grad()
assert probe.weight.grad is None
loss_fn(probe(X), y).backward()
torch.optim.SGD(probe.parameters(), lr=0.1).zero_grad(set_to_none=False)
assert probe.weight.grad is not None and probe.weight.grad.abs().sum() == 0
# the rebinding: the first step works, the second finds W.grad None and raises TypeError
assert not W.is_leaf and len(warned) >= 1 and "not a leaf" in str(warned[0].message)
# "the two runs see different batches": linreg's first batch is not the DataLoader's
ours_first = linreg.training.batches(1000, 50, torch.Generator().manual_seed(42))[0]
assert not torch.equal(data.X[ours_first], batches_seen[0][0].squeeze(1))
assert len(batches_seen) == 40 * 20
# "end at different points of the same noise floor": both within the floor of batch 50
W_best, b_best = linreg.least_squares(data.X, data.y)
best_loss = linreg.mse_loss(W_best * data.X + b_best, data.y).item()
with torch.no_grad():
    final = loss_fn(model(X), y).item()
ours_run = linreg.fit(
    linreg.LinearModel.like(data.X), data.X, data.y, lr=0.1, num_epochs=40, batch_size=50
)
floor = statistics.mean(loss - best_loss for loss in ours_run.losses[20:])
assert 0 < final - best_loss < 10 * floor, (final - best_loss, floor)
assert (model.weight.item(), model.bias.item()) != (ours_run.W, ours_run.b)

# %% [markdown]
# ## Summary
#
# - `nn.Linear`, `nn.MSELoss`, `torch.optim.SGD` and `zero_grad()` do what our model, loss,
#   update and `.grad.zero_()` do, and follow the hand-written run to float32 rounding.
# - The update must change the leaf tensors in place, outside the graph; rebinding
#   `W = W - lr * W.grad` breaks training at the second step.
# - A `DataLoader` shuffles and batches like `linreg.training.batches`, from its own random
#   stream.
#
# ## Exercises
#
# **1. Predict, then run.** Give `torch.optim.SGD` a `momentum=0.9`. Does the run still
# follow the hand-written one?

# %% [markdown] tags=["solution"]
# No: momentum adds a fraction of the previous step to each new one, which our
# `gradient_step` does not do, so from the second step on the two runs part.

# %% tags=["solution"]
moving = nn.Linear(1, 1)
with torch.no_grad():
    moving.weight.fill_(16.0)
    moving.bias.fill_(10.0)

momentum = torch.optim.SGD(moving.parameters(), lr=lr, momentum=0.9)
momentum_losses = []
for _ in range(num_epochs):
    momentum.zero_grad()
    loss = loss_fn(moving(X), y)
    loss.backward()
    momentum.step()
    momentum_losses.append(loss.item())

answer = [abs(a - b) / b for a, b in zip(momentum_losses, history.losses, strict=True)]
print(f"relative differences, first three epochs: {[f'{d:.2g}' for d in answer[:3]]}")

# %% tags=["check"]
assert answer[0] < 1e-5 and answer[1] < 1e-5 and answer[2] > 0.01  # equal, equal, apart

# %% [markdown]
# **2. Predict, then run.** Use `nn.MSELoss(reduction="sum")` with lr 0.1. What happens,
# and why?

# %% [markdown] tags=["solution"]
# The summed loss is 1000 times the mean, so is its gradient: lr 0.1 acts like lr 100, far
# above the stability bound of about 1, and the loss explodes within a few steps.

# %% tags=["solution"]
summed = nn.Linear(1, 1)
with torch.no_grad():
    summed.weight.fill_(16.0)
    summed.bias.fill_(10.0)

sum_loss = nn.MSELoss(reduction="sum")
step = torch.optim.SGD(summed.parameters(), lr=0.1)
answer = []
for _ in range(3):
    step.zero_grad()
    loss = sum_loss(summed(X), y)
    loss.backward()
    step.step()
    answer.append(loss.item() / len(X))  # logged as a mean, to compare

print(answer)

# %% tags=["check"]
assert answer[1] > 1e4 * answer[0] and answer[2] > answer[1]
