"""The widgets in a real JupyterLab (slow): the front ends load from the installed package
with no network, render from a recorded state, and a click reaches the Python callback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
JUPYTER = Path(sys.executable).parent / "jupyter"

CELLS = [
    "from tests.jupyter import states\n"
    "from ntro_jupyter import RunView\n"
    "sent = []\n"
    "view = RunView(states.extraction_review(), reviewer='alice', on_decision=sent.append)\n"
    "view",
    "print(sent)",
    "RunView(states.nav_signoff(), reviewer='bob')",
]
KERNEL_IDLE = """(() => {
  const widget = window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return Boolean(kernel) && kernel.status === "idle";
})()"""
RUN_CELL = """(index) => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  notebook.activeCellIndex = index;
  return window.jupyterapp.commands.execute("notebook:run-cell");
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not JUPYTER.exists():
        pytest.skip("jupyter is not installed in this environment")
    root = tmp_path_factory.mktemp("lab")
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for source in CELLS
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "run.ipynb").write_text(json.dumps(notebook))
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
        "NTRO_DOCUMENT_STORE": str(root / "docs"),
    }
    process = subprocess.Popen(
        [
            str(JUPYTER),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            "--allow-root",
            f"--ServerApp.root_dir={root}",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--ServerApp.disable_check_xsrf=True",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_run_view_renders_and_a_click_reaches_python_in_jupyterlab(browser, lab: str) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    outside: list[str] = []

    def guard(route) -> None:  # noqa: ANN001 - nothing but the local server may be reached
        if route.request.url.startswith(lab) or route.request.url.startswith(
            lab.replace("http", "ws")
        ):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(f"{lab}/lab/tree/run.ipynb")
    page.wait_for_function(
        "window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000
    )
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    page.evaluate(RUN_CELL, 0)
    table = page.wait_for_selector(".ntro-dt", timeout=60_000)
    assert "Review extraction" in table.inner_text()
    page.wait_for_selector(".ntro-crumbs .ntro-step", timeout=30_000)
    assert page.locator(".ntro-crumbs .ntro-step svg").count() >= 12
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.ntro-source-fields')).display")
        == "grid"
    )
    shots = REPO / "artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "jupyterlab_run_view.png"))
    page.locator("textarea.ntro-comment").fill("checked against the statement")
    page.locator("button[data-action='approve']").click()
    page.wait_for_selector("text=Sending the decision", timeout=30_000)
    page.wait_for_function(KERNEL_IDLE, timeout=30_000)
    page.evaluate(RUN_CELL, 1)
    page.wait_for_function(
        "document.body.innerText.includes(\"'action': 'approve'\")", timeout=30_000
    )
    assert "'reviewer': 'alice'" in page.inner_text(".jp-Notebook")
    page.wait_for_function(KERNEL_IDLE, timeout=30_000)
    page.evaluate(RUN_CELL, 2)
    nav = page.wait_for_selector(".ntro-panel[data-panel='NAV_SIGNOFF']", timeout=60_000)
    nav.scroll_into_view_if_needed()
    assert "1 movement is outside tolerance" in nav.inner_text()
    assert nav.evaluate(
        "n => n.querySelector('.ntro-body').scrollWidth <= n.querySelector('.ntro-body').clientWidth + 1"
    )
    page.screenshot(path=str(shots / "jupyterlab_nav_signoff.png"))
    assert outside == []
    page.close()
