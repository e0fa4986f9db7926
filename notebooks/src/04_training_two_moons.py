# %% [markdown]
# # 4 · Training a network on two moons
#
# Notebook 3 took one gradient step on one sample. Training repeats such steps over the
# whole data set, many times, until the network separates the two classes. This notebook
# writes the training loop out and watches it work.
#
# In this notebook:
# 1. **mini-batches**: which samples each step looks at, as `nn.batches` deals them out;
# 2. the gradient of a mini-batch is the **mean** of its samples' gradients, shown on one
#    weight;
# 3. the training loop, written out, on `MLP(2, [8, 8, 1])`;
# 4. the training replayed: the network, the decision boundary and the loss, epoch by
#    epoch; boundaries side by side; a few weights over time.
#
# The loss is notebook 3's: binary cross-entropy on the logit z (the output neuron's
# weighted sum), labels 0 and 1, p = σ(z) the probability of class 1.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.colors import LinearSegmentedColormap
from sklearn.datasets import make_moons

import nn
from engine import no_grad
from nn.viz.palette import NEGATIVE, NEUTRAL, POSITIVE, class_color, class_name

# p = σ(z) from 0 (orange, class 0) through ½ (white) to 1 (blue, class 1): the palette's
# colours, so that shading and points agree.
P_COLOURS = LinearSegmentedColormap.from_list("p", [NEGATIVE, NEUTRAL, POSITIVE])

# %% [markdown]
# ## The data
#
# Notebook 3's 100 points: two interleaved half-moons, labels y = 0 and y = 1.

# %%
X_np, labels = make_moons(n_samples=100, noise=0.1, random_state=1)
X = X_np.tolist()
y = [float(label) for label in labels]


def scatter(ax, size=30, legend=True):
    """The samples, each class in its colour."""
    for k in (0, 1):
        points = X_np[labels == k]
        ax.scatter(points[:, 0], points[:, 1], color=class_color(k), edgecolors="black",
                   s=size, label=class_name(k))
    if legend:
        ax.legend(loc="lower left", fontsize=9)


fig, ax = plt.subplots(figsize=(5.5, 3.6))
scatter(ax)
ax.set(xlabel="x₁", ylabel="x₂", title="two moons: 100 samples")
plt.show()

# %% [markdown]
# ## Mini-batches
#
# One **epoch** is one pass over all the samples. Rather than one step per epoch on the mean
# loss of all 100 samples, the usual loop takes a step after every **mini-batch** of a few
# samples (10 here), so an epoch makes 10 steps. The batches are drawn in a shuffled order,
# a new one each epoch, so that no step always sees the same neighbours. `nn.batches(n,
# batch_size, seed=...)` deals out the indices 0 … n − 1; here is one epoch of them:

# %%
epoch_batches = nn.batches(len(X), batch_size=10, seed=0)
for k, batch in enumerate(epoch_batches, start=1):
    print(f"step {k:2}: samples {batch}")
every = sorted(i for batch in epoch_batches for i in batch)
assert every == list(range(len(X)))
print(f"{len(epoch_batches)} batches; every sample exactly once: {every == list(range(100))}")

# %% [markdown]
# Every index appears exactly once per epoch, in an order that `seed` fixes (another seed,
# another order). Notebook 5 compares this with one step per epoch (batch gradient descent)
# and one step per sample (stochastic gradient descent).
#
# ## The gradient of a batch is a mean
#
# The loss of a batch of b samples is the mean of their losses, L = (1/b) Σᵢ Lᵢ. The
# derivative of a sum is the sum of the derivatives, so for every weight
#
# ∂L/∂w = (1/b) Σᵢ ∂Lᵢ/∂w:
#
# the batch's gradient is the mean of the samples' gradients. Each sample votes for a
# direction, and the step follows the average vote. Here it is on one weight of the network
# trained below (out1's weight from h2.1, `layers.2.neurons.0.w.0`) and the first three
# samples of the first batch: first each sample's loss alone, backpropagated on its own, then
# the three together.
#
# **Predict before you run:** if the three samples' gradients are g₁, g₂, g₃, what will
# `.grad` hold after `backward()` on the batch's mean loss?
#
# <details><summary>Answer</summary>
#
# (g₁ + g₂ + g₃)/3, exactly (up to rounding in the last digit).
# </details>

