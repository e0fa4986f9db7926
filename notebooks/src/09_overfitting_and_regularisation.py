# %% [markdown]
# # 9 · Overfitting and regularisation
#
# A network with many parameters can fit its training data too well: it learns the noise
# along with the pattern, and then predicts new data worse. This is **overfitting**. The
# loss on the training data cannot show it, since it keeps falling; data held out from
# training can.
#
# In this notebook:
# 1. a small noisy data set, split into a training and a validation set;
# 2. a network much bigger than the data, trained until it overfits, and the two loss
#    curves that show it;
# 3. **L2 weight decay**: the update rule with its decay term, written out and checked
#    against `nn.SGD(weight_decay=λ)`, and what it does to the fit;
# 4. a small **hyperparameter sweep**: λ chosen by the validation loss, then judged once on
#    a test set;
# 5. **early stopping**: keep the parameters from the step where the validation loss was
#    lowest.

# %%
import math
import random

import matplotlib.pyplot as plt
import numpy as np

import nn
from engine import Value, check_answer, no_grad

# %% [markdown]
# ## The data: few noisy points
#
# The pattern is y = sin(x), measured with noise (a Gaussian of standard deviation 0.25, so
# even a perfect model has a squared error of about 0.25² = 0.0625 on new points). The
# **training set** has 12 points; the **validation set**, 40 more points from the same
# source, is never trained on, only used to measure how well the model does on data it has
# not seen and to choose between models. A **test set** of 40 more is kept aside for the
# very end. `random.Random(1)` fixes the points.

# %%
rng = random.Random(1)
x_train = sorted(rng.uniform(-3, 3) for _ in range(12))
y_train = [math.sin(x) + rng.gauss(0, 0.25) for x in x_train]
x_val = [rng.uniform(-3, 3) for _ in range(40)]
y_val = [math.sin(x) + rng.gauss(0, 0.25) for x in x_val]
x_test = [rng.uniform(-3, 3) for _ in range(40)]
y_test = [math.sin(x) + rng.gauss(0, 0.25) for x in x_test]

grid = np.linspace(-3.2, 3.2, 161)
fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.plot(grid, np.sin(grid), "--", color="gray", label="the pattern: sin(x)")
ax.plot(x_train, y_train, "o", color="black", label="training set (12)")
ax.plot(x_val, y_val, "x", color="tab:gray", label="validation set (40)")
ax.set(xlabel="x", ylabel="y", title="a small noisy data set")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## A model that overfits
#
# `MLP(1, [8, 8, 1], activation="tanh")` has 97 parameters for 12 training points: enough
# to pass close to every point, noise and all. Train it on the mean squared error of the
# training set with full-batch Adam (every step uses all 12 points), 250 steps, and every 10
# steps measure the loss on both sets (inside `no_grad()`) and keep a copy of the parameters.

# %%
def mse(model, xs, ys):
    """The mean squared error of the model on (xs, ys), without recording a graph."""
    with no_grad():
        return nn.mse_loss([model([x]) for x in xs], ys).data


