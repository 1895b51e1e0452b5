"""Schedules per runbook and entity, on Temporal Schedules.

``create_schedule`` checks everything it can before anything exists on the cluster: the cron
expression, the time zone, the placeholders of the input and the input itself against the
runbook's model (filled in as for the next run), so a schedule that would fail every month is
refused at creation with the field named. Each run is started through the
``ntro-scheduled-run`` workflow, which fills the placeholders from the run's own date.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionExecution,
    ScheduleActionExecutionStartWorkflow,
    ScheduleActionResult,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleDescription,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
)
from temporalio.service import RPCError, RPCStatusCode

from ntro.cluster._config import CALL_TIMEOUT
from ntro.cluster._connect import describe_connect_failure, is_unreachable
from ntro.cluster._errors import ClusterError, ClusterUnreachable, ConfigError, RunInputError
from ntro.cluster._periods import fill_placeholders
from ntro.cluster._runbooks import RunbookRef, validate_input
from ntro.cluster._scheduled import SCHEDULED_RUN, ScheduledRunInput

__all__ = [
    "ScheduleNotFound",
    "ScheduleSummary",
    "check_cron",
    "check_schedule",
    "check_timezone",
    "create_schedule",
    "delete_schedule",
    "list_schedules",
    "pause_schedule",
    "trigger_schedule",
    "unpause_schedule",
]

_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_MONTHS = tuple("jan feb mar apr may jun jul aug sep oct nov dec".split())
_DAYS = tuple("sun mon tue wed thu fri sat".split())
# (name, lowest, highest, names) of the five fields of a cron expression.
_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)
_ITEM = re.compile(r"^(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/([0-9]+))?$")


class ScheduleNotFound(ClusterError):
    """No schedule with that id."""


def _workflow_ids(
    actions: Sequence[ScheduleActionResult] = (),
    running: Sequence[ScheduleActionExecution] = (),
) -> list[str]:
    """The workflow ids a schedule's recent and running actions started, oldest first."""
    executions = [*(a.action for a in actions), *running]
    return [
        e.workflow_id for e in executions if isinstance(e, ScheduleActionExecutionStartWorkflow)
    ]


def _value(text: str, names: tuple[str, ...]) -> int | None:
    if text.isdigit():
        return int(text)
    return names.index(text) + (1 if len(names) == 12 else 0) if text in names else None


def check_cron(expression: str) -> str:
    """``expression`` if it is a five-field cron (or ``@daily`` ...), else :class:`ConfigError`."""
    text = " ".join(expression.split()).lower()
    if text in _MACROS:
        return text
    parts = text.split(" ")
    if len(parts) != 5:
        raise ConfigError(
            f"cron {expression!r} has {len(parts)} fields, not 5 (minute hour day-of-month "
            f"month day-of-week), e.g. '0 6 3 * *' for 06:00 on the 3rd of each month"
        )
    for part, (name, low, high, names) in zip(parts, _FIELDS, strict=True):
        for item in part.split(","):
            match = _ITEM.match(item)
            bounds = [] if match is None or match.group(1) == "*" else match.group(1).split("-")
            values = [_value(b, names) for b in bounds]
            step = match.group(2) if match else None
            if (
                match is None
                or any(v is None or not low <= v <= high for v in values)
                or (step is not None and int(step) == 0)
            ):
                raise ConfigError(
                    f"cron {expression!r}: {item!r} is not a valid {name} ({low}-{high}, '*', "
                    f"ranges a-b, lists a,b and steps */n)"
                )
    return text


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Europe/London``), else :class:`ConfigError`."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"time zone {name!r} is not known: use an IANA name such as 'Europe/London', "
            f"'America/New_York' or 'UTC'"
        ) from None
    return name


