"""``Stepper``: the forward pass, then backpropagation, one node at a time, forward and back.

A viewer for notebooks and pages: it never changes the graph it shows (neither ``.data`` nor
``.grad``). It holds a :class:`~engine.viz.steps.Trace` of the graph (the steps of
:func:`engine.forward_steps` and :func:`engine.backprop_steps`, recorded once) and a cursor;
:meth:`Stepper.draw` draws the graph at the current step, :meth:`Stepper.to_html` writes the
page of :mod:`engine.viz.page` that plays every step.
"""

from __future__ import annotations

import functools
import html
import os
from pathlib import Path
from typing import Any

from engine import args
from engine.errors import written
from engine.value import Number, Value, topological_order
from engine.viz import page
from engine.viz.draw import (
    DEFAULT_MAX_NODES,
    RANKDIRS,
    Drawing,
    GraphvizNotFound,
    build_drawing,
    check_collapse,
    check_size,
    svg_image,
)
from engine.viz.steps import BackwardStep, ForwardStep, Trace, trace

__all__ = ["Stepper", "WIDGET_TEXT"]

Step = ForwardStep | BackwardStep


class Stepper:
    """Walk the forward pass, then backpropagation, one node at a time, forward and back.

    ``len(stepper)`` counts all steps (each node once forward, once backward); ``k`` is the
    current position and ``step`` the current step. ``next()``, ``prev()`` and ``goto(k)``
    move (and return the stepper, so a notebook cell ``s.next()`` shows the new picture);
    ``draw()`` draws the graph at the current step: the current node highlighted, the nodes
    already done in green, data shown once computed, gradients only once known, and in the
    backward pass the gradient each edge brought back to the current node written on it.
    ``explain()`` is the current step's text; ``widget()`` gives slider and buttons.

    The stepper is a viewer: it changes neither ``.data`` nor ``.grad``. The gradients it
    shows are this pass's ∂root/∂v; to apply them use ``root.backward()`` or
    :func:`backprop_steps`. ``forward_steps`` and ``backward_steps`` hold the two passes'
    steps, ``trace`` the whole record; ``max_nodes`` refuses graphs too big to follow (as
    :func:`draw_dot` does). The texts and the pictures show the numbers of the pass recorded
    when the stepper was made, even if a leaf's ``.data`` changes later (build a new stepper
    to see the new numbers). ``collapse`` draws each neuron of a graph made by ``nn`` as one
    box (see :func:`draw_dot`).

    Examples:
        >>> from engine import Value
        >>> x = Value(3.0, label="x")
        >>> q = x * x
        >>> q.label = "q"
        >>> s = Stepper(q)
        >>> len(s), s.k, s.step.kind
        (4, 0, 'forward')
        >>> print(s.goto(1).explain())
        step 2 of 4 (forward): q = x * x = 3 * 3 = 9
        >>> print(s.next().explain())
        step 3 of 4 (backward): q = x * x: ∂q/∂q = 1  (the seed); q.grad += 1
          ∂q/∂x = x = 3 → ∂q/∂x += 3 × 1 = 3
          ∂q/∂x = x = 3 → ∂q/∂x += 3 × 1 = 3
        >>> print(s.next().step)
        x (leaf, gradient final): ∂q/∂x = 3 + 3 = 6  (one term per use: q, q); x.grad += 6
        >>> x.grad                  # untouched: the stepper only shows
        0.0
    """

    def __init__(
        self,
        root: Value,
        grad: Number = 1.0,
        *,
        rankdir: str = "LR",
        digits: int = 4,
        max_nodes: int | None = DEFAULT_MAX_NODES,
        compact: bool = False,
        collapse: Any = True,
    ) -> None:
        args.instance(root, "Stepper: root", Value)
        self.rankdir = args.choice(rankdir, "Stepper: rankdir", RANKDIRS)
        self.max_nodes = args.whole_or_none(max_nodes, "Stepper: max_nodes", low=1)
        self.compact = args.flag(compact, "Stepper: compact")
        self.collapse = check_collapse(collapse, "Stepper: collapse")
        # Refuse a graph too big to step through before doing any work on it.
        check_size(len(topological_order(root)), self.max_nodes, "Stepper")
        self.root = root
        self.trace: Trace = trace(root, grad, digits, who="Stepper")
        self.digits = self.trace.digits
        self.forward_steps: tuple[ForwardStep, ...] = self.trace.forward
        self.backward_steps: tuple[BackwardStep, ...] = self.trace.backward
        self.steps: tuple[Step, ...] = self.trace.steps
        self._k = 0

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def k(self) -> int:
        """The current position, 0 to ``len(self) - 1``."""
        return self._k

    @property
    def step(self) -> Step:
        """The current step (a :class:`ForwardStep` or :class:`BackwardStep`)."""
        return self.steps[self._k]

    def goto(self, k: int) -> Stepper:
        """Move to step ``k`` (negative counts from the end, as in a list)."""
        k = args.whole(k, "Stepper.goto: k")
        n = len(self.steps)
        if not -n <= k < n:
            raise IndexError(f"Stepper.goto: there are {n} steps (0 to {n - 1}), got k = {k}")
        self._k = k % n
        return self

    def next(self) -> Stepper:
        """Move one step on; at the last step, raise ``IndexError``."""
        if self._k + 1 >= len(self.steps):
            raise IndexError(f"Stepper.next: already at the last step ({len(self.steps)} of "
                             f"{len(self.steps)}); use goto(0) to start again")
        self._k += 1
        return self

    def prev(self) -> Stepper:
        """Move one step back; at the first step, raise ``IndexError``."""
        if self._k == 0:
            raise IndexError("Stepper.prev: already at the first step")
        self._k -= 1
        return self

    def explain(self) -> str:
        """The current step's text, with its position."""
        return page.frame_status(self.trace, self._k) + ": " + str(self.step)

    def draw(self) -> Drawing:
        """The graph at the current step (see the class docstring for what is shown)."""
        shown = self.trace.shown(self._k)
        # The numbers of the pass the steps recorded (as the texts show them), not the
        # graph's .data and .grad now: a leaf's data may have changed since.
        return build_drawing(
            self.root, rankdir=self.rankdir, digits=self.digits, max_nodes=self.max_nodes,
            what="Stepper.draw", highlight=shown.current, compact=self.compact,
            collapse=self.collapse, names=self.trace.names, data=shown.data,
            grads=shown.grads, show_grad=shown.kind == "backward", done=shown.done,
            edges=[(shown.current, user, c) for user, c in shown.arrivals])

    def _html(self) -> str:
        text = f"<pre>{html.escape(self.explain())}</pre>"
        try:
            svg = self.draw().svg()
        except (GraphvizNotFound, ValueError) as err:  # no `dot`, or a graph too big to draw
            return text + f"<pre>{html.escape(str(err))}</pre>"
        image = svg_image(svg, f"the graph at {page.frame_status(self.trace, self._k)}",
                          attrs=' style="max-width: none"')
        return text + f'<div style="overflow: auto">{image}</div>'

    # --- the page that plays every step without a kernel (engine/viz/page.py) ------------
    def _page(self, exercise: bool, document: bool) -> str:
        return page.stepper_page(self.trace, self._k, exercise=exercise, document=document,
                                 rankdir=self.rankdir, compact=self.compact,
                                 collapse=self.collapse)

    def to_html(self, exercise: bool = False) -> str:
        """One self-contained HTML page playing every step (:mod:`engine.viz.page`).

        It opens at the current step. With ``exercise=True`` each backward step hides its
        gradient and asks for it.
        """
        return self._page(args.flag(exercise, "Stepper.to_html: exercise"), True)

    def save_html(self, path: str | os.PathLike[str], exercise: bool = False) -> Path:
        """Write :meth:`to_html` to ``path`` (UTF-8) and return it as a ``Path``.

        >>> Stepper(Value(2.0)).save_html(42)
        Traceback (most recent call last):
        TypeError: Stepper.save_html: path must be a str or os.PathLike, got int 42
        """
        where = "Stepper.save_html"
        out = args.out_path(path, f"{where}: path")
        text = self._page(args.flag(exercise, f"{where}: exercise"), True)
        return written(where, out, lambda p: p.write_text(text, encoding="utf-8"))

    def exercise(self) -> Any:
        """The page in exercise mode, as a notebook output: ``Stepper(loss).exercise()``."""
        return _Page(self._page(True, False))

    def _repr_html_(self) -> str:  # a notebook shows the page; text/plain is __repr__
        try:
            return self._page(False, False)
        except GraphvizNotFound:
            return self._html()

    def __repr__(self) -> str:
        return f"<Stepper at {self.explain()}>"

    def widget(self) -> Any:
        """Notebook controls: a slider over all steps, ◀ / ▶ buttons, the picture and text.

        The slider counts steps from 1, as the text does ("step 3 of 24"). Needs ipywidgets
        (``pip install ipywidgets``, or ``pip install 'stepgrad[notebooks]'``).
        """
        try:
            import ipywidgets as widgets
        except ImportError:
            raise ImportError(
                "Stepper.widget() needs ipywidgets, which is not installed. Install it with "
                "`pip install ipywidgets` (or `pip install 'stepgrad[notebooks]'`), then "
                "restart the kernel. Without it, use next(), prev(), goto(k) and draw()."
            ) from None
        n = len(self.steps)
        slider = widgets.IntSlider(value=self._k + 1, min=1, max=n, description="step",
                                   continuous_update=False)
        back = widgets.Button(description="◀ prev", layout=widgets.Layout(width="80px"))
        on = widgets.Button(description="next ▶", layout=widgets.Layout(width="80px"))
        view = widgets.HTML(value=self._html())

        def moved(change: dict[str, Any]) -> None:
            self.goto(int(change["new"]) - 1)
            view.value = self._html()

        def go_back(_: Any) -> None:
            slider.value = max(slider.value - 1, 1)

        def go_on(_: Any) -> None:
            slider.value = min(slider.value + 1, n)

        slider.observe(moved, names="value")
        back.on_click(go_back)
        on.on_click(go_on)
        return _controls_class()([widgets.HBox([back, slider, on]), view])


class _Page:
    """HTML that a notebook displays as it is."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_html_(self) -> str:
        return self.text


WIDGET_TEXT = "[interactive stepper: run this notebook in Jupyter to use the controls]"
"""What :meth:`Stepper.widget` shows where no kernel runs (a notebook viewed on a code host)."""


@functools.cache
def _controls_class() -> Any:
    """An ipywidgets ``VBox`` whose plain-text form says what it is (made once, on demand).

    A saved notebook keeps a widget's ``text/plain`` next to the widget itself; viewers with
    no live kernel show that text, which for a bare ``VBox`` is ``VBox(children=…)``.
    """
    import ipywidgets as widgets

    class StepperControls(widgets.VBox):  # type: ignore[misc]
        def __repr__(self) -> str:
            return WIDGET_TEXT

    return StepperControls
