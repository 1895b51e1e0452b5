"""The runbook inbox before a bulk approval, in a real JupyterLab in headless Chromium (issue 18):
flagged reviews (warnings, no worker) cannot be ticked for bulk approval, each row shows its
amount at stake, warnings and deadline in UTC, rows are sorted by due date and told apart, the
confirmation names each review and has an accessible name, approved rows leave at once, and
the sidebar tab is named "Runbook inbox, N reviews waiting" and keeps its data-id. The inbox
API is answered by the test (no Temporal needed), in the row contract of the server.

Also (issue 17): a notebook saved while its run's live view was open, reopened with no kernel,
shows the run's record where JupyterLab would write "model not found".

Screenshots at 1,280 px in the light and dark themes go to artifacts/review-pass/.

Also (issue 14): a notification sent with ``notify.send`` by another process appears in the
inbox (type, step, entity, age, a link to its run, its data as text), is counted unread on the
tab, and stays read or dismissed for the user after a reload: through the real server's
``ntro/api/notifications``. Screenshots in artifacts/notify/.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.sign import NotebookNotary

from ntro.capabilities import config, notify
from tests.browser.panels.conftest import KERNEL_IDLE, jupyter_lab
from tests.jupyter import states

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # pragma: no cover - the dev extra is not installed; tests are skipped
    pass

REPO = Path(__file__).resolve().parents[3]
SHOTS = REPO / "artifacts" / "review-pass"
NOTIFY_SHOTS = REPO / "artifacts" / "notify"
RECORD_MIME = "application/vnd.ntro.run+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def row(workflow_id: str, **extra: Any) -> dict[str, Any]:
    item = {
        "workflow_id": workflow_id,
        "run_id": "r-" + workflow_id,
        "workflow_type": "InvoiceReviewWorkflow",
        "runbook": "invoice-review",
        "entity": "e1",
        "period": "2026-03",
        "kind": "interactive_review",
        "component": "DATA_TABLE",
        "reason": "Review ACME invoice",
        "title": None,
        "step_id": "review",
        "gate_id": f"review:{workflow_id[-1]}",
        "opened_at": "2026-03-31T08:00:00Z",
        "age_s": 3600.0,
        "deadline": None,
        "rows": 4,
        "feedback_level": None,
        "decidable": True,
        "task_queue": "ntro-close",
        "worker_down": False,
        "due_at": None,
        "warning_count": 0,
        "amount": None,
    }
    item.update(extra)
    return item


ROWS = [
    row(
        "invoice-review-e1-2026-03-acme-0412",
        reason="Review ACME invoice 0412 (acme-0412.pdf)",
        amount={"value": "1250.00", "currency": "USD"},
        due_at="2026-04-02T17:00:00Z",
        on_timeout="reject",
    ),
    row(
        "invoice-review-e1-2026-03-acme-0413",
        reason="Review ACME invoice 0413 (acme-0413.pdf)",
        amount={"value": "10000.00", "currency": "USD"},
        warning_count=2,
        due_at="2026-04-01T12:00:00Z",
    ),
    row(
        "bank-rec-e2-2026-03-b",
        runbook="bank-reconciliation",
        entity="e2",
        reason="Bank lines to match",
        worker_down=True,
        task_queue="ntro-bank",
        due_at="2026-04-03T09:00:00Z",
    ),
    # An older server: no warning_count or amount; the inbox reads the review for them.
    {
        k: v
        for k, v in row(
            "invoice-review-e3-2026-03-c", entity="e3", reason="Review Globex invoice"
        ).items()
        if k not in ("warning_count", "amount", "worker_down", "due_at", "task_queue")
    },
    row(
        "invoice-review-e4-2026-03-d",
        entity="e4",
        reason="Review Initech invoice (initech-77.pdf)",
        amount={"value": "980.5", "currency": "EUR"},
    ),
    # Clean by its row, but its review shows a warning: read before the bulk approval.
    row("invoice-review-e5-2026-03-e", entity="e5", reason="Review Umbrella invoice"),
]


def review(warnings: list[str], amount: dict[str, str] | None) -> dict[str, Any]:
    """What ``runs/ID`` answers, reduced to what the inbox reads: the approve summary."""
    return {
        "state": {},
        "view": {
            "breadcrumb": {"steps": [], "status": "running", "workflow_type": None, "error": None},
            "history": [],
            "problems": [],
            "panel": {
                "approve_summary": {
                    "warning_count": len(warnings),
                    "warnings": warnings,
                    "amount": amount,
                }
            },
        },
    }


REVIEWS = {
    "invoice-review-e3-2026-03-c": review(
        ["2 low-confidence values to check"], {"value": "430.00", "currency": "USD"}
    ),
    "invoice-review-e5-2026-03-e": review(["Line L4 is still in suspense (9999)"], None),
}


@pytest.fixture(scope="module")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The artifacts folder of the lab's server and of this process: notifications sent here
    are kept beside it, where the server reads them."""
    return tmp_path_factory.mktemp("inbox-notify") / "artifacts"


