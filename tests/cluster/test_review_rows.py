"""What a waiting review looks like in a list, and how a filter becomes a visibility query:
the parts of issue 15 that need no server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ntro.cluster import PageTokenRefused, ReviewFilter, ReviewFilterError, gate_summary
from ntro.cluster._visibility import _decode_token, _encode_token, quote

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def gate(**extra: object) -> dict[str, object]:
    return {
        "kind": "interactive_review",
        "step_id": "review",
        "gate_id": "review:1",
        "reason": "Check   the\nlines",
        "opened_at": "2026-12-02T09:00:00Z",
        "deadline": "2026-12-04T09:00:00Z",
        "display_hint": {
            "component": "DATA_TABLE",
            "config": {"title": "Lines", "confidence_warning_threshold": 80},
        },
        "payload": {
            "rows": [
                {"id": "L1", "confidence": {"amount": 0.5, "account": 0.95}},
                {"id": "L2", "confidence": 0.7},
                {"id": "L3", "confidence": 99},
            ]
        },
        "checks": [{"name": "balanced", "ok": False}, {"name": "dates", "status": "pass"}],
        "policy": {"reviewers": ["ana@fund.example"], "roles": ["controller"]},
        **extra,
    }


def test_a_gate_summary_carries_what_the_inbox_row_shows() -> None:
    summary = gate_summary(
        gate(args={"entity_id_or_slug": "fund-a"}),
        runbook="close-books",
        labels=[{"period": "2026-11"}],
        edits=2,
    )
    assert summary["reason"] == "Check the lines"  # one line
    assert (summary["entity"], summary["period"]) == ("fund-a", "2026-11")
    assert summary["due_at"] == "2026-12-04T09:00:00Z" and summary["rows"] == 3
    # 1 failing check + 2 cells under 80 % (L1.amount, L2) + 2 edits not yet decided
    assert summary["warning_count"] == 5
    assert summary["reviewers"] == ["ana@fund.example", "role:controller"]
    assert summary["amount"] is None


@pytest.mark.parametrize(
    ("config", "amount"),
    [
        ({"amount": 10000, "currency": "USD"}, {"value": "10000.00", "currency": "USD"}),
        (
            {"amount_at_stake": {"value": "1,250.5", "currency": "EUR"}},
            {"value": "1250.50", "currency": "EUR"},
        ),
        ({"total": "not a number"}, None),
        ({"amount": "NaN"}, None),
        ({"amount": True}, None),
    ],
)
def test_the_amount_at_stake_is_an_exact_decimal_string(
    config: dict[str, object], amount: dict[str, str] | None
) -> None:
    pending = gate()
    pending["display_hint"] = {"component": "DATA_TABLE", "config": config}
    assert gate_summary(pending)["amount"] == amount


def test_long_text_is_cut_and_a_missing_gate_field_is_none() -> None:
    summary = gate_summary({"kind": "submit_file", "reason": "x" * 500})
    assert len(summary["reason"]) == 200 and summary["reason"].endswith("…")
    assert summary["title"] is None and summary["warning_count"] == 0


def test_filter_values_become_quoted_literals() -> None:
    assert quote("O'Brien \\ Co") == "'O\\'Brien \\\\ Co'"
    clauses = ReviewFilter(runbook="close-books", entity="x' OR 'a'='a", older_than_s=3600).clauses(
        NOW
    )
    assert clauses == [
        "NtroRunbook = 'close-books'",
        "NtroEntity = 'x\\' OR \\'a\\'=\\'a'",
        "NtroWaitingSince <= '2026-12-03T08:00:00Z'",
    ]
    assert ReviewFilter(assigned_to=("ana@fund.example", "role:controller")).clauses(NOW) == [
        "NtroReviewers IN ('ana@fund.example', 'role:controller')"
    ]
    # A keyword list is matched by a full-text index on SQLite: odd values are matched here.
    assert ReviewFilter(assigned_to=("a = b",)).clauses(NOW) == []
    hostile = ReviewFilter(assigned_to=("a = b",))
    assert hostile.matches({"reviewers": ["a = b"]}, NOW)
    assert not hostile.matches({"reviewers": ["ana"]}, NOW)


def test_bad_filter_values_are_refused_with_the_value() -> None:
    with pytest.raises(ReviewFilterError, match="control characters"):
        ReviewFilter(entity="fund\x00a")
    with pytest.raises(ReviewFilterError, match="250 characters long"):
        ReviewFilter(period="p" * 250)
    with pytest.raises(ReviewFilterError, match="-1"):
        ReviewFilter(older_than_s=-1)
    with pytest.raises(ReviewFilterError, match="at most 50"):
        ReviewFilter(assigned_to=tuple(f"r{n}" for n in range(51)))
    assert ReviewFilter(entity="  ").entity is None


def test_a_page_token_names_its_filter() -> None:
    mine = ReviewFilter(entity="fund-a")
    token = _encode_token(mine.fingerprint(), "indexed", b"\x00\x01next")
    assert _decode_token(token, mine) == ("indexed", b"\x00\x01next")
    with pytest.raises(PageTokenRefused, match="entity='fund-b'"):
        _decode_token(token, ReviewFilter(entity="fund-b"))
    with pytest.raises(PageTokenRefused, match="not one this inbox gave"):
        _decode_token(token[:10], mine)
