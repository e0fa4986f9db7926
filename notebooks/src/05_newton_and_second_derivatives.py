# %% [markdown]
# # 5 · Second derivatives: Newton's method vs gradient descent
#
# Gradient descent uses only the slope f′(x) and a step size η chosen by hand. Newton's
# method also uses the **curvature** f″(x): near a minimum f looks like a parabola, and
# the parabola's lowest point is one step away,
#
# x ← x − f′(x) / f″(x).
#
# stepgrad can differentiate a gradient again. `engine.grad(y, [x], create_graph=True)`
# returns the gradient as a `Value` with a graph of its own, and differentiating that
# Value gives the second derivative. `engine.hessian(fn, point)` does it for all pairs of
# inputs at once.
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

from engine import Value, draw_dot, grad, hessian

# %% [markdown]
# ## The gradient is a graph too
#
# Take y = tanh(x). Its derivative rule is written with the output, dy/dx = 1 − y², and
# with `create_graph=True` stepgrad evaluates that rule **with Values**: the result `dy`
# is computed from `y` (which itself depends on x), so `dy` has a graph that leads back
# to x. (The node `n4`, equal to 1, is the seed ∂y/∂y of the backward pass.) The graph
# is drawn top to bottom this time: `rankdir="TB"`.

# %%
x = Value(0.5, label="x")
y = x.tanh();  y.label = "y"
(dy,) = grad(y, [x], create_graph=True)
dy.label = "dy/dx"
print(f"dy/dx = 1 − tanh²(0.5) = {1 - math.tanh(0.5) ** 2:.6f};  stepgrad: {dy.data:.6f}")
draw_dot(dy, rankdir="TB")

# %% [markdown]
# Backpropagating through this graph gives the second derivative. By hand:
# d²y/dx² = d(1 − y²)/dx = −2y · dy/dx = −2 tanh(x) (1 − tanh²(x)).

# %%
dy.backward()
second_by_hand = -2 * math.tanh(0.5) * (1 - math.tanh(0.5) ** 2)
print(f"d²y/dx² from backward: {x.grad:.10f}   by hand: {second_by_hand:.10f}")
assert math.isclose(x.grad, second_by_hand, rel_tol=1e-12)
draw_dot(dy, rankdir="TB")

# %% [markdown]
# Read the drawing after `backward()`: x's `grad` is d(dy/dx)/dx = d²y/dx². Notice that
# y's node shows a gradient too: the second derivative reaches x *through* y, exactly
# as the hand formula −2y · dy/dx says.
#
# ## Newton vs gradient descent in one dimension
#
# f(x) = x⁴ + x² − 2x is convex (f″(x) = 12x² + 2 > 0), with its minimum where
# f′(x) = 4x³ + 2x − 2 = 0, at x* ≈ 0.5898. A helper returns f′ and f″ at a point, both
# computed by stepgrad, and checks them against the formulas.

# %%
def f(x):
    return x ** 4 + x ** 2 - 2 * x


def slope_and_curvature(x0):
    x = Value(x0)
    (d1,) = grad(f(x), [x], create_graph=True)   # f'(x) as a Value
    (d2,) = grad(d1, [x])                        # f''(x) as a float
    return d1.data, d2


for x0 in (-1.0, 0.0, 2.0):
    d1, d2 = slope_and_curvature(x0)
    assert math.isclose(d1, 4 * x0 ** 3 + 2 * x0 - 2, abs_tol=1e-12)
    assert math.isclose(d2, 12 * x0 ** 2 + 2, abs_tol=1e-12)
    print(f"x = {x0:4}:  f'(x) = {d1:6.2f}   f''(x) = {d2:5.1f}")

# %% [markdown]
# Start both methods at x = 2. Gradient descent needs a step size; with η = 0.05 its first
# step, η · f′(2) = 0.05 × 34 = 1.7, already jumps past the minimum, so η cannot be much
# larger. Newton needs no step size: f″ sets it.

# %%
x_star = 0.5897545123014584   # 4x³ + 2x − 2 = 0, solved to machine precision

def run(update, x0=2.0, steps=12):
    xs = [x0]
    for _ in range(steps):
        xs.append(update(xs[-1]))
    return xs

eta = 0.05
gd = run(lambda x: x - eta * slope_and_curvature(x)[0])
newton = run(lambda x: x - slope_and_curvature(x)[0] / slope_and_curvature(x)[1])

