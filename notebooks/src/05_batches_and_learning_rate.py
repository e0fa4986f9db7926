# %% [markdown]
# # 5 · Batches, the learning rate, and when to stop
#
# Every training loop repeats w ← w − η · ∂L/∂w. This notebook varies the pieces of that
# line on notebook 4's network and data, and looks at what changes:
#
# 1. **which samples** make up L at each step: all of them (batch), one (stochastic), or a
#    few (mini-batch), and how noisy each step's gradient is;
# 2. **the learning rate η**: on a straight-line fit, where the limit can be computed, and on
#    the network;
# 3. **when to stop**.
#
# Notebook 6 then changes the update rule itself (momentum, Adam) and looks at the shape of
# the loss. Everything is seeded: every number below comes out the same on every run.
#
# A word on names: *stochastic* gradient descent means one sample per step. The optimizer
# `nn.SGD` (named after PyTorch's `torch.optim.SGD`) only applies the update
# w ← w − η·∂L/∂w; it works the same whatever the batch size, so it does batch, mini-batch
# and stochastic gradient descent alike.

# %%
import math
import random

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons

import nn
from engine import hessian, no_grad

# %% [markdown]
# ## 1. Batch, mini-batch and stochastic gradient descent
#
# Notebook 4's problem: 100 points of two moons, `MLP(2, [8, 8, 1], activation="tanh")`,
# binary cross-entropy on the logit, `nn.SGD` with η = 0.5. One **epoch** is one pass over
# the 100 samples; how they are grouped decides how many **steps** (updates) an epoch makes:
#
# | variant | samples per step | steps per epoch |
# |---|---|---|
# | batch | all 100 | 1 |
# | mini-batch | 10 | 10 |
# | stochastic | 1 | 100 |
#
# All three start from the same initial weights, for 20 epochs; after every epoch the loss
# on all samples is measured, and every step's own batch loss is kept too.

# %%
X_np, labels = make_moons(n_samples=100, noise=0.1, random_state=1)
X = X_np.tolist()
y = [float(label) for label in labels]


def full_loss(model):
    """The loss on all 100 samples, without recording a graph."""
    with no_grad():
        return nn.binary_cross_entropy_with_logits([model(x) for x in X], y).data


