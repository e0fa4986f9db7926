# %% [markdown]
# # 8 · Second derivatives: Newton's method vs gradient descent
#
# Gradient descent uses only the slope f′(w) and a step size η chosen by hand. Newton's
# method also uses the **curvature** f″(w): near a minimum f looks like a parabola, and
# the parabola's lowest point is one step away,
#
# w ← w − f′(w) / f″(w).
#
# stepgrad can differentiate a gradient again. `engine.grad(f, [w], create_graph=True)`
# returns the gradient as a `Value` with a graph of its own, and differentiating that
# Value gives the second derivative. `engine.hessian(fn, point)` does it for all pairs of
# inputs at once. (Notebook 5 used it for the curvature κ of a line fit.) This notebook is
# optional on the way to training networks: it explains what first-order methods give up.
#
# In this notebook:
# 1. the graph of a gradient, drawn;
# 2. Newton vs gradient descent on a function of one variable;
# 3. the same on the Rosenbrock function of two variables, with the Hessian;
# 4. when Newton's method goes wrong.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from engine import Value, check_answer, draw_dot, grad, hessian

# %% [markdown]
# ## The gradient is a graph too
#
# Take the activation of notebook 2, a = tanh(z). Its derivative rule is written with the
# output, da/dz = 1 − a², and with `create_graph=True` stepgrad evaluates that rule **with
# Values**: the result is computed from `a` (which itself depends on z), so it has a graph
# that leads back to z. (The node without a label, equal to 1, is the seed ∂a/∂a of the
# backward pass.) The graph is drawn top to bottom this time: `rankdir="TB"`.

# %%
z = Value(0.5, label="z")
a = z.tanh();  a.label = "a"
(slope,) = grad(a, [z], create_graph=True)
slope.label = "da/dz"
print(f"da/dz = 1 − tanh²(0.5) = {1 - math.tanh(0.5) ** 2:.6f};  stepgrad: {slope.data:.6f}")
draw_dot(slope, rankdir="TB")

# %% [markdown]
# Backpropagating through this graph gives the second derivative. By hand:
# d²a/dz² = d(1 − a²)/dz = −2a · da/dz = −2 tanh(z) (1 − tanh²(z)).

# %%
slope.backward()
second_by_hand = -2 * math.tanh(0.5) * (1 - math.tanh(0.5) ** 2)
print(f"d²a/dz² from backward: {z.grad:.10f}   by hand: {second_by_hand:.10f}")
assert math.isclose(z.grad, second_by_hand, rel_tol=1e-12)
draw_dot(slope, rankdir="TB")

# %% [markdown]
# Read the drawing after `backward()`: z's `grad` is d(da/dz)/dz = d²a/dz². Notice that
# a's node shows a gradient too: the second derivative reaches z *through* a, exactly
# as the hand formula −2a · da/dz says.
#
# ## Newton vs gradient descent in one dimension
#
# f(w) = w⁴ + w² − 2w is convex (f″(w) = 12w² + 2 > 0), with its minimum where
# f′(w) = 4w³ + 2w − 2 = 0, at w* ≈ 0.5898. A helper returns f′ and f″ at a point, both
# computed by stepgrad, and checks them against the formulas.

# %%
def f(w):
    return w ** 4 + w ** 2 - 2 * w


def slope_and_curvature(w0):
    w = Value(w0)
    (d1,) = grad(f(w), [w], create_graph=True)   # f'(w) as a Value
    (d2,) = grad(d1, [w])                        # f''(w) as a float
    return d1.data, d2


for w0 in (-1.0, 0.0, 2.0):
    d1, d2 = slope_and_curvature(w0)
    assert math.isclose(d1, 4 * w0 ** 3 + 2 * w0 - 2, abs_tol=1e-12)
    assert math.isclose(d2, 12 * w0 ** 2 + 2, abs_tol=1e-12)
    print(f"w = {w0:4}:  f'(w) = {d1:6.2f}   f''(w) = {d2:5.1f}")

# %% [markdown]
# Start both methods at w = 2. Gradient descent needs a step size; with η = 0.05 its first
# step, η · f′(2) = 0.05 × 34 = 1.7, already jumps past the minimum, so η cannot be much
# larger. Newton needs no step size: f″ sets it. Its first step is 2 − f′(2)/f″(2) =
# 2 − 34/50 = 1.32.
#
# **Your turn.** Compute Newton's second step by hand, from w = 1.32: f′(w) = 4w³ + 2w − 2 and
# f″(w) = 12w² + 2. Type the new w in place of `None` and run the cell; the table after it
# has the answer too.

