# %% [markdown]
# # Linear regression from scratch in PyTorch
#
# In this tutorial you fit a straight line $\hat y = W x + b$ to a thousand noisy points
# with [gradient descent](glossary.html#gradient-descent), writing the two parts that libraries usually hide: the **[loss](glossary.html#loss)
# function** and the **gradient-descent step**. PyTorch's `backward()` is the only
# automatic part. By the end, a line that starts far off the data lands on it:

# %%
import linreg
from linreg.plots import plot_predictions

data = linreg.make_data()  # y = 3x + 0.5 + noise, 1000 examples, seeded
model = linreg.LinearModel.like(data.X)  # starts at W = 16, b = 10
history = linreg.fit(model, data.X, data.y, lr=0.1, num_epochs=20)
plot_predictions(data.X, data.y, model, title="After training")

# %% [markdown]
# ## What you will build
#
# The pages follow the data through the algorithm, one idea each:
#
# 1. [The data](data.html): 1000 points drawn from $y = 3x + 0.5 + \varepsilon$.
# 2. [The model](model.html): $W$ and $b$ as tensors that require a [gradient](glossary.html#gradient).
# 3. [The loss](loss.html): the [mean squared error](glossary.html#mean-squared-error), written by hand.
# 4. [The gradient step](gradient.html): what `backward()` computes and how to use it.
# 5. [Training](training.html): twenty steps, the loss log, and where the line ends up.
# 6. [The loss landscape](landscape.html): the loss drawn as a bowl over $(W, b)$, the path
#    across it, and the narrow valley that an offset in $x$ makes.
# 7. [Choosing the learning rate](learning-rate.html): the bound and the best [learning rate](glossary.html#learning-rate),
#    derived from the data, and an explorer with a slider.
# 8. [The closed form](closed-form.html): the best line in one step of algebra, three ways,
#    and how far it lies from the truth as the sample grows.
# 9. [Mini-batches](minibatch.html): the same step on batches of a shuffle, and the noise
#    floor it settles on.
# 10. [Idiomatic PyTorch](pytorch.html): `nn.Linear`, `nn.MSELoss`, `torch.optim.SGD` and
#     a `DataLoader`, checked against the hand-written run.
#
# That is the core path. Two more pages, a section of their own in the navigation, are for
# readers whose data do not fit in memory or whose training must run on several processes
# or machines; the core path does not need them:
#
# - [When the data grows](large-data.html): what a step costs, counted; the step a chunk
#   at a time; six numbers that replace the data; a file larger than memory.
# - [Across processes and machines](distributed.html): the same step on [shards](glossary.html#shard), with
#   `torch.distributed` and `DistributedDataParallel`, and how `torchrun` runs it.
#
# Each page ends with a summary and exercises, whose solutions fold open on request, and the
# [glossary](glossary.html) defines the words the pages use.
#
# Every page is a notebook **run when the site is built**, so each number and figure you see
# is what the current code produces, and hidden checks fail the build if the prose and the
# numbers ever disagree. Each code cell runs as it is when pasted, in order, into Jupyter,
# IPython or the prompt of Python 3.13 and later. The older `>>>` prompt ends a class or a
# function at its first blank line: there, paste a definition without the blank lines
# inside it, and after a cell that ends in an indented block press Enter once more. Every
# page can be downloaded as a Jupyter notebook.
#
# The algorithm is written on the pages, in cells you can edit and run on. A small
# package, `linreg`, holds the same code (written from the pages) and the rest: the data,
# the checks, the plots. Each page imports what earlier pages defined from it; the
# [API reference](reference.html) documents it.
#
# ## Run it yourself
#
# Every page runs on your machine with Python 3.11 or newer and pip; nothing else is
# needed. Download [linreg-notebooks.zip](downloads/linreg-notebooks.zip): every page as a
# Jupyter notebook, the `linreg` package as a wheel, and a `requirements.txt` with the exact
# versions this site was built with. Unzip it, and in its folder run:
#
# ```bash
# python3 -m venv .venv
# .venv/bin/pip install -r requirements.txt
# .venv/bin/jupyter execute --inplace *.ipynb
# ```
#
# The last line runs every notebook in the folder from top to bottom and saves its outputs
# into it; to read them, or to change a value and run a cell again, open the notebooks in
# JupyterLab (`.venv/bin/pip install jupyterlab`, then `.venv/bin/jupyter lab`). The kernel
# may warn that it "is running over TCP without encryption": it talks only to your own
# machine. On Windows, the commands are `py -m venv .venv`,
# `.venv\Scripts\pip install -r requirements.txt` and, one notebook at a time (the Windows
# shells do not expand `*`), `.venv\Scripts\jupyter execute --inplace index.ipynb`. Each
# page's own notebook is also linked at its top, and needs the same install.
#
# The install also gives you the command line, `.venv/bin/linreg`, which runs the whole
# experiment in a terminal (`.venv/bin/linreg --help`). To install only the package, run
# `pip install linreg_by_hand-*.whl` in the unzipped folder: its
# distribution name is `linreg-by-hand` (the name `linreg` on PyPI belongs to an unrelated
# project), and it is imported as `linreg`. (To change the tutorial itself, build this
# site or run its tests, follow the README of the project's source instead.) This site was
# built with version:

