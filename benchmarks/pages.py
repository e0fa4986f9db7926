"""How big the step-through pages are, how long they take to build, and whether they play.

    .venv/bin/python benchmarks/pages.py              # build every case (about a minute)
    .venv/bin/python benchmarks/pages.py --browser    # and open each in headless Chromium

For each graph: its Values and steps, the page's size, the time ``Stepper.to_html()`` takes
(and how much of it Graphviz's ``dot`` takes), and with ``--browser`` the time from opening
the file to working controls, the median time of a frame switch and the JavaScript heap.
The figures the issue measured before the page drew its graph once (every frame held the
whole SVG) stand beside the new ones. Times on a shared machine are noisy: read them as
orders of magnitude, and the ratios within one run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import graphviz  # noqa: E402

import nn  # noqa: E402
from engine import Stepper, Value  # noqa: E402

# The issue's measurements of the pages before (headless Chromium, 1000 px, a quiet
# machine): (page size, build time, what the browser did).
BEFORE = {
    "one neuron": ("28 kB", "0.09 s", "plays"),
    "MLP(2, [3, 1]), 4 points": ("7.5 MB", "11.8 s", "plays (3.0 s to controls)"),
    "chain of 300": ("39 MB", "85 s", "plays (11.2 s to controls)"),
    "chain of 480": ("100 MB", "281 s", "never plays"),
}


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(-1.0, label="x2")
    w1, w2, b = Value(0.5, label="w1"), Value(-1.5, label="w2"), Value(-1.8, label="b")
    z = w1 * x1 + w2 * x2 + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    loss = (a - 1.0) ** 2
    loss.label = "L"
    return loss


def tiny_mlp() -> Value:
    model = nn.MLP(2, [3, 1], seed=0)
    X = [[0, 1], [1, 0], [0, -1], [-1, 0]]
    return nn.mse_loss([model(x) for x in X], [1, 1, -1, -1])


def wider_mlp() -> Value:
    """About a thousand Values: MLP(2, [8, 8, 1]) on 5 points."""
    model = nn.MLP(2, [8, 8, 1], seed=0)
    X = [[0.1 * i, -0.2 * i] for i in range(5)]
    return nn.mse_loss([model(x) for x in X], [1, -1, 1, -1, 1])


def chain(n: int) -> Callable[[], Value]:
    def make() -> Value:
        y = Value(1.0)
        for _ in range(n - 1):
            y = y * 1.01
        return y
    return make


CASES: list[tuple[str, Callable[[], Value]]] = [
    ("one neuron", neuron),
    ("MLP(2, [3, 1]), 4 points", tiny_mlp),
    ("chain of 300", chain(300)),
    ("chain of 480", chain(480)),
    ("MLP(2, [8, 8, 1]), 5 points", wider_mlp),
    ("chain of 1000", chain(1000)),
    ("chain of 2000", chain(2000)),
]


def build(make: Callable[[], Value]) -> tuple[Stepper, str, float, float]:
    """The page, the seconds to build it, and the seconds of it spent in ``dot``."""
    in_dot = [0.0]
    pipe = graphviz.pipe

    def timed(*args: object, **kwargs: object) -> bytes:
        start = time.perf_counter()
        try:
            out: bytes = pipe(*args, **kwargs)
            return out
        finally:
            in_dot[0] += time.perf_counter() - start

    graphviz.pipe = timed
    try:
        stepper = Stepper(make(), max_nodes=None)
        start = time.perf_counter()
        page = stepper.to_html()
        seconds = time.perf_counter() - start
    finally:
        graphviz.pipe = pipe
    return stepper, page, seconds, in_dot[0]


def play(path: Path, steps: int) -> tuple[float, float, float]:
    """Open the page in headless Chromium: seconds to controls, median ms per frame switch
    (over up to 200 frames), and the JavaScript heap in MB."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1000,900", "--enable-precise-memory-info"):
        options.add_argument(flag)
    # Debian's chromium and chromedriver by path: without them Selenium's manager would try
    # the network to find a browser.
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if browser is None or chromedriver is None:
        sys.exit("pages.py --browser: needs chromium and chromedriver (Debian: apt-get install "
                 "chromium chromium-driver)")
    options.binary_location = browser
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    try:
        start = time.perf_counter()
        driver.get(path.as_uri())
        WebDriverWait(driver, 300).until(lambda d: d.execute_script(
            "return document.querySelector('.stepgrad-stepper').getAttribute('data-ready')"
            " === 'playing'"))
        ready = time.perf_counter() - start
        frames = driver.execute_script(
            "const next = document.querySelector('.sg-next'), times = [];"
            f"for (let i = 0; i < Math.min({steps - 1}, 200); i++) {{"
            "  const t = performance.now(); next.click(); times.push(performance.now() - t); }"
            "return times")
        heap = driver.execute_script("return performance.memory.usedJSHeapSize") / 1e6
        return ready, statistics.median(frames), heap
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--browser", action="store_true",
                        help="also open each page in headless Chromium (needs selenium)")
    parser.add_argument("--only", help="only the cases whose names contain this")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES:
            if args.only and args.only not in name:
                continue
            stepper, page, seconds, in_dot = build(make)
            size = len(page.encode("utf-8"))
            row = [name, f"{len(stepper.forward_steps)} / {len(stepper)}",
                   f"{size / 1e3:,.0f} kB" if size < 1e6 else f"{size / 1e6:.1f} MB",
                   f"{seconds:.2f} s ({in_dot:.2f})"]
            if args.browser:
                path = Path(folder) / "page.html"
                path.write_text(page, encoding="utf-8")
                ready, frame, heap = play(path, len(stepper))
                row += [f"{ready:.1f} s", f"{frame:.1f} ms", f"{heap:.0f} MB"]
            before = BEFORE.get(name, ("", "", ""))
            row += [before[0], before[1], before[2]]
            rows.append(row)
            print(" | ".join(row), file=sys.stderr, flush=True)
    head = ["graph", "nodes / steps", "page", "to_html (of which dot)"]
    if args.browser:
        head += ["open → controls", "per frame", "JS heap"]
    head += ["page before", "build before", "before, in the browser"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
