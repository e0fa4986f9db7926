# Source of 11_digits_compiled.ipynb (see notebooks/build.py).

# %% [markdown]
# # 11 · The backward pass written out: compiling a training step, then training on digits
#
# A training step builds the same graph every time, only with new numbers: new weights
# after each update, new samples in each batch. `engine.compile(fn, *example_inputs)` runs
# `fn` once with Values, keeps the graph it recorded, and writes that graph out as plain
# Python: one line per node for the forward pass, then the chain rule, node by node, in the
# same order as `backward()`. Each line comes from the node's row of the table in
# `engine/ops.py`, so the numbers are the engine's own, to the last bit, only many times
# faster.
#
# In this notebook:
# 1. one neuron's generated code, next to its graph;
# 2. checking the code against the engine;
# 3. a real data set, scikit-learn's 8×8 handwritten digits, learned by an MLP with the
#    compiled step (and why its first loss is so high: the initial weights' scale, notebook
#    6), and what the same training costs with the interpreted engine.

# %%
import math
import random
import time

import matplotlib.pyplot as plt
from IPython.display import display
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import engine
import nn
from engine import draw_dot, no_grad

# %% [markdown]
# ## One neuron, compiled
#
# A tanh neuron with three inputs and the squared error against a target. The data are
# fixed here, so `fn` takes no inputs: the numbers 0.5, −1.0, 2.0 and the target 0.3
# become constants of the code, while the weights and the bias are **parameters**, read
# afresh at every call. First the graph the trace recorded, then the code generated
# from it.

# %%
neuron = nn.Neuron(3, activation="tanh", seed=0)
x, target = [0.5, -1.0, 2.0], 0.3
for w, name in zip(neuron.w, ["w0", "w1", "w2"]):
    w.label = name
neuron.b.label = "b"

step = engine.compile(lambda: (neuron(x) - target) ** 2)

display(draw_dot(step.graph, rankdir="TB", show_grad=False, compact=True))
print(step.source)

# %% [markdown]
# How to read the code:
#
# - **Its two arguments.** `P` holds the parameters (the weights and the bias, read afresh
#   at every call: after an update the same code sees the new numbers), `I` the inputs
#   (none here). A parameter's name is its label and its place: `w0_0`, `b_1`, ….
# - **Forward.** One line per node that is needed again later, named after its place in
#   the trace (`v9` is the neuron's z, drawn as n9; `v10` is a; `v12` the loss; the
#   drawing numbers its nodes the same way, except that it counts b before w0·0.5, which
#   it calls n2 and the trace `v1`); a node used only once is written inside the line
#   that uses it (the products w·x inside the sum). The comment names the row of
#   `engine/ops.py` the formula comes from.
#   `_check_pow_c(...)` is a row's domain check (`**` refuses a negative base with a
#   fractional exponent), run before its formula.
# - **The finiteness test.** `ok = ok + v9 * 0.0 + …`: a number times 0.0 is 0.0 unless
#   it is infinite or nan, so `ok` stays 0.0 exactly when every value is finite. If it is
#   not, or a domain check fails, the step runs the normal engine instead, which raises
#   its own error with its own message.
# - **Backward.** `g_v12 = 1.0` is ∂L/∂L. Each line below multiplies the gradient arriving
#   at a node by the node's local derivative, from the same row (`pow_slope` is the slope
#   of `x ** c`, `1.0 - v10 * v10` the slope of tanh), in the order `backward()` visits
#   the nodes. A `+` node's local derivatives are 1, and so is that of `- 0.3`: such a
#   node passes its gradient on unchanged and gets no line, so `g_v11` also serves as the
#   gradient of a (there is no `g_v10`) and `g_v9` as that of every partial sum of z. A
#   parameter's gradient starts at `0.0 + …`, as `backward()` starts every sum at 0.0;
#   the step returns the loss and these gradients, and adds them to each `.grad`.
#
# Between the graph and the code sits a small program, `step.ir`: one equation per node
# (its operation, its inputs, a constant), each parameter brought in by an equation
# `param k` of its own, and the number of inputs in the header (`inputs 0`). The
# compiler's passes work on it (rolling repeated blocks into loops, writing the backward
# pass, choosing what to inline), and `step.check()` runs it with an interpreter as well
# as running the generated code and the normal engine:

# %%
print(step.ir)

# %% [markdown]
# Calling `step()` runs the code. `step.check()` runs the normal engine on the same numbers
# and compares every bit:

