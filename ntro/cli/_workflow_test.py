"""``ntro workflow test``: run a bundle's scenarios on the time-skipping server and report.

Registering the command imports nothing heavy: the harness (Temporal's client and worker),
pydantic and the bundle are imported when the command runs, so ``ntro --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from ntro.cli._app import CliError, workflow_app


def usage_error(message: str) -> CliError:
    """Bad command-line input: printed as one line, exit code 2."""
    return CliError(message, code=2)


def read_input(raw: str | None, workflow_cls: type) -> Any:
    """``--input`` as JSON text or ``@file``, validated against the run method's annotation."""
    from pydantic import TypeAdapter, ValidationError

    from ntro.testing import AUTO_INPUT, run_input_type
    from ntro.workflow import run_takes_input

    if raw is None:
        return AUTO_INPUT
    if raw.startswith("@"):
        path = Path(raw[1:])
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as err:
            raise usage_error(f"--input {raw}: cannot read {path}: {err.strerror}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise usage_error(
            f"--input is not valid JSON ({err.msg} at line {err.lineno} column {err.colno}); "
            f"pass a JSON object or @path/to/input.json"
        ) from None
    if not run_takes_input(workflow_cls):
        raise usage_error(f"{workflow_cls.__name__}.run takes no input; drop --input")
    hint = run_input_type(workflow_cls)
    try:
        return TypeAdapter(hint).validate_python(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in err.errors()
        )
        name = getattr(hint, "__name__", str(hint))
        raise usage_error(f"--input does not fit {name}: {problems}") from None


@contextlib.contextmanager
def _stops_what_it_starts(real_activities: bool) -> Iterator[None]:
    """With ``--real-activities``: the embedded PostgreSQL the run starts is stopped when the
    command ends, however it ends (the harness stops it too; this also covers an interrupt that
    cut the harness's own clean-up short), and SIGTERM stops the run as Ctrl-C does. A server
    that was already running is left alone."""
    if not real_activities:
        yield
        return
    from ntro.data import stop_started_within

    def interrupt(signum: int, frame: Any) -> None:
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):  # asyncio.run's: it cancels the run, whose clean-up runs
            handler(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        with stop_started_within():
            yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


@workflow_app.command("test")
def workflow_test(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="The runbook bundle (folder with runbook.md).")
    ],
    child: Annotated[
        list[Path] | None,
        typer.Option("--child", metavar="DIR", help="A child runbook bundle; repeat for several."),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            metavar="NAME",
            help="Scenario name (default: happy and reject_all); repeat for several.",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(metavar="S", help="Seconds each scenario may take.")
    ] = 60.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON report.")] = False,
    workflow_class: Annotated[
        str | None,
        typer.Option(
            "--workflow-class",
            metavar="NAME",
            help="Workflow class name, when not CamelCase(slug)+Workflow.",
        ),
    ] = None,
    input: Annotated[
        str | None,
        typer.Option(
            "--input",
            metavar="JSON|@FILE",
            help="Run input as JSON, or @file.json (default: generated).",
        ),
    ] = None,
    server: Annotated[
        str,
        typer.Option(
            metavar="SERVER", help="time-skipping (default), dev, or a cluster address host:port."
        ),
    ] = "time-skipping",
    real_activities: Annotated[
        bool,
        typer.Option(
            "--real-activities",
            help="Run the bundle's own activities (embedded data plane, local capability "
            "backends), a clean tenant database per scenario, instead of auto-mocks. An "
            "embedded PostgreSQL the run starts is stopped at the end; a running one is kept.",
        ),
    ] = False,
) -> None:
    """Run a runbook's scenarios and report each step.

    Exit codes: 0 every scenario passed; 1 a scenario failed; 2 a usage error (no such
    directory, a bundle that does not load, an unknown scenario or option, a bad --input).
    """
    if not directory.is_dir():
        raise usage_error(f"{directory}: no such directory; pass the folder that holds runbook.md")

    import asyncio

    from ntro.runbook import RunbookError, load_bundle
    from ntro.testing import HarnessError, report, run_bundle

    try:
        bundle = load_bundle(directory, workflow_class=workflow_class)
        run_input = read_input(input, bundle.workflow_cls)
    except RunbookError as err:
        raise usage_error(str(err)) from None

    def show(result: Any) -> None:
        if not json_output:
            typer.echo(report.human_result(result))

    try:
        with _stops_what_it_starts(real_activities):
            results = asyncio.run(
                run_bundle(
                    directory,
                    children=child or [],
                    scenario_names=scenario or [],
                    input=run_input,
                    workflow_class=workflow_class,
                    server=server,
                    timeout=timeout,
                    on_result=show,
                    real_activities=real_activities,
                )
            )
    except HarnessError as err:
        raise usage_error(str(err)) from None
    if json_output:
        typer.echo(report.json(results))
    else:
        typer.echo(report.summary(results))
    raise typer.Exit(0 if all(r.passed for r in results) else 1)
