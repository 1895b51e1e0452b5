"""The labextension in a real JupyterLab, driven through headless Debian Chromium.

Scenarios (each saves screenshots under artifacts/screenshots/):
- the inbox shows the N waiting reviews (badge and grouping), and bulk approval completes all N;
- the review example notebook (notebooks/02, on the test's Temporal server) is run, two
  DATA_TABLE cells are corrected in the widget and approved: the workflow completes with those
  corrections (checked through a Temporal client);
- a review opened from the inbox in the main area, corrected and approved, completes the run
  with that correction; "%ntro attach" goes into the current notebook;
- a saved run snapshot still renders after the kernel is shut down and the notebook reopened
  with no kernel at all (the MIME renderer, not widgets);
- payloads with ``<img onerror>`` and ``<script>`` render as text and run nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import nbformat
from temporalio.client import Client

from tests.browser.lab.conftest import TASK_QUEUE, Lab
from tests.jupyter.server._support import JupyterProcess, TemporalThread
from tests.jupyter.server.runbooks import InboxReviewWorkflow

MIME = "application/vnd.ntro.run+json"
XSS_IMG = '<img src=x onerror="window.__ntroXss=(window.__ntroXss||0)+1;alert(1)">'
XSS_SCRIPT = "<script>window.__ntroXss=(window.__ntroXss||0)+1;alert(2)</script>"


# -- Temporal side (run on the worker's loop) ------------------------------------------------


async def terminate_running(client: Client) -> None:
    async for execution in client.list_workflows("ExecutionStatus = 'Running'"):
        try:
            await client.get_workflow_handle(execution.id, run_id=execution.run_id).terminate(
                "test reset"
            )
        except Exception:  # already closed
            pass


async def start_reviews(client: Client, inputs: list[dict[str, Any]], prefix: str) -> list[str]:
    ids = []
    for n, inp in enumerate(inputs):
        handle = await client.start_workflow(
            InboxReviewWorkflow.run,
            inp,
            task_queue=TASK_QUEUE,
            id=f"{prefix}-{n}-{uuid.uuid4().hex[:6]}",
        )
        ids.append(handle.id)
    for workflow_id in ids:
        handle = client.get_workflow_handle(workflow_id)
        for _ in range(400):
            pending = await handle.query("current_pending_action")
            if pending and pending.get("kind") == "interactive_review":
                break
            await asyncio.sleep(0.05)
    return ids


async def results(client: Client, ids: list[str]) -> list[dict[str, Any]]:
    return [await client.get_workflow_handle(i).result() for i in ids]


async def finish_with_correction(client: Client, workflow_id: str) -> dict[str, Any]:
    handle = client.get_workflow_handle(workflow_id)
    pending = await handle.query("current_pending_action")
    await handle.execute_update(
        "submit_action",
        {
            "action": "approve",
            "gate_id": pending["gate_id"],
            "reviewer": "maria@fund-a.example",
            "comment": "rent corrected to the lease",
            "corrections": [{"line_item_id": "L2", "field": "amount", "new_value": -420.0}],
        },
    )
    await handle.result()
    return await handle.query("current_ui_state")


async def ui_state(client: Client, workflow_id: str) -> dict[str, Any]:
    return await client.get_workflow_handle(workflow_id).query("current_ui_state")


# -- browser side ----------------------------------------------------------------------------


def inbox_count(lab: Lab) -> str:
    return lab.page.locator("[data-testid=ntro-inbox-count]").inner_text()


def wait_for_count(lab: Lab, expected: int, timeout: float = 30) -> None:
    """Refresh until the inbox shows ``expected`` (visibility is eventually consistent)."""
    deadline = time.monotonic() + timeout
    while True:
        lab.page.locator("[data-testid=ntro-inbox-refresh]").click()
        lab.page.wait_for_timeout(400)
        if (
            inbox_count(lab) == str(expected)
            and lab.page.locator("[data-testid=ntro-inbox-item]").count() == expected
        ):
            return
        if time.monotonic() > deadline:
            lab.shot("timeout")
            raise AssertionError(f"the inbox shows {inbox_count(lab)!r}, expected {expected}")


def open_inbox(lab: Lab, palette: bool = False) -> None:
    """Show the inbox: through the command palette, or by running the command."""
    if palette:
        lab.palette("ntro: Open runbook inbox")
    else:
        lab.command("ntro:open-inbox")
    lab.page.locator("#ntro-inbox").wait_for(state="visible")


def dismiss_kernel_dialogs(page: Any) -> list[str]:
    """Answer "No Kernel" to every kernel dialog JupyterLab shows; returns their texts."""
    seen: list[str] = []
    deadline = time.monotonic() + 20
    quiet_since = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 3:
        dialog = page.locator(".jp-Dialog")
        if dialog.count() and dialog.first.is_visible():
            seen.append(dialog.first.inner_text()[:200])
            no_kernel = dialog.first.locator("button", has_text="No Kernel")
            if no_kernel.count():
                no_kernel.first.click()
            else:
                dialog.first.locator("button").last.click()
            page.wait_for_timeout(300)
            quiet_since = time.monotonic()
        else:
            page.wait_for_timeout(200)
    return seen


def write_notebook(path: Path, cells: list[Any]) -> None:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def snapshot_output(state: dict[str, Any]) -> Any:
    return nbformat.v4.new_output(
        "display_data",
        data={MIME: state, "text/html": "<p class='ntro-fallback'>static fallback</p>"},
    )


# -- scenarios -------------------------------------------------------------------------------

REVIEW_NOTEBOOK = "notebooks/02-review-an-extraction.ipynb"


def on_the_test_cluster(lab_root: Path) -> str:
    """The review example notebook. Its ``%ntro connect`` uses TEMPORAL_HOST (the test's dev
    server, set for JupyterLab and so for its kernels), so a Temporal client outside the kernel
    can check the run; a pinned ``harness`` target is pointed there too."""
    path = lab_root / REVIEW_NOTEBOOK
    nb = nbformat.read(str(path), as_version=4)
    connects = [cell for cell in nb.cells if "%ntro connect" in cell.source]
    assert connects, f"{REVIEW_NOTEBOOK} no longer runs %ntro connect"
    for cell in connects:
        cell.source = cell.source.replace("%ntro connect harness", "%ntro connect")
    nbformat.write(nb, str(path))
    return REVIEW_NOTEBOOK


def cell_index(lab: Lab, startswith: str) -> int:
    """Index of the notebook cell whose source starts with ``startswith``."""
    return lab.page.evaluate(
        """(text) => window.jupyterapp.shell.currentWidget.content.widgets
             .findIndex(cell => cell.model.sharedModel.getSource().startsWith(text))""",
        startswith,
    )


def run_cells(lab: Lab, command: str, index: int) -> None:
    """Select cell ``index`` and run ``notebook:run-all-above`` or ``-below`` from it."""
    lab.page.evaluate(
        "(i) => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = i; }", index
    )
    lab.command(command)


def wait_idle(lab: Lab, timeout: float = 120_000) -> None:
    lab.page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"
        " && !document.querySelector('.jp-InputArea-prompt')?.innerText.includes('*')"
        " && ![...document.querySelectorAll('.jp-InputArea-prompt')].some(p => p.innerText.includes('*'))",
        timeout=timeout,
    )


async def running_ingest(client: Client) -> str:
    async for execution in client.list_workflows(
        "WorkflowType = 'DocumentIngestWorkflow' AND ExecutionStatus = 'Running'"
    ):
        return execution.id
    raise AssertionError("no document-ingest run is waiting")


async def workflow_result(client: Client, workflow_id: str) -> tuple[Any, list[dict[str, Any]]]:
    handle = client.get_workflow_handle(workflow_id)
    result = await asyncio.wait_for(handle.result(), 60)
    return result, await handle.query("audit_trail")


def test_review_notebook_edit_a_table_cell_and_approve(
    open_lab: Any, temporal: TemporalThread, lab_root: Path
) -> None:
    """notebooks/02: run it, correct two Account cells in the DATA_TABLE widget, approve."""
    path = on_the_test_cluster(lab_root)
    ui = open_lab("review-notebook", f"lab/tree/{path}")
    page = ui.page
    page.locator(".jp-Notebook").wait_for()
    wait_idle(ui)
    # Everything up to "Correct two cells and approve" (the notebook's own edits stay unrun).
    run_cells(ui, "notebook:run-all-above", cell_index(ui, "## Correct two cells"))
    page.locator(".ntro-dt-cell").first.wait_for(timeout=120_000)
    wait_idle(ui)
    workflow_id = temporal.call(running_ingest, temporal.client)
    # a heading's data-col is its column's place in the row (on screen, amounts come first)
    col = page.evaluate(
        """() => [...document.querySelectorAll('.ntro-dt-head > .ntro-dt-cell[data-col]')]
          .find(c => c.innerText.trim().startsWith('Account')
            && !c.innerText.toLowerCase().includes('name')).getAttribute('data-col')"""
    )
    cell = page.locator(f".ntro-dt-cell[data-pos='0'][data-col='{col}']")
    cell.scroll_into_view_if_needed()
    ui.shot("1-review-table")

    for pos, code in ((0, "3100"), (2, "2100")):
        target = page.locator(f".ntro-dt-cell[data-pos='{pos}'][data-col='{col}']")
        target.click()
        page.keyboard.press("Enter")
        page.keyboard.press("Control+a")
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.wait_for_function(
            "([pos, col, code]) => document.querySelector(`.ntro-dt-cell[data-pos='${pos}'][data-col='${col}']`)"
            "?.innerText.includes(code)",
            arg=[pos, col, code],
            timeout=20_000,
        )
    corrections = page.locator(".ntro-dt-corrections")
    corrections.scroll_into_view_if_needed()
    assert "3100" in corrections.inner_text() and "2100" in corrections.inner_text()
    ui.shot("2-two-cells-corrected")
    page.locator(".jp-OutputArea button[data-action='approve']").click()  # opens what it commits
    page.locator(".jp-OutputArea button[data-action='confirm-approve']").click()

    result, audit = temporal.call(workflow_result, temporal.client, workflow_id, timeout=90)
    assert result["status"] == "committed" and result["corrections_applied"] == 2
    changed = {
        (e["line_item_id"], e["field"]): (e["old_value"], e["new_value"], e["reviewer"])
        for e in audit
        if e["kind"] == "correction"
    }
    assert changed[("L1", "account_code")][1:] == ("3100", "ana@acme.example")
    assert changed[("L3", "account_code")][1:] == ("2100", "ana@acme.example")
    assert changed[("L1", "account_code")][0] == "9999"  # the suspense account it replaced

    # The notebook's own closing cells read the committed ledger and check it.
    run_cells(ui, "notebook:run-all-below", cell_index(ui, "## The committed result"))
    wait_idle(ui)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert "Error" not in "".join(errors.all_inner_texts())
    page.locator(".jp-Cell").last.scroll_into_view_if_needed()
    ui.shot("3-approved-and-committed")
    assert ui.errors == []


def test_inbox_shows_n_waiting_reviews_and_bulk_approval_completes_them(
    open_lab: Any, temporal: TemporalThread
) -> None:
    temporal.call(terminate_running, temporal.client)
    inputs = [
        {"entity": "fund-a", "period": "2026-10"},
        {"entity": "fund-a", "period": "2026-11"},
        {"entity": "fund-b", "period": "2026-10", "title": "Bank statement lines"},
        {"entity": "fund-b", "period": "2026-11"},
        {"entity": "fund-c", "period": "2026-10"},
        {"entity": "fund-c", "period": "2026-11", "title": "Broker confirmations"},
    ]
    n = len(inputs)
    ids = temporal.call(start_reviews, temporal.client, inputs, "bulk")
    lab = open_lab("inbox-bulk")
    open_inbox(lab, palette=True)
    wait_for_count(lab, n)
    page = lab.page
    assert page.locator(".lm-TabBar-tab[data-ntro-count]").get_attribute("data-ntro-count") == str(
        n
    )
    first = page.locator("[data-testid=ntro-inbox-item]").first
    assert "fund-" in first.inner_text() and "2026-1" in first.inner_text()
    lab.shot("1-inbox")

    page.locator("[data-testid=ntro-inbox-groupby]").select_option("entity")
    groups = page.locator(".ntro-group")
    assert groups.count() == 3
    assert [groups.nth(i).get_attribute("data-group") for i in range(3)] == [
        "fund-a",
        "fund-b",
        "fund-c",
    ]
    assert "2" in groups.nth(0).locator(".ntro-group-count").inner_text()
    lab.shot("2-grouped-by-entity")

    page.locator("[data-testid=ntro-inbox-select-all]").check()
    button = page.locator("[data-testid=ntro-inbox-approve]")
    assert button.inner_text() == f"Approve selected ({n})"
    button.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(state="visible")
    assert f"Approve {n} reviews" in dialog.inner_text()
    lab.shot("3-confirm")
    dialog.locator("button.jp-mod-accept").click()
    page.locator("[data-testid=ntro-inbox-empty]").wait_for(timeout=30_000)
    assert inbox_count(lab) == "0"
    assert f"Approved {n} of {n}" in page.locator("[data-testid=ntro-inbox-message]").inner_text()
    assert page.locator(".lm-TabBar-tab[data-ntro-count]").count() == 0
    lab.shot("4-approved")

    done = temporal.call(results, temporal.client, ids)
    assert [r["action"] for r in done] == ["approve"] * n
    assert {r["reviewer"] for r in done} == {"test.reviewer@example.com"}
    assert lab.errors == []


def test_a_review_opened_from_the_inbox_is_corrected_and_approved(
    open_lab: Any, temporal: TemporalThread
) -> None:
    temporal.call(terminate_running, temporal.client)
    [workflow_id] = temporal.call(
        start_reviews, temporal.client, [{"entity": "fund-a", "period": "2026-10"}], "panel"
    )
    lab = open_lab("review-panel")
    page = lab.page
    lab.command("notebook:create-new", {"kernelName": "python3"})
    page.locator(".jp-Notebook").wait_for()
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=60_000,
    )
    open_inbox(lab)
    wait_for_count(lab, 1)
    page.locator("[data-testid=ntro-inbox-attach]").click()
    page.wait_for_function(
        "(id) => window.jupyterapp.shell.currentWidget?.content?.activeCell?.model.sharedModel.getSource() === '%ntro attach ' + id",
        arg=workflow_id,
        timeout=10_000,
    )
    lab.shot("1-attach-inserted")

    page.locator(".ntro-item-main").first.click()
    panel = page.locator("[data-testid=ntro-review-panel]")
    panel.wait_for(timeout=20_000)
    assert panel.get_attribute("data-component") == "DATA_TABLE"
    steps = page.locator(".ntro-review [data-testid=ntro-breadcrumb] .ntro-crumb")
    assert [steps.nth(i).get_attribute("data-status") for i in range(steps.count())] == [
        "completed",
        "waiting_for_input",
    ]
    cell = page.locator(".ntro-review tr[data-row-id=L2] td[data-col=amount]")
    assert "400" in cell.inner_text()
    cell.dblclick()
    editor = cell.locator("input")
    editor.fill("-420.00")
    editor.press("Enter")
    assert "ntro-edited" in (cell.get_attribute("class") or "")
    lab.shot("2-corrected")
    page.locator("[data-testid=ntro-review-approve]").click()
    # Approve shows what it commits first; only Confirm sends.
    summary = page.locator("[data-testid=ntro-review-summary]")
    summary.wait_for()
    assert "1 correction(s) made here" in summary.inner_text()
    page.locator("[data-testid=ntro-review-confirm]").click()
    page.locator("[data-testid=ntro-review-nothing]").wait_for(timeout=20_000)
    history = page.locator(".ntro-review [data-testid=ntro-history]").inner_text()
    assert "corrected amount of L2" in history and "-420" in history
    lab.shot("3-approved")

    [result] = temporal.call(results, temporal.client, [workflow_id])
    assert result["action"] == "approve"
    assert result["corrections"] == [{"line_item_id": "L2", "field": "amount", "new_value": -420.0}]
    assert lab.errors == []


def test_a_saved_snapshot_renders_after_the_kernel_is_gone(
    open_lab: Any, temporal: TemporalThread, lab_root: Path, lab: JupyterProcess
) -> None:
    [workflow_id] = temporal.call(
        start_reviews, temporal.client, [{"entity": "fund-a", "period": "2026-10"}], "snapshot"
    )
    state = temporal.call(finish_with_correction, temporal.client, workflow_id)
    folder = lab_root / "snapshot"
    folder.mkdir(exist_ok=True)
    (folder / "state.json").write_text(json.dumps(state))
    code = (
        "import json\nfrom IPython.display import display\n"
        "state = json.load(open('state.json'))\n"
        f"display({{'{MIME}': state, 'text/html': \"<p class='ntro-fallback'>static fallback</p>\"}}, raw=True)"
    )
    write_notebook(folder / "run-snapshot.ipynb", [nbformat.v4.new_code_cell(code)])

    ui = open_lab("snapshot", "lab/tree/snapshot/run-snapshot.ipynb")
    page = ui.page
    page.locator(".jp-Notebook").wait_for()
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=60_000,
    )
    ui.command("notebook:run-all-cells")
    page.locator(".jp-OutputArea .ntro-snapshot").wait_for(timeout=30_000)
    assert page.locator(".ntro-fallback").count() == 0  # rank < 50 wins over text/html
    ui.command("docmanager:save")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
    ui.shot("1-with-kernel")
    saved = json.loads((folder / "run-snapshot.ipynb").read_text())
    assert MIME in saved["cells"][0]["outputs"][0]["data"]

    # Shut every kernel down, close the notebook, and reopen it with kernels impossible.
    with httpx.Client(
        base_url=lab.base_url, headers={"Authorization": f"token {lab.token}"}
    ) as api:
        for kernel in api.get("api/kernels").json():
            assert api.delete(f"api/kernels/{kernel['id']}").status_code == 204
        ui.command("application:close-all")
        page.route(
            "**/api/sessions**",
            lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
        )
        page.route(
            "**/api/kernels**",
            lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
        )
        page.reload()
        page.wait_for_selector("#jp-main-dock-panel")
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')"
        )
        ui.command("docmanager:open", {"path": "snapshot/run-snapshot.ipynb"})
        snapshot = page.locator(".jp-OutputArea .ntro-snapshot")
        snapshot.wait_for(timeout=30_000)
        # The kernel could not start, so JupyterLab asks which one to use: choose "No Kernel".
        seen = dismiss_kernel_dialogs(page)
        assert api.get("api/kernels").json() == [], seen

    crumbs = snapshot.locator(".ntro-crumb")
    assert [crumbs.nth(i).get_attribute("data-status") for i in range(crumbs.count())] == [
        "completed",
        "completed",
    ]
    assert "completed" in snapshot.locator(".ntro-pill").inner_text()
    decisions = snapshot.locator("[data-testid=ntro-decisions]").inner_text()
    assert "approved with corrections by maria@fund-a.example" in decisions
    assert "L2 · amount: -400.00 → -420.00" in decisions
    assert "No Kernel" in page.locator(".jp-NotebookPanel-toolbar").inner_text()
    history = snapshot.locator("[data-testid=ntro-history]").inner_text()
    assert "maria@fund-a.example approved" in history and "rent corrected to the lease" in history
    assert page.locator(".ntro-fallback").count() == 0
    ui.shot("2-reopened-without-kernel")


def test_markup_in_payloads_is_shown_as_text_and_runs_nothing(
    open_lab: Any, temporal: TemporalThread, lab_root: Path
) -> None:
    temporal.call(terminate_running, temporal.client)
    rows = [
        {"id": "X1", "account": XSS_IMG, "amount": 1.0},
        {"id": "X2", "account": XSS_SCRIPT, "amount": 2.0},
    ]
    [workflow_id] = temporal.call(
        start_reviews,
        temporal.client,
        [
            {
                "entity": "<b>fund-x</b>",
                "period": "2026-10",
                "rows": rows,
                "title": XSS_IMG,
                "reason": XSS_SCRIPT,
            }
        ],
        "xss",
    )
    state = temporal.call(ui_state, temporal.client, workflow_id)
    write_notebook(
        lab_root / "xss" / "hostile-snapshot.ipynb",
        [
            nbformat.v4.new_code_cell(
                "# saved output of a hostile run", outputs=[snapshot_output(state)]
            )
        ],
    )

    lab = open_lab("xss")
    page = lab.page
    open_inbox(lab)
    wait_for_count(lab, 1)
    item = page.locator("[data-testid=ntro-inbox-item]")
    # the row leads with what tells it apart (entity and period), then the title, all as text
    assert item.locator(".ntro-item-title").inner_text().endswith(" — " + XSS_IMG)
    assert "<b>fund-x</b>" in item.inner_text()
    lab.shot("1-inbox")

    item.locator(".ntro-item-main").click()
    panel = page.locator("[data-testid=ntro-review-panel]")
    panel.wait_for(timeout=20_000)
    assert panel.locator("h3").inner_text() == XSS_IMG
    assert XSS_SCRIPT in panel.inner_text()
    cells = page.locator(".ntro-review td[data-col=account]")
    assert [cells.nth(0).inner_text(), cells.nth(1).inner_text()] == [XSS_IMG, XSS_SCRIPT]
    lab.shot("2-review-panel")

    lab.command("docmanager:open", {"path": "xss/hostile-snapshot.ipynb", "factory": "Notebook"})
    snapshot = page.locator(".jp-OutputArea .ntro-snapshot")
    snapshot.wait_for(timeout=30_000)
    assert XSS_SCRIPT in snapshot.locator(".ntro-pending").inner_text()
    page.wait_for_timeout(500)
    lab.shot("3-snapshot")

    # Nothing ran: no handler fired, no alert, no element made from the data.
    assert page.evaluate("window.__ntroXss") is None
    assert lab.dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert (
        page.locator(".ntro-review script, .ntro-snapshot script, .ntro-inbox script").count() == 0
    )
    assert lab.errors == []
    temporal.call(terminate_running, temporal.client)


def test_a_local_cluster_that_is_down_is_a_clear_state_and_starts_from_the_inbox(
    browser: Any, tmp_path: Path
) -> None:
    from ntro._devserver import DevServer
    from tests.browser.lab.conftest import Lab
    from tests.jupyter.server._support import free_port

    db = tmp_path / "state" / "temporal.db"
    ui_port = free_port()
    env = {
        "NTRO_DEV_DB": str(db),
        "NTRO_DEV_PORT": str(free_port()),
        "NTRO_DEV_UI_PORT": str(ui_port),
    }
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        with JupyterProcess(tmp_path / "jupyter", app="lab", env=env) as server:
            lab = Lab(context.new_page(), server, "cluster-down").open()
            page = lab.page
            open_inbox(lab)
            error = page.locator("[data-testid=ntro-inbox-error]")
            error.wait_for(timeout=15_000)  # a state, not a spinner
            assert "local Temporal dev server is not running" in error.inner_text()
            assert inbox_count(lab) == "!"
            lab.shot("1-not-running")

            page.locator(
                ".ntro-inbox-status button", has_text="Start local Temporal server"
            ).click()
            page.locator("[data-testid=ntro-inbox-empty]").wait_for(timeout=60_000)
            assert inbox_count(lab) == "0"
            assert DevServer(db).status().running
            lab.shot("2-started")

            with context.expect_page(timeout=15_000) as popup:
                lab.palette("ntro: Open Temporal Web UI")
            assert popup.value.url.startswith(f"http://localhost:{ui_port}")
            assert lab.errors == []
    finally:
        context.close()
        DevServer(db).stop()


async def start_published_reviews(client: Client, count: int, entity: str) -> list[str]:
    """``count`` runs that list as waiting reviews with no worker at all: started with the memo
    and search attributes a run publishes at its gate (what visibility serves the inbox)."""
    from datetime import UTC, datetime

    from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

    from ntro.workflow import MEMO_KEY

    opened = datetime.now(UTC)
    limit = asyncio.Semaphore(32)
    ids = [f"long-inbox-{n:04d}-{uuid.uuid4().hex[:4]}" for n in range(count)]

    async def one(workflow_id: str) -> None:
        summary = {
            "kind": "interactive_review",
            "component": "DATA_TABLE",
            "reason": "Check the extracted lines",
            "title": "Extracted lines",
            "step_id": "review",
            "gate_id": "review:1",
            "opened_at": opened.isoformat(),
            "entity": entity,
            "period": "2026-11",
            "runbook": "long-inbox",
            "warning_count": 0,
        }
        attributes = TypedSearchAttributes(
            [
                SearchAttributePair(SearchAttributeKey.for_bool("NtroAwaiting"), True),
                SearchAttributePair(
                    SearchAttributeKey.for_keyword("NtroGateKind"), "interactive_review"
                ),
                SearchAttributePair(SearchAttributeKey.for_keyword("NtroEntity"), entity),
                SearchAttributePair(SearchAttributeKey.for_datetime("NtroWaitingSince"), opened),
            ]
        )
        async with limit:
            await client.start_workflow(
                "LongInboxReview",
                {},
                id=workflow_id,
                task_queue="ntro-browser-no-worker",
                memo={MEMO_KEY: summary},
                search_attributes=attributes,
            )

    await asyncio.gather(*(one(w) for w in ids))
    return ids


async def terminate_all(client: Client, ids: list[str]) -> None:
    limit = asyncio.Semaphore(32)

    async def one(workflow_id: str) -> None:
        async with limit:
            await client.get_workflow_handle(workflow_id).terminate("test over")

    await asyncio.gather(*(one(w) for w in ids))


def test_a_long_inbox_comes_in_parts_and_lists_every_review(
    open_lab: Any, temporal: TemporalThread
) -> None:
    """More reviews than the first request carries (200): the first part shows, the rest
    follows page by page, and the badge counts all of them (the server's count) meanwhile."""
    temporal.call(terminate_running, temporal.client)
    n = 620
    ids = temporal.call(start_published_reviews, temporal.client, n, "fund-long")
    try:
        lab = open_lab("inbox-long")
        open_inbox(lab)
        wait_for_count(lab, n, timeout=90)
        page = lab.page
        tab = page.locator(".lm-TabBar-tab[data-ntro-count]")
        assert tab.get_attribute("data-ntro-count") == str(n)
        listed = {
            page.locator("[data-testid=ntro-inbox-item]").nth(i).get_attribute("data-workflow-id")
            for i in range(n)
        }
        assert listed == set(ids)  # each once, none left out
        marks = page.locator("[data-testid=ntro-inbox-worker-down]")
        assert marks.count() == n  # nobody polls their queue, and the inbox says so
        assert page.locator("[data-testid=ntro-inbox-partial]").count() == 0
        lab.shot("long-inbox")
        assert lab.errors == []
    finally:
        temporal.call(terminate_all, temporal.client, ids)
