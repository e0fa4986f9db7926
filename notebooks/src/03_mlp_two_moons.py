# %% [markdown]
# # 3 · Training an MLP on two moons
#
# Notebook 2 trained one neuron. Now stack neurons into layers: a **multi-layer
# perceptron** (MLP). Each neuron still computes z = Σ wᵢxᵢ + b and a = f(z), and each
# layer feeds its activations to the next. Trained with gradient descent, it learns to
# separate two interleaved half-moons, which no straight line can do.
#
# In this notebook:
# 1. the data set;
# 2. the model and its parameters;
# 3. the loss (max-margin, or *hinge*) and accuracy;
# 4. one sample's forward and backward pass, drawn on the network;
# 5. the training loop, written out;
# 6. loss and accuracy curves, and the decision boundary.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons

import nn
from engine import no_grad

# %% [markdown]
# ## The data: two moons
#
# 100 points in the plane, in two classes. The labels are y = +1 and y = −1, the form the
# max-margin loss below expects. `random_state` fixes the noise, so every run sees the
# same points.

# %%
X_np, labels = make_moons(n_samples=100, noise=0.1, random_state=1)
X = X_np.tolist()                                   # plain lists of floats
y = [1.0 if label == 1 else -1.0 for label in labels]

fig, ax = plt.subplots(figsize=(5.5, 4))
ax.scatter(X_np[:, 0], X_np[:, 1], c=y, cmap="coolwarm", edgecolors="black", s=30)
ax.set(xlabel="x₁", ylabel="x₂", title="two moons: y = +1 (red), y = −1 (blue)")
plt.show()

# %% [markdown]
# ## The model
#
# `MLP(2, [6, 6, 1])`: 2 inputs, two hidden layers of 6 ReLU neurons, and one linear
# output neuron whose value s is a **score**: s > 0 means class +1, s < 0 class −1.
# Parameters: each neuron has one weight per input plus a bias, so
# (2 + 1)·6 + (6 + 1)·6 + (6 + 1)·1 = 18 + 42 + 7 = 67. `seed` fixes the random initial
# weights (uniform in (−1, 1); biases start at 0).

# %%
model = nn.MLP(2, [6, 6, 1], seed=0)
print(model)
n_params = len(model.parameters())
print("parameters:", n_params)
assert n_params == (2 + 1) * 6 + (6 + 1) * 6 + (6 + 1) * 1

# %% [markdown]
# ## Loss and accuracy
#
# The **max-margin (hinge) loss** of a sample with label y and score s is max(0, 1 − y·s):
# zero when the sample is on the right side with a margin (y·s ≥ 1), and growing linearly
# the more wrong it is. The loss of a batch is the mean over its samples. The accuracy is
# the fraction of samples with the right sign.
#
# Check `nn.hinge_loss` by hand on the untrained model's first three samples:

# %%
scores = [model(x) for x in X[:3]]
by_hand = sum(max(0.0, 1 - t * s.data) for s, t in zip(scores, y[:3])) / 3
loss = nn.hinge_loss(scores, y[:3])
for s, t in zip(scores, y[:3]):
    print(f"y = {t:+.0f}   s = {s.data:+.4f}   "
          f"max(0, 1 − y·s) = {max(0.0, 1 - t * s.data):.4f}")
print(f"mean = {by_hand:.6f};  nn.hinge_loss = {loss.data:.6f}")
assert abs(loss.data - by_hand) < 1e-12


def evaluate(model):
    """Loss and accuracy on all the data, without recording a graph."""
    with no_grad():
        scores = [model(x) for x in X]
        loss = nn.hinge_loss(scores, y).data
    accuracy = sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
    return loss, accuracy


loss0, acc0 = evaluate(model)
print(f"before training: loss {loss0:.4f}, accuracy {acc0:.0%}")

# %% [markdown]
# ## One sample's backpropagation, on the network
#
# Before training, look at what one backward pass computes. `nn.draw_model` runs the
# model on one sample and draws it as neurons and connections, with every number read from
# the real graph: for each neuron z = Σ wᵢxᵢ + b and a = relu(z), and, after
# backpropagating the loss of that sample, the **error signal** δ = ∂L/∂z of each neuron
# and ∂L/∂b (equal to δ, since z = … + b). It computes these gradients on the side and
# leaves the model's `.grad` untouched.
#
# Take the sample the untrained model gets most wrong (the smallest margin y·s). The
# numbers on 54 connections would crowd the picture, so `show_weights=False` leaves them
# off: a connection's colour is the sign of its weight (blue +, red −), its thickness the
# size.

# %%
with no_grad():
    margins = [t * model(x).data for x, t in zip(X, y)]
worst = min(range(len(X)), key=lambda i: margins[i])
print(f"sample {worst}: x = ({X[worst][0]:.3f}, {X[worst][1]:.3f}), y = {y[worst]:+.0f}, "
      f"margin y·s = {margins[worst]:.3f}")


def sample_hinge(score, target):
    return nn.hinge_loss([score], [target])


nn.draw_model(model, X[worst], target=y[worst], loss_fn=sample_hinge, show_weights=False)

