"""``ntro workflow run|ls|show|upload|approve|reject``: runs and reviews on a cluster.

For people who live in a terminal and for scripts: every command takes ``--json``. Decisions go
through the same validated path as the widgets (``ntro.cluster.send_decision``), uploads into
the same document store as the upload panel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ntro.cli._app import workflow_app
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

Reviewer = Annotated[
    str | None,
    typer.Option("--as", help="Reviewer name (default: NTRO_REVIEWER, else the system user)."),
]
Comment = Annotated[
    str | None, typer.Option("--comment", help="A comment kept in the audit trail.")
]
WorkflowId = Annotated[str, typer.Argument(metavar="ID", help="The workflow id.")]

_STEP_MARKS = {
    "completed": "✓",
    "active": "●",
    "waiting_for_input": "●",
    "failed": "✗",
    "pending": "○",
}


@workflow_app.command("run")
def workflow_run(
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="Runbook slug or bundle path.")],
    input: Annotated[
        str | None, typer.Option("--input", help="Input as JSON text or @file.json.")
    ] = None,
    workflow_id: Annotated[str | None, typer.Option("--id", help="Workflow id to use.")] = None,
    entity: Annotated[
        str | None, typer.Option("--entity", help="Entity to list the run under.")
    ] = None,
    task_queue: Annotated[
        str | None,
        typer.Option("--task-queue", help="Queue the workers poll (default: the bundle's)."),
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the result and print it.")] = False,
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
    """Start a runbook on the cluster and print its workflow id (or its result with --wait)."""
    from ntro.cluster import connect, find_runbook, start_run, validate_input, wait_result

    config = cluster_config(address, namespace, api_key, tls, tls_cert, tls_key, tls_ca)
    data = json_argument(input, "--input")

    async def work() -> dict[str, Any]:
        ref = find_runbook(slug, runbooks or ())
        validate_input(ref, data, "--input")  # before connecting: bad input is said at once
        client = await connect(config)
        handle = await start_run(
            client, ref, data, workflow_id=workflow_id, entity=entity, task_queue=task_queue
        )
        out: dict[str, Any] = {
            "workflow_id": handle.id,
            "run_id": handle.result_run_id,
            "slug": ref.slug,
            "task_queue": task_queue or ref.task_queue,
        }
        if wait:
            out["result"] = await wait_result(handle)
        return out

    out = run_async(work)
    if json_out:
        echo_json(out)
    elif wait:
        echo_json(out["result"])
    else:
        typer.echo(out["workflow_id"])
    return 0


@workflow_app.command("ls")
def workflow_ls(
    pending: Annotated[
        bool, typer.Option("--pending", help="Only runs waiting for a person.")
    ] = False,
    runbook: Annotated[
        str | None, typer.Option("--runbook", help="Only this runbook (slug).")
    ] = None,
    entity: Annotated[str | None, typer.Option("--entity", help="Only this entity.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Only this period.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many runs.")] = 50,
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", help="With --pending: waiting at least this long (2h, 3d)."),
    ] = None,
    mine: Annotated[
        bool,
        typer.Option("--mine", help="With --pending: reviews that name you (NTRO_REVIEWER)."),
    ] = False,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """List runs, newest first, with what each waits for (--pending: waiting for a person,
    oldest first, read from the cluster alone: listed even when their worker is down)."""
    from temporalio.service import RPCError

    from ntro.cluster import (
        ReviewFilter,
        connect,
        count_reviews,
        list_runs,
        parse_age,
        resolve_reviewer,
        waiting_for,
    )

    config = cluster_config(address, namespace, api_key, tls, tls_cert, tls_key, tls_ca)
    age = parse_age(older_than) if older_than else None
    assigned = (resolve_reviewer(None).name,) if mine else ()

    async def work() -> tuple[list[Any], int | None]:
        client = await connect(config)
        runs = await list_runs(
            client,
            pending=pending,
            slug=runbook,
            entity=entity,
            period=period,
            limit=limit,
            older_than_s=age,
            assigned_to=assigned,
        )
        if not pending or len(runs) < limit:
            return runs, len(runs)
        wanted = ReviewFilter(runbook, entity, period, age, assigned)
        try:
            return runs, await count_reviews(client, wanted)
        except RPCError:
            return runs, None  # the list stands; only the count beyond it is not said

    runs, total = run_async(work)
    if json_out:
        echo_json([r.to_json() for r in runs])
        return 0
    if not runs:
        typer.echo("No runs waiting for a person." if pending else "No runs.")
        return 0
    for r in runs:
        what = (
            waiting_for(r.pending) if r.pending else (f"? ({r.unanswered})" if r.unanswered else "")
        )
        where = " ".join(x for x in (r.slug or r.workflow_type, r.entity, r.period) if x)
        down = f"  [{r.unanswered}]" if r.pending and r.unanswered else ""
        typer.echo(
            f"{r.workflow_id}  {r.status}  {where}" + (f"  waits for {what}" if what else "") + down
        )
    if pending and total is not None and total > len(runs):
        typer.echo(f"{len(runs)} of {total} waiting reviews shown; --limit {total} lists them all")
    return 0


def _show_text(view: dict[str, Any]) -> None:
    typer.echo(f"{view['workflow_id']}  {view['status']}  ({view['workflow_type']})")
    facts = [f"{k} {view[k]}" for k in ("slug", "entity", "period") if view.get(k)]
    if facts:
        typer.echo("  " + ", ".join(facts))
    steps = view.get("steps") or []
    if steps:
        crumbs = " → ".join(
            f"{_STEP_MARKS.get(s.get('status'), '?')} {s.get('title') or s.get('id')}"
            for s in steps
        )
        typer.echo(f"  steps: {crumbs}")
    if view.get("pending_action"):
        pending = view["pending_action"]
        typer.echo(f"  waits for {view['waiting_for']}")
        if pending.get("kind") == "interactive_review":
            typer.echo(f"    ntro workflow approve {view['workflow_id']}  (or reject)")
        elif pending.get("kind") in ("submit_file", "submit_files"):
            typer.echo(f"    ntro workflow upload {view['workflow_id']} FILE")
    if view.get("unanswered"):
        typer.echo(f"  state: {view['unanswered']}")
    if view.get("error"):
        typer.echo(f"  error: {view['error']}")
    trail = view.get("audit_trail") or []
    if trail:
        typer.echo("  audit trail:")
    for entry in trail:
        kind = entry.get("kind")
        who = entry.get("reviewer") or "?"
        at = str(entry.get("at") or "")[:19]
        if kind == "correction":
            detail = (
                f"{entry.get('line_item_id')}.{entry.get('field')}: "
                f"{entry.get('old_value')!r} → {entry.get('new_value')!r}"
            )
        else:
            detail = " ".join(
                str(entry[k]) for k in ("action", "comment", "reason") if entry.get(k)
            )
        typer.echo(f"    {at}  {kind:<10} {entry.get('step_id') or '-'}  {who}  {detail}")
    if "result" in view:
        typer.echo(f"  result: {json.dumps(view['result'], default=str, ensure_ascii=False)}")


@workflow_app.command("show")
def workflow_show(
    workflow_id: WorkflowId,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """A run's breadcrumb, open gate and audit trail."""
    from ntro.cluster import connect, show_run

    config = cluster_config(address, namespace, api_key, tls, tls_cert, tls_key, tls_ca)

    async def work() -> dict[str, Any]:
        return await show_run(await connect(config), workflow_id)

    view = run_async(work)
    if json_out:
        echo_json(view)
    else:
        _show_text(view)
    return 0


