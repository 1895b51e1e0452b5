"""Quality checks: local rules decide, LLM checks skip without a provider or ask one."""

from __future__ import annotations

import json

import pytest

from ntro.capabilities import ai
from ntro.capabilities.checks import (
    NO_PROVIDER,
    QualityCheckItem,
    QualityCheckSpec,
    QualityChecksResult,
    run_quality_check,
    worst_of,
)
from tests.capabilities.fake_llm import Reply, fake_llm

STATEMENT = {
    "schema_slug": "bank_statement",
    "fields": {"opening_balance": "100.00", "closing_balance": "150.00", "account_number": "1"},
    "line_items": [
        {
            "line_item_id": "L1",
            "date": "2026-01-02",
            "reference": "A",
            "money_in": "70.00",
            "money_out": None,
        },
        {
            "line_item_id": "L2",
            "date": "2026-01-03",
            "reference": "A",
            "money_in": None,
            "money_out": "20.00",
        },
    ],
}


def spec(rule: str, **params: object) -> QualityCheckSpec:
    return QualityCheckSpec(id=rule, title=rule, evaluator="code", rule=rule, params=params)


async def test_code_rules_judge_the_data() -> None:
    reconciles = await run_quality_check(spec("reconciles"), STATEMENT, None)
    assert (
        reconciles.status == "pass"
        and "opening 100.00 + movements 50.00 = closing 150.00" in reconciles.detail
    )
    broken = {**STATEMENT, "fields": {**STATEMENT["fields"], "closing_balance": "149.00"}}
    assert (await run_quality_check(spec("reconciles"), broken, None)).status == "fail"
    duplicates = await run_quality_check(spec("unique", column="reference"), STATEMENT, None)
    assert duplicates.status == "fail" and "A (rows L1, L2)" in duplicates.detail
    tb = [{"debit": "10", "credit": ""}, {"debit": "", "credit": "7.50"}]
    balanced = await run_quality_check(spec("balanced"), tb, None)
    assert balanced.status == "fail" and "differ by 2.50" in balanced.detail


async def test_baseline_checks_compare_or_skip() -> None:
    check = QualityCheckSpec(
        id="b",
        title="NAV move",
        evaluator="code",
        rule="within_baseline",
        requires_baseline=True,
        params={"field": "closing_balance", "pct": 10},
    )
    skipped = await run_quality_check(check, STATEMENT, None)
    assert skipped.status == "skipped" and "baseline" in skipped.detail
    near = await run_quality_check(check, STATEMENT, {"fields": {"closing_balance": "140"}})
    far = await run_quality_check(check, STATEMENT, {"fields": {"closing_balance": "100"}})
    assert (near.status, far.status) == ("pass", "warn") and "+50.0%" in far.detail


async def test_the_types_evaluator_checks_values_against_the_schema() -> None:
    check = QualityCheckSpec(id="t", title="Types", evaluator="types")
    assert (await run_quality_check(check, STATEMENT, None)).status == "pass"
    bad = {**STATEMENT, "line_items": [{"date": "someday", "money_in": "x"}]}
    item = await run_quality_check(check, bad, None)
    assert item.status == "fail" and "row 1: date 'someday' is not a date" in item.detail


async def test_an_unknown_rule_fails_that_check_only_with_the_known_rules() -> None:
    item = await run_quality_check(spec("nonsense"), STATEMENT, None)
    assert item.status == "fail" and "known: balanced" in item.detail


async def test_llm_checks_are_skipped_with_a_reason_when_no_provider_is_configured() -> None:
    item = await run_quality_check(
        QualityCheckSpec(id="l", title="Narrative", prompt="Is it plausible?"), STATEMENT, None
    )
    assert item.status == "skipped" and item.detail == NO_PROVIDER


async def test_llm_checks_ask_the_configured_provider() -> None:
    answer = json.dumps({"status": "warn", "detail": "One duplicate reference", "confidence": 0.8})
    with fake_llm(Reply(text=[answer])) as server:
        item = await run_quality_check(
            QualityCheckSpec(id="l", title="Narrative", prompt="Any duplicates?"),
            STATEMENT,
            None,
            {"provider": "openai", "base_url": server.url, "model": "local"},
        )
    assert (item.status, item.detail, item.confidence) == ("warn", "One duplicate reference", 0.8)
    assert "Any duplicates?" in server.requests[0]["body"]["messages"][1]["content"]
    ai.use_config(None)


def test_worst_of_and_the_summary() -> None:
    items = [
        QualityCheckItem(id=str(i), title="x", status=s)
        for i, s in enumerate(["pass", "warn", "skipped"])
    ]
    assert worst_of(items) == "warn" and worst_of([]) == "skipped"
    assert worst_of(["pass", "fail", "running"]) == "fail"
    result = QualityChecksResult.of(items)
    assert result.status == "warn" and result.summary == "1 passed, 1 warning, 1 skipped"


@pytest.mark.parametrize("evaluator", ["code", "types", "llm"])
def test_specs_take_the_published_fields(evaluator: str) -> None:
    made = QualityCheckSpec(
        id="x", title="X", prompt="p", requires_baseline=False, source="tb", evaluator=evaluator
    )
    assert made.model_dump()["evaluator"] == evaluator
