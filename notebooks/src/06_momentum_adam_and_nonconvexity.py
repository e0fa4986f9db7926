# %% [markdown]
# # 6 · Momentum, Adam, and the shape of the loss
#
# Notebook 5 varied what each step looks at and how long it is. This notebook changes the
# update rule itself, and then looks at why the start of training matters:
#
# 1. **momentum**: one step with its numbers, then on a narrow valley and on the network;
# 2. **Adam**;
# 3. the loss of a network is **not convex**: what that means, why, and what it does to
#    training from different starts;
# 4. the **scale** of the initial weights.
#
# The network and data are notebook 4's unless said otherwise: `MLP(2, [8, 8, 1])` with tanh
# neurons, binary cross-entropy on the logit, 100 points of two moons.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from sklearn.datasets import make_moons

import nn
from engine import Value, check_answer, hessian, no_grad
from nn.viz.palette import NEGATIVE, NEUTRAL, POSITIVE, class_color, class_name

P_COLOURS = LinearSegmentedColormap.from_list("p", [NEGATIVE, NEUTRAL, POSITIVE])

X_np, labels = make_moons(n_samples=100, noise=0.1, random_state=1)
X = X_np.tolist()
y = [float(label) for label in labels]


def full_loss(model):
    """The loss on all 100 samples, without recording a graph."""
    with no_grad():
        return nn.binary_cross_entropy_with_logits([model(x) for x in X], y).data


# %% [markdown]
# ## 1. Momentum
#
# Plain gradient descent steps along the current gradient g = ∂L/∂w. **Momentum** keeps a
# velocity v, one number per parameter, and steps along it:
#
# v ← μ·v + g,    w ← w − η·v
#
# (PyTorch's rule, and `nn.SGD(params, lr=η, momentum=μ)`'s; v starts as the first g). v
# *adds up* the recent gradients, each older one weighted by one more factor μ. Where the
# gradient keeps its direction, v grows toward g·(1 + μ + μ² + …) = g/(1 − μ): with μ = 0.9
# the step becomes 10 times η·g. So the **effective step** of momentum is η/(1 − μ), and a
# fair comparison with plain descent uses equal effective steps. Where the gradient flips
# sign from step to step (a zig-zag), the terms of v cancel instead.
#
# ### One step, with the numbers
#
# A function of two weights whose two directions have very different curvatures, a narrow
# valley: f(w₁, w₂) = ½(w₁² + 50 w₂²), with gradient (w₁, 50 w₂). From (−4, 1), with μ = 0.8
# and η = 0.02, two steps by hand and by `nn.SGD`:

# %%
def valley(w1, w2):
    return 0.5 * (w1 * w1 + 50 * w2 * w2)


mu, eta = 0.8, 0.02
w_hand, v_hand = [-4.0, 1.0], None
w = [Value(-4.0), Value(1.0)]
optimizer = nn.SGD(w, lr=eta, momentum=mu)
for step in (1, 2):
    g = [w_hand[0], 50 * w_hand[1]]                      # the gradient, by hand
    v_hand = g if v_hand is None else [mu * vi + gi for vi, gi in zip(v_hand, g)]
    w_hand = [wi - eta * vi for wi, vi in zip(w_hand, v_hand)]
    print(f"step {step}: g = ({g[0]:g}, {g[1]:g})   v = μ·v + g = ({v_hand[0]:g}, {v_hand[1]:g})"
          f"   w = w − η·v = ({w_hand[0]:g}, {w_hand[1]:g})")
    optimizer.zero_grad()
    valley(*w).backward()
    optimizer.step()
    assert all(math.isclose(a.data, b, rel_tol=1e-12, abs_tol=1e-15) for a, b in zip(w, w_hand))
print("nn.SGD(momentum=0.8) after two steps:", [round(v.data, 6) for v in w],
      "  its velocity:", [round(b, 6) for b in optimizer.buffers])
print(f"step 2 along w₁: momentum moved {w_hand[0] - (-3.92):.4f}; plain descent would move "
      f"η·|g| = {eta * 3.92:.4f}")

