"""Journal review, NAV sign-off, uploads, summary, report, approval, loading and fallback:
what each panel shows and the intents it emits."""

from __future__ import annotations

from pathlib import Path

import pytest

from ntro.documents import DocumentStore
from ntro_jupyter.viewmodels import (
    ApprovalFormModel,
    DecisionBlocked,
    FallbackModel,
    FileCandidate,
    JournalReviewModel,
    LoadingModel,
    MultiUploadModel,
    NavSignoffModel,
    ReportPreviewModel,
    SummaryModel,
    UploadModel,
    panel_for_state,
)
from tests.jupyter import states


def test_journal_totals_and_imbalance_block_approval() -> None:
    model = panel_for_state(states.journal_review(), reviewer="alice")
    assert isinstance(model, JournalReviewModel)
    body = model.body_view()
    assert body["total_debit"] == "USD 4,512.34"
    assert body["total_credit"] == "USD 4,510.34"
    assert body["difference"] == "USD 2.00"
    assert [j["balanced"] for j in body["journals"]] == [True, False]
    assert body["journals"][0]["lines"][0] == {
        "account": "6100 Management fees",
        "memo": "",
        "debit": "4,500.00",  # the currency is in the heading: body["currency"]
        "credit": "",
        "problem": None,
    }
    assert body["currency"] == "USD"
    with pytest.raises(DecisionBlocked, match="JE-102 is out by USD 2.00"):
        model.decide("approve")
    approve = next(a for a in model.to_view()["actions"] if a["kind"] == "approve")
    assert "do not balance" in approve["blocked"]


def test_journal_imbalance_can_be_overridden_with_a_reason_that_is_recorded() -> None:
    model = panel_for_state(states.journal_review(), reviewer="alice")
    model.set_override("   ")
    with pytest.raises(DecisionBlocked):
        model.decide("approve")
    model.set_override("FX rounding, fixed next period")
    decision = model.decide("approve", comment="ok")
    assert decision["action"] == "approve"
    assert (
        decision["comment"]
        == "Imbalance of USD 2.00 overridden: FX rounding, fixed next period. ok"
    )


def test_balanced_journals_approve_without_override() -> None:
    model = panel_for_state(states.journal_review(balanced=True), reviewer="alice")
    assert model.body_view()["balanced"] is True
    assert model.decide("approve") == {
        "action": "approve",
        "corrections": [],
        "comment": None,
        "reviewer": "alice",
        "gate_id": "g-journals",
    }


def test_journal_lines_in_amount_and_side_form_and_bad_amounts() -> None:
    state = states.journal_review()
    state["pending_action"]["payload"] = {
        "lines": [
            {"account": "1000", "amount": 50, "dr_cr": "Dr"},
            {"account": "2000", "amount": 50, "dr_cr": "Cr"},
            {"account": "3000", "debit": "lots"},
        ]
    }
    model = panel_for_state(state, reviewer="alice")
    body = model.body_view()
    assert (body["total_debit"], body["total_credit"]) == ("USD 50.00", "USD 50.00")
    assert body["balanced"] is False
    assert any("'lots' is not a number" in p for p in model.problems)


def test_nav_movements_against_prior_and_tolerance() -> None:
    model = panel_for_state(states.nav_signoff(), reviewer="bob")
    assert isinstance(model, NavSignoffModel)
    figures = {f["label"]: f for f in model.body_view()["figures"]}
    assert figures["Net asset value"]["movement"] == "+380,000.00"
    assert figures["Net asset value"]["movement_pct"] == "+3.14%"
    assert figures["Net asset value"]["status"] == "within"
    assert figures["Management fee accrual"]["movement_pct"] == "+50.00%"
    assert figures["Management fee accrual"]["status"] == "outside"
    assert figures["Cash"]["movement"] == "-11,789.45"
    assert model.body_view()["currency"] == "USD"
    assert model.body_view()["outside_count"] == 1


def test_nav_signoff_needs_a_name_and_an_explanation_for_outside_moves() -> None:
    model = panel_for_state(states.nav_signoff(), reviewer="bob")
    model.set_signer("")
    with pytest.raises(DecisionBlocked) as blocked:
        model.decide("approve")
    assert "type your name" in str(blocked.value)
    assert "Management fee accrual" in str(blocked.value)
    model.set_signer("Bob Smith")
    decision = model.decide("approve", comment="New commitments raised the fee")
    # The signed-in reviewer stays the reviewer; the typed name is whom they sign for.
    assert decision["reviewer"] == "bob"
    assert decision["on_behalf_of"] == "Bob Smith"
    assert (
        decision["comment"]
        == "NAV signed off by Bob Smith for 2024-03. New commitments raised the fee"
    )