def _rpc_error(err: RPCError, schedule_id: str) -> ClusterError:
    if err.status == RPCStatusCode.NOT_FOUND:
        return ScheduleNotFound(
            f"no schedule {schedule_id!r}: check the id (`ntro schedule ls` lists them)"
        )
    if is_unreachable(err):
        return ClusterUnreachable(f"cannot reach the cluster: {describe_connect_failure(err)}")
    message = " ".join(err.message.split())
    return ClusterError(f"Temporal refused the schedule {schedule_id!r}: {message}")


def check_schedule(
    runbook: RunbookRef, *, entity: str, cron: str, timezone: str, input: Any
) -> str:
    """Refuse, before anything exists on a cluster, a schedule whose runs would fail.

    Checks the entity, the cron expression, the time zone, the placeholders and the input
    (filled in as for a run today) against the runbook's model; returns the normalised cron.
    """
    if not entity or not entity.strip():
        raise ConfigError("--entity is empty: name the entity the schedule runs for")
    cron = check_cron(cron)
    check_timezone(timezone)
    today = datetime.now(ZoneInfo(timezone)).date()
    try:
        sample = fill_placeholders(input, today, entity)
    except ValueError as err:
        raise RunInputError(str(err)) from None
    validate_input(runbook, sample, f"the input (as filled in for a run on {today})")
    return cron


async def create_schedule(
    client: Client,
    runbook: RunbookRef,
    *,
    entity: str,
    cron: str,
    timezone: str = "UTC",
    input: Any = None,
    schedule_id: str | None = None,
    paused: bool = False,
    note: str | None = None,
    task_queue: str | None = None,
) -> str:
    """Create the schedule and return its id (default ``<slug>-<entity>``)."""
    cron = check_schedule(runbook, entity=entity, cron=cron, timezone=timezone, input=input)
    schedule_id = schedule_id or f"{runbook.slug}-{entity}"
    queue = task_queue or runbook.task_queue
    spec = ScheduledRunInput(
        slug=runbook.slug,
        workflow_type=runbook.workflow_type,
        task_queue=queue,
        input=input,
        takes_input=runbook.takes_input,
        entity=entity,
        timezone=timezone,
    )
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            SCHEDULED_RUN,
            spec,
            id=schedule_id,
            task_queue=queue,
            memo={"ntro_slug": runbook.slug, "ntro_entity": entity},
        ),
        spec=ScheduleSpec(cron_expressions=[cron], time_zone_name=timezone),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.ALLOW_ALL),
        state=ScheduleState(paused=paused, note=note or f"ntro schedule create {runbook.slug}"),
    )
    try:
        await client.create_schedule(
            schedule_id,
            schedule,
            memo={"ntro_slug": runbook.slug, "ntro_entity": entity, "ntro_cron": cron},
            rpc_timeout=CALL_TIMEOUT,
        )
    except ScheduleAlreadyRunningError:
        raise ClusterError(
            f"a schedule {schedule_id!r} already exists: delete it first "
            f"(`ntro schedule delete {schedule_id}`) or pass --id"
        ) from None
    except RPCError as err:
        if err.status == RPCStatusCode.INVALID_ARGUMENT:
            raise ConfigError(
                f"the cluster refused schedule {schedule_id!r} (cron {cron!r}, time zone "
                f"{timezone!r}): {' '.join(err.message.split())}"
            ) from None
        raise _rpc_error(err, schedule_id) from None
    await _until_listed(client, schedule_id)
    return schedule_id


async def _until_listed(client: Client, schedule_id: str, wait: float = 5.0) -> None:
    """Return once the list call shows the new schedule (or after ``wait`` seconds).

    Why: ``ntro schedule ls`` run right after ``create`` should show what was just created,
    and the server's list catches up with a creation a moment later.
    """
    deadline = asyncio.get_running_loop().time() + wait
    while asyncio.get_running_loop().time() < deadline:
        listing = await client.list_schedules(rpc_timeout=CALL_TIMEOUT)
        if schedule_id in [item.id async for item in listing]:
            return
        await asyncio.sleep(0.05)


