# %% [markdown]
# # 3 · Training an MLP on two moons
#
# Notebook 2 trained one neuron. Now stack neurons into layers: a **multi-layer
# perceptron** (MLP). Each neuron still computes z = Σ wᵢxᵢ + b and a = f(z), and each
# layer feeds its activations to the next. Trained with gradient descent, it learns to
# separate two interleaved half-moons, which no straight line can do.
#
# In this notebook:
# 1. the data set, with labels 0 and 1;
# 2. a tiny network `MLP(2, [3, 1])` with every number drawn: the forward pass layer by
#    layer, the loss, the error signals δ and every ∂L/∂w, checked by hand, and one
#    gradient step that changes the weights;
# 3. the training loop on a bigger network, written out;
# 4. how the network changes over the epochs: decision boundaries side by side, and a few
#    weights and biases epoch by epoch.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from sklearn.datasets import make_moons

import nn
from engine import no_grad

# %% [markdown]
# ## The data: two moons
#
# 100 points in the plane, in two classes with labels y = 0 and y = 1. `random_state`
# fixes the noise, so every run sees the same points.

# %%
X_np, labels = make_moons(n_samples=100, noise=0.1, random_state=1)
X = X_np.tolist()                                   # plain lists of floats
y = [float(label) for label in labels]              # 0.0 or 1.0

fig, ax = plt.subplots(figsize=(5.5, 3.8))
ax.scatter(X_np[:, 0], X_np[:, 1], c=y, cmap="coolwarm", edgecolors="black", s=30)
ax.set(xlabel="x₁", ylabel="x₂", title="two moons: y = 1 (red), y = 0 (blue)")
plt.show()

# %% [markdown]
# ## The output and the loss: binary cross-entropy on the logit
#
# The network's last neuron is linear: its output s is a **logit**, any real number. The
# probability it gives to class 1 is p = σ(s) = 1/(1 + e⁻ˢ), so s > 0 means "class 1 is
# more likely". The loss of one sample is the **binary cross-entropy** (log loss)
#
# L = −[y·log p + (1 − y)·log(1 − p)],
#
# the negative log of the probability given to the right class. `nn.binary_cross_entropy_with_logits(s, y)`
# takes the logits s (it applies σ itself, in a way that cannot overflow) and returns the
# mean over the samples. Its gradient is the reason to use it: for one sample,
#
# ∂L/∂s = p − y,
#
# the predicted probability minus the label. This is the error signal δ of the output
# neuron.

# %%
def bce(logit, target):
    """The loss of one sample: binary cross-entropy on its logit."""
    return nn.binary_cross_entropy_with_logits([logit], [target])


# %% [markdown]
# ## A tiny network, every number drawn
#
# `MLP(2, [3, 1], activation="tanh")`: two inputs, one hidden layer of three tanh neurons
# h1.1, h1.2, h1.3, and one linear output neuron. That is (2 + 1)·3 + (3 + 1)·1 = 13
# parameters, few enough to draw with all their numbers. `seed` fixes the random initial
# weights (uniform in (−1, 1); biases start at 0).
#
# `nn.draw_model` runs the model on one sample, backpropagates the loss, and draws the
# network: each neuron shows z = Σ wᵢxᵢ + b, its activation a, its bias b, its error
# signal δ = ∂L/∂z and ∂L/∂b; each connection shows its weight w and ∂L/∂w. Every number
# is read from the real Value graph (and the model's own `.grad` is left alone).

# %%
tiny = nn.MLP(2, [3, 1], activation="tanh", seed=3)
x0, y0 = X[0], y[0]
print(f"sample 0: x = ({x0[0]:.4g}, {x0[1]:.4g}), y = {y0:.0f}")


def draw(model):
    """The network on sample 0 after backpropagating its loss, sized for a narrow page."""
    drawing = nn.draw_model(model, x0, target=y0, loss_fn=bce)
    drawing.attr(size="8.6,9", ranksep="1.1")        # at most 8.6 inches (≈ 830 px) wide
    return drawing


draw(tiny)

# %% [markdown]
# ### Forward, layer by layer
#
# Read the picture from left to right. Each hidden neuron forms its weighted sum of the
# inputs plus its bias, then applies tanh; the output neuron does the same with the three
# hidden activations as its inputs, and no activation (it is linear). By hand, with the
# weights read off the model:

