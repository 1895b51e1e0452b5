"""The workflow a schedule starts: fill in the dates, then become the runbook.

A Temporal Schedule starts a workflow with a fixed input. ``ntro-scheduled-run`` receives the
runbook's input template, fills its placeholders from the run's own start time in the
schedule's time zone, and continues as new into the runbook's workflow type on the runbook's
queue. The workflow id stays the one the schedule gave (``<schedule id>-<time>``), so the run is
one workflow to list, show and approve; its first, templating run lasts one workflow task.

Every ``ntro worker`` registers it, on every queue it polls.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from temporalio import workflow

from ntro.cluster._periods import fill_placeholders

__all__ = ["SCHEDULED_RUN", "ScheduledRun", "ScheduledRunInput"]

SCHEDULED_RUN = "ntro-scheduled-run"


class ScheduledRunInput(BaseModel):
    """What a schedule hands to each run."""

    slug: str
    workflow_type: str
    task_queue: str
    input: Any = None
    takes_input: bool = True
    entity: str | None = None
    timezone: str = "UTC"


@workflow.defn(name=SCHEDULED_RUN, sandboxed=False)
class ScheduledRun:
    """Fill the input's placeholders for today's run, then continue as the runbook."""

    @workflow.run
    async def run(self, spec: ScheduledRunInput) -> None:
        today = workflow.now().astimezone(ZoneInfo(spec.timezone)).date()
        filled = fill_placeholders(spec.input, today, spec.entity)
        memo = {"ntro_slug": spec.slug, "ntro_schedule_date": today.isoformat()}
        if spec.entity:
            memo["ntro_entity"] = spec.entity
        if isinstance(filled, dict) and isinstance(filled.get("period"), str):
            memo["ntro_period"] = filled["period"]
        workflow.continue_as_new(
            args=[filled] if spec.takes_input else [],
            workflow=spec.workflow_type,
            task_queue=spec.task_queue,
            memo=memo,
        )