# %%
neuron.zero_grad()
loss = step()
print(f"loss = {loss:.6f}")
print("∂L/∂w:", [round(w.grad, 6) for w in neuron.w], " ∂L/∂b:", round(neuron.b.grad, 6))
print("same as the engine, bit for bit:", step.check())

# %% [markdown]
# What the trace cannot see is checked too. A branch taken on a number (`if z.data > 0`,
# a comparison `a < b` between Values) becomes a **guard** in the code, tested at every
# call; when a guard fails, `fn` is traced again for the new branch. A whole number among
# the inputs (a class index) is part of the graph's shape, so a new one traces again too.
#
# ## A real data set: 8×8 handwritten digits
#
# scikit-learn ships 1,797 small images of the digits 0–9 (no download). Each image is
# 8 × 8 pixels with values 0–16; we scale them to [0, 1] and keep a quarter of the images
# aside, never trained on, to measure the accuracy.

# %%
digits = load_digits()
X_all, y_all = (digits.data / 16.0).tolist(), [int(t) for t in digits.target]
X_train, X_test, y_train, y_test = train_test_split(
    X_all, y_all, test_size=0.25, random_state=0, stratify=y_all)
print(f"{len(X_all)} images of {len(X_all[0])} pixels, values 0 to {digits.data.max():.0f} "
      f"before scaling: {len(X_train)} to train on, {len(X_test)} held out")

fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
for ax, c in zip(axes, range(10)):
    i = y_train.index(c)
    ax.imshow([X_train[i][r * 8:(r + 1) * 8] for r in range(8)], cmap="gray_r")
    ax.set(title=str(c), xticks=[], yticks=[])
plt.show()

# %% [markdown]
# ## The model and the compiled step
#
# `MLP(64, [32, 10])`: 64 inputs, 32 ReLU neurons, 10 linear outputs (one score per
# digit), 64·32 + 32 + 32·10 + 10 = 2,410 parameters, trained with cross-entropy and Adam.
#
# One batch = 5 images of each digit, in the order 0, 1, …, 9, 0, 1, …: every batch then
# has the same class indices, so the graph of its loss has the same shape and one
# compiled step serves every batch (the pixels are the step's input, new each time). The
# batch's 50 samples make a graph of about 240,000 nodes. The compiler finds the blocks
# that repeat: each sample's pass through the network (its 32 hidden and 10 output
# neurons, about 4,800 equations) is the same block 50 times, and so is the last step of
# each sample's loss; each is written once, as a loop over its 50 occurrences. The rest
# (the exponentials and sums of each sample's softmax, and the mean) is written out line
# by line. The cell below prints the loops' headers from `train_step.ir`.

# %%
model = nn.MLP(64, [32, 10], seed=0)
print("parameters:", len(model.parameters()))
optimizer = nn.Adam(model.parameters(), lr=0.01)
PER_CLASS = 5
labels = [c for _ in range(PER_CLASS) for c in range(10)]


def batch_loss(images):
    return nn.cross_entropy([model(x) for x in images], labels)


def batches(rng):
    """One epoch: batches of PER_CLASS shuffled images of each digit, in class order."""
    order = [rng.sample(idx, len(idx)) for idx in
             ([i for i, t in enumerate(y_train) if t == c] for c in range(10))]
    n = min(len(o) for o in order) // PER_CLASS
    return [[order[c][b * PER_CLASS + k] for k in range(PER_CLASS) for c in range(10)]
            for b in range(n)]


rng = random.Random(0)
first = [X_train[i] for i in batches(random.Random(0))[0]]
t0 = time.perf_counter()
train_step = engine.compile(batch_loss, first)
compile_seconds = time.perf_counter() - t0
print(f"compiled in {compile_seconds:.1f} s: {train_step.source.count(chr(10)):,} lines "
      f"of code for a graph of {len(engine.topological_order(train_step.graph)):,} nodes")
ir_lines = train_step.ir.splitlines()
for i, line in enumerate(ir_lines):
    if "loop over" in line:
        body = 0
        while ir_lines[i + 1 + body].strip().startswith("t"):
            body += 1
        print(f"{line.split(' of (')[0].strip()}: a body of {body:,} equations")

