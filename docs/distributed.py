# %% [markdown]
# # Across processes and machines
#
# [When the data grows](large-data.html) trained on data too large for one step's
# temporaries. Data can also be too large for one machine, or a step too slow on one; then
# several processes share the work, each holding a part of the data, a **shard**. This page
# runs the hand-written step that way with `torch.distributed`, PyTorch's own engine for
# it: first by hand, then with `DistributedDataParallel`; and says how the same code runs
# on several machines. (To keep the demonstration small, every process here is given the
# whole sample and takes its slice; with data too large for one machine, each process
# would read only its own shard, and nothing else on the page would change.)
#
# ## The step, by shards
#
# The loss is a mean over all $n$ examples, so it is a sum of one part per shard: each
# process's squared residuals, summed and divided by $n$ (all of the examples, not its
# own). Each process takes its part through `backward()`, which gives its part of the
# gradient; **`all_reduce`** with `SUM` adds the parts of every process and leaves the total
# in each, so every process holds the gradient of all the data and takes the same update:

# %% tags=["export"]
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from linreg.pages.gradient import update
from linreg.pages.training import train


# %% tags=["export"]
def distributed_step(model, X, y, lr, n):
    """One gradient step on all n examples, taken by every process from its shard (X, y)."""
    share = ((model(X) - y) ** 2).sum() / n  # forward: this shard's part of the mean
    share.backward()  # backward: this shard's part of dL/dW and dL/db, in .grad
    loss = share.detach()
    for total in (model.W.grad, model.b.grad, loss):
        dist.all_reduce(total, op=dist.ReduceOp.SUM)  # the sum of every shard's part
    update(model.parameters(), lr)  # the same update on every process
    return loss


# %% [markdown]
# Two details matter. The division is by $n$ and the reduction a sum: an average of each
# shard's own mean would weigh a small shard's examples more than a large one's, and
# `ReduceOp.AVG` has been reported to give wrong results on gloo (CPU) without an error
# ([pytorch#162338](https://github.com/pytorch/pytorch/issues/162338)). And every process
# must call `all_reduce` the same number of times, in the same order: one that stops early
# leaves the others waiting.
#
# The loop of [Training](training.html) takes these steps as it takes any other; each
# process first learns $n$, the examples of all the shards, by one more `all_reduce`:


# %% tags=["export"]
def train_distributed(model, X, y, lr, num_epochs):
    """`train` on this process's shard (X, y): each step is one on all the shards' data."""
    n = torch.tensor(len(X))
    dist.all_reduce(n, op=dist.ReduceOp.SUM)  # the examples of all the shards

    def step(model, X, y, lr):
        return distributed_step(model, X, y, lr, int(n))

    return train(model, X, y, lr, num_epochs, step=step)


# %% [markdown]
# Which examples a process holds is a contiguous slice; the sizes differ by one at most:

# %%
import linreg
from linreg import distributed

for rank in range(2):
    part = distributed.shard(1000, rank, 2)
    print(f"process {rank} of 2 holds examples {part.start} to {part.stop - 1}")

# %% [markdown]
# ## Two processes on this machine
#
# `linreg.distributed.launch` starts new Python processes with PyTorch's own launcher
# (`torch.multiprocessing.start_processes`), joins them in one process group over gloo on
# 127.0.0.1, runs a function in each, and returns what each returned. If a process fails,
# or the run takes longer than its `timeout`, it stops them all and shows the error of the
# one that failed first. The new processes import the function by name, so it must live
# in a module (a function defined in a notebook cannot be found there; `launch` says so).
# Each process here runs `linreg.distributed.fit_shard`, which trains from $(16, 10)$ on
# its shard with `train_distributed` and returns the log: the loss, $W$ and $b$ before each
# epoch. The new processes run the package's copy of this page's cells
# (`linreg.pages.distributed`), not the cells as you may have edited them here. Twenty epochs at lr = 0.1, on the tutorial's data, on two processes, with even
# shards and with uneven ones (137 and 863 examples; `uneven` lists where each shard
# starts, then $n$):

# %%
data = linreg.make_data()
lr, num_epochs = 0.1, 20
processes = 2
uneven = [0, 137, 1000]

even_ranks = distributed.launch(distributed.fit_shard, processes, data.X, data.y, lr, num_epochs)
uneven_ranks = distributed.launch(
    distributed.fit_shard, processes, data.X, data.y, lr, num_epochs, 16.0, 10.0, uneven
)
(even_log, W_even, b_even), *_ = even_ranks  # every process returns the same
(uneven_log, W_uneven, b_uneven), *_ = uneven_ranks

single = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=lr, num_epochs=num_epochs)


def largest_difference(log):
    return max(
        abs(loss - expected) / expected
        for (loss, _, _), expected in zip(log, single.losses, strict=True)
    )


print(f"one process:    W = {single.W:.6f}, b = {single.b:.6f}")
print(f"even shards:    W = {W_even:.6f}, b = {b_even:.6f}")
print(f"uneven shards:  W = {W_uneven:.6f}, b = {b_uneven:.6f}")
print(
    f"largest relative difference of the losses: {largest_difference(even_log):.1e}, "
    f"{largest_difference(uneven_log):.1e}"
)

# %% [markdown]
# The same run: the losses agree to float32 rounding (the sum over the examples is added up
# in another order), and both processes end on the same line. The log is the same in every
# process, since each holds the same model after every step.
#
# ## The idiomatic version: DistributedDataParallel
#
# PyTorch's `DistributedDataParallel` (DDP) wraps a module and does the `all_reduce` for
# you, during `backward()`. It **averages** the gradients over the processes, as if each
# process's loss were a mean over the same number of examples. So that its average is the
# gradient of all the data, each process's loss is its part of the mean, as above, times
# the number of processes. Around `nn.Linear(1, 1)` and `torch.optim.SGD`, as on
# [Idiomatic PyTorch](pytorch.html):


# %% tags=["export"]
def train_ddp(layer, X, y, lr, num_epochs, n):
    """train_distributed the idiomatic way: DDP around the nn.Linear(1, 1) layer, and SGD."""
    model = DistributedDataParallel(layer)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    inputs, targets = X.unsqueeze(1), y.unsqueeze(1)  # nn.Linear takes (n, 1)
    for _ in range(num_epochs):
        W, b = layer.weight.item(), layer.bias.item()
        optimizer.zero_grad()
        share = ((model(inputs) - targets) ** 2).sum() / n  # this shard's part of the mean
        (share * dist.get_world_size()).backward()  # DDP averages: the average of these is the sum
        optimizer.step()
        loss = share.detach()
        dist.all_reduce(loss, op=dist.ReduceOp.SUM)
        yield loss.item(), W, b


# %% [markdown]
# `linreg.distributed.fit_ddp` runs it in each process, from $(16, 10)$, as `fit_shard`
# runs `train_distributed`:

# %%
ddp_ranks = distributed.launch(
    distributed.fit_ddp, processes, data.X, data.y, lr, num_epochs, 16.0, 10.0, uneven
)
(ddp_log, W_ddp, b_ddp), *_ = ddp_ranks
print(f"DDP, uneven shards:  W = {W_ddp:.6f}, b = {b_ddp:.6f}")
print(f"largest relative difference of the losses: {largest_difference(ddp_log):.1e}")

# %% [markdown]
# Without the factor the gradient would be half the true one at two processes, and the run
# a run at half the learning rate; and if each process divided by its own number of
# examples instead of $n$, the examples of the small shard would weigh more than those of
# the large one.
#
# ## On several machines
#
# Nothing in the step knows where the other processes are: that is the launcher's business.
# `torchrun`, which comes with PyTorch, starts the processes and tells each its rank, the
# number of processes and where to meet, in environment variables (`RANK`, `WORLD_SIZE`,
# `MASTER_ADDR`, `MASTER_PORT`). `python -m linreg` notices them, joins the group, draws
# the tutorial's sample, trains on its shard of it and lets process 0 print the log. On one
# machine, two processes:
#
# ```bash
# torchrun --standalone --nproc-per-node 2 -m linreg
# ```
#
# On two machines, say `machine-a` and `machine-b`, with two processes on each, run on
# `machine-a`
#
# ```bash
# torchrun --nnodes 2 --node-rank 0 --nproc-per-node 2 --master-addr machine-a --master-port 29500 -m linreg
# ```
#
# and on `machine-b` the same with `--node-rank 1`. Each machine needs the same Python
# packages (`pip install` of this tutorial's requirements), and must reach `machine-a` on
# port 29500 and the other machine on the ports gloo opens between the processes. Only the
# launch changes, not the code: the same `distributed_step` runs in every process. A
# program of your own, for data of its own, would have each process load its shard (for
# example its part of a file, read a chunk at a time as `linreg.statistics.read_moments`
# does) and call `linreg.fit(model, X, y, distributed=True)` on it. This tutorial's command
# line and `launch` use gloo, on the CPU; a model on CUDA would use NCCL, one GPU per
# process (`linreg.distributed.backend(device)` names the backend to pass to
# `torch.distributed.init_process_group`).

