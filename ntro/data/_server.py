"""The embedded PostgreSQL server: started from the ``pgserver`` wheel, found again by any process.

Why: runbooks issue Postgres SQL, so the local default must be a real PostgreSQL, with nothing to
install or download. A new folder is filled from a cached cluster (:mod:`ntro.data._template`)
instead of running ``initdb`` each time. ``pgserver`` ships PostgreSQL 16 binaries in its wheel; its
:class:`pgserver.PostgresServer` runs ``initdb`` and ``pg_ctl start`` under an inter-process lock
(as root it runs the server as the ``pgserver`` system user, which postgres requires). The
server listens on a Unix socket only and outlives the process that started it: a later process
reads ``postmaster.pid`` in the data folder and attaches in milliseconds. :func:`stop_embedded`
sends the postmaster a fast-shutdown signal (``pg_ctl stop`` run as root refuses).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from ntro._errors import NtroError
from ntro.data._template import seed_data_dir

__all__ = [
    "ENV_PG_DIR",
    "EmbeddedPostgresError",
    "EmbeddedStatus",
    "default_pg_dir",
    "embedded_status",
    "start_embedded",
    "stop_embedded",
    "stop_started_here",
    "stop_started_within",
]

ENV_PG_DIR = "NTRO_PG_DIR"
_STOP_TIMEOUT_S = 15.0
# Data folders whose server this process started (not merely attached to), each with a sequence
# number so that stop_started_within() can tell the ones started while it was open.
_started_here: list[tuple[int, Path]] = []
_sequence = itertools.count()
_started_lock = threading.Lock()


class EmbeddedPostgresError(NtroError, RuntimeError):
    """The embedded server could not be started or stopped; the message says why and what to do."""


@dataclass(frozen=True)
class EmbeddedStatus:
    """Where the embedded server is and whether it runs.

    ``socket_dir`` and ``port`` are what a client connects to (``host=socket_dir``).
    """

    data_dir: Path
    running: bool
    pid: int | None = None
    socket_dir: Path | None = None
    port: int | None = None

    def describe(self) -> str:
        """One line for people."""
        if not self.running:
            return f"embedded PostgreSQL not running (data in {self.data_dir})"
        return (
            f"embedded PostgreSQL running (pid {self.pid}, socket {self.socket_dir}, "
            f"data in {self.data_dir})"
        )


def default_pg_dir() -> Path:
    """``$NTRO_PG_DIR`` if set, else ``.ntro/pg`` under the current directory (absolute)."""
    configured = os.environ.get(ENV_PG_DIR)
    folder = Path(configured).expanduser() if configured else Path(".ntro") / "pg"
    return folder.absolute()


def _resolve(data_dir: str | os.PathLike[str] | None) -> Path:
    return (Path(data_dir).expanduser() if data_dir is not None else default_pg_dir()).absolute()


def _quiet_import_pgserver() -> None:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers); pgserver falls back fine.
        warnings.simplefilter("ignore")
        import pgserver  # noqa: F401
    log = logging.getLogger("pgserver")
    if log.level == logging.NOTSET:
        # pgserver logs every step at INFO, also from its atexit hook, after test runners have
        # closed their streams ("--- Logging error ---"); its warnings and errors still show.
        log.setLevel(logging.WARNING)


def embedded_status(data_dir: str | os.PathLike[str] | None = None) -> EmbeddedStatus:
    """Read ``postmaster.pid`` in ``data_dir``: a running, ready server, or not running."""
    _quiet_import_pgserver()
    from pgserver.utils import PostmasterInfo

    folder = _resolve(data_dir)
    try:
        info = PostmasterInfo.read_from_pgdata(folder)
    except (
        OSError,
        ValueError,
        AssertionError,
    ):  # unreadable, or half-written by a starting server
        info = None
    if info is None or not info.is_running() or info.status != "ready":
        return EmbeddedStatus(data_dir=folder, running=False)
    try:
        if (
            info.process is None or "postgres" not in info.process.name()
        ):  # a stale pid file whose pid was reused
            return EmbeddedStatus(data_dir=folder, running=False)
    except psutil.Error:
        return EmbeddedStatus(data_dir=folder, running=False)
    return EmbeddedStatus(
        data_dir=folder,
        running=True,
        pid=info.pid,
        socket_dir=info.socket_dir,
        port=info.port,
    )


def start_embedded(data_dir: str | os.PathLike[str] | None = None) -> EmbeddedStatus:
    """Attach to the server on ``data_dir``, or initialise and start it there first.

    Safe to call from several processes at once: a server already running on the folder is
    reused (never a second postmaster on the same data), and ``pgserver``'s lock serialises
    ``initdb``/start. The server keeps running after this process exits; stop it with
    :func:`stop_embedded` (``ntro data stop``).
    """
    status = embedded_status(data_dir)
    if status.running:
        return status
    folder = status.data_dir
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(exist_ok=True)
    except OSError as err:
        raise EmbeddedPostgresError(
            f"cannot create the data folder {folder} ({err.strerror}); "
            f"set {ENV_PG_DIR} to a writable folder"
        ) from err
    import pgserver

    if not (folder / "PG_VERSION").exists():
        seed_data_dir(folder)  # a copied cluster instead of initdb, when it can
    try:
        pgserver.PostgresServer(folder, cleanup_mode=None)
    except Exception as err:  # pgserver raises CalledProcessError/AssertionError/OSError
        raise EmbeddedPostgresError(
            f"embedded PostgreSQL did not start on {folder}: {err}; see {folder / 'log'}"
        ) from err
    status = embedded_status(folder)
    if not status.running:
        raise EmbeddedPostgresError(
            f"embedded PostgreSQL on {folder} reported started but is not running; "
            f"see {folder / 'log'}"
        )
    with _started_lock:
        _started_here.append((next(_sequence), status.data_dir))
    return status


def stop_embedded(data_dir: str | os.PathLike[str] | None = None) -> bool:
    """Stop the server on ``data_dir`` (fast shutdown); ``False`` when none was running."""
    from ntro.data._plane import terminate_planes_on  # lazy: _plane imports this module

    status = embedded_status(data_dir)
    if not status.running or status.pid is None:
        return False
    terminate_planes_on(status.data_dir)  # no cached pool left retrying a stopped server
    try:
        process = psutil.Process(status.pid)
        os.kill(status.pid, signal.SIGINT)  # postgres: SIGINT = fast shutdown
        process.wait(_STOP_TIMEOUT_S)
    except psutil.NoSuchProcess:
        return True
    except psutil.TimeoutExpired as err:
        raise EmbeddedPostgresError(
            f"embedded PostgreSQL (pid {status.pid}) did not stop within {_STOP_TIMEOUT_S:.0f} s; "
            f"see {status.data_dir / 'log'}"
        ) from err
    deadline = time.monotonic() + 2.0
    while (status.data_dir / "postmaster.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return True


def _stop_started(since: int) -> list[Path]:
    """Stop the servers this process started with sequence number ``since`` or later."""
    with _started_lock:
        doomed = [folder for number, folder in _started_here if number >= since]
        _started_here[:] = [(n, f) for n, f in _started_here if n < since]
    stopped = []
    for folder in reversed(doomed):
        if stop_embedded(folder):
            stopped.append(folder)
    return stopped


def stop_started_here() -> list[Path]:
    """Stop the servers this process started (not those it attached to); their folders.

    Why: a command-line worker leaves the server running for the next process to attach to,
    but a notebook kernel must leave nothing running when it exits, so the Jupyter session
    calls this when it closes.
    """
    return _stop_started(0)


@contextlib.contextmanager
def stop_started_within() -> Iterator[list[Path]]:
    """``with stop_started_within() as stopped:`` the servers started while the block runs are
    stopped when it ends, also on an error or Ctrl-C; a server that was already running (this
    process or another attached to it) is left alone. ``stopped`` lists their folders after.

    Why: what a test or a demo starts, it stops, without pulling a server from under whoever
    started it before (``ntro workflow test --real-activities``, the test harness).
    """
    since = next(_sequence)
    stopped: list[Path] = []
    try:
        yield stopped
    finally:
        stopped.extend(_stop_started(since))
