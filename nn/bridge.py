"""Moving on to PyTorch: the same model in ``torch.nn``, and back, with the same numbers.

``to_torch(model)`` turns a :class:`~nn.Neuron`, :class:`~nn.Layer` or :class:`~nn.MLP`
into a ``torch.nn.Sequential`` of float64 ``torch.nn.Linear`` layers with the activation
modules between them, holding the same weights. A stepgrad layer of m neurons with n inputs
each becomes one ``Linear(n, m)``: the weights of neuron j are row j of its ``weight``
matrix and its bias is entry j of ``bias``, so the whole layer is one matrix product,
z = W·x + b. The activations become ``ReLU``, ``Tanh`` or ``Sigmoid`` modules right after
their ``Linear``; a linear layer gets none. On any input the torch module's outputs equal
stepgrad's to rounding (about 1e-16 relative), and so do the gradients after the same loss.

Naming rule (:func:`parameter_map` computes it): stepgrad's ``layers.i.neurons.j.w.k`` is
``weight[j, k]`` of the i-th ``Linear`` and ``layers.i.neurons.j.b`` is ``bias[j]``. In the
Sequential that ``to_torch`` builds, the i-th ``Linear`` is named by its position: each
non-linear layer takes two positions (``Linear``, activation), a linear one takes one, so
``MLP(2, [16, 16, 1])`` becomes ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``,
``4.weight``, ``4.bias``. A Neuron's ``w.k`` is ``0.weight[0, k]``, its ``b`` ``0.bias[0]``;
a Layer's ``neurons.j.w.k`` is ``0.weight[j, k]``.

``from_torch(module)`` goes the other way for the same family: a ``Linear``, or a
``Sequential`` of ``Linear`` layers each optionally followed by one ``ReLU``, ``Tanh``,
``Sigmoid`` or ``Identity``. One ``Linear`` with one output becomes a Neuron, one with
several a Layer, several an MLP (whose hidden layers must share one activation and whose
last layer must be linear, as stepgrad's MLP is). Anything else is refused with an error
naming the layer and its position. float32 (or float16) weights are accepted: each is
converted exactly to a Python float.

Losses and optimizers: each stepgrad loss and optimizer has a torch call with the same
semantics (defaults included), listed in :data:`TORCH_EQUIVALENTS`. In these calls ``preds``,
``probs``, ``logits``, ``scores`` and ``targets`` are float64 tensors of shape (n,),
``logit_rows`` a float64 tensor of shape (n, classes), ``class_indices`` an int64 tensor
of shape (n,), and ``params`` is ``module.parameters()``:

=========================================  ==============================================
stepgrad                                   torch
=========================================  ==============================================
``nn.mse_loss(preds, targets)``            ``F.mse_loss(preds, targets)``
``nn.binary_cross_entropy(probs, t)``      ``F.binary_cross_entropy(probs, t)``
``nn.binary_cross_entropy_with_logits``    ``F.binary_cross_entropy_with_logits(logits, t)``
``nn.cross_entropy(logit_rows, classes)``  ``F.cross_entropy(logit_rows, classes)``
``nn.hinge_loss(scores, targets)``         ``torch.relu(1 - targets * scores).mean()``
``nn.softmax(logits)``                     ``torch.softmax(logits, dim=-1)``
``nn.SGD(params, lr, momentum, ...)``      ``torch.optim.SGD(params, lr, momentum, ...)``
``nn.Adam(params, lr, betas, eps, ...)``   ``torch.optim.Adam(params, lr, betas, eps, ...)``
=========================================  ==============================================

(``F`` is ``torch.nn.functional``. SGD's keywords are ``momentum``, ``dampening``,
``nesterov``, ``weight_decay``, Adam's ``lr``, ``betas``, ``eps``, ``weight_decay``, with
the same defaults in both libraries; stepgrad's SGD has no default ``lr``. Adam is
``torch.optim.Adam``, not ``AdamW``: its weight decay is added to the gradient.)

The rest carries over by name: ``model.parameters()``, ``named_parameters()``,
``zero_grad()``, ``state_dict()``, ``loss.backward()``, ``optimizer.step()``,
``engine.no_grad()`` (``torch.no_grad()``), ``p.grad`` (``p.grad``, a tensor).

PyTorch is an optional extra: without it ``import nn`` works, and ``to_torch`` /
``from_torch`` raise an ``ImportError`` saying what to install.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from engine import args
from nn.activations import ACTIVATIONS
from nn.layers import MLP, Layer, Neuron, layers_of
from nn.module import Module

if TYPE_CHECKING:
    import torch

__all__ = ["TORCH_EQUIVALENTS", "to_torch", "from_torch", "parameter_map"]

INSTALL_HINT = ('pip install "stepgrad[torch]" (torch==2.13.0; for the CPU build: '
                "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu)")

# stepgrad name -> the torch call with the same meaning (the variables are described in the
# module docstring). The tests evaluate every entry against stepgrad's numbers.
TORCH_EQUIVALENTS: dict[str, str] = {
    "mse_loss": "torch.nn.functional.mse_loss(preds, targets)",
    "binary_cross_entropy": "torch.nn.functional.binary_cross_entropy(probs, targets)",
    "binary_cross_entropy_with_logits":
        "torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)",
    "cross_entropy": "torch.nn.functional.cross_entropy(logit_rows, class_indices)",
    "hinge_loss": "torch.relu(1 - targets * scores).mean()",
    "softmax": "torch.softmax(logits, dim=-1)",
    "SGD": "torch.optim.SGD(params, lr=lr, momentum=momentum, dampening=dampening, "
           "nesterov=nesterov, weight_decay=weight_decay)",
    "Adam": "torch.optim.Adam(params, lr=lr, betas=betas, eps=eps, "
            "weight_decay=weight_decay)",
}

# The torch module class of each activation (nn.activations); "linear" has no module in
# to_torch's output, and from_torch reads Identity as linear.
_FROM_TORCH_ACTIVATIONS = {**{a.torch: name for name, a in ACTIVATIONS.items() if a.torch},
                           "Identity": "linear"}
_SUPPORTED = ", ".join(["Linear", *_FROM_TORCH_ACTIVATIONS])


def _import_torch(who: str) -> Any:
    try:
        import torch
    except ImportError as error:
        raise ImportError(f"{who} needs PyTorch, an optional extra of stepgrad: "
                          f"{INSTALL_HINT}") from error
    return torch


# --- stepgrad -> torch ----------------------------------------------------------------

def _layers(who: str, model: Any) -> list[list[Neuron]]:
    """The neurons of ``model`` layer by layer (:func:`nn.layers.layers_of`), checked to be
    all its parameters: a torch Sequential has no place for any other."""
    if type(model).__module__.split(".")[0] == "torch":
        raise TypeError(f"{who}: model must be an nn.MLP, Layer or Neuron, got "
                        f"{args.describe(model)} (from_torch turns a torch module into a "
                        f"stepgrad model)")
    layers = layers_of(model, f"{who}: model")
    mine = {p for neurons in layers for n in neurons for p in (*n.w, n.b)}
    others = [name for name, p in model.named_parameters() if p not in mine]
    if others:
        raise ValueError(f"{who}: model must hold only its neurons' weights and biases (a "
                         f"torch Sequential has no place for others), got {others[0]}")
    return layers


def _layer_shape(who: str, index: int, neurons: list[Neuron]) -> tuple[int, int, str]:
    """(inputs, outputs, activation) of one layer, checking its neurons agree."""
    if not neurons:
        raise ValueError(f"{who}: layer {index} has no neurons")
    nin, activation = len(neurons[0].w), neurons[0].activation
    spec = ACTIVATIONS.get(activation)
    if spec is None or (spec.torch is None and activation != "linear"):
        raise ValueError(f"{who}: layer {index} uses the activation {activation!r}, which "
                         f"has no torch module here")
    for j, n in enumerate(neurons):
        if len(n.w) != nin:
            raise ValueError(f"{who}: in layer {index}, neuron {j} has {len(n.w)} weights "
                             f"but neuron 0 has {nin}")
        if n.activation != activation:
            raise ValueError(f"{who}: in layer {index}, neuron {j} uses {n.activation!r} but "
                             f"neuron 0 uses {activation!r}; a torch layer has one activation")
    return nin, len(neurons), activation


def _plan(who: str, model: Any) -> list[tuple[list[Neuron], int, int, str, int]]:
    """Each layer as (neurons, nin, nout, activation, position of its Linear)."""
    plan = []
    position = 0
    previous_out: int | None = None
    for i, neurons in enumerate(_layers(who, model)):
        nin, nout, activation = _layer_shape(who, i, neurons)
        if previous_out is not None and nin != previous_out:
            raise ValueError(f"{who}: layer {i} takes {nin} inputs but layer {i - 1} gives "
                             f"{previous_out} outputs")
        plan.append((neurons, nin, nout, activation, position))
        position += 1 if activation == "linear" else 2
        previous_out = nout
    return plan


def to_torch(model: Neuron | Layer | MLP) -> torch.nn.Sequential:
    """The same model as a ``torch.nn.Sequential`` of float64 ``Linear`` layers.

    Each stepgrad layer becomes ``Linear(nin, nout)`` (neuron j's weights are row j of
    ``weight``, its bias ``bias[j]``) followed by its activation module (``ReLU``, ``Tanh``
    or ``Sigmoid``; none for a linear layer). The module maps a (batch, nin) float64 tensor
    to (batch, nout): where stepgrad returns one Value, torch returns a column of one.
    The weights are copied (the two models do not share memory), torch's random state is
    left untouched, and :func:`parameter_map` names which entry is which parameter.

    Raises:
        TypeError: ``model`` is not a stepgrad ``Neuron``, ``Layer`` or ``MLP``.
        ValueError: the model cannot be one Sequential (a layer whose neurons use
            different activations or sizes) or holds a weight that is nan or infinite.
        ImportError: PyTorch is not installed.

    Examples:
        >>> import torch, nn
        >>> model = nn.MLP(2, [3, 1], seed=0)
        >>> module = nn.to_torch(model)
        >>> module
        Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): ReLU()
          (2): Linear(in_features=3, out_features=1, bias=True)
        )
        >>> x = [0.5, -1.0]
        >>> out = module(torch.tensor([x], dtype=torch.float64))
        >>> abs(out.item() - model(x).data) < 1e-12
        True
        >>> module[0].weight[1, 0].item() == model.layers[0].neurons[1].w[0].data
        True
    """
    who = "to_torch"
    plan = _plan(who, model)
    for name, p in model.named_parameters():
        if not math.isfinite(p.data):
            raise ValueError(f"{who}: parameter {name} is {p.data}, not a finite number")
    pt = _import_torch(who)
    modules: list[Any] = []
    for neurons, nin, nout, activation, _ in plan:
        # Made on the "meta" device, whose initialisation draws no random numbers, then
        # given real parameters: torch's global random state stays as the user left it.
        linear = pt.nn.Linear(nin, nout, dtype=pt.float64, device="meta")
        weight = [[w.data for w in n.w] for n in neurons]
        bias = [n.b.data for n in neurons]
        linear.weight = pt.nn.Parameter(pt.tensor(weight, dtype=pt.float64))
        linear.bias = pt.nn.Parameter(pt.tensor(bias, dtype=pt.float64))
        modules.append(linear)
        if activation != "linear":
            modules.append(getattr(pt.nn, str(ACTIVATIONS[activation].torch))())
    sequential: torch.nn.Sequential = pt.nn.Sequential(*modules)
    return sequential


# --- torch -> stepgrad ----------------------------------------------------------------

# One Linear of a torch module: (the Linear, the activation after it, its position in the
# Sequential or None for a bare Linear, the prefix of its parameter names such as "2.").
_TorchLayer = tuple[Any, str, "int | None", str]


def _read_torch(who: str, module: Any) -> list[_TorchLayer]:
    """The Linear layers of ``module`` with their activations, checked to fit stepgrad."""
    torch = _import_torch(who)
    if not isinstance(module, torch.nn.Module):
        hint = (" (to_torch turns a stepgrad model into a torch module)"
                if isinstance(module, Module) else "")
        raise TypeError(f"{who}: module must be a torch.nn.Module (a Linear, or a Sequential "
                        f"of {_SUPPORTED}), got {args.describe(module)}{hint}")
    if type(module) is torch.nn.Linear:
        _check_linear(who, torch, module, "the Linear")
        return [(module, "linear", None, "")]
    if type(module) is not torch.nn.Sequential:
        raise TypeError(f"{who}: unsupported module {type(module).__name__}; expected a "
                        f"Linear, or a Sequential of {_SUPPORTED}")
    children = list(module.named_children())
    if not children:
        raise ValueError(f"{who}: the Sequential is empty; expected at least one Linear")
    layers: list[_TorchLayer] = []
    for position, (name, child) in enumerate(children):
        kind = type(child).__name__
        if type(child) is torch.nn.Linear:
            _check_linear(who, torch, child, f"the Linear at position {position}")
            if layers and child.in_features != layers[-1][0].out_features:
                raise ValueError(f"{who}: the Linear at position {position} takes "
                                 f"{child.in_features} inputs but the Linear before it gives "
                                 f"{layers[-1][0].out_features} outputs")
            layers.append((child, "linear", position, f"{name}."))
            continue
        if kind not in _FROM_TORCH_ACTIVATIONS or type(child) is not getattr(torch.nn, kind):
            text = repr(child) if "\n" not in repr(child) else f"{kind}(...)"
            raise TypeError(f"{who}: unsupported layer {text} at position {position} of "
                            f"the Sequential; stepgrad can represent only {_SUPPORTED}")
        if not layers:
            raise ValueError(f"{who}: {kind} at position {position} comes before any "
                             f"Linear; a stepgrad layer starts with its weights")
        linear, _, at, prefix = layers[-1]
        if at != position - 1:
            raise ValueError(f"{who}: {kind} at position {position} follows another "
                             f"activation; a stepgrad layer has one activation after its "
                             f"Linear")
        layers[-1] = (linear, _FROM_TORCH_ACTIVATIONS[kind], at, prefix)
    return layers


def _check_linear(who: str, torch: Any, linear: Any, where: str) -> None:
    if linear.weight is None:
        raise ValueError(f"{who}: {where} has no weight")
    if linear.bias is None:
        raise ValueError(f"{who}: {where} has no bias (bias=False); every stepgrad neuron "
                         f"has one")
    # torch's forward pass uses the tensors, not in_features/out_features (plain
    # attributes that a replaced weight does not update): the two must agree.
    nin, nout = linear.in_features, linear.out_features
    shape = tuple(linear.weight.shape)
    if shape != (nout, nin):
        raise ValueError(f"{who}: {where} has weight of shape {shape}, but in_features={nin} "
                         f"and out_features={nout} need {(nout, nin)}")
    shape = tuple(linear.bias.shape)
    if shape != (nout,):
        raise ValueError(f"{who}: {where} has bias of shape {shape}, but out_features={nout} "
                         f"needs {(nout,)}")
    if nout == 0:
        raise ValueError(f"{who}: {where} has 0 outputs; a stepgrad layer has at least one "
                         f"neuron")
    if nin == 0:
        raise ValueError(f"{who}: {where} has 0 inputs; a stepgrad neuron has at least one "
                         f"weight")
    for pname in ("weight", "bias"):
        tensor = getattr(linear, pname)
        if tensor.is_meta:
            raise ValueError(f"{who}: {where} holds no numbers (its {pname} is on the meta "
                             f"device)")
        if not tensor.dtype.is_floating_point:
            raise TypeError(f"{who}: {where} has {pname} of dtype {tensor.dtype}; expected "
                            f"floating point")
        if not bool(torch.isfinite(tensor).all()):
            raise ValueError(f"{who}: {where} has a {pname} entry that is nan or infinite")


def _stepgrad_shape(who: str, layers: list[_TorchLayer]) -> str:
    """Which stepgrad class represents these layers: "Neuron", "Layer" or "MLP"."""
    if len(layers) == 1:
        return "Neuron" if layers[0][0].out_features == 1 else "Layer"
    hidden = layers[0][1]
    for _, activation, at, _ in layers[1:-1]:
        if activation != hidden:
            raise ValueError(f"{who}: the Linear at position {at} is followed by "
                             f"{activation!r} but the first by {hidden!r}; a stepgrad MLP's "
                             f"hidden layers share one activation")
    _, last_activation, last_at, _ = layers[-1]
    if last_activation != "linear":
        raise ValueError(f"{who}: the last Linear (position {last_at}) is followed by "
                         f"{last_activation!r}; a stepgrad MLP's last layer is linear (apply "
                         f"the activation to its output, or use a loss that takes logits)")
    return "MLP"


def from_torch(module: torch.nn.Module) -> Neuron | Layer | MLP:
    """The stepgrad model equal to ``module``: a Neuron, a Layer or an MLP.

    ``module`` is a ``torch.nn.Linear``, or a ``torch.nn.Sequential`` of ``Linear`` layers
    each followed by at most one ``ReLU``, ``Tanh``, ``Sigmoid`` or ``Identity``. One
    ``Linear`` with one output becomes a :class:`~nn.Neuron`, one with several outputs a
    :class:`~nn.Layer`, several an :class:`~nn.MLP`. Weights of any floating dtype are
    converted exactly to Python floats (a float32 number is a float64 number too).

    Raises:
        TypeError: ``module`` is not a torch module, or contains a layer stepgrad cannot
            represent (the message names it and its position).
        ValueError: the layers do not fit together as a stepgrad model (a Linear without
            bias, a Linear with 0 inputs or outputs, two activations in a row, an MLP whose
            last layer is not linear, ...), a weight or bias tensor's shape differs from the
            Linear's ``(out_features, in_features)``, or a weight is nan or infinite.
        ImportError: PyTorch is not installed.

    Examples:
        >>> import torch, nn
        >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
        <torch._C.Generator object ...>
        >>> module = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(),
        ...                              torch.nn.Linear(4, 1))
        >>> model = nn.from_torch(module)
        >>> model
        MLP(
          (layers.0): Layer(2, 4, activation='tanh')
          (layers.1): Layer(4, 1, activation='linear')
        )
        >>> model.layers[0].neurons[3].w[1].data == module[0].weight[3, 1].item()
        True
        >>> nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Dropout()))
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
          ...
        TypeError: from_torch: unsupported layer Dropout(p=0.5, inplace=False) at position 1 ...
    """
    who = "from_torch"
    layers = _read_torch(who, module)
    kind = _stepgrad_shape(who, layers)
    model: Neuron | Layer | MLP
    if kind == "Neuron":
        linear, activation, _, _ = layers[0]
        model = Neuron(linear.in_features, activation, seed=0)
    elif kind == "Layer":
        linear, activation, _, _ = layers[0]
        model = Layer(linear.in_features, linear.out_features, activation, seed=0)
    else:
        model = MLP(layers[0][0].in_features, [lin.out_features for lin, *_ in layers],
                    activation=layers[0][1], seed=0)
    # The seeds above only fill the weights, which are all overwritten here.
    for neurons, (linear, *_) in zip(layers_of(model), layers):
        weight = linear.weight.detach().cpu().double().tolist()
        bias = linear.bias.detach().cpu().double().tolist()
        for j, n in enumerate(neurons):
            for k, w in enumerate(n.w):
                w.data = float(weight[j][k])
            n.b.data = float(bias[j])
    return model


def parameter_map(model: Neuron | Layer | MLP,
                  module: torch.nn.Module | None = None) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Which torch parameter entry holds each stepgrad parameter.

    Returns ``{stepgrad name: (torch parameter name, index)}`` for every name of
    ``model.named_parameters()``, such that ``module.get_parameter(name)[index]`` is that
    parameter (and its ``.grad[index]`` that parameter's gradient). Without ``module`` the
    names are those of ``to_torch(model)``; with it, those of ``module``, which must have the
    same layers and sizes (for instance the module ``from_torch`` read). Needs no torch
    when ``module`` is not given.

    Examples:
        >>> import nn
        >>> names = parameter_map(nn.MLP(2, [3, 1], seed=0))
        >>> names["layers.0.neurons.2.w.1"]
        ('0.weight', (2, 1))
        >>> names["layers.1.neurons.0.b"]
        ('2.bias', (0,))
        >>> parameter_map(nn.Neuron(2, activation="tanh"))["b"]
        ('0.bias', (0,))
    """
    who = "parameter_map"
    plan = _plan(who, model)
    positions: list[str] = [str(at) + "." for *_, at in plan]
    if module is not None:
        layers = _read_torch(who, module)
        shapes = [(lin.in_features, lin.out_features, act) for lin, act, *_ in layers]
        mine = [(nin, nout, act) for _, nin, nout, act, _ in plan]
        if shapes != mine:
            raise ValueError(f"{who}: module's layers (inputs, outputs, activation) "
                             f"{shapes} differ from model's {mine}")
        positions = [prefix for *_, prefix in layers]
    # stepgrad's names are the model's own (named_parameters), read off each neuron's bias:
    # "layers.1.neurons.3.b" gives "layers.1.neurons.3." for that neuron's weights too.
    names = {p: name for name, p in model.named_parameters()}
    found: dict[str, tuple[str, tuple[int, ...]]] = {}
    for (neurons, *_), at in zip(plan, positions):
        for j, n in enumerate(neurons):
            base = names[n.b][:-1]
            for k in range(len(n.w)):
                found[f"{base}w.{k}"] = (f"{at}weight", (j, k))
            found[f"{base}b"] = (f"{at}bias", (j,))
    return found