# %% [markdown]
# How to read it, from right to left:
#
# - L = max(0, 1 − y·s), so ∂L/∂s = −y while the margin y·s is below 1. The output
#   neuron is linear (s = z), so its δ is ∂L/∂s.
# - A hidden neuron's δ collects the δ of every neuron it feeds, times the weight of that
#   connection, then times relu′(z): 1 if the neuron is active (z > 0), 0 if not. A
#   switched-off neuron passes no gradient back, and its weights get none.
# - The gradient of a weight is ∂L/∂w = δ (of the neuron it enters) × the activation it
#   carries; of a bias, ∂L/∂b = δ.
#
# Training repeats exactly this for batches of samples, and moves every weight a little
# against its gradient.

# %% [markdown]
# ## The training loop
#
# One **epoch** is one pass over the data, in mini-batches of 10 samples taken in a
# shuffled order (`nn.batches`). For each batch:
#
# 1. forward: scores for the batch's samples, and their loss L;
# 2. `optimizer.zero_grad()`: clear the gradients left by the previous step;
# 3. `loss.backward()`: ∂L/∂w for every weight and bias, by the chain rule;
# 4. `optimizer.step()`: update every parameter. Plain gradient descent would do
#    w ← w − η·∂L/∂w; here the optimizer is **Adam**, which scales each parameter's step by
#    a running average of its own gradients (notebook 4 compares the optimizers).
#
# After each epoch, the loss and accuracy on all the data are recorded.

# %%
optimizer = nn.Adam(model.parameters(), lr=0.03)
history = {"loss": [loss0], "accuracy": [acc0]}

for epoch in range(40):
    for batch in nn.batches(len(X), batch_size=10, seed=epoch):
        loss = nn.hinge_loss([model(X[i]) for i in batch], [y[i] for i in batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    loss_all, acc_all = evaluate(model)
    history["loss"].append(loss_all)
    history["accuracy"].append(acc_all)
    if epoch % 5 == 4 or epoch == 0:
        print(f"epoch {epoch + 1:2}: loss {loss_all:.4f}, accuracy {acc_all:.0%}")

assert history["accuracy"][-1] == 1.0, "every training sample should be classified right"

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
left.plot(history["loss"], "o-", ms=3)
left.set(xlabel="epoch", ylabel="hinge loss (all samples)", title="loss")
right.plot([100 * a for a in history["accuracy"]], "o-", ms=3, color="tab:green")
right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy", ylim=(40, 102))
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# The loss falls quickly, then slowly as fewer and fewer samples are still inside the
# margin; the accuracy reaches 100%: every training point is on the right side.
#
# ## The decision boundary
#
# Evaluate the trained model on a grid of points covering the plane (inside `no_grad()`:
# no graph is needed just to predict). The boundary s = 0 is where the score changes
# sign; the shading shows the score itself.

# %% tags=["image:moons_boundary"]
xs = np.linspace(-1.6, 2.6, 80)
ys = np.linspace(-1.1, 1.6, 60)
with no_grad():
    S = np.array([[model([a, b]).data for a in xs] for b in ys])

fig, ax = plt.subplots(figsize=(7, 4.6))
shade = ax.contourf(xs, ys, np.clip(S, -3, 3), levels=np.linspace(-3, 3, 25),
                    cmap="coolwarm", alpha=0.75)
ax.contour(xs, ys, S, levels=[0.0], colors="black", linewidths=2)
ax.scatter(X_np[:, 0], X_np[:, 1], c=y, cmap="coolwarm", edgecolors="black", s=30)
fig.colorbar(shade, ax=ax, label="score s (clipped to ±3)")
ax.set(xlabel="x₁", ylabel="x₂",
       title=f"MLP(2, [6, 6, 1]) after 40 epochs: accuracy {history['accuracy'][-1]:.0%}")
plt.show()

# %% [markdown]
# The boundary is made of straight pieces: every ReLU neuron switches on or off along a
# line, so the score is piecewise linear in the input.
#
# ## Why training stops
#
# The hinge loss of a sample whose margin y·s is at least 1 is exactly zero, and so is its
# gradient. Once every sample is outside the margin, backpropagation returns zeros and the
# updates stop: as far as this loss can tell, the model is done.

# %%
with no_grad():
    scores = [model(x) for x in X]
    final_loss = nn.hinge_loss(scores, y).data
margins = [t * s.data for s, t in zip(scores, y)]
print(f"smallest margin y·s after training: {min(margins):.3f}")
print(f"loss on all samples: {final_loss}")

# %% [markdown]
# ## What to remember
#
# - An MLP is layers of neurons z = Σ wᵢxᵢ + b, a = f(z); its parameters are all the
#   weights and biases.
# - Training repeats: forward, loss, `zero_grad()`, `backward()`, `step()`, over
#   mini-batches, for several epochs.
# - Evaluate with `no_grad()`: prediction needs no graph.
# - The gradient of each weight is the error signal δ of the neuron it enters times the
#   activation it carries; a switched-off ReLU passes no gradient.
#
# Next: [4 · Gradient-descent variants and losses](04_gradient_descent_and_losses.ipynb).
