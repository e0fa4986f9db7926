# %% [markdown]
# # 1 · Values and graphs
#
# stepgrad computes with `Value` objects: a `Value` holds one number (`data`) and, once
# backpropagation has run, the derivative of the final result with respect to it (`grad`).
# Every operation on Values records a node, so a calculation leaves behind a **graph**
# that can be drawn, read, and walked backwards with the chain rule.
#
# In this notebook:
# 1. build an expression and draw its graph;
# 2. run `backward()` and read each node's `grad`, then work the same derivatives by hand;
# 3. see what the gradient means: the slope of a tangent, and, with several inputs, the
#    direction of steepest ascent;
# 4. see why a Value used twice **adds** up its gradients;
# 5. check `backward()` against finite differences with `gradcheck`.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from engine import (GradcheckError, Value, check_answer, draw_dot, gradcheck,
                    numerical_grad, topological_order)

# %% [markdown]
# ## Build an expression
#
# Give each Value a `label` so that the drawing can name it. Here
# L = (a·b + c)·f, built in three steps so that the intermediate results have names too.
# (This expression and its numbers are the first example of Andrej Karpathy's micrograd
# lecture, "The spelled-out intro to neural networks and backpropagation": the two can be
# followed side by side.)

# %%
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
f = Value(-2.0, label="f")

e = a * b;  e.label = "e"   # e = a·b
d = e + c;  d.label = "d"   # d = e + c
L = d * f;  L.label = "L"   # L = d·f

print(L)
print("L was made by", repr(L.op), "from", [v.label for v in L.inputs])

# %% [markdown]
# `draw_dot` shows the graph: one box per Value (label | data | grad) and one oval per
# operation, with arrows in the direction the numbers flow (here top to bottom,
# `rankdir="TB"`; the default is left to right). No gradient has been computed yet, so
# every `grad` is 0.

# %%
draw_dot(L, rankdir="TB")

# %% [markdown]
# Backpropagation visits the nodes in **reverse topological order**: a node is handled
# only after every node that uses it. `topological_order` lists the forward order (every
# node after its inputs):

# %%
print([v.label for v in topological_order(L)])

# %% [markdown]
# ## `backward()`: the gradient of L with respect to every node
#
# `L.backward()` sets ∂L/∂L = 1 and walks the list above from right to left, applying the
# chain rule at each operation. Afterwards each node's `grad` is ∂L/∂(that node).
#
# **Predict before you run:** L = d·f and d = e + c. What will ∂L/∂c be? (Nudge c by a
# little: by how much does d move, and then L?)
#
# <details><summary>Answer</summary>
#
# ∂L/∂c = ∂L/∂d · ∂d/∂c = f · 1 = −2: c passes straight into d, and d is multiplied by f.
# </details>

# %%
L.backward()
for v in topological_order(L):
    print(f"{v.label}: data = {v.data:6.1f}   grad = ∂L/∂{v.label} = {v.grad:5.1f}")
draw_dot(L, rankdir="TB")

# %% [markdown]
# ### The same derivatives by hand
#
# The local derivatives are the ones of school calculus: for a product p = x·y,
# ∂p/∂x = y and ∂p/∂y = x; for a sum s = x + y, ∂s/∂x = ∂s/∂y = 1. The chain rule multiplies
# them along the path from L back to a node:
#
# | node | chain rule | value |
# |---|---|---|
# | f | ∂L/∂f = d | 4 |
# | d | ∂L/∂d = f | −2 |
# | c | ∂L/∂c = ∂L/∂d · ∂d/∂c = f · 1 | −2 |
# | e | ∂L/∂e = ∂L/∂d · ∂d/∂e = f · 1 | −2 |
# | a | ∂L/∂a = ∂L/∂e · ∂e/∂a = f · b | 6 |
# | b | ∂L/∂b = ∂L/∂e · ∂e/∂b = f · a | −4 |
#
# The cell below computes the same column from the numbers and checks it against the
# `grad`s that `backward()` left on the nodes.

# %%
by_hand = {
    "f": d.data,
    "d": f.data,
    "c": f.data * 1.0,
    "e": f.data * 1.0,
    "a": f.data * b.data,
    "b": f.data * a.data,
}
for node in (a, b, c, d, e, f):
    assert node.grad == by_hand[node.label], node
print("backward() agrees with the chain rule by hand:", by_hand)

# %% [markdown]
# **What a gradient says.** ∂L/∂a = 6 means: nudge `a` up by a small h and L goes up by
# about 6h. Try it: rebuild L with a + 0.001.

# %%
h = 0.001
L_nudged = ((a.data + h) * b.data + c.data) * f.data
print(f"L = {L.data},  L with a + h = {L_nudged:.4f},  "
      f"change / h = {(L_nudged - L.data) / h:.4f}")