# %% [markdown]
# At step 2 the gradient across the valley (w₂) is already 0, but v still carries 40 of
# the first step's 50, so w₂ overshoots to −0.8; along the valley (w₁) the two gradients add
# up to a step of 0.1424 where plain descent would take 0.0784.
#
# **Your turn.** Compute step 3 by hand: the gradient at (−3.7776, −0.8), then v, then the new
# w₂. Type w₂ and run the cell.
#
# <details><summary>Answer</summary>
#
# g = (−3.7776, −40); v = 0.8·(−7.12, 40) + g = (−9.4736, −8); w = w − 0.02·v =
# (−3.588128, −0.64). So w₂ = −0.64: the velocity has turned back toward the valley floor.
# </details>

# %%
optimizer.zero_grad()
valley(*w).backward()
optimizer.step()                                    # step 3, by the optimizer
assert [round(b, 6) for b in optimizer.buffers] == [-9.4736, -8.0]          # the answer
assert [round(v.data, 6) for v in w] == [-3.588128, -0.64]
your_w2 = None
check_answer(your_w2, w[1].data)

# %% [markdown]
# ### On the narrow valley
#
# Plain descent must keep η below 2/50 = 0.04 (notebook 5: 2 over the steepest curvature,
# here 50) or it diverges across the valley, and with such a small η it crawls along the
# valley's floor, whose curvature is 1. Momentum at η = 0.02 and μ = 0.8 has the effective
# step 0.02/(1 − 0.8) = 0.1 along the floor, where the gradient keeps its sign; plain descent
# with that step diverges. 100 steps of each from (−4, 1):

# %%
def descend(make_optimizer, steps=100):
    w1, w2 = Value(-4.0), Value(1.0)
    optimizer = make_optimizer([w1, w2])
    path, losses = [], []
    for _ in range(steps + 1):
        path.append((w1.data, w2.data))
        loss = valley(w1, w2)
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
_, too_big = descend(lambda params: nn.SGD(params, lr=0.1), steps=10)
print(f"{'SGD, η = 0.1 (the same step)':30} f after 10 steps: {too_big[-1]:.3g}: diverging")

# %%
P, Q = np.meshgrid(np.linspace(-4.5, 1.5, 200), np.linspace(-1.3, 1.3, 200))
fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 4))
left.contour(P, Q, 0.5 * (P ** 2 + 50 * Q ** 2), levels=np.logspace(-2, 1.6, 12),
             cmap="Greys", linewidths=0.8)
for name, (path, losses) in valley_runs.items():
    left.plot(*zip(*path[:40]), "o-", ms=2.5, lw=1, label=name)
    right.semilogy(losses, label=name)
left.set(xlabel="w₁", ylabel="w₂", title="first 40 steps on f = ½(w₁² + 50w₂²)")
left.legend(fontsize=9)
right.set(xlabel="step", ylabel="f (log scale)", title="loss per step")
right.legend(fontsize=9)
right.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# SGD zig-zags across the valley at first and then creeps along it, closing only
# η·1 = 3.5% of the remaining distance along w₁ per step. Momentum builds up speed along the
# valley floor (it overshoots and swings back, as a ball would) and gets there far sooner:
# its zig-zags across the valley cancel in v, while its steps along the floor add up.
#
# ## 2. Adam
#
# **Adam** keeps two running averages per parameter: m of the gradient and s of its square,
#
# m ← β₁·m + (1 − β₁)·g,   s ← β₂·s + (1 − β₂)·g²,   w ← w − η · m̂ / (√ŝ + ε),
#
# where m̂ = m/(1 − β₁ᵗ) and ŝ = s/(1 − β₂ᵗ) correct the averages' start from 0 at step t
# (`nn.Adam`'s defaults, PyTorch's: β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸). Dividing by √ŝ, the
# typical size of the gradient, makes every parameter move about η per step, whatever the
# scale of its own gradient. At the first step m̂ = g and √ŝ = |g|, so each parameter moves
# by exactly η against the sign of its gradient, as the valley's first step shows:

# %%
path, _ = valley_runs["Adam, η = 0.3"]
print(f"start {path[0]},  after Adam's first step ({path[1][0]:.6g}, {path[1][1]:.6g})")
assert all(math.isclose(a - b, 0.3 * s, rel_tol=1e-6) for a, b, s in zip(path[0], path[1], (-1, 1)))

# %% [markdown]
# On the valley, Adam moves both directions at once, by about η each (its path in the plot
# above runs diagonally at first); near the bottom its steps shrink as the averaged gradient
# changes sign and cancels out.
#
# ### On the network
#
# The same optimizers on notebook 4's training (mini-batches of 10, 20 epochs, the same
# start): plain SGD at η = 0.05, momentum 0.9 at η = 0.05 (effective step 0.5), plain SGD at
# η = 0.5 (the same effective step), and Adam at η = 0.03.

