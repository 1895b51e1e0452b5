"""The ``%ntro`` magics (``%load_ext ntro_jupyter``): a thin layer over :class:`Session`.

Every subcommand has ``--help``; a mistake (an unknown id, a cluster that is down, a bad
argument) is one ``UsageError`` line in the cell and the session stays usable: the magic
catches ``ntro.NtroError``, the root of every ntro error (the session's ``SessionError`` and
the errors of ``ntro.cluster``, ``ntro.runbook`` and the harness alike). No magic blocks
waiting for a person: ``%ntro run`` and ``%ntro attach`` display a live view and return.

    %ntro connect [harness|dev|HOST:PORT] [--namespace NS] [--tls] [--api-key KEY]
    %ntro server start|stop|status [--db FILE] [--detach]
    %ntro load PATH [--child PATH]...
    %ntro run SLUG [--input NAME|JSON|@file] [--id ID]
    %ntro ls [--pending [--runbook SLUG] [--entity E] [--period P] [--older-than 2h] [--mine]]
    %ntro attach ID
    %ntro approve|reject ID [--corrections JSON] [--comment TEXT] [--as REVIEWER]
    %ntro history ID
    %ntro test PATH [--scenario NAME]... [--child PATH]...
    %%ntro runbook [--slug SLUG]
    %ntro export NAME DIR
    %ntro scenario save NAME ID
    %ntro schedule create|ls|pause|unpause|delete|trigger ...
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shlex
from pathlib import Path
from typing import Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from pydantic import BaseModel

from ntro import NtroError
from ntro_jupyter._schedules import add_schedule_parser, schedule_command

__all__ = ["NtroMagics", "load_ipython_extension", "unload_ipython_extension"]


class _HelpShown(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports mistakes as one line instead of exiting the kernel."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message)
        raise _HelpShown


def _parser() -> _Parser:
    root = _Parser(
        prog="%ntro",
        description="Run and review ntro runbooks from a notebook.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Each command has --help, e.g. %ntro run --help. "
        "%%ntro runbook defines a runbook in a cell.",
    )
    sub = root.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "connect",
        help="use the harness, the local dev server or a cluster",
        description="Connect the session to a Temporal server. TARGET is 'harness' "
        "(time-skipping test server, the default), 'dev' (local dev server with an "
        "SQLite file, started if needed) or HOST:PORT. Without TARGET: "
        "TEMPORAL_HOST (with TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS) "
        "if set, else the harness.",
    )
    p.add_argument("target", nargs="?", help="harness | dev | HOST:PORT")
    p.add_argument("--namespace", help="Temporal namespace (default: default)")
    p.add_argument(
        "--tls", action="store_true", default=None, help="use TLS (implied by --api-key)"
    )
    p.add_argument("--api-key", help="API key for the cluster")
    p.add_argument("--db", help="dev: SQLite file (default .ntro/temporal.db or NTRO_DEV_DB)")
    p.add_argument("--port", type=int, help="dev: gRPC port (default 7233)")
    p.add_argument("--ui-port", type=int, help="dev: Web UI port (default 8233)")
    p.add_argument("--as", dest="reviewer", help="record decisions of this session as REVIEWER")

    sub.add_parser(
        "status",
        help="where the session is connected, who reviews, what is loaded",
        description="Show the session's target, reviewer, runbooks, workers and live views.",
    )

    p = sub.add_parser(
        "server",
        help="start, stop or show the local Temporal dev server",
        description="The local Temporal dev server (temporal server start-dev) "
        "with a persistent SQLite file and the Web UI.",
    )
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--db", help="SQLite file (default .ntro/temporal.db or NTRO_DEV_DB)")
    p.add_argument("--port", type=int, default=7233, help="gRPC port (default 7233)")
    p.add_argument("--ui-port", type=int, default=8233, help="Web UI port (default 8233)")
    p.add_argument("--headless", action="store_true", help="no Web UI")
    p.add_argument(
        "--detach",
        action="store_true",
        help="start: keep the server running after this kernel stops",
    )

    p = sub.add_parser(
        "load",
        help="load a runbook bundle and serve it with a worker",
        description="Load the bundle at PATH (and child bundles) and serve it with "
        "a worker of this session. Loading a changed bundle again serves new runs "
        "with the new code; running workflows keep the version they started with.",
    )
    p.add_argument("path")
    p.add_argument(
        "--child",
        action="append",
        default=[],
        metavar="PATH",
        help="a child runbook bundle (repeatable)",
    )
    p.add_argument("--workflow-class", help="the workflow class, if not CamelCase(slug)+Workflow")
    p.add_argument("--task-queue", help="serve this task queue instead of ntro-<slug>-<digest>")
    p.add_argument(
        "--mock", action="store_true", help="auto-mock the activities from their return annotations"
    )

    p = sub.add_parser(
        "run",
        help="start a runbook and show its live view",
        description="Start a run of SLUG, display its live view and return a handle.",
    )
    p.add_argument("slug")
    p.add_argument(
        "--input",
        help="the run input: a notebook variable (dict or pydantic model), JSON, or "
        "@file.json (harness: generated if omitted)",
    )
    p.add_argument("--id", dest="workflow_id", help="workflow id (default SLUG-<random>)")
    p.add_argument("--task-queue", help="start on this task queue (a worker elsewhere serves it)")
    p.add_argument("--as", dest="reviewer", help="decide in this view as REVIEWER")
    p.add_argument("--no-view", action="store_true", help="start only; return the handle")

    p = sub.add_parser(
        "ls",
        help="list workflows, those waiting for a person first",
        description="List workflows (newest first), those waiting for a person "
        "first, with what they wait for.",
    )
    p.add_argument("--pending", action="store_true", help="only those waiting for a person")
    p.add_argument("--limit", type=int, default=50, help="at most N workflows (default 50)")
    p.add_argument(
        "--query", help="a Temporal visibility query, e.g. 'ExecutionStatus=\"Running\"'"
    )
    p.add_argument("--runbook", help="with --pending: only this runbook (slug)")
    p.add_argument("--entity", help="with --pending: only this entity")
    p.add_argument("--period", help="with --pending: only this period")
    p.add_argument("--older-than", help="with --pending: waiting at least this long (2h, 3d)")
    p.add_argument("--mine", action="store_true", help="with --pending: reviews that name you")

    p = sub.add_parser(
        "attach",
        help="show the live view of a running workflow",
        description="Rebuild the live view of workflow ID (for example after a "
        "kernel restart) and return a handle.",
    )
    p.add_argument("workflow_id", metavar="ID")
    p.add_argument("--as", dest="reviewer", help="decide in this view as REVIEWER")
    p.add_argument(
        "--force",
        action="store_true",
        help="serve it with the loaded runbook even if it started with another version",
    )

    for action in ("approve", "reject"):
        p = sub.add_parser(
            action,
            help=f"{action} the open review of a workflow",
            description=f"{action.capitalize()} the open review of workflow ID.",
        )
        p.add_argument("workflow_id", metavar="ID")
        if action == "approve":
            p.add_argument(
                "--corrections",
                help="JSON list of {line_item_id, field, old_value, new_value}, or @file.json",
            )
        p.add_argument("--comment", help="why (required by some reviews to reject)")
        p.add_argument(
            "--as", dest="reviewer", help="the reviewer recorded (default: NTRO_REVIEWER, the user)"
        )

    p = sub.add_parser(
        "history",
        help="the audit trail of a workflow",
        description="Decisions, corrections, row actions, timeouts and refusals of ID.",
    )
    p.add_argument("workflow_id", metavar="ID")

    p = sub.add_parser(
        "snapshot",
        help="freeze a workflow's state into this output",
        description="Show ID's breadcrumb, decisions and audit trail as saved "
        "data, so the notebook shows them with no kernel.",
    )
    p.add_argument("workflow_id", metavar="ID")

    p = sub.add_parser(
        "test",
        help="run a bundle's scenarios (progress and report)",
        description="Run the scenarios of the bundle at PATH on a fresh "
        "time-skipping server (HAPPY and REJECT_ALL unless --scenario).",
    )
    p.add_argument("path")
    p.add_argument("--scenario", action="append", default=[], metavar="NAME")
    p.add_argument("--child", action="append", default=[], metavar="PATH")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per scenario (default 60)")
    p.add_argument("--json", action="store_true", help="print the JSON report")

    p = sub.add_parser(
        "runbook",
        help="(cell magic) define a runbook in this cell",
        description="%%ntro runbook: run the cell and serve the workflow classes it "
        "defines (hot reload). Notebook classes run unsandboxed.",
    )
    p.add_argument("--slug", help="slug of the runbook (default from the class name)")
    p.add_argument("--mock", action="store_true", help="auto-mock its activities")
    p.add_argument("--task-queue", help="serve this task queue")

    p = sub.add_parser(
        "export",
        help="write a notebook runbook out as a bundle",
        description="Write runbook NAME (defined with %%ntro runbook) as a bundle in "
        "DIR that `ntro runbook validate DIR` accepts.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--force", action="store_true", help="write into a non-empty DIR")

    p = sub.add_parser(
        "scenario",
        help="save the decisions taken on a workflow as a scenario",
        description="%ntro scenario save NAME ID: record the decisions taken on "
        "workflow ID in the bundle's tests/scenarios.py.",
    )
    p.add_argument("action", choices=["save"])
    p.add_argument("name", metavar="NAME")
    p.add_argument("workflow_id", metavar="ID")
    p.add_argument("--bundle", help="the bundle (default: the one this session loaded it from)")
    p.add_argument("--force", action="store_true", help="replace a scenario of that name")
    add_schedule_parser(sub)
    return root


def _value_arg(text: str | None, option: str) -> Any:
    """JSON (or a Python literal), or ``@file`` holding JSON."""
    if text is None:
        return None
    if text.startswith("@"):
        path = Path(text[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise UsageError(f"{option} @{path}: cannot read the file ({err.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise UsageError(
                f"{option} is not JSON ({err.msg} at column {err.colno}): quote it, e.g. "
                f'{option} \'{{"period": "2026-10"}}\', or pass @file.json'
            ) from None


_JSON_OPTION = re.compile(r"(--input|--corrections)(\s+|=)(?=[\[{])")


def _quote_json_values(line: str) -> str:
    """``--input {"period": "2026-03"}`` as if it were quoted: the JSON value that follows the
    option, when it parses as JSON, becomes one argument (spaces and quotes kept)."""
    decoder = json.JSONDecoder()
    out, pos = [], 0
    for match in _JSON_OPTION.finditer(line):
        if match.start() < pos:
            continue
        try:
            _, end = decoder.raw_decode(line, match.end())
        except json.JSONDecodeError:
            continue
        out.append(line[pos : match.end()] + shlex.quote(line[match.end() : end]))
        pos = end
    return "".join(out) + line[pos:]


def _input_arg(text: str | None, namespace: dict[str, Any]) -> Any:
    """``--input``: the name of a notebook variable (a dict or a pydantic model), JSON, or
    ``@file`` holding JSON."""
    if text is not None and text.isidentifier() and text in namespace:
        value = namespace[text]
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        if isinstance(value, dict):
            return value
        raise UsageError(
            f"--input {text}: the variable {text} is a {type(value).__name__}; give a dict or "
            f"a pydantic model, JSON, or @file.json"
        )
    if text is not None and text.isidentifier() and text not in ("true", "false", "null"):
        raise UsageError(
            f"--input {text}: no variable {text} in this notebook; define it (a dict or a "
            f'pydantic model) or pass JSON, e.g. --input {{"period": "2026-10"}}'
        )
    return _value_arg(text, "--input")


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


@magics_class
class NtroMagics(Magics):
    """``%ntro`` and ``%%ntro runbook``."""

    @no_var_expand
    @line_cell_magic
    def ntro(self, line: str, cell: str | None = None) -> Any:
        """Run and review ntro runbooks. ``%ntro --help`` lists the commands."""
        try:
            try:
                argv = shlex.split(_quote_json_values(line))
            except ValueError as err:
                raise UsageError(f"%ntro: cannot read the arguments ({err})") from None
            try:
                args = _parser().parse_args(argv)
            except UsageError as err:
                if any(a.startswith(("{", "[")) for a in argv) or "unrecognized" in str(err):
                    hint = (
                        ' Quote JSON values: --input \'{"key": "value"}\'.' if "{" in line else ""
                    )
                    raise UsageError(f"{err}{hint}") from None
                raise
            if cell is not None:
                if args.command != "runbook":
                    raise UsageError(
                        "%%ntro as a cell magic is '%%ntro runbook': define a runbook in the cell"
                    )
                return self._runbook(args, cell)
            if args.command is None:
                _parser().print_help()
                return None
            if args.command == "runbook":
                raise UsageError("'runbook' is a cell magic: start the cell with %%ntro runbook")
            return getattr(self, f"_{args.command}")(args)
        except _HelpShown:
            return None
        except UsageError:
            raise
        except NtroError as err:  # SessionError and every ntro error: one line, no traceback
            raise UsageError(_one_line(err)) from None

    # -- helpers -------------------------------------------------------------------------------
    @property
    def session(self) -> Any:
        from ntro_jupyter._session import get_session

        return get_session()

    @staticmethod
    def _display(obj: Any) -> None:
        from IPython.display import display

        display(obj)

    # -- commands --------------------------------------------------------------------------------
    def _connect(self, args: argparse.Namespace) -> None:
        session = self.session
        options = {
            k: v
            for k, v in {
                "namespace": args.namespace,
                "tls": args.tls,
                "api_key": args.api_key,
                "db_file": args.db,
                "port": args.port,
                "ui_port": args.ui_port,
            }.items()
            if v is not None
        }
        if args.reviewer is not None:
            session.set_reviewer(args.reviewer)
        print(session.connect(args.target, **options))
        self._print_reviewer()

    def _print_reviewer(self) -> None:
        from ntro_jupyter._session import SessionError

        session = self.session
        try:
            print(f"Reviewer: {session.reviewer()} (from {session.reviewer_source()})")
        except SessionError as err:
            print(f"Reviewer: none — {err}")

    def _status(self, args: argparse.Namespace) -> None:
        info = self.session.status()
        print(
            f"Target:    {info['target']}" + ("" if info["connected"] else " (not connected yet)")
        )
        if info["address"]:
            print(
                f"Address:   {info['address']}"
                + (f"  Web UI: {info['ui_url']}" if info["ui_url"] else "")
            )
        print(f"Reviewer:  {info['reviewer']}")
        if info["runbooks"]:
            for slug, queue in info["runbooks"].items():
                state = info["workers"].get(queue, "not started")
                print(f"Runbook:   {slug} (task queue {queue}, worker {state})")
        else:
            print("Runbooks:  none (%ntro load PATH, or %%ntro runbook)")
        if info["live_views"]:
            print(f"Live:      {', '.join(info['live_views'])}")

    def _server(self, args: argparse.Namespace) -> None:
        from ntro.cluster import running_servers

        session = self.session
        options = {"port": args.port, "ui_port": args.ui_port, "headless": args.headless}
        if args.action == "status":
            print(session.server_status(args.db, **options).describe())
            return
        if args.action == "stop":
            status = session.server_status(args.db, **options)
            if session.server_stop(args.db, **options):
                print(f"Stopped the Temporal dev server (pid {status.pid}).")
            else:
                print(f"No Temporal dev server running for {status.db_file}.")
                for other in running_servers():
                    print(f"Running: {other.describe()}")
            return
        status = session.server_start(args.db, detach=args.detach, **options)
        print(f"Temporal dev server running (pid {status.pid})")
        print(f"  gRPC address: {status.address}  (namespace {status.namespace})")
        if status.ui_url:
            print(f"  Web UI:       {status.ui_url}")
        print(f"  Database:     {status.db_file}")
        if status.stops_with:
            print("  Stops with this kernel (--detach keeps a server running after it).")
        db = f" --db {shlex.quote(args.db)}" if args.db else ""
        port = f" --port {args.port}" if args.port != 7233 else ""
        print(f"Use it in this session with: %ntro connect dev{db}{port}")

    def _load(self, args: argparse.Namespace) -> None:
        session = self.session
        runbook = session.load(
            args.path,
            children=args.child,
            workflow_class=args.workflow_class,
            task_queue=args.task_queue,
            mock=args.mock,
        )
        for child in runbook.children:
            print(f"Loaded child {child.describe()}")
        print(f"Loaded {runbook.describe()}")
        print(f"Served on task queue {runbook.task_queue} ({session.target.describe()})")
        for note in getattr(runbook, "notes", []) or []:
            print(f"Note: {note}")

    def _run(self, args: argparse.Namespace) -> Any:
        handle = self.session.run(
            args.slug,
            _input_arg(args.input, self.shell.user_ns if self.shell is not None else {}),
            workflow_id=args.workflow_id,
            task_queue=args.task_queue,
            reviewer=args.reviewer,
            live=not args.no_view,
        )
        if handle.live is not None:
            self._display(handle.view)
        return handle

    def _ls(self, args: argparse.Namespace) -> Any:
        from ntro.cluster import ReviewFilter, parse_age
        from ntro_jupyter._session._display import WorkflowTable

        review_filter = ReviewFilter(
            runbook=args.runbook,
            entity=args.entity,
            period=args.period,
            older_than_s=parse_age(args.older_than) if args.older_than else None,
            assigned_to=(self.session.reviewer(),) if args.mine else (),
        )
        rows = self.session.ls(
            pending=args.pending, limit=args.limit, query=args.query, review_filter=review_filter
        )
        return WorkflowTable(rows, pending_only=args.pending)

    def _attach(self, args: argparse.Namespace) -> Any:
        handle = self.session.attach(args.workflow_id, reviewer=args.reviewer, force=args.force)
        self._display(handle.view)
        return handle

    def _decide(self, args: argparse.Namespace, action: str) -> None:
        corrections = _value_arg(getattr(args, "corrections", None), "--corrections") or []
        if not isinstance(corrections, list) or not all(isinstance(c, dict) for c in corrections):
            raise UsageError(
                "--corrections must be a JSON list of {line_item_id, field, old_value, new_value}"
            )
        result = self.session.decide(
            args.workflow_id,
            action,
            corrections=corrections,
            comment=args.comment,
            reviewer=args.reviewer,
        )
        decision = result.get("decision") or {}
        verb = {
            "approve": "Approved",
            "reject": "Rejected",
            "correct": "Approved with corrections",
        }.get(str(decision.get("action")), "Decided")
        count = len(decision.get("corrections") or [])
        extra = f" ({count} correction{'s' if count != 1 else ''})" if count else ""
        print(
            f"{verb} the review in step {decision.get('step_id')!r} of {args.workflow_id} as "
            f"{decision.get('reviewer')}{extra}."
        )

    def _approve(self, args: argparse.Namespace) -> None:
        self._decide(args, "approve")

    def _reject(self, args: argparse.Namespace) -> None:
        self._decide(args, "reject")

    def _history(self, args: argparse.Namespace) -> Any:
        from ntro_jupyter._session._display import AuditTable

        return AuditTable(args.workflow_id, self.session.history(args.workflow_id))

    def _snapshot(self, args: argparse.Namespace) -> Any:
        from datetime import UTC, datetime

        from ntro_jupyter._session._display import RunSnapshot

        taken_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return RunSnapshot(self.session.state(args.workflow_id), taken_at)

    def _test(self, args: argparse.Namespace) -> None:
        import ipywidgets

        from ntro.testing import report

        bar = ipywidgets.IntProgress(value=0, min=0, max=1, description="scenarios")
        label = ipywidgets.HTML()
        box = ipywidgets.HBox([bar, label])
        shown = {"done": 0}

        def on_start(total: int, names: list[str]) -> None:
            bar.max = max(total, 1)
            label.value = f"0/{total}: {', '.join(names)}"
            self._display(box)

        def on_result(result: Any) -> None:
            shown["done"] += 1
            bar.value = shown["done"]
            mark = "✓" if result.passed else "✗"
            label.value = (
                f"{shown['done']}/{bar.max} · {mark} {result.scenario} ({result.duration_s:.2f}s)"
            )
            bar.bar_style = "" if result.passed and bar.bar_style != "danger" else "danger"

        results = self.session.test(
            args.path,
            scenarios=args.scenario,
            children=args.child,
            timeout=args.timeout,
            on_start=on_start,
            on_result=on_result,
        )
        bar.value = bar.max
        if all(r.passed for r in results):
            bar.bar_style = "success"
        else:
            bar.bar_style = "danger"
        passed = sum(1 for r in results if r.passed)
        label.value = f"{passed}/{len(results)} passed"
        print(report.json(results) if args.json else report.human(results))

    def _runbook(self, args: argparse.Namespace, cell: str) -> None:
        runbooks = self.session.define(
            cell,
            namespace=self.shell.user_ns if self.shell else None,
            slug=args.slug,
            mock=args.mock,
            task_queue=args.task_queue,
        )
        for runbook in runbooks:
            print(f"Defined {runbook.describe()}; served on task queue {runbook.task_queue}")
        for note in getattr(runbooks[0], "notes", []) or []:
            print(f"Note: {note}")

    def _export(self, args: argparse.Namespace) -> None:
        path = self.session.export(args.name, args.directory, force=args.force)
        print(f"Exported runbook {args.name!r} to {path} (ntro runbook validate {path}: valid)")

    def _schedule(self, args: argparse.Namespace) -> Any:
        return schedule_command(self.session, args)

    def _scenario(self, args: argparse.Namespace) -> None:
        saved = self.session.save_scenario(
            args.name, args.workflow_id, bundle=args.bundle, force=args.force
        )
        print(
            f"Saved scenario {args.name!r} to {saved.path}; replay it with "
            f"ntro workflow test {saved.path.parent.parent} --scenario {args.name}"
        )
        if saved.note:
            print(f"Note: {saved.note}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext ntro_jupyter``: register ``%ntro`` (no session is started until used)."""
    ipython.register_magics(NtroMagics)


def unload_ipython_extension(ipython: Any) -> None:
    from ntro_jupyter._session import _session

    session = _session._default
    if session is not None:
        session.close()
