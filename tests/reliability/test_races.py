"""Two reviewers deciding the same gate at the same moment: exactly one wins."""

from __future__ import annotations

import asyncio
from typing import Any

from ntro.testing import WorkflowHarness
from tests.reliability.conftest import size
from tests.reliability.faulty_runbooks import ReviewedPaymentWorkflow
from tests.reliability.test_faults import pending_review

LOST = ("already decided", "aborted by closing workflow", "already completed")


async def test_simultaneous_decisions(report: Any) -> None:
    trials = size(100, 1000)
    told = {m: 0 for m in LOST}
    async with WorkflowHarness(ReviewedPaymentWorkflow, server="dev") as harness:
        for n in range(trials):
            handle = await harness.start(f"race-{n}", workflow_id=f"race-{n}")
            gate = await pending_review(handle)
            outcomes = await asyncio.gather(
                *(
                    handle.execute_update(
                        "submit_action",
                        {"action": action, "reviewer": who, "gate_id": gate["gate_id"]},
                    )
                    for action, who in (("approve", "ana"), ("reject", "bo"))
                ),
                return_exceptions=True,
            )
            won = [o for o in outcomes if isinstance(o, dict)]
            lost = [o for o in outcomes if isinstance(o, BaseException)]
            assert len(won) == 1 and len(lost) == 1, outcomes
            reason = str(getattr(lost[0], "cause", None) or lost[0])
            told[next(m for m in LOST if m in reason)] += 1
            result = await handle.result()
            assert result["reviewer"] == won[0]["decision"]["reviewer"]
            decisions = [a for a in await handle.query("audit_trail") if a["kind"] == "decision"]
            assert len(decisions) == 1
    report(
        f"races: {trials} pairs of simultaneous decisions, exactly one applied in each; "
        f"the other told: " + ", ".join(f"'{m}' {c}" for m, c in told.items())
    )
