# %% [markdown]
# # 3 · A network, by hand
#
# Notebook 2 trained one neuron. Now stack neurons into layers: a **multi-layer
# perceptron** (MLP). Each neuron still computes its weighted sum z = Σ wᵢxᵢ + b and its
# activation a = f(z), and each layer feeds its activations to the next. This notebook
# follows one sample through a small network with every number written out, forward and
# backward, and then trains nothing yet: notebook 4 does that.
#
# In this notebook:
# 1. the task (two classes, labels 0 and 1) and its loss, binary cross-entropy on the logit;
# 2. a tiny network `MLP(2, [3, 1])`, drawn with every number: the forward pass, the error
#    signals δ and every ∂L/∂w, by hand and checked against `backward()`;
# 3. one gradient step;
# 4. δ carried back through **two** hidden layers;
# 5. a second activation, **ReLU**, and a neuron that never learns.
#
# Names used in every notebook: x the inputs, y the label, z = Σ wᵢxᵢ + b a neuron's
# weighted sum, a = f(z) its activation, δ = ∂L/∂z its error signal, L the loss, η the
# learning rate. The last neuron of a classifier is linear: its z is the **logit**, and
# p = σ(z) the probability of class 1.

# %%
import math

import matplotlib.pyplot as plt
from sklearn.datasets import make_moons

import nn
from engine import check_answer, no_grad
from nn.viz.palette import class_color, class_name

# %% [markdown]
# ## The task: two classes
#
# 100 points in the plane from scikit-learn's "two moons", labelled y = 0 and y = 1
# (`random_state` fixes them). Notebook 4 trains a network to separate them; here they
# only supply one sample.
#
# Every picture of the project draws class 1 blue and class 0 orange (and, in pictures of
# networks, a weight w > 0 blue and w < 0 orange).

# %%
X_np, labels = make_moons(n_samples=100, noise=0.1, random_state=1)
X = X_np.tolist()                                   # plain lists of floats
y = [float(label) for label in labels]              # 0.0 or 1.0

fig, ax = plt.subplots(figsize=(5.5, 3.6))
for k in (0, 1):
    points = X_np[labels == k]
    ax.scatter(points[:, 0], points[:, 1], color=class_color(k), edgecolors="black",
               s=30, label=class_name(k))
ax.set(xlabel="x₁", ylabel="x₂", title="two moons: 100 samples")
ax.legend()
plt.show()

# %% [markdown]
# ## The output and the loss: binary cross-entropy on the logit
#
# The output neuron is linear: its z, the **logit**, can be any real number. The
# probability the network gives to class 1 is p = σ(z) = 1/(1 + e⁻ᶻ), so z > 0 means
# "class 1 is more likely". The loss of one sample is the **binary cross-entropy**
#
# L = −[y·log p + (1 − y)·log(1 − p)],
#
# the negative log of the probability given to the right class.
# `nn.binary_cross_entropy_with_logits(logits, labels)` takes the logits (it applies σ
# itself, in a way that cannot overflow) and returns the mean over the samples. Its
# gradient is the reason to use it: for one sample,
#
# ∂L/∂z = p − y,
#
# the predicted probability minus the label. This is δ of the output neuron.

# %%
def bce(logit, label):
    """The loss of one sample: binary cross-entropy on its logit."""
    return nn.binary_cross_entropy_with_logits([logit], [label])


# %% [markdown]
# ## A tiny network, every number drawn
#
# `MLP(2, [3, 1], activation="tanh")`: two inputs, one hidden layer of three tanh neurons
# h1.1, h1.2, h1.3, and one linear output neuron, out1. That is (2 + 1)·3 + (3 + 1)·1 = 13
# parameters, few enough to draw with all their numbers. `seed` fixes the random initial
# weights (uniform in (−1, 1); biases start at 0).
#
# `nn.draw_model` runs the model on one sample, backpropagates the loss, and draws the
# network: each neuron shows z, its activation a, its bias b, δ = ∂L/∂z and ∂L/∂b; each
# connection its weight w and ∂L/∂w. Every number is read from the real Value graph (and
# the model's own `.grad` is left alone). The drawing names each neuron by its place in
# the model, counting from 0: h1.1, h1.2, h1.3 are `layers.0.neurons.0`, `.1` and `.2`,
# and out1 is `layers.1.neurons.0`.

