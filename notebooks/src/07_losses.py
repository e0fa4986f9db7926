# %% [markdown]
# # 7 · Losses and their error signals
#
# The loss turns "how wrong is the model" into one number whose gradient says how to
# improve. Which loss fits depends on what the model predicts. For each of four losses this
# notebook computes the loss by hand on a few samples, checks it against `nn`, and prints
# the **error signal** that `backward()` sends into the model's output, the start of every
# δ behind it:
#
# | task | model output | loss | error signal at the output |
# |---|---|---|---|
# | regression | a number ŷ | mean squared error | 2(ŷ − y)/n |
# | two classes | a logit z, p = σ(z) | binary cross-entropy | (p − y)/n |
# | K classes | K logits, softmax p | cross-entropy | (p − onehot)/n |
# | two classes, labels ±1 | a score z | hinge (max-margin) | −y/n or 0 |
#
# (n is the number of samples: each loss is the mean over them, so each sample's share of
# the gradient is divided by n.)

# %%
import math
import random

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from sklearn.datasets import make_blobs

import nn
from engine import check_answer, no_grad
from nn.viz.palette import NEGATIVE, NEUTRAL, POSITIVE, class_color, class_name

P_COLOURS = LinearSegmentedColormap.from_list("p", [NEGATIVE, NEUTRAL, POSITIVE])

# %% [markdown]
# ## Regression: mean squared error
#
# For real-valued targets, MSE = (1/n) Σ (ŷᵢ − yᵢ)². Fit a noisy sine with a small tanh
# network, `MLP(1, [8, 1], activation="tanh")`, by full-batch Adam. First the loss by hand
# on the untrained model's first three predictions, and the error signal that `backward()`
# sends into each prediction: ∂L/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n.

# %%
rng = random.Random(1)
xs_sine = [-3 + 6 * i / 29 for i in range(30)]
ys_sine = [math.sin(x) + rng.gauss(0, 0.1) for x in xs_sine]
X_sine = [[x] for x in xs_sine]

regressor = nn.MLP(1, [8, 1], activation="tanh", seed=0)
preds = [regressor(x) for x in X_sine[:3]]
by_hand = sum((p.data - t) ** 2 for p, t in zip(preds, ys_sine[:3])) / 3
loss = nn.mse_loss(preds, ys_sine[:3])
print(f"(1/3) Σ (ŷ − y)² = {by_hand:.6f};  nn.mse_loss = {loss.data:.6f}")
assert math.isclose(loss.data, by_hand, rel_tol=1e-12)
loss.backward()
for p, t in zip(preds, ys_sine[:3]):
    print(f"ŷ = {p.data:7.4f}  y = {t:7.4f}   ∂L/∂ŷ from backward() = {p.grad:8.4f}   "
          f"2(ŷ − y)/n = {2 * (p.data - t) / 3:8.4f}")
    assert math.isclose(p.grad, 2 * (p.data - t) / 3, rel_tol=1e-9)
regressor.zero_grad()

optimizer = nn.Adam(regressor.parameters(), lr=0.05)
history = nn.fit(regressor, X_sine, ys_sine, nn.mse_loss, optimizer,
                 epochs=150, batch_size=None, correct=None, progress=False)
print(f"MSE: {history['loss'][0]:.4f} before training, "
      f"{history['loss'][-1]:.4f} after 150 steps (the noise alone has variance 0.1² = "
      f"{0.1 ** 2:g})")

# %%
grid = np.linspace(-3.3, 3.3, 200)
with no_grad():
    fitted = [regressor([float(x)]).data for x in grid]
fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.6))
left.plot(xs_sine, ys_sine, "o", ms=4, color="black", label="data: sin(x) + noise")
left.plot(grid, np.sin(grid), "--", color="gray", label="sin(x)")
left.plot(grid, fitted, lw=2, color="tab:purple", label="MLP(1, [8, 1]), tanh")
left.set(xlabel="x", ylabel="y", title="regression with MSE")
left.legend()
right.semilogy(history["loss"], color="tab:purple")
right.set(xlabel="step (full batch)", ylabel="MSE (log scale)", title="training loss")
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Two classes: binary cross-entropy
#
# For a yes/no answer, let the model output a probability p = σ(z) = 1/(1 + e⁻ᶻ) that the
# class is 1. A single sigmoid neuron is **logistic regression**. The binary cross-entropy,
# or log loss, of a sample with label y ∈ {0, 1} is
#
# −[y·log p + (1 − y)·log(1 − p)],
#
# the negative log of the probability the model gave to the right answer: near 0 for a
# confident right answer, large for a confident wrong one. By hand on three samples:

# %%
X2_np, y2_np = make_blobs(n_samples=80, centers=[(-1, -1), (1.5, 1)], cluster_std=1.0,
                          random_state=2)
X2, y2 = X2_np.tolist(), [float(t) for t in y2_np]

classifier = nn.Neuron(2, activation="sigmoid", seed=0)
probs = [classifier(x) for x in X2[:3]]
terms = []
for p, t in zip(probs, y2[:3]):
    terms.append(-(t * math.log(p.data) + (1 - t) * math.log(1 - p.data)))
    print(f"y = {t:.0f}   p = {p.data:.4f}   "
          f"−[y log p + (1 − y) log(1 − p)] = {terms[-1]:.4f}")
by_hand = sum(terms) / 3
loss = nn.binary_cross_entropy(probs, y2[:3])
print(f"mean = {by_hand:.6f};  nn.binary_cross_entropy = {loss.data:.6f}")
assert math.isclose(loss.data, by_hand, rel_tol=1e-12)

# %% [markdown]
# **Predict before you run:** the error signal at z, the sigmoid's input, is (p − y)/n. From
# the three lines above, which sample will get the largest |∂L/∂z|, and what sign will it
# have?
#
# <details><summary>Answer</summary>
#
# The sample whose p is furthest from its label. The sign is that of p − y: positive
# (push z down) for a label 0, negative (push z up) for a label 1. The next cell prints
# all three from `backward()`.
# </details>
#
# The graph remembers z (`p.inputs[0]`, the sigmoid's input), so `backward()` gives its
# gradient directly:

# %%
loss.backward()
for p, t in zip(probs, y2[:3]):
    z = p.inputs[0]                                  # the input of the sigmoid
    print(f"z = {z.data:7.4f}  y = {t:.0f}   ∂L/∂z from backward() = {z.grad:8.4f}   "
          f"(σ(z) − y)/n = {(p.data - t) / 3:8.4f}")
    assert math.isclose(z.grad, (p.data - t) / 3, rel_tol=1e-9)
classifier.zero_grad()

# %% [markdown]
# The two factors of the chain rule, ∂L/∂p = −y/p + (1 − y)/(1 − p) and ∂p/∂z = p(1 − p),
# multiply to exactly p − y: the sigmoid's flat tails, which would shrink the gradient of a
# squared error, are cancelled by the log. That is why classifiers pair σ with
# cross-entropy. `nn.binary_cross_entropy_with_logits(z, y)` computes the same loss from z
# directly, in a way that never overflows (notebooks 3 and 4 train with it). Train the
# sigmoid neuron (50 epochs of mini-batches of 10, `nn.SGD`):

# %%
def is_right(p, t):
    return (p.data > 0.5) == (t > 0.5)


optimizer = nn.SGD(classifier.parameters(), lr=0.5)
history = nn.fit(classifier, X2, y2, nn.binary_cross_entropy, optimizer,
                 epochs=50, batch_size=10, seed=0, correct=is_right, progress=False)
print(f"log loss {history['loss'][0]:.4f} → {history['loss'][-1]:.4f};  "
      f"accuracy {history['accuracy'][-1]:.0%}")

xs, ys = np.linspace(-4.5, 5, 60), np.linspace(-4.5, 4.5, 50)
with no_grad():
    Pgrid = np.array([[classifier([a, b]).data for a in xs] for b in ys])