# %%
first_slope, first_curvature = slope_and_curvature(1.32)
your_w = None
check_answer(your_w, 1.32 - first_slope / first_curvature)

# %%
w_star = 0.5897545123014584   # 4w³ + 2w − 2 = 0, solved to machine precision


def run(update, w0=2.0, steps=12):
    ws = [w0]
    for _ in range(steps):
        ws.append(update(ws[-1]))
    return ws


eta = 0.05
gd = run(lambda w: w - eta * slope_and_curvature(w)[0])
newton = run(lambda w: w - slope_and_curvature(w)[0] / slope_and_curvature(w)[1])

print(" step   gradient descent   error        Newton            error")
for k, (g, n) in enumerate(zip(gd, newton)):
    print(f"  {k:2}    {g: .12f}   {abs(g - w_star):.1e}    {n: .12f}   {abs(n - w_star):.1e}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
grid = [-0.6 + 2.8 * i / 200 for i in range(201)]
left.plot(grid, [f(Value(t)).data for t in grid], color="gray")
left.plot(gd, [f(Value(t)).data for t in gd], "o-", ms=4,
          label=f"gradient descent, η = {eta}")
left.plot(newton[:6], [f(Value(t)).data for t in newton[:6]], "s--", ms=4, label="Newton")
left.set(xlabel="w", ylabel="f(w)", title="f(w) = w⁴ + w² − 2w")
left.legend()
right.semilogy([max(abs(t - w_star), 1e-17) for t in gd], "o-", ms=4, label="gradient descent")
right.semilogy([max(abs(t - w_star), 1e-17) for t in newton], "s--", ms=4, label="Newton")
right.set(xlabel="step", ylabel="|w − w*|", title="distance to the minimum")
right.legend()
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# Gradient descent closes the gap by roughly the same **factor** each step (a straight line
# on the log scale). Newton's error is roughly **squared** each step (times a constant), so
# the number of correct digits about doubles: 7.4e-02, 5.8e-03, 3.9e-05, 1.7e-09 in the
# table, then 0 to machine precision. That is quadratic convergence.
#
# ## Two variables: the Hessian
#
# With several inputs the curvature is the Hessian matrix H of second derivatives
# ∂²f/∂xᵢ∂xⱼ, and the Newton step solves H · Δ = ∇f, then x ← x − Δ.
# Take the Rosenbrock function of two weights, a curved valley whose minimum is at (1, 1):
#
# f(w₁, w₂) = (1 − w₁)² + 100 (w₂ − w₁²)².
#
# By hand, at (w₁, w₂): ∂²f/∂w₁² = 2 − 400(w₂ − w₁²) + 800w₁², ∂²f/∂w₁∂w₂ = −400w₁,
# ∂²f/∂w₂² = 200. `engine.hessian` should give the same matrix.

# %%
def rosenbrock(w1, w2):
    return (1 - w1) ** 2 + 100 * (w2 - w1 * w1) ** 2


H = hessian(rosenbrock, [-1.2, 1.0])
a0, b0 = -1.2, 1.0
H_by_hand = [[2 - 400 * (b0 - a0 ** 2) + 800 * a0 ** 2, -400 * a0], [-400 * a0, 200.0]]
print("engine.hessian:", H)
print("by hand:       ", H_by_hand)
for i in range(2):
    for j in range(2):
        assert math.isclose(H[i][j], H_by_hand[i][j], rel_tol=1e-12)

# %% [markdown]
# A Newton step with a 2 × 2 Hessian can be solved by hand:
# Δ = H⁻¹∇f with H⁻¹ = [[d, −b], [−c, a]] / (ad − bc).

# %%
def gradient(point):
    ws = [Value(t) for t in point]
    return grad(rosenbrock(*ws), ws)


def newton_step(point):
    g1, g2 = gradient(point)
    (a, b), (c, d) = hessian(rosenbrock, point)
    det = a * d - b * c
    return [point[0] - (d * g1 - b * g2) / det, point[1] - (-c * g1 + a * g2) / det]


def gd_step(point, eta=1e-3):
    g1, g2 = gradient(point)
    return [point[0] - eta * g1, point[1] - eta * g2]


start = [-1.2, 1.0]
newton_path = [start]
while rosenbrock(*map(Value, newton_path[-1])).data > 1e-20:
    newton_path.append(newton_step(newton_path[-1]))
gd_path = [start]
for _ in range(5000):
    gd_path.append(gd_step(gd_path[-1]))

def loss_at(point):
    return rosenbrock(*map(Value, point)).data

print(f"Newton: {len(newton_path) - 1} steps to f = {loss_at(newton_path[-1]):.1e} at "
      f"({newton_path[-1][0]:.6f}, {newton_path[-1][1]:.6f})")
for n in (10, 100, 1000, 5000):
    p = gd_path[n]
    print(f"gradient descent (η = 0.001), {n:4} steps: f = {loss_at(p):.2e} "
          f"at ({p[0]:.4f}, {p[1]:.4f})")

# %%
W1, W2 = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-3.5, 2.2, 300))
F = (1 - W1) ** 2 + 100 * (W2 - W1 ** 2) ** 2
fig, ax = plt.subplots(figsize=(7, 5.5))
ax.contour(W1, W2, F, levels=[0.5, 2, 8, 30, 100, 300, 1000], cmap="viridis_r", linewidths=0.8)
ax.plot(*zip(*gd_path), "-", lw=1.5, label="gradient descent, 5000 steps (dot every 250)")
ax.plot(*zip(*gd_path[::250]), "o", ms=3, color="tab:blue")
ax.plot(*zip(*newton_path), "s-", ms=5, lw=1.5, label=f"Newton, {len(newton_path) - 1} steps")
ax.plot([1], [1], "*", ms=14, color="black", label="minimum (1, 1)")
ax.set(xlabel="w₁", ylabel="w₂", title="Rosenbrock: (1 − w₁)² + 100(w₂ − w₁²)²")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# Gradient descent crawls along the floor of the curved valley: the valley is steep across
# and nearly flat along it. At the minimum the Hessian's two curvatures (its eigenvalues,
# printed below) are about 1000 and 0.4, so a step size small enough not to bounce across
# (η < 2/1000) is far too small to move along. Newton's step divides each direction by its
# own curvature, and arrives in a handful of steps. (Its first steps jump far from the
# valley: plain Newton trusts the local parabola even when it is a poor model; practical
# versions limit the step.)

