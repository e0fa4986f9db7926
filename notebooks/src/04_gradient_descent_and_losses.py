# %% [markdown]
# # 4 · Gradient-descent variants and losses
#
# Every training loop repeats w ← w − η · ∂L/∂w. This notebook varies the pieces of that
# line and looks at what changes:
#
# 1. **which samples** make up L at each step: all of them (batch), one (stochastic), or a
#    few (mini-batch);
# 2. **the learning rate η**: too small, right, too large;
# 3. **the update rule** (the optimizer): plain SGD, SGD with momentum, Adam;
# 4. **the loss** L itself: mean squared error for regression, binary cross-entropy for two
#    classes, cross-entropy over a softmax for three;
# 5. and why the starting point matters: the loss surface of a network is not convex.
#
# Everything is seeded, so every number below comes out the same on every run. (No
# wall-clock time is shown: those differ from machine to machine and run to run.)
#
# A word on names: *stochastic* gradient descent means a batch of one sample per step. The
# optimizer `nn.SGD` (named after PyTorch's `torch.optim.SGD`) only applies the update
# w ← w − η·∂L/∂w (plus momentum, if asked); it works the same whatever the batch size, so
# it does batch, mini-batch and stochastic gradient descent alike.

# %%
import math
import random

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs, make_moons

import nn
from engine import Value, hessian, no_grad

plt.rcParams["figure.dpi"] = 80     # a little smaller than the default: many pictures below

# %% [markdown]
# ## 1. Batch, stochastic and mini-batch gradient descent
#
# A problem like notebook 3's: 60 points of two moons and an `MLP(2, [6, 6, 1])`, trained
# here with the max-margin (hinge) loss max(0, 1 − y·s) on labels y = ±1, the loss of
# classic demos. One **epoch** is one pass over the 60 samples; how they are grouped decides
# how many **steps** (updates) an epoch makes:
#
# | variant | samples per step | steps per epoch |
# |---|---|---|
# | batch | all 60 | 1 |
# | mini-batch | 10 | 6 |
# | stochastic | 1 | 60 |
#
# `nn.batches(n, batch_size, seed=...)` makes the groups. All three start from the same
# initial weights and use the same optimizer, `nn.SGD` without momentum, with the same
# η = 0.05, for 20 epochs. After every epoch the loss on all samples is measured.

# %%
X_np, labels = make_moons(n_samples=60, noise=0.1, random_state=1)
X = X_np.tolist()
y = [1.0 if label == 1 else -1.0 for label in labels]


def full_loss(model):
    with no_grad():
        return nn.hinge_loss([model(x) for x in X], y).data


def train(batch_size, epochs=20, lr=0.05, seed=0):
    model = nn.MLP(2, [6, 6, 1], seed=seed)
    optimizer = nn.SGD(model.parameters(), lr=lr)
    per_epoch, per_step = [full_loss(model)], []
    for epoch in range(epochs):
        for batch in nn.batches(len(X), batch_size, seed=epoch):
            loss = nn.hinge_loss([model(X[i]) for i in batch], [y[i] for i in batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            per_step.append(loss.data)
        per_epoch.append(full_loss(model))
    return {"epoch": per_epoch, "step": per_step}


variants = {"batch (60)": None, "mini-batch (10)": 10, "stochastic (1)": 1}
runs = {name: train(size) for name, size in variants.items()}

print(f"{'variant':16} {'steps':>6} {'loss after 20 epochs':>22}")
for name, run in runs.items():
    print(f"{name:16} {len(run['step']):6} {run['epoch'][-1]:22.4f}")

# %% [markdown]
# The loss of each step's own batch is noisy for small batches: a single sample's loss
# jumps between 0 and more than 1. To compare the three, the right-hand plot averages it
# over a window of one epoch (the last 60 samples' worth of steps: 1 step for batch, 6 for
# mini-batch, 60 for stochastic), drawn against the epoch; the raw stochastic losses are
# the faint dots.

# %%
def running_mean(values, window):
    """The mean of the last `window` values at each position (fewer at the start)."""
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.8))
stochastic = runs["stochastic (1)"]["step"]
right.plot([(k + 1) / len(X) for k in range(len(stochastic))], stochastic, ".",
           ms=2, color="tab:green", alpha=0.25)
