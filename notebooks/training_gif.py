"""Make ``notebooks/images/training.gif``: an MLP learning the two moons, for the README.

    .venv/bin/python notebooks/training_gif.py            # writes notebooks/images/training.gif
    .venv/bin/python notebooks/training_gif.py --out x.gif

Deterministic: the data, the model and the training are seeded as in ``nn.demo``
(micrograd's recipe: ``MLP(2, [16, 16, 1])``, hinge loss + 1e-4·Σw², full-batch SGD with
the learning rate falling from 1.0 to 0.1 over 100 steps). A ``TrainingView`` records the
training; its GIF keeps a few evenly spaced frames, small enough for a README.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from engine import Value  # noqa: E402
from nn import MLP, SGD, TrainingView, fit, hinge_loss  # noqa: E402
from nn.demo import ALPHA, SEED, STEPS, two_moons  # noqa: E402

FRAMES = 26
DPI = 48
COLORS = 32


def make(out: Path, steps: int = STEPS, html: Path | None = None) -> Path:
    """Train as ``nn.demo`` does, recording every step; write the GIF to ``out`` (and the
    HTML replay to ``html``, if given)."""
    X, y = two_moons()
    model = MLP(2, [16, 16, 1], seed=SEED)
    params = model.parameters()

    def loss_fn(scores: list[Value], targets: list[int]) -> Value:
        return hinge_loss(scores, targets) + ALPHA * sum(p * p for p in params)

    view = TrainingView(model, X, y, live=False)
    fit(model, X, y, loss_fn, SGD(params, lr=1.0), epochs=steps, progress=False, seed=SEED,
        lr_schedule=lambda e: 1.0 - 0.9 * e / steps, view=view)
    if html is not None:
        view.save_html(html)
    return view.save_gif(out, frames=FRAMES, dpi=DPI, colors=COLORS, fps=6, hold=2.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "images" / "training.gif")
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--html", type=Path, help="also write the HTML replay here")
    args = parser.parse_args()
    path = make(args.out, args.steps, args.html)
    print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB)")
    if args.html is not None:
        print(f"wrote {args.html} ({args.html.stat().st_size / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