# %%
print("curvatures at the minimum (1, 1):",
      np.linalg.eigvalsh(np.array(hessian(rosenbrock, [1.0, 1.0]))).round(3).tolist())

# %% [markdown]
# ## When Newton goes wrong
#
# Newton's method looks for a point where f′(w) = 0, and a **maximum** is such a point too.
# Take notebook 6's non-convex g(w) = w⁴ − 3w² + w and start at w = 0.3, where g″(w) < 0.
#
# **Predict before you run:** where will Newton's method end, and where will gradient
# descent?
#
# <details><summary>Answer</summary>
#
# Newton converges happily to the local maximum on the hump (near w = 0.17): there the local
# parabola opens downward, and its vertex is a top. Gradient descent walks downhill, into
# the minimum near w = 1.13.
# </details>

# %%
def g(w):
    return w ** 4 - 3 * w ** 2 + w


def g_derivatives(w0):
    w = Value(w0)
    (d1,) = grad(g(w), [w], create_graph=True)
    return d1.data, grad(d1, [w])[0]


w_newton = w_gd = 0.3
for _ in range(8):
    d1, d2 = g_derivatives(w_newton)
    w_newton -= d1 / d2
for _ in range(200):
    w_gd -= 0.01 * g_derivatives(w_gd)[0]
for name, w_end in (("Newton", w_newton), ("gradient descent", w_gd)):
    d1, d2 = g_derivatives(w_end)
    kind = "a maximum" if d2 < 0 else "a minimum"
    print(f"{name:17} ends at w = {w_end: .5f}: g′ = {d1: .1e}, g″ = {d2: .2f}, {kind}")

# %% [markdown]
# ## What to remember
#
# - `grad(..., create_graph=True)` returns gradients that are Values with graphs of their
#   own; differentiate them again for second (or higher) derivatives. `hessian` collects
#   all second derivatives of a function of several inputs.
# - Newton's method w ← w − f′/f″ (or w ← w − H⁻¹∇f) converges in a few steps near a
#   minimum, because it uses the curvature; gradient descent needs a step size and many
#   steps when curvatures differ.
# - Newton finds any point with zero slope, maxima and saddle points included. And for n
#   parameters the Hessian has n² entries to store, takes n gradient passes to form and
#   about n³ operations to solve with: impossible for a network with millions of weights.
#   That is why neural networks are trained with first-order methods such as SGD with
#   momentum and Adam (notebook 6).
#
# Previous: [7 · Losses and their error signals](07_losses.ipynb) ·
# Next: [9 · Overfitting and regularisation](09_overfitting_and_regularisation.ipynb).