# %%
hidden, output = tiny.layers[0].neurons, tiny.layers[1].neurons[0]
z_hidden = [sum(w.data * xi for w, xi in zip(n.w, x0)) + n.b.data for n in hidden]
a_hidden = [math.tanh(z) for z in z_hidden]
for k, (n, z, a) in enumerate(zip(hidden, z_hidden, a_hidden), start=1):
    terms = " + ".join(f"({w.data:.4g})·({xi:.4g})" for w, xi in zip(n.w, x0))
    print(f"h1.{k}: z = {terms} + {n.b.data:.4g} = {z:.4g},   a = tanh(z) = {a:.4g}")
s_by_hand = sum(w.data * a for w, a in zip(output.w, a_hidden)) + output.b.data
p_by_hand = 1 / (1 + math.exp(-s_by_hand))
L_by_hand = -(y0 * math.log(p_by_hand) + (1 - y0) * math.log(1 - p_by_hand))
print(f"out:  s = Σ w·a + b = {s_by_hand:.4g},   p = σ(s) = {p_by_hand:.4g},   "
      f"L = {L_by_hand:.4g}")

# %% [markdown]
# ### Backward: δ and ∂L/∂w by the chain rule
#
# Now the real backward pass, on the model itself: `loss.backward()` fills `.grad` of every
# weight and bias. The logit s is a node of the graph too, so its gradient, δ at the output,
# can be read directly. It is p − y:

# %%
s = tiny(x0)
loss = bce(s, y0)
loss.backward()
p = 1 / (1 + math.exp(-s.data))
print(f"δ_out = ∂L/∂s from backward(): {s.grad:.4g}")
print(f"p − y = {p:.4g} − {y0:.0f} = {p - y0:.4g}")
assert math.isclose(s.grad, p - y0, rel_tol=1e-9)

# %% [markdown]
# Going one layer back, the chain rule gives each hidden neuron's error signal: the output's
# δ reaches hidden neuron k through the weight w_k of their connection, and then through
# the neuron's own activation, whose slope is tanh′(z) = 1 − a²:
#
# δ_k = f′(z_k) · Σ w·δ = (1 − a_k²) · w_k · δ_out
#
# (the sum has one term here, as there is one neuron in the next layer). Then every weight's
# gradient is δ of the neuron it enters times the activation it carries, ∂L/∂w = δ · a, and
# a bias's gradient is δ itself (it is a weight on a constant input 1). For hidden neuron
# h1.1, by hand and as `backward()` left it:

# %%
k = 0                                                     # hidden neuron h1.1
delta_out = p - y0
delta_k = (1 - a_hidden[k] ** 2) * output.w[k].data * delta_out
print(f"δ(h1.1) = (1 − a²)·w·δ_out = (1 − {a_hidden[k]:.4g}²)·({output.w[k].data:.4g})"
      f"·({delta_out:.4g}) = {delta_k:.4g}")
print(f"   ∂L/∂b of h1.1 from backward():            {hidden[k].b.grad:.4g}")
grad_in = delta_k * x0[0]
print(f"∂L/∂w (x1 → h1.1) = δ(h1.1)·x1 = ({delta_k:.4g})·({x0[0]:.4g}) = {grad_in:.4g}")
print(f"   from backward():                                {hidden[k].w[0].grad:.4g}")
grad_out = delta_out * a_hidden[k]
print(f"∂L/∂w (h1.1 → out) = δ_out·a(h1.1) = ({delta_out:.4g})·({a_hidden[k]:.4g}) = "
      f"{grad_out:.4g}")
print(f"   from backward():                                  {output.w[k].grad:.4g}")
assert math.isclose(hidden[k].b.grad, delta_k, rel_tol=1e-9)
assert math.isclose(hidden[k].w[0].grad, grad_in, rel_tol=1e-9)
assert math.isclose(output.w[k].grad, grad_out, rel_tol=1e-9)

# %% [markdown]
# The same numbers stand in the picture above: δ in the box of h1.1, ∂L/∂w on its
# connections.
#
# ### One gradient step
#
# Plain gradient descent moves every parameter against its gradient, w ← w − η·∂L/∂w.
# `nn.SGD` (without momentum) does exactly that in `step()`. With η = 0.5:

# %%
eta = 0.5
before = {name: (v.data, v.grad) for name, v in tiny.named_parameters()}
nn.SGD(tiny.parameters(), lr=eta).step()
print(f"{'parameter':24} {'w':>8} {'∂L/∂w':>8}   {'w − η·∂L/∂w':>11}")
for name, v in tiny.named_parameters():
    old, g = before[name]
    print(f"{name:24} {old:8.4g} {g:8.4g}   {v.data:11.4g}")
    assert math.isclose(v.data, old - eta * g, rel_tol=1e-12, abs_tol=1e-15)

