"""Runs started by the test harness, where a scenario may correct rows a mocked payload lacks.

The problem: a reviewer's correction to a row that is not in the gate's payload is refused by the
``submit_action`` validator before it reaches history (a person must not approve edits to rows
they never saw). Yet a scenario written for the published harness,
``Scenario("fix", corrections={"review": [{"line_item_id": "l2", ...}]})``, must deliver its
corrections to the runbook as written even when the review's rows come from an auto-mocked
activity that has no row ``l2``: runbooks count or apply them, and their tests assert on that.

The design keeps both, and keeps the relaxation out of reach of anything but the harness:

1. **Who started the run.** ``WorkflowHarness`` starts every run with the memo
   ``{HARNESS_MEMO: True}``; child runbooks started through the SDK inherit it
   (:func:`child_memo`). A memo is set by whoever *starts* a workflow and is recorded in its
   history (and shown in Temporal's UI); reviewers, the notebook, the inbox and the CLI only
   send decisions to runs the platform or a worker started, so none of them can set it.
2. **An explicit flag on the decision.** The harness adds ``UNMATCHED_CORRECTIONS_FLAG: true``
   to a decision only when its scenario did not ask for ``strict_corrections``. The validator
   honours the flag only in a harness-started run; anywhere else a decision carrying it is
   refused with a message saying so, so it cannot be used to slip corrections past a person's
   review.
3. **Audited, and shown.** A correction delivered this way is accepted with the decision; the
   workflow appends one ``unmatched_corrections`` entry (reviewer, time, the reason for each)
   to its audit trail, returns the reasons in the update's result, and the harness shows them
   on the scenario's report line instead of failing it. The runbook receives the decision
   without the flag, exactly as the scenario wrote it.

Everything the validator checks besides the rows and fields of corrections (the gate, the
decision's shape, policies, who decides) is checked as for any other decision.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from ntro.types import Correction
from ntro.workflow._decisions import check_corrections
from ntro.workflow._errors import InvalidDecision

__all__ = [
    "HARNESS_MEMO",
    "UNMATCHED_CORRECTIONS_FLAG",
    "child_memo",
    "delivers_unmatched",
    "harness_memo",
    "unmatched_corrections",
    "without_harness_flag",
]

HARNESS_MEMO = "ntro_harness"
UNMATCHED_CORRECTIONS_FLAG = "ntro_deliver_unmatched_corrections"


def harness_memo() -> dict[str, Any]:
    """The memo the harness starts its runs with."""
    return {HARNESS_MEMO: True}


def harness_driven() -> bool:
    """Whether the running workflow was started by the test harness (or is its child)."""
    if not workflow.in_workflow():
        return False  # the in-process runtime: never a harness run
    return workflow.memo_value(HARNESS_MEMO, default=False, type_hint=bool) is True


def child_memo() -> dict[str, Any] | None:
    """The memo a child runbook starts with: the harness's mark is inherited, nothing else."""
    return harness_memo() if harness_driven() else None


def delivers_unmatched(raw: Any) -> bool:
    """Whether decision ``raw`` asks for its corrections to be delivered without matching them
    to the payload's rows. Raises :class:`InvalidDecision` when it asks outside a harness run."""
    if not isinstance(raw, dict) or UNMATCHED_CORRECTIONS_FLAG not in raw:
        return False
    if raw[UNMATCHED_CORRECTIONS_FLAG] is not True:
        raise InvalidDecision(
            f"'{UNMATCHED_CORRECTIONS_FLAG}' must be true when present, got "
            f"{raw[UNMATCHED_CORRECTIONS_FLAG]!r}"
        )
    if not harness_driven():
        raise InvalidDecision(
            f"'{UNMATCHED_CORRECTIONS_FLAG}' is honoured only in runs started by ntro's test "
            f"harness; send the decision without it, with corrections to rows of the payload"
        )
    return True


def unmatched_corrections(
    corrections: list[Correction], payload: Any, columns: set[str]
) -> list[str]:
    """Why each correction does not fit the payload (the validator's own words), in order."""
    reasons = []
    for correction in corrections:
        try:
            check_corrections([correction], payload, columns)
        except InvalidDecision as refused:
            reasons.append(f"{correction.line_item_id}.{correction.field}: {refused.message}")
    return reasons


def without_harness_flag(raw: dict[str, Any]) -> dict[str, Any]:
    """The decision as the scenario wrote it, for the runbook."""
    return {k: v for k, v in raw.items() if k != UNMATCHED_CORRECTIONS_FLAG}
