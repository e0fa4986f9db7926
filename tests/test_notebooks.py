"""The teaching notebooks run, and the committed copies are clean records of a run.

One test of each kind per ``notebooks/*.ipynb``, so a new notebook is picked up by itself:

- it executes without error in a fresh ``python3`` kernel (working directory ``notebooks/``),
  exactly as ``notebooks/build.py`` runs it (two kernels at a time: each is a process of its
  own, and the tests of the others wait for theirs);
- the committed file has every code cell executed, in order, with outputs; no error
  output, nothing on stderr (warnings, progress bars), no machine-specific path, and a
  reasonable size;
- its cells are exactly those of its source ``notebooks/src/NAME.py``, so the two cannot
  drift apart;
- it ends with a summary and links to the notebooks before and after it, every link to a
  notebook leads to one that exists, and both tables of notebooks (README.md and
  notebooks/README.md) list exactly the notebooks there are.

Executing needs nbclient, nbformat, ipykernel, matplotlib, scikit-learn and Graphviz's
``dot``; without them those tests are skipped with the reason.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
IDS = [p.stem for p in PATHS]

MAX_BYTES = 1_000_000
# A path from the machine that ran the notebook has no place in a committed file.
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|root|tmp|home)/")


def _missing_for_execution() -> str | None:
    for module in ("nbformat", "nbclient", "ipykernel", "matplotlib", "sklearn", "jupytext"):
        if importlib.util.find_spec(module) is None:
            return f"executing the notebooks needs {module} (pip install -e '.[notebooks]')"
    if shutil.which("dot") is None:
        return "executing the notebooks needs Graphviz's dot program (apt-get install graphviz)"
    return None


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _errors(nb: dict[str, Any]) -> list[str]:
    found = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                found.append(f"cell {i}: {out['ename']}: {out['evalue']}")
    return found


def _text_without_pictures(nb: dict[str, Any]) -> str:
    """The notebook as JSON, minus base64 PNGs (random text in which '/tmp/' could occur)."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            out.get("data", {}).pop("image/png", None)
    return json.dumps(nb, ensure_ascii=False)


def test_there_are_notebooks() -> None:
    assert len(PATHS) >= 7, f"expected the seven teaching notebooks (at least) in {NOTEBOOKS}"


def _needs_torch(path: Path) -> bool:
    return "import torch" in path.read_text(encoding="utf-8") and (
        importlib.util.find_spec("torch") is None)


def _execute(path: Path, where: Path) -> Any:
    """The notebook at ``path``, its outputs cleared, run in a fresh kernel in ``where``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    (where / "images").mkdir()   # what a notebook writes goes there, not into the tree
    return _load_build().execute(nb, where)


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, Any]]:
    """Each selected notebook's run (a future of the executed notebook), started together
    when the first of their tests asks: on two cores, two kernels at a time."""
    wanted = [item.callspec.params["path"] for item in request.session.items
              if getattr(item, "originalname", "") == "test_notebook_executes_without_error"]
    if _missing_for_execution():
        yield {}
        return
    workers = max(1, min(2, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        started = {path: pool.submit(_execute, path, tmp_path_factory.mktemp(path.stem))
                   for path in wanted if not _needs_torch(path)}
        yield started
        for future in started.values():
            future.cancel()


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_executes_without_error(path: Path, runs: dict[Path, Any]) -> None:
    reason = _missing_for_execution()
    if reason:
        pytest.skip(reason)
    if _needs_torch(path):
        pytest.skip(f"{path.name} needs the torch extra (pip install -e '.[torch]')")
    from nbclient.exceptions import CellExecutionError

    try:
        nb = runs[path].result()
    except CellExecutionError as exc:
        pytest.fail(f"{path.name} failed when executed:\n{exc}", pytrace=False)
    assert _errors(nb) == []
    executed = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert executed == list(range(1, len(executed) + 1))


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_committed_notebook_is_executed_in_order(path: Path) -> None:
    nb = _read(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: code cells must all be executed, in order, from a fresh kernel "
        f"(got execution counts {counts}); rebuild with notebooks/build.py"
    )
    assert sum(len(c["outputs"]) for c in code) > 0, f"{path.name} was saved without outputs"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_committed_notebook_is_clean(path: Path) -> None:
    nb = _read(path)
    assert _errors(nb) == [], f"{path.name} carries error outputs"
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), (
                f"{path.name}, cell {i}: output on stderr (a warning or progress bar?): "
                f"{''.join(out['text'])[:300]!r}"
            )
    text = _text_without_pictures(nb)
    match = MACHINE_PATH.search(text)
    assert match is None, (
        f"{path.name} contains a machine-specific path near "
        f"{text[max(0, match.start() - 80):match.end() + 80]!r}"
    )
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path.name} is {size} bytes; keep each notebook under 1 MB"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_matches_its_source(path: Path) -> None:
    for module in ("nbformat", "jupytext"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"reading the notebook sources needs {module} "
                        f"(pip install -e '.[notebooks]')")
    source = NOTEBOOKS / "src" / (path.stem + ".py")
    assert source.exists(), f"{path.name} has no source {source.relative_to(NOTEBOOKS.parent)}"
    build = _load_build()
    expected = build.cells_from_source(source)
    have = [(c["cell_type"], "".join(c["source"])) for c in _read(path)["cells"]]
    assert have == expected, (
        f"{path.name} differs from src/{source.name}: edit the source and run "
        f"notebooks/build.py {path.stem[:2]}"
    )


# --- the pictures that move --------------------------------------------------------------

PLAYABLE = ["02_backprop_one_neuron", "04_training_two_moons"]
_FRAMES_BLOCK = re.compile(r'<script type="application/json" class="sg-frames">(.*?)</script>',
                           re.S)


def _playable_pages(nb: dict[str, Any]) -> list[tuple[int, str]]:
    """(cell index, markup) of each ``text/html`` output that carries a frames block."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            page = out.get("data", {}).get("text/html")
            page = "".join(page) if isinstance(page, list) else page
            if page and _FRAMES_BLOCK.search(page):
                found.append((i, page))
    return found


