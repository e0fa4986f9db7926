"""Instruction counts of stepgrad's chain and moons step, under valgrind's callgrind.

    .venv/bin/python benchmarks/instructions.py        # about a minute; needs valgrind

Load on the machine changes times, not instruction counts, so these figures are the steady
ones to compare before and after an engine change. Each count is the difference between two
runs of a fresh interpreter that differ only in the work measured (so start-up, imports and
the data cost nothing): the chain y = y·1.0001 + 0.0001 with 0 and with N links (forward),
then with N links and its backward; the moons step of ``run.py`` (the same data, initial
weights and loss) one and two times. The garbage collector is paused in the chain runs, as
``backward()`` pauses it, so that a collection falling on one run and not the other does
not count.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LINKS = 20_000  # the chain's links; each link is two nodes

WORKER = """
import gc, sys
sys.path[:0] = [{root!r}, {here!r}]
import workloads as w
what, n = sys.argv[1], int(sys.argv[2])
eng = w.Stepgrad()
if what == "moons":
    X, ys = w.moons_data()
    model = eng.model(w.initial_parameters())
    for _ in range(n):
        loss = eng.forward(model, X, ys)
        eng.backward(model, loss)
        eng.update(model, 0.01)
else:
    gc.disable()
    leaf, root = w.chain(eng, n)
    if what == "chain_backward":
        eng.backprop(root)
"""


def count(script: Path, what: str, n: int) -> int:
    """The instructions callgrind counts for one run of the worker."""
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
             sys.executable, str(script), what, str(n)],
            capture_output=True, text=True, check=True)
    found = re.search(r"refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise RuntimeError(f"instructions.py: no instruction count in valgrind's output:\n"
                           f"{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py: valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "worker.py"
        script.write_text(WORKER.format(root=str(HERE.parent), here=str(HERE)))
        empty = count(script, "chain", 0)
        forward = count(script, "chain", LINKS)
        backward = count(script, "chain_backward", LINKS)
        one, two = count(script, "moons", 1), count(script, "moons", 2)
    nodes = 2 * LINKS
    print(f"chain, per node: {(forward - empty) / nodes:,.0f} instructions forward, "
          f"{(backward - forward) / nodes:,.0f} backward ({LINKS:,} links)")
    print(f"moons step (MLP(2, [16, 16, 1]), 100 samples): {(two - one) / 1e6:,.0f} million "
          "instructions")


if __name__ == "__main__":
    main()