fig, ax = plt.subplots(figsize=(6.5, 4.5))
shade = ax.contourf(xs, ys, Pgrid, levels=np.linspace(0, 1, 11), cmap=P_COLOURS, alpha=0.6)
ax.contour(xs, ys, Pgrid, levels=[0.5], colors="black")
for k in (0, 1):
    points = X2_np[y2_np == k]
    ax.scatter(points[:, 0], points[:, 1], color=class_color(k), edgecolors="black", s=25,
               label=class_name(k))
fig.colorbar(shade, ax=ax, label="p = σ(w·x + b), the probability of class 1")
ax.set(xlabel="x₁", ylabel="x₂", title="logistic regression: p = ½ on the black line")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Several classes: cross-entropy over a softmax
#
# With K classes the model outputs one logit zₖ per class k, and the **softmax** turns them
# into probabilities pₖ = exp(zₖ) / Σⱼ exp(zⱼ), positive and summing to 1. The
# cross-entropy of a sample whose true class is c is −log p_c: again the negative log of the
# probability given to the right answer. Here a layer of three linear neurons,
# `MLP(2, [3])`, gives the logits (softmax regression). By hand for one sample:

# %%
X3_np, y3_np = make_blobs(n_samples=90, centers=[(-2, 0), (2, 0), (0, 2.5)], cluster_std=0.9,
                          random_state=3)
X3, y3 = X3_np.tolist(), [int(c) for c in y3_np]

softmax_model = nn.MLP(2, [3], seed=1)
logits = softmax_model(X3[0])
exps = [math.exp(z.data) for z in logits]
p_by_hand = [e / sum(exps) for e in exps]
c = y3[0]
print("logits z:        ", [round(z.data, 4) for z in logits])
print("softmax p:       ", [round(p, 4) for p in p_by_hand], f" (sum {sum(p_by_hand):.6f})")
ce = nn.cross_entropy([logits], [c]).data
print(f"class c = {c}:  −log p_c = {-math.log(p_by_hand[c]):.6f};  "
      f"nn.cross_entropy = {ce:.6f}")
assert math.isclose(ce, -math.log(p_by_hand[c]), rel_tol=1e-12)
assert all(math.isclose(p.data, q) for p, q in zip(nn.softmax(logits), p_by_hand))

# %% [markdown]
# The error signal at the logits is p − onehot(c): the predicted probabilities minus the
# right answer written as (1 for class c, 0 for the others). From `backward()`:

# %%
nn.cross_entropy([logits], [c]).backward()
for k, (z, p_k) in enumerate(zip(logits, p_by_hand)):
    onehot = 1.0 if k == c else 0.0
    print(f"class {k}: ∂L/∂z = {z.grad:8.4f} from backward();   p − onehot = "
          f"{p_k:.4f} − {onehot:.0f} = {p_k - onehot:8.4f}")
    assert math.isclose(z.grad, p_k - onehot, rel_tol=1e-9, abs_tol=1e-12)
softmax_model.zero_grad()

# %% [markdown]
# **Your turn.** Three logits z = (2, 1, 0) and the true class c = 0. Compute the
# cross-entropy −log p₀ by hand (e² ≈ 7.389, e ≈ 2.718), type it in place of `None`, and run
# the cell.
#
# <details><summary>Answer</summary>
#
# p₀ = 7.389 / (7.389 + 2.718 + 1) = 0.6652, and −log 0.6652 = 0.4076.
# </details>

# %%
expected = nn.cross_entropy([[2.0, 1.0, 0.0]], [0]).data
assert f"{math.exp(2) / (math.exp(2) + math.e + 1):.4f} {expected:.4f}" == "0.6652 0.4076"
your_cross_entropy = None
check_answer(your_cross_entropy, expected)

# %% [markdown]
# Train the softmax regression and draw the three regions; a sample goes to the class with
# the largest logit (notebook 10 does this with a hidden layer, on data no straight lines can
# separate):

# %%
optimizer = nn.Adam(softmax_model.parameters(), lr=0.05)
history = nn.fit(softmax_model, X3, y3, nn.cross_entropy, optimizer,
                 epochs=20, batch_size=10, seed=0, progress=False)
