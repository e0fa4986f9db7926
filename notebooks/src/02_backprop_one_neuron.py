# %% [markdown]
# # 2 · Backpropagation through one neuron, step by step
#
# One neuron with two inputs, a tanh activation and a squared-error loss:
#
# | step | formula |
# |---|---|
# | weighted sum | z = w₁x₁ + w₂x₂ + b |
# | activation | a = tanh(z) |
# | loss | L = (a − y)² for the target y |
#
# Training changes the weights w₁, w₂ and the bias b so that L gets smaller. For that we
# need ∂L/∂w₁, ∂L/∂w₂ and ∂L/∂b, and backpropagation computes them one node at a time,
# from L back to the inputs. This notebook walks through every step with the numbers:
# the forward pass, the backward pass with the chain rule at each node, the error signal
# δ, and the update w ← w − η ∂L/∂w, done by hand and then by an optimizer.

# %%
import math

import matplotlib.pyplot as plt

import nn
from engine import Stepper, Value, backprop_steps, draw_dot, forward_steps, topological_order

# %% [markdown]
# ## The neuron as a graph
#
# A function builds the graph from plain numbers, with a label on every Value so that the
# steps below can name them. The inputs x₁ = 2, x₂ = −1 and the target y = 1 are the data;
# w₁, w₂ and b are the parameters to learn. `compact=True` stacks each box's fields (name,
# data, grad) to keep the drawing narrow; each operation's oval shows what it does, with its
# constant where it has one (`− 1` subtracts the target 1, `^2` squares).

# %%
def neuron(x1, x2, w1, w2, b, y):
    """Build z = w1·x1 + w2·x2 + b, a = tanh(z), L = (a − y)²; return (z, a, L)."""
    w1x1 = w1 * x1;  w1x1.label = "w1x1"
    w2x2 = w2 * x2;  w2x2.label = "w2x2"
    s = w1x1 + w2x2; s.label = "s"
    z = s + b;       z.label = "z"
    a = z.tanh();    a.label = "a"
    e = a - y;       e.label = "e"      # the error a − y
    L = e ** 2;      L.label = "L"
    return z, a, L


x1, x2 = Value(2.0, label="x1"), Value(-1.0, label="x2")
w1, w2 = Value(0.5, label="w1"), Value(-1.5, label="w2")
b = Value(-1.8, label="b")
y = 1.0

z, a, L = neuron(x1, x2, w1, w2, b, y)
draw_dot(L, show_grad=False, compact=True)    # left to right: from the inputs to L

# %% [markdown]
# ## Forward, step by step
#
# `forward_steps(L)` replays the forward pass in topological order, each node computed
# from its inputs, with the numbers filled in:

# %%
for step in forward_steps(L):
    print(step)

# %% [markdown]
# The same by hand: z = 0.5·2 + (−1.5)·(−1) + (−1.8) = 1 + 1.5 − 1.8 = 0.7, then
# a = tanh(z) and L = (a − 1)². Numbers in this notebook are shown to four significant
# digits, as in the steps above, with trailing zeros dropped (−1.550 shows as −1.55).

# %%
z_by_hand = 0.5 * 2.0 + (-1.5) * (-1.0) + (-1.8)
a_by_hand = math.tanh(z_by_hand)
L_by_hand = (a_by_hand - y) ** 2
assert math.isclose(z.data, z_by_hand) and math.isclose(a.data, a_by_hand)
assert math.isclose(L.data, L_by_hand)
print(f"z = {z_by_hand:.4g}   a = {a_by_hand:.4g}   L = {L_by_hand:.4g}")

# %% [markdown]
# ## Backward, step by step
#
# `backprop_steps(L)` runs backpropagation one node at a time, from L back to the
# leaves, and applies each step as it goes. Each step says:
#
# - the node's gradient ∂L/∂node, which is complete by now (every node that uses it has
#   already been handled), and where it came from;
# - for each input, the **local derivative** ∂node/∂input from the operation's rule, and
#   the chain rule: ∂L/∂input += ∂node/∂input × ∂L/∂node.

# %%
for step in backprop_steps(L):
    print(step)
    print()

# %% [markdown]
# Read it from the top. L = e², so ∂L/∂e = 2e. The error e = a − 1 passes its gradient
# unchanged to a. Then tanh: ∂a/∂z = 1 − tanh²(z) = 1 − a². A sum passes its gradient
# unchanged to both inputs, which is why s, b, w1x1 and w2x2 all get ∂L/∂z. Finally each
# product w·x sends x to its weight and w to its input: ∂L/∂w₁ = x₁ · ∂L/∂z.
#
# The gradients are now on the nodes (∂L/∂x₁ and ∂L/∂x₂ too: backpropagation does not
# know which leaves are data; in a deeper network, these would flow on into the previous
# layer):

# %%
for v in (w1, w2, b, x1, x2):
    print(f"∂L/∂{v.label} = {v.grad:.4g}")

