"""Hypothesis profiles for the whole suite.

``ci``: reproducible (derandomized) and no deadline, since shared machines time noisily.
``dev``: random examples, more of them. ``HYPOTHESIS_PROFILE`` picks one explicitly;
otherwise ``ci`` when the ``CI`` environment variable is set, ``dev`` when it is not.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=30,
                          print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=50)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI")
                                                               else "dev"))


# --- shared fixtures ---------------------------------------------------------------------

import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402


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
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    try:
        yield driver
    finally:
        driver.quit()