for name, run in runs.items():
    steps_per_epoch = len(run["step"]) // 20
    left.plot(run["epoch"], "o-", ms=3, label=name)
    right.plot([(k + 1) / steps_per_epoch for k in range(len(run["step"]))],
               running_mean(run["step"], steps_per_epoch), lw=1.5, label=name)
left.set(xlabel="epoch", ylabel="loss on all samples",
         title="per epoch: same work, different progress")
right.set(xlabel="epoch", ylabel="batch loss, mean over one epoch",
          title="per step, averaged over an epoch's steps", ylim=(0, 1.6))
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# What to see:
#
# - Per epoch, each variant computes the same number of per-sample gradients (60), so the
#   work per epoch is about the same; stochastic descent also pays for 60 parameter updates
#   per epoch instead of one.
# - Batch gradient descent makes one careful step per epoch and, with this η, moves slowly
#   in 20 epochs. Mini-batch and stochastic make 6× and 60× more steps from the same work,
#   and get further.
# - The price is **noise**: each stochastic step follows one sample's gradient, not the
#   average, and that sample's loss (the faint dots) jumps around. Mini-batches average
#   that noise over 10 samples, which is why they are the usual choice.
#
# ## 2. The learning rate
#
# Fit a straight line ŷ = w·x + b to 30 noisy points of y = 2x + 1 with the mean squared
# error, by batch gradient descent, with four learning rates. A single linear neuron,
# `nn.Neuron(1, activation="linear")`, is exactly ŷ = w·x + b.

# %%
rng = random.Random(0)
xs_line = [rng.uniform(-1, 1) for _ in range(30)]
ys_line = [2 * x + 1 + rng.gauss(0, 0.2) for x in xs_line]


def fit_line(lr, steps=25):
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
left.set(xlim=(-1.5, 4.5), ylim=(-1.5, 3.0), xlabel="w", ylabel="b",
         title="first 8 steps from (−1, −1); ★ = y = 2x + 1")
left.legend(fontsize=8, loc="upper left")
right.set(xlabel="step", ylabel="MSE (log scale)", title="loss per step")
right.legend(fontsize=8)
right.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# Why 1.0 diverges and 0.85 does not: the loss is a bowl whose steepest curvature (the
# second derivative along the steepest direction, the largest eigenvalue of the Hessian) is
# λ = 2.13 here, as computed below, and a gradient step multiplies the distance to the
# minimum along that direction by (1 − η·λ).
# For η·λ < 2 that factor is smaller than 1 in size and the steps converge (with a sign
# flip, a zig-zag, when η·λ > 1); beyond, each step overshoots further than the last.
# Check λ with stepgrad's Hessian: for this loss it is the same at every point.

# %%
def line_mse(w, b):
    return nn.mse_loss([w * x + b for x in xs_line], ys_line)


H = hessian(line_mse, [0.0, 0.0])
eigenvalues = np.linalg.eigvalsh(np.array(H))
print("Hessian of the MSE in (w, b):", np.round(H, 3).tolist())
print(f"curvatures λ: {eigenvalues.round(3).tolist()}")
print(f"gradient descent converges for η < 2/λ_max = {2 / eigenvalues.max():.3f}")
assert f"{eigenvalues.max():.2f}" == "2.13"          # the value quoted in the text above

# %% [markdown]
# ## 3. Momentum and Adam
#
# Plain SGD steps along −∂L/∂w. Two widely used refinements:
#
# - **momentum** keeps a velocity v ← μ·v + ∂L/∂w and steps w ← w − η·v: it averages the
#   gradients of recent steps, so that consistent directions build up speed and
#   zig-zags cancel out;
# - **Adam** divides each parameter's (averaged) gradient by a running average of its size,
#   so that every parameter moves at a similar pace, whatever the scale of its gradient.
#
# First on a function whose two directions have very different curvatures, a narrow
# valley: f(p, q) = ½(p² + 50 q²), from (−4, 1). Plain SGD must keep η below 2/50 = 0.04
# so as not to diverge along q, and then crawls along p.