# %%
def train_moons(make_optimizer, epochs=20, seed=0):
    model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=seed)
    optimizer = make_optimizer(model.parameters())
    curve = [full_loss(model)]
    for epoch in range(epochs):
        nn.fit(model, X, y, nn.binary_cross_entropy_with_logits, optimizer, epochs=1,
               batch_size=10, seed=epoch, progress=False)
        curve.append(full_loss(model))
    return curve


moon_optimizers = {
    "SGD, η = 0.05": lambda params: nn.SGD(params, lr=0.05),
    "SGD + momentum 0.9, η = 0.05": lambda params: nn.SGD(params, lr=0.05, momentum=0.9),
    "SGD, η = 0.5": lambda params: nn.SGD(params, lr=0.5),
    "Adam, η = 0.03": lambda params: nn.Adam(params, lr=0.03),
}
moon_curves = {name: train_moons(make) for name, make in moon_optimizers.items()}

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, curve in moon_curves.items():
    ax.semilogy(curve, "o-", ms=3, label=f"{name}: {curve[-1]:.3f}")
    print(f"{name:30} loss after 20 epochs {curve[-1]:.4f}")
ax.set(xlabel="epoch", ylabel="loss on all samples (log scale)",
       title="two moons, MLP(2, [8, 8, 1])")
ax.legend(fontsize=9)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# Against plain descent at the same η = 0.05, momentum looks far better; against plain
# descent at its effective step 0.5, it is about the same here. On this network, what
# momentum buys is mostly its larger effective step; in narrow valleys, as above, it also
# allows that step where plain descent at the same size would diverge. (`nn.fit` here runs
# one epoch of the training loop per call; `progress=False` turns its progress bar off.)
#
# ## 3. The loss of a network is not convex
#
# A function is **convex** when the straight line between any two of its points lies on or
# above its graph: a bowl. A convex loss has one valley, and gradient descent with a small
# enough step reaches its bottom from anywhere: the line fit of notebook 5 is one. A
# network's loss is not convex, for two reasons:
#
# - **Symmetry.** Swap two hidden neurons of a layer (their incoming weights and bias, and
#   their outgoing weights): the network computes exactly the same function, so the loss is
#   the same at both parameter vectors. If one is a minimum, so is the other. Halfway
#   between them, both neurons get the *average* of the two, become identical, and the
#   network loses one neuron's worth of shape: the loss there is higher. A bowl cannot have
#   two separate lowest points with a hump between them. (With tanh, flipping the sign of
#   all of a neuron's weights, incoming and outgoing, is another such symmetry.)
# - **Products of weights.** A signal passes through one weight after another, so the output
#   depends on products of weights, and a product is not convex: the tiniest "network",
#   ŷ = w₂·w₁·x with x = 1, y = 1 and the loss (w₁w₂ − 1)², has its minima on the whole curve
#   w₁w₂ = 1, including (1, 1) and (−1, −1), while their midpoint (0, 0) has loss 1.
#   The non-linear activations between the layers bend the surface further.
#
# The tiny example drawn, with stepgrad's gradient and Hessian at the three points:

# %%
def product_loss(w1, w2):
    return (w1 * w2 - 1) ** 2


for point in ([1.0, 1.0], [-1.0, -1.0], [0.0, 0.0]):
    values = [Value(t) for t in point]
    loss = product_loss(*values)
    loss.backward()
    curvature = np.linalg.eigvalsh(np.array(hessian(product_loss, point)))
    print(f"(w₁, w₂) = ({point[0]:+g}, {point[1]:+g}):  L = {loss.data:g},  "
          f"∇L = ({values[0].grad:g}, {values[1].grad:g}),  "
          f"Hessian eigenvalues {curvature.round(3).tolist()}")

