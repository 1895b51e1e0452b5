"""What ``--real-activities`` starts, it stops: ``ntro workflow test --real-activities`` (run as a
user runs it, in a subprocess) and ``WorkflowHarness(real_activities=True)`` stop the embedded
PostgreSQL they started when they end, also when a scenario fails, the body raises or the run is
interrupted, while a server that was already running is left running. Dropping a scenario's
database while document-ingest's children read uploads through the document store (a second
event loop) prints no asyncpg "Failed to restore the pool connection floor" warning."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from temporalio.testing import WorkflowEnvironment

from ntro.data import embedded_status, start_embedded, stop_embedded
from ntro.runbook import load_bundle
from ntro.testing import Scenario, WorkflowHarness
from tests.fixtures.statement_pdf import statement_lines, statement_pdf

ROOT = Path(__file__).resolve().parents[2]
CLOSE = ROOT / "notebooks" / "runbooks" / "month-end-close"
INGEST = ROOT / "notebooks" / "runbooks" / "document-ingest"
STATEMENT = ROOT / "tests" / "capabilities" / "bundles" / "statement-ingest"
FLOOR_WARNING = "Failed to restore the pool connection floor"


def postgres_on(folder: Path) -> list[int]:
    """Pids of postgres processes serving ``folder`` (however they were started)."""
    pids = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "postgres" in (process.info["name"] or "") and str(folder) in cmdline:
            pids.append(process.pid)
    return pids


def user_env(tmp_path: Path) -> dict[str, str]:
    """A user's shell with every ntro folder under ``tmp_path`` (the data plane in ``pg``)."""
    env = {**os.environ, "NO_COLOR": "1", "NTRO_PG_DIR": str(tmp_path / "pg")}
    env.pop("NTRO_DOCUMENT_STORE", None)  # uploads go to the data plane
    env.pop("NTRO_TENANT_POSTGRES_URL", None)
    for name, folder in (
        ("NTRO_LEDGER_DIR", "ledger"),
        ("NTRO_ARTIFACTS_DIR", "artifacts"),
        ("NTRO_TRACE_DIR", "traces"),
    ):
        env[name] = str(tmp_path / folder)
    return env


def ntro_cmd(*args: str) -> list[str]:
    return [sys.executable, "-c", "from ntro.cli import main; main()", *args]


def close_with_children() -> list[str]:
    return ntro_cmd("workflow", "test", str(CLOSE), "--child", str(INGEST), "--real-activities")


def data_status(env: dict[str, str]) -> str:
    done = subprocess.run(
        ntro_cmd("data", "status"), capture_output=True, text=True, timeout=60, env=env
    )
    return done.stdout + done.stderr


def statement_copy(tmp_path: Path) -> Path:
    """statement-ingest beside the PDF its ``corrected`` scenario names."""
    folder = tmp_path / "statement-ingest"
    shutil.copytree(STATEMENT, folder)
    (folder / "statement.pdf").write_bytes(statement_pdf(statement_lines(10)))
    return folder


def test_the_cli_stops_the_server_it_started_and_prints_no_pool_warning(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    done = subprocess.run(
        close_with_children(), capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "summary: 2 passed, 0 failed (of 2)" in done.stdout
    assert FLOOR_WARNING not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert postgres_on(tmp_path / "pg") == []
    assert "embedded PostgreSQL not running" in data_status(env)


def test_the_cli_leaves_a_server_that_was_already_running(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    before = start_embedded(tmp_path / "pg")  # started by someone else (this test)
    try:
        done = subprocess.run(
            ntro_cmd(
                "--debug",
                "workflow",
                "test",
                str(statement_copy(tmp_path)),
                "--real-activities",
                "--scenario",
                "corrected",
            ),
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert FLOOR_WARNING not in done.stderr, done.stderr
        after = embedded_status(tmp_path / "pg")
        assert after.running and after.pid == before.pid
        status = data_status(env)
        assert "embedded PostgreSQL running" in status
        assert "harness_" not in status  # the scenario's database was dropped all the same
    finally:
        stop_embedded(tmp_path / "pg")
    assert postgres_on(tmp_path / "pg") == []


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_cli_run_stops_the_server_it_started(
    tmp_path: Path, how: signal.Signals
) -> None:
    env = user_env(tmp_path)
    process = subprocess.Popen(
        close_with_children(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 120
        while not embedded_status(tmp_path / "pg").running:  # interrupted mid-run
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        process.send_signal(how)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, out + err
    assert postgres_on(tmp_path / "pg") == []
    assert "embedded PostgreSQL not running" in data_status(env)


async def test_the_harness_stops_the_server_it_started_even_when_its_body_fails(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    time_skipping_env: WorkflowEnvironment,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="asyncpg")
    monkeypatch.setenv("NTRO_PG_DIR", str(tmp_path / "pg"))  # nothing runs there yet
    bundle = load_bundle(STATEMENT)
    with pytest.raises(RuntimeError, match="the test's own failure"):
        async with WorkflowHarness(
            bundle.workflow_cls,
            activities=bundle.activities,
            env=time_skipping_env,
            real_activities=True,
        ) as harness:
            result = await harness.run(scenario=Scenario("nofile"))  # a failing scenario
            assert not result.passed and "names no file" in result.error
            assert embedded_status(tmp_path / "pg").running  # it started the server
            raise RuntimeError("the test's own failure")
    assert not embedded_status(tmp_path / "pg").running
    assert postgres_on(tmp_path / "pg") == []
    assert not [r for r in caplog.records if FLOOR_WARNING in r.getMessage()]


async def test_the_harness_leaves_the_sessions_server_running(
    embedded_pg, time_skipping_env: WorkflowEnvironment
) -> None:
    # The session's server as it is now: an earlier test in this process may have closed a
    # notebook session, which stops what the process started (and then this starts it again).
    before = start_embedded(embedded_pg.data_dir)
    bundle = load_bundle(STATEMENT)
    async with WorkflowHarness(
        bundle.workflow_cls,
        activities=bundle.activities,
        env=time_skipping_env,
        real_activities=True,
    ) as harness:
        await harness.run(scenario=Scenario("nofile"))
    after = embedded_status(embedded_pg.data_dir)
    assert after.running and after.pid == before.pid
