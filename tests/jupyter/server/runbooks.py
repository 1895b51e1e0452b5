"""Runbooks the labextension and server-extension tests run on a real dev server."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow

from ntro.workflow import NtroWorkflow, ReviewPolicy, ui_step

DEFAULT_ROWS = [
    {"id": "L1", "account": "4000 Revenue", "amount": 1250.0},
    {"id": "L2", "account": "6100 Rent", "amount": -400.0},
    {"id": "L3", "account": "6200 Travel", "amount": -75.5},
]

COLUMNS = [
    {"key": "account", "label": "Account", "type": "text"},
    {"key": "amount", "label": "Amount", "type": "currency", "editable": True},
]


@workflow.defn
class InboxReviewWorkflow(NtroWorkflow):
    """Extract, then one DATA_TABLE review naming its entity and period; returns the decision."""

    @ui_step(name="extract", title="Extract lines", icon="FileText")
    async def extract(self, inp: dict[str, Any]) -> list[dict[str, Any]]:
        return list(inp.get("rows") or DEFAULT_ROWS)

    @ui_step(name="review", title="Review lines", icon="Table")
    async def review(self, inp: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
        decision = await self.wait_for_action(
            payload={"entity": inp.get("entity"), "period": inp.get("period"), "rows": rows},
            display_hint={
                "component": "DATA_TABLE",
                "config": {
                    "title": inp.get("title", "Review extracted lines"),
                    "allow_corrections": True,
                    "columns": COLUMNS,
                    "datasets": [{"key": "rows", "label": "Lines", "data_key": "rows"}],
                },
            },
            reason=inp.get("reason", "Check the extracted lines"),
        )
        return dict(decision)

    @workflow.run
    async def run(self, inp: dict[str, Any]) -> dict[str, Any]:
        rows = await self.extract(inp)
        decision = await self.review(inp, rows)
        return {
            "action": decision.get("action"),
            "corrections": decision.get("corrections") or [],
            "reviewer": decision.get("reviewer"),
        }


@workflow.defn
class UploadOnlyWorkflow(NtroWorkflow):
    """Waits for a file: listed in the inbox, but not decidable there."""

    def __init__(self) -> None:
        super().__init__()
        self._ref: str | None = None

    @workflow.signal
    def file_uploaded(self, payload: dict[str, Any]) -> None:
        self._ref = str(payload.get("document_ref"))

    @ui_step(name="upload", title="Upload the trial balance", icon="Upload")
    async def upload(self, inp: dict[str, Any]) -> None:
        await self.await_signal_with_action(
            predicate=lambda: self._ref is not None,
            action={
                "kind": "submit_file",
                "args": {
                    "source": "trial-balance",
                    "entity_id_or_slug": inp.get("entity"),
                    "signal_name": "file_uploaded",
                },
            },
            reason="Upload the trial balance",
        )

    @workflow.run
    async def run(self, inp: dict[str, Any]) -> str | None:
        await self.upload(inp)
        return self._ref


@workflow.defn
class PlainWaitingWorkflow:
    """Not a runbook: no ntro queries. The inbox must skip it."""

    def __init__(self) -> None:
        self._done = False

    @workflow.signal
    def finish(self) -> None:
        self._done = True

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._done)


@workflow.defn
class RoleGatedReviewWorkflow(NtroWorkflow):
    """One review that only a reviewer holding ``inp["role"]`` may decide."""

    @ui_step(name="sign_off", title="Sign off")
    async def sign_off(self, role: str) -> Any:
        return await self.wait_for_action(
            payload={"rows": DEFAULT_ROWS},
            display_hint={"component": "DATA_TABLE"},
            policy=ReviewPolicy(roles=[role]),
        )

    @workflow.run
    async def run(self, inp: dict[str, Any]) -> dict[str, Any]:
        decision = await self.sign_off(inp["role"])
        return {"reviewer": decision.reviewer, "roles": decision.decision.roles}


@workflow.defn
class BreakableReviewWorkflow(NtroWorkflow):
    """A review whose code breaks on the ``break_task`` signal: its workflow task then fails on
    every attempt (a bug in a runbook, not a failed run)."""

    def __init__(self) -> None:
        super().__init__()
        self._broken = False

    @workflow.signal
    def break_task(self) -> None:
        self._broken = True

    @ui_step(name="review", title="Review lines")
    async def review(self) -> Any:
        return await self.wait_for_action(
            payload={"rows": DEFAULT_ROWS}, display_hint={"component": "DATA_TABLE"}
        )

    @workflow.run
    async def run(self) -> Any:
        review = asyncio.ensure_future(self.review())
        await workflow.wait_condition(lambda: self._broken or review.done())
        if self._broken:
            raise RuntimeError("the runbook's code broke: division by zero in step review")
        return await review


WORKFLOWS = [
    InboxReviewWorkflow,
    UploadOnlyWorkflow,
    PlainWaitingWorkflow,
    RoleGatedReviewWorkflow,
    BreakableReviewWorkflow,
]