A, B = np.meshgrid(np.linspace(-2, 2, 201), np.linspace(-2, 2, 201))
fig, ax = plt.subplots(figsize=(4.8, 4.2))
shade = ax.contourf(A, B, (A * B - 1) ** 2, levels=np.linspace(0, 6, 13), cmap="Greys_r")
ax.plot([1, -1], [1, -1], "*", ms=13, color="tab:green", label="two minima, L = 0")
ax.plot([0], [0], "o", ms=8, color="tab:red", label="their midpoint, L = 1")
ax.plot([-1, 1], [-1, 1], "--", color="tab:red", lw=1)
fig.colorbar(shade, ax=ax, label="L = (w₁w₂ − 1)²")
ax.set(xlabel="w₁", ylabel="w₂", aspect="equal", title="the loss of ŷ = w₂·w₁·x")
ax.legend(loc="lower right", fontsize=8)
plt.show()

# %% [markdown]
# At (0, 0) the gradient is 0 but it is not a minimum: the Hessian has a negative
# eigenvalue, so the loss falls along one direction and rises along the other, a **saddle
# point**. Gradient descent started exactly there would never move; started near it, it
# moves off slowly, because the gradient is small there. Networks have many such points
# and flat regions (**plateaus**), and, less often, valleys that are not the lowest.
#
# ### A one-dimensional picture: which valley, and momentum
#
# f(w) = w⁴ − 3w² + w has a deep minimum near w = −1.30, a shallow one near w = 1.13, and a
# hump between them near w = 0.17. Start at w = 2 and compare plain descent with momentum
# 0.9 at **equal effective steps** η/(1 − μ) = 0.01, 0.05 and 0.1:
#
# **Predict before you run:** at which effective steps will plain descent end in the deep
# minimum, and at which will momentum?
#
# <details><summary>Answer</summary>
#
# At 0.01 both stay in the shallow minimum. At 0.05 plain descent stays there too, while
# momentum's velocity carries it over the hump into the deep one. At 0.1 both end in the
# deep one, plain descent because its first step is so long that it jumps over the hump
# (from w = 2 to w = −0.1) at once.
# </details>

# %%
def f(w):
    return w ** 4 - 3 * w ** 2 + w


def run_1d(lr, momentum, w0=2.0, steps=300):
    w = Value(w0)
    optimizer = nn.SGD([w], lr=lr, momentum=momentum)
    path = [w.data]
    for _ in range(steps):
        optimizer.zero_grad()
        f(w).backward()
        optimizer.step()
        path.append(w.data)
    return path


print("f′(w) = 4w³ − 6w + 1 = 0 at w =", sorted(np.roots([4, 0, -6, 1]).round(4).tolist()))
print(f"{'effective step':>14}   {'plain descent ends at':>22}   {'momentum 0.9 ends at':>21}")
runs_1d = {}
for effective in (0.01, 0.05, 0.1):
    plain = run_1d(effective, 0.0)
    heavy = run_1d(effective * (1 - 0.9), 0.9)
    runs_1d[effective] = (plain, heavy)
    print(f"{effective:14}   {plain[-1]:22.4f}   {heavy[-1]:21.4f}    "
          f"(plain's first step: 2 → {plain[1]:.3f})")

grid = np.linspace(-2.0, 2.1, 200)
fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.6))
left.plot(grid, grid ** 4 - 3 * grid ** 2 + grid, color="gray")
plain, heavy = runs_1d[0.05]
for name, path in (("plain, η = 0.05", plain), ("momentum 0.9, η = 0.005", heavy)):
    left.plot(path[:60], [f(w) for w in path[:60]], "o", ms=3, alpha=0.6,
              label=f"{name} → {path[-1]:.2f}")
    right.plot(path, label=name)
left.set(xlabel="w", ylabel="f(w)", title="f(w) = w⁴ − 3w² + w, effective step 0.05")
left.legend(fontsize=9)
right.set(xlabel="step", ylabel="w", title="where each run goes")
right.legend(fontsize=9)
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# So momentum can cross a hump that plain descent with the same effective step does not: its
# velocity keeps it going while the gradient points back uphill for a few steps. But it is
# no guarantee of reaching the deepest valley, and a long plain step can jump just as well.
#
# ### Networks from different starts, trained to a plateau
#
# The starting weights are random, so each seed starts somewhere else on this surface. A
# small ReLU network, `MLP(2, [3, 1])` (ReLU as in notebook 3), trained from three seeds with
# the same data, loss and optimizer (all 100 samples per step, Adam with η = 0.05), for 400
# steps: long enough that each loss has stopped moving.

# %%
def dead_neurons(model):
    """The hidden ReLU neurons that output 0 for every sample (notebook 3)."""
    with no_grad():
        return [k + 1 for k, n in enumerate(model.layers[0].neurons)
                if all(n(x).data == 0 for x in X)]