print(" step   gradient descent   error        Newton            error")
for k, (g, n) in enumerate(zip(gd, newton)):
    print(f"  {k:2}    {g: .12f}   {abs(g - x_star):.1e}    {n: .12f}   {abs(n - x_star):.1e}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
grid = [-0.6 + 2.8 * i / 200 for i in range(201)]
left.plot(grid, [f(Value(t)).data for t in grid], color="gray")
left.plot(gd, [f(Value(t)).data for t in gd], "o-", ms=4,
          label=f"gradient descent, η = {eta}")
left.plot(newton[:6], [f(Value(t)).data for t in newton[:6]], "s--", ms=4, label="Newton")
left.set(xlabel="x", ylabel="f(x)", title="f(x) = x⁴ + x² − 2x")
left.legend()
right.semilogy([max(abs(t - x_star), 1e-17) for t in gd], "o-", ms=4, label="gradient descent")
right.semilogy([max(abs(t - x_star), 1e-17) for t in newton], "s--", ms=4, label="Newton")
right.set(xlabel="step", ylabel="|x − x*|", title="distance to the minimum")
right.legend()
for ax in (left, right):
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# Gradient descent closes the gap by roughly the same **factor** each step (a straight line
# on the log scale). Newton's error is roughly **squared** each step, so the number of
# correct digits doubles: 1e-2, 1e-4, 1e-8, 1e-16. That is quadratic convergence.
#
# ## Two variables: the Hessian
#
# With several inputs the curvature is the Hessian matrix H of second derivatives
# ∂²f/∂xᵢ∂xⱼ, and the Newton step solves H · Δ = ∇f, then x ← x − Δ.
# Take the Rosenbrock function, a curved valley whose minimum is at (1, 1):
#
# f(x, y) = (1 − x)² + 100 (y − x²)².
#
# By hand, at (x, y): ∂²f/∂x² = 2 − 400(y − x²) + 800x², ∂²f/∂x∂y = −400x,
# ∂²f/∂y² = 200. `engine.hessian` should give the same matrix.

# %%
def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


H = hessian(rosenbrock, [-1.2, 1.0])
x0, y0 = -1.2, 1.0
H_by_hand = [[2 - 400 * (y0 - x0 ** 2) + 800 * x0 ** 2, -400 * x0], [-400 * x0, 200.0]]
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
    xs = [Value(t) for t in point]
    return grad(rosenbrock(*xs), xs)


def newton_step(point):
    gx, gy = gradient(point)
    (a, b), (c, d) = hessian(rosenbrock, point)
    det = a * d - b * c
    return [point[0] - (d * gx - b * gy) / det, point[1] - (-c * gx + a * gy) / det]


def gd_step(point, eta=1e-3):
    gx, gy = gradient(point)
    return [point[0] - eta * gx, point[1] - eta * gy]


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
X, Y = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-3.5, 2.2, 300))
Z = (1 - X) ** 2 + 100 * (Y - X ** 2) ** 2
fig, ax = plt.subplots(figsize=(7, 5.5))
ax.contour(X, Y, Z, levels=[0.5, 2, 8, 30, 100, 300, 1000], cmap="viridis_r", linewidths=0.8)
ax.plot(*zip(*gd_path), "-", lw=1.5, label="gradient descent, 5000 steps (dot every 250)")
ax.plot(*zip(*gd_path[::250]), "o", ms=3, color="tab:blue")
ax.plot(*zip(*newton_path), "s-", ms=5, lw=1.5, label=f"Newton, {len(newton_path) - 1} steps")
ax.plot([1], [1], "*", ms=14, color="black", label="minimum (1, 1)")
ax.set(xlabel="x", ylabel="y", title="Rosenbrock: (1 − x)² + 100(y − x²)²")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# Gradient descent crawls along the floor of the curved valley: the valley is steep across
# (curvature around 1000) and nearly flat along (curvature about 1), so a step size small
# enough not to bounce across is far too small to move along. Newton's step divides each
# direction by its own curvature, and arrives in a handful of steps. (Its first steps
# jump far from the valley: plain Newton trusts the local parabola even when it is a poor
# model; practical versions limit the step.)
#
# ## When Newton goes wrong
#
# Newton's method looks for a point where f′(x) = 0, and a **maximum** is such a point too.
# On the non-convex g(x) = x⁴ − 3x² + x, started at x = 0.3 where g″(x) < 0, it converges
# happily to a local maximum, while gradient descent walks downhill.

# %%
def g(x):
    return x ** 4 - 3 * x ** 2 + x


def g_derivatives(x0):
    x = Value(x0)
    (d1,) = grad(g(x), [x], create_graph=True)
    return d1.data, grad(d1, [x])[0]


x_newton = x_gd = 0.3
for _ in range(8):
    d1, d2 = g_derivatives(x_newton)
    x_newton -= d1 / d2
for _ in range(200):
    x_gd -= 0.01 * g_derivatives(x_gd)[0]
for name, x_end in (("Newton", x_newton), ("gradient descent", x_gd)):
    d1, d2 = g_derivatives(x_end)
    kind = "a maximum" if d2 < 0 else "a minimum"
    print(f"{name:17} ends at x = {x_end: .5f}: g′ = {d1: .1e}, g″ = {d2: .2f}, {kind}")

# %% [markdown]
# ## What to remember
#
# - `grad(..., create_graph=True)` returns gradients that are Values with graphs of their
#   own; differentiate them again for second (or higher) derivatives. `hessian` collects
#   all second derivatives of a function of several inputs.
# - Newton's method x ← x − f′/f″ (or x ← x − H⁻¹∇f) converges in a few steps near a
#   minimum, because it uses the curvature; gradient descent needs a step size and many
#   steps when curvatures differ.
# - Newton finds any point with zero slope, maxima and saddle points included, and its
#   cost grows with the square of the number of parameters (the Hessian has n² entries).
#   That is why neural networks are trained with first-order methods such as SGD with
#   momentum and Adam, seen in notebook 4.
#
# Previous: [4 · Gradient-descent variants and losses](04_gradient_descent_and_losses.ipynb) ·
# Next: [6 · Overfitting and regularisation](06_overfitting_and_regularisation.ipynb).