@pytest.mark.parametrize("name", PLAYABLE)
def test_notebook_holds_a_page_that_plays_without_a_kernel(name: str) -> None:
    nb = _read(NOTEBOOKS / f"{name}.ipynb")
    pages = _playable_pages(nb)
    assert pages, f"{name}.ipynb has no playable page output (a text/html output with frames)"
    for i, page in pages:
        (block,) = _FRAMES_BLOCK.findall(page)
        data = json.loads(block)
        # The stepper's page says how many steps it packs; the training replay lists frames.
        count = data["steps"] if isinstance(data, dict) else len(data)
        assert count > 1, f"{name}, cell {i}: a page of {count} frame does not move"
        # What a renderer without JavaScript shows: the markup alone, one frame's pictures in
        # it (the stepper's graph; the replay's network beside its plots), never every frame.
        markup = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
        pictures = markup.count("<svg") + markup.count("<img")
        per_frame = 1 if isinstance(data, dict) else 2
        assert pictures == per_frame, (
            f"{name}, cell {i}: the markup holds {pictures} pictures, not one frame's "
            f"{per_frame}")


def test_notebook_4_shows_its_own_training_as_a_gif() -> None:
    nb = _read(NOTEBOOKS / "04_training_two_moons.ipynb")
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    links = re.findall(r"!\[[^\]]*\]\((images/[^)]+\.gif)\)", markdown)
    assert links, "notebook 4 should show the training as an animated GIF (a markdown image)"
    Image = pytest.importorskip("PIL.Image", reason="reading the GIF needs Pillow")
    for link in links:
        with Image.open(NOTEBOOKS / link) as gif:
            assert gif.n_frames > 1, f"{link} does not move"


# --- the course: summaries, links, tables ------------------------------------------------

_LINK = re.compile(r"\]\(([^)#\s]+\.ipynb)\)")


def _markdown(nb: dict[str, Any]) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_ends_with_a_summary_and_links_to_its_neighbours(path: Path) -> None:
    text = _markdown(_read(path))
    last = text[-1]
    assert "## What to remember" in last, (
        f"{path.name}: its last text cell should be the summary ('## What to remember')")
    linked = _LINK.findall(last)
    k = PATHS.index(path)
    if k > 0:
        assert PATHS[k - 1].name in linked, f"{path.name} does not link back to {PATHS[k - 1].name}"
    if k + 1 < len(PATHS):
        assert PATHS[k + 1].name in linked, f"{path.name} does not link on to {PATHS[k + 1].name}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_notebook_links_lead_to_notebooks_that_exist(path: Path) -> None:
    for link in _LINK.findall("\n".join(_markdown(_read(path)))):
        assert (NOTEBOOKS / link).exists(), f"{path.name} links to {link}, which does not exist"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_no_text_hides_in_a_code_cell(path: Path) -> None:
    """A markdown heading or answer written as comments inside a code cell (a missing
    ``# %% [markdown]`` marker in the source) would show as code."""
    for i, cell in enumerate(_read(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            assert not re.match(r"#\s*(#+ |\*\*|<details)", line), (
                f"{path.name}, cell {i}: text in a code cell: {line!r}")


@pytest.mark.parametrize("table", ["README.md", "notebooks/README.md"])
def test_tables_of_notebooks_list_every_notebook(table: str) -> None:
    text = (NOTEBOOKS.parent / table).read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    listed = [Path(m).name for row in rows for m in _LINK.findall(row.split("|")[1])]
    assert listed == [p.name for p in PATHS], (
        f"{table}'s table of notebooks lists {listed}, the notebooks are {[p.name for p in PATHS]}")