starts = {}
for seed in (0, 3, 6):
    model = nn.MLP(2, [3, 1], seed=seed)
    history = nn.fit(model, X, y, nn.binary_cross_entropy_with_logits,
                     nn.Adam(model.parameters(), lr=0.05), epochs=400, shuffle=False,
                     progress=False)
    starts[seed] = (model, history)
    losses = history["loss"]
    print(f"seed {seed}: loss after steps 100, 200, 400: {losses[99]:.4f}, {losses[199]:.4f}, "
          f"{losses[-1]:.4f};  accuracy {history['accuracy'][-1]:.0%};  "
          f"dead neurons: {dead_neurons(model) or 'none'}")

xs, ys = np.linspace(-1.6, 2.6, 60), np.linspace(-1.1, 1.6, 40)
# four panels side by side are shown at under 2/3 of their size: larger type keeps them legible
plt.rcParams["font.size"] = 14
fig, axes = plt.subplots(1, 4, figsize=(14, 3.4), gridspec_kw={"width_ratios": [1.3, 1, 1, 1]})
for seed, (model, history) in starts.items():
    axes[0].semilogy(range(1, 401), history["loss"], label=f"seed {seed}")
axes[0].set(xlabel="step", ylabel="loss (log scale)", title="three starts")
axes[0].legend(fontsize=12)
axes[0].grid(alpha=0.3)
for ax, (seed, (model, history)) in zip(axes[1:], starts.items()):
    with no_grad():
        P = np.array([[model([a, b]).sigmoid().data for a in xs] for b in ys])
    ax.contourf(xs, ys, P, levels=np.linspace(0, 1, 11), cmap=P_COLOURS, alpha=0.7)
    ax.contour(xs, ys, P, levels=[0.5], colors="black", linewidths=1.2)
    for k in (0, 1):
        pts = X_np[labels == k]
        ax.scatter(pts[:, 0], pts[:, 1], color=class_color(k), edgecolors="black", s=10,
                   label=class_name(k))
    ax.set(title=f"seed {seed}: {history['accuracy'][-1]:.0%}, loss {history['loss'][-1]:.3f}",
           xlabel="x₁")
fig.legend(*axes[1].get_legend_handles_labels(), loc="lower center", ncol=2,
           bbox_to_anchor=(0.6, 1.0))
plt.tight_layout()
plt.show()
plt.rcParams["font.size"] = 10                          # back to the default

# %% [markdown]
# Same data, same model, same optimizer and number of steps: only the start differs, and
# the three runs end in three different places. Seed 0 finds a boundary that bends around
# both moons. Seed 6 lost a neuron: its neuron 2 died (notebook 3), and with two working
# neurons the network stays on its plateau. Seed 3 keeps all three neurons
# but settles on a nearly straight boundary: a flat region or a worse valley (gradient
# descent cannot tell which; it only sees that the loss stopped falling).
#
# The symmetry argument, checked on seed 0's network: swap its hidden neurons 1 and 2 and
# the loss is the same; average the two parameter vectors and it is far higher.

# %%
model = starts[0][0]
original = model.state_dict()
swapped = dict(original)
for part in ("w.0", "w.1", "b"):
    a, b = f"layers.0.neurons.0.{part}", f"layers.0.neurons.1.{part}"
    swapped[a], swapped[b] = original[b], original[a]
swapped["layers.1.neurons.0.w.0"] = original["layers.1.neurons.0.w.1"]
swapped["layers.1.neurons.0.w.1"] = original["layers.1.neurons.0.w.0"]
midpoint = {name: (original[name] + swapped[name]) / 2 for name in original}

losses = {}
for name, params in (("trained", original), ("neurons 1 and 2 swapped", swapped),
                     ("halfway between the two", midpoint)):
    model.load_state_dict(params)
    losses[name] = full_loss(model)
    print(f"{name:26} loss {losses[name]:.6f}")
model.load_state_dict(original)
assert math.isclose(losses["trained"], losses["neurons 1 and 2 swapped"], rel_tol=1e-9)
assert losses["halfway between the two"] > 10 * losses["trained"]

