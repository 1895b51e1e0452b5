"""The shapes of quality checks: what to check (spec), one outcome (item), all outcomes (result)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Evaluator = Literal["llm", "code", "types"]
Status = Literal["running", "pass", "warn", "fail", "skipped"]

_SEVERITY: dict[str, int] = {"skipped": 0, "pass": 1, "running": 2, "warn": 3, "fail": 4}


class QualityCheckSpec(BaseModel):
    """One check to run on submitted data.

    ``evaluator`` says who judges: ``code`` runs the local rule named by ``rule`` (``balanced``,
    ``reconciles``, ``unique``, ``within_baseline``, ``required``, or one registered with
    ``register_rule``) with ``params``; ``types`` checks every value against the extraction
    schema (``params["schema_slug"]``); ``llm`` asks the configured AI provider with ``prompt``
    and is skipped, with the reason, when none is configured.
    """

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    prompt: str = ""
    requires_baseline: bool = False
    source: str | None = None
    evaluator: Evaluator = "llm"
    rule: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class QualityCheckItem(BaseModel):
    """One check's outcome, as a review panel draws it."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    status: Status = "running"
    detail: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    source: str | None = None
    confidence: float | None = None
    feedback: str | None = None


class QualityChecksResult(BaseModel):
    """Every check of a gate: the worst status, a one-line summary, and the items."""

    status: Status = "skipped"
    summary: str = ""
    skipped_reason: str | None = None
    items: list[QualityCheckItem] = Field(default_factory=list)

    @classmethod
    def of(cls, items: Iterable[QualityCheckItem]) -> QualityChecksResult:
        """The result summarising ``items``."""
        from ntro.workflow import summarise_check_statuses

        listed = list(items)
        summary = summarise_check_statuses([item.status for item in listed])
        skipped = [i for i in listed if i.status == "skipped"]
        reason = skipped[0].detail if skipped and len(skipped) == len(listed) else None
        return cls(status=worst_of(listed), summary=summary, skipped_reason=reason, items=listed)


def worst_of(items: Iterable[QualityCheckItem | dict[str, Any] | str]) -> Status:
    """The most serious status among ``items``: fail > warn > running > pass > skipped."""
    worst: Status = "skipped"
    for item in items:
        status = (
            item
            if isinstance(item, str)
            else item.get("status")
            if isinstance(item, dict)
            else item.status
        )
        if status in _SEVERITY and _SEVERITY[status] > _SEVERITY[worst]:
            worst = status  # type: ignore[assignment]
    return worst