# %%
def valley(p, q):
    return 0.5 * (p * p + 50 * q * q)


def descend(make_optimizer, steps=100):
    p, q = Value(-4.0), Value(1.0)
    optimizer = make_optimizer([p, q])
    path, losses = [], []
    for _ in range(steps + 1):
        path.append((p.data, q.data))
        loss = valley(p, q)
        losses.append(loss.data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return path, losses


optimizers = {
    "SGD, η = 0.035": lambda params: nn.SGD(params, lr=0.035),
    "SGD + momentum 0.8, η = 0.02": lambda params: nn.SGD(params, lr=0.02, momentum=0.8),
    "Adam, η = 0.3": lambda params: nn.Adam(params, lr=0.3),
}
valley_runs = {name: descend(make) for name, make in optimizers.items()}
for name, (path, losses) in valley_runs.items():
    print(f"{name:30} f after 20 steps: {losses[20]:8.4f}   after 100: {losses[-1]:.1e}")

# %%
P, Q = np.meshgrid(np.linspace(-4.5, 1.5, 200), np.linspace(-1.3, 1.3, 200))
fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 4))
left.contour(P, Q, 0.5 * (P ** 2 + 50 * Q ** 2), levels=np.logspace(-2, 1.6, 12),
             cmap="Greys", linewidths=0.8)
for name, (path, losses) in valley_runs.items():
    left.plot(*zip(*path[:40]), "o-", ms=2.5, lw=1, label=name)
    right.semilogy(losses, label=name)
left.set(xlabel="p", ylabel="q", title="first 40 steps on f = ½(p² + 50q²)")
left.legend(fontsize=8)
right.set(xlabel="step", ylabel="f (log scale)", title="loss per step")
right.legend(fontsize=8)
right.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# SGD zig-zags across the valley at first and then creeps along it, closing only
# η·1 = 3.5% of the remaining distance along p per step. Momentum builds up speed along
# the valley floor (it overshoots and swings back, as a ball would) and gets there far
# sooner. Adam takes steps of about η in each coordinate whatever the gradient's size, so
# both directions move at once; near the bottom its steps shrink as the averaged gradient
# changes sign and cancels out.
#
# The same three optimizers on the two-moons network, mini-batches of 10, from the same
# start:

# %%
def train_moons(make_optimizer, epochs=15, seed=0):
    model = nn.MLP(2, [6, 6, 1], seed=seed)
    optimizer = make_optimizer(model.parameters())
    curve = [full_loss(model)]
    for epoch in range(epochs):
        nn.fit(model, X, y, nn.hinge_loss, optimizer, epochs=1, batch_size=10, seed=epoch,
               progress=False)
        curve.append(full_loss(model))
    return curve


moon_optimizers = {
    "SGD, η = 0.05": lambda params: nn.SGD(params, lr=0.05),
    "SGD + momentum 0.9, η = 0.05": lambda params: nn.SGD(params, lr=0.05, momentum=0.9),
    "Adam, η = 0.03": lambda params: nn.Adam(params, lr=0.03),
}
moon_curves = {name: train_moons(make) for name, make in moon_optimizers.items()}

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, curve in moon_curves.items():
    ax.plot(curve, "o-", ms=3, label=f"{name}: {curve[-1]:.3f}")
ax.set(xlabel="epoch", ylabel="hinge loss on all samples",
       title="two moons, MLP(2, [6, 6, 1])")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# Here `nn.fit` runs one epoch of the training loop per call (forward, loss, `zero_grad`,
# `backward`, `step` for each mini-batch; `progress=False` turns its progress bar off).
#
# ## 4. Losses
#
# The loss turns "how wrong is the model" into one number whose gradient says how to
# improve. Which loss fits depends on what the model predicts.
#
# ### Regression: mean squared error
#
# For real-valued targets, MSE = (1/n) Σ (ŷᵢ − yᵢ)². Fit a noisy sine with a small tanh
# network, `MLP(1, [8, 1], activation="tanh")`, by full-batch Adam. First the loss by
# hand on the untrained model's first three predictions, and the **error signal** that
# `backward()` sends into each prediction: ∂MSE/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n.

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
      f"{history['loss'][-1]:.4f} after 150 steps (the noise alone has variance 0.01)")