def train(weight_decay=0.0, steps=250, every=10):
    """Train a fresh MLP on the training set; return it and its recorded history."""
    model = nn.MLP(1, [8, 8, 1], activation="tanh", seed=0)
    optimizer = nn.Adam(model.parameters(), lr=0.05, weight_decay=weight_decay)
    history = {"step": [], "train": [], "val": [], "params": []}
    for step in range(steps + 1):
        if step % every == 0:
            history["step"].append(step)
            history["train"].append(mse(model, x_train, y_train))
            history["val"].append(mse(model, x_val, y_val))
            history["params"].append(model.state_dict())
        if step == steps:
            break
        loss = nn.mse_loss([model([x]) for x in x_train], y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, history


model, plain = train()
print("parameters:", len(model.parameters()))
best = int(np.argmin(plain["val"]))
print(f"lowest validation loss {plain['val'][best]:.4f} at step {plain['step'][best]} "
      f"(training loss {plain['train'][best]:.4f})")
print(f"after {plain['step'][-1]} steps: training loss {plain['train'][-1]:.4f}, "
      f"validation loss {plain['val'][-1]:.4f}")
print(f"the noise floor: 0.25² = {0.25 ** 2:.4f}")

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.plot(plain["step"], plain["train"], label="training loss")
ax.plot(plain["step"], plain["val"], label="validation loss")
ax.axvline(plain["step"][best], color="gray", ls=":", label="lowest validation loss")
ax.axhline(0.25 ** 2, color="black", ls="--", lw=1, label="noise floor 0.0625")
ax.set(xlabel="step", ylabel="MSE", yscale="log", title="the curves of overfitting")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# The training loss falls all the way, **below the noise floor**: no model of sin(x) can
# predict the noise, so a training loss under 0.0625 means the model has learned the noise
# of these 12 points. The validation loss falls at first, while the model learns the
# pattern, then rises again: from then on each step fits the training set's noise a little
# better and new data a little worse. The gap between the two curves is the overfitting.
# (Even at its lowest, the validation loss stays about twice the floor: 12 points are too
# few to pin sin(x) down everywhere on (−3, 3).) The fitted curves show it directly:

# %%
def predictions(params):
    """The model with these parameters, evaluated on the grid."""
    viewer = nn.MLP(1, [8, 8, 1], activation="tanh")
    viewer.load_state_dict(params)
    with no_grad():
        return [viewer([float(x)]).data for x in grid]


fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.plot(grid, np.sin(grid), "--", color="gray", label="sin(x)")
ax.plot(x_train, y_train, "o", color="black", label="training set")
ax.plot(x_val, y_val, "x", color="tab:gray", label="validation set")
ax.plot(grid, predictions(plain["params"][best]), color="tab:green", lw=2,
        label=f"step {plain['step'][best]} (lowest validation loss)")
ax.plot(grid, predictions(plain["params"][-1]), color="tab:red", lw=2,
        label=f"step {plain['step'][-1]} (overfitted)")
ax.set(xlabel="x", ylabel="y", ylim=(-2, 2), title="the same model at two moments")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## L2 weight decay: the update rule
#
# An overfitted curve bends sharply to reach single noisy points, and sharp bends need large
# weights. **L2 regularisation** adds a penalty on the size of the weights to the loss,
#
# L_total = L + (λ/2) · Σ w²,
#
# whose gradient adds λ·w to each parameter's gradient. Plain gradient descent on L_total is
# then
#
# w ← w − η · (∂L/∂w + λ·w) = (1 − η·λ)·w − η·∂L/∂w:
#
# before the usual step, every weight shrinks by the factor (1 − η·λ), hence the name
# **weight decay**. `nn.SGD(params, lr=η, weight_decay=λ)` applies exactly this rule (as
# `torch.optim.SGD` does), to every parameter it is given, biases included. Check it on one
# step, by hand and with the penalty added to the loss:

# %%
eta, lam = 0.1, 0.01


def one_step(how):
    """One gradient step on a fresh model; returns its parameters (name → value) after."""
    m = nn.MLP(1, [8, 8, 1], activation="tanh", seed=0)
    loss = nn.mse_loss([m([x]) for x in x_train], y_train)
    if how == "penalty in the loss":
        loss = loss + lam / 2 * sum(p * p for p in m.parameters())
    m.zero_grad()
    loss.backward()
    if how == "by hand":
        for p in m.parameters():
            p.data = p.data - eta * (p.grad + lam * p.data)   # w ← w − η(∂L/∂w + λw)
    elif how == "nn.SGD(weight_decay=λ)":
        nn.SGD(m.parameters(), lr=eta, weight_decay=lam).step()
    else:
        nn.SGD(m.parameters(), lr=eta).step()
    return m.state_dict()


start = nn.MLP(1, [8, 8, 1], activation="tanh", seed=0).state_dict()
after = {how: one_step(how) for how in ("by hand", "nn.SGD(weight_decay=λ)",
                                        "penalty in the loss")}
names = list(start)[:3] + list(start)[-2:]
print(f"{'parameter':24} {'before':>9} " + " ".join(f"{how:>22}" for how in after))
for name in names:
    print(f"{name:24} {start[name]:9.5f} "
          + " ".join(f"{after[how][name]:22.7f}" for how in after))
for name in start:
    assert math.isclose(after["by hand"][name], after["nn.SGD(weight_decay=λ)"][name],
                        rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(after["by hand"][name], after["penalty in the loss"][name],
                        rel_tol=1e-9, abs_tol=1e-12)
print(f"all {len(start)} parameters agree")

# %% [markdown]
# The three columns agree for every parameter: the decay term in the update, the optimizer's
# `weight_decay`, and the penalty in the loss are the same thing.
#
# **Your turn.** A weight w = 0.5 with ∂L/∂w = 0.2, η = 0.1 and λ = 0.01: what is w after one
# step of `nn.SGD(weight_decay=λ)`? Type it in place of `None` and run the cell.
#
# <details><summary>Answer</summary>
#
# w ← w − η(∂L/∂w + λw) = 0.5 − 0.1·(0.2 + 0.005) = 0.4795.
# </details>

# %%
weight = Value(0.5)
weight.grad = 0.2                                   # as if backward() had put it there
nn.SGD([weight], lr=0.1, weight_decay=0.01).step()
assert math.isclose(weight.data, 0.4795)           # the answer above
your_w = None
check_answer(your_w, weight.data)

# %% [markdown]
# ## Weight decay against overfitting
#
# The training above used Adam. `nn.Adam(..., weight_decay=λ)` adds the same λ·w to each
# gradient before Adam's own averaging and scaling (as `torch.optim.Adam` does), so it too
# pulls every weight toward zero, although the step is then no longer exactly
# (1 − η·λ)·w − η·∂L/∂w. Train the same model from the same start with λ = 0.01:

# %%
decayed_model, decayed = train(weight_decay=0.01)
print(f"without weight decay: training loss {plain['train'][-1]:.4f}, "
      f"validation loss {plain['val'][-1]:.4f}")
print(f"with λ = 0.01:        training loss {decayed['train'][-1]:.4f}, "
      f"validation loss {decayed['val'][-1]:.4f}")


def size(m):
    """Σ w² over all parameters."""
    return sum(p.data ** 2 for p in m.parameters())


print(f"Σ w²: {size(model):.2f} without, {size(decayed_model):.2f} with weight decay")

fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.6))
left.plot(plain["step"], plain["val"], color="tab:red", label="validation, λ = 0")
left.plot(plain["step"], plain["train"], color="tab:red", ls="--", label="training, λ = 0")
left.plot(decayed["step"], decayed["val"], color="tab:purple", label="validation, λ = 0.01")
left.plot(decayed["step"], decayed["train"], color="tab:purple", ls="--",
          label="training, λ = 0.01")
