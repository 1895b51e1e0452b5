"""Scenarios (what the simulated reviewer does) and results (what happened)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

_DECISIONS = {
    "approve": "approved",
    "approved": "approved",
    "reject": "rejected",
    "rejected": "rejected",
}


@dataclass
class Scenario:
    """How the harness answers a run's gates.

    - ``approve_reviews``: approve every review (True) or reject every review (False).
    - ``review_overrides``: ``{step_id: "approved"|"rejected"}`` for particular reviews.
    - ``corrections``: ``{step_id: [{line_item_id, field, old_value, new_value}]}`` sent with
      the approval of that step's review, as written: a correction to a row or field the
      review's payload lacks (an auto-mocked activity's rows) is still delivered to the
      runbook, and the mismatch is listed in the result's ``warnings`` (its report line).
    - ``strict_corrections``: refuse such corrections as a person's review would, failing the
      scenario.
    - ``row_actions``: ``{step_id: [{"action": "reject_row", "row_id": ...}, ...]}`` sent
      before that review is decided.
    - ``timeouts``: step ids whose review is left unanswered until its timeout passes (time is
      skipped past the gate's deadline).
    - ``extra_signal_payloads``: ``{signal_name: {...}}`` merged into what the harness sends.
    - ``reviewer``: the identity recorded with every decision.
    - ``expect``: called with the run's result; a False return or an AssertionError fails the
      scenario with a readable reason.
    - ``input``: this scenario's run input (otherwise the harness's).
    - ``files``: ``{source or signal name: path}``, the files uploaded when the harness runs
      real activities (``--real-activities``), stored as submitted documents first.
    """

    name: str
    approve_reviews: bool = True
    review_overrides: dict[str, str] = field(default_factory=dict)
    corrections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    strict_corrections: bool = False
    extra_signal_payloads: dict[str, dict[str, Any]] = field(default_factory=dict)
    row_actions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timeouts: Iterable[str] = ()
    reviewer: str = "harness"
    expect: Callable[[Any], Any] | None = None
    input: Any = None
    description: str = ""
    files: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"Scenario name must be a non-empty string, got {self.name!r}")
        for step, value in self.review_overrides.items():
            if str(value).lower() not in _DECISIONS:
                raise ValueError(
                    f"Scenario {self.name!r}: review_overrides[{step!r}] is {value!r}; use "
                    f'"approved" or "rejected"'
                )
        self.timeouts = frozenset(self.timeouts)

    def decision_for(self, step_id: str | None) -> str:
        """``approved`` or ``rejected`` for the review in ``step_id``."""
        if step_id is not None and step_id in self.review_overrides:
            return _DECISIONS[str(self.review_overrides[step_id]).lower()]
        return "approved" if self.approve_reviews else "rejected"


HAPPY = Scenario("happy", description="approve every review, answer every upload")
REJECT_ALL = Scenario("reject_all", approve_reviews=False, description="reject every review")


@dataclass
class StepEvent:
    """One thing the harness did or saw, ``timestamp_s`` after the run started."""

    kind: Literal["submit_file", "review", "drill_down", "done", "error"]
    workflow_id: str
    detail: dict[str, Any] = field(default_factory=dict)
    timestamp_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "workflow_id": self.workflow_id,
            "detail": self.detail,
            "timestamp_s": round(self.timestamp_s, 4),
        }


@dataclass
class RunResult:
    """The outcome of one scenario. ``result`` is what the workflow returned, typed by its
    run method's annotation (a pydantic model stays a model). ``warnings`` lists what the
    run accepted but a person's review would not have (corrections to rows the payload
    lacks), one line each."""

    scenario: str
    workflow_id: str
    status: Literal["completed", "failed"]
    result: Any = None
    error: str | None = None
    events: list[StepEvent] = field(default_factory=list)
    duration_s: float = 0.0
    warnings: list[str] = field(default_factory=list)
    tenant_slug: str | None = None
    """The scenario's tenant database when it ran real activities (dropped when the harness
    closes)."""

    @property
    def passed(self) -> bool:
        return self.status == "completed"