# %% [markdown]
# Each parameter moved by −η times its gradient: a positive gradient lowers it, a negative
# one raises it. Drawn again with the new weights, on the same sample (the gradients shown
# are those of the new loss):

# %%
draw(tiny)

# %%
with no_grad():
    s_new = tiny(x0)
    loss_new = bce(s_new, y0)
p_new = 1 / (1 + math.exp(-s_new.data))
print(f"before the step: p = {p:.4g}, L = {loss.data:.4g}")
print(f"after the step:  p = {p_new:.4g}, L = {loss_new.data:.4g}   (the label is y = {y0:.0f})")
assert loss_new.data < loss.data

# %% [markdown]
# The probability of the right class moved toward the label and the loss went down. That
# one step is all of learning; training repeats it over all the samples, many times.
#
# ## The training loop
#
# A bigger network learns the moons: `MLP(2, [8, 8, 1], activation="tanh")`, two hidden
# layers of 8 tanh neurons, 105 parameters. One **epoch** is one pass over the data, in
# mini-batches of 10 samples taken in a shuffled order (`nn.batches`). For each batch:
#
# 1. forward: the logits of the batch's samples, and their mean loss L;
# 2. `optimizer.zero_grad()`: clear the gradients left by the previous step
#    (`backward()` adds to `.grad`);
# 3. `loss.backward()`: ∂L/∂w for every weight and bias, by the chain rule;
# 4. `optimizer.step()`: w ← w − η·∂L/∂w for every parameter (plain SGD, η = 0.5).
#
# After each epoch, the loss and accuracy on all the data are recorded, and a copy of all
# parameters (`state_dict()`) is kept to look at later. A `nn.TrainingView` records the
# same numbers with `view.record(...)`, and with them a copy of the weights, to replay the
# training below. (`live=False` only records; in Jupyter, leave it out to watch the network
# being redrawn while it trains.)

# %%
def evaluate(model):
    """Loss and accuracy on all the data, without recording a graph."""
    with no_grad():
        logits = [model(x) for x in X]
        loss = nn.binary_cross_entropy_with_logits(logits, y).data
    accuracy = sum((s.data > 0) == (t == 1.0) for s, t in zip(logits, y)) / len(y)
    return loss, accuracy


model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
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
# from the weights copied at the end of its epoch, with that epoch's loss and accuracy from
# the history above (the `assert` checks they are the same numbers). On the left the
# network: each line is a weight, as thick as |w|, blue for w > 0 and orange for w < 0;
# each square is one neuron's output over the plane of inputs (blue positive, orange
# negative). On the right the decision boundary (here blue is class 1, orange class 0) and
# the curves so far. Press ▶ play, or step through with ◀ ▶ and the slider.

# %%
assert view.losses == history["loss"][1:] and view.accuracies == history["accuracy"][1:]
HTML(view.to_html(frames=11, dpi=64, colors=24, fps=2))

# %% [markdown]
# Where the notebook's output cannot run JavaScript (a code host, for one), the replay shows
# its first frame only. The same training as an animated picture (all 30 epochs), which
# shows everywhere, written by the next cell:
#
# ![An MLP learning the two moons: the network, the decision boundary and the loss, epoch by epoch](images/moons_training.gif)

# %%
gif = view.save_gif("images/moons_training.gif", frames=None, dpi=48, colors=32, fps=5,
                    hold=2.5)
print(f"{gif}: {len(view.frames)} frames, {gif.stat().st_size / 1000:.0f} kB")

# %% [markdown]
# ## Learning over time
#
# The network after epochs 0 (the random start), 2, 5, 10 and 30, each drawn from its saved
# parameters: the shading is p = σ(s), the black line the boundary p = 0.5.

# %%
def probabilities(model, xs, ys):
    """p = σ(s) on a grid of points (rows: ys, columns: xs)."""
    with no_grad():
        return np.array([[model([a, b]).sigmoid().data for a in xs] for b in ys])


grid_x, grid_y = np.linspace(-1.6, 2.6, 43), np.linspace(-1.1, 1.6, 28)
shown = [0, 2, 5, 10, epochs]
viewer = nn.MLP(2, [8, 8, 1], activation="tanh")          # a copy to load snapshots into
fig, axes = plt.subplots(1, len(shown), figsize=(13, 2.9), sharey=True)
for ax, epoch in zip(axes, shown):
    viewer.load_state_dict(snapshots[epoch])
    P = probabilities(viewer, grid_x, grid_y)
    ax.contourf(grid_x, grid_y, P, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.7)
    ax.contour(grid_x, grid_y, P, levels=[0.5], colors="black", linewidths=1.5)
    ax.scatter(X_np[:, 0], X_np[:, 1], c=y, cmap="coolwarm", edgecolors="black", s=12)
    ax.set(title=f"epoch {epoch}: {history['accuracy'][epoch]:.0%} right", xlabel="x₁")