# %%
tiny = nn.MLP(2, [3, 1], activation="tanh", seed=3)
print("parameters:", len(tiny.parameters()))
x0, y0 = X[0], y[0]
print(f"sample 0: x = ({x0[0]:.4g}, {x0[1]:.4g}), label y = {y0:.0f}")


def draw(model):
    """The network on sample 0 after backpropagating its loss, inputs at the top."""
    return nn.draw_model(model, x0, target=y0, loss_fn=bce, rankdir="TB")


draw(tiny)

# %% [markdown]
# ### Forward, layer by layer
#
# Read the picture from top to bottom. Each hidden neuron forms its weighted sum of the
# inputs plus its bias, then applies tanh; the output neuron does the same with the three
# hidden activations as its inputs, and applies nothing (it is linear). By hand, with the
# weights read off the model:

# %%
hidden, out = tiny.layers[0].neurons, tiny.layers[1].neurons[0]
z_hidden = [sum(w.data * xi for w, xi in zip(n.w, x0)) + n.b.data for n in hidden]
a_hidden = [math.tanh(z) for z in z_hidden]
for k, (n, z, a) in enumerate(zip(hidden, z_hidden, a_hidden), start=1):
    terms = " + ".join(f"({w.data:.4g})·({xi:.4g})" for w, xi in zip(n.w, x0))
    print(f"h1.{k}: z = {terms} + {n.b.data:.4g} = {z:.4g},   a = tanh(z) = {a:.4g}")
z_by_hand = sum(w.data * a for w, a in zip(out.w, a_hidden)) + out.b.data
p_by_hand = 1 / (1 + math.exp(-z_by_hand))
L_by_hand = -(y0 * math.log(p_by_hand) + (1 - y0) * math.log(1 - p_by_hand))
terms = " + ".join(f"({w.data:.4g})·({a:.4g})" for w, a in zip(out.w, a_hidden))
print(f"out1: z = {terms} + {out.b.data:.4g} = {z_by_hand:.4g}  (the logit)")
print(f"      p = σ(z) = {p_by_hand:.4g},   L = −log p = {L_by_hand:.4g}  (the label is 1)")

# %% [markdown]
# ### Backward: δ and ∂L/∂w by the chain rule
#
# Now the real backward pass, on the model itself: `loss.backward()` fills `.grad` of every
# weight and bias. The logit z is a node of the graph too, so its gradient, δ of the output
# neuron, can be read directly. It is p − y:

# %%
z_out = tiny(x0)                  # the logit: the output neuron's z
loss = bce(z_out, y0)
loss.backward()
p = 1 / (1 + math.exp(-z_out.data))
print(f"δ(out1) = ∂L/∂z from backward(): {z_out.grad:.4g}")
print(f"p − y = {p:.4g} − {y0:.0f} = {p - y0:.4g}")
assert math.isclose(z_out.grad, p - y0, rel_tol=1e-9)
assert math.isclose(loss.data, L_by_hand, rel_tol=1e-9)

# %% [markdown]
# Going one layer back, the chain rule gives each hidden neuron's error signal. The output's
# δ reaches hidden neuron k through the weight w_k of their connection, and then through
# the neuron's own activation, whose slope is tanh′(z) = 1 − a²:
#
# δ(h1.k) = f′(z) · Σ w·δ = (1 − a²) · w_k · δ(out1)
#
# (the sum has one term here, as there is one neuron in the next layer). Then every
# weight's gradient is δ of the neuron it enters times the activation it carries,
# ∂L/∂w = δ · a (for a first-layer weight the "activation" is the input x), and a bias's
# gradient is δ itself (a weight on a constant input 1). For h1.1, by hand and as
# `backward()` left it:

