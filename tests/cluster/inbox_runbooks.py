"""Runbooks the visibility-inbox tests run on a real dev server.

``InboxLedgerReviewWorkflow`` opens a DATA_TABLE review naming its entity and period (and,
when asked, a time limit, allowed reviewers, and a second sign-off gate after approval);
``InboxParentWorkflow`` waits on one ``inbox-ledger-review`` child, so its own gate is a
``drill_down`` and the child's review is the one a person acts on.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from ntro.workflow import NtroWorkflow, ReviewPolicy, register_workflow, ui_step

ROWS = [
    {"id": "L1", "account": "4000 Revenue", "amount": 1250.0, "confidence": 0.4},
    {"id": "L2", "account": "6100 Rent", "amount": -400.0, "confidence": 0.99},
]


@workflow.defn
class InboxLedgerReviewWorkflow(NtroWorkflow):
    """One review (optionally timed, optionally restricted), then an optional sign-off."""

    @ui_step(name="review", title="Review lines", icon="Table")
    async def review(self, inp: dict[str, Any]) -> dict[str, Any]:
        reviewers = inp.get("reviewers")
        return dict(
            await self.wait_for_action(
                payload={"entity": inp.get("entity"), "period": inp.get("period"), "rows": ROWS},
                display_hint={
                    "component": "DATA_TABLE",
                    "config": {
                        "title": "Ledger lines",
                        "amount": inp.get("amount", "10000"),
                        "currency": "USD",
                        "confidence_warning_threshold": 0.8,
                    },
                },
                reason="Check the ledger lines",
                timeout=inp.get("timeout_s"),
                checks=[{"name": "balanced", "ok": inp.get("balanced", True)}],
                policy=ReviewPolicy(reviewers=reviewers) if reviewers else None,
            )
        )

    @ui_step(name="signoff", title="Sign off", icon="Check")
    async def signoff(self, inp: dict[str, Any]) -> dict[str, Any]:
        return dict(
            await self.wait_for_action(
                payload={"entity": inp.get("entity"), "period": inp.get("period")},
                display_hint={"component": "APPROVAL_FORM", "config": {"title": "Sign-off"}},
                reason="Sign off the period",
            )
        )

    @workflow.run
    async def run(self, inp: dict[str, Any]) -> dict[str, Any]:
        first = await self.review(inp)
        outcome = {"review": first.get("action")}
        if inp.get("signoff") and first.get("action") != "reject":
            outcome["signoff"] = (await self.signoff(inp)).get("action")
        return outcome


@workflow.defn
class InboxParentWorkflow(NtroWorkflow):
    """Waits for one child review: its own gate is a drill-down, not a person's review."""

    @ui_step(name="children", title="Child reviews", icon="Layers")
    async def children(self, inp: dict[str, Any]) -> Any:
        return await self.run_child_workflow("inbox-ledger-review", {**inp, "signoff": False})

    @workflow.run
    async def run(self, inp: dict[str, Any]) -> Any:
        return await self.children(inp)


register_workflow("inbox-ledger-review", InboxLedgerReviewWorkflow)
WORKFLOWS = [InboxLedgerReviewWorkflow, InboxParentWorkflow]