# %% [markdown]
# ## The highlighted graph
#
# A `Stepper` walks the same steps (all forward steps, then all backward steps) and draws
# the graph at any one of them: the current node is highlighted in yellow, the nodes
# already done are green, and a gradient is shown only once its node's own step has come
# (until then it reads `grad ?`). It only shows: it leaves `.grad` alone.
#
# Two moments of the backward pass. First, the step at the bias **b**: the gradient has
# come back from L through the loss, the tanh and the sum z = s + b, and b's gradient is
# final; s and everything before it are still to come.

# %%
stepper = Stepper(L, compact=True)          # draws like draw_dot(..., compact=True)
kinds = [step.kind for step in stepper.steps]
print(f"{len(stepper)} steps: {kinds.count('forward')} forward, "
      f"{kinds.count('backward')} backward")
node = {v.label: v for v in topological_order(L)}     # the graph's nodes by label


def backward_step_at(label):
    """The stepper's position of the backward step of the node with this label."""
    return next(k for k, s in enumerate(stepper.steps)
                if s.kind == "backward" and s.node is node[label])


stepper.goto(backward_step_at("b"))
print(stepper.explain())
stepper.draw()

# %% [markdown]
# And the last step, at **w1**: every gradient is known. Compare each node's `grad` with
# the lines printed by `backprop_steps` above.
#
# This time the stepper itself is the cell's output, and it is a small page that **plays**:
# ◀ / ▶, ▶ play, the slider and the arrow keys walk through all 24 steps, each with its
# picture and text. It needs no running Python, so it plays wherever a notebook's output
# may run JavaScript (Jupyter, VS Code, Colab; `stepper.save_html("neuron.html")` writes it
# as a file for any browser). Where nothing runs, it shows the step it opens at.

# %%
stepper.goto(len(stepper) - 1)

# %% [markdown]
# ## The error signal δ
#
# Everything upstream of z (the loss, the activation) is summed up in one number, the
# neuron's **error signal**
#
# δ = ∂L/∂z = ∂L/∂a · ∂a/∂z = 2(a − y) · (1 − a²).
#
# Every parameter's gradient is δ times what the parameter multiplies:
# ∂L/∂wᵢ = δ · xᵢ and ∂L/∂b = δ · 1 (the bias is a weight on a constant input of 1).
# By hand, checked against what backpropagation left on the nodes:

# %%
dL_da = 2 * (a.data - y)
da_dz = 1 - a.data ** 2
delta = dL_da * da_dz
print(f"∂L/∂a = 2(a − y) = 2({a.data:.4g} − {y:g}) = {dL_da:.4g}")
print(f"∂a/∂z = 1 − a²   = 1 − {a.data:.4g}²  = {da_dz:.4g}")
print(f"δ = ∂L/∂a · ∂a/∂z = {delta:.4g}      z.grad = {z.grad:.4g}")
for name, param, multiplies in (("w1", w1, x1.data), ("w2", w2, x2.data), ("b", b, 1.0)):
    print(f"∂L/∂{name} = δ · ({multiplies:g}) = {delta * multiplies:.4g}      "
          f"{name}.grad = {param.grad:.4g}")
    assert math.isclose(param.grad, delta * multiplies, rel_tol=1e-12)
assert math.isclose(z.grad, delta, rel_tol=1e-12)

# %% [markdown]
# ## The update, by hand
#
# Gradient descent moves each parameter a small step against its gradient,
#
# w ← w − η · ∂L/∂w,
#
# with the learning rate η = 0.1 as the step size. The inputs x₁, x₂ are data, not
# parameters: they stay as they are.

# %%
eta = 0.1
by_hand = {p.label: p.data - eta * p.grad for p in (w1, w2, b)}
for p in (w1, w2, b):
    print(f"{p.label} ← {p.data:.4g} − {eta} · ({p.grad:.4g}) = {by_hand[p.label]:.4g}")

# %% [markdown]
# **Predict before you read on:** the gradients of w₁ and w₂ have opposite signs. Which of
# the two weights will the update raise, and why does that make sense for this sample
# (x₁ = 2, x₂ = −1, a below its target)?
#
# <details><summary>Answer</summary>
#
# w₁ rises and w₂ falls; both moves make z larger. The next section explains it.
# </details>
#
# ### Why w₁ goes up and w₂ goes down
#
# The update subtracts η times the gradient, so a parameter with a **negative** gradient
# rises and one with a **positive** gradient falls. Here the neuron's output a is below the
# target y = 1, so the loss falls if z (and with it a = tanh(z)) grows: δ = ∂L/∂z is
# negative. Each weight's gradient is δ times its input:
#
# - x₁ = 2 is positive, so ∂L/∂w₁ = δ·x₁ has δ's sign, negative: w₁ rises. Since w₁ is
#   multiplied by a positive input, a larger w₁ makes z larger.
# - x₂ = −1 is negative, so ∂L/∂w₂ = δ·x₂ is positive: w₂ falls. Since w₂ is multiplied by
#   a negative input, a smaller w₂ makes w₂·x₂, and so z, larger.
# - b is a weight on the input 1, so ∂L/∂b = δ is negative: b rises, and so does z.
#
# Opposite moves, one purpose: all three changes make z larger, and so push a up toward
# the target. With the numbers:

