"""A persistent local Temporal cluster: ``temporal server start-dev`` with an SQLite file.

:class:`DevServer` starts the dev server from the pip-installed ``temporal`` CLI as a detached
process, records its pid and ports in a state file next to the database, and finds it again from
another process (the ``ntro dev-server`` command, the ``%ntro server`` magics) through that file.

    server = DevServer()                 # .ntro/temporal.db under the current directory
    status = server.start()              # returns once the gRPC port accepts connections
    print(status.address, status.ui_url)
    server.stop()
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ntro._binaries import temporal_cli_path
from ntro._errors import NtroError

__all__ = [
    "DEFAULT_DB_FILE",
    "DevServer",
    "DevServerError",
    "DevServerStatus",
    "registry_dir",
    "running_servers",
]

DEFAULT_DB_FILE = Path(".ntro") / "temporal.db"
#: SQLite in write-ahead-log mode, synced at checkpoints rather than at every commit: safe
#: against the server or kernel crashing (only a machine losing power can lose the last
#: transactions), and it cuts the server's work per workflow task. Measured with
#: ``bench/inbox_bench.py``'s bulk approval: 28 decisions/s with the CLI's defaults against 44
#: to 56/s with these, and 10,000 workflows started about 3x faster.
SQLITE_PRAGMAS = ("journal_mode=wal", "synchronous=normal")

# Popen objects of servers started by this process, so stop() can reap them (no zombies in a
# long-lived kernel) and liveness checks see an exited child at once.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class DevServerError(NtroError, RuntimeError):
    """The dev server could not be started, found or stopped; the message says why and what to do."""


@dataclass(frozen=True)
class DevServerStatus:
    """What ``status()`` reports. ``address`` is the gRPC ``host:port`` clients connect to."""

    running: bool
    pid: int | None
    address: str
    ui_url: str | None
    db_file: str
    namespace: str = "default"
    log_file: str | None = None
    started_at: str | None = None
    stops_with: int | None = None
    """The process whose end stops this server (a notebook's kernel), None when detached."""

    def describe(self) -> str:
        """One line for people: running or not, where, and the Web UI."""
        if not self.running:
            return f"Temporal dev server not running (database {self.db_file})"
        ui = f", Web UI {self.ui_url}" if self.ui_url else ""
        owner = f", stops with process {self.stops_with}" if self.stops_with else ""
        return (
            f"Temporal dev server running at {self.address} (namespace {self.namespace}{ui}, "
            f"pid {self.pid}, database {self.db_file}{owner})"
        )


def _port_open(host: str, port: int, timeout: float = 0.25) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # A zombie still answers kill(0); it is not running.
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _looks_like_server(pid: int, command: list[str] | None) -> bool:
    """Guard against a recycled pid: on Linux, check the process runs the recorded binary."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # No /proc (macOS): trust the pid.
    exe = command[0] if command and isinstance(command[0], str) else "temporal"
    return os.path.basename(exe).encode() in cmdline and b"start-dev" in cmdline


def _tail(path: Path, lines: int = 20) -> str:
    try:
        with path.open(errors="replace") as fh:
            return "".join(deque(fh, maxlen=lines)).rstrip()
    except OSError:
        return ""


# A Go panic prints its reason first and then a stack that fills any tail of the log.
_FAILURE_MARKERS = ("panic:", "Error:", "error:", "fatal error:")


def _startup_failure(path: Path) -> str:
    """What a dead server said: its panic or error line (if any), then the log's last lines."""
    tail = _tail(path)
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return tail
    for line in text.splitlines():
        if line.lstrip().startswith(_FAILURE_MARKERS) and line not in tail:
            return f"{line.strip()}\n...\n{tail}"
    return tail


def _lost_port_race(path: Path) -> bool:
    """The server died binding a port another process took after the server picked it.

    Why: ``temporal server start-dev`` picks free ports for its internal services itself and
    binds them a moment later; on a busy machine another process can take one in between.
    """
    try:
        return "address already in use" in path.read_text(errors="replace")
    except OSError:
        return False


def registry_dir() -> Path:
    """Where every server ``ntro`` starts is listed (``$NTRO_HOME/dev-servers``, default
    ``~/.ntro/dev-servers``), so ``ntro dev-server ls`` and ``stop`` find servers started from
    any folder, a notebook's included."""
    return Path(os.environ.get("NTRO_HOME") or "~/.ntro").expanduser() / "dev-servers"


def _registry_entry(state_file: Path) -> Path:
    digest = hashlib.sha256(str(state_file).encode()).hexdigest()[:16]
    return registry_dir() / f"{digest}.json"


def _register(state_file: Path) -> None:
    try:
        registry_dir().mkdir(parents=True, exist_ok=True)
        _registry_entry(state_file).write_text(json.dumps({"state_file": str(state_file)}) + "\n")
    except OSError:  # a read-only home: the server runs, ls will not list it
        pass


def _unregister(state_file: Path) -> None:
    try:
        _registry_entry(state_file).unlink()
    except OSError:
        pass


def running_servers() -> list[DevServerStatus]:
    """Every Temporal dev server ``ntro`` started that still runs (stale entries are dropped)."""
    found = []
    for entry in sorted(registry_dir().glob("*.json")):
        try:
            state_file = Path(json.loads(entry.read_text())["state_file"])
        except (OSError, ValueError, KeyError, TypeError):
            entry.unlink(missing_ok=True)
            continue
        db_file = state_file.with_name(state_file.name.removesuffix(".state.json"))
        status = DevServer(db_file).status()
        if status.running:
            found.append(status)
        else:
            entry.unlink(missing_ok=True)
    return found


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # local_address is HEXIP:HEXPORT; state 0A is LISTEN.
            if (
                len(fields) > 9
                and fields[3] == "0A"
                and int(fields[1].rsplit(":", 1)[1], 16) == port
            ):
                inodes.add(fields[9])
    return inodes


def port_holder(port: int) -> tuple[int, str] | None:
    """The process listening on ``port`` (Linux, where ``/proc`` says): ``(pid, command)``."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fds = list((proc / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in targets:
                    command = (
                        (proc / "cmdline")
                        .read_bytes()
                        .replace(b"\0", b" ")
                        .decode(errors="replace")
                    )
                    return int(proc.name), command.strip()
            except OSError:
                continue
    return None


def _port_in_use(label: str, ip: str, port: int, flag: str) -> str:
    """Who holds the port and how to free it, in one message."""
    holder = port_holder(port)
    prefix = f"{label} port {port} on {ip} is already in use"
    if holder is None:
        return (
            f"{prefix} by another process (another Temporal server?). Stop it, or choose a "
            f"free port with {flag}."
        )
    pid, command = holder
    for server in running_servers():
        if server.pid is not None and (server.pid == pid or _in_group(pid, server.pid)):
            return (
                f"{prefix} by the Temporal dev server for {server.db_file} (pid {server.pid}). "
                f"Stop it with `ntro dev-server stop --db {server.db_file}`, or choose a free "
                f"port with {flag}."
            )
    shown = command if len(command) <= 120 else command[:117] + "..."
    return (
        f"{prefix} by process {pid} ({shown}). Stop it (`kill {pid}`), or choose a free port "
        f"with {flag}."
    )


def _in_group(pid: int, leader: int) -> bool:
    try:
        return os.getpgid(pid) == leader
    except OSError:
        return False


def _watch(owner: int, pid: int, state_file: str) -> None:
    """Stop server ``pid`` once process ``owner`` has ended (run in a watchdog process)."""
    while _pid_alive(owner) and _pid_alive(pid):
        time.sleep(0.5)
    if _pid_alive(pid):
        DevServer._terminate(pid, grace=10.0)
    path = Path(state_file)
    try:
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass
    _unregister(path)


def _spawn_watchdog(owner: int, pid: int, state_file: Path) -> None:
    code = "import sys; from ntro._devserver import _watch; _watch(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])"
    subprocess.Popen(
        [sys.executable, "-c", code, str(owner), str(pid), str(state_file)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


class DevServer:
    """A ``temporal server start-dev`` process with a persistent SQLite database.

    The state file (``<db>.state.json``) and log (``<db>.log``) sit next to the database, so two
    servers with different databases (and ports) can run side by side. With
    ``search_attributes`` (the default) the runbook search attributes are registered at start.
    """

    def __init__(
        self,
        db_file: str | os.PathLike[str] | None = None,
        *,
        port: int = 7233,
        ui_port: int = 8233,
        namespace: str = "default",
        ip: str = "localhost",
        headless: bool = False,
        log_level: str = "warn",
        extra_args: list[str] | None = None,
        search_attributes: bool = True,
    ) -> None:
        self.db_file = Path(db_file if db_file is not None else DEFAULT_DB_FILE).expanduser()
        if not self.db_file.is_absolute():
            self.db_file = Path.cwd() / self.db_file
        self.port = port
        self.ui_port = ui_port
        self.namespace = namespace
        self.ip = ip
        self.headless = headless
        self.log_level = log_level
        self.extra_args = list(extra_args or [])
        self.search_attributes = search_attributes

    # ── files ────────────────────────────────────────────────────────────
    @property
    def state_file(self) -> Path:
        return self.db_file.with_name(self.db_file.name + ".state.json")

    @property
    def log_file(self) -> Path:
        return self.db_file.with_name(self.db_file.name + ".log")

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    @property
    def ui_url(self) -> str | None:
        return None if self.headless else f"http://{self.ip}:{self.ui_port}"

    def _read_state(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None

    def _clear_state(self) -> None:
        try:
            self.state_file.unlink()
        except FileNotFoundError:
            pass
        _unregister(self.state_file)

    def command(self) -> list[str]:
        """The command line ``start()`` runs."""
        cmd = [
            temporal_cli_path(),
            "server",
            "start-dev",
            "--db-filename",
            str(self.db_file),
            "--ip",
            self.ip,
            "--port",
            str(self.port),
            "--log-level",
            self.log_level,
        ]
        for pragma in SQLITE_PRAGMAS:
            cmd += ["--sqlite-pragma", pragma]
        if self.search_attributes:
            # The attributes runbooks publish their open gates in (ntro.workflow._visibility),
            # registered at every start: the inbox lists reviews from the server alone.
            from ntro.workflow import ATTRIBUTE_TYPES

            for name, kind in ATTRIBUTE_TYPES.items():
                cmd += ["--search-attribute", f"{name}={kind}"]
        if self.headless:
            cmd.append("--headless")
        else:
            cmd += ["--ui-port", str(self.ui_port)]
        if self.namespace != "default":
            cmd += ["--namespace", self.namespace]
        return cmd + self.extra_args

    # ── lifecycle ────────────────────────────────────────────────────────
    def status(self) -> DevServerStatus:
        """Whether the server recorded next to this database is running, and where."""
        state = self._read_state()
        if state is not None:
            pid = state["pid"]
            if _pid_alive(pid) and _looks_like_server(pid, state.get("command")):
                return DevServerStatus(
                    running=True,
                    pid=pid,
                    address=state.get("address", self.address),
                    ui_url=state.get("ui_url"),
                    db_file=state.get("db_file", str(self.db_file)),
                    namespace=state.get("namespace", self.namespace),
                    log_file=state.get("log_file"),
                    started_at=state.get("started_at"),
                    stops_with=state.get("stops_with"),
                )
            self._clear_state()  # Stale: the process is gone.
        return DevServerStatus(
            running=False,
            pid=None,
            address=self.address,
            ui_url=self.ui_url,
            db_file=str(self.db_file),
            namespace=self.namespace,
            log_file=str(self.log_file) if self.log_file.exists() else None,
        )

    def start(self, timeout: float = 30.0, *, stop_with: int | None = None) -> DevServerStatus:
        """Start the server detached; return once it serves requests in its namespace.

        If a server is already recorded for this database and alive, it is returned as is. A
        start-up lost to a race for one of the server's internal ports is tried again (twice).
        ``stop_with`` names a process (a notebook's kernel): a server started here stops when
        that process ends, however it ends (a watchdog process waits for it).
        """
        current = self.status()
        if current.running:
            return current
        attempts_left = 3
        while True:
            try:
                return self._start_once(timeout, stop_with)
            except DevServerError:
                attempts_left -= 1
                if not attempts_left or not _lost_port_race(self.log_file):
                    raise

    def _start_once(self, timeout: float, stop_with: int | None) -> DevServerStatus:
        for label, port, flag in (
            ("gRPC", self.port, "--port"),
            ("Web UI", self.ui_port, "--ui-port"),
        ):
            if label == "Web UI" and self.headless:
                continue
            if _port_open(self.ip, port):
                raise DevServerError(_port_in_use(label, self.ip, port, flag))
        cmd = self.command()
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_file.open("wb")
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=str(self.db_file.parent),
                start_new_session=True,
                close_fds=True,
            )
        except OSError as err:
            raise DevServerError(f"could not run {cmd[0]}: {err}") from err
        finally:
            log.close()
        _CHILDREN[proc.pid] = proc
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        state = {
            "pid": proc.pid,
            "address": self.address,
            "ui_url": self.ui_url,
            "db_file": str(self.db_file),
            "namespace": self.namespace,
            "log_file": str(self.log_file),
            "port": self.port,
            "ui_port": None if self.headless else self.ui_port,
            "started_at": started_at,
            "command": cmd,
            "stops_with": stop_with,
        }
        self.state_file.write_text(json.dumps(state, indent=2) + "\n")
        _register(self.state_file)
        if stop_with is not None:
            _spawn_watchdog(stop_with, proc.pid, self.state_file)

        deadline = time.monotonic() + timeout
        while True:
            code = proc.poll()
            if code is not None:
                self._clear_state()
                _CHILDREN.pop(proc.pid, None)
                tail = _startup_failure(self.log_file)
                raise DevServerError(
                    f"the Temporal dev server exited with code {code} during start-up "
                    f"(log: {self.log_file}). Last lines:\n{tail or '(empty log)'}"
                )
            if _port_open(self.ip, self.port) and self._serving(cmd[0]):
                break
            if time.monotonic() > deadline:
                self._terminate(proc.pid, grace=5.0)
                self._clear_state()
                tail = _tail(self.log_file)
                raise DevServerError(
                    f"the Temporal dev server did not accept connections on {self.address} "
                    f"within {timeout:g}s and was stopped (log: {self.log_file}). "
                    f"Last lines:\n{tail or '(empty log)'}"
                )
            time.sleep(0.05)
        return DevServerStatus(
            running=True,
            pid=proc.pid,
            address=self.address,
            ui_url=self.ui_url,
            db_file=str(self.db_file),
            namespace=self.namespace,
            log_file=str(self.log_file),
            started_at=started_at,
            stops_with=stop_with,
        )

    def _serving(self, cli: str) -> bool:
        """The frontend answers health checks and knows the namespace (a TCP accept comes
        earlier: clients connecting then get "Frontend is not healthy yet")."""
        base = ["--address", self.address]
        try:
            health = subprocess.run(
                [cli, "operator", "cluster", "health", *base],
                capture_output=True,
                text=True,
                timeout=5,
                stdin=subprocess.DEVNULL,
            )
            if health.returncode != 0 or health.stdout.split()[-1:] != ["SERVING"]:
                return False
            namespace = subprocess.run(
                [cli, "operator", "namespace", "describe", "--namespace", self.namespace, *base],
                capture_output=True,
                text=True,
                timeout=5,
                stdin=subprocess.DEVNULL,
            )
            return namespace.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the server recorded for this database. Returns False if none was running."""
        current = self.status()
        if not current.running or current.pid is None:
            return False
        self._terminate(current.pid, grace=timeout)
        self._clear_state()
        return True

    def wait(self, poll: float = 0.5) -> int | None:
        """Block while the recorded server runs (a foreground ``start``).

        Returns its exit code when this process started it, else None.
        """
        pid = self.status().pid
        while self.status().running:
            time.sleep(poll)
        child = _CHILDREN.pop(pid, None) if pid is not None else None
        return child.wait() if child is not None else None

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log (what it printed before dying)."""
        return _tail(self.log_file, lines)

    @staticmethod
    def _terminate(pid: int, grace: float) -> None:
        def send(sig: int) -> None:
            try:
                if hasattr(os, "killpg"):
                    os.killpg(pid, sig)  # start_new_session made pid the group leader.
                else:  # pragma: no cover - Windows
                    os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass

        send(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _pid_alive(pid):
            send(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        child = _CHILDREN.pop(pid, None)
        if child is not None:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass

    def as_dict(self) -> dict[str, Any]:
        return asdict(self.status())
