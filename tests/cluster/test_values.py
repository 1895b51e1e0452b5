"""What is checked before anything reaches a cluster: decisions, periods, cron, time zones."""

from __future__ import annotations

from datetime import date

import pytest

from ntro.cluster import (
    ConfigError,
    DecisionNotSendable,
    check_cron,
    check_decision,
    check_timezone,
    fill_placeholders,
    placeholders_in,
)
from ntro.workflow import MAX_DECISION_BYTES


def test_a_decision_with_a_non_finite_number_is_refused_naming_where() -> None:
    decision = {
        "action": "correct",
        "corrections": [{"line_item_id": "L1", "field": "amount", "new_value": float("nan")}],
    }
    with pytest.raises(
        DecisionNotSendable, match=r"not finite \(nan\) at corrections\[0\]\.new_value"
    ):
        check_decision(decision, workflow_id="wf-1")
    check_decision({"action": "approve", "corrections": [{"new_value": 1.5}]})


def test_a_decision_over_the_limit_is_refused_with_its_size() -> None:
    """The decision contract's own check (ntro.workflow.check_decision_input), applied once."""
    huge = {"action": "approve", "comment": "x" * (MAX_DECISION_BYTES + 10)}
    with pytest.raises(
        DecisionNotSendable, match=r"bytes, over the 1,000,000-byte limit"
    ) as caught:
        check_decision(huge, workflow_id="wf-2")
    assert caught.value.workflow_id == "wf-2"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 3), {"period": "2026-02", "end": "2026-02-28", "q": "2025-Q4"}),
        (date(2026, 1, 5), {"period": "2025-12", "end": "2025-12-31", "q": "2025-Q4"}),
        (date(2026, 8, 1), {"period": "2026-07", "end": "2026-07-31", "q": "2026-Q2"}),
    ],
)
def test_placeholders_name_dates_relative_to_the_run(day: date, expected: dict[str, str]) -> None:
    template = {
        "period": "{previous_month}",
        "end": "{previous_month_end}",
        "q": "{previous_quarter}",
    }
    assert fill_placeholders(template, day) == expected


def test_entity_and_nested_placeholders_are_filled_and_unknown_ones_named() -> None:
    filled = fill_placeholders(
        {"entity": "{entity}", "docs": [{"name": "TB {current_month}"}], "n": 3},
        date(2026, 3, 3),
        "acme",
    )
    assert filled == {"entity": "acme", "docs": [{"name": "TB 2026-03"}], "n": 3}
    assert placeholders_in({"a": ["{run_date}", "{entity}"]}) == {"run_date", "entity"}
    with pytest.raises(ValueError, match=r"unknown placeholder \{last_month\}"):
        fill_placeholders({"period": "{last_month}"}, date(2026, 3, 3))


@pytest.mark.parametrize("cron", ["0 6 3 * *", "*/15 9-17 * * mon-fri", "@monthly", "0 0 1 1,7 *"])
def test_cron_expressions_that_parse(cron: str) -> None:
    assert check_cron(cron)


@pytest.mark.parametrize(
    ("cron", "named"),
    [
        ("0 6 3 *", "has 4 fields, not 5"),
        ("0 25 3 * *", "'25' is not a valid hour"),
        ("0 6 3 13 *", "'13' is not a valid month"),
        ("0 6 3 * funday", "'funday' is not a valid day of week"),
        ("*/0 * * * *", "'*/0' is not a valid minute"),
    ],
)
def test_a_cron_that_does_not_parse_is_named(cron: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        check_cron(cron)


def test_time_zones() -> None:
    assert check_timezone("Europe/London") == "Europe/London"
    with pytest.raises(ConfigError, match="time zone 'Europe/Lndon' is not known"):
        check_timezone("Europe/Lndon")