@pytest.fixture(scope="module")
def lab_url(
    tmp_path_factory: pytest.TempPathFactory, artifacts_dir: Path
) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("inbox-lab")
    with jupyter_lab(root, env={"NTRO_ARTIFACTS_DIR": str(artifacts_dir)}) as url:
        yield url, root


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    yield page
    context.close()


def serve_inbox(page: Page) -> dict[str, Any]:
    """Answer the inbox API: the rows above (still listing approved ones, as visibility lags),
    one review read, and the bulk decision (each approved)."""
    seen: dict[str, Any] = {"decisions": []}

    def inbox(route: Any) -> None:
        body = {
            "count": len(ROWS),
            "complete": True,
            "remaining": 0,
            "items": ROWS,
            "scanned": len(ROWS),
            "queried": len(ROWS),
            "errors": [],
            "truncated": False,
            "elapsed_ms": 3.0,
            "fetched_at": "2026-03-31T09:15:00Z",
            "cluster": {
                "mode": "remote",
                "address": "temporal.acme.example:7233",
                "namespace": "close",
                "running": True,
                "ui_url": None,
            },
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def decisions(route: Any) -> None:
        request = json.loads(route.request.post_data or "{}")
        seen["decisions"].append(request)
        results = [{"workflow_id": i["workflow_id"], "ok": True} for i in request["items"]]
        body = {
            "requested": len(results),
            "succeeded": len(results),
            "failed": 0,
            "results": results,
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/ntro/api/inbox*", inbox)
    page.route("**/ntro/api/decisions*", decisions)

    def runs(route: Any) -> None:
        workflow_id = route.request.url.split("/runs/", 1)[1].split("?", 1)[0]
        seen.setdefault("read", []).append(workflow_id)
        body = REVIEWS.get(workflow_id, review([], None))
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/ntro/api/runs/*", runs)
    return seen


def open_lab(page: Page, url: str, theme: str, path: str = "lab") -> None:
    page.goto(f"{url}/{path}?reset")
    page.wait_for_selector("#jp-main-dock-panel", timeout=90_000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('ntro:open-inbox')",
        timeout=60_000,
    )
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")
    if theme == "dark":
        page.evaluate(
            "() => window.jupyterapp.commands.execute('apputils:change-theme', "
            "{theme: 'JupyterLab Dark'})"
        )
        page.wait_for_function(
            "() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000
        )


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_inbox_flags_reviews_and_bulk_approves_only_the_clean_ones(
    page: Page, lab_url: tuple[str, Path], theme: str
) -> None:
    url, _root = lab_url
    seen = serve_inbox(page)
    open_lab(page, url, theme)
    page.evaluate("() => window.jupyterapp.commands.execute('ntro:open-inbox')")
    items = page.locator("[data-testid=ntro-inbox-item]")
    expect(items).to_have_count(6, timeout=30_000)
    # The tab: named for a screen reader, and keeps the data-id every sidebar tab has.
    tab = page.get_by_role("tab", name="Runbook inbox, 6 reviews waiting")
    expect(tab).to_have_count(1)
    assert tab.get_attribute("data-id") == "ntro-inbox"
    # Soonest deadline first (rows without one after), groups in the order of their most
    # urgent review.
    order = [items.nth(i).get_attribute("data-workflow-id") for i in range(6)]
    assert order == [
        "invoice-review-e1-2026-03-acme-0413",
        "invoice-review-e1-2026-03-acme-0412",
        "invoice-review-e3-2026-03-c",
        "invoice-review-e4-2026-03-d",
        "invoice-review-e5-2026-03-e",
        "bank-rec-e2-2026-03-b",
    ]
    clean = page.locator("[data-workflow-id=invoice-review-e1-2026-03-acme-0412]")
    text = clean.inner_text()
    assert "USD 1,250.00" in text
    assert "due 2 Apr 17:00 UTC" in text and "then rejected" in text
    assert "acme-0412.pdf" in text  # the document tells two ACME invoices apart
    warned = page.locator("[data-workflow-id=invoice-review-e1-2026-03-acme-0413]")
    assert "⚠ 2 warnings" in warned.inner_text() and "USD 10,000.00" in warned.inner_text()
    assert warned.get_attribute("data-flagged") == "true"
    assert warned.locator("[data-testid=ntro-inbox-check]").is_disabled()
    down = page.locator("[data-workflow-id=bank-rec-e2-2026-03-b]")
    assert "no worker on queue ntro-bank" in down.inner_text()
    assert down.locator("[data-testid=ntro-inbox-check]").is_disabled()
    # A row from an older server: its warnings were read from the review itself.
    older = page.locator("[data-workflow-id=invoice-review-e3-2026-03-c]")
    expect(older.locator("[data-testid=ntro-inbox-warnings]")).to_have_text("⚠ 1 warning")
    assert "USD 430.00" in older.inner_text()
    assert older.locator("[data-testid=ntro-inbox-check]").is_disabled()
    # Titles are not cut at the default sidebar width; the full text is on hover too.
    title = clean.locator(".ntro-item-title")
    assert title.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")
    assert "Review ACME invoice 0412" in (
        clean.locator(".ntro-item-main").get_attribute("title") or ""
    )
    # Times in UTC with the zone, in the status line too.
    assert re.search(
        r"read 31 Mar 09:15 UTC", page.locator("[data-testid=ntro-inbox-status]").inner_text()
    )
    shot(page, f"inbox_flags_{theme}")

    page.locator("[data-testid=ntro-inbox-select-all]").check()
    button = page.locator("[data-testid=ntro-inbox-approve]")
    assert button.inner_text() == "Approve selected (3)"
    button.click()
    dialog = page.get_by_role("dialog", name=re.compile(r"^Approve 2 reviews"))
    expect(dialog).to_be_visible()
    listed = dialog.get_by_role("list", name="Reviews to approve").inner_text()
    assert "invoice-review-e1-2026-03-acme-0412 — invoice-review · e1 · 2026-03" in listed
    assert "USD 1,250.00" in listed and "invoice-review-e4-2026-03-d" in listed
    assert "invoice-review-e5" not in listed  # its review shows a line in suspense
    assert "4 flagged reviews are left out" in dialog.inner_text()
    left_out = page.locator("[data-testid=ntro-inbox-message]").inner_text()
    assert "1 ticked review(s) have warnings in their review" in left_out
    umbrella = page.locator("[data-workflow-id=invoice-review-e5-2026-03-e]")
    assert "⚠ 1 warning" in umbrella.inner_text()
    shot(page, f"inbox_confirm_{theme}")
    dialog.locator("button.jp-mod-accept").click()
    # Gone at once, although the server still lists them for a while.
    expect(items).to_have_count(4, timeout=5_000)
    page.locator("[data-testid=ntro-inbox-refresh]").click()
    page.wait_for_timeout(500)
    expect(items).to_have_count(4)
    assert [i["workflow_id"] for i in seen["decisions"][0]["items"]] == [
        "invoice-review-e1-2026-03-acme-0412",
        "invoice-review-e4-2026-03-d",
    ]
    expect(page.get_by_role("tab", name="Runbook inbox, 4 reviews waiting")).to_have_count(1)
    shot(page, f"inbox_after_approval_{theme}")
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("kernel", ["none", "new"])
def test_a_live_view_saved_while_open_shows_its_record_without_its_kernel(
    page: Page, lab_url: tuple[str, Path], kernel: str
) -> None:
    """Reopened with no kernel (the widget would load forever) or with a new kernel that never
    held the widget ("model not found"): the run's record shows instead."""
    url, root = lab_url
    state = states.nav_signoff()
    cell = nbformat.v4.new_code_cell("%ntro run nav-monthly")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                WIDGET_MIME: {"version_major": 2, "version_minor": 0, "model_id": "a" * 32},
                RECORD_MIME: {"state": state, "taken_at": "2024-04-01T12:05:00Z"},
                "text/html": "<p class='ntro-html-fallback'>static</p>",
                "text/plain": "RunView()",
            },
        )
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    if kernel == "new":
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
    # Trusted, as a notebook the reviewer saved in JupyterLab is: its widget output is then
    # drawn by the widget manager (an untrusted one would go to the safe renderers only).
    NotebookNotary().sign(notebook)
    name = f"open-run-{kernel}.ipynb"
    nbformat.write(notebook, root / name)
    if kernel == "none":
        # No kernel can start: the notebook is opened as it would be on a review site.
        for api in ("**/api/sessions**", "**/api/kernels**"):
            page.route(
                api,
                lambda route: (
                    route.abort() if route.request.method == "POST" else route.continue_()
                ),
            )
    open_lab(page, url, "light", f"lab/tree/{name}")
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    if kernel == "none":
        # The kernel cannot start, so JupyterLab asks which one to use: "No Kernel".
        no_kernel = page.locator(".jp-Dialog button", has_text="No Kernel")
        no_kernel.first.wait_for(timeout=30_000)
        no_kernel.first.click()
    else:
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    record = page.locator(".jp-OutputArea .ntro-record-fallback")
    record.wait_for(timeout=60_000)
    text = record.inner_text()
    assert "Sign off NAV" in text and "nav-monthly-2024-03" in text
    shown = page.locator(".jp-OutputArea").inner_text()
    assert "model not found" not in shown and "Loading widget" not in shown
    shot(page, f"saved_open_run_{kernel}_kernel")


CLOSED_RUN = "month-end-close-acme-fund-2026-01"
STEPS = [
    ("period_open", "Open period"),
    ("collect_documents", "Collect documents"),
    ("check_trial_balance", "Check trial balance"),
    ("journals", "Review journals"),
    ("nav_signoff", "Sign off NAV"),
]


def closed_run() -> dict[str, Any]:
    """What ``runs/ID`` answers for a close that has finished: every step done, no review."""
    return {
        "workflow_id": CLOSED_RUN,
        "state": {"status": "completed", "pending_action": None},
        "view": {
            "breadcrumb": {
                "steps": [{"id": i, "title": t, "status": "completed"} for i, t in STEPS],
                "status": "completed",
                "workflow_type": "MonthEndCloseWorkflow",
                "error": None,
            },
            "history": [],
            "problems": [],
            "panel": None,
        },
    }


def send(**fields: Any) -> notify.Notification:
    """``notify.send`` as a runbook's worker calls it (on its own event loop: a thread here,
    beside Playwright's)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, notify.send(**fields)).result(30)


def test_a_notification_sent_with_notify_appears_in_the_inbox(
    page: Page, lab_url: tuple[str, Path], artifacts_dir: Path
) -> None:
    url, _root = lab_url
    config.set(config.WorkerConfig(artifacts_dir=artifacts_dir))
    try:
        signed = send(
            type="nav_signed_off",
            step="nav_signoff",
            task_id=CLOSED_RUN,
            entity_id="acme-fund",
            data={"nav": "49683305.55", "note": "<img src=x onerror=alert(1)>"},
        )
        waiting = send(type="review_requested", step="journals", entity_id="fund-b")
        seen = serve_inbox(page)  # the reviews from the test; notifications from the server

        def run(route: Any) -> None:
            seen.setdefault("read", []).append(CLOSED_RUN)
            route.fulfill(
                status=200, content_type="application/json", body=json.dumps(closed_run())
            )

        page.route(f"**/ntro/api/runs/{CLOSED_RUN}*", run)
        open_lab(page, url, "light")
        page.evaluate("() => window.jupyterapp.commands.execute('ntro:open-inbox')")
        notes = page.locator("[data-testid=ntro-note]")
        expect(notes).to_have_count(2, timeout=30_000)
        # Newest first, unread, each with its type, step, entity and age.
        assert [notes.nth(i).get_attribute("data-note-id") for i in range(2)] == [
            waiting.id,
            signed.id,
        ]
        first = page.locator(f"[data-note-id='{signed.id}']")
        text = first.inner_text()
        assert "nav_signed_off" in text and "step nav_signoff · acme-fund" in text
        assert "just now" in text or re.search(r"\b\d+ s\b", text)
        # Data is text: the markup in it is shown, never parsed.
        assert "note: <img src=x onerror=alert(1)>" in text
        assert first.locator("img").count() == 0
        assert first.get_attribute("data-read") == "false"
        expect(page.locator("[data-testid=ntro-notes-unread]")).to_have_text("2 unread")
        tab = page.get_by_role(
            "tab", name="Runbook inbox, 6 reviews waiting, 2 unread notifications"
        )
        expect(tab).to_have_count(1)
        badge = page.locator(".lm-TabBar-tab[data-id=ntro-inbox] .lm-TabBar-tabIcon")
        expect(badge).to_have_attribute("data-ntro-unread", "2")
        NOTIFY_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(NOTIFY_SHOTS / "inbox_notifications.png"))

        # The task link opens the run (its review panel) and marks the notification read.
        first.locator("[data-testid=ntro-note-open]").click()
        review = page.locator(f"#ntro-review-{CLOSED_RUN}").first
        expect(review).to_be_visible(timeout=15_000)
        expect(review).to_contain_text("Sign off NAV")
        assert CLOSED_RUN in seen.get("read", [])
        expect(first).to_have_attribute("data-read", "true", timeout=10_000)
        # Dismissed: gone from the list; nothing unread is left on the tab.
        page.locator(f"[data-note-id='{waiting.id}'] [data-testid=ntro-note-dismiss]").click()
        expect(notes).to_have_count(1, timeout=10_000)
        expect(page.get_by_role("tab", name="Runbook inbox, 6 reviews waiting")).to_have_count(
            1, timeout=10_000
        )
        expect(badge).not_to_have_attribute("data-ntro-unread", re.compile(".*"))
        page.screenshot(path=str(NOTIFY_SHOTS / "inbox_notification_read.png"))

        # The marks are the server's: a reload shows the same.
        open_lab(page, url, "light")
        page.evaluate("() => window.jupyterapp.commands.execute('ntro:open-inbox')")
        expect(notes).to_have_count(1, timeout=30_000)
        assert notes.nth(0).get_attribute("data-note-id") == signed.id
        assert notes.nth(0).get_attribute("data-read") == "true"
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        config.reset()
        notify.notifications_file().unlink(missing_ok=True)