# %% [markdown]
# **Your turn.** Suppose f had been −3 instead of −2 (a, b, c as before). What would ∂L/∂a
# be? Work it out with the chain rule from the table, type it in place of `None`, and run
# the cell: it builds that expression, runs `backward()` and compares
# (`check_answer(yours, expected)`: right to 3 significant digits).
#
# <details><summary>Answer</summary>
#
# ∂L/∂a = ∂L/∂e · ∂e/∂a = f · b = (−3)·(−3) = 9.
# </details>

# %%
a2, b2, c2, f2 = Value(2.0), Value(-3.0), Value(10.0), Value(-3.0)
((a2 * b2 + c2) * f2).backward()
assert a2.grad == 9.0                                # the answer above
your_answer = None
check_answer(your_answer, a2.grad)

# %% [markdown]
# ## The gradient is the slope of the tangent
#
# For a function of one variable the gradient is the ordinary derivative. Take
# y = x² + sin(x): by hand, dy/dx = 2x + cos(x). At x₀ = 1.2 `backward()` should give
# 2·1.2 + cos(1.2), and the line through (x₀, y₀) with that slope should touch the curve.

# %%
x = Value(1.2, label="x")
y = x * x + x.sin()
y.backward()

slope_by_hand = 2 * x.data + math.cos(x.data)
assert math.isclose(x.grad, slope_by_hand, rel_tol=1e-12)
print(f"y = {y.data:.4f},  dy/dx from backward = {x.grad:.6f},  "
      f"2x + cos(x) = {slope_by_hand:.6f}")

xs = [-1.5 + 3.5 * i / 200 for i in range(201)]
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(xs, [t * t + math.sin(t) for t in xs], label="y = x² + sin(x)")
ax.plot(xs, [y.data + x.grad * (t - x.data) for t in xs], "--",
        label=f"tangent at x₀ = 1.2, slope {x.grad:.3f}")
ax.plot([x.data], [y.data], "o", color="black")
ax.set_ylim(-1.5, 5)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## With several inputs: the gradient points uphill, most steeply
#
# With several inputs, the **gradient** is the list of all the partial derivatives,
# ∇L = (∂L/∂w₁, ∂L/∂w₂, …), and one `backward()` gives all of them. Take a loss of two
# weights, L(w₁, w₂) = w₁² + 3w₂² + w₁w₂, at (1, 1): by hand, ∂L/∂w₁ = 2w₁ + w₂ = 3 and
# ∂L/∂w₂ = 6w₂ + w₁ = 7.
#
# Move a small distance h from (1, 1) in some direction u (a vector of length 1). L changes
# by about h · (∇L · u) = h · |∇L| · cos θ, where θ is the angle between u and ∇L. That is
# largest for θ = 0: **the gradient points in the direction in which L grows fastest**, and
# its length |∇L| is that fastest rate. Try twelve directions, 30° apart, plus the
# gradient's own:

# %%
def two_weight_loss(w1, w2):
    return w1 * w1 + 3 * w2 * w2 + w1 * w2


w1, w2 = Value(1.0, label="w1"), Value(1.0, label="w2")
two_weight_loss(w1, w2).backward()
gradient = (w1.grad, w2.grad)
length = math.hypot(*gradient)
print(f"∇L = ({gradient[0]:g}, {gradient[1]:g}) from backward(), |∇L| = {length:.4f}")
assert gradient == (3.0, 7.0)

h = 1e-6
base = two_weight_loss(1.0, 1.0)
angles = [30 * k for k in range(12)] + [math.degrees(math.atan2(gradient[1], gradient[0]))]
rates = []
for angle in angles:
    u = (math.cos(math.radians(angle)), math.sin(math.radians(angle)))
    rate = (two_weight_loss(1.0 + h * u[0], 1.0 + h * u[1]) - base) / h
    rates.append(rate)
    print(f"direction {angle:6.1f}°: (L(w + h·u) − L(w)) / h = {rate:8.4f}   "
          f"∇L·u = {gradient[0] * u[0] + gradient[1] * u[1]:8.4f}")
steepest = angles[rates.index(max(rates))]
print(f"the steepest direction tried: {steepest:.1f}°, the gradient's own direction")
assert steepest == angles[-1] and math.isclose(max(rates), length, rel_tol=1e-5)

# %%
W1, W2 = np.meshgrid(np.linspace(-0.5, 2.5, 200), np.linspace(-0.2, 2.0, 200))
fig, ax = plt.subplots(figsize=(5.8, 4.3))
L_grid = W1 ** 2 + 3 * W2 ** 2 + W1 * W2
contours = ax.contour(W1, W2, L_grid, levels=[1, 2, 3.5, 7, 9.5, 12], colors="gray",
                      linewidths=0.8)
ax.clabel(contours, fontsize=8)
ax.contour(W1, W2, L_grid, levels=[5], colors="black", linewidths=1.2)   # through (1, 1)
scale = 0.12
ax.annotate("", xy=(1 + scale * gradient[0], 1 + scale * gradient[1]), xytext=(1, 1),
            arrowprops=dict(arrowstyle="->", color="black", lw=2))