# %%
grid = np.linspace(-3.3, 3.3, 200)
with no_grad():
    fitted = [regressor([float(x)]).data for x in grid]
fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.6))
left.plot(xs_sine, ys_sine, "o", ms=4, label="data: sin(x) + noise")
left.plot(grid, np.sin(grid), "--", color="gray", label="sin(x)")
left.plot(grid, fitted, lw=2, label="MLP(1, [8, 1]), tanh")
left.set(xlabel="x", ylabel="y", title="regression with MSE")
left.legend()
right.semilogy(history["loss"])
right.set(xlabel="step (full batch)", ylabel="MSE (log scale)", title="training loss")
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Two classes: binary cross-entropy
#
# For a yes/no answer, let the model output a probability p = σ(z) = 1/(1 + e⁻ᶻ) that the
# class is 1 (a sigmoid neuron is **logistic regression**). The binary cross-entropy, or log
# loss, of a sample with label y ∈ {0, 1} is
#
# −[y·log p + (1 − y)·log(1 − p)],
#
# the negative log of the probability the model gave to the right answer: near 0 for a
# confident right answer, large for a confident wrong one. By hand on three samples, and
# the error signal: the graph remembers z, the sigmoid's input (`p.inputs[0]`), and
# `backward()` gives it ∂L/∂z = (σ(z) − y)/n, the predicted probability minus the label
# (divided by n, because the loss is a mean):

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
loss.backward()
for p, t in zip(probs, y2[:3]):
    z = p.inputs[0]                                  # the input of the sigmoid
    print(f"z = {z.data:7.4f}  y = {t:.0f}   ∂L/∂z from backward() = {z.grad:8.4f}   "
          f"(σ(z) − y)/n = {(p.data - t) / 3:8.4f}")
    assert math.isclose(z.grad, (p.data - t) / 3, rel_tol=1e-9)
classifier.zero_grad()

# %% [markdown]
# `nn.binary_cross_entropy_with_logits(z, y)` computes the same from z before the sigmoid,
# in a way that never overflows (notebook 3 trains with it), with the same gradient
# (σ(z) − y)/n. Train the sigmoid neuron (50 epochs of mini-batches of 10, `nn.SGD`):

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
shade = ax.contourf(xs, ys, Pgrid, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.6)
ax.contour(xs, ys, Pgrid, levels=[0.5], colors="black")
ax.scatter(X2_np[:, 0], X2_np[:, 1], c=y2, cmap="coolwarm", edgecolors="black", s=25)
fig.colorbar(shade, ax=ax, label="p = σ(w·x + b)")
ax.set(xlabel="x₁", ylabel="x₂", title="logistic regression: p = 0.5 on the black line")
plt.show()

# %% [markdown]
# ### Three classes: cross-entropy over a softmax
#
# With several classes the model outputs one score (logit) zₖ per class k, and the
# **softmax** turns them into probabilities pₖ = exp(zₖ) / Σⱼ exp(zⱼ), positive and summing
# to 1. The cross-entropy of a sample whose true class is c is −log p_c: again the negative
# log of the probability given to the right answer. Here a layer of
# three linear neurons, `MLP(2, [3])`, gives the logits (softmax regression). By hand for
# one sample:

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
# Train it and draw the three regions; a sample goes to the class with the largest logit
# (notebook 7 does this with a hidden layer, on data no straight lines can separate):

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
            colors=["#9ecae1", "#fdae6b", "#a1d99b"], alpha=0.7)
for k, colour in enumerate(["#3182bd", "#e6550d", "#31a354"]):
    pts = X3_np[y3_np == k]
    ax.scatter(pts[:, 0], pts[:, 1], color=colour, edgecolors="black", s=25,
               label=f"class {k}")
ax.set(xlabel="x₁", ylabel="x₂",
       title="softmax regression: the class with the largest logit")
ax.legend()
plt.show()