print(f"cross-entropy {history['loss'][0]:.4f} → {history['loss'][-1]:.4f};  "
      f"accuracy {history['accuracy'][-1]:.0%}")

xs, ys = np.linspace(-5, 5, 60), np.linspace(-3, 5.5, 50)
with no_grad():
    regions = np.array([[np.argmax([z.data for z in softmax_model([a, b])]) for a in xs]
                        for b in ys])
fig, ax = plt.subplots(figsize=(6.5, 4.5))
ax.contourf(xs, ys, regions, levels=[-0.5, 0.5, 1.5, 2.5],
            colors=[class_color(k) for k in range(3)], alpha=0.3)
for k in range(3):
    pts = X3_np[y3_np == k]
    ax.scatter(pts[:, 0], pts[:, 1], color=class_color(k), edgecolors="black", s=25,
               label=class_name(k))
ax.set(xlabel="x₁", ylabel="x₂",
       title="softmax regression: the class with the largest logit")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Labels ±1: the hinge (max-margin) loss
#
# Support-vector machines, and some classic neural-network demos, use labels y = ±1, a
# score z (a logit, without a probability attached) and the **hinge loss**
#
# L = max(0, 1 − y·z),
#
# which is 0 once the **margin** y·z reaches 1 (the sample is on the right side, with room
# to spare) and grows linearly below. Its gradient is ∂L/∂z = −y for y·z < 1 and exactly 0
# beyond (at y·z = 1, 0, PyTorch's choice for the kink, as for ReLU): a sample classified
# with margin contributes **nothing** to the next step, unlike with cross-entropy, where
# p − y is never exactly 0. `nn.hinge_loss(scores, labels)` is the mean over the samples:

# %%
scores = [nn.Neuron(2, activation="linear", seed=0)(x) for x in X2[:4]]
labels_pm = [1.0 if t == 1.0 else -1.0 for t in y2[:4]]
hinge = nn.hinge_loss(scores, labels_pm)
hinge.backward()
for z, t in zip(scores, labels_pm):
    margin = t * z.data
    expected = -t / 4 if margin < 1 else 0.0
    print(f"y = {t:+.0f}  z = {z.data:7.4f}  margin y·z = {margin:7.4f}  "
          f"max(0, 1 − y·z) = {max(0.0, 1 - margin):.4f}   ∂L/∂z = {z.grad:7.4f} "
          f"(by hand {expected:.4f})")
    assert z.grad == expected
print(f"mean: {hinge.data:.4f}")

# %% [markdown]
# A note on the classic demo. Karpathy's micrograd trains `MLP(2, [16, 16, 1])` (ReLU) on
# 100 points of two moons with this loss on ±1 labels plus an L2 penalty α·Σw² (α = 10⁻⁴),
# by plain gradient descent on all samples at once, with a learning rate that decays
# linearly from 1.0 to about 0.1 over its 100 steps. In stepgrad the same recipe is
# `nn.fit(model, X, y, loss_fn, nn.SGD(model.parameters(), lr=1.0), epochs=100,
# lr_schedule=lambda epoch: 1.0 - 0.9 * epoch / 100)` with the penalty added inside
# `loss_fn` (notebook 9 explains the penalty; `make demo` trains this model).
#
# ## What to remember
#
# - MSE for regression; binary cross-entropy (on a sigmoid, or on the logit) for two
#   classes; cross-entropy over a softmax for several; hinge for ±1 labels with a margin.
# - Each cross-entropy is the negative log-probability of the right answer; MSE is the
#   squared distance to it.
# - Their error signals at the output are 2(ŷ − y)/n, (σ(z) − y)/n, (p − onehot)/n and
#   −y/n or 0: with σ or softmax and cross-entropy, the prediction minus the answer.
#
# Previous: [6 · Momentum, Adam, and the shape of the loss](06_momentum_adam_and_nonconvexity.ipynb) ·
# Next: [8 · Second derivatives: Newton vs gradient descent](08_newton_and_second_derivatives.ipynb).