# %%
for p, x_in in ((w1, x1.data), (w2, x2.data), (b, 1.0)):
    change = by_hand[p.label] - p.data
    print(f"{p.label}: input {x_in:g}, ∂L/∂{p.label} = δ·({x_in:g}) = {p.grad:.4g} → "
          f"change −η·∂L/∂{p.label} = {change:+.4g} → z changes by {change * x_in:+.4g}")
assert w1.grad < 0 < w2.grad and b.grad < 0

# %% [markdown]
# ## The same update, by an optimizer
#
# `nn.SGD` does exactly this for every parameter it was given, in `step()`:

# %%
optimizer = nn.SGD([w1, w2, b], lr=eta)
optimizer.step()
for p in (w1, w2, b):
    print(f"{p.label} = {p.data:.4g}")
    assert math.isclose(p.data, by_hand[p.label], rel_tol=1e-12)

# %% [markdown]
# Did it help? The graph built before the update still holds the old numbers, so build the
# neuron again with the new parameters and compare the losses:

# %%
_, a_new, L_new = neuron(x1, x2, w1, w2, b, y)
print(f"before: a = {a.data:.4g}, L = {L.data:.4g}")
print(f"after:  a = {a_new.data:.4g}, L = {L_new.data:.4g}   (the target is y = {y:g})")
assert L_new.data < L.data

# %% [markdown]
# ## Repeat
#
# Training is this loop: forward, `zero_grad()` (gradients add up, so clear the old ones),
# `backward()`, `step()`. Thirty more updates:

# %%
losses = [L.data, L_new.data]
for _ in range(30):
    L_k = neuron(x1, x2, w1, w2, b, y)[2]
    optimizer.zero_grad()
    L_k.backward()
    optimizer.step()
    losses.append(neuron(x1, x2, w1, w2, b, y)[2].data)
print(f"after {len(losses) - 1} updates: L = {losses[-1]:.4g}, "
      f"w1 = {w1.data:.4g}, w2 = {w2.data:.4g}, b = {b.data:.4g}")

fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogy(losses, "o-", ms=4)
ax.set(xlabel="update", ylabel="L (log scale)",
       title="one neuron, one sample: the loss after each update")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# The loss keeps shrinking, more and more slowly: δ = 2(a − y)(1 − a²) shrinks with the
# error a − y, and also because tanh flattens out as a approaches 1 (1 − a² gets small).
# A target of exactly ±1 could only be reached as z → ∞.
#
# ## Your turn
#
# The same neuron on another sample, x₁ = 1, x₂ = 0.5 (target 1, the starting parameters),
# as an exercise from its first backward step: each gradient stays hidden until you type it
# and press Enter (or *check*); Enter again goes on to the next node. A wrong answer gets a
# second try before the right one is shown, three significant digits are enough, and the
# score comes at the end. (It needs no running Python, but it does need a viewer that runs
# the output's script, as Jupyter, VS Code and Colab do; a code host shows the forward
# pass complete and asks nothing.)
#
# One thing to watch: this sample drives z far below 0, where tanh is flat. The cell prints
# tanh's slope there, ∂a/∂z = 1 − a², before the exercise starts.

# %%
z, a, L = neuron(Value(1.0, label="x1"), Value(0.5, label="x2"),
                 Value(0.5, label="w1"), Value(-1.5, label="w2"), Value(-1.8, label="b"), y)
print(f"z = {z.data:.4g}, a = tanh(z) = {a.data:.4g}, ∂a/∂z = 1 − a² = {1 - a.data ** 2:.4g}")
practice = Stepper(L, compact=True)
practice.goto(len(practice.forward_steps)).exercise()

# %% [markdown]
# The slope 1 − a² is small here: the error a − y is large, but only a small share of it
# reaches z and the weights behind it. The neuron is **saturated**, and its gradients are
# small exactly when it is most wrong. This *vanishing gradient* comes back in notebook 3
# (ReLU) and notebook 6 (the scale of the initial weights).

# %% [markdown]
# ## What to remember
#
# - Forward: z = Σ wᵢxᵢ + b, a = f(z), then the loss.
# - Backward: each node's gradient is complete once all its users are done; each input
#   receives local derivative × upstream gradient (the chain rule), added up over uses.
# - The error signal δ = ∂L/∂a · ∂a/∂z sums up everything after z; then ∂L/∂wᵢ = δ·xᵢ and
#   ∂L/∂b = δ.
# - The update w ← w − η ∂L/∂w is what `SGD.step()` does; `zero_grad()` before each
#   `backward()`.
#
# Previous: [1 · Values and graphs](01_values_and_graphs.ipynb) ·
# Next: [3 · A network, by hand](03_network_by_hand.ipynb).
