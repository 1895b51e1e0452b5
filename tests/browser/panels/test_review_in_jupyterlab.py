"""The review notebook run for real in JupyterLab (slow): a reviewer corrects two cells in the
live review table and approves; the live widget stays a widget while the run is open, becomes
the run's record when it closes, and the saved notebook shows that record after the kernel is
gone. The review is photographed for the README."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._chromium import SCREENSHOTS
from tests.browser.panels.conftest import KERNEL_IDLE, RUN_CELL, jupyter_lab
from tests.examples.conftest import NOTEBOOKS

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - the dev extra is not installed; tests are skipped
    pass

pytestmark = pytest.mark.slow

NOTEBOOK = "02-review-an-extraction.ipynb"
README_SHOT = "readme_review_panel"
"""Saved under artifacts/screenshots/; docs/images/review-panel.png is a copy of it."""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("review-lab")
    shutil.copytree(
        NOTEBOOKS,
        root / "notebooks",
        ignore=shutil.ignore_patterns(".ntro", ".ipynb_checkpoints", "__pycache__"),
    )
    env = {"TEMPORAL_HOST": "", "NTRO_DEV_DB": "", "NTRO_HOME": str(root / "home")}
    with jupyter_lab(root, env) as url:
        yield url, root / "notebooks"


def code_cells(path: Path) -> list[int]:
    cells = json.loads(path.read_text())["cells"]
    return [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"]


def edit_cell(page: Page, row: int, column: str, value: str) -> None:
    """Double-click the cell of ``row`` under the header ``column``, type, Enter: as a reviewer."""
    col = page.evaluate(
        """(label) => {
          const heads = [...document.querySelectorAll(
            '.ntro-dt-head > .ntro-dt-cell:not(.ntro-dt-rowhead)')];
          const head = heads.find(h => h.childNodes[0].textContent.trim() === label);
          return head ? head.getAttribute("data-col") : null;  // on screen, amounts come first
        }""",
        column,
    )
    assert col is not None, f"no column {column!r}"
    page.locator(f".ntro-dt-body [data-pos='{row}'][data-col='{col}']").dblclick()
    editor = page.locator(".ntro-dt-input")
    editor.fill(value)
    editor.press("Enter")


def test_a_review_in_jupyterlab_corrected_and_approved_in_the_table(
    browser: Browser, lab: tuple[str, Path]
) -> None:
    url, folder = lab
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    outside: list[str] = []

    def local_only(route) -> None:  # noqa: ANN001 - nothing but the local server may be reached
        if route.request.url.startswith(url) or route.request.url.startswith(
            url.replace("http", "ws")
        ):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(f"{url}/lab/tree/notebooks/{NOTEBOOK}")
    page.wait_for_function(
        "window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000
    )
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")
    setup, run, upload, show_review, decide, result, check = code_cells(folder / NOTEBOOK)
    for index in (setup, run, upload, show_review):
        page.evaluate(RUN_CELL, index)
    table = page.wait_for_selector(".ntro-dt", timeout=60_000)
    assert "2 low-confidence" in table.inner_text()
    edit_cell(page, 0, "Account", "3100")
    edit_cell(page, 2, "Account", "2100")
    page.wait_for_selector(".ntro-dt-corrections", timeout=10_000)
    news = page.get_by_role("button", name="No", exact=True)  # JupyterLab's news prompt
    if news.count():
        news.first.click()
    view = page.locator(".jp-Cell").nth(run).locator(".jp-OutputArea")
    view.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    view.screenshot(path=str(SCREENSHOTS / f"{README_SHOT}.png"))

    # The run moved on (upload, extraction, review) while cells ran: still the live widget.
    assert view.locator(".ntro-run-view").count() == 1
    assert view.locator(".ntro-mime").count() == 0

    page.locator("textarea.ntro-comment").fill("L1 is the Harbour subscription; L3 the accrued fee")
    page.locator(".ntro-dt button[data-action='approve']").click()  # opens what it commits
    page.locator(".ntro-dt button[data-action='confirm-approve']").click()
    # The run closed: its output became the record, drawn by the labextension (no kernel needed).
    record = view.locator(".ntro-mime")
    record.wait_for(timeout=60_000)
    assert view.locator(".ntro-run-view").count() == 0
    shown = record.inner_text()
    for text in ("Review extraction", "Commit to ledger", "ana@acme.example", "completed"):
        assert text in shown, text
    crumbs = record.locator(".ntro-crumb")  # one row: the widgets' styles leave it alone
    assert crumbs.nth(0).bounding_box()["y"] == crumbs.nth(4).bounding_box()["y"]
    page.evaluate(RUN_CELL, result)
    assert "3100" in page.locator(".jp-Cell").nth(result).inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    view.screenshot(path=str(SCREENSHOTS / "jupyterlab_run_record.png"))

    # Saved, the kernel shut down, the notebook opened again: the record is still there.
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(
        "!window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000
    )
    saved = json.loads((folder / NOTEBOOK).read_text())["cells"][run]["outputs"]
    assert [list(output["data"]) for output in saved] == [
        ["application/vnd.ntro.run+json", "text/html", "text/plain"]
    ]
    page.evaluate("window.jupyterapp.commands.execute('kernelmenu:shutdown')")
    page.wait_for_function(
        "!window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel", timeout=30_000
    )
    page.reload()
    page.wait_for_function(
        "window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000
    )
    reopened = page.locator(".jp-Cell").nth(run).locator(".ntro-mime")
    reopened.wait_for(timeout=60_000)
    assert "Commit to ledger" in reopened.inner_text()
    assert "approved" in reopened.inner_text()
    assert outside == []
    page.close()
