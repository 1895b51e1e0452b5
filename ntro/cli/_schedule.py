"""``ntro schedule create|ls|pause|unpause|delete|trigger``: runbooks on Temporal Schedules.

The input may name dates relative to each run (``{"period": "{previous_month}"}``); see
:mod:`ntro.cluster` (``PLACEHOLDERS``) for the list.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ntro.cli._app import _TYPER_OPTIONS, app
from ntro.cli._cluster import (
    Address,
    ApiKey,
    Json,
    Namespace,
    Runbooks,
    Tls,
    TlsCa,
    TlsCert,
    TlsKey,
    cluster_config,
    echo_json,
    json_argument,
    run_async,
)

schedule_app = typer.Typer(
    name="schedule",
    help="Run runbooks on a schedule per entity (Temporal Schedules).",
    **_TYPER_OPTIONS,
)
app.add_typer(schedule_app, name="schedule")

ScheduleId = Annotated[str, typer.Argument(metavar="ID", help="The schedule id.")]


@schedule_app.command("create")
def schedule_create(
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="Runbook slug or bundle path.")],
    entity: Annotated[str, typer.Option("--entity", help="The entity the runs are for.")],
    cron: Annotated[
        str, typer.Option("--cron", help='When, as cron: "0 6 3 * *" = 06:00 on the 3rd.')
    ],
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA time zone of the cron, e.g. Europe/London.")
    ] = "UTC",
    input: Annotated[
        str | None,
        typer.Option(
            "--input", help='Input JSON or @file; may use {"period": "{previous_month}"}.'
        ),
    ] = None,
    schedule_id: Annotated[
        str | None, typer.Option("--id", help="Schedule id (default: SLUG-ENTITY).")
    ] = None,
    paused: Annotated[bool, typer.Option("--paused", help="Create it paused.")] = False,
    task_queue: Annotated[
        str | None,
        typer.Option("--task-queue", help="Queue the workers poll (default: the bundle's)."),
    ] = None,
    runbooks: Runbooks = None,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Create a schedule; its input is checked against the runbook's input model first."""
    from ntro.cluster import check_schedule, connect, create_schedule, find_runbook

    config = cluster_config(address, namespace, api_key, tls, tls_cert, tls_key, tls_ca)
    data = json_argument(input, "--input")

    async def work() -> str:
        ref = find_runbook(slug, runbooks or ())
        check_schedule(ref, entity=entity, cron=cron, timezone=timezone, input=data)
        client = await connect(config)
        return await create_schedule(
            client,
            ref,
            entity=entity,
            cron=cron,
            timezone=timezone,
            input=data,
            schedule_id=schedule_id,
            paused=paused,
            task_queue=task_queue,
        )

    created = run_async(work)
    if json_out:
        echo_json({"schedule_id": created, "cron": cron, "timezone": timezone})
    else:
        typer.echo(created)
    return 0


@schedule_app.command("ls")
def schedule_ls(
    runbook: Annotated[
        str | None, typer.Option("--runbook", help="Only this runbook (slug).")
    ] = None,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Schedules made with ntro, with their next run times."""
    from ntro.cluster import connect, list_schedules

    config = cluster_config(address, namespace, api_key, tls, tls_cert, tls_key, tls_ca)

    async def work() -> list[Any]:
        return await list_schedules(await connect(config), slug=runbook)

    found = run_async(work)
    if json_out:
        echo_json([s.to_json() for s in found])
        return 0
    if not found:
        typer.echo("No schedules.")
    for s in found:
        state = "paused" if s.paused else "active"
        following = s.next_runs[0].isoformat(timespec="minutes") if s.next_runs else "-"
        typer.echo(
            f"{s.schedule_id}  {state}  {s.slug} for {s.entity}  cron {s.cron!r}  next {following}"
        )
    return 0


def _act(verb: str, schedule_id: str, json_out: bool, config_args: tuple[Any, ...]) -> int:
    from ntro import cluster

    config = cluster_config(*config_args)

    async def work() -> str | None:
        client = await cluster.connect(config)
        if verb == "trigger":
            return await cluster.trigger_schedule(client, schedule_id)
        action = {
            "pause": cluster.pause_schedule,
            "unpause": cluster.unpause_schedule,
            "delete": cluster.delete_schedule,
        }[verb]
        await action(client, schedule_id)
        return None

    started = run_async(work)
    if json_out:
        echo_json({"schedule_id": schedule_id, "action": verb, "workflow_id": started})
    elif started:
        typer.echo(started)
    else:
        typer.echo(
            f"Schedule {schedule_id}: {verb}d." if verb != "delete" else f"Deleted {schedule_id}."
        )
    return 0


@schedule_app.command("pause")
def schedule_pause(
    schedule_id: ScheduleId,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Stop a schedule from starting runs."""
    return _act(
        "pause",
        schedule_id,
        json_out,
        (address, namespace, api_key, tls, tls_cert, tls_key, tls_ca),
    )


@schedule_app.command("unpause")
def schedule_unpause(
    schedule_id: ScheduleId,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Let a paused schedule start runs again."""
    return _act(
        "unpause",
        schedule_id,
        json_out,
        (address, namespace, api_key, tls, tls_cert, tls_key, tls_ca),
    )


@schedule_app.command("delete")
def schedule_delete(
    schedule_id: ScheduleId,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Delete a schedule (runs it started go on)."""
    return _act(
        "delete",
        schedule_id,
        json_out,
        (address, namespace, api_key, tls, tls_cert, tls_key, tls_ca),
    )


@schedule_app.command("trigger")
def schedule_trigger(
    schedule_id: ScheduleId,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Start a run now and print its workflow id."""
    return _act(
        "trigger",
        schedule_id,
        json_out,
        (address, namespace, api_key, tls, tls_cert, tls_key, tls_ca),
    )
