"""The ``ntro`` command line: ``ntro runbook ...``, ``ntro workflow ...``, ``ntro dev-server``.

Commands raise ordinary exceptions; :func:`ntro.cli.run` turns them into one line on stderr
(``error: <what went wrong and what to do>``) and exit code 1, or a traceback with ``--debug``.
"""

from __future__ import annotations

import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

import ntro

__all__ = ["CliError", "app", "runbook_app", "state", "workflow_app"]


class CliError(Exception):
    """An error the CLI reports as one line, with its own exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _State:
    debug: bool = False


state = _State()

_TYPER_OPTIONS: dict[str, Any] = {
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "add_completion": False,
    "rich_markup_mode": None,
}

app = typer.Typer(
    name="ntro",
    help="Write, test and run accounting runbooks on Temporal.",
    **_TYPER_OPTIONS,
)
runbook_app = typer.Typer(
    name="runbook",
    help="Runbook bundles: scaffold a new one, validate one.",
    **_TYPER_OPTIONS,
)
workflow_app = typer.Typer(
    name="workflow",
    help="Runbook runs: test scenarios locally; start, list, show and decide runs on a cluster.",
    **_TYPER_OPTIONS,
)
app.add_typer(runbook_app, name="runbook")
app.add_typer(workflow_app, name="workflow")


def _version(value: bool) -> None:
    if value:
        import importlib.metadata

        try:
            temporalio = importlib.metadata.version("temporalio")
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            temporalio = "not installed"
        python = ".".join(str(p) for p in sys.version_info[:3])
        typer.echo(f"ntro {ntro.__version__} (temporalio {temporalio}, Python {python})")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_version, help="Print the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show the full traceback when a command fails."
    ),
) -> None:
    """Write, test and run accounting runbooks on Temporal."""
    state.debug = debug


def _err(message: str) -> None:
    typer.echo(message, err=True)


# ── ntro runbook ─────────────────────────────────────────────────────────────


@runbook_app.command("validate")
def runbook_validate(
    directory: Path = typer.Argument(..., help="The bundle directory (holding runbook.md)."),
    workflow_class: str | None = typer.Option(
        None,
        "--workflow-class",
        help="Name of the workflow class, if not CamelCase(slug)+Workflow.",
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Treat warnings (missing step metadata, unknown keys, steps that differ from "
        "the workflow's @ui_step) as errors.",
    ),
) -> int:
    """Check a bundle: front matter, templates, workflow class, steps vs @ui_step.

    Only slug, name, version, state and author are required in the front matter; missing
    step metadata and unknown keys are printed as warnings. Exit 0 when valid (warnings
    alone do not fail, unless --strict), 1 when errors were found (one per line), 2 when DIR
    does not exist.
    """
    from ntro.runbook import read_runbook_md, validate_bundle

    if not directory.is_dir():
        what = "is a file, not a directory" if directory.exists() else "no such directory"
        raise CliError(
            f"{directory}: {what}; pass the path of a runbook bundle (a directory holding "
            f"runbook.md)",
            code=2,
        )
    problems = validate_bundle(
        directory, workflow_class=workflow_class, warnings=True, strict=strict
    )
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if errors:
        noun = "problem" if errors == 1 else "problems"
        _err(f"{directory}: {errors} {noun} found" + (" (--strict)" if strict else ""))
        return 1
    front_matter, _ = read_runbook_md(directory / "runbook.md")
    steps = len(front_matter.steps)
    note = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    typer.echo(
        f"✓ {directory}: valid runbook '{front_matter.slug}' v{front_matter.version} "
        f"({steps} step{'s' if steps != 1 else ''}{note})"
    )
    return 0


@runbook_app.command("new")
def runbook_new(
    slug: str = typer.Argument(..., help="Slug of the runbook, e.g. document-ingest."),
    directory: Path = typer.Option(
        Path("."), "--dir", help="Where to create the <SLUG> bundle directory."
    ),
    name: str | None = typer.Option(None, "--name", help="Human name (default: from the slug)."),
    author: str | None = typer.Option(None, "--author", help="Author (default: your user name)."),
    force: bool = typer.Option(
        False, "--force", help="Write into an existing non-empty directory."
    ),
) -> int:
    """Scaffold a new bundle: an upload gate, an activity, a table review and a scenario."""
    from ntro.runbook import scaffold_bundle

    target, files = scaffold_bundle(slug, directory, name=name, author=author, force=force)
    typer.echo(f"Created runbook bundle {target}:")
    for file in files:
        typer.echo(f"  {file.relative_to(target).as_posix()}")
    typer.echo("Next:")
    typer.echo(f"  ntro runbook validate {target}")
    typer.echo(f"  ntro workflow test {target}")
    return 0


# ── ntro dev-server ──────────────────────────────────────────────────────────


class DevServerAction(StrEnum):
    start = "start"
    stop = "stop"
    status = "status"
    ls = "ls"


def _dev_server_ls() -> int:
    """`ntro dev-server ls`: every server ntro started, from any folder."""
    from ntro._devserver import running_servers

    servers = running_servers()
    for found in servers:
        typer.echo(found.describe())
    if not servers:
        typer.echo("No Temporal dev server started by ntro is running.")
    return 0


def _dev_server_stop(server: Any, db: Path, stop_all: bool) -> int:
    """`ntro dev-server stop`: stop --db's server (or all with --all), and name the others
    still running when there was none to stop."""
    from ntro._devserver import DevServer, running_servers

    targets = running_servers() if stop_all else [server.status()]
    stopped = 0
    for current in targets:
        if current.running and DevServer(current.db_file).stop():
            typer.echo(
                f"Stopped the Temporal dev server for {current.db_file} (pid {current.pid})."
            )
            stopped += 1
    if not stopped:
        typer.echo(f"No Temporal dev server running for {'ntro' if stop_all else db}.")
        others = [] if stop_all else running_servers()
        for other in others:
            typer.echo(f"Running: {other.describe()}")
        if others:
            typer.echo("Stop one with `ntro dev-server stop --db FILE`, or all with `--all`.")
    return 0


@app.command("dev-server")
def dev_server(
    action: DevServerAction = typer.Argument(
        DevServerAction.start,
        help="start (default), stop, status, or ls (every server ntro started, from any folder).",
    ),
    db: Path = typer.Option(
        Path(".ntro/temporal.db"),
        "--db",
        "--db-filename",
        help="SQLite file that keeps workflows across restarts.",
    ),
    port: int = typer.Option(
        7233, "--port", envvar="NTRO_DEV_PORT", help="gRPC port clients and workers connect to."
    ),
    ui_port: int = typer.Option(
        8233, "--ui-port", envvar="NTRO_DEV_UI_PORT", help="Port of the Temporal Web UI."
    ),
    namespace: str = typer.Option("default", "--namespace", help="Namespace to create."),
    ip: str = typer.Option("localhost", "--ip", help="Address to bind."),
    headless: bool = typer.Option(False, "--headless", help="Do not serve the Web UI."),
    detach: bool = typer.Option(
        False, "--detach", "-d", help="Start in the background and return."
    ),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for start-up."),
    stop_all: bool = typer.Option(
        False, "--all", help="stop: every server ntro started (see `ls`), not only --db's."
    ),
) -> int:
    """Run a local Temporal dev server with a persistent SQLite database.

    `start` runs it in the foreground (Ctrl-C stops it) unless --detach; `stop` and `status`
    find a detached server through the state file next to --db. `status` exits 0 when the
    server runs, 3 when it does not. `ls` lists every server ntro started (a notebook's too);
    `stop` names the others when none runs for --db, and `stop --all` stops them all.
    """
    from ntro._devserver import DevServer

    server = DevServer(
        db, port=port, ui_port=ui_port, namespace=namespace, ip=ip, headless=headless
    )
    if action is DevServerAction.ls:
        return _dev_server_ls()
    if action is DevServerAction.status:
        current = server.status()
        typer.echo(current.describe())
        return 0 if current.running else 3
    if action is DevServerAction.stop:
        return _dev_server_stop(server, db, stop_all)

    current = server.status()
    if current.running:
        if detach:
            typer.echo(f"Already running: {current.describe()}")
            return 0
        raise CliError(
            f"a Temporal dev server is already running for {db} (pid {current.pid}, "
            f"{current.address}); stop it with `ntro dev-server stop` or use another --db"
        )

    def _interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # From here on, Ctrl-C (or SIGTERM in the foreground) stops the server it started.
    previous = signal.signal(signal.SIGTERM, _interrupt) if not detach else None
    try:
        status = server.start(timeout=timeout)
        typer.echo(f"Temporal dev server running (pid {status.pid})")
        typer.echo(f"  gRPC address: {status.address}  (namespace {status.namespace})")
        if status.ui_url:
            typer.echo(f"  Web UI:       {status.ui_url}")
        typer.echo(f"  Database:     {status.db_file}")
        typer.echo(f"  Log:          {status.log_file}")
        typer.echo(f"Run runbooks on it with: export TEMPORAL_HOST={status.address}")
        if detach:
            typer.echo("Stop it with `ntro dev-server stop`.")
            return 0
        typer.echo("Press Ctrl-C to stop.")
        sys.stdout.flush()
        code = server.wait()
    except KeyboardInterrupt:
        stopped = server.stop()
        typer.echo("\nStopped the Temporal dev server." if stopped else "\nInterrupted.")
        return 0 if stopped else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if code in (None, 0, -signal.SIGTERM, -signal.SIGINT, 128 + signal.SIGTERM):
        typer.echo("The Temporal dev server stopped.")
        return 0
    raise CliError(
        f"the Temporal dev server exited with code {code} (log: {status.log_file}). "
        f"Last lines:\n{server.log_tail() or '(empty log)'}"
    )
