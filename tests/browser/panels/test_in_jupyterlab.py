"""The widgets in a real JupyterLab (slow): the front ends load from the installed package
with no network, render from a recorded state, and a click reaches the Python callback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.browser.panels.conftest import KERNEL_IDLE, REPO, RUN_CELL, jupyter_lab

pytestmark = pytest.mark.slow

CELLS = [
    "from tests.jupyter import states\n"
    "from ntro_jupyter import RunView\n"
    "sent = []\n"
    "view = RunView(states.extraction_review(), reviewer='alice', on_decision=sent.append)\n"
    "view",
    "print(sent)",
    "RunView(states.nav_signoff(), reviewer='bob')",
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
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
    with jupyter_lab(root, {"NTRO_DOCUMENT_STORE": str(root / "docs")}) as url:
        yield url


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
    page.locator("button[data-action='approve']").click()  # opens what it commits
    page.locator("button[data-action='confirm-approve']").click()
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
