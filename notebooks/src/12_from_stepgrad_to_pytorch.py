# Source of 12_from_stepgrad_to_pytorch.ipynb (see notebooks/build.py).

# %% [markdown]
# # 12 · From stepgrad to PyTorch
#
# stepgrad shows every number of a network: each weight is a `Value`, each operation a node,
# each gradient a chain-rule product you can step through. PyTorch computes the same
# numbers, but on whole arrays (tensors) at once, in compiled code. This notebook carries a
# model across and checks that **nothing changes but the speed**:
#
# 1. train the two-moons MLP in stepgrad;
# 2. export it with one call, `nn.to_torch(model)`, and see which torch entry holds which
#    stepgrad weight;
# 3. run the same training loop in both libraries, side by side, and print equal numbers;
# 4. write the same problem the PyTorch way: one matrix product per layer, the whole batch
#    at once;
# 5. time a training step of each of the three versions.
#
# PyTorch is an optional extra of stepgrad: `pip install "stepgrad[torch]"` (the CPU build
# of torch 2.13.0; see the README for machines where pip would pick a GPU build).

# %%
import copy
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.colors import LinearSegmentedColormap
from sklearn.datasets import make_moons

import nn
from engine import no_grad, topological_order
from nn.viz.palette import NEGATIVE, NEUTRAL, POSITIVE, class_color, class_name

torch.manual_seed(0)          # nothing below draws torch random numbers; to be sure
torch.set_num_threads(1)      # one core for each version, so that the timings compare
print("torch", torch.__version__)
P_COLOURS = LinearSegmentedColormap.from_list("p", [NEGATIVE, NEUTRAL, POSITIVE])

# %% [markdown]
# ## 1. The model, trained in stepgrad
#
# The data and the loss of notebook 4: 100 points in two interleaved half-moons, seeded,
# labels 0 and 1, and **binary cross-entropy on the logits**: the model's output z is a
# logit, p = σ(z) the probability of class 1, and the loss −[y·log p + (1 − y)·log(1 − p)],
# averaged over the samples. It is the loss PyTorch users reach for first
# (`F.binary_cross_entropy_with_logits`), and stepgrad has it under the same name.
#
# The model: `MLP(2, [8, 8, 1])`, two hidden layers of 8 ReLU neurons, a linear output,
# (2 + 1)·8 + (8 + 1)·8 + (8 + 1)·1 = 105 parameters. Each training step below is one
# step of **batch** gradient descent (all 100 samples) with Adam.

# %%
X_np, labels = make_moons(n_samples=100, noise=0.1, random_state=1)
X = X_np.tolist()
y = [float(label) for label in labels]              # 0.0 or 1.0

model = nn.MLP(2, [8, 8, 1], seed=0)
print(model)
print("parameters:", len(model.parameters()))


def stepgrad_loss(model):
    return nn.binary_cross_entropy_with_logits([model(x) for x in X], y)


def accuracy(logits):
    return sum((z > 0) == (t == 1.0) for z, t in zip(logits, y)) / len(y)


with no_grad():
    print(f"untrained: loss {stepgrad_loss(model).data:.4f}, "
          f"accuracy {accuracy([model(x).data for x in X]):.0%}")

# %% [markdown]
# ## 2. One call: `nn.to_torch`
#
# Export the untrained model, so that both libraries start from the very same weights.
# `nn.to_torch` builds a `torch.nn.Sequential`: each stepgrad layer of m neurons with n
# inputs becomes one `Linear(n, m)`, followed by its activation. Neuron j's weights are row
# j of the `Linear`'s `weight` matrix and its bias is `bias[j]`; all numbers are float64,
# like Python's floats.

# %%
exported = nn.to_torch(model)
print(exported)

# %% [markdown]
# `nn.parameter_map` says which torch entry holds each stepgrad parameter (the positions 0,
# 2 and 4 are the three `Linear` layers; 1 and 3 are the ReLUs):

# %%
mapping = nn.parameter_map(model)
for name in ["layers.0.neurons.0.w.0", "layers.0.neurons.3.w.1", "layers.0.neurons.3.b",
             "layers.1.neurons.7.w.2", "layers.2.neurons.0.b"]:
    torch_name, index = mapping[name]
    value = exported.get_parameter(torch_name)[index].item()
    print(f"{name:24} = {torch_name}{list(index)}   {value:+.12f}")
assert all(exported.get_parameter(t)[i].item() == p.data
           for (t, i), p in zip(mapping.values(), model.parameters()))

# %% [markdown]
# The same input gives the same output. stepgrad takes one sample, a list of two numbers;
# the torch module takes a tensor of samples, one per row:

# %%
x = X[0]
with no_grad():
    ours = model(x).data
theirs = exported(torch.tensor([x], dtype=torch.float64)).item()
print(f"stepgrad: {ours!r}\ntorch:    {theirs!r}\ndifference: {abs(ours - theirs):.1e}")

