"""``ntro data status`` and ``ntro data stop``: the tenant data plane from the terminal."""

from __future__ import annotations

import typer

from ntro.cli._app import _TYPER_OPTIONS, CliError, app

__all__ = ["data_app"]

data_app = typer.Typer(
    name="data",
    help="The tenant data plane (embedded PostgreSQL or NTRO_TENANT_POSTGRES_URL).",
    **_TYPER_OPTIONS,
)
app.add_typer(data_app, name="data")


@data_app.command("status")
def status(
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's database."),
) -> int:
    """Where the data plane is, its PostgreSQL and migration versions, and table row counts.

    Exits 0 when the data plane answers, 3 when the embedded server is not running.
    """
    import asyncio  # here, not at module level: `ntro --help` need not load it

    from ntro.data import DataPlaneError, inspect_data_plane

    try:
        report = asyncio.run(inspect_data_plane(tenant))
    except DataPlaneError as err:
        raise CliError(str(err)) from None
    for line in report.lines():
        typer.echo(line)
    return 0 if report.running else 3


@data_app.command("stop")
def stop() -> int:
    """Stop the embedded PostgreSQL server of this folder (NTRO_PG_DIR or .ntro/pg)."""
    from ntro.data import EmbeddedPostgresError, embedded_status, stop_embedded

    current = embedded_status()
    try:
        stopped = stop_embedded(current.data_dir)
    except EmbeddedPostgresError as err:
        raise CliError(str(err)) from None
    if stopped:
        typer.echo(
            f"Stopped the embedded PostgreSQL (pid {current.pid}, data in {current.data_dir})."
        )
    else:
        typer.echo(f"No embedded PostgreSQL running for {current.data_dir}.")
    return 0