left.set(xlabel="step", ylabel="MSE", yscale="log", title="losses")
left.legend(fontsize=9)
right.plot(grid, np.sin(grid), "--", color="gray", label="sin(x)")
right.plot(x_train, y_train, "o", color="black", label="training set")
right.plot(grid, predictions(plain["params"][-1]), color="tab:red", label="λ = 0")
right.plot(grid, predictions(decayed["params"][-1]), color="tab:purple", lw=2,
           label="λ = 0.01")
right.set(xlabel="x", ylabel="y", ylim=(-2, 2), title=f"after {plain['step'][-1]} steps")
right.legend(fontsize=9)
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# With weight decay the training loss stays higher (the model can no longer afford the
# large weights that chase the noise), and the validation loss stays low instead of rising.
#
# ## Choosing λ: a small hyperparameter sweep
#
# λ is a **hyperparameter**: a setting of the training, not learned by it. Too small and it
# changes little; too large and the model cannot even fit the pattern. It is chosen the
# way notebook 5 chose η: train with a few values, each 10 times the last, and compare,
# here by the **validation** loss after the 250 steps.
#
# **Predict before you run:** with λ = 1, what will the fitted curve look like, and how will
# its training loss compare with λ = 0's?
#
# <details><summary>Answer</summary>
#
# Nearly flat: every step pulls each weight toward 0 hard, so the network cannot afford the
# weights a sine needs. Its training loss is far higher than λ = 0's, and so is its
# validation loss (the table and the right-hand plot below).
# </details>

# %%
lambdas = [0.0, 0.001, 0.01, 0.1, 1.0]
sweep = {0.0: plain, 0.01: decayed}
for lam in lambdas:
    if lam not in sweep:
        sweep[lam] = train(weight_decay=lam)[1]
