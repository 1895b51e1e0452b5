"""The persistent local Temporal dev server: start, find, stop, and clear errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

from ntro._devserver import DevServer, DevServerError, running_servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DevServer]:
    srv = DevServer(tmp_path / "state" / "temporal.db", port=free_port(), ui_port=free_port())
    yield srv
    srv.stop()


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("localhost", port), timeout=0.5):
            return True
    except OSError:
        return False


async def test_start_status_stop(server: DevServer, tmp_path: Path) -> None:
    assert server.status().running is False
    status = server.start()
    assert status.running and status.pid
    assert status.address == f"localhost:{server.port}"
    assert status.ui_url == f"http://localhost:{server.ui_port}"
    assert status.db_file == str(tmp_path / "state" / "temporal.db")
    # The pid/state file sits next to the database, and another DevServer finds the server.
    state = json.loads((tmp_path / "state" / "temporal.db.state.json").read_text())
    assert state["pid"] == status.pid
    found = DevServer(tmp_path / "state" / "temporal.db").status()
    assert found.running and found.pid == status.pid and found.address == status.address
    # A client can use it as soon as start() returns.
    client = await Client.connect(status.address)
    assert await client.service_client.check_health()
    # Starting again returns the running server instead of a second one.
    assert server.start().pid == status.pid

    assert server.stop() is True
    assert server.status().running is False
    assert not port_open(server.port)
    assert not server.state_file.exists()
    assert (tmp_path / "state" / "temporal.db").exists()  # the data stays
    assert server.stop() is False


async def test_a_workflow_outlives_a_restart_of_the_write_ahead_logged_database(
    server: DevServer, tmp_path: Path
) -> None:
    """The database runs in WAL mode (fewer syncs per workflow task); what was written before
    a stop is there after the next start."""
    import sqlite3

    status = server.start()
    client = await Client.connect(status.address)
    await client.start_workflow("NoSuchWorkflow", id="kept-across-restart", task_queue="nobody")
    assert server.stop() is True
    with sqlite3.connect(tmp_path / "state" / "temporal.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    status = server.start()
    client = await Client.connect(status.address)
    described = await client.get_workflow_handle("kept-across-restart").describe()
    assert described.workflow_type == "NoSuchWorkflow"


def test_headless_has_no_ui(tmp_path: Path) -> None:
    srv = DevServer(tmp_path / "t.db", port=free_port(), headless=True)
    try:
        status = srv.start()
        assert status.running and status.ui_url is None
        assert "--headless" in srv.command()
    finally:
        srv.stop()


def test_default_database_is_under_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    srv = DevServer()
    assert srv.db_file == tmp_path / ".ntro" / "temporal.db"
    assert (srv.port, srv.ui_port) == (7233, 8233)
    cmd = srv.command()
    assert cmd[1:3] == ["server", "start-dev"]
    assert cmd[cmd.index("--db-filename") + 1] == str(tmp_path / ".ntro" / "temporal.db")
    assert cmd[cmd.index("--port") + 1] == "7233"
    assert cmd[cmd.index("--ui-port") + 1] == "8233"
    assert DevServer(namespace="finance").command()[-2:] == ["--namespace", "finance"]


def test_port_in_use_is_reported_before_starting(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        srv = DevServer(tmp_path / "t.db", port=port, ui_port=free_port())
        with pytest.raises(DevServerError) as info:
            srv.start()
    assert f"gRPC port {port}" in str(info.value)
    assert "--port" in str(info.value)
    assert f"by process {os.getpid()} (" in str(info.value)  # who holds it
    assert f"`kill {os.getpid()}`" in str(info.value)  # and how to stop it
    assert not srv.state_file.exists()


def test_a_server_that_dies_at_start_shows_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "temporal"
    fake.write_text(
        "#!/bin/sh\necho 'starting'\necho 'error: unknown flag --frobnicate' >&2\nexit 3\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("NTRO_TEMPORAL_CLI", str(fake))
    srv = DevServer(tmp_path / "t.db", port=free_port(), ui_port=free_port())
    with pytest.raises(DevServerError) as info:
        srv.start(timeout=10)
    message = str(info.value)
    assert "exited with code 3 during start-up" in message
    assert "error: unknown flag --frobnicate" in message
    assert str(srv.log_file) in message
    assert srv.status().running is False


def test_a_stale_state_file_is_ignored(tmp_path: Path) -> None:
    srv = DevServer(tmp_path / "t.db", port=free_port())
    srv.state_file.write_text(json.dumps({"pid": 2**22 + 12345, "address": "localhost:1"}))
    status = srv.status()
    assert status.running is False and status.pid is None
    assert not srv.state_file.exists()


async def test_workflows_survive_a_restart(tmp_path: Path) -> None:
    """The SQLite file keeps workflow executions across a stop and a start."""
    srv = DevServer(tmp_path / "t.db", port=free_port(), ui_port=free_port())
    workflow_id = f"persist-{uuid.uuid4().hex[:8]}"
    try:
        client = await Client.connect(srv.start().address)
        await client.start_workflow("NoWorkerWorkflow", id=workflow_id, task_queue="nobody")
        srv.stop()
        client = await Client.connect(srv.start().address)
        description = await client.get_workflow_handle(workflow_id).describe()
        assert description.id == workflow_id
        assert description.workflow_type == "NoWorkerWorkflow"
    finally:
        srv.stop()
    assert os.path.getsize(srv.db_file) > 0


def test_a_start_up_failure_names_the_panic_not_only_the_stack(tmp_path: Path) -> None:
    from ntro._devserver import _startup_failure

    log = tmp_path / "temporal.db.log"
    stack = "\n".join(f"github.com/temporalio/cli/frame{i}()\n\t/src/x.go:{i}" for i in range(40))
    log.write_text(
        f"time=... level=INFO starting\npanic: listen tcp :7236: bind: address already in use\n\n{stack}\n"
    )

    summary = _startup_failure(log)

    assert summary.startswith("panic: listen tcp :7236: bind: address already in use")
    assert summary.rstrip().endswith("/src/x.go:39")


@pytest.fixture
def ntro_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the servers ntro started are listed, for this test only."""
    home = tmp_path / "home"
    monkeypatch.setenv("NTRO_HOME", str(home))
    return home