# %%
model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
params = dict(model.named_parameters())
w = params["layers.2.neurons.0.w.0"]
three = epoch_batches[0][:3]

per_sample = []
for i in three:
    model.zero_grad()
    nn.binary_cross_entropy_with_logits([model(X[i])], [y[i]]).backward()
    per_sample.append(w.grad)
    print(f"sample {i:2} alone (label {y[i]:.0f}): ∂Lᵢ/∂w = {w.grad: .6f}")
mean = sum(per_sample) / len(per_sample)
print(f"their mean:                   {mean: .6f}")

model.zero_grad()
batch_loss = nn.binary_cross_entropy_with_logits([model(X[i]) for i in three],
                                                 [y[i] for i in three])
batch_loss.backward()
print(f"batch of the three, w.grad:   {w.grad: .6f}")
assert math.isclose(w.grad, mean, rel_tol=1e-12)
model.zero_grad()

# %% [markdown]
# The samples disagree (their gradients differ in size, and can differ in sign); the batch
# follows their mean. With 10 samples per batch the mean is a better estimate of the
# gradient over all the data than one sample's, and cheaper than all 100.
#
# ## The training loop
#
# The network: `MLP(2, [8, 8, 1], activation="tanh")`, two hidden layers of 8 tanh neurons,
# (2 + 1)·8 + (8 + 1)·8 + (8 + 1)·1 = 105 parameters. For each mini-batch:
#
# 1. forward: the logits of the batch's samples, and their mean loss L;
# 2. `optimizer.zero_grad()`: clear the gradients left by the previous step
#    (`backward()` adds to `.grad`);
# 3. `loss.backward()`: ∂L/∂w for every weight and bias, by the chain rule;
# 4. `optimizer.step()`: w ← w − η·∂L/∂w for every parameter (plain SGD, η = 0.5).
#
# After each epoch, the loss and accuracy on all the data are measured (inside `no_grad()`:
# measuring needs no graph), and a copy of all parameters (`state_dict()`) is kept to look
# at later. A `nn.TrainingView` records the same numbers with `view.record(...)`, with a copy
# of the weights, to replay the training below (`live=False`: record only, draw later).

# %%
def evaluate(model):
    """Loss and accuracy on all the data, without recording a graph."""
    with no_grad():
        logits = [model(x) for x in X]
        loss = nn.binary_cross_entropy_with_logits(logits, y).data
    accuracy = sum((z.data > 0) == (t == 1.0) for z, t in zip(logits, y)) / len(y)
    return loss, accuracy


print("parameters:", len(model.parameters()))
optimizer = nn.SGD(model.parameters(), lr=0.5)
epochs = 30
loss0, acc0 = evaluate(model)
history = {"loss": [loss0], "accuracy": [acc0]}
snapshots = [model.state_dict()]                  # the parameters after each epoch
view = nn.TrainingView(model, X, y, live=False)
steps = 0

