"""``ntro worker DIR [DIR ...]``: serve runbook bundles on a cluster until SIGTERM."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ntro.cli._app import CliError, app
from ntro.cli._cluster import (
    Address,
    ApiKey,
    Namespace,
    Tls,
    TlsCa,
    TlsCert,
    TlsKey,
    cluster_config,
    run_async,
)


@app.command("worker")
def worker(
    directories: Annotated[
        list[Path], typer.Argument(metavar="DIR...", help="Runbook bundles to serve.")
    ],
    task_queue: Annotated[
        str | None,
        typer.Option(
            "--task-queue",
            help="Serve everything on this queue (default: each bundle's, ntro-<slug>).",
        ),
    ] = None,
    drain_timeout: Annotated[
        float,
        typer.Option("--drain-timeout", help="Seconds activities in flight get to finish on stop."),
    ] = 30.0,
    max_activities: Annotated[
        int | None, typer.Option("--max-activities", help="Activities run at once, at most.")
    ] = None,
    address: Address = None,
    namespace: Namespace = None,
    api_key: ApiKey = None,
    tls: Tls = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_ca: TlsCa = None,
) -> int:
    """Serve runbook bundles (and the children they start) on a Temporal cluster.

    Logs one line per start, stop and failure on stderr. SIGTERM or Ctrl-C drains: activities
    in flight finish, then the worker exits 0. Run more workers on the same queue to share load.
    """
    import logging

    from ntro.worker import serve

    for directory in directories:
        if not (directory / "runbook.md").is_file():
            what = "no runbook.md there" if directory.is_dir() else "no such directory"
            raise CliError(
                f"{directory}: {what}; pass the path of a runbook bundle (a directory holding "
                f"runbook.md)",
                code=2,
            )
    config = cluster_config(address, namespace, api_key, tls, tls_cert, tls_key, tls_ca)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s ntro worker: %(message)s", force=True
    )
    for noisy in ("temporalio", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    run_async(
        lambda: serve(
            directories,
            config=config,
            task_queue=task_queue,
            drain_timeout=drain_timeout,
            max_concurrent_activities=max_activities,
        )
    )
    return 0