def ntro_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ntro.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_server_started_for_a_process_stops_when_that_process_ends(
    tmp_path: Path, ntro_home: Path
) -> None:
    """What a notebook's kernel does: its server goes when the kernel goes, however it ends."""
    kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    srv = DevServer(tmp_path / "nb" / "temporal.db", port=free_port(), headless=True)
    try:
        status = srv.start(stop_with=kernel.pid)
        assert status.stops_with == kernel.pid
        assert [s.db_file for s in running_servers()] == [str(srv.db_file)]
        assert f"stops with process {kernel.pid}" in srv.status().describe()
        kernel.kill()  # not even a clean exit
        kernel.wait()
        deadline = time.monotonic() + 20
        while srv.status().running and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not srv.status().running
        assert not port_open(srv.port)
        assert running_servers() == []
        assert list((ntro_home / "dev-servers").glob("*.json")) == []
    finally:
        kernel.kill()
        srv.stop()


def test_ls_and_stop_find_servers_started_from_another_folder(
    tmp_path: Path, ntro_home: Path
) -> None:
    elsewhere = DevServer(tmp_path / "notebooks" / "temporal.db", port=free_port(), headless=True)
    repo = tmp_path / "repo"
    repo.mkdir()
    try:
        elsewhere.start()
        listed = ntro_cli("dev-server", "ls", cwd=repo)
        assert listed.returncode == 0, listed.stderr
        assert str(elsewhere.db_file) in listed.stdout
        assert f"pid {elsewhere.status().pid}" in listed.stdout
        # The port is taken: the message names the server and the command that stops it.
        clash = DevServer(repo / ".ntro" / "temporal.db", port=elsewhere.port, headless=True)
        with pytest.raises(DevServerError) as info:
            clash.start()
        assert f"by the Temporal dev server for {elsewhere.db_file}" in str(info.value)
        assert f"ntro dev-server stop --db {elsewhere.db_file}" in str(info.value)
        missed = ntro_cli("dev-server", "stop", cwd=repo)
        assert "No Temporal dev server running for .ntro/temporal.db" in missed.stdout
        assert f"Running: Temporal dev server running at {elsewhere.address}" in missed.stdout
        assert elsewhere.status().running
        stopped = ntro_cli("dev-server", "stop", "--all", cwd=repo)
        assert f"Stopped the Temporal dev server for {elsewhere.db_file}" in stopped.stdout
        assert not elsewhere.status().running
        assert (
            "No Temporal dev server started by ntro"
            in ntro_cli("dev-server", "ls", cwd=repo).stdout
        )
    finally:
        elsewhere.stop()
