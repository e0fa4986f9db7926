"""PyTorch is optional: ``nn`` imports without it and the bridge says what to install.

These tests need no torch: they simulate its absence (``sys.modules["torch"] = None`` makes
``import torch`` fail the way a missing package does).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nn

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)


def test_importing_nn_does_not_import_torch() -> None:
    code = ("import sys; sys.modules['torch'] = None\n"
            "import engine, nn\n"
            "model = nn.MLP(2, [3, 1], seed=0)\n"
            "print(model([1.0, 2.0]).data == model([1.0, 2.0]).data, 'torch' in dir(nn))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.usefixtures("no_torch")
def test_to_torch_without_torch_names_the_extra() -> None:
    with pytest.raises(ImportError) as info:
        nn.to_torch(nn.MLP(2, [3, 1], seed=0))
    message = str(info.value)
    assert message.startswith("to_torch needs PyTorch")
    assert 'pip install "stepgrad[torch]"' in message
    assert "torch==2.13.0" in message
    assert "https://download.pytorch.org/whl/cpu" in message


@pytest.mark.usefixtures("no_torch")
def test_from_torch_without_torch_names_the_extra() -> None:
    with pytest.raises(ImportError, match=r'from_torch needs PyTorch.*pip install '
                                          r'"stepgrad\[torch\]"'):
        nn.from_torch(object())  # type: ignore[arg-type]


@pytest.mark.usefixtures("no_torch")
def test_to_torch_checks_its_argument_before_needing_torch() -> None:
    with pytest.raises(TypeError, match=r"^to_torch: model must be an nn\.MLP, Layer or Neuron, "
                                        r"got None$"):
        nn.to_torch(None)  # type: ignore[arg-type]


@pytest.mark.usefixtures("no_torch")
def test_parameter_map_needs_no_torch_without_a_module() -> None:
    names = nn.parameter_map(nn.MLP(2, [16, 16, 1], seed=0))
    assert len(names) == 337
    assert names["layers.0.neurons.2.w.1"] == ("0.weight", (2, 1))
    assert names["layers.2.neurons.0.b"] == ("4.bias", (0,))
    assert nn.parameter_map(nn.Layer(3, 2, activation="linear"))["neurons.1.w.2"] == (
        "0.weight", (1, 2))


def test_the_equivalents_cover_every_loss_and_optimizer() -> None:
    from nn import losses, optim

    expected = set(losses.__all__) | {"SGD", "Adam"}
    assert set(nn.TORCH_EQUIVALENTS) == expected
    assert set(optim.__all__) - {"Optimizer"} == {"SGD", "Adam"}
    for name, call in nn.TORCH_EQUIVALENTS.items():
        assert call.startswith("torch."), name
        assert name in (nn.bridge.__doc__ or ""), f"{name} is missing from the module's table"


def test_ci_installs_torch_so_that_the_bridge_tests_run() -> None:
    """Skipping test_torch_bridge.py is fine on a laptop without torch, never in CI."""
    if not os.environ.get("CI"):
        pytest.skip("outside CI (no CI variable) torch may be missing")
    assert importlib.util.find_spec("torch") is not None, (
        "CI must install the torch extra (pip install -e '.[dev]' includes it)")