# %%
k = 0                                                     # hidden neuron h1.1
delta_out = p - y0
delta_k = (1 - a_hidden[k] ** 2) * out.w[k].data * delta_out
print(f"δ(h1.1) = (1 − a²)·w·δ(out1) = (1 − ({a_hidden[k]:.4g})²)·({out.w[k].data:.4g})"
      f"·({delta_out:.4g}) = {delta_k:.4g}")
print(f"   ∂L/∂b of h1.1 from backward():             {hidden[k].b.grad:.4g}")
grad_in = delta_k * x0[0]
print(f"∂L/∂w (x1 → h1.1) = δ(h1.1)·x₁ = ({delta_k:.4g})·({x0[0]:.4g}) = {grad_in:.4g}")
print(f"   from backward():                                {hidden[k].w[0].grad:.4g}")
grad_out = delta_out * a_hidden[k]
print(f"∂L/∂w (h1.1 → out1) = δ(out1)·a(h1.1) = ({delta_out:.4g})·({a_hidden[k]:.4g}) = "
      f"{grad_out:.4g}")
print(f"   from backward():                                      {out.w[k].grad:.4g}")
assert math.isclose(hidden[k].b.grad, delta_k, rel_tol=1e-9)
assert math.isclose(hidden[k].w[0].grad, grad_in, rel_tol=1e-9)
assert math.isclose(out.w[k].grad, grad_out, rel_tol=1e-9)

# %% [markdown]
# The same numbers stand in the picture above: δ in the box of h1.1, ∂L/∂w on its
# connections.
#
# **Your turn.** Compute δ(h1.2), the error signal of the second hidden neuron, from the
# numbers printed above (its activation a and its weight to out1 are in the forward
# printout, the second term of out1's sum). Type it in place of `None` and run the cell.
#
# <details><summary>The formula, if you are stuck</summary>
#
# δ(h1.2) = (1 − a(h1.2)²) · w(h1.2 → out1) · δ(out1). The answer is also in the picture,
# in h1.2's box.
# </details>

# %%
your_delta = None
check_answer(your_delta, hidden[1].b.grad)       # ∂L/∂b = δ: what backward() left on h1.2's bias

# %% [markdown]
# ## One gradient step
#
# Gradient descent moves every parameter against its gradient, w ← w − η·∂L/∂w.
# `nn.SGD` (without momentum) does exactly that in `step()`. With η = 0.5:

# %%
eta = 0.5
before = {name: (v.data, v.grad) for name, v in tiny.named_parameters()}
nn.SGD(tiny.parameters(), lr=eta).step()
print(f"{'parameter':24} {'w':>8} {'∂L/∂w':>8}   {'w − η·∂L/∂w':>11}")
for name, v in tiny.named_parameters():
    old, g = before[name]
    print(f"{name:24} {old:8.4g} {g:8.4g}   {v.data:11.4g}")
    assert math.isclose(v.data, old - eta * g, rel_tol=1e-12, abs_tol=1e-15)

with no_grad():
    p_new = tiny(x0).sigmoid().data
    loss_new = bce(tiny(x0), y0).data
print(f"\nbefore the step: p = {p:.4g}, L = {loss.data:.4g}")
print(f"after the step:  p = {p_new:.4g}, L = {loss_new:.4g}   (the label is y = {y0:.0f})")
assert loss_new < loss.data and p_new > p

# %% [markdown]
# Each parameter moved by −η times its gradient: a positive gradient lowers it, a negative
# one raises it (`layers.1.neurons.0.w.0` is out1's weight from h1.1). The probability of
# the right class moved toward the label and the loss went down. That one step is all of
# learning; training repeats it over all the samples, many times (notebook 4).
#
# ## Two hidden layers: δ carried back layer by layer
#
# With more layers nothing new happens, the same rule is applied once per layer, from the
# output back: a neuron's δ is its activation's slope times the sum, over the neurons it
# feeds, of (weight of that connection) × (their δ):
#
# δ(neuron) = f′(z) · Σ_next w · δ(next).
#
# `MLP(2, [2, 2, 1], activation="tanh")` has two hidden layers of two neurons, h1.1, h1.2
# and h2.1, h2.2 (drawn as `layers.0.neurons.0`, … and `layers.1.neurons.0`, …; out1 is
# now `layers.2.neurons.0`). Layer 2's neurons each feed only out1; layer 1's neurons each
# feed **both** neurons of layer 2, so their sums have two terms.