@workflow_app.command("upload")
def workflow_upload(
    workflow_id: WorkflowId,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The document to upload.")],
    signal: Annotated[
        str | None, typer.Option("--signal", help="Signal to send (default: the gate's).")
    ] = None,
    slot: Annotated[
        str | None, typer.Option("--slot", help="Which expected document (multi-upload gates).")
    ] = None,
    reviewer: Reviewer = None,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Store FILE as the upload panel does and answer the run's open upload gate."""
    from ntro.cluster import connect, upload_document

    config = cluster_config(address, namespace, api_key, tls, tls_cert, tls_key, tls_ca)

    async def work() -> dict[str, Any]:
        client = await connect(config)
        return await upload_document(
            client, workflow_id, file, signal=signal, slot=slot, reviewer=reviewer
        )

    out = run_async(work)
    if json_out:
        echo_json(out)
    else:
        doc = out["document"]
        typer.echo(
            f"Uploaded {doc['filename']} ({doc['size']} bytes) as {doc['document_ref']} to "
            f"{out['signal_task_id']} ({out['signal_name']}), by {out['uploaded_by']}"
        )
    return 0


def _decide(
    action: str,
    workflow_id: str,
    corrections: str | None,
    comment: str | None,
    reviewer: str | None,
    json_out: bool,
    config_args: tuple[Any, ...],
) -> int:
    from ntro.cli._app import CliError
    from ntro.cluster import connect, decide

    config = cluster_config(*config_args)
    fixes = json_argument(corrections, "--corrections")
    if fixes is not None and not isinstance(fixes, list):
        raise CliError(
            "--corrections must be a JSON list of {line_item_id, field, new_value}", code=2
        )

    async def work() -> dict[str, Any]:
        client = await connect(config)
        return await decide(
            client,
            workflow_id,
            action,
            corrections=fixes or [],
            comment=comment,
            reviewer=reviewer,
        )

    out = run_async(work)
    if json_out:
        echo_json(out)
    else:
        done = {"approve": "Approved", "correct": "Approved", "reject": "Rejected"}
        extra = f" with {len(out['corrections'])} correction(s)" if out["corrections"] else ""
        typer.echo(
            f"{done[out['action']]} step {out['step_id']!r} of {workflow_id}{extra}, as "
            f"{out['reviewer']}"
        )
    return 0


@workflow_app.command("approve")
def workflow_approve(
    workflow_id: WorkflowId,
    corrections: Annotated[
        str | None,
        typer.Option(
            "--corrections",
            help='JSON list (or @file) of {"line_item_id", "field", "new_value"}.',
        ),
    ] = None,
    comment: Comment = None,
    reviewer: Reviewer = None,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Approve the run's open review, with corrections if given."""
    return _decide(
        "approve",
        workflow_id,
        corrections,
        comment,
        reviewer,
        json_out,
        (address, namespace, api_key, tls, tls_cert, tls_key, tls_ca),
    )


@workflow_app.command("reject")
def workflow_reject(
    workflow_id: WorkflowId,
    comment: Comment = None,
    reviewer: Reviewer = None,
    json_out: Json = False,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Reject the run's open review."""
    return _decide(
        "reject",
        workflow_id,
        None,
        comment,
        reviewer,
        json_out,
        (address, namespace, api_key, tls, tls_cert, tls_key, tls_ca),
    )
