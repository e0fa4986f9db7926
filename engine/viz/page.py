"""The step-through as one HTML page that plays anywhere: no server, no network, no kernel.

:func:`stepper_html` draws every step of a :class:`~engine.viz.stepper.Stepper` (the graph with the
current node highlighted) next to the step's chain-rule text, and fills the template
``stepper_page.html`` with them. Only the stepper's current frame is markup; all frames are
data (JSON, gzip-compressed, in base64) inside a ``<script type="application/json">`` that a
few lines of JavaScript read. So a viewer that runs no scripts (a code host's notebook
renderer) shows one picture and its text: never every frame stacked, never nothing.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import os
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import graphviz

from engine.viz.draw import HIGHLIGHT_FILL, Drawing, GraphvizNotFound, exact_scale, fmt
from engine.viz.stepper import Stepper
from engine.viz.steps import BackwardStep

__all__ = ["stepper_html"]

_SLOT = re.compile(r"__(TITLE|STATUS|TEXT|GRAPH|NOTE|FRAMES)__")
_FRAGMENT = re.compile(r"<!--stepper-->\n(.*)<!--/stepper-->", re.S)
# The gradient field of the highlighted record: its last text, as the fields are name, data,
# grad (found by place, never by what a label says; a record holds no nested group).
_CURRENT_GRAD = re.compile(
    rf'(<g id="[^"]*" class="node">\s*<title>[^<]*</title>\s*<polygon fill="{HIGHLIGHT_FILL}"'
    r'(?:(?!</g>).)*<text)([^>]*)>([^<]*)</text>(\s*</g>)', re.S)


def _render(drawings: list[Drawing]) -> list[str]:
    """Every drawing as SVG, from one run of ``dot`` (one run per frame is ten times slower)."""
    source = "".join(d.source for d in drawings).encode("utf-8")
    try:
        out = graphviz.pipe("dot", "svg", source).decode("utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound() from None
    # Drop Graphviz's comments, and the page prefix it gives the ids of a run's later graphs.
    svgs = [exact_scale(re.sub(r'<!--.*?-->\n?|(?<=id=")page\d+,\d+_', "", svg, flags=re.S))
            for svg in re.findall(r"<svg\b.*?</svg>", out, re.S)]
    assert len(svgs) == len(drawings), "dot gave fewer pictures than it was given graphs"
    return svgs


def _hide_grad(svg: str) -> str:
    found = _CURRENT_GRAD.search(svg)
    if found is None or not found.group(3).startswith("grad "):
        raise RuntimeError("stepper_html: could not find the current node's gradient in the "
                           "drawing to hide it")
    hidden = found.expand(r'\1\2 data-answer="\3">grad ?</text>\4')
    return svg[:found.start()] + hidden + svg[found.end():]


def _ask(steps: tuple[Any, ...], j: int) -> tuple[str, dict[str, Any]]:
    """The question replacing backward step ``j``'s text, and what the page needs to judge it."""
    step: BackwardStep = steps[j]
    d = f"∂{step.root_name}/∂{step.name}"
    users = [name for name, _ in step.sources]
    where = ("the seed" if not users else f"from {users[0]}" if len(users) == 1
             else "one term per use: " + ", ".join(users))
    head = f"{step.name} = {step.expression}" if step.terms else f"{step.name} (leaf)"
    how = (f"Each node that uses {step.name} sends it (local derivative) × (that node's "
           f"gradient); the earlier steps have the numbers." if users
           else "Backpropagation starts here.")
    question = f"{head}: {d} = ?  ({where})\nYour turn: type {d}. {how}"
    # The chain-rule products that sent this node its gradient, one per use, from each
    # user's step (made from its terms: a label may hold a line break).
    products = [s._product(t) for s in steps[:j] if s.kind == "backward"
                for t in s.terms if t.input is step.node]
    reveal = "\n".join(products) + "\n\nThis step:\n" + str(step) if products else str(step)
    return question, {"label": d, "value": step.upstream, "shown": fmt(step.upstream, step.digits),
                      "reveal": reveal}