ax.annotate("", xy=(1 - scale * gradient[0], 1 - scale * gradient[1]), xytext=(1, 1),
            arrowprops=dict(arrowstyle="->", color="tab:green", lw=2))
ax.text(1 + scale * gradient[0] - 0.75, 1 + scale * gradient[1] - 0.05, "∇L: uphill",
        fontsize=10)
ax.text(1 - scale * gradient[0] + 0.05, 1 - scale * gradient[1], "−∇L: downhill",
        fontsize=10, color="tab:green")
ax.plot([1], [1], "o", color="black")
ax.set(xlabel="w₁", ylabel="w₂", aspect="equal",
       title="contours of L = w₁² + 3w₂² + w₁w₂ (black: L = 5,\nthrough (1, 1)) and the gradient there")
plt.show()

# %% [markdown]
# The gradient at a point is perpendicular to the contour line through it (along the
# contour, L does not change). Gradient descent (notebook 2 on) steps along **−∇L**, the
# direction in which L falls fastest, a small step at a time.
#
# ## A Value used twice: gradients add
#
# In y = x·x + x the input x is used three times: twice by the product and once by the sum.
# A small change in x reaches y along **every** path, and the total change is the sum of
# the changes along the paths. That is the multivariable chain rule:
#
# dy/dx = (∂y/∂(x·x)) · (x + x) + ∂y/∂x(direct) = 1·2x + 1 = 2x + 1.
#
# So backpropagation must **add** (`+=`) each contribution into `x.grad`, never overwrite
# it. In the drawing, x has three arrows leaving it.

# %%
x = Value(3.0, label="x")
sq = x * x;  sq.label = "x·x"
y = sq + x;  y.label = "y"
y.backward()
print(f"dy/dx = {x.grad}  (2x + 1 = {2 * x.data + 1})")
assert x.grad == 2 * x.data + 1
draw_dot(y)

# %% [markdown]
# The product node sends x two contributions, ∂(x·x)/∂(first x) = x = 3 and
# ∂(x·x)/∂(second x) = x = 3; the sum sends 1. Together: 3 + 3 + 1 = 7. Had the engine
# stored only the last contribution, it would report 1 or 3, which is wrong.
#
# Because gradients are *added*, calling `backward()` a second time adds a second,
# identical pass: every grad doubles. This is why training loops set the gradients back to
# zero before each pass (`zero_grad()` in `nn`).

# %%
y.backward()
print("after a second backward():", x.grad, "=", 2, "×", 2 * x.data + 1)
assert x.grad == 2 * (2 * x.data + 1)

# %% [markdown]
# ## Check the gradients: `gradcheck`
#
# A derivative can also be estimated without any calculus, by the **central difference**
#
# ∂f/∂xᵢ ≈ (f(…, xᵢ + h, …) − f(…, xᵢ − h, …)) / 2h.
#
# `gradcheck(fn, inputs)` computes both and compares them input by input. Take a
# function of three inputs that exercises several operations:

# %%
def fn(p, q, r):
    return (p * q).tanh() + (r ** 2 + 1).log() * p.exp() / q


point = [0.4, -1.3, 2.0]
values = [Value(t) for t in point]
fn(*values).backward()
numeric = numerical_grad(fn, point)
print(" input   backward()        central difference    |difference|")
for name, v, n in zip("pqr", values, numeric):
    print(f"   {name}    {v.grad: .12f}   {n: .12f}     {abs(v.grad - n):.1e}")
print("gradcheck:", gradcheck(fn, point))

# %% [markdown]
# The two columns agree to about ten digits: the differences come from the finite step h,
# while `backward()` is exact up to floating-point rounding.
#
# **gradcheck catches a broken graph.** Using a Value's plain number `.data` inside a
# calculation takes it out of the graph: backward then treats it as a constant. Below,
# `x * x.data` is meant to be x², but backward only sees one factor of x and reports x
# instead of 2x. The central difference is not fooled, and `gradcheck` says so:

# %%
def squared_wrongly(x):
    return x * x.data          # x.data is a plain float: the graph sees "x times a constant"


try:
    gradcheck(squared_wrongly, [3.0])
except GradcheckError as err:
    print(err)

# %% [markdown]
# **No silent `nan`.** An operation outside its domain raises an error that names the
# operation and the input, at the line where it happens:

# %%
try:
    Value(-2.0, label="x").log()
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## What to remember
#
# - Each `Value` records the operation and inputs that made it: the graph is built as you
#   compute.
# - `backward()` fills every node's `grad` with ∂(output)/∂(node), walking the graph in
#   reverse topological order and multiplying local derivatives (the chain rule).
# - A node used in several places receives the **sum** of the gradients from every use;
#   a second `backward()` adds a second pass.
# - With several inputs, the gradient ∇L points in the direction in which L grows fastest;
#   gradient descent steps the other way.
# - `gradcheck` compares `backward()` with finite differences: use it whenever you write a
#   new function of Values.
#
# Next: [2 · Backpropagation through one neuron, step by step](02_backprop_one_neuron.ipynb).
