"""The ``ntro`` command line.

:func:`main` is the console script. It runs the typer app without click's standalone handling,
so every outcome becomes an exit code here: a usage error is 2, a failed command prints one line
(``error: ...``, or the traceback with ``--debug``) and is 1 unless the command chose otherwise.
It then flushes and ends the process with ``os._exit``: a process that started a Temporal server
can crash while the interpreter finalises (temporalio/sdk-python#300), and the exit code must be
the command's, not the crash's.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from ntro.cli import (
    _data,  # noqa: F401  (registers `ntro data status|stop`)
    _operations,  # noqa: F401  (registers `ntro workflow run|ls|show|upload|approve|reject`)
    _schedule,  # noqa: F401  (registers `ntro schedule ...`)
    _setup,  # noqa: F401  (registers `ntro cluster setup`)
    _worker,  # noqa: F401  (registers `ntro worker`)
    _workflow_test,  # noqa: F401  (registers `ntro workflow test`)
)
from ntro.cli._app import CliError, app, runbook_app, state, workflow_app

__all__ = ["CliError", "app", "main", "run", "runbook_app", "workflow_app"]

# Errors whose message already says what went wrong and what to do: printed as they are.
_EXPECTED = (
    "BinaryNotFoundError",
    "CliError",
    "DevServerError",
    "HarnessError",
    "RunbookError",
    "RunbookDefinitionError",
)


def _describe(err: BaseException) -> str:
    message = str(err).strip() or type(err).__name__
    if any(cls.__name__ in _EXPECTED for cls in type(err).__mro__):
        return message
    return f"{type(err).__name__}: {message} (run again with --debug for the traceback)"


def _is_usage_error(err: BaseException) -> bool:
    names = {cls.__name__ for cls in type(err).__mro__}
    return "ClickException" in names and hasattr(err, "show") and hasattr(err, "exit_code")


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    state.debug = False
    try:
        result = app(args=args, prog_name="ntro", standalone_mode=False)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as err:
        if _is_usage_error(err):  # click's (or typer's vendored click's) usage errors
            err.show()  # type: ignore[attr-defined]
            return int(err.exit_code)  # type: ignore[attr-defined]
        if type(err).__name__ == "Abort":
            print("Aborted.", file=sys.stderr)
            return 1
        if state.debug or "--debug" in args:
            traceback.print_exc()
        else:
            print(f"error: {_describe(err)}", file=sys.stderr)
        return err.code if isinstance(err, CliError) else 1
    if isinstance(result, bool):
        return int(not result)
    return result if isinstance(result, int) else 0


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point: run, flush, and exit with the command's code."""
    try:
        code = run(argv)
    except SystemExit as exc:  # a command called sys.exit()
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # last resort: the exit code must still be ours
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)
