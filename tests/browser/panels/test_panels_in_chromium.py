"""Every panel rendered from recorded states in headless Chromium, with screenshots in
artifacts/screenshots/, and the interactions a reviewer performs, round-tripped through the
Python widgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ntro.documents import DocumentStore
from ntro_jupyter.viewmodels import panel_for_state
from ntro_jupyter.widgets import DataTableWidget, IntentSink, PanelWidget, RunView, panel_widget_for
from tests.jupyter import states

EXPECTED_TEXT = {
    "extraction_review": [
        "Review extraction",
        "1 low-confidence cell, 1 low-confidence line",
        "First Example Bank",
        "Approve extraction",
    ],
    "data_table": [
        "Holdings and cash",
        "Holdings",
        "Cash",
        "stale price",
        "Approve holdings",
        "Send back",
    ],
    "journal_review": ["JE-102", "out by USD 2.00", "Imbalance USD 2.00", "Approval blocked"],
    "nav_signoff": ["Net asset value", "+3.14%", "outside", "Signed off by", "Sign off NAV"],
    "file_upload": [
        "Bank statement",
        "Choose a file",
        "Accepted: .pdf, .csv · Up to 5 MB",
        "Parsing statement lines",
        "Processed:",
    ],
    "multi_upload": ["Bank statement", "Custodian holdings", "Administrator report", "pending"],
    "summary": ["Closing NAV", "12,480,000", "balanced", "Journals posted"],
    "loading": ["Ingesting documents", "running for", "Child runbooks"],
    "report_preview": ["March 2024", "NAV/unit", "<script>alert('x')</script>"],
    "approval_form": ["Beneficiary", "Custodian Bank", "10,000.00 USD"],
    "unknown_component": ["FX_RATE_MATRIX", "EURUSD", "Approve", "Reject"],
    "hostile": ["twelve", "unknown type 'hologram'", '{"nested": [1, 2]}'],
}


def _state(name: str) -> dict:
    state = states.ALL_PANELS[name]()
    if name == "loading":  # a gate opened a minute ago, so the elapsed time reads naturally
        state["pending_action"]["opened_at"] = (
            datetime.now(UTC) - timedelta(seconds=75)
        ).isoformat()
    return state


@pytest.mark.parametrize("name", list(states.ALL_PANELS))
def test_each_panel_renders_from_its_recorded_state(render, name: str) -> None:  # noqa: ANN001
    widget = panel_widget_for(panel_for_state(_state(name), reviewer="alice"))
    module = "datatable.js" if isinstance(widget, DataTableWidget) else "panels.js"
    page = render(module, widget, width=1100 if module == "datatable.js" else 960)
    text = page.page.inner_text("#root")
    for expected in EXPECTED_TEXT[name]:
        assert expected.lower() in text.lower(), f"{name}: {expected!r} not shown"
    assert page.errors == []
    assert page.shot(f"panel_{name}").stat().st_size > 5000


def test_values_are_text_never_html(render) -> None:  # noqa: ANN001
    widget = panel_widget_for(panel_for_state(states.hostile(), reviewer="alice"))
    page = render("datatable.js", widget)
    assert page.page.evaluate("window.__pwned === undefined")
    assert page.page.locator("#root img").count() == 0
    assert page.page.locator("#root script").count() == 0
    assert '<img src=x onerror="window.__pwned=1">' in page.page.inner_text("#root")


def test_report_preview_runs_no_script(render) -> None:  # noqa: ANN001
    widget = PanelWidget(panel_for_state(states.report_preview()))
    page = render("panels.js", widget)
    assert page.page.locator(".ntro-report script").count() == 0
    assert page.page.locator(".ntro-report a[href^='javascript']").count() == 0
    assert page.page.locator(".ntro-report table td").first.inner_text() == "A"


def test_keyboard_editing_goes_through_python(render) -> None:  # noqa: ANN001
    decisions: list[dict] = []
    widget = DataTableWidget(
        panel_for_state(states.extraction_review(), reviewer="alice"),
        IntentSink(on_decision=decisions.append),
    )
    rendered = render("datatable.js", widget, connect=True)
    page = rendered.page
    # the amount is pinned beside the line: the first column after it (data-col is its key's
    # position in the row, the order on screen puts amount and Dr/Cr first)
    page.locator(".ntro-dt-cell[data-pos='1'][data-col='0']").click()  # date of L2
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # amount of L2
    page.keyboard.press("Enter")
    assert page.locator(".ntro-dt-input").input_value() == "1250.00"  # the bare number
    page.keyboard.press("Control+a")
    page.keyboard.type("1205")
    page.keyboard.press("Enter")  # commits and moves down
    page.wait_for_function("window.__replies >= 1")
    assert widget.model.corrections() == [
        {"line_item_id": "L2", "field": "amount", "old_value": 1250.0, "new_value": "1205.00"}
    ]
    cell = page.locator(".ntro-dt-cell[data-pos='1'][data-col='2']")
    assert cell.inner_text().startswith("1,205.00")  # the heading says "Amount (USD)"
    # Escape cancels an edit: nothing is sent
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.keyboard.type("999")
    page.keyboard.press("Escape")
    assert len(widget.model.corrections()) == 1
    # typing starts an edit; an invalid value is kept, flagged, and blocks approval
    page.keyboard.press("ArrowDown")
    page.keyboard.type("XX")
    page.keyboard.press("Enter")
    page.wait_for_function("window.__replies >= 2")
    assert "L3 · amount: 'XX' is not a number" in page.inner_text(".ntro-banner-warn")
    assert page.locator("button[data-action='approve']").is_disabled()
    rendered.shot("interaction_table_invalid_edit")
    page.keyboard.press("Control+z")  # undo the invalid edit
    page.wait_for_function("window.__replies >= 3")
    assert page.locator("button[data-action='approve']").is_enabled()
    rendered.shot("interaction_table_edited")
    page.locator("textarea.ntro-comment").fill("Amount misread by OCR")
    page.locator("button[data-action='approve']").click()  # opens what it commits
    page.locator("button[data-action='confirm-approve']").click()
    page.wait_for_function("window.__replies >= 4")
    assert decisions[0]["action"] == "correct"
    assert decisions[0]["comment"] == "Amount misread by OCR"
    assert "Sending the decision" in page.inner_text("#root")
    widget.mark_decided()
    page.evaluate("(state) => window.__model.set('state', state)", widget.state)
    assert "Approved with corrections (1) by alice" in page.inner_text("#root")
    assert page.locator(".ntro-reject-row").count() == 0
    rendered.shot("interaction_table_decided")
    assert rendered.errors == []


def test_a_refused_decision_is_shown_inline_with_the_edits_kept(render) -> None:  # noqa: ANN001
    widget = DataTableWidget(panel_for_state(states.extraction_review(), reviewer="alice"))
    widget.edit("line_items", 1, "amount", "1205")
    widget.decide("approve")
    widget.show_error("gate g-extract is no longer open (the workflow moved on)")
    rendered = render("datatable.js", widget)
    text = rendered.page.inner_text("#root")
    assert "The workflow refused this decision: gate g-extract is no longer open" in text
    assert "1,205.00" in text
    rendered.shot("panel_extraction_review_refused")


def test_row_reject_and_low_confidence_order(render) -> None:  # noqa: ANN001
    rows: list[dict] = []
    widget = DataTableWidget(
        panel_for_state(states.extraction_review(), reviewer="alice"),
        IntentSink(on_row_action=rows.append),
    )
    rendered = render("datatable.js", widget, connect=True)
    page = rendered.page
    page.locator("button[aria-label='Reject line L4']").click()
    page.wait_for_function("window.__replies >= 1")
    assert rows[0]["payload"] == {"action": "reject_row", "row_id": "L4"}
    assert "rejected" in page.locator(".ntro-dt-row[data-row='3']").inner_text()
    page.get_by_label("Lowest confidence first").check()
    first = page.locator(".ntro-dt-body .ntro-dt-row").first
    assert first.get_attribute("data-row") == "1"  # L2, confidence 42%
    rendered.shot("interaction_low_confidence_first")


def test_ten_thousand_rows_keep_the_dom_small_and_scroll(render) -> None:  # noqa: ANN001
    widget = DataTableWidget(panel_for_state(states.data_table(rows=10_000), reviewer="alice"))
    rendered = render("datatable.js", widget)
    page = rendered.page
    assert page.locator(".ntro-dt-body .ntro-dt-row").count() < 60
    page.locator(".ntro-dt-viewport").evaluate("v => { v.scrollTop = v.scrollHeight; }")
    page.wait_for_function("document.querySelector('.ntro-dt-body').textContent.includes('R09999')")
    assert page.locator(".ntro-dt-body .ntro-dt-row").count() < 60
    assert page.evaluate("window.__renderMs") < 1000
    rendered.shot("panel_data_table_10k_bottom")


def test_journal_override_through_the_page(render) -> None:  # noqa: ANN001
    decisions: list[dict] = []
    widget = PanelWidget(
        panel_for_state(states.journal_review(), reviewer="alice"),
        IntentSink(on_decision=decisions.append),
    )
    rendered = render("panels.js", widget, connect=True, width=960)
    page = rendered.page
    assert page.locator("button[data-action='approve']").is_disabled()
    page.get_by_label("Override the imbalance").check()
    page.get_by_label("Override reason").fill("FX rounding, corrected in April")
    page.get_by_label("Override reason").press("Tab")
    page.wait_for_function("window.__replies >= 1")
    assert page.locator("button[data-action='approve']").is_enabled()
    rendered.shot("interaction_journal_override")
    page.locator("button[data-action='approve']").click()  # opens what it commits
    page.locator("button[data-action='confirm-approve']").click()
    page.wait_for_function("window.__replies >= 2")
    assert (
        decisions[0]["comment"]
        == "Imbalance of USD 2.00 overridden: FX rounding, corrected in April"
    )


def test_upload_through_the_file_chooser(render, tmp_path: Path) -> None:  # noqa: ANN001
    signals: list[dict] = []
    store = DocumentStore(tmp_path)
    widget = PanelWidget(
        panel_for_state(states.file_upload(), reviewer="alice", store=store),
        IntentSink(on_signal=signals.append),
    )
    rendered = render("panels.js", widget, connect=True, width=960)
    page = rendered.page
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "too-big.pdf",
                "mimeType": "application/pdf",
                "buffer": b"0" * (6 * 1024 * 1024),
            }
        ],
    )
    assert "over the 5 MB limit" in page.inner_text(".ntro-banner-error")
    assert signals == []
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "march.csv",
                "mimeType": "text/csv",
                "buffer": b"date,amount\n2024-03-01,-25\n",
            }
        ],
    )
    page.wait_for_function("window.__replies >= 1")
    [signal] = signals
    assert store.get(signal["payload"]["document_ref"]) == b"date,amount\n2024-03-01,-25\n"
    assert "march.csv" in page.inner_text("#root")
    rendered.shot("interaction_upload_done")


def test_breadcrumb_shows_steps_icons_children_and_selects_snapshots(render) -> None:  # noqa: ANN001
    view = RunView(states.journal_review(), reviewer="alice")
    rendered = render("breadcrumb.js", view.crumbs, connect=True, height=300)
    page = rendered.page
    assert page.locator(".ntro-step").count() == 6
    assert page.locator(".ntro-step svg").count() >= 12
    assert page.locator(".ntro-step-waiting").inner_text() == "Approve journals"
    assert "document-ingest:bank" in page.inner_text(".ntro-step-children")
    rendered.shot("breadcrumb")
    page.locator("button[data-step='review_extraction']").click()
    page.wait_for_function("window.__replies >= 1")
    assert isinstance(view.slot.children[0], DataTableWidget)
    assert "Showing the finished step “Review extraction”" in page.inner_text("#root")
    rendered.shot("breadcrumb_snapshot_selected")


def test_snapshot_of_a_completed_step_renders_read_only(render) -> None:  # noqa: ANN001
    view = RunView(states.journal_review(), reviewer="alice")
    view.select_step("review_extraction")
    rendered = render("datatable.js", view.slot.children[0])
    text = rendered.page.inner_text("#root")
    assert "Approved with corrections (1) by alice@fund.example at 2024-04-01 10:42 UTC" in text
    assert rendered.page.locator("button[data-action]").count() == 0
    rendered.shot("snapshot_review_extraction")


@pytest.mark.parametrize("name", ["journal_review", "completed_run", "hostile"])
def test_static_html_of_a_run(browser, name: str) -> None:  # noqa: ANN001
    view = RunView(getattr(states, name)(), reviewer="alice")
    html = view._repr_mimebundle_()["text/html"]
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    page.route("**/*", lambda route: route.abort())
    page.set_content(f"<!doctype html><meta charset=utf-8><body style='margin:16px'>{html}</body>")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator(".ntro-trail .ntro-step").count() >= 6
    path = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots" / f"static_{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.close()