axes[0].set(ylabel="x₂")
plt.tight_layout()
plt.show()

# %% [markdown]
# At the start the boundary is a gentle curve that has nothing to do with the data. Within
# a few epochs it separates the bulk of the two moons; the later epochs bend it around the
# tips, where the classes interleave.
#
# What changed are the weights and biases. A few of them, epoch by epoch (the output
# neuron's bias and its first two weights, and both input weights and the bias of the first
# hidden neuron):

# %%
followed = ["layers.2.neurons.0.b", "layers.2.neurons.0.w.0", "layers.2.neurons.0.w.1",
            "layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
print("epoch " + " ".join(f"{name.replace('layers.', 'L').replace('neurons.', 'n'):>11}"
                          for name in followed))
for epoch in [0, 1, 2, 3, 5, 10, 20, 30]:
    print(f"{epoch:5} " + " ".join(f"{snapshots[epoch][name]:11.4g}" for name in followed))

fig, ax = plt.subplots(figsize=(8, 3.4))
for name in followed:
    ax.plot([snap[name] for snap in snapshots], label=name)
ax.set(xlabel="epoch", ylabel="value", title="a few parameters after each epoch")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# Each step moves every parameter by −η times its gradient, and each gradient is made of
# error signals p − y. The largest changes per epoch come first, while those errors are
# large; later the parameters drift more slowly, and some (such as the output neuron's first
# weight) keep growing, which makes the logits larger and the probabilities more confident.
#
# ## The decision boundary after training

# %% tags=["image:moons_boundary"]
xs, ys = np.linspace(-1.6, 2.6, 84), np.linspace(-1.1, 1.6, 54)
P = probabilities(model, xs, ys)
fig, ax = plt.subplots(figsize=(7, 4.4))
shade = ax.contourf(xs, ys, P, levels=np.linspace(0, 1, 21), cmap="coolwarm", alpha=0.75)
ax.contour(xs, ys, P, levels=[0.5], colors="black", linewidths=2)
ax.scatter(X_np[:, 0], X_np[:, 1], c=y, cmap="coolwarm", edgecolors="black", s=30)
fig.colorbar(shade, ax=ax, label="p = σ(s), the probability of class 1")
ax.set(xlabel="x₁", ylabel="x₂",
       title=f"MLP(2, [8, 8, 1]) after {epochs} epochs: "
             f"accuracy {history['accuracy'][-1]:.0%}")
plt.show()

# %% [markdown]
# With tanh neurons the boundary is a smooth curve. The loss never reaches zero: every
# sample still has p − y ≠ 0 (σ(s) only reaches 0 or 1 as s → ∓∞), so every sample keeps
# contributing a small gradient that pushes its own logit further from the boundary.
#
# **An aside on other choices.** Classic demos train this problem with the max-margin
# (hinge) loss max(0, 1 − y·s) on labels ±1, often with Adam. There a sample whose margin
# y·s is at least 1 contributes exactly zero gradient, unlike with cross-entropy. Adam does
# not simply follow the current gradient: it steps along running averages of past gradients,
# so its updates need not stop when the current gradient is zero. Notebook 4 compares the
# optimizers.
#
# ## What to remember
#
# - An MLP is layers of neurons z = Σ wᵢxᵢ + b, a = f(z); its parameters are all the
#   weights and biases. For two classes the last neuron gives a logit s, and p = σ(s).
# - With binary cross-entropy on the logit, the output's error signal is δ = p − y for one
#   sample (the mean over a batch of n samples divides each sample's share by n).
# - Going back one layer: δ = f′(z)·Σ w·δ; for each weight ∂L/∂w = δ·a, for each bias
#   ∂L/∂b = δ.
# - Training repeats forward, `zero_grad()`, `backward()`, `step()` over mini-batches, for
#   several epochs; plain SGD's step is w ← w − η·∂L/∂w.
# - Evaluate with `no_grad()`: prediction needs no graph.
#
# Previous: [2 · Backpropagation through one neuron](02_backprop_one_neuron.ipynb) ·
# Next: [4 · Gradient-descent variants and losses](04_gradient_descent_and_losses.ipynb).