# %% [markdown]
# ## Summary
#
# - Data-parallel gradient descent: each process computes `backward()` of its part of the
#   loss (its sum of squares over all $n$), `all_reduce` sums the gradients, and every
#   process applies the same update; the run is the single-process run, with even or uneven
#   shards.
# - DDP averages gradients over the processes, so each process's loss is scaled to make
#   the average the sum; `torchrun` starts the processes, on one machine or several.
#
# ## Exercises
#
# **1. Predict, then run.** `distributed.shard` gives each process a contiguous slice.
# Would the run change if the two processes held every other example instead
# (`data.X[0::2]` and `data.X[1::2]`)? Predict, then take the steps of both splits in this
# one process: one `backward()` per shard, which adds each shard's part to `.grad` as
# `all_reduce` adds them, then one update.

# %% [markdown] tags=["solution"]
# It would not, up to rounding. Each step adds up one part per shard, and every example is
# in exactly one shard, so the sum is the same whichever examples go together: only the
# order of the additions, and so the float32 rounding, changes.


# %% tags=["solution"]
def run_on_shards(shards, lr, num_epochs, n):
    """The losses of train_distributed's run, its shards' parts summed in one process."""
    model, losses = linreg.LinearModel.like(data.X), []
    for _ in range(num_epochs):
        loss = 0.0
        for X_part, y_part in shards:
            share = ((model(X_part) - y_part) ** 2).sum() / n  # this shard's part of the mean
            share.backward()  # adds this shard's part of the gradient to .grad
            loss += share.item()
        update(model.parameters(), lr)
        losses.append(loss)
    return losses


n = len(data.X)
contiguous = run_on_shards([(data.X[:500], data.y[:500]), (data.X[500:], data.y[500:])], lr, 20, n)
interleaved = run_on_shards([(data.X[0::2], data.y[0::2]), (data.X[1::2], data.y[1::2])], lr, 20, n)
answer = max(abs(a - b) / b for a, b in zip(interleaved, contiguous, strict=True))
print(f"largest relative difference of the losses, interleaved against contiguous: {answer:.1e}")

# %% tags=["check"]
assert answer < 1e-6, answer
assert max(abs(a - b) / b for a, b in zip(contiguous, single.losses, strict=True)) < 1e-6
assert sorted(torch.cat([torch.arange(n)[0::2], torch.arange(n)[1::2]]).tolist()) == list(range(n))

# %% [markdown]
# **2. Predict, then run.** Suppose each process divided its sum of squares by its own
# number of examples, and `all_reduce` summed the results. On two even shards of 500, the
# summed gradient is exactly twice the true one (why?). On the page's uneven shards, 137 and
# 863 examples, is it still twice the true one? Predict, then compare the first step's
# $\partial L/\partial W$ with the true one, and say where a run of such steps would end.

# %% [markdown] tags=["solution"]
# On even shards the two means are $S_1/500$ and $S_2/500$, for the shards' sums of
# squares $S_1$ and $S_2$, and their sum $(S_1 + S_2)/500$ is exactly twice the mean of all
# the data, $(S_1 + S_2)/1000$: every step is the true one at twice the learning rate.
#
# On uneven shards there is no such identity. The small shard's sum is divided by 137 and
# the large one's by 863, so each of the 137 examples counts $863/137 \approx 6.3$ times as
# much as one of the 863. Each shard's mean is near the mean of all the data, so the sum is
# still near twice the true gradient, but only near: 2.022 times it here. The steps descend
# $L_1 + L_2$, the sum of the two shards' own mean squared errors, not $2L$, and a run of
# them ends at the lowest point of $L_1 + L_2$: a line other than the least-squares one,
# with $b = 0.473$ where least squares has $0.461$.


# %% tags=["solution"]
def summed_gradient(shards):
    """dL/dW with each shard (a slice) divided by its own size, summed; over the true one."""
    wrong = torch.zeros(())
    for shard in shards:
        part = linreg.LinearModel.like(data.X)
        linreg.mse_loss(part(data.X[shard]), data.y[shard]).backward()  # the shard's own mean
        wrong += part.W.grad
    true_model = linreg.LinearModel.like(data.X)
    linreg.mse_loss(true_model(data.X), data.y).backward()
    return (wrong / true_model.W.grad).item()