for epoch in range(epochs):
    for batch in nn.batches(len(X), batch_size=10, seed=epoch):
        loss = nn.binary_cross_entropy_with_logits([model(X[i]) for i in batch],
                                                   [y[i] for i in batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        steps += 1
    loss_all, acc_all = evaluate(model)
    history["loss"].append(loss_all)
    history["accuracy"].append(acc_all)
    snapshots.append(model.state_dict())
    view.record(loss_all, epoch=epoch + 1, step=steps, accuracy=acc_all, lr=0.5)
    if epoch % 10 == 9 or epoch == 0:
        print(f"epoch {epoch + 1:2}: loss {loss_all:.4f}, accuracy {acc_all:.0%}")
print(f"before training: loss {loss0:.4f}, accuracy {acc0:.0%};  {steps} steps in all")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
left.semilogy(history["loss"], "o-", ms=3)
left.set(xlabel="epoch", ylabel="loss on all samples (log scale)",
         title="binary cross-entropy")
right.plot([100 * a for a in history["accuracy"]], "o-", ms=3, color="tab:green")
right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy", ylim=(40, 102))
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Watch it learn
#
# The recorded training, replayed: 11 frames evenly spaced over the 30 epochs, each drawn
# from the weights copied at the end of its epoch, with that epoch's loss and accuracy (the
# `assert` checks they are the numbers of the history above). On the left the network:
# each line is a weight, as thick as |w|, blue for w > 0 and orange for w < 0; each square
# is one neuron's output over the plane of inputs (blue positive, orange negative). On the
# right the decision boundary (blue: class 1, orange: class 0) and the curves so far.
# Press ▶ play, or step through with the buttons and the slider.

# %%
assert view.losses == history["loss"][1:] and view.accuracies == history["accuracy"][1:]
HTML(view.to_html(frames=11, fps=2, colors=32))          # 32 colours: a smaller page

# %% [markdown]
# Where the output cannot run JavaScript (a code host, for one), the replay shows its first
# frame only. The same training as an animated picture (all 30 epochs), which shows
# everywhere, written by the next cell:
#
# ![An MLP learning the two moons: the network, the decision boundary and the loss, epoch by epoch](images/moons_training.gif)

# %%
gif = view.save_gif("images/moons_training.gif", frames=None, fps=5, hold=2.5, colors=32)
print(f"{gif}: {len(view.frames)} frames, {gif.stat().st_size / 1000:.0f} kB")

# %% [markdown]
# ## Learning over time
#
# The network after epochs 0 (the random start), 2, 5, 10 and 30, each drawn from its saved
# parameters: the shading is p = σ(z) (blue toward class 1, orange toward class 0), the black
# line the boundary p = ½.

# %%
def probabilities(model, xs, ys):
    """p = σ(z) on a grid of points (rows: ys, columns: xs)."""
    with no_grad():
        return np.array([[model([a, b]).sigmoid().data for a in xs] for b in ys])


grid_x, grid_y = np.linspace(-1.6, 2.6, 43), np.linspace(-1.1, 1.6, 28)
shown = [0, 2, 5, 10, epochs]
viewer = nn.MLP(2, [8, 8, 1], activation="tanh")          # a copy to load snapshots into
# five panels side by side are shown at about 2/3 of their size: larger type keeps them legible
plt.rcParams["font.size"] = 13
fig, axes = plt.subplots(1, len(shown), figsize=(13, 3.1), sharey=True)
for ax, epoch in zip(axes, shown):
    viewer.load_state_dict(snapshots[epoch])
    P = probabilities(viewer, grid_x, grid_y)
    ax.contourf(grid_x, grid_y, P, levels=np.linspace(0, 1, 11), cmap=P_COLOURS, alpha=0.7)
    ax.contour(grid_x, grid_y, P, levels=[0.5], colors="black", linewidths=1.5)
    scatter(ax, size=12, legend=False)
    ax.set(title=f"epoch {epoch}: {history['accuracy'][epoch]:.0%} right", xlabel="x₁")
axes[0].set(ylabel="x₂")
plt.tight_layout()
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=2,
           bbox_to_anchor=(0.5, 1.0))
plt.show()
plt.rcParams["font.size"] = 10                          # back to the default

# %% [markdown]
# At the start the boundary is a gentle curve set by the random weights: it classifies
# about two thirds of the samples right (the first panel's title) without having seen any of
# them. Within a few epochs it separates the bulk of the two moons; the later epochs bend it
# around the tips, where the classes interleave.
#
# What changed are the weights and biases. A few of them, epoch by epoch, named as
# notebook 3's text names them (hidden neuron k of layer l is hl.k, counting from 1; the
# output neuron out1): out1's bias and its weights from h2.1 and h2.2, and h1.1's two input
# weights and its bias. The drawings name the same neurons from the model, counting from 0:
# h1.1 is `layers.0.neurons.0`, out1 here `layers.2.neurons.0`.

# %%
def short(name):
    """'layers.2.neurons.0.w.1' → 'w(h2.2→out1)': the model's name in notebook 3's words."""
    parts = name.split(".")
    layer, neuron = int(parts[1]), int(parts[3])
    last = len(model.layers) - 1
    node = f"out{neuron + 1}" if layer == last else f"h{layer + 1}.{neuron + 1}"
    if parts[4] == "b":
        return f"b({node})"
    source = f"x{int(parts[5]) + 1}" if layer == 0 else f"h{layer}.{int(parts[5]) + 1}"
    return f"w({source}→{node})"


followed = ["layers.2.neurons.0.b", "layers.2.neurons.0.w.0", "layers.2.neurons.0.w.1",
            "layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
print("epoch " + " ".join(f"{short(name):>12}" for name in followed))
for epoch in [0, 1, 2, 3, 5, 10, 20, 30]:
    print(f"{epoch:5} " + " ".join(f"{snapshots[epoch][name]:12.4g}" for name in followed))

fig, ax = plt.subplots(figsize=(8, 3.4))
for name in followed:
    ax.plot([snap[name] for snap in snapshots], label=short(name))
ax.set(xlabel="epoch", ylabel="value", title="a few parameters after each epoch")
ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.0, 0.5))
ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# Each step moves every parameter by −η times its gradient, and each gradient is made of
# error signals p − y. The largest changes per epoch come first, while those errors are
# large; later the parameters drift more slowly, and some (such as out1's weight from h2.1)
# keep growing, which makes the logits larger and the probabilities more confident.
#
# **Predict, then run.** The loop above used η = 0.5. What do you expect after 30 epochs
# with η = 0.05, ten times smaller: about the same, or clearly worse? Change `lr` in the
# loop and run it again (and the cells after it).
#
# <details><summary>What happens</summary>
#
# With η = 0.05 every step is ten times shorter: after 30 epochs the loss is still high and
# the boundary has not yet bent around the moons' tips. Notebook 5 shows the learning rate's
# effect on this network side by side, from too small to too large.
# </details>
#
# ## The decision boundary after training

