"""Seeing the engine work: the graph drawn, each step explained, the whole pass played.

- :mod:`engine.viz.neurons`: the neurons of a graph made by ``nn``, read from its labels.
- :mod:`engine.viz.text`: names, numbers and filled-in formulas, as every picture writes them.
- :mod:`engine.viz.draw`: ``draw_dot``, the computation graph as a Graphviz drawing.
- :mod:`engine.viz.steps`: the pure trace of the forward and backward passes, and
  ``forward_steps`` and ``backprop_steps``, one node at a time, each step's arithmetic
  written out.
- :mod:`engine.viz.stepper`: ``Stepper``, every forward and backward step, playable.
- :mod:`engine.viz.page`: the self-contained HTML page a Stepper plays in (its markup, style
  and script are the template files next to it).

Nothing here computes a number the core does not: every value and gradient shown is read
from the graph that :mod:`engine.value` built.
"""
