"""The step-through as one HTML page that plays anywhere: no server, no network, no kernel.

:func:`stepper_page` turns a :class:`~engine.viz.steps.Trace` into a page. The graph is laid
out once (and once more node by node when it holds neurons drawn as boxes); a frame is only
what changes: which node is current, which numbers are known, the step's text and the
gradients written on the edges. So the page grows linearly with the graph. The page's
markup, style and script are the template files ``stepper_page.html``,
``stepper_fragment.html``, ``stepper.css`` and ``stepper.js`` next to this module; this
module fills them:

- the markup holds one static frame, the forward pass complete with every number (or the
  trace's current step, when it is further on), as an image, so that a viewer that runs no
  scripts (a code host, an untrusted notebook) shows a useful picture and says why the
  rest does not play;
- the frames are data (JSON, gzip-compressed, in base64) in a ``<script
  type="application/json">`` that the script reads.

In an exercise page every backward step asks for the current node's gradient. What could
give an answer away before it is asked (the gradient, the numbers that sum to it, the
products that explain it) is carried sealed: mixed with a key stream, so that neither the
page's source nor its unpacked data shows it, and unsealed by the script only once the
question is answered. This keeps a learner honest, not a cheat out: the script holds the key.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import math
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Sequence
from importlib.resources import files
from typing import Any

import graphviz

from engine.value import Value
from engine.viz.draw import (
    DONE_FILL,
    HIGHLIGHT_FILL,
    HIGHLIGHT_PEN,
    GraphvizNotFound,
    exact_scale,
    graph_drawing,
    hidden_nodes,
    neuron_fields,
    svg_image,
)
from engine.viz.neurons import NeuronRun
from engine.viz.steps import Trace
from engine.viz.text import fmt

__all__ = ["stepper_page", "frame_status", "seal"]

_SLOT = re.compile(r"__([A-Z]+)__")
_SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", _SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
_G, _TITLE, _TEXT = f"{{{_SVG_NS}}}g", f"{{{_SVG_NS}}}title", f"{{{_SVG_NS}}}text"
_SHAPES = {f"{{{_SVG_NS}}}{tag}" for tag in ("polygon", "path", "ellipse")}
_SLIM = re.compile(r'<!--.*?-->\n?| id="[^"]*"| font-family="Times,serif"', re.S)
# A static picture wider than this (CSS px) gets a note that it scrolls.
_COLUMN = 800


def frame_status(trace: Trace, k: int) -> str:
    """``step 3 of 24 (forward)``: where step ``k`` (from 0) stands, as pages and texts say."""
    kind = "forward" if k < len(trace.forward) else "backward"
    return f"step {k + 1} of {len(trace)} ({kind})"


def _template(name: str) -> str:
    return files("engine.viz").joinpath(name).read_text(encoding="utf-8")


def _fill(template: str, slots: dict[str, str]) -> str:
    return _SLOT.sub(lambda m: slots[m.group(1)], template)


def _render(drawings: Sequence[graphviz.Digraph]) -> list[str]:
    """Every drawing as SVG, from one run of ``dot``."""
    source = "".join(d.source for d in drawings).encode("utf-8")
    try:
        out = graphviz.pipe("dot", "svg", source).decode("utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound() from None
    # Dropped, as nothing reads them: Graphviz's comments, its element ids (the page finds
    # nodes by their titles) and its font family (Times, the serif a browser draws SVG
    # text in anyway; the page's style sets it where the text would inherit another).
    svgs = [_SLIM.sub("", exact_scale(re.sub(r'(?<=id=")page\d+,\d+_', "", svg)))
            for svg in re.findall(r"<svg\b.*?</svg>", out, re.S)]
    assert len(svgs) == len(drawings), "dot gave fewer pictures than it was given graphs"
    return svgs


# --- sealing the answers of an exercise ---------------------------------------------------

def _stream(key: int, n: int) -> bytes:
    """``n`` bytes of the xorshift32 stream from ``key`` (the page's script makes the same)."""
    x = key & 0xFFFFFFFF or 0x9E3779B9
    out = bytearray()
    for _ in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out.append(x & 0xFF)
    return bytes(out)


def seal(text: str, key: int) -> str:
    """``text`` mixed with the key stream of ``key``, in base64 (the script unseals it).

    >>> seal("0.42", 7) != "0.42", base64.b64decode(seal(seal("", 7), 1)) != b""
    (True, False)
    """
    data = text.encode("utf-8")
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, _stream(key, len(data))))
                            ).decode("ascii")