print(f"{'λ':>6} {'training MSE':>13} {'validation MSE':>15}")
for lam in lambdas:
    print(f"{lam:6g} {sweep[lam]['train'][-1]:13.4f} {sweep[lam]['val'][-1]:15.4f}")
chosen = min(lambdas, key=lambda lam: sweep[lam]["val"][-1])
print(f"lowest validation loss: λ = {chosen:g}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.6))
shown_at = [lam if lam else 1e-4 for lam in lambdas]          # λ = 0 drawn at 10⁻⁴
left.plot(shown_at, [sweep[lam]["train"][-1] for lam in lambdas], "o--", label="training")
left.plot(shown_at, [sweep[lam]["val"][-1] for lam in lambdas], "o-", label="validation")
left.axhline(0.25 ** 2, color="black", ls="--", lw=1, label="noise floor")
left.set(xscale="log", yscale="log", xlabel="λ (λ = 0 drawn at 10⁻⁴)",
         ylabel="MSE after 250 steps", title="the sweep")
left.legend(fontsize=9)
right.plot(grid, np.sin(grid), "--", color="gray", label="sin(x)")
right.plot(x_train, y_train, "o", color="black", label="training set")
for lam in (0.0, chosen, 1.0):
    right.plot(grid, predictions(sweep[lam]["params"][-1]), lw=2, label=f"λ = {lam:g}")
right.set(xlabel="x", ylabel="y", ylim=(-2, 2), title="three of the fits")
right.legend(fontsize=9)
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Early stopping
#
# The simplest cure needs no change to the loss: watch the validation loss during training
# and keep the parameters of the step where it was lowest. Those were saved above with
# `state_dict()`; `load_state_dict` puts them back into the model.

# %%
model.load_state_dict(plain["params"][best])
print(f"early stopping at step {plain['step'][best]}: "
      f"training loss {mse(model, x_train, y_train):.4f}, "
      f"validation loss {mse(model, x_val, y_val):.4f}")
assert math.isclose(mse(model, x_val, y_val), plain["val"][best])

print()
print(f"{'':28} {'training MSE':>13} {'validation MSE':>15}")
rows = {
    f"trained {plain['step'][-1]} steps, λ = 0": (plain["train"][-1], plain["val"][-1]),
    f"early stopping (step {plain['step'][best]})": (plain["train"][best], plain["val"][best]),
    f"weight decay λ = {chosen:g}": (sweep[chosen]["train"][-1], sweep[chosen]["val"][-1]),
}
for name, (train_loss, val_loss) in rows.items():
    print(f"{name:28} {train_loss:13.4f} {val_loss:15.4f}")

# %% [markdown]
# Both cures give up some training loss to gain validation loss. One caution: once the
# validation set has been used to pick a step or a λ, its loss is a little optimistic, since
# the choice was made to make it low. The **test set**, looked at only once, at the very end,
# gives the honest estimate. Here is that one look, for the model the sweep chose:

# %%
final = nn.MLP(1, [8, 8, 1], activation="tanh")
final.load_state_dict(sweep[chosen]["params"][-1])
print(f"λ = {chosen:g}: validation MSE {mse(final, x_val, y_val):.4f}, "
      f"test MSE {mse(final, x_test, y_test):.4f}")

# %% [markdown]
# Here the test loss happens to come out below the validation loss: with 40 points each, both
# are noisy estimates of the loss on new data. What makes the test number honest is that
# nothing was chosen with it.
#
# ## What to remember
#
# - Judge a model on data it was not trained on: a validation set. Training loss going
#   down while validation loss goes up is overfitting.
# - L2 weight decay adds (λ/2)·Σw² to the loss, which makes the update
#   w ← w − η·(∂L/∂w + λ·w): each weight shrinks by (1 − η·λ) before the usual step.
#   `nn.SGD(weight_decay=λ)` is exactly this.
# - Hyperparameters such as λ (and η, the width, the number of steps) are chosen by trying
#   a few values and comparing validation losses; the test set is looked at once, last.
# - Early stopping keeps the parameters from the step with the lowest validation loss.
#
# Previous: [8 · Second derivatives](08_newton_and_second_derivatives.ipynb) ·
# Next: [10 · Several classes](10_several_classes.ipynb).
