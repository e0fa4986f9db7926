"""Watch a network learn: a live training view, and the recorded training as GIF or HTML.

:class:`TrainingView` draws, while training runs, the picture of TensorFlow Playground for
your own model: the network (each connection as thick as |w|, blue for w > 0, orange for
w < 0), each neuron's output over the input plane as a small heat map, what the model makes
of the data (the decision boundary, or a fitted curve), the loss curve over all the steps
and, for classes, the accuracy, with a legend in every picture.

It is fed by :func:`nn.fit` (``fit(..., view=view)``, or ``view=True`` for a default one) or
by a hand-written loop that calls :meth:`TrainingView.record` after each step. Each call
keeps the numbers it is given (the training history itself) and, every ``record_every``
steps, a frame: a copy of the model's weights at that step. The pictures are drawn from
those frames, so what is shown is the real model at that step.

In Jupyter the picture is drawn at the first step, redrawn in place within a time budget,
and drawn at the last step. In a script nothing is shown: the frames are recorded, ready for
:meth:`TrainingView.save_gif` (an animated GIF that a code host shows in a notebook or a
README) and :meth:`TrainingView.save_html` (one self-contained page that replays the
training with play / pause / step / slider and the keys, without a server or network).

The package's parts: :mod:`~nn.viz.training_view.recorder` (the view: recording, the
redraw budget, Jupyter), :mod:`~nn.viz.training_view.painter` (the figure, given what it
draws), :mod:`~nn.viz.training_view.replay` (the page from its template files, the GIF),
:mod:`~nn.viz.training_view.axes` (the loss axis) and :mod:`~nn.viz.training_view.task`
(the task and the labels' checks).

Drawing needs matplotlib (the ``demo`` extra: ``pip install 'stepgrad[demo]'``).
"""

from nn.viz.training_view.recorder import Frame, TrainingView, attach

__all__ = ["TrainingView", "Frame", "attach"]