def test_nav_flat_pairs_and_current_prior_dicts() -> None:
    state = states.nav_signoff()
    state["pending_action"]["payload"] = {
        "nav": 105,
        "prior_nav": 100,
        "units": 10,
        "units_prior": 10,
    }
    figures = panel_for_state(state).body_view()["figures"]
    assert [(f["label"], f["movement_pct"], f["status"]) for f in figures] == [
        ("NAV", "+5.00%", "within"),
        ("Units", "0.00%", "within"),
    ]
    state["pending_action"]["payload"] = {"current": {"nav": 90}, "prior": {"nav": 100}}
    assert panel_for_state(state).body_view()["figures"][0]["status"] == "outside"


def test_upload_checks_accept_size_and_multiple(tmp_path: Path) -> None:
    model = panel_for_state(states.file_upload(), reviewer="alice", store=DocumentStore(tmp_path))
    assert isinstance(model, UploadModel)
    assert model.check([FileCandidate("march.pdf", 1000, "application/pdf")]) == []
    problems = model.check(
        [
            FileCandidate("photo.png", 6 * 1024 * 1024, "image/png"),
            FileCandidate("b.csv", 10, "text/csv"),
        ]
    )
    assert "this gate takes one file; you chose 2" in problems
    assert "'photo.png' is not an accepted type (accepted: .pdf, .csv)" in problems
    assert "'photo.png' is 6.0 MB, over the 5 MB limit" in problems


