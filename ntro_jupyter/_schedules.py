"""``%ntro schedule ...``: a runbook's Temporal Schedules from a notebook.

The same operations as ``ntro schedule`` (``ntro.cluster``), on the session's cluster
connection. Scheduled runs are served by ``ntro worker`` processes on the runbook's production
queue (``ntro-<slug>``), not by the notebook's workers: a schedule must not depend on a kernel.
``%ntro schedule ls`` shows each schedule with its next run times.
"""

from __future__ import annotations

import argparse
import html
import json
from pathlib import Path
from typing import Any

__all__ = ["ScheduleTable", "add_schedule_parser", "schedule_command"]


def add_schedule_parser(sub: Any) -> None:
    """Add ``schedule`` and its actions to the ``%ntro`` parser."""
    p = sub.add_parser(
        "schedule",
        help="Temporal Schedules of runbooks (create, ls, pause, unpause, delete, trigger)",
        description="%ntro schedule create SLUG --entity E --cron '0 6 3 * *' "
        "[--timezone Europe/London] [--input JSON]; %ntro schedule ls [--runbook SLUG]; "
        "%ntro schedule pause|unpause|delete|trigger ID. The input may use "
        '{"period": "{previous_month}"}. Runs are served by `ntro worker`, not this kernel.',
    )
    p.add_argument("action", choices=["create", "ls", "pause", "unpause", "delete", "trigger"])
    p.add_argument("target", nargs="?", metavar="SLUG|ID", help="runbook (create) or schedule id")
    p.add_argument("--entity", help="create: the entity the runs are for")
    p.add_argument("--cron", help="create: when, e.g. '0 6 3 * *' (06:00 on the 3rd)")
    p.add_argument("--timezone", default="UTC", help="create: IANA time zone (default UTC)")
    p.add_argument("--input", help="create: input JSON or @file.json")
    p.add_argument("--id", dest="schedule_id", help="create: schedule id (default SLUG-ENTITY)")
    p.add_argument("--task-queue", help="create: queue the workers poll (default the bundle's)")
    p.add_argument("--runbook", help="ls: only this runbook (slug)")


class ScheduleTable:
    """Schedules with their next run times, as a table in the notebook (text elsewhere)."""

    def __init__(self, schedules: list[Any]) -> None:
        self.schedules = schedules

    def rows(self) -> list[dict[str, str]]:
        return [
            {
                "schedule": s.schedule_id,
                "runbook": s.slug or "",
                "entity": s.entity or "",
                "cron": s.cron or "",
                "state": "paused" if s.paused else "active",
                "next runs": ", ".join(t.isoformat(timespec="minutes") for t in s.next_runs),
            }
            for s in self.schedules
        ]

    def __repr__(self) -> str:
        if not self.schedules:
            return "No schedules."
        return "\n".join("  ".join(row.values()) for row in self.rows())

    def _repr_html_(self) -> str:
        rows = self.rows()
        if not rows:
            return "<p>No schedules.</p>"
        head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row.values()) + "</tr>"
            for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _input(text: str | None) -> Any:
    if text is None:
        return None
    raw = Path(text[1:]).read_text(encoding="utf-8") if text.startswith("@") else text
    try:
        return json.loads(raw)
    except json.JSONDecodeError as err:
        from ntro.cluster import ConfigError

        raise ConfigError(f"--input is not valid JSON ({err.msg}); pass a JSON object") from None


def _need(value: str | None, what: str) -> str:
    if not value:
        from ntro.cluster import ConfigError

        raise ConfigError(f"%ntro schedule: {what}")
    return value


def schedule_command(session: Any, args: argparse.Namespace) -> Any:
    """Run one ``%ntro schedule`` action on the session's cluster; what the cell shows."""
    from ntro import cluster

    if session.target.kind == "harness":
        raise cluster.ConfigError(
            "schedules need a real cluster: %ntro connect dev (or HOST:PORT) first; the "
            "harness's test server has no schedules"
        )

    async def client() -> Any:
        return (await session.connection()).client

    if args.action == "ls":

        async def listing() -> list[Any]:
            return await cluster.list_schedules(await client(), slug=args.runbook)

        return ScheduleTable(session.loop.run(listing()))
    target = _need(
        args.target, f"{args.action} needs a {'SLUG' if args.action == 'create' else 'schedule ID'}"
    )
    if args.action == "create":
        ref = cluster.find_runbook(target)
        entity = _need(args.entity, "create needs --entity")
        cron = _need(args.cron, "create needs --cron, e.g. --cron '0 6 3 * *'")
        data = _input(args.input)
        cluster.check_schedule(ref, entity=entity, cron=cron, timezone=args.timezone, input=data)

        async def create() -> str:
            return await cluster.create_schedule(
                await client(),
                ref,
                entity=entity,
                cron=cron,
                timezone=args.timezone,
                input=data,
                schedule_id=args.schedule_id,
                task_queue=args.task_queue,
            )

        created = session.loop.run(create())
        print(f"Created schedule {created}; runs are served by `ntro worker` on {ref.task_queue}.")
        return None
    if args.action == "trigger":

        async def trigger() -> str:
            return await cluster.trigger_schedule(await client(), target)

        started = session.loop.run(trigger())
        print(f"Started {started} (%ntro attach {started} to follow it).")
        return None
    act = {
        "pause": cluster.pause_schedule,
        "unpause": cluster.unpause_schedule,
        "delete": cluster.delete_schedule,
    }[args.action]

    async def change() -> None:
        await act(await client(), target)

    session.loop.run(change())
    print(f"Schedule {target}: {args.action}d.")
    return None