# %%
deep = nn.MLP(2, [2, 2, 1], activation="tanh", seed=0)
draw(deep)

# %% [markdown]
# By hand: the forward pass layer by layer, then the δ's from the output back, each printed
# with its numbers and checked against the bias gradients `backward()` leaves (∂L/∂b = δ):

# %%
layer1, layer2, last = (layer.neurons for layer in deep.layers)


def forward(neurons, inputs):
    """z and a = tanh(z) of each neuron of a layer (the last layer: a = z)."""
    zs = [sum(w.data * v for w, v in zip(n.w, inputs)) + n.b.data for n in neurons]
    return zs, [z if n.activation == "linear" else math.tanh(z) for n, z in zip(neurons, zs)]


z1, a1 = forward(layer1, x0)
z2, a2 = forward(layer2, a1)
z3, _ = forward(last, a2)
p_deep = 1 / (1 + math.exp(-z3[0]))
print("a(layer 1) =", [round(v, 4) for v in a1], "  a(layer 2) =", [round(v, 4) for v in a2],
      f"  logit z = {z3[0]:.4g},  p = {p_deep:.4g}")

d3 = [p_deep - y0]
print(f"\nδ(out1) = p − y = {d3[0]:.4g}")
d2 = []
for j, a in enumerate(a2):
    total = last[0].w[j].data * d3[0]
    d2.append((1 - a * a) * total)
    print(f"δ(h2.{j + 1}) = (1 − ({a:.4g})²) · [({last[0].w[j].data:.4g})·({d3[0]:.4g})] "
          f"= {d2[j]:.4g}")
d1 = []
for i, a in enumerate(a1):
    terms = [(layer2[j].w[i].data, d2[j]) for j in range(2)]
    total = sum(w * d for w, d in terms)
    d1.append((1 - a * a) * total)
    shown = " + ".join(f"({w:.4g})·({d:.4g})" for w, d in terms)
    print(f"δ(h1.{i + 1}) = (1 − ({a:.4g})²) · [{shown}] = {d1[i]:.4g}")

deep_loss = bce(deep(x0), y0)
deep_loss.backward()
for deltas, neurons in ((d3, last), (d2, layer2), (d1, layer1)):
    for d, n in zip(deltas, neurons):
        assert math.isclose(n.b.grad, d, rel_tol=1e-9), (n.b.grad, d)
print("\nevery δ equals ∂L/∂b from backward()")
print(f"∂L/∂w (x1 → h1.1) = δ(h1.1)·x₁ = {d1[0] * x0[0]:.4g};   "
      f"backward(): {layer1[0].w[0].grad:.4g}")
assert math.isclose(layer1[0].w[0].grad, d1[0] * x0[0], rel_tol=1e-9)

# %% [markdown]
# That recursion is all of backpropagation through an MLP: δ of the output from the loss,
# then each layer's δ from the next layer's, and every ∂L/∂w = δ · (what the weight
# multiplies). Each δ is also a product of weights and slopes along the paths back to the
# output, so a long chain of small slopes (1 − a² near 0) or small weights makes the early
# layers' gradients small: the *vanishing gradient* of deep networks.
#
# ## Another activation: ReLU
#
# tanh is smooth and bounded. The activation most networks use today is the **rectified
# linear unit**, ReLU:
#
# a = max(0, z),   f′(z) = 1 for z > 0 and 0 for z < 0 (and 0 at z = 0, PyTorch's choice).
#
# So a ReLU neuron passes its δ back unchanged where it is active (z > 0) and passes
# **nothing** back where it is not: δ = f′(z)·Σ w·δ is exactly 0, and so is ∂L/∂w of every
# weight into it. `nn.MLP`'s default activation is `"relu"`. The same tiny shape with ReLU
# neurons (seed 2), on the same sample:
#
# **Predict before you run:** the printout will show one hidden neuron with z < 0. Which of
# the 13 gradients will be exactly zero?
#
# <details><summary>Answer</summary>
#
# The three of that neuron's own parameters (its two input weights and its bias: δ = 0
# there) and its outgoing weight (∂L/∂w = δ(out1)·a with a = 0): four in all.
# </details>

