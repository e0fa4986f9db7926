# %% [markdown]
# # 10 · Several classes: softmax and cross-entropy
#
# Notebook 4 separated two classes with one output, a logit z, and p = σ(z). With K classes
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
# (Notebook 7 checked this on a softmax regression; here it feeds a hidden layer.)
#
# In this notebook:
# 1. a three-class spiral, generated with a seed, with a validation set (notebook 9);
# 2. a network with three outputs, and one sample's forward and backward pass through the
#    softmax, with its numbers;
# 3. training, judged on the training and the validation set, and the decision regions the
#    network learned.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import nn
from engine import no_grad
from nn.viz.palette import class_color, class_name

# %% [markdown]
# ## The data: three spiral arms
#
# Each class is an arm of a spiral: its points go out from the centre while turning, with
# some noise on the angle. 30 points per class to train on (`np.random.default_rng(0)`
# fixes the noise), and a **validation set** of 20 more per class from the same arms with
# another seed, never trained on. The arms curve around the centre, so the boundaries
# between them will have to bend too.

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
X_val, y_val = spiral(n_per_class=20, seed=1)
X_np, y_np = np.array(X), np.array(y)
Xv_np, yv_np = np.array(X_val), np.array(y_val)
print(f"{len(X)} samples to train on, {len(X_val)} to validate")


def scatter(ax, size=25):
    """Training samples as filled dots, validation samples as crosses, each class in its colour."""
    for k in range(3):
        ax.scatter(*X_np[y_np == k].T, color=class_color(k), edgecolors="black", s=size,
                   label=class_name(k))
        ax.scatter(*Xv_np[yv_np == k].T, color=class_color(k), marker="x", s=size)
    ax.scatter([], [], color="gray", marker="x", s=size, label="validation samples")


fig, ax = plt.subplots(figsize=(5.2, 4.4))
scatter(ax)
ax.set(xlabel="x₁", ylabel="x₂", title=f"three classes: {len(X)} to train on, {len(X_val)} to validate",
       aspect="equal")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
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
# p − onehot(c).
#
# **Predict before you run:** from the three probabilities printed above, write down the
# three error signals ∂L/∂z₀, ∂L/∂z₁, ∂L/∂z₂. Which one is negative?
#
# <details><summary>Answer</summary>
#
# pₖ − onehotₖ(c): the printed p₀ and p₂ unchanged, and p₁ − 1 for the true class c = 1,
# the only negative one.
# </details>

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
# signals add up to zero, since the probabilities add up to 1:

# %%
print(f"Σₖ ∂L/∂zₖ = {sum(z.grad for z in logits):.1e}")
assert abs(sum(z.grad for z in logits)) < 1e-12

# %% [markdown]
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
# The loop of notebook 4 with the cross-entropy: mini-batches of 10, plain gradient descent
# (`nn.SGD` without momentum, η = 1), 40 epochs, `nn.fit` running one epoch per call. After
# each epoch the loss and the accuracy (the share of samples whose largest logit is at the
# right class) are measured on both sets, inside `no_grad()`.

# %%
def measure(xs, classes):
    """Mean cross-entropy and accuracy of the model on (xs, classes), without a graph."""
    with no_grad():
        rows = [model(x) for x in xs]
        loss = nn.cross_entropy(rows, classes).data
    right = sum(max(range(3), key=lambda k: row[k].data) == c for row, c in zip(rows, classes))
    return loss, right / len(classes)


optimizer = nn.SGD(model.parameters(), lr=1.0)
curves = {"training": [measure(X, y)], "validation": [measure(X_val, y_val)]}
for epoch in range(40):
    nn.fit(model, X, y, nn.cross_entropy, optimizer, epochs=1, batch_size=10, seed=epoch,
           progress=False)
    curves["training"].append(measure(X, y))
    curves["validation"].append(measure(X_val, y_val))
for epoch in (0, 10, 20, 40):
    (tl, ta), (vl, va) = curves["training"][epoch], curves["validation"][epoch]
    print(f"epoch {epoch:2}: training loss {tl:.4f}, accuracy {ta:.0%};   "
          f"validation loss {vl:.4f}, accuracy {va:.0%}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3))
for name, curve in curves.items():
    style = "o-" if name == "training" else "s--"
    left.semilogy([loss for loss, _ in curve], style, ms=3, label=name)
    right.plot([100 * acc for _, acc in curve], style, ms=3, label=name)
left.set(xlabel="epoch", ylabel="cross-entropy (log scale)", title="loss")
right.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The validation curves follow the training curves closely: on these gently turning arms
# (2.5 radians from centre to tip) a network of 63 parameters learns the pattern, not the
# noise of its 90 samples. Had the validation loss turned upward while the training loss
# kept falling, notebook 9's cures would apply.
#
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

(_, train_acc), (_, val_acc) = curves["training"][-1], curves["validation"][-1]
fig, ax = plt.subplots(figsize=(6.6, 4.8))
for k in range(3):
    ax.contourf(xs, xs, np.where(winner == k, confidence, np.nan),
                levels=np.linspace(1 / 3, 1, 8),
                cmap=["Oranges", "Blues", "Greens"][k], alpha=0.35)
scatter(ax)
for k in range(3):          # where class k's probability ties with the best of the others
    others = np.delete(probs, k, axis=-1).max(axis=-1)
    ax.contour(xs, xs, probs[..., k] - others, levels=[0.0], colors="black", linewidths=1)
ax.set(xlabel="x₁", ylabel="x₂", aspect="equal",
       title=f"the regions learned: {train_acc:.0%} of the training samples right, "
             f"{val_acc:.0%} of the validation samples")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
plt.show()

# %% [markdown]
# The hidden layer bends the boundaries around the arms; without it (the softmax regression
# of notebook 7) every boundary between two classes would be a straight line.
#
# **Predict before you run:** the same sample as before, after training. What will its
# probabilities and its error signals look like now?
#
# <details><summary>Answer</summary>
#
# The probability of its class is now close to 1 (the `assert` checks above 0.9), and its
# error signals p − onehot are close to 0: it hardly moves the weights any more.
# </details>

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
#   the hidden layer. Judge them on samples not trained on, as in notebook 9.
#
# Previous: [9 · Overfitting and regularisation](09_overfitting_and_regularisation.ipynb) ·
# Next: [11 · Compiling a step; digits](11_digits_compiled.ipynb).