# %% [markdown]
# ## 5. The loss surface is not convex: the start matters
#
# For a linear model with MSE (section 2) the loss is a bowl: one minimum, reached from
# anywhere. A network's loss is not: it has many valleys, flat regions and saddles, and
# where gradient descent ends up depends on where it starts and on how it moves.
#
# A one-dimensional picture: f(w) = w⁴ − 3w² + w has a deep minimum near w = −1.30 and a
# shallow one near w = 1.13. Gradient descent (η = 0.01) started at w = 2 settles in the
# shallow one; with momentum 0.9, the speed it gathers on the way down carries it over the
# hump into the deep one.

# %%
def f(w):
    return w ** 4 - 3 * w ** 2 + w


def run_1d(w0, momentum, steps=150):
    w = Value(w0)
    optimizer = nn.SGD([w], lr=0.01, momentum=momentum)
    path = [w.data]
    for _ in range(steps):
        optimizer.zero_grad()
        f(w).backward()
        optimizer.step()
        path.append(w.data)
    return path


runs_1d = {
    "SGD from w = 2": run_1d(2.0, 0.0),
    "SGD + momentum 0.9 from w = 2": run_1d(2.0, 0.9),
    "SGD from w = −0.5": run_1d(-0.5, 0.0),
}
grid = np.linspace(-2.0, 2.1, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.6))
left.plot(grid, grid ** 4 - 3 * grid ** 2 + grid, color="gray")
for name, path in runs_1d.items():
    left.plot(path, [f(Value(w)).data for w in path], "o", ms=3, alpha=0.6,
              label=f"{name} → {path[-1]:.2f}")
    right.plot(path, label=name)
left.set(xlabel="w", ylabel="f(w)", title="f(w) = w⁴ − 3w² + w")
left.legend(fontsize=8)
right.set(xlabel="step", ylabel="w", title="where each run goes")
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# The same happens with networks: the initial weights, drawn at random, decide which
# valley training falls into. The two-moons network trained identically from three seeds
# (mini-batches of 10, Adam with η = 0.03, 15 epochs):

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.6))
finals = []
for seed in range(3):
    curve = train_moons(lambda params: nn.Adam(params, lr=0.03), seed=seed)
    finals.append(curve[-1])
    ax.plot(curve, "o-", ms=2.5, label=f"seed {seed}: final loss {curve[-1]:.3f}")
ax.set(xlabel="epoch", ylabel="hinge loss on all samples",
       title="same model and data, three initialisations")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()
print(f"final losses from {min(finals):.3f} to {max(finals):.3f}")

# %% [markdown]
# Same data, same model, same optimizer and number of steps: only the random start differs,
# and the runs take different paths and end at different losses. In general some starts
# train quickly, while others stall in a flat region or settle higher (for instance with
# ReLU neurons that are switched off for every sample: they pass no gradient and never
# recover). This is why initialisation schemes, momentum, adaptive methods such as Adam and
# simply trying several seeds matter in practice.
#
# ## What to remember
#
# - Batch, mini-batch and stochastic gradient descent do the same work per epoch; smaller
#   batches take more, noisier steps. Mini-batches are the usual compromise. The optimizer
#   (`nn.SGD`, `nn.Adam`) is a separate choice from the batch size.
# - The learning rate must be below 2/λ for the steepest curvature λ, or training diverges;
#   far below, and it crawls.
# - Momentum averages gradients over steps; Adam also scales each parameter's step. Both
#   help in narrow valleys.
# - MSE for regression; binary cross-entropy (on a sigmoid) for two classes; cross-entropy
#   over a softmax for several. Each is the negative log-probability of the right answer,
#   except MSE, which is the squared distance to it. Their error signals at the output are
#   2(ŷ − y)/n, (σ(z) − y)/n and (p − onehot)/n.
# - Networks have non-convex losses: the start and the optimizer decide where training ends.
#
# Previous: [3 · Training an MLP on two moons](03_mlp_two_moons.ipynb) ·
# Next: [5 · Second derivatives: Newton's method vs gradient descent](05_newton_and_second_derivatives.ipynb).
