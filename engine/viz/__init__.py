"""Seeing the engine work: the graph drawn, each step explained, the whole pass played.

- :mod:`engine.viz.draw`: ``draw_dot``, the computation graph as a Graphviz drawing.
- :mod:`engine.viz.steps`: ``forward_steps`` and ``backprop_steps``, one node at a time,
  each step's arithmetic written out.
- :mod:`engine.viz.stepper`: ``Stepper``, every forward and backward step, playable.
- :mod:`engine.viz.page`: the self-contained HTML page a Stepper plays in.

Nothing here computes a number the core does not: every value and gradient shown is read
from the graph that :mod:`engine.value` built.
"""
