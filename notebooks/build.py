"""Build the teaching notebooks from their sources, executed, with their outputs.

Each ``notebooks/src/NAME.py`` is the source of ``notebooks/NAME.ipynb``. A source is plain
Python in Jupytext's "percent" format (which VS Code and Spyder understand too): a line
``# %%`` starts a code cell, ``# %% [markdown]`` a text cell whose lines are written as
comments (``# text``); Jupytext reads it. A code cell marked ``# %% tags=["image:NAME"]``
also saves its first picture as ``notebooks/images/NAME.png`` (for the README). Edit the
source, never the ``.ipynb``, then rebuild:

    .venv/bin/python notebooks/build.py              # every notebook
    .venv/bin/python notebooks/build.py 03 04        # the notebooks whose names contain 03 or 04
    .venv/bin/python notebooks/build.py --check      # which notebooks differ from their sources
    .venv/bin/python notebooks/build.py --measure    # run them, print the times, save nothing

Building runs every cell in a fresh ``python3`` kernel whose working directory is
``notebooks/``, then saves the notebook with its outputs and clean metadata (no timings, no
machine-specific details, stable cell ids), so that a rebuild without changes gives the same
file. ``tests/test_notebooks.py`` executes every notebook the same way.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = HERE / "src"
IMAGES = HERE / "images"

KERNEL_NAME = "python3"
CELL_TIMEOUT = 300  # seconds per cell: generous, the slowest cell takes a few seconds
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"}


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _is_header(cell: nbformat.NotebookNode) -> bool:
    """A leading code cell of comments only: a note for the script's reader, not a cell."""
    lines = cell.source.splitlines()
    return cell.cell_type == "code" and all(line.startswith("#") for line in lines)


def read_source(path: Path) -> nbformat.NotebookNode:
    """The notebook that Jupytext reads from the percent-format script at ``path``, unexecuted.

    Jupytext does the parsing (cell markers, markdown written as comments, ``tags=[...]``);
    a comment-only code cell before the first marked cell is dropped, and every cell gets a
    stable id (``cell-00``, ``cell-01``, ...) so that rebuilding gives the same file.
    """
    import jupytext

    nb = jupytext.read(path, fmt="py:percent")
    if nb.cells and _is_header(nb.cells[0]):
        del nb.cells[0]
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags")
        cell.metadata = {"tags": list(tags)} if tags else {}
        cell["id"] = f"cell-{i:02d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def cells_from_source(path: Path) -> list[tuple[str, str]]:
    """``(kind, source)`` for each cell of the script at ``path`` (see :func:`read_source`)."""
    return [(cell.cell_type, cell.source) for cell in read_source(path).cells]


def notebook_from_source(path: Path) -> nbformat.NotebookNode:
    """A fresh, unexecuted notebook made from the source script at ``path``."""
    return read_source(path)


def kernel_env() -> dict[str, str]:
    """The environment of the kernel: the repository importable, hashing and warnings tame."""
    env = dict(os.environ)
    path = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
    env["PYTHONHASHSEED"] = "0"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silences a debugger notice about frozen modules
    env.pop("MPLBACKEND", None)  # matplotlib's inline backend draws the PNGs
    return env


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user + system) of process ``pid`` and of its children that it has waited
    for (Graphviz's ``dot``, for one), from ``/proc``; None where there is no ``/proc``."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()   # after "pid (name) "; fields from 3 on
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def execute(nb: nbformat.NotebookNode, where: Path = HERE,
            timing: dict[str, float] | None = None) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in a fresh kernel with ``where`` (``notebooks/``) as working
    directory: the files a notebook writes (``images/...``) go there.

    If ``timing`` is a dict, ``timing["cpu"]`` is set to the kernel's CPU seconds (start-up,
    imports and every cell, Graphviz included) after the last cell, where ``/proc`` tells.

    Raises ``nbclient.exceptions.CellExecutionError`` at the first cell that fails.
    """
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        record_timing=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(where)}},
    )

    def after_cell(**_: object) -> None:
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        seconds = cpu_seconds(pid) if pid else None
        if timing is not None and seconds is not None:
            timing["cpu"] = seconds

    client.on_cell_executed = after_cell
    client.execute(env=kernel_env())
    return nb


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep only what a reader needs: no timings, no widget state.

    The kernel's ``language_info`` stays whole (the Python version included): JupyterLab
    fills in whatever is missing when it opens a notebook, and so marks a notebook saved
    with less as modified before the reader has done anything.
    """
    language = dict(nb.metadata.get("language_info") or {"name": "python"})
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": language}
    for cell in nb.cells:
        tags = cell.metadata.get("tags")
        cell.metadata = {"tags": tags} if tags else {}
        for out in cell.get("outputs", []):
            # A widget needs a live kernel: a saved copy keeps only the widget's own text
            # (which says so), not its view id, which is new on every run.
            out.get("data", {}).pop(WIDGET_MIME, None)
            # "<Drawing at 0x7f...>": a memory address would change the file on every build.
            text = out.get("data", {}).get("text/plain")
            if isinstance(text, str):
                out.data["text/plain"] = _ADDRESS.sub(">", text)
    return nb


