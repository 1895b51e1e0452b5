"""Real Jupyter processes and a dev server for the server-extension and browser tests.

``JupyterProcess`` runs ``jupyter server`` or ``jupyter lab`` from this interpreter on a free
loopback port with a token, with the ntro server extension enabled on the command line (so
the tests do not depend on how the package was installed) and every Jupyter directory in a
temporary folder (no workspace or setting leaks between runs).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    return free_port()


class JupyterProcess:
    """``jupyter server`` / ``jupyter lab`` as a subprocess; ``stop()`` ends it and its group."""

    def __init__(
        self,
        workdir: Path,
        *,
        app: str = "server",
        env: dict[str, str] | None = None,
        root_dir: Path | None = None,
    ) -> None:
        self.app = app
        self.workdir = workdir
        self.root_dir = root_dir or (workdir / "root")
        self.port = free_port()
        self.token = uuid.uuid4().hex
        self.extra_env = dict(env or {})
        self.log_file = workdir / f"jupyter-{app}-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path: str = "", token: bool = True) -> str:
        sep = "&" if "?" in path else "?"
        return self.base_url + path.lstrip("/") + (f"{sep}token={self.token}" if token else "")

    def _command(self) -> list[str]:
        module = "jupyterlab" if self.app == "lab" else "jupyter_server"
        cmd = [
            sys.executable,
            "-m",
            module,
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",
            '--ServerApp.jpserver_extensions={"ntro_jupyter": True}',
        ]
        if self.app == "lab":
            # The labextension under test is this checkout's build, whatever is installed.
            extensions = self.workdir / "labextensions"
            extensions.mkdir(parents=True, exist_ok=True)
            link = extensions / "ntro-jupyter"
            if not link.exists():
                link.symlink_to(REPO / "ntro_jupyter" / "labextension", target_is_directory=True)
            cmd += [
                f"--LabApp.extra_labextensions_path={json.dumps([str(extensions)])}",
                "--LabApp.expose_app_in_browser=True",
                f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
                f"--LabApp.user_settings_dir={self.workdir / 'settings'}",
                "--LabApp.news_url=",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]
        return cmd

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "NTRO_DEV"))}
        config = self.workdir / "jupyter-config"
        (config / "labconfig").mkdir(parents=True, exist_ok=True)
        # No "receive Jupyter news?" toast over the screenshots.
        (config / "labconfig" / "page_config.json").write_text(
            json.dumps(
                {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
            )
        )
        env.update(
            {
                "JUPYTER_CONFIG_DIR": str(config),
                "JUPYTER_RUNTIME_DIR": str(self.workdir / "runtime"),
                "JUPYTER_PLATFORM_DIRS": "1",
                "PYTHONUNBUFFERED": "1",
                "NTRO_REVIEWER": "test.reviewer@example.com",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90.0) -> JupyterProcess:
        self.root_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_file.open("wb")
        self.proc = subprocess.Popen(
            self._command(),
            cwd=str(self.root_dir),
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"jupyter {self.app} exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"jupyter {self.app} did not start in {timeout:g}s:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def log_tail(self, lines: int = 40) -> str:
        try:
            with self.log_file.open(errors="replace") as fh:
                return "".join(deque(fh, maxlen=lines))
        except OSError:
            return ""

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)  # Jupyter shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        # Kernels started by this server run in its process group; end any left behind.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass

    def __enter__(self) -> JupyterProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class TemporalThread:
    """A Temporal client and worker on their own event loop in a background thread.

    Browser tests are synchronous (Playwright's sync API); the worker must keep running while
    a test waits on the browser, so it lives on a loop of its own. ``call(coro_fn, ...)``
    runs a coroutine there and returns its result.
    """

    def __init__(self, address: str, task_queue: str, workflows: list[type]) -> None:
        import asyncio
        import threading

        self.address = address
        self.task_queue = task_queue
        self.workflows = workflows
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: Any = None
        self._error: BaseException | None = None
        self.client: Any = None
        self._thread = threading.Thread(target=self._run, name="temporal-worker", daemon=True)

    def _run(self) -> None:
        import asyncio

        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        import asyncio

        from temporalio.client import Client
        from temporalio.contrib.pydantic import pydantic_data_converter
        from temporalio.worker import UnsandboxedWorkflowRunner, Worker

        from ntro.cluster import visibility_support
        from ntro.testing import quiet_runtime

        self._stop = asyncio.Event()
        try:
            self.client = await Client.connect(
                self.address, data_converter=pydantic_data_converter, runtime=quiet_runtime()
            )
            async with Worker(
                self.client,
                task_queue=self.task_queue,
                workflows=self.workflows,
                activities=[visibility_support],  # runs publish their gates, as on ntro worker
                workflow_runner=UnsandboxedWorkflowRunner(),
                max_cached_workflows=2000,
            ):
                self._ready.set()
                await self._stop.wait()
        except BaseException as err:  # surfaced by start()
            self._error = err
            self._ready.set()

    def start(self) -> TemporalThread:
        self._thread.start()
        self._ready.wait(60)
        if self._error is not None:
            raise RuntimeError(f"the test worker could not start: {self._error}")
        return self

    def call(self, fn: Any, *args: Any, timeout: float = 60, **kwargs: Any) -> Any:
        import asyncio

        future = asyncio.run_coroutine_threadsafe(fn(*args, **kwargs), self.loop)
        return future.result(timeout)

    def stop(self) -> None:
        if self._stop is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(30)