# %% tags=["image:moons_boundary"]
xs, ys = np.linspace(-1.6, 2.6, 84), np.linspace(-1.1, 1.6, 54)
P = probabilities(model, xs, ys)
fig, ax = plt.subplots(figsize=(7, 4.4))
shade = ax.contourf(xs, ys, P, levels=np.linspace(0, 1, 21), cmap=P_COLOURS, alpha=0.75)
ax.contour(xs, ys, P, levels=[0.5], colors="black", linewidths=2)
scatter(ax)
fig.colorbar(shade, ax=ax, label="p = σ(z), the probability of class 1")
ax.set(xlabel="x₁", ylabel="x₂",
       title=f"MLP(2, [8, 8, 1]) after {epochs} epochs: "
             f"accuracy {history['accuracy'][-1]:.0%}")
plt.show()

# %% [markdown]
# With tanh neurons the boundary is a smooth curve. The loss never reaches zero: every
# sample still has p − y ≠ 0 (σ(z) only reaches 0 or 1 as z → ∓∞), so every sample keeps
# contributing a small gradient that pushes its own logit further from the boundary.
#
# ## What to remember
#
# - An epoch is one pass over the data; `nn.batches` deals it out in shuffled mini-batches,
#   every sample once.
# - The loss of a batch is the mean of its samples' losses, so its gradient is the mean of
#   their gradients, ∂L/∂w = (1/b) Σᵢ ∂Lᵢ/∂w.
# - Training repeats forward, `zero_grad()`, `backward()`, `step()` over the mini-batches,
#   for several epochs; plain SGD's step is w ← w − η·∂L/∂w.
# - Evaluate with `no_grad()`: prediction needs no graph.
#
# Previous: [3 · A network, by hand](03_network_by_hand.ipynb) ·
# Next: [5 · Batches, the learning rate, and when to stop](05_batches_and_learning_rate.ipynb).
