# %% [markdown]
# # Linear regression from scratch in PyTorch
#
# In this tutorial you fit a straight line $\hat y = W x + b$ to a thousand noisy points
# with gradient descent, writing the two parts that libraries usually hide: the **loss
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
# 1. [The data](data/): 1000 points drawn from $y = 3x + 0.5 + \varepsilon$.
# 2. [The model](model/): $W$ and $b$ as tensors that require a gradient.
# 3. [The loss](loss/): the mean squared error, written by hand.
# 4. [The gradient step](gradient/): what `backward()` computes and how to use it.
# 5. [Training](training/): twenty steps, the loss log, and where the line ends up.
#
# Every page is a notebook **run when the site is built**, so each number and figure you see
# is what the current code produces, and hidden checks fail the build if the prose and the
# numbers ever disagree. Each code cell runs as it is when pasted, in order, at a Python
# prompt (after a cell that ends in an indented block, press Enter once more, as the prompt
# expects), and every page can be downloaded as a Jupyter notebook.
#
# The code lives in a small package, `linreg`, that the pages import; the
# [API reference](reference/) documents it.
#
# ## Run it yourself
#
# On a machine with Python 3.10 or newer and Node.js, in a checkout of the project, the
# README's two commands install everything into `.venv/`. The first builds this site into
# `site/`:
#
# ```bash
# npm ci && python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e '.[docs]' && .venv/bin/mkdocs build --strict
# ```
#
# The second runs the tests, including browser tests in Debian's Chromium, which it installs
# with apt-get if it is missing:
#
# ```bash
# npm ci && (test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)) && python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e '.[test]' && .venv/bin/python -m pytest
# ```
#
# While you edit a page, `.venv/bin/mkdocs serve` rebuilds the site and reloads the browser.
# Without the site, `.venv/bin/linreg` runs the whole experiment in a terminal and
# `.venv/bin/linreg --plots figures/` writes these figures as PNG files.

# %% tags=["check"]
assert history.losses[-1] < 1.2 and abs(history.W - 3.0) < 0.2