# %% [markdown]
# ## 3. The same training loop, side by side
#
# The loop is the one every notebook teaches: forward, loss, `zero_grad()`, `backward()`,
# `step()`. Written in both libraries it reads almost word for word the same: the names are
# PyTorch's on both sides. To keep the torch version as close as possible to stepgrad's,
# it also runs the model **one sample at a time** and collects the 100 logits.
#
# | stepgrad | PyTorch |
# |---|---|
# | `nn.binary_cross_entropy_with_logits(logits, y)` | `F.binary_cross_entropy_with_logits(logits, y)` |
# | `nn.Adam(model.parameters(), lr=0.05)` | `torch.optim.Adam(module.parameters(), lr=0.05)` |
# | `engine.no_grad()` | `torch.no_grad()` |
#
# (`nn.TORCH_EQUIVALENTS` lists the torch call for every stepgrad loss and optimizer.)

# %%
STEPS = 40
rows = [torch.tensor(x, dtype=torch.float64) for x in X]
y_t = torch.tensor(y, dtype=torch.float64)

per_sample = copy.deepcopy(exported)     # two torch copies of the same untrained model
batched = copy.deepcopy(exported)

opt = nn.Adam(model.parameters(), lr=0.05)
opt_t = torch.optim.Adam(per_sample.parameters(), lr=0.05)

history = []
seconds = {"stepgrad": [], "torch, one sample at a time": []}     # time of each step
for step in range(1, STEPS + 1):
    start = time.perf_counter()
    loss = nn.binary_cross_entropy_with_logits([model(x) for x in X], y)       # stepgrad
    opt.zero_grad()
    loss.backward()
    opt.step()
    seconds["stepgrad"].append(time.perf_counter() - start)

    start = time.perf_counter()
    logits = torch.cat([per_sample(r) for r in rows])                          # torch
    loss_t = F.binary_cross_entropy_with_logits(logits, y_t)
    opt_t.zero_grad()
    loss_t.backward()
    opt_t.step()
    seconds["torch, one sample at a time"].append(time.perf_counter() - start)

    history.append((loss.data, loss_t.item()))
    if step in (1, 2, 3, 10, 20, 30, 40):
        print(f"step {step:2}   stepgrad loss {loss.data:.15f}   "
              f"torch loss {loss_t.item():.15f}")


def largest_difference(model, module):
    """The largest gap between a stepgrad parameter and its torch entry."""
    return max(abs(module.get_parameter(t)[i].item() - p.data)
               for (t, i), p in zip(nn.parameter_map(model).values(), model.parameters()))


gap = largest_difference(model, per_sample)
print(f"\nafter {STEPS} steps, largest difference between the {len(mapping)} parameters: "
      f"{gap:.1e}")
assert gap < 1e-10 and max(abs(a - b) for a, b in history) < 1e-10

# %% [markdown]
# Equal to the 14th decimal: where two losses differ at all, it is by 1 in the 15th, the
# last digit printed; and the 105 parameters agree to about 1e-15, a few roundings of a
# float64. The two libraries add up the products of a neuron in a different order, so the
# last bits can differ; nothing else does. Both models now classify
# the moons the same way:

# %%
with no_grad():
    ours = [model(x).data for x in X]
with torch.no_grad():
    theirs = per_sample(torch.tensor(X, dtype=torch.float64)).squeeze(1).tolist()
print(f"stepgrad accuracy {accuracy(ours):.0%}, torch accuracy {accuracy(theirs):.0%}")

# %% [markdown]
# ## 4. The same problem, the PyTorch way
#
# A layer of neurons is a matrix product: with the samples as the rows of a matrix X
# (100 × 2), the first layer computes all 100 × 8 pre-activations at once as
# Z = X·Wᵀ + b, the second 100 × 8 from those, the last 100 × 1. That is what a
# `Sequential` of `Linear` layers does when given the whole batch as one tensor: three
# matrix products (with their activations) per forward pass instead of 100 · (8 + 8 + 1)
# neurons computed one multiplication at a time, and the backward pass is three matrix
# products too.
#
# The training loop is the same four lines; only the forward pass changed. It starts from
# the same exported weights:

# %%
X_t = torch.tensor(X, dtype=torch.float64)      # 100 × 2: all samples at once
opt_b = torch.optim.Adam(batched.parameters(), lr=0.05)


def batched_step():
    loss = F.binary_cross_entropy_with_logits(batched(X_t).squeeze(1), y_t)
    opt_b.zero_grad()
    loss.backward()
    opt_b.step()
    return loss


seconds["torch, whole batch"] = []
for step in range(1, STEPS + 1):
    start = time.perf_counter()
    loss_b = batched_step()
    seconds["torch, whole batch"].append(time.perf_counter() - start)
    assert abs(loss_b.item() - history[step - 1][0]) < 1e-10

print(f"after {STEPS} steps: loss {loss_b.item():.15f} "
      f"(stepgrad: {history[-1][0]:.15f}),\nlargest parameter difference from stepgrad: "
      f"{largest_difference(model, batched):.1e}")