# %%
linreg.__version__

# %% tags=["check"]
assert history.losses[-1] < 1.2 and abs(history.W - 3.0) < 0.2  # "lands on it"
assert len(data.X) == 1000 and (data.true_W, data.true_b) == (3.0, 0.5)  # "a thousand", 3x + 0.5
assert (history.Ws[0], history.bs[0]) == (16.0, 10.0)  # "starts at W = 16, b = 10"
assert len(history.losses) == 20  # "Training: twenty steps"
import re

assert re.fullmatch(r"\d+\.\d+\.\d+", linreg.__version__)

# %% [markdown]
# ## Summary
#
# - The tutorial fits $\hat y = W x + b$ to 1000 noisy points by gradient descent, with the
#   loss and the step written by hand.
# - Twenty steps at a learning rate of 0.1 take the line from $W = 16$, $b = 10$ onto the
#   data.
#
# ## Exercises
#
# **1. Predict, then run.** Train for 5 [epochs](glossary.html#epoch) instead of 20. Will the line already be on
# the data? Guess the last logged loss (it started at about 263), then run the first cell
# with `num_epochs=5`.

# %% [markdown] tags=["solution"]
# Not yet. What falls by the same fraction each epoch is the *excess* of the loss over
# the least-squares loss $L^*$ (about 1.06): here each step keeps 0.637 of it ([Training](training.html)
# says why, and when it is so). After 4 steps the excess is still about 43, and the logged
# loss about 44, forty times $L^*$: $W$ is still above 7.

# %% tags=["solution"]
short = linreg.fit(linreg.LinearModel.like(data.X), data.X, data.y, lr=0.1, num_epochs=5)
answer = short.losses[-1]
print(f"last logged loss {answer:.4g} (after 4 steps); W after all 5 steps: {short.W:.3f}")

# %% tags=["check"]
W_opt, b_opt = linreg.least_squares(data.X, data.y)
L_opt = linreg.mse_loss(W_opt * data.X + b_opt, data.y).item()
assert 35 * L_opt < answer < 45 * L_opt and round(answer) == 44  # "about 44, forty times"
assert short.W > 7  # "W is still above 7"
assert round(L_opt, 2) == 1.06  # "L* (about 1.06)"
import itertools

excess = [loss - L_opt for loss in short.losses]
kept = [after / before for before, after in itertools.pairwise(excess)]
assert all(round(k, 3) == 0.637 for k in kept), kept  # "each step keeps 0.637 of it"
assert round(excess[-1]) == 43  # "the excess is still about 43"

# %% [markdown]
# **2. Another sample.** The data are seeded (`seed=42`). Find the best line,
# `linreg.least_squares`, for samples drawn with seeds 1, 2 and 3. Does $W^*$ land near 3
# every time?

# %% [markdown] tags=["solution"]
# Yes: each sample gives a slightly different best line, but $W^*$ lies within 0.05 of 3 for
# all three. The page [The closed form](closed-form.html) measures how that spread shrinks
# with more data.

# %% tags=["solution"]
answer = []
for seed in (1, 2, 3):
    sample = linreg.make_data(seed=seed)
    W_best, b_best = linreg.least_squares(sample.X, sample.y)
    answer.append(round(W_best, 4))

print(answer)

# %% tags=["check"]
assert len(answer) == 3 and all(abs(W - 3) < 0.05 for W in answer), answer
assert len(set(answer)) == 3  # "slightly different"