# %% [markdown]
# ## The first loss, and the scale of the initial weights
#
# **Predict before you run:** a model that knows nothing would give each of the 10 digits
# probability 1/10. What is its cross-entropy? Will this untrained network do better or
# worse?
#
# <details><summary>Answer</summary>
#
# −log(1/10) = ln 10 ≈ 2.303. The untrained network does worse: its logits are large, so
# its softmax is confident, and mostly wrong.
# </details>
#
# Each first-layer neuron sums 64 products wᵢxᵢ with weights drawn from (−1, 1): the sum
# spreads far wider than with notebook 6's two inputs, the logits come out large, and the
# softmax is confidently wrong. Scaling every neuron's initial weights by 1/√(its number of
# inputs), notebook 6's rule (1/8 for the 64-input layer, 1/√32 for the next), brings the
# first loss near ln 10. The loss of the first batch, both ways (training below keeps the
# unscaled start):

# %%
def first_batch_loss(net):
    with no_grad():
        return nn.cross_entropy([net(x) for x in first], labels).data


scaled = nn.MLP(64, [32, 10], seed=0)
for layer in scaled.layers:
    fan_in = len(layer.neurons[0].w)
    for p in layer.parameters():
        p.data /= math.sqrt(fan_in)
print(f"ln 10 = {math.log(10):.3f};  first batch: {first_batch_loss(model):.3f} as drawn, "
      f"{first_batch_loss(scaled):.3f} scaled by 1/√(inputs)")

# %% [markdown]
# ## Training
#
# The loop is the usual one; only the forward-and-backward line is the compiled step.

# %%
EPOCHS = 12
losses = []
t0 = time.perf_counter()
for epoch in range(EPOCHS):
    total, epoch_batches = 0.0, batches(rng)
    for batch in epoch_batches:
        optimizer.zero_grad()
        total += train_step([X_train[i] for i in batch])   # forward + backward, compiled
        optimizer.step()
    losses.append(total / len(epoch_batches))
train_seconds = time.perf_counter() - t0
steps = EPOCHS * len(epoch_batches)
print(f"{steps} steps in {train_seconds:.1f} s; mean loss per epoch:",
      " ".join(f"{v:.3f}" for v in losses))
print("retraces:", train_step.retraces, " steps handed to the engine:", train_step.fallbacks)

# %% [markdown]
# ## Accuracy on the held-out quarter

# %%
with no_grad():
    right = 0
    for x, t in zip(X_test, y_test):
        scores = [s.data for s in model(x)]
        right += scores.index(max(scores)) == t
accuracy = right / len(X_test)
print(f"held-out accuracy: {accuracy:.1%} ({right} of {len(X_test)})")

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(range(1, EPOCHS + 1), losses, marker="o")
ax.set(xlabel="epoch", ylabel="mean cross-entropy", title="training loss")
plt.show()

# %% [markdown]
# ## And with the interpreted engine?
#
# The same step through the Value graph, `batch_loss(images).backward()`: its time for a
# few steps, multiplied out to the whole training.

# %%
t0 = time.perf_counter()
for _ in range(2):
    model.zero_grad()
    batch_loss(first).backward()
per_step = (time.perf_counter() - t0) / 2
print(f"interpreted: {per_step:.2f} s per step, about {per_step * steps / 60:.0f} min for "
      f"the {steps} steps; compiled: {compile_seconds + train_seconds:.0f} s in all, "
      f"{train_seconds / steps * 1000:.0f} ms per step ({per_step * steps / train_seconds:.0f}× "
      f"faster)")

# %% [markdown]
# The compiled step computed exactly what `backward()` would have: the same losses and the
# same gradients, so the same weights after every update. It is a tool for when the graph
# repeats; for drawing, stepping through and explaining, the Value graph is still the
# place to look. (`train_step.graph` is the recorded graph of a whole batch, far too big to
# draw: draw one neuron, as above, or one sample's graph of a small network.)
#
# ## What to remember
#
# - A training step builds the same graph every time; `engine.compile` writes its forward
#   and backward pass out once as Python and reruns that, with the engine's numbers to the
#   last bit (`step.check()` compares).
# - Initial weights uniform in (−1, 1) are too large for a neuron with 64 inputs: scale
#   them by about 1/√(inputs), or the first steps go to undoing an overconfident start.
# - Judge a classifier on images it was not trained on: here a quarter of the data set.
#
# Previous: [10 · Several classes](10_several_classes.ipynb) ·
# Next: [12 · From stepgrad to PyTorch](12_from_stepgrad_to_pytorch.ipynb).
