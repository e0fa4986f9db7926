"""A real JupyterLab for the browser tests: the notebooks as a student opens them.

The ``jupyterlab`` fixture (``tests/conftest.py``) starts ``jupyter lab`` on 127.0.0.1 with a
token, rooted in a copy of ``notebooks/``, with its own settings and workspaces (news and
update checks off, every cell rendered), once per test session; :class:`Lab` drives it
through the ``browser`` fixture's headless Chromium: open a notebook as saved, run all its
cells, run one cell, find outputs. Tests of any notebook view can use it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SETTINGS = {
    # No news or update prompt over the notebook; every cell in the page, not only the
    # visible ones (JupyterLab draws far cells lazily otherwise).
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``jupyter lab`` running in a subprocess, rooted in a copy of the notebooks."""

    def __init__(self, where: Path) -> None:
        self.root = where / "notebooks"
        shutil.copytree(REPO / "notebooks", self.root,
                        ignore=shutil.ignore_patterns("src", "*.py", ".ipynb_checkpoints"))
        settings = where / "settings"
        for name, values in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        self.token = "stepgrad-test"
        self.port = free_port()
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        env["JUPYTER_CONFIG_DIR"] = str(where / "config")
        env["JUPYTER_RUNTIME_DIR"] = str(where / "runtime")
        env["PYTHONHASHSEED"] = "0"
        self.log = (where / "jupyterlab.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             f"--LabApp.user_settings_dir={settings}",
             f"--LabApp.workspaces_dir={where / 'workspaces'}"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/api/status?token={self.token}",
                                            timeout=2):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"jupyter lab did not start; see {self.log.name}") \
                        from None
                time.sleep(0.25)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?token={self.token}&reset"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class Lab:
    """One notebook open in JupyterLab, in the ``browser`` fixture's Chromium."""

    def __init__(self, server: Server, browser: Any, notebook: str,
                 source: Path | None = None) -> None:
        """Open ``notebook``: a fresh copy of the committed one, or of ``source`` (a notebook
        a test wrote) under that name."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.server, self.browser, self.by = server, browser, By
        self.notebook = notebook
        # A fresh copy, as committed: what an earlier test ran or saved is gone.
        shutil.copy(source or REPO / "notebooks" / notebook, server.root / notebook)
        browser.set_window_size(1400, 1000)
        browser.get(server.url(notebook))
        self.wait = WebDriverWait(browser, 60)
        # Open when every cell saved with outputs shows them (JupyterLab renders them a
        # moment after the cells), and the kernel is up.
        saved = json.loads((server.root / notebook).read_text(encoding="utf-8"))
        with_outputs = [bool(c.get("outputs")) for c in saved["cells"]]
        self.wait.until(lambda b: b.execute_script(
            "const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];"
            "return cells.length === arguments[0].length && cells.every((c, i) => "
            "!arguments[0][i] || c.querySelectorAll('.jp-OutputArea-child').length > 0) && "
            "document.querySelector('.jp-Notebook-ExecutionIndicator') !== null",
            with_outputs))
        self.wait_idle()

    def js(self, script: str, *args: Any) -> Any:
        return self.browser.execute_script(script, *args)

    def find(self, css: str) -> Any:
        return self.browser.find_element(self.by.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[Any]:
        return list(self.browser.find_elements(self.by.CSS_SELECTOR, css))

    def kernel_status(self) -> str:
        return str(self.js(
            "const e = document.querySelector('.jp-Notebook-ExecutionIndicator');"
            "return e ? (e.getAttribute('data-status') || '') : ''"))

    def wait_idle(self) -> None:
        """Until the kernel is idle and no cell waits to run."""
        self.wait.until(lambda _: self.kernel_status() == "idle" and not self.js(
            "return [...document.querySelectorAll('.jp-InputPrompt')].some("
            "p => p.textContent.includes('*'))"))

    def command(self, name: str) -> None:
        """Run a JupyterLab command through its menu entry (as a student clicks it)."""
        menus = {"runmenu:run-all": "Run", "notebook:trust": "File"}
        for label in self.find_all(".lm-MenuBar-itemLabel"):
            if label.text == menus[name]:
                label.click()
                break
        self.find(f'.lm-Menu-item[data-command="{name}"]').click()

    def run_all(self) -> None:
        self.command("runmenu:run-all")
        self.until_busy(lambda: False)
        self.wait.until(lambda _: self.counts_done())
        self.wait_idle()

    def counts_done(self) -> bool:
        return bool(self.js(
            "return [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].every("
            "p => /\\[\\d+\\]/.test(p.textContent))"))

    def cells(self) -> list[Any]:
        return self.find_all(".jp-Notebook .jp-Cell")

    def run_cell(self, index: int) -> None:
        """Select cell ``index`` (from 0), run it with Shift+Enter, and wait for the kernel."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        cell = self.cells()[index]
        prompt = cell.find_element(self.by.CSS_SELECTOR, ".jp-InputPrompt")
        self.js("arguments[0].scrollIntoView({block: 'center'})", cell)
        prompt.click()
        ActionChains(self.browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(
            Keys.SHIFT).perform()
        self.until_busy(lambda: "*" in prompt.text)
        self.wait_idle()

    def until_busy(self, started: Any) -> None:
        """Wait (a few seconds at most) for the kernel to start on what was just asked."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        with contextlib.suppress(TimeoutException):   # done before it could be seen
            WebDriverWait(self.browser, 5, poll_frequency=0.05).until(
                lambda _: started() or self.kernel_status() == "busy")

    def cell_index(self, text: str) -> int:
        """The index of the first code cell whose source contains ``text``."""
        sources = self.js("return [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map("
                          "c => (c.querySelector('.jp-InputArea-editor') || c).textContent)")
        return next(i for i, s in enumerate(sources) if text in s)

    def dirty(self) -> bool:
        """Is the notebook's tab marked as changed?"""
        return bool(self.js(
            "return !!document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')"))

    def severe(self) -> list[str]:
        """The console's errors since the last call."""
        return [e["message"] for e in self.browser.get_log("browser") if e["level"] == "SEVERE"]
