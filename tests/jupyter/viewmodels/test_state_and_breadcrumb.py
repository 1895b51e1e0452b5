"""Reading any UI state, resolving hints in every spelling, the breadcrumb and the history."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ntro_jupyter.viewmodels import (
    Panel,
    breadcrumb_view,
    history_view,
    icon_svg,
    panel_for_snapshot,
    panel_for_state,
    parse_ui_state,
    resolve_hint,
    resolve_icon,
)
from tests.jupyter import states


@pytest.mark.parametrize(
    ("hint", "kind", "panel", "config"),
    [
        (
            {"component": "DATA_TABLE", "config": {"title": "T"}},
            None,
            Panel.DATA_TABLE,
            {"title": "T"},
        ),
        (
            {"type": "review_extraction", "schema_slug": "inv"},
            None,
            Panel.EXTRACTION_REVIEW,
            {"schema_slug": "inv"},
        ),
        ({"type": "journal-review"}, None, Panel.JOURNAL_REVIEW, {}),
        ({"type": "NAV SignOff"}, None, Panel.NAV_SIGNOFF, {}),
        ("SUMMARY", None, Panel.SUMMARY, {}),
        (
            {"source": "bank", "filename_pattern": "*.pdf"},
            "submit_file",
            Panel.FILE_UPLOAD,
            {"source": "bank", "filename_pattern": "*.pdf"},
        ),
        (None, "submit_files", Panel.MULTI_FILE_UPLOAD, {}),
        (None, "interactive_review", Panel.APPROVAL_FORM, {}),
        (None, "drill_down", Panel.LOADING, {}),
        ({"component": "HOLOGRAM"}, None, Panel.FALLBACK, {}),
        (
            ["not", "a", "dict"],
            "interactive_review",
            Panel.APPROVAL_FORM,
            {"value": ["not", "a", "dict"]},
        ),
        (
            {"component": "DATA_TABLE", "title": "top", "config": {"title": "inner"}},
            None,
            Panel.DATA_TABLE,
            {"title": "inner"},
        ),
    ],
)
def test_hints_resolve_by_component_type_or_gate_kind(hint, kind, panel, config) -> None:  # noqa: ANN001
    resolved = resolve_hint(hint, kind)
    assert resolved.panel is panel
    assert resolved.config == config


def test_a_hint_that_is_not_an_object_says_so() -> None:
    assert resolve_hint(42, "interactive_review").problems == [
        "display_hint is a int, not an object: showing the default panel"
    ]


@pytest.mark.parametrize("raw", [None, [], "nope", 3, {"steps": "x", "pending_action": 5}])
def test_garbage_states_still_parse_and_say_what_was_wrong(raw) -> None:  # noqa: ANN001
    parsed = parse_ui_state(raw)
    assert parsed.problems
    breadcrumb_view(parsed.state)


def test_a_pending_action_that_is_not_an_object_is_shown_as_data() -> None:
    model = panel_for_state({"pending_action": ["approve me"]}, reviewer="r")
    assert model is not None
    assert any("not an object" in p for p in model.problems)
    assert model.panel is Panel.APPROVAL_FORM


def test_unknown_kind_and_bad_times_are_repaired() -> None:
    parsed = parse_ui_state(
        {
            "pending_action": {
                "kind": "ponder",
                "opened_at": "yesterday",
                "display_hint": {"component": "SUMMARY"},
            }
        }
    )
    assert parsed.state.pending_action.kind == "interactive_review"
    assert parsed.state.pending_action.opened_at is None
    assert any("'ponder'" in p for p in parsed.problems)
    assert any("'yesterday' is not a time" in p for p in parsed.problems)


def test_breadcrumb_steps_icons_status_and_children_under_their_step() -> None:
    view = breadcrumb_view(parse_ui_state(states.journal_review()).state)
    assert [(s["id"], s["status"]) for s in view["steps"]] == [
        ("period_open", "completed"),
        ("collect_documents", "completed"),
        ("review_extraction", "completed"),
        ("journals", "waiting_for_input"),
        ("nav_signoff", "pending"),
        ("summary", "pending"),
    ]
    collect = view["steps"][1]
    assert [c["short"] for c in collect["children"]] == [
        "document-ingest:bank",
        "document-ingest:custodian",
    ]
    assert view["steps"][0]["icon"] == "calendar-check"
    assert view["steps"][5]["icon"] == "circle-check"  # CheckCircle2, Lucide's old name
    assert view["steps"][3]["waiting"] is True
    assert view["steps"][2]["has_snapshot"] is True
    assert set(view["icons"]) >= {"calendar-check", "scale", "landmark", "circle-check"}


def test_unknown_icons_fall_back_to_the_default() -> None:
    assert resolve_icon("NoSuchIcon<svg>") == ("circle-dot", False)
    assert resolve_icon(None) == ("circle-dot", False)
    assert resolve_icon("file_up") == ("file-up", True)
    svg = icon_svg("Landmark")
    assert svg.startswith("<svg") and "<path" in svg and "script" not in svg


def test_history_lines_say_who_did_what_and_when() -> None:
    lines = history_view(parse_ui_state(states.completed_run()).state)
    assert [line["text"] for line in lines] == [
        "alice@fund.example corrected amount of L2: 1,250.00 → 1,205.00",
        "alice@fund.example approved with corrections on Review extraction: “Fixed one amount”",
        "bob@fund.example approved on Sign off NAV: “NAV signed off by Bob Smith for 2024-03”",
    ]
    assert lines[0]["at"] == "2024-04-01 10:42 UTC"


def test_a_completed_step_shows_its_snapshot_read_only_with_the_decision() -> None:
    state = parse_ui_state(states.completed_run()).state
    model = panel_for_snapshot(
        "review_extraction", state.step_snapshots["review_extraction"], title="Review extraction"
    )
    view = model.to_view()
    assert view["panel"] == "DATA_TABLE"
    assert view["actions"] == []
    assert view["gate"]["decided"]["sentence"] == (
        "Approved with corrections (1) by alice@fund.example at 2024-04-01 10:42 UTC"
    )
    with pytest.raises(PermissionError):
        model.edit_by_id("L1", "amount", "1")
    summary = panel_for_snapshot("summary", state.step_snapshots["summary"], title="Period summary")
    assert summary.panel is Panel.SUMMARY
    assert {s["label"] for s in summary.body_view()["sections"]} == {
        "Nav",
        "Status",
        "Journals posted",
    }


def test_a_gate_the_audit_trail_says_was_decided_opens_read_only() -> None:
    state = states.nav_signoff()
    state["audit_trail"].append(
        {
            "kind": "decision",
            "gate_id": "g-nav",
            "reviewer": "carol",
            "at": "2024-04-01T12:01:00Z",
            "action": "approve",
        }
    )
    model = panel_for_state(state, reviewer="alice")
    assert model.lifecycle.read_only
    assert (
        model.to_view()["gate"]["decided"]["sentence"]
        == "Approved by carol at 2024-04-01 12:01 UTC"
    )


def test_importing_the_view_models_does_not_import_jupyter() -> None:
    code = (
        "import sys, ntro_jupyter.viewmodels; "
        "print(any(m in sys.modules for m in ('ipywidgets', 'anywidget', 'IPython')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