def _question_key(page_key: int, j: int) -> int:
    return (page_key ^ ((j + 1) * 0x9E3779B1)) & 0xFFFFFFFF


# --- what an exercise asks ---------------------------------------------------------------

def _question(trace: Trace, j: int) -> tuple[str, str, str]:
    """Backward step ``j`` as a question: its text, the text shown once it is answered (the
    products that sent the gradient here), and a hint for a second try."""
    step = trace.backward[j]
    d = step.derivative(step.name)
    users = [name for name, _ in step.sources]
    where = ("the seed" if not users else f"from {users[0]}" if len(users) == 1
             else "one term per use: " + ", ".join(users))
    head = f"{step.name} = {step.expression}" if step.terms else f"{step.name} (leaf)"
    how = (f"Each node that uses {step.name} sends it (local derivative) × (that node's "
           f"gradient); the earlier steps have the numbers." if users
           else "Backpropagation starts here: the gradient of the output with respect to "
                "itself.")
    question = f"{head}: {d} = ?  ({where})\nYour turn: type {d}. {how}"
    # The chain-rule products that sent this node its gradient, one per use, each from its
    # user's step. Not this step's own products: those are the next questions' answers.
    came = [user.product_line(t) for user in trace.backward[:j]
            for t in user.terms if t.input is step.node]
    answer = f"{step.name}: {step.gradient_line()}"
    if came:
        answer += "\nFrom the nodes that use it:\n" + "\n".join("  " + line for line in came)
    if users:
        hint = (f"{d} adds one product per use of {step.name} ({', '.join(users)}): the local "
                f"derivative of that node with respect to {step.name}, times that node's "
                f"gradient.")
    else:
        hint = f"{d}: how much does {step.name} change when {step.name} changes?"
    return question, answer, hint


# --- the page ----------------------------------------------------------------------------

def _views(trace: Trace, collapse: bool | frozenset[str]) -> list[tuple[str, dict[Value, int]]]:
    """The drawings a page offers: neurons as boxes (when the graph has any), every node."""
    everything: tuple[str, dict[Value, int]] = ("every node", {})
    if not trace.neurons or collapse is False:
        return [everything]
    hidden = hidden_nodes(trace.neurons, collapse)
    return [("neurons", hidden), everything] if hidden else [everything]


def _edit(svg: str, texts: dict[str, list[str]], fills: dict[str, str]) -> str:
    """``svg`` with the texts of some nodes replaced (the last ones, in order) and some
    nodes filled: the static frame, made from the same layout as the page's."""
    root = ET.fromstring(svg)
    for g in root.iter(_G):
        if g.get("class") != "node":
            continue
        title = g.find(_TITLE)
        name = "" if title is None or title.text is None else title.text
        if name in texts:
            elements = [t for t in g.iter(_TEXT)]
            new = texts[name]
            for element, text in zip(elements[len(elements) - len(new):], new):
                element.text = text
        state = fills.get(name)
        if state is not None:
            shape = next((child for child in g if child.tag in _SHAPES), None)
            if shape is not None:
                shape.set("fill", HIGHLIGHT_FILL if state == "current" else DONE_FILL)
                if state == "current":
                    shape.set("stroke", HIGHLIGHT_PEN)
                    shape.set("stroke-width", "2.5")
    return ET.tostring(root, encoding="unicode")