# %% [markdown]
# Two points with the same low loss and a much higher one between them: the surface is not a
# bowl. In practice this is why initialisation, momentum and adaptive methods such as Adam
# matter, and why it is worth trying a few seeds.
#
# ## 4. The scale of the initial weights
#
# stepgrad draws each initial weight uniformly from (−1, 1). How large they start matters:
# scale them all by a factor and train notebook 4's network (mini-batches of 10, SGD with
# η = 0.5, 20 epochs). Before training, the cell prints the mean |∂L/∂w| of the first
# layer's weights and the share of layer-2 neurons that are **saturated** on the samples
# (|a| > 0.99, where tanh's slope 1 − a² is below 0.02):

# %%
def scaled_model(scale):
    model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
    for p in model.parameters():
        p.data *= scale
    return model


print(f"{'scale':>5} {'first-layer mean |∂L/∂w|':>25} {'saturated':>10}   "
      f"loss at the start, after 1, 5 and 20 epochs")
scale_curves, first_layer = {}, {}
for scale in (0.1, 1.0, 10.0):
    model = scaled_model(scale)
    loss = nn.binary_cross_entropy_with_logits([model(x) for x in X], y)
    loss.backward()
    first = [w.grad for n in model.layers[0].neurons for w in n.w]
    with no_grad():
        a2 = [a.data for x in X for a in model.layers[1](model.layers[0](x))]
    saturated = sum(abs(a) > 0.99 for a in a2) / len(a2)
    model.zero_grad()
    curve = [loss.data]
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    for epoch in range(20):
        nn.fit(model, X, y, nn.binary_cross_entropy_with_logits, optimizer, epochs=1,
               batch_size=10, seed=epoch, progress=False)
        curve.append(full_loss(model))
    scale_curves[scale] = curve
    print(f"{scale:5g} {np.mean(np.abs(first)):25.2e} {saturated:10.0%}   "
          + ", ".join(f"{curve[k]:.4f}" for k in (0, 1, 5, 20)))
    first_layer[scale] = np.mean(np.abs(first))
print(f"ln 2 = {math.log(2):.4f}: the loss when p = ½ for every sample")
print(f"first-layer gradients at scale 1 / at scale 0.1: {first_layer[1.0] / first_layer[0.1]:.0f}")

fig, ax = plt.subplots(figsize=(6.5, 3.4))
for scale, curve in scale_curves.items():
    ax.semilogy(curve, "o-", ms=3, label=f"initial weights × {scale:g}")
ax.axhline(math.log(2), color="gray", ls=":", label="ln 2")
ax.set(xlabel="epoch", ylabel="loss on all samples (log scale)",
       title="the same network from three initial scales")
ax.legend(fontsize=9)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# - **Too small (×0.1):** every signal is multiplied by small weights layer after layer, and
#   so is every δ on its way back: the first layer's gradients are about 40 times smaller
#   than at the usual scale, every sample starts at p ≈ ½ (loss ln 2), and the network trains
#   far more slowly.
# - **Too large (×10):** most layer-2 neurons are saturated (tanh's slope is nearly 0 there,
#   so they hardly respond to their inputs), the logits are large, the first loss is far
#   above ln 2, and after 20 epochs the loss is still far above the usual scale's.
# - At the usual scale it trains best of the three.
#
# The usual rule scales each neuron's initial weights by 1/√(number of inputs), so that z
# keeps about the size of the inputs whatever the layer's width: PyTorch's `nn.Linear` draws
# from (−1/√n, 1/√n) for n inputs. With 2 or 8 inputs stepgrad's (−1, 1) is close enough;
# notebook 11's network has 64 inputs per neuron in its first layer, and its first loss
# shows the difference.

# %% [markdown]
# ## What to remember
#
# - Momentum: v ← μ·v + ∂L/∂w, w ← w − η·v. It sums recent gradients; its effective step is
#   η/(1 − μ), so compare it with plain descent at that step. It allows large steps along a
#   valley whose steep walls would make plain descent diverge, and can carry training over
#   small humps.
# - Adam divides each parameter's averaged gradient by its typical size: every parameter
#   moves about η per step.
# - A network's loss is not convex (symmetric neurons, products of weights): it has saddle
#   points, plateaus and several valleys, and where training ends depends on the start.
# - Initial weights that are too small or too large stall training; scale them by about
#   1/√(inputs).
#
# Previous: [5 · Batches, the learning rate, and when to stop](05_batches_and_learning_rate.ipynb) ·
# Next: [7 · Losses and their error signals](07_losses.ipynb).
