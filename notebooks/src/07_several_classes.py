# %% [markdown]
# # 7 · Several classes: softmax and cross-entropy
#
# Notebook 3 separated two classes with one output, a logit s, and p = σ(s). With K classes
# the network has K outputs, one **logit** zₖ per class, and the **softmax** turns them into
# K probabilities:
#
# pₖ = exp(zₖ) / Σⱼ exp(zⱼ),   each between 0 and 1, summing to 1.
#
# The loss of a sample whose true class is c is the **cross-entropy** −log p_c, the negative
# log of the probability given to the right class (`nn.cross_entropy`, the mean over the
# samples, as PyTorch's `cross_entropy`). Its gradient with respect to the logits is the
# K-class version of notebook 3's p − y:
#
# ∂L/∂zₖ = pₖ − onehotₖ(c),   where onehot(c) is 1 for class c and 0 for the others.
#
# In this notebook:
# 1. a three-class spiral, generated with a seed;
# 2. a network with three outputs, and one sample's forward and backward pass through the
#    softmax, with its numbers;
# 3. training, and the decision regions the network learned.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import nn
from engine import no_grad

# %% [markdown]
# ## The data: three spiral arms
#
# Each class is an arm of a spiral: its points go out from the centre while turning, with
# some noise on the angle. 30 points per class; `np.random.default_rng(0)` fixes the noise.
# The arms curve around the centre, so the boundaries between them will have to bend too.

# %%
def spiral(n_per_class=30, turn=2.5, noise=0.15, seed=0):
    """Three spiral arms: a list of [x1, x2] points and a list of class indices 0, 1, 2."""
    rng = np.random.default_rng(seed)
    points, classes = [], []
    for k in range(3):
        radius = np.linspace(0.15, 1.0, n_per_class)
        angle = k * 2 * np.pi / 3 + turn * radius + rng.normal(0, noise, n_per_class)
        points += np.c_[radius * np.cos(angle), radius * np.sin(angle)].tolist()
        classes += [k] * n_per_class
    return points, classes


X, y = spiral()
X_np, y_np = np.array(X), np.array(y)
colours = ["tab:blue", "tab:orange", "tab:green"]

fig, ax = plt.subplots(figsize=(4.6, 4.2))
for k in range(3):
    ax.scatter(*X_np[y_np == k].T, color=colours[k], edgecolors="black", s=25,
               label=f"class {k}")
ax.set(xlabel="x₁", ylabel="x₂", title="three classes", aspect="equal")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## The model: three outputs
#
# `MLP(2, [10, 3], activation="tanh")`: a hidden layer of 10 tanh neurons, then a linear
# layer of 3 neurons whose outputs are the logits z₀, z₁, z₂. Called on one sample it
# returns the list of the three logits. The predicted class is the one with the largest
# logit (the largest probability).

# %%
model = nn.MLP(2, [10, 3], activation="tanh", seed=0)
print(model)
print("parameters:", len(model.parameters()), "= (2 + 1)·10 + (10 + 1)·3")

# %% [markdown]
# ## One sample, forward and backward through the softmax
#
# Take a sample of class 1 halfway out along its arm. Forward: the three logits, the softmax by hand, and the
# loss −log p_c, checked against `nn.softmax` and `nn.cross_entropy`:

# %%
i = y.index(1) + 15                       # the 16th point of class 1
x, c = X[i], y[i]
logits = model(x)
exps = [math.exp(z.data) for z in logits]
p = [e / sum(exps) for e in exps]
loss = nn.cross_entropy([logits], [c])
print(f"sample {i}: x = ({x[0]:.4f}, {x[1]:.4f}), class c = {c}")
for k, (z, e, p_k) in enumerate(zip(logits, exps, p)):
    print(f"  z{k} = {z.data:8.4f}   exp(z{k}) = {e:.4f}   p{k} = {e:.4f} / {sum(exps):.4f} "
          f"= {p_k:.4f}")
print(f"L = −log p{c} = −log {p[c]:.4f} = {-math.log(p[c]):.4f};   "
      f"nn.cross_entropy = {loss.data:.4f}")
assert all(math.isclose(q.data, p_k) for q, p_k in zip(nn.softmax(logits), p))
assert math.isclose(loss.data, -math.log(p[c]), rel_tol=1e-12)

# %% [markdown]
# Backward: `loss.backward()` sends the gradient through the log and the softmax into each
# logit. The logits are nodes of the graph, so their gradients can be read off, next to
# p − onehot(c):

# %%
loss.backward()
onehot = [1.0 if k == c else 0.0 for k in range(3)]
print(" k   p_k     onehot   p_k − onehot   ∂L/∂z_k from backward()")
for k, z in enumerate(logits):
    print(f" {k}  {p[k]:.4f}   {onehot[k]:.0f}        {p[k] - onehot[k]:8.4f}      "
          f"{z.grad:8.4f}")
    assert math.isclose(z.grad, p[k] - onehot[k], rel_tol=1e-9, abs_tol=1e-12)

# %% [markdown]
# The right class gets a negative error signal p_c − 1 (raising z_c lowers the loss); each
# wrong class gets its probability pₖ, positive (lowering it lowers the loss). The three
# signals add up to zero, since the probabilities add up to 1.
#
# From there backpropagation goes on as in notebook 3. The weight from hidden neuron j to
# output k gets ∂L/∂w = δₖ · aⱼ with δₖ = pₖ − onehotₖ; and a hidden neuron now receives
# error from all three outputs, δⱼ = tanh′(zⱼ) · Σₖ wₖⱼ δₖ = (1 − aⱼ²) · Σₖ wₖⱼ δₖ. For the
# hidden neuron j most active on this sample (the largest |aⱼ|):