# %%
relu_net = nn.MLP(2, [3, 1], activation="relu", seed=2)
r_hidden, r_out = relu_net.layers[0].neurons, relu_net.layers[1].neurons[0]
z_r = [sum(w.data * xi for w, xi in zip(n.w, x0)) + n.b.data for n in r_hidden]
a_r = [max(0.0, z) for z in z_r]
slope = [1.0 if z > 0 else 0.0 for z in z_r]
logit = relu_net(x0)
relu_loss = bce(logit, y0)
relu_loss.backward()
print(f"δ(out1) = p − y = {logit.grad:.4g}")
for k, n in enumerate(r_hidden):
    delta = r_out.w[k].data * logit.grad if z_r[k] > 0 else 0.0     # f′(z)·w·δ(out1)
    print(f"h1.{k + 1}: z = {z_r[k]:7.4f}, a = max(0, z) = {a_r[k]:.4f}, f′(z) = {slope[k]:.0f}, "
          f"δ = f′·w·δ(out1) = {delta:7.4f}")
    print(f"      backward(): ∂L/∂b = {n.b.grad:7.4f}, "
          f"∂L/∂w = ({n.w[0].grad:7.4f}, {n.w[1].grad:7.4f}), "
          f"outgoing ∂L/∂w = {r_out.w[k].grad:7.4f}")
    assert math.isclose(n.b.grad, delta, rel_tol=1e-12, abs_tol=0.0)
zeros = [name for name, v in relu_net.named_parameters() if v.grad == 0.0]
print(f"parameters whose gradient is exactly 0 ({len(zeros)} of {len(relu_net.parameters())}):")
for name in zeros:
    print("   ", name)
draw(relu_net)

# %% [markdown]
# On another sample, h1.3 may be active and learn. But a neuron whose z is negative for
# **every** sample gets no gradient from any of them: its weights never change, so it stays
# off for good. It is a **dead** ReLU. A large step can push a bias there; here we do it by
# hand, with h1.3's bias set to −3, and backpropagate the mean loss over all 100 samples:

# %%
r_hidden[2].b.data = -3.0
relu_net.zero_grad()
with no_grad():
    active = sum(r_hidden[2](x).data > 0 for x in X)
print(f"samples on which h1.3 is active: {active} of {len(X)}")
total = nn.binary_cross_entropy_with_logits([relu_net(x) for x in X], y)
total.backward()
dead = [r_hidden[2].w[0], r_hidden[2].w[1], r_hidden[2].b, r_out.w[2]]
print("∂L/∂(h1.3's weights, bias, outgoing weight) over all samples:",
      [v.grad for v in dead])
assert active == 0 and all(v.grad == 0.0 for v in dead)

# %% [markdown]
# No step of gradient descent will move any of those four numbers. A tanh neuron never dies
# this way: its slope 1 − a² is small far from 0 but never exactly 0. ReLU is still the
# usual choice for hidden layers: it is cheap, and its slope does not shrink for large z as
# tanh's does, so deep networks train faster with it. Its failure mode is this one.
#
# ## What to remember
#
# - An MLP is layers of neurons z = Σ wᵢxᵢ + b, a = f(z); its parameters are all the
#   weights and biases. For two classes the last neuron is linear, its z is the logit, and
#   p = σ(z).
# - With binary cross-entropy on the logit, the output's error signal is δ = p − y.
# - Going back one layer at a time: δ = f′(z)·Σ w·δ(next); for each weight
#   ∂L/∂w = δ·(what it multiplies), for each bias ∂L/∂b = δ.
# - tanh′(z) = 1 − a²; ReLU′(z) is 1 or 0, so an inactive ReLU neuron passes no gradient,
#   and one inactive on every sample never learns again.
#
# Previous: [2 · Backpropagation through one neuron](02_backprop_one_neuron.ipynb) ·
# Next: [4 · Training a network on two moons](04_training_two_moons.ipynb).