even_ratio = summed_gradient([slice(0, 500), slice(500, 1000)])
answer = summed_gradient([slice(0, 137), slice(137, 1000)])
print(f"the summed gradient is {even_ratio:.6f} times the true one on even shards")
print(f"and {answer:.6f} times it on the shards of 137 and 863")

# %% tags=["check"]
assert abs(even_ratio - 2) < 1e-6  # "exactly twice", to float32 rounding
assert round(answer, 3) == 2.022 and abs(answer - 2) > 0.01  # "near, but only near"
assert round(863 / 137, 1) == 6.3
# "a run of them ends at the lowest point of L_1 + L_2 ... b = 0.473 where least squares
# has 0.461": 200 such steps in float64, against the weighted least-squares line
x64, y64 = data.X.double(), data.y.double()
walker = linreg.LinearModel.like(x64)
for _ in range(200):
    for shard in [slice(0, 137), slice(137, 1000)]:
        linreg.mse_loss(walker(x64[shard]), y64[shard]).backward()
    update(walker.parameters(), lr)
weights = torch.where(torch.arange(1000) < 137, 1 / 137, 1 / 863).double()
rows = torch.stack([x64, torch.ones_like(x64)], dim=1)
lowest = torch.linalg.solve(rows.T @ (weights[:, None] * rows), rows.T @ (weights * y64))
assert abs(walker.W.item() - lowest[0]) < 1e-9 and abs(walker.b.item() - lowest[1]) < 1e-9
W_ls, b_ls = linreg.least_squares(data.X, data.y)
assert round(walker.b.item(), 3) == 0.473 and round(b_ls, 3) == 0.461
# the even shards' run is the true run at twice the learning rate
even_walker = linreg.LinearModel.like(data.X)
for _ in range(num_epochs):
    for shard in [slice(0, 500), slice(500, 1000)]:
        linreg.mse_loss(even_walker(data.X[shard]), data.y[shard]).backward()
    update(even_walker.parameters(), lr)
doubled = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=2 * lr, num_epochs=20)
assert abs(even_walker.W.item() - doubled.W) < 1e-5 and abs(even_walker.b.item() - doubled.b) < 1e-5

# %% tags=["check"]
# What the prose says, as it says it.
assert distributed.shard(1000, 0, 2) == slice(0, 500) and distributed.shard(1000, 1, 2) == slice(
    500, 1000
)
assert uneven[1] - uneven[0] == 137 and uneven[2] - uneven[1] == 863
# "a contiguous slice; the sizes differ by one at most"
for world in (2, 3, 7):
    parts = [distributed.shard(1000, rank, world) for rank in range(world)]
    assert parts[0].start == 0 and parts[-1].stop == 1000
    assert all(parts[i].stop == parts[i + 1].start for i in range(world - 1))
    sizes = [part.stop - part.start for part in parts]
    assert max(sizes) - min(sizes) <= 1, sizes
# the same run: losses to float32 rounding, the same line, the same log in every process
assert processes == 2
for ranks in (even_ranks, uneven_ranks, ddp_ranks):
    (log, W_end, b_end), (other_log, other_W, other_b) = ranks
    assert log == other_log and (W_end, b_end) == (other_W, other_b)  # every process alike
    assert largest_difference(log) < 1e-6
    assert abs(W_end - single.W) < 1e-5 and abs(b_end - single.b) < 1e-5
    Ws = [W for _, W, _ in log]
    assert max(abs(a - b) for a, b in zip(Ws, single.Ws, strict=True)) < 1e-5
# "Without the factor the gradient would be half": DDP's average of the parts over 2
share_sum = 0.0
for part in [slice(0, 137), slice(137, 1000)]:
    m = linreg.LinearModel.like(data.X)
    (((m(data.X[part]) - data.y[part]) ** 2).sum() / len(data.X)).backward()
    share_sum += m.W.grad.item()
full = linreg.LinearModel.like(data.X)
linreg.mse_loss(full(data.X), data.y).backward()
assert abs(share_sum - full.W.grad.item()) < 1e-4 * abs(full.W.grad.item())
assert abs(share_sum / 2 / full.W.grad.item() - 0.5) < 1e-6
assert distributed.backend("cuda") == "nccl" and distributed.backend("cpu") == "gloo"
