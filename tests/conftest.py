"""Hypothesis profiles for the whole suite.

``ci``: reproducible (derandomized), no deadline (shared machines time noisily), 30 examples
a property. ``quick``: 8 fixed examples, for the everyday loop. ``dev``: 50 random examples,
for hunting bugs on purpose. ``HYPOTHESIS_PROFILE`` picks one explicitly; otherwise ``ci``
when the ``CI`` environment variable is set (``make test`` sets the profile to ``ci`` too),
``quick`` when it is not, so the everyday loop is just
``.venv/bin/python -m pytest -m "not slow and not browser"`` (``make quick``).
"""

from __future__ import annotations

import os
import sys

from hypothesis import settings

# jsonschema, which nbformat imports to read the notebooks, imports rfc3987_syntax where it is
# installed (JupyterLab's dependencies install it), and that compiles 39 Lark grammars at
# import: three seconds of every run that reads a notebook. Nothing here validates an IRI.
sys.modules.setdefault("rfc3987_syntax", None)

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=30,
                          print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.register_profile("quick", deadline=None, max_examples=8, derandomize=True)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI")
                                                               else "quick"))


# --- shared fixtures ---------------------------------------------------------------------

import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def _parse_svg(svg: str) -> tuple[dict[str, dict[str, Any]], set[tuple[str, str]]]:
    """Nodes by id (their texts, fill colours and position) and edges of a dot SVG."""
    import xml.etree.ElementTree as ET

    nodes: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str]] = set()
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if title is None or title.text is None:
            continue
        if g.get("class") == "node":
            texts = [t.text or "" for t in g.iter(f"{SVG}text")]
            fills = {p.get("fill") for p in g if p.tag in (f"{SVG}polygon", f"{SVG}ellipse")}
            first = next(iter(g.iter(f"{SVG}text")))
            nodes[title.text] = {"texts": texts, "fills": fills,
                                 "x": float(first.get("x", "0")),
                                 "y": float(first.get("y", "0"))}
        elif g.get("class") == "edge":
            a, b = title.text.split("->")
            edges.add((a.split(":")[0], b.split(":")[0]))
    return nodes, edges


@pytest.fixture
def parse_svg() -> Any:
    """The parser of Graphviz SVG: ``nodes, edges = parse_svg(drawing.svg())``."""
    return _parse_svg


@pytest.fixture
def small_fit() -> Any:
    """``small_fit(**changes)``: nn.fit of a fresh small MLP on four points (hostile.py)."""
    from hostile import small_fit

    return small_fit


@pytest.fixture
def needs_dot() -> None:
    """Skip (with the reason) where Graphviz's ``dot`` program is not installed."""
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot program (apt-get install graphviz)")


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Selenium; skipped (with the reason) where none is installed.

    Open a generated page with ``browser.get(path.as_uri())``.
    """
    found = _chromium()
    if found is None:
        pytest.skip("needs Chromium and chromedriver (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("needs selenium (pip install -e '.[test]')")
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1200,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # every console message
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move what collection built (a few hundred thousand objects: the test modules and their
    tables, torch, hypothesis) out of the garbage collector's sight: every full collection
    during the run, and the few at its end, would otherwise walk them all again."""
    import gc

    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A JupyterLab server on 127.0.0.1 rooted in a copy of ``notebooks/`` (``tests/lab.py``).

    Skipped (with the reason) where JupyterLab is not installed. Open a notebook in the
    ``browser`` fixture's Chromium with ``lab.Lab(jupyterlab, browser, "02_....ipynb")``.
    """
    import importlib.util

    if importlib.util.find_spec("jupyterlab") is None:
        pytest.skip("needs JupyterLab (pip install -e '.[test]')")
    from lab import Server

    server = Server(tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield server
    finally:
        server.stop()