@dataclass
class ScheduleSummary:
    """One line of ``ntro schedule ls``."""

    schedule_id: str
    slug: str | None
    entity: str | None
    cron: str | None
    paused: bool
    next_runs: list[datetime] = field(default_factory=list)
    recent_workflow_ids: list[str] = field(default_factory=list)
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "schedule_id": self.schedule_id,
            "slug": self.slug,
            "entity": self.entity,
            "cron": self.cron,
            "paused": self.paused,
            "next_runs": [t.isoformat() for t in self.next_runs],
            "recent_workflow_ids": self.recent_workflow_ids,
            "note": self.note,
        }


async def list_schedules(client: Client, *, slug: str | None = None) -> list[ScheduleSummary]:
    """Schedules created by ntro (those that start ``ntro-scheduled-run``), by id.

    Why describe each one: the list call reads the server's visibility store, which catches up
    a moment after a change, so a schedule paused or deleted a second ago would still be listed
    as it was. The list only says which schedules exist; each one's state comes from
    ``describe``, which is always current, and one deleted meanwhile is left out.
    """
    try:
        ids = [item.id async for item in await client.list_schedules(rpc_timeout=CALL_TIMEOUT)]
        described = await asyncio.gather(*(_describe_or_none(client, i) for i in ids))
    except RPCError as err:
        raise _rpc_error(err, "*") from None
    found = []
    for schedule_id, description in zip(ids, described, strict=True):
        if description is None:
            continue
        memo = await description.memo()
        if "ntro_slug" not in memo or (slug and memo.get("ntro_slug") != slug):
            continue
        info, state = description.info, description.schedule.state
        found.append(
            ScheduleSummary(
                schedule_id=schedule_id,
                slug=memo.get("ntro_slug"),
                entity=memo.get("ntro_entity"),
                cron=memo.get("ntro_cron"),
                paused=state.paused,
                next_runs=list(info.next_action_times[:3]),
                recent_workflow_ids=_workflow_ids(info.recent_actions),
                note=state.note,
            )
        )
    return sorted(found, key=lambda s: s.schedule_id)


async def _describe_or_none(client: Client, schedule_id: str) -> ScheduleDescription | None:
    try:
        return await client.get_schedule_handle(schedule_id).describe(rpc_timeout=CALL_TIMEOUT)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def _handle(client: Client, schedule_id: str) -> ScheduleHandle:
    handle = client.get_schedule_handle(schedule_id)
    try:
        await handle.describe(rpc_timeout=CALL_TIMEOUT)
    except RPCError as err:
        raise _rpc_error(err, schedule_id) from None
    return handle


async def pause_schedule(client: Client, schedule_id: str, note: str | None = None) -> None:
    """Stop starting runs until unpaused."""
    await (await _handle(client, schedule_id)).pause(note=note or "paused with ntro")


async def unpause_schedule(client: Client, schedule_id: str, note: str | None = None) -> None:
    """Start runs again at the next matching time."""
    await (await _handle(client, schedule_id)).unpause(note=note or "unpaused with ntro")


async def delete_schedule(client: Client, schedule_id: str) -> None:
    """Delete the schedule (runs it started go on)."""
    await (await _handle(client, schedule_id)).delete()


async def trigger_schedule(client: Client, schedule_id: str, *, wait: float = 10.0) -> str:
    """Start a run now; returns its workflow id once the schedule reports it."""
    handle = await _handle(client, schedule_id)
    described = await handle.describe()
    before = set(_workflow_ids(described.info.recent_actions, described.info.running_actions))
    await handle.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)
    deadline = asyncio.get_running_loop().time() + wait
    delay = 0.02
    while True:
        info = (await handle.describe()).info
        started = [
            i for i in _workflow_ids(info.recent_actions, info.running_actions) if i not in before
        ]
        if started:
            return started[0]
        if asyncio.get_running_loop().time() > deadline:
            raise ClusterError(
                f"schedule {schedule_id!r} was triggered but reported no run within {wait:g} s; "
                f"check `ntro schedule ls` and `ntro workflow ls`"
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)