def save_images(nb: nbformat.NotebookNode) -> list[Path]:
    """Write the first PNG of each cell tagged ``image:NAME`` to ``images/NAME.png``."""
    saved = []
    for cell in nb.cells:
        for tag in cell.metadata.get("tags", []):
            if not tag.startswith("image:"):
                continue
            pngs = [o.data["image/png"] for o in cell.get("outputs", [])
                    if "image/png" in o.get("data", {})]
            if not pngs:
                raise ValueError(f"the cell tagged {tag!r} drew no PNG picture")
            IMAGES.mkdir(exist_ok=True)
            path = IMAGES / (tag.split(":", 1)[1] + ".png")
            path.write_bytes(base64.b64decode(pngs[0]))
            saved.append(path)
    return saved


def build(source: Path) -> tuple[Path, float, float | None, int]:
    """Execute the notebook of ``source`` and save it.

    Returns (path, wall seconds, the kernel's CPU seconds or None, bytes written).
    """
    target = HERE / (source.stem + ".ipynb")
    nb = notebook_from_source(source)
    timing: dict[str, float] = {}
    start = time.perf_counter()
    execute(nb, timing=timing)
    seconds = time.perf_counter() - start
    clean(nb)
    save_images(nb)
    nbformat.validate(nb)
    text = nbformat.writes(nb) + "\n"
    target.write_text(text, encoding="utf-8")
    return target, seconds, timing.get("cpu"), len(text.encode("utf-8"))


def _scratch() -> Path:
    """A fresh directory with an ``images/`` folder, for runs whose files are not kept."""
    import tempfile

    where = Path(tempfile.mkdtemp(prefix="stepgrad-notebook-"))
    (where / "images").mkdir()
    return where


def differs(source: Path) -> bool:
    """True when the notebook's cells are not exactly its source's cells (or it is missing)."""
    target = HERE / (source.stem + ".ipynb")
    if not target.exists():
        return True
    nb = nbformat.read(target, as_version=4)
    have = [(c.cell_type, c.source) for c in nb.cells]
    return have != cells_from_source(source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="build only sources whose names contain these")
    parser.add_argument("--check", action="store_true", help="list notebooks out of date")
    parser.add_argument("--measure", action="store_true",
                        help="execute, print wall and kernel CPU seconds, save nothing")
    args = parser.parse_args(argv)
    sources = sorted(SOURCES.glob("*.py"))
    if args.names:
        sources = [s for s in sources if any(n in s.stem for n in args.names)]
    if not sources:
        print("no notebook sources matched", file=sys.stderr)
        return 2
    if args.check:
        stale = [s.stem for s in sources if differs(s)]
        for name in stale:
            print(f"{name}.ipynb differs from src/{name}.py: rebuild it")
        return 1 if stale else 0
    if args.measure:
        for source in sources:
            timing: dict[str, float] = {}
            start = time.perf_counter()
            execute(notebook_from_source(source), where=_scratch(), timing=timing)
            wall = time.perf_counter() - start
            kernel = f"{timing['cpu']:.1f} s" if "cpu" in timing else "unknown"
            print(f"{source.stem}: wall {wall:.1f} s, kernel CPU {kernel}", flush=True)
        return 0
    for source in sources:
        target, seconds, cpu, size = build(source)
        kernel = "" if cpu is None else f", kernel CPU {cpu:.1f} s"
        print(f"{target.name}: wall {seconds:.1f} s{kernel}, {size} bytes", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
