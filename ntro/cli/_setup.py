"""``ntro cluster setup``: register the search attributes runbooks publish their reviews in.

A dev server started by ``ntro dev-server`` has them; a remote cluster needs this once per
namespace (it takes the operator or namespace-admin permission). Without them runs still
work and still publish their reviews in memos; the inbox then filters without the server.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ntro.cli._app import _TYPER_OPTIONS, app
from ntro.cli._cluster import (
    Address,
    ApiKey,
    Json,
    Namespace,
    Tls,
    TlsCa,
    TlsCert,
    TlsKey,
    cluster_config,
    echo_json,
    run_async,
)

cluster_app = typer.Typer(
    name="cluster",
    help="The Temporal cluster itself: register what ntro's inbox needs.",
    **_TYPER_OPTIONS,
)
app.add_typer(cluster_app, name="cluster")


@cluster_app.command("setup")
def cluster_setup(
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Only say what is registered; exit 3 if something is missing."
        ),
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
    """Register the runbook search attributes (NtroAwaiting, NtroRunbook, ...) in the namespace.

    Runs list their open reviews through them, so the inbox and `ntro workflow ls --pending`
    read a page with one call, with no worker running. Safe to run again: only what is
    missing is added.
    """
    from ntro.cluster import connect, register_search_attributes, search_attribute_status

    config = cluster_config(address, namespace, api_key, tls, tls_cert, tls_key, tls_ca)

    async def work() -> tuple[list[str], dict[str, str]]:
        client = await connect(config)
        added = [] if check else await register_search_attributes(client)
        return added, await search_attribute_status(client)

    added, status = run_async(work)
    missing = [name for name, state in status.items() if state != "ok"]
    if json_out:
        echo_json({"namespace": config.namespace, "added": added, "attributes": status})
    else:
        for name, state in status.items():
            typer.echo(f"{name:<18} {state}{'  (added now)' if name in added else ''}")
        if check and missing:
            typer.echo(f"Register them with `ntro cluster setup --namespace {config.namespace}`.")
        elif not missing:
            typer.echo(f"Namespace {config.namespace!r} has every runbook search attribute.")
    return 3 if check and missing else 0