def train(batch_size, epochs=20, lr=0.5):
    """Train a fresh copy of notebook 4's network; the loss per epoch and per step."""
    model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
    optimizer = nn.SGD(model.parameters(), lr=lr)
    per_epoch, per_step = [full_loss(model)], []
    for epoch in range(epochs):
        for batch in nn.batches(len(X), batch_size, seed=epoch):
            loss = nn.binary_cross_entropy_with_logits([model(X[i]) for i in batch],
                                                       [y[i] for i in batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            per_step.append(loss.data)
        per_epoch.append(full_loss(model))
    return {"epoch": per_epoch, "step": per_step}


variants = {"batch (100)": None, "mini-batch (10)": 10, "stochastic (1)": 1}
runs = {name: train(size) for name, size in variants.items()}

def rises(curve):
    """In how many epochs the loss went up, and the largest rise."""
    ups = [b - a for a, b in zip(curve, curve[1:]) if b > a]
    return len(ups), max(ups, default=0.0)


print(f"{'variant':16} {'steps':>6} {'loss after 20 epochs':>21} {'epochs it rose':>15} "
      f"{'largest rise':>13}")
for name, run in runs.items():
    count, largest = rises(run["epoch"])
    print(f"{name:16} {len(run['step']):6} {run['epoch'][-1]:21.4f} {count:15} {largest:13.4f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.8))
colours = {"batch (100)": "tab:blue", "mini-batch (10)": "tab:purple",
           "stochastic (1)": "tab:green"}
for name, run in runs.items():
    left.plot(run["epoch"], "o-", ms=3, color=colours[name], label=name)
shown_epochs = 3
for name, run in runs.items():
    per_epoch = len(run["step"]) // 20
    steps = run["step"][:shown_epochs * per_epoch]
    where = [(k + 1) / per_epoch for k in range(len(steps))]
    right.plot(where, steps, "o" if per_epoch > 10 else "o-", ms=3 if per_epoch > 10 else 5,
               alpha=0.45 if per_epoch > 10 else 1.0, color=colours[name], label=name)
left.set(xlabel="epoch", ylabel="loss on all samples",
         title="per epoch: same work, different progress")
right.set(xlabel="epoch", ylabel="loss of the step's own batch",
          title=f"every step of the first {shown_epochs} epochs", ylim=(0, 2.5))
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# What to see:
#
# - Per epoch, each variant computes the same number of per-sample gradients (100), so the
#   work per epoch is about the same. Batch gradient descent makes one careful step per
#   epoch and, with this η, moves slowly in 20 epochs; mini-batch and stochastic make 10×
#   and 100× more steps from the same work, and get further.
# - The price is **noise** (right): a step follows its own batch's gradient, not the
#   average over all the data. One sample's loss jumps between near 0 (a sample already
#   right) and well above 1 (one on the wrong side), and so do the directions of the steps.
#   On all samples (left, and the last columns of the table), the stochastic run's loss
#   rises again in more epochs than the mini-batch run's, and by far more; batch gradient
#   descent's never rises.
#
# ### How noisy is a batch's gradient?
#
# Freeze the weights at their start and compute, for one weight (out1's weight from h2.1),
# the gradient of every batch at three batch sizes: each sample alone (100 batches), 100
# batches of 10 (ten epochs' worth, ten shuffles) and the whole data set. The batches of an
# epoch cover every sample once, so their gradients average to exactly the gradient over
# all the data (notebook 4: a batch's gradient is the mean of its samples'). How far one
# batch's gradient lies from that average is the noise of a step:

# %%
probe = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
weight = dict(probe.named_parameters())["layers.2.neurons.0.w.0"]


def batch_gradients(batch_size, epochs=1):
    """∂L/∂w of the chosen weight for each batch of some epochs, at the starting weights."""
    found = []
    for epoch in range(epochs):
        for batch in nn.batches(len(X), batch_size, seed=epoch):
            probe.zero_grad()
            nn.binary_cross_entropy_with_logits([probe(X[i]) for i in batch],
                                                [y[i] for i in batch]).backward()
            found.append(weight.grad)
    return found


grads = {1: batch_gradients(1), 10: batch_gradients(10, epochs=10), 100: batch_gradients(100)}
full = grads[100][0]
print(f"{'batch size':>10} {'batches':>8} {'mean of their gradients':>24} {'spread (std)':>13}")
for size, values in grads.items():
    print(f"{size:10} {len(values):8} {np.mean(values):24.6f} {np.std(values):13.4f}")
    assert math.isclose(np.mean(values), full, rel_tol=1e-9)
ratio = np.std(grads[1]) / np.std(grads[10])
print(f"spread of single samples / spread of batches of 10 = {ratio:.2f}  (√10 = {10 ** .5:.2f})")

fig, ax = plt.subplots(figsize=(7.5, 2.4))
for row, size in enumerate((1, 10, 100)):
    ax.plot(grads[size], [row] * len(grads[size]), "o", ms=5, alpha=0.5, color="tab:purple")
ax.axvline(full, color="black", lw=1, label="the gradient over all 100 samples")
ax.set(yticks=[0, 1, 2], yticklabels=["1 sample", "10 samples", "all 100"],
       xlabel="∂L/∂w of one weight, one dot per batch", ylim=(-0.6, 2.6))
ax.legend(loc="upper left", fontsize=9)
ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# The mean of b samples' gradients scatters about √b times less than a single sample's
# (somewhat more than √b here: an epoch draws its batches without replacement from only 100
# samples, and 100 batches measure a spread only roughly), so mini-batches of 10 already
# steer far more steadily than single samples.
#
# **Why mini-batches, then, and not always all the data?** Two reasons. A mini-batch step
# costs b samples' work, not n, so many more steps fit in the same time while their
# direction stays good. And on real hardware a batch is computed as **one** array operation:
# the b samples of a layer become one matrix product, which vector units and GPUs do nearly
# as fast as a single sample. Notebook 12 measures it: the same network in PyTorch, one
# sample at a time against the whole batch at once. (stepgrad computes every number on its
# own, so here a batch of b costs b times one sample.)
#
# **Your turn.** With `batch_size=7`, how many steps does one epoch of these 100 samples make,
# and how many samples are in the last batch? Work it out, then run the cell.
#
# <details><summary>Answer</summary>
#
# 100 = 14 · 7 + 2: fifteen steps, fourteen of 7 samples and a last one of 2.
# </details>

# %%
sevens = nn.batches(len(X), batch_size=7, seed=0)
print(f"{len(sevens)} batches, sizes {[len(batch) for batch in sevens]}")

# %% [markdown]
# ## 2. The learning rate on a straight line
#
# Fit a straight line ŷ = w·x + b to 30 noisy points of y = 2x + 1 with the mean squared
# error, by batch gradient descent, with four learning rates. A single linear neuron,
# `nn.Neuron(1, activation="linear")`, is exactly ŷ = w·x + b.

# %%
rng = random.Random(0)
xs_line = [rng.uniform(-1, 1) for _ in range(30)]
ys_line = [2 * x + 1 + rng.gauss(0, 0.2) for x in xs_line]


def fit_line(lr, steps=25):
    """Batch gradient descent on the line's MSE from (w, b) = (−1, −1)."""
    line = nn.Neuron(1, activation="linear", seed=0)
    line.w[0].data, line.b.data = -1.0, -1.0          # the same start for every η
    optimizer = nn.SGD(line.parameters(), lr=lr)
    path, losses = [], []
    for _ in range(steps + 1):
        path.append((line.w[0].data, line.b.data))
        loss = nn.mse_loss([line([x]) for x in xs_line], ys_line)
        losses.append(loss.data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return path, losses


rates = {0.05: "too small", 0.5: "good", 0.85: "large: zig-zags", 1.0: "too large: diverges"}
results = {lr: fit_line(lr) for lr in rates}
for lr, (path, losses) in results.items():
    w, b = path[-1]
    print(f"η = {lr:<4} ({rates[lr]}): after 25 steps w = {w:.3f}, b = {b:.3f}, "
          f"MSE = {losses[-1]:.4g}")

# %%
W, B = np.meshgrid(np.linspace(-1.5, 4.5, 200), np.linspace(-1.5, 3.0, 200))
xa, ya = np.array(xs_line), np.array(ys_line)
MSE = ((W[..., None] * xa + B[..., None] - ya) ** 2).mean(axis=-1)

fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 4.2))
left.contour(W, B, MSE, levels=np.logspace(-1.3, 1.3, 10), cmap="Greys", linewidths=0.8)
for lr, (path, losses) in results.items():
    ws, bs = zip(*path[:8])
    left.plot(ws, bs, "o-", ms=3, lw=1, label=f"η = {lr} ({rates[lr]})")
    right.semilogy(losses, "o-", ms=2.5, label=f"η = {lr}")
left.plot([2], [1], "*", ms=12, color="black")
left.set(xlim=(-1.5, 4.5), ylim=(-1.5, 3.0), xlabel="w", ylabel="b", aspect="equal",
         title="first 8 steps from (−1, −1); ★ = y = 2x + 1")
left.legend(fontsize=9, loc="upper left")
right.set(xlabel="step", ylabel="MSE (log scale)", title="loss per step")
right.legend(fontsize=9)
right.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# Why 1.0 diverges and 0.85 does not: the loss is a bowl whose steepest curvature (the
# second derivative along the steepest direction, the largest eigenvalue of the Hessian) is
# κ = 2.13 here, as computed below, and a gradient step multiplies the distance to the
# minimum along that direction by (1 − η·κ). For η·κ < 2 that factor is smaller than 1 in
# size and the steps converge, with a sign flip (a zig-zag) when η·κ > 1; beyond 2, each
# step overshoots further than the last. Check κ with stepgrad's Hessian (for this loss it
# is the same at every point), and the factor for each η:

# %%
def line_mse(w, b):
    return nn.mse_loss([w * x + b for x in xs_line], ys_line)


H = hessian(line_mse, [0.0, 0.0])
curvatures = np.linalg.eigvalsh(np.array(H))
kappa = curvatures.max()
print("Hessian of the MSE in (w, b):", np.round(H, 3).tolist())
print(f"curvatures: {curvatures.round(3).tolist()};  gradient descent converges for "
      f"η < 2/κ = {2 / kappa:.3f}")
for lr in rates:
    print(f"η = {lr:<4}: 1 − η·κ = {1 - lr * kappa:+.3f}")
assert f"{kappa:.2f}" == "2.13"                      # the value quoted in the text above

# %% [markdown]
# So η = 0.5 is "good" with a small zig-zag of its own (1 − η·κ = −0.067: the flip is
# there, but each step keeps only 7% of the distance), η = 0.85 zig-zags visibly (−0.81), and
# η = 1.0 grows by 1.13 per step.
#
# **Predict, then run.** η = 0.95 is only a little above 0.938 = 2/κ. After 25 steps, will
# the fit be close to w = 2, b = 1, far off, or somewhere in between?
#
# <details><summary>Answer</summary>
#
# The factor 1 − η·κ is a little below −1: each step along the steep direction overshoots
# a little more than the last. That is slow growth: after 25 steps the fit is off and
# getting worse, but has not exploded yet. The next cell prints the factor, how much it
# grows the error in 25 steps, and the losses.
# </details>

# %%
path, losses = fit_line(0.95)
factor = 1 - 0.95 * kappa
print(f"η = 0.95: 1 − η·κ = {factor:+.4f}; |1 − η·κ|²⁵ = {abs(factor) ** 25:.2f}")
print("MSE at steps 0, 5, 15, 25: " + ", ".join(f"{losses[k]:.4g}" for k in (0, 5, 15, 25))
      + f";  after 25 steps w = {path[-1][0]:.3f}, b = {path[-1][1]:.3f}")

# %% [markdown]
# ## 3. The learning rate on the network
#
# A network's loss has no single curvature: it changes from place to place, and the
# surface is not a bowl (notebook 6). The effect of η is the same in kind, though. Notebook
# 4's training (mini-batches of 10) with four learning rates, 30 epochs each:

# %%
def train_with(lr, epochs=30):
    model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
    optimizer = nn.SGD(model.parameters(), lr=lr)
    curve = [full_loss(model)]
    for epoch in range(epochs):
        for batch in nn.batches(len(X), 10, seed=epoch):
            loss = nn.binary_cross_entropy_with_logits([model(X[i]) for i in batch],
                                                       [y[i] for i in batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        curve.append(full_loss(model))
    return curve


network_rates = [0.05, 0.5, 2.0, 5.0]
curves = {lr: train_with(lr) for lr in network_rates}
for lr, curve in curves.items():
    count, largest = rises(curve)
    print(f"η = {lr:<4}: loss after epochs 5, 10, 30: {curve[5]:.3f}, {curve[10]:.3f}, "
          f"{curve[30]:.3f};  highest {max(curve):.3f};  rose in {count} epochs, "
          f"at most by {largest:.3f}")

fig, ax = plt.subplots(figsize=(6.5, 3.6))
for lr, curve in curves.items():
    ax.semilogy(curve, "o-", ms=3, label=f"η = {lr}")
ax.set(xlabel="epoch", ylabel="loss on all samples (log scale)",
       title="MLP(2, [8, 8, 1]) on two moons, four learning rates")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# η = 0.05 crawls (its loss never rises, and hardly falls after the first epochs); η = 0.5
# (notebook 4's) falls with small setbacks; η = 2 gets furthest in 30 epochs but with larger
# jumps on the way; η = 5 throws the loss far above where it started (its highest) and
# never settles. There is no formula for the best η of a network: it is found by trying a
# few values, each about 3 to 10 times apart, and comparing their losses (a hyperparameter
# sweep; notebook 9 does one for the weight decay, judged on held-out data).
#
# ## 4. When to stop
#
# A training loop needs a rule to end it. Three common ones:
#
# - **a fixed budget**: a number of epochs (what the loops so far did); always keep one as a
#   backstop;
# - **the gradient is (nearly) zero**: at a minimum ∂L/∂w = 0 for every weight, so stop when
#   the gradient's length |∇L| = √(Σ (∂L/∂w)²) falls below a tolerance;
# - **no more progress on held-out data**: stop when the validation loss has not improved
#   for a few epochs (early stopping, notebook 9), which also guards against overfitting.
#
# The second rule on the line fit, with η = 0.5 and a tolerance of 10⁻⁶, compared with the
# exact least-squares line (NumPy's `lstsq`):

# %%
line = nn.Neuron(1, activation="linear", seed=0)
line.w[0].data, line.b.data = -1.0, -1.0
optimizer = nn.SGD(line.parameters(), lr=0.5)
tolerance, budget = 1e-6, 1000
for step in range(1, budget + 1):
    loss = nn.mse_loss([line([x]) for x in xs_line], ys_line)
    optimizer.zero_grad()
    loss.backward()
    gradient_length = math.sqrt(sum(p.grad ** 2 for p in line.parameters()))
    if gradient_length < tolerance:
        break
    optimizer.step()
exact = np.linalg.lstsq(np.c_[xa, np.ones_like(xa)], ya, rcond=None)[0]
print(f"stopped at step {step}: |∇L| = {gradient_length:.1e} < {tolerance:g}")
print(f"w = {line.w[0].data:.8f}, b = {line.b.data:.8f}")
print(f"least squares: w = {exact[0]:.8f}, b = {exact[1]:.8f}")
assert step < budget and abs(line.w[0].data - exact[0]) < 1e-5

# %% [markdown]
# On a network the gradient rarely becomes that small in a useful time (the noise of
# mini-batches alone keeps it from zero), so in practice the budget and early stopping on
# validation loss are the rules used.
#
# ## What to remember
#
# - Batch, mini-batch and stochastic gradient descent do the same work per epoch; smaller
#   batches take more steps, each noisier: a batch's gradient is the mean of b samples' and
#   scatters about √b times less than one sample's. Mini-batches are the usual compromise,
#   and on vector hardware a batch costs about as much as one sample.
# - On a bowl of steepest curvature κ, gradient descent converges for η < 2/κ and zig-zags
#   above 1/κ; on a network too small an η crawls and too large a one makes the loss jump.
#   The best η is found by trying a few.
# - Stop on a budget, on a vanishing gradient, or when validation loss stops improving.
#
# Previous: [4 · Training a network on two moons](04_training_two_moons.ipynb) ·
# Next: [6 · Momentum, Adam, and the shape of the loss](06_momentum_adam_and_nonconvexity.ipynb).