# %% [markdown]
# The same numbers again: the order of the additions inside a matrix product is the only
# difference, and it shows in the 16th digit at most.
#
# ## 5. Time per step
#
# All three versions ran the same 40 steps above, in this run, on this machine, each on one
# processor core; here is the time each took per step (forward, backward and update for all
# 100 samples), the median of its 40 steps.
#
# These times depend on the machine and on what else it is doing: rerun the notebook and
# they change, unlike every other number in it. They are not part of "the same numbers";
# only their ratios say something, roughly.
#
# **Predict before you run:** rank the three versions from fastest to slowest, and guess
# how many times faster the fastest is than stepgrad: 3, 30 or 300?
#
# <details><summary>Answer</summary>
#
# torch on the whole batch, then torch one sample at a time, then stepgrad. How many times
# faster is in the table's last column; on your machine the factors will differ, the order
# will not.
# </details>

# %%
base = float(np.median(seconds["stepgrad"]))
print(f"{'version':30} {'time per step':>14} {'speed-up':>9}")
for version, times in seconds.items():
    per_step = float(np.median(times))
    shown = f"{per_step * 1e3:.2f} ms" if per_step >= 1e-3 else f"{per_step * 1e6:.0f} µs"
    print(f"{version:30} {shown:>14} {base / per_step:8.0f}×")
print(f"\nstepgrad's graph of one step: {len(topological_order(loss)):,} Values")  # its last step

# %% [markdown]
# Where the time goes:
#
# - **stepgrad** builds a graph of about twenty thousand `Value` nodes per step (every
#   multiplication and addition of every neuron for every sample) and walks it back in
#   Python. That is what lets you draw and step through each one, and it is slow.
# - **torch, one sample at a time** does the same arithmetic in compiled code, but still
#   calls the model 100 times per step: most of its time is Python calling into torch,
#   not arithmetic.
# - **torch, whole batch** makes a handful of calls per step, each doing a whole matrix
#   product. With bigger layers and batches the gap widens further: this is the honest
#   reason to move on once you know what the numbers mean.
#
# With steps this cheap, training the batched model for a few hundred more steps costs a
# fraction of a second. Its decision boundary, drawn by evaluating a grid of 4,800 points in
# one call:

# %%
for _ in range(460):                    # 500 steps in all
    batched_step()

xs = np.linspace(-1.6, 2.6, 80)
ys = np.linspace(-1.1, 1.6, 60)
grid = torch.tensor([[a, b] for b in ys for a in xs], dtype=torch.float64)
with torch.no_grad():
    Z = batched(grid).reshape(len(ys), len(xs)).numpy()
    final = batched(X_t).squeeze(1).tolist()

fig, ax = plt.subplots(figsize=(6.5, 4.2))
ax.contourf(xs, ys, 1 / (1 + np.exp(-np.clip(Z, -30, 30))), levels=np.linspace(0, 1, 21),
            cmap=P_COLOURS, alpha=0.75)
ax.contour(xs, ys, Z, levels=[0.0], colors="black", linewidths=2)
for k in (0, 1):
    points = X_np[labels == k]
    ax.scatter(points[:, 0], points[:, 1], color=class_color(k), edgecolors="black", s=30,
               label=class_name(k))
ax.legend(loc="lower left")
ax.set(xlabel="x₁", ylabel="x₂",
       title=f"torch, whole batch, 500 steps: accuracy {accuracy(final):.0%}")
plt.show()
print(f"the logits of the 100 samples now range from {min(final):+.1f} to {max(final):+.1f}")

# %% [markdown]
# The boundary separates the moons, and the network has grown very sure of itself: logits
# far from 0 mean probabilities within a hair of 0 or 1. Cross-entropy keeps rewarding that
# (p − y is never exactly 0, notebook 4); on new data such confidence can be misplaced,
# which is one more reason for the validation set and weight decay of notebook 9.
#
# ## And back
#
# `nn.from_torch` carries a torch model of the same family (a `Sequential` of `Linear`
# layers with ReLU, Tanh, Sigmoid or Identity between them) back into stepgrad, for
# instance to look inside one prediction node by node again:

# %%
back = nn.from_torch(batched)
with no_grad():
    print(f"accuracy in stepgrad: {accuracy([back(x).data for x in X]):.0%}")
z = back(X[0])
print(f"sample 0: logit {z.data:+.6f} (torch: {final[0]:+.6f}), computed by a graph of "
      f"{len(topological_order(z))} Values")

try:
    nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Dropout(0.2),
                                      torch.nn.Linear(8, 1)))
except TypeError as error:
    print(f"\nrefused: {error}")

# %% [markdown]
# ## What to remember
#
# - `nn.to_torch(model)` gives the same model in PyTorch, `nn.from_torch(module)` brings it
#   back; `nn.parameter_map` names which torch entry is which stepgrad weight.
# - The losses and optimizers have the same names and the same update rules; the training
#   loop is the same four lines; the numbers agree to the last digit or two.
# - The speed comes from doing whole layers of whole batches as matrix products, which
#   PyTorch is built for. stepgrad is for seeing what those products compute.
#
# Previous: [11 · Compiling a step; digits](11_digits_compiled.ipynb) ·
# Back to the start: [1 · Values and graphs](01_values_and_graphs.ipynb).