def test_upload_stores_the_file_and_builds_the_signal(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    model = panel_for_state(states.file_upload(), reviewer="alice", store=store)
    [intent] = model.upload([("march.csv", b"date,amount\n", "text/csv")])
    ref = intent["payload"]["document_ref"]
    assert store.get(ref) == b"date,amount\n"
    assert intent == {
        "signal_task_id": states.WF,
        "signal_name": "document_submitted",
        "payload": {
            "document_ref": ref,
            "filename": "march.csv",
            "size": 12,
            "content_type": "text/csv",
            "source": "bank",
            "schema_slug": "bank-statement",
            "tenant_id_or_slug": "acme",
            "entity_id_or_slug": "fund-i",
        },
    }
    assert store.info(ref).metadata["uploaded_by"] == "alice"
    assert model.lifecycle.status == "submitting"


def test_a_refused_upload_stores_nothing(tmp_path: Path) -> None:
    model = panel_for_state(states.file_upload(), store=DocumentStore(tmp_path))
    with pytest.raises(ValueError, match="not an accepted type"):
        model.upload([("x.exe", b"MZ", None)])
    assert list(tmp_path.iterdir()) == []


def test_upload_without_signal_task_id_targets_the_workflow(tmp_path: Path) -> None:
    state = states.file_upload()
    del state["pending_action"]["args"]["signal_task_id"]
    [intent] = panel_for_state(state, store=DocumentStore(tmp_path)).upload(
        [("a.pdf", b"%PDF", None)]
    )
    assert intent["signal_task_id"] == states.WF
    assert intent["payload"]["content_type"] == "application/pdf"


def test_ingest_feedback_shows_counts_and_progress() -> None:
    feedback = panel_for_state(states.file_upload()).body_view()["feedback"]
    assert feedback["progress"] == pytest.approx(45 / 120)
    assert {"label": "Failed", "value": "2"} in feedback["counts"]
    assert feedback["message"] == "Parsing statement lines"


def test_multi_upload_slots_show_status_and_send_to_their_child(tmp_path: Path) -> None:
    model = panel_for_state(states.multi_upload(), reviewer="alice", store=DocumentStore(tmp_path))
    assert isinstance(model, MultiUploadModel)
    assert [(s["label"], s["status"]) for s in model.body_view()["slots"]] == [
        ("Bank statement", "completed"),
        ("Custodian holdings", "running"),
        ("Administrator report", "pending"),
    ]
    [intent] = model.upload([("admin.xlsx", b"PK", None)], slot="admin")
    assert intent["signal_task_id"] == f"{states.WF}:collect_documents:document-ingest:admin"
    assert intent["payload"]["source"] == "admin"
    assert model.body_view()["slots"][2]["status"] == "uploaded"
    assert model.lifecycle.status == "open"  # other slots still wait


def test_summary_sections_typed_and_fallback_to_fields() -> None:
    model = panel_for_state(states.summary())
    assert isinstance(model, SummaryModel)
    sections = {s["label"]: s for s in model.body_view()["sections"]}
    assert sections["Closing NAV"]["value"] == "12,480,000"
    assert sections["Reconciliation"]["tone"] == "good"
    state = states.summary()
    state["pending_action"]["display_hint"] = {"component": "SUMMARY"}
    sections = panel_for_state(state).body_view()["sections"]
    assert [(s["label"], s["type"]) for s in sections] == [
        ("Nav", "number"),
        ("Status", "text"),
        ("Journals posted", "number"),
        ("Notes", "text"),
    ]


def test_report_preview_is_sanitised() -> None:
    model = panel_for_state(states.report_preview())
    assert isinstance(model, ReportPreviewModel)
    html = model.body_view()["html"]
    assert "<h1>March 2024</h1>" in html
    assert "<strong>3.1%</strong>" in html
    assert "<table>" in html and "<td>104.12</td>" in html
    assert "<script" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text


def test_report_preview_table_escapes_cells() -> None:
    state = states.report_preview()
    state["pending_action"]["payload"] = {"table": [{"a": "<b>x</b>", "b": 1}]}
    html = panel_for_state(state).body_view()["html"]
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_approval_form_is_the_default_for_a_review_without_hint() -> None:
    model = panel_for_state(states.approval_form(), reviewer="alice")
    assert isinstance(model, ApprovalFormModel)
    assert model.body_view()["fields"][1] == {"label": "Amount", "value": "10,000.00 USD"}
    assert model.decide("approve")["gate_id"] == "g-approve"


def test_unknown_component_shows_the_payload_with_approve_and_reject() -> None:
    model = panel_for_state(states.unknown_component(), reviewer="alice")
    assert isinstance(model, FallbackModel)
    body = model.body_view()
    assert "FX_RATE_MATRIX" in body["notice"]
    assert '"EURUSD": 1.0812' in body["payload"]
    assert [a["kind"] for a in model.to_view()["actions"]] == ["approve", "reject"]
    assert model.decide("reject", comment="stale")["action"] == "reject"


def test_loading_shows_elapsed_time_and_children() -> None:
    from datetime import UTC, datetime

    model = panel_for_state(states.loading(), now=datetime(2024, 4, 1, 9, 12, 30, tzinfo=UTC))
    assert isinstance(model, LoadingModel)
    body = model.body_view()
    assert body["elapsed_s"] == 150
    assert body["children"] == [
        {
            "id": f"{states.WF}:collect_documents:document-ingest:bank",
            "slug": "document-ingest",
            "status": "running",
        }
    ]
    assert model.to_view()["actions"] == []
    with pytest.raises(DecisionBlocked, match="nothing to decide"):
        model.decide("approve")


def test_a_panel_that_crashes_on_its_input_falls_back_to_the_payload_view(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(self, *a, **k):  # noqa: ANN001
        raise RuntimeError("kaput")

    monkeypatch.setattr(JournalReviewModel, "_read_journals", boom)
    model = panel_for_state(states.journal_review())
    assert isinstance(model, FallbackModel)
    assert any("could not read this gate (RuntimeError: kaput)" in p for p in model.problems)


def test_every_recorded_state_builds_a_view_that_is_json() -> None:
    import json

    for name, make in states.ALL_PANELS.items():
        model = panel_for_state(make(), reviewer="alice")
        assert model is not None, name
        json.dumps(model.to_view())


def test_a_confirmed_upload_says_who_sent_which_file(tmp_path: Path) -> None:
    model = panel_for_state(states.file_upload(), reviewer="alice", store=DocumentStore(tmp_path))
    model.upload([("march.csv", b"x", "text/csv")])
    model.lifecycle.confirm()
    sentence = model.to_view()["gate"]["decided"]["sentence"]
    assert sentence.startswith("Uploaded by alice at ")
    assert model.to_view()["gate"]["decided"]["comment"] == "march.csv"
