"""The house's rules, read from the source: no import circle, and no module importing
another module's private (``_name``) names, anywhere in engine and nn.

An import under ``if TYPE_CHECKING:`` runs nothing and is not counted: it names a type for
the checker (a traced number names the trace it reports to, which makes it).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "nn")
EXEMPT: tuple[str, ...] = ()   # packages these rules do not apply to yet (none)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str]]:
    """(module imported, name imported or "") for every import in the module's source."""
    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and
                   ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                   for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                # `from engine import args` imports the module engine.args
                out.append((sub, "") if sub in known else (node.module, alias.name))
    return [(m, n) for m, n in out if m.split(".")[0] in PACKAGES]


def core(name: str) -> bool:
    return not any(name == e or name.startswith(e + ".") for e in EXEMPT)


def test_no_module_of_the_core_imports_a_private_name_of_another() -> None:
    known = modules()
    bad = [f"{name} imports {n} from {m}" for name, path in known.items() if core(name)
           for m, n in imports(name, path, known) if n.startswith("_") or
           m.split(".")[-1].startswith("_")]
    assert bad == []


def test_the_core_has_no_import_circle() -> None:
    known = modules()
    graph = {name: {m for m, _ in imports(name, path, known) if m in known and m != name}
             for name, path in known.items() if core(name) and name not in PACKAGES}
    # Depth-first, looking for an edge back to a module still on the path.
    state: dict[str, int] = {}
    circles = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph.get(name, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                circles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


# The pictures and the compiler are built on the core, not into it: a module of the core
# (every module but the packages' own __init__, which gather the public names, and the
# demo, an application) imports nothing of them, but for fit's view= argument.
ON_TOP = ("engine.viz", "engine.compile", "nn.viz")
APPS = ("engine", "nn", "nn.demo")
ALLOWED = {("nn.train", "nn.viz.training_view")}   # fit(..., view=TrainingView(...))


def test_the_core_imports_nothing_of_the_pictures_or_the_compiler() -> None:
    known = modules()
    bad = [f"{name} imports {m}" for name, path in known.items()
           if name not in APPS and not any(name == t or name.startswith(t + ".")
                                           for t in ON_TOP)
           for m, _ in imports(name, path, known)
           if any(m == t or m.startswith(t + ".") for t in ON_TOP) and (name, m) not in ALLOWED]
    assert bad == []