# %%
hidden, outputs = model.layers[0].neurons, model.layers[1].neurons
a = [math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data) for n in hidden]
deltas = [p[k] - onehot[k] for k in range(3)]
j = max(range(len(hidden)), key=lambda n: abs(a[n]))
terms = [outputs[k].w[j].data * deltas[k] for k in range(3)]
delta_j = (1 - a[j] ** 2) * sum(terms)
print(f"hidden neuron j = {j}: a = {a[j]:.4f}")
print("Σₖ wₖⱼ δₖ = " + " + ".join(f"({outputs[k].w[j].data:.4f})·({deltas[k]:.4f})"
                                   for k in range(3)) + f" = {sum(terms):.4f}")
print(f"δⱼ = (1 − aⱼ²) · Σ = (1 − ({a[j]:.4f})²) · ({sum(terms):.4f}) = {delta_j:.4f}")
print(f"     ∂L/∂b of hidden neuron {j} from backward(): {hidden[j].b.grad:.4f}")
for k in range(3):
    print(f"∂L/∂w (hidden {j} → output {k}) = δ{k}·aⱼ = ({deltas[k]:.4f})·({a[j]:.4f}) = "
          f"{deltas[k] * a[j]:.4f};   from backward(): {outputs[k].w[j].grad:.4f}")
    assert math.isclose(outputs[k].w[j].grad, deltas[k] * a[j], rel_tol=1e-9)
assert math.isclose(hidden[j].b.grad, delta_j, rel_tol=1e-9)
model.zero_grad()

# %% [markdown]
# ## Training
#
# The loop of notebook 3 with the cross-entropy: mini-batches of 10, plain gradient descent
# (`nn.SGD` without momentum, η = 1), 40 epochs. `nn.fit` runs it and records, per epoch, the
# mean loss and the fraction of samples whose largest logit is at the right class (both
# measured on the predictions made during the epoch).

# %%
optimizer = nn.SGD(model.parameters(), lr=1.0)
history = nn.fit(model, X, y, nn.cross_entropy, optimizer, epochs=40, batch_size=10,
                 seed=0, progress=False)
for epoch in (0, 9, 19, 39):
    print(f"epoch {epoch + 1:2}: loss {history['loss'][epoch]:.4f}, "
          f"accuracy {history['accuracy'][epoch]:.0%}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3))
left.semilogy(range(1, 41), history["loss"], "o-", ms=3)
left.set(xlabel="epoch", ylabel="cross-entropy (log scale)", title="loss")
right.plot(range(1, 41), [100 * v for v in history["accuracy"]], "o-", ms=3,
           color="tab:green")
right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The decision regions
#
# Each point of the plane goes to the class with the largest logit. The colour shows the
# predicted class; its depth, the probability the softmax gives to it.

# %%
xs = np.linspace(-1.2, 1.2, 51)
with no_grad():
    probs = np.array([[[q.data for q in nn.softmax(model([a1, a2]))] for a1 in xs]
                      for a2 in xs])
winner, confidence = probs.argmax(axis=-1), probs.max(axis=-1)

fig, ax = plt.subplots(figsize=(5.6, 4.8))
for k in range(3):
    ax.contourf(xs, xs, np.where(winner == k, confidence, np.nan),
                levels=np.linspace(1 / 3, 1, 8),
                cmap=["Blues", "Oranges", "Greens"][k], alpha=0.6)
    ax.scatter(*X_np[y_np == k].T, color=colours[k], edgecolors="black", s=25,
               label=f"class {k}")
for k in range(3):          # where class k's probability ties with the best of the others
    others = np.delete(probs, k, axis=-1).max(axis=-1)
    ax.contour(xs, xs, probs[..., k] - others, levels=[0.0], colors="black", linewidths=1)
with no_grad():
    accuracy = np.mean([np.argmax([z.data for z in model(x_i)]) == c_i
                        for x_i, c_i in zip(X, y)])
ax.set(xlabel="x₁", ylabel="x₂", aspect="equal",
       title=f"the regions learned: {accuracy:.0%} of the samples right")
ax.legend(fontsize=8, loc="lower right")
plt.show()

# %% [markdown]
# The hidden layer bends the boundaries around the arms; without it (the softmax regression
# of notebook 4) every boundary between two classes would be a straight line.
#
# The same sample as before, after training: the probability of its class is now close to
# 1, and its error signals p − onehot close to 0, so it hardly moves the weights any more.

# %%
logits = model(x)
loss = nn.cross_entropy([logits], [c])
loss.backward()
p = [q.data for q in nn.softmax(logits)]
print(f"sample {i} (class {c}): p = [{', '.join(f'{q:.4f}' for q in p)}], "
      f"L = {loss.data:.4f}")
print("∂L/∂z from backward():", [round(z.grad, 4) for z in logits])
assert p[c] > 0.9
model.zero_grad()

# %% [markdown]
# ## What to remember
#
# - K classes: K output logits, the softmax pₖ = exp(zₖ)/Σⱼ exp(zⱼ), the loss −log p_c.
# - The error signal at the logits is p − onehot(c): negative for the right class, positive
#   for the others, summing to zero.
# - A hidden neuron collects the error of every output it feeds: δ = f′(z)·Σₖ wₖ δₖ.
# - The predicted class is the largest logit; the regions between the classes are bent by
#   the hidden layer.
#
# Previous: [6 · Overfitting and regularisation](06_overfitting_and_regularisation.ipynb).