def stepper_page(trace: Trace, start: int = 0, *, exercise: bool = False,
                 document: bool = True, rankdir: str = "LR", compact: bool = False,
                 collapse: bool | frozenset[str] = True) -> str:
    """One self-contained HTML page (or, ``document=False``, the part a notebook shows)
    playing every step of ``trace``, opening at step ``start``.

    Each frame shows the graph with the current node highlighted, the numbers known at that
    step and, in the backward pass, the gradient each edge brought back to the current node
    written on it; next to it the step's text. ◀ / ▶, play (at a chosen speed), start,
    "backward" (the first backward step), a slider and the keys (← →, Space, Home, End)
    move through them; the graph scrolls, pans and zooms and keeps the current node in
    view. With ``exercise=True`` every backward step asks for the current node's gradient:
    two tries, then the answer; right when within half a unit of the third significant
    digit (or, for a gradient at rounding level, 0); a score at the end.

    Needs Graphviz's ``dot``.

    Examples:
        >>> from engine import Value
        >>> from engine.viz.steps import trace
        >>> page = stepper_page(trace(Value(2.0, label="a") * 3))
        >>> page.startswith("<!DOCTYPE html>"), "step 2 of 4 (forward)" in page
        (True, True)
    """
    digits = trace.digits
    order = trace.order
    names = trace.names
    index = {v: i for i, v in enumerate(order)}
    n_forward = len(trace.forward)
    data_text = [fmt(s.value, digits) for s in trace.forward]
    back_of = {s.node: j for j, s in enumerate(trace.backward)}
    grad_text = {s.node: fmt(s.upstream, digits) for s in trace.backward}
    page_key = zlib.crc32("|".join(names[v] for v in order).encode("utf-8"))

    def key(node: Value) -> int:
        return _question_key(page_key, back_of[node])

    def sealed(text: str, node: Value) -> str:
        return seal(text, key(node)) if exercise else text

    # The layout holds the widest texts: the gradients themselves, or in an exercise the
    # same width for all (a placeholder reveals nothing of any one answer).
    width = max(len(t) for t in grad_text.values())
    layout_grad = (lambda v: "0" * width) if exercise else grad_text.__getitem__
    root_name = names[trace.root]

    def record(v: Value) -> list[str]:
        return [names[v], f"data {data_text[index[v]]}", f"grad {layout_grad(v)}"]

    def box(run: NeuronRun) -> list[str]:
        a = None if run.a is None else data_text[index[run.a]]
        return neuron_fields(run.title, run.activation, data_text[index[run.z]], a,
                             layout_grad(run.z), root_name)

    views = _views(trace, collapse)
    drawings = [graph_drawing(order, runs=trace.neurons, hidden=hidden, record=record, box=box,
                              rankdir=rankdir, compact=compact, digits=digits)
                for _, hidden in views]
    svgs = _render(drawings)

    # The static frame: the forward pass complete (or the current step, when further on,
    # outside an exercise).
    static_k = start if (start >= n_forward - 1 and not exercise) else n_forward - 1
    shown = trace.shown(static_k)
    hidden0 = views[0][1]

    def node_id(v: Value) -> str:
        j = hidden0.get(v)
        return f"v{index[v]}" if j is None else f"r{j}"

    def grad_shown(v: Value) -> str:
        if shown.kind == "forward":
            return ""
        return grad_text[v] if v in shown.grads else "?"

    static_texts: dict[str, list[str]] = {}
    for v in order:
        if v not in hidden0:
            grad = grad_shown(v)
            static_texts[f"v{index[v]}"] = [
                f"data {data_text[index[v]] if v in shown.data else '?'}",
                f"grad {grad}" if grad else ""]
    for j, run in enumerate(trace.neurons):
        if run.members[0] not in hidden0:
            continue
        fields = neuron_fields(
            run.title, run.activation,
            data_text[index[run.z]] if run.z in shown.data else "?",
            None if run.a is None else (data_text[index[run.a]] if run.a in shown.data
                                        else "?"),
            grad_shown(run.z) or "?", root_name)
        if shown.kind == "forward":
            fields[-1] = ""
        static_texts[f"r{j}"] = fields[1:]
    fills = {node_id(v): "done" for v in shown.done}
    for j, run in enumerate(trace.neurons):
        if f"r{j}" in fills and not all(v in shown.done for v in run.members):
            del fills[f"r{j}"]
    fills[node_id(shown.current)] = "current"
    static_svg = _edit(svgs[0], static_texts, fills)
    found = re.search(r'<svg\b[^>]*?\swidth="([\d.]+)pt"', static_svg)
    static_width = 0.0 if found is None else float(found.group(1)) * 4 / 3

    # The frames, as data.
    run_of = {v: j for j, r in enumerate(trace.neurons) for v in r.members}
    nodes = [[data_text[i], sealed(grad_text[v], v), back_of[v], run_of.get(v, -1)]
             for i, v in enumerate(order)]
    runs = [[index[r.z], -1 if r.a is None else index[r.a], r.activation, r.title,
             [index[m] for m in r.members]] for r in trace.neurons]
    steps: list[list[Any]] = []
    asks: list[list[str] | None] = []
    for s in trace.forward:
        steps.append([str(s), index[s.node], []])
    for j, b in enumerate(trace.backward):
        arrivals = [[index[u], sealed(fmt(c, digits), b.node)]
                    for u, (_, c) in zip(b.users, b.sources)]
        if exercise:
            question, answer, hint = _question(trace, j)
            steps.append([question, index[b.node], arrivals])
            asks.append([b.derivative(b.name), sealed(repr(b.upstream), b.node),
                         sealed(grad_text[b.node], b.node), sealed(answer, b.node), hint])
        else:
            steps.append([str(b), index[b.node], arrivals])
    scale = max((abs(b.upstream) for b in trace.backward), default=1.0)
    data = {
        "start": start, "forward": n_forward, "exercise": exercise, "key": page_key,
        "root": root_name, "nodes": nodes, "runs": runs, "steps": steps, "asks": asks,
        # A gradient this close to 0 is rounding, and 0 is a right answer for it.
        "zero": scale * 1e-9 if math.isfinite(scale) else 0.0,
        "views": [{"name": name, "boxes": sorted(set(hidden.values())), "svg": svg}
                  for (name, hidden), svg in zip(views, svgs)],
    }
    # Compressed (mtime 0: the same graph gives the same page); the script unpacks them.
    packed = gzip.compress(json.dumps(data, ensure_ascii=False, allow_nan=False,
                                      separators=(",", ":")).encode("utf-8"), mtime=0)
    frames = json.dumps({"encoding": "gzip+base64", "steps": len(trace),
                         "data": base64.b64encode(packed).decode("ascii")})

    n = len(trace)
    note = (f"Only this frame shows here, {frame_status(trace, static_k)}: the page's "
            f"script is not running. In JupyterLab or Jupyter, run the cell (or trust the "
            f"notebook); from a code host, download the notebook, or open a page saved with "
            f"save_html in a browser, to play all {n} steps.")
    if static_width > _COLUMN:
        note += (f" The picture is {round(static_width):,} px wide: scroll sideways to see "
                 f"all of it, or, where it is shrunk to the column, open the image on its own "
                 f"to see it at full size.")
    step_text = str(trace.steps[static_k])
    graph_alt = f"the graph at {frame_status(trace, static_k)}"
    slots = {
        "TITLE": html.escape(f"Stepping through {root_name}"),
        "STYLE": _template("stepper.css"),
        "SCRIPT": _template("stepper.js"),
        "STATUS": html.escape(frame_status(trace, static_k)),
        "TEXT": html.escape(step_text),
        "GRAPH": svg_image(static_svg, graph_alt, attrs=' style="max-width: none"'),
        "NOTE": html.escape(note),
        "FRAMES": frames,  # plain ASCII without "<": safe inside <script>
    }
    fragment = _fill(_template("stepper_fragment.html"), slots)
    if not document:
        return fragment
    return _fill(_template("stepper_page.html"), {"TITLE": slots["TITLE"],
                                                  "STEPPER": fragment})
