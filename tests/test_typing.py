"""A type checker sees Value's operators and methods: a misspelt one is an error before any
run (there is no ``__getattr__`` hiding them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SNIPPET = '''\
from engine import Value

x = Value(1.0, label="x")
y = (x * 2 + 1).tanh() ** 2 - x.exp() / 3   # fine
z: float = y.data + x.grad                  # fine
x.tanhh()                                   # line 6: no such method
print(x.lable)                              # line 7: no such attribute
x + "1"                                     # line 8: no operator for a str
'''


@pytest.mark.slow
def test_mypy_rejects_misspelt_methods_and_attributes_of_value(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(ROOT / ".mypy_cache"), str(snippet)],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT),
                                                       "PATH": os.environ["PATH"]})
    lines = sorted(line.split(":")[1] for line in done.stdout.splitlines() if ": error:" in line)
    assert lines == ["6", "7", "8"], done.stdout
    assert '"Value" has no attribute "tanhh"' in done.stdout
    assert '"Value" has no attribute "lable"' in done.stdout