def stepper_html(stepper: Stepper, exercise: bool = False, *, document: bool = True) -> str:
    """One self-contained HTML page holding every forward and backward step of ``stepper``.

    Each frame is the graph at that step (as :meth:`Stepper.draw` draws it) and the step's
    text (:meth:`Stepper.explain`); ◀ / ▶, play, a slider and the arrow keys move through
    them. The page opens at the stepper's current step. With ``exercise=True`` every
    backward step hides the gradient it finds (in the text and the picture) and asks for
    it; the page says whether the answer is right (within 1e-3 relative) and shows the
    chain-rule products that give it. ``document=False`` gives the part a notebook shows
    (``IPython.display.HTML(stepper_html(s, exercise=True, document=False))`` puts the
    exercise in a notebook).

    Needs Graphviz's ``dot`` (the stepper itself refuses graphs bigger than its
    ``max_nodes``).

    Examples:
        >>> from engine import Stepper, Value
        >>> page = stepper_html(Stepper(Value(2.0, label="a") * 3))
        >>> page.startswith("<!DOCTYPE html>"), "step 1 of 4 (forward)" in page
        (True, True)
    """
    if not isinstance(stepper, Stepper):
        raise TypeError(f"stepper_html: expected a Stepper, got {type(stepper).__name__}")
    for name, flag in (("exercise", exercise), ("document", document)):
        if not isinstance(flag, bool):
            raise TypeError(f"stepper_html: {name} must be True or False, got {flag!r}")
    steps = stepper.steps
    nodes = len(stepper.forward_steps)
    start = steps.index(stepper.step)
    texts, drawings = [], []
    try:
        for j in range(len(steps)):
            texts.append(stepper.goto(j).explain())
            drawings.append(stepper.draw())
    finally:
        stepper.goto(start)
    frames: list[dict[str, Any]] = []
    for step, explained, svg in zip(steps, texts, _render(drawings)):
        status, text = explained.split(": ", 1)
        ask = None
        if exercise and step.kind == "backward":
            text, ask = _ask(steps, len(frames))
            svg = _hide_grad(svg)
        frames.append({"status": status, "text": text, "svg": svg, "ask": ask})
    first = frames[start]
    # Compressed (mtime 0: the same graph gives the same page); the script unpacks them.
    packed = gzip.compress(json.dumps(frames, ensure_ascii=False, allow_nan=False).encode(),
                           mtime=0)
    data = json.dumps({"start": start, "steps": len(frames), "encoding": "gzip+base64",
                       "frames": base64.b64encode(packed).decode("ascii")})
    note = (f"One of {len(steps)} steps. Open this page in a browser, or run the notebook, to "
            f"play them all (◀ ▶, play, slider, arrow keys).")
    slots = {
        "TITLE": html.escape(f"Stepping through {steps[nodes - 1].name}"),
        "STATUS": html.escape(first["status"]),
        "TEXT": html.escape(first["text"]),
        "GRAPH": first["svg"],
        "NOTE": html.escape(note),
        "FRAMES": data,  # plain ASCII without "<": safe inside <script>
    }
    template = files("engine.viz").joinpath("stepper_page.html").read_text(encoding="utf-8")
    if not document:
        found = _FRAGMENT.search(template)
        assert found is not None, "stepper_page.html lost its <!--stepper--> markers"
        template = found.group(1)
    return _SLOT.sub(lambda m: slots[m.group(1)], template)


def _save(stepper: Stepper, path: str | os.PathLike[str], exercise: bool) -> Path:
    """:meth:`Stepper.save_html`: check the path, build the page, then write it."""
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not isinstance(text, str):
        raise TypeError(f"Stepper.save_html: path must be a str or os.PathLike, got "
                        f"{type(path).__name__}")
    if not text.strip():
        raise ValueError("Stepper.save_html: path is empty")
    if "\0" in text:
        raise ValueError(f"Stepper.save_html: cannot write {text!r}: a path cannot hold a "
                         f"null byte")
    target = Path(text)
    # The usual mistakes, found before every frame is drawn (writing finds the rest).
    if os.path.isdir(target):
        raise IsADirectoryError(f"Stepper.save_html: cannot write {text!r}: it is a folder")
    if not os.path.isdir(target.parent):
        raise FileNotFoundError(f"Stepper.save_html: cannot write {text!r}: its folder "
                                f"{str(target.parent)!r} does not exist")
    page = stepper_html(stepper, exercise)
    try:
        target.write_text(page, encoding="utf-8")
    except OSError as err:
        raise type(err)(f"Stepper.save_html: cannot write {text!r}: "
                        f"{err.strerror or err}") from None
    return target
