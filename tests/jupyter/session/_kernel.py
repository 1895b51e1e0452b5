"""A real IPython kernel driven over ZMQ, as a front end would drive it.

``execute`` runs a cell and collects what the front end would show (stdout, stderr, results,
errors, displays); ``comm_msg`` sends a widget message exactly as the ipywidgets front end does
(``{"method": "custom", "content": ...}``), on the main shell or on a subshell.
"""

from __future__ import annotations

import os
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client import KernelManager


@dataclass
class CellResult:
    stdout: str = ""
    stderr: str = ""
    error: dict[str, Any] | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    displays: list[dict[str, Any]] = field(default_factory=list)
    status: str = "ok"

    @property
    def text(self) -> str:
        parts = [self.stdout, self.stderr]
        parts += [r.get("text/plain", "") for r in self.results]
        if self.error:
            parts.append(f"{self.error.get('ename')}: {self.error.get('evalue')}")
        return "\n".join(p for p in parts if p)

    def value(self) -> str:
        return self.results[-1].get("text/plain", "") if self.results else ""

    def check(self) -> CellResult:
        if self.error:
            tb = "\n".join(self.error.get("traceback", []))
            raise AssertionError(
                f"cell failed: {self.error.get('ename')}: {self.error.get('evalue')}\n{tb}"
            )
        return self


class Kernel:
    """One kernel process (the test's Python) with its own working directory and environment."""

    def __init__(self, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.cwd = cwd
        self.env = {**os.environ, **(env or {})}
        self.km = KernelManager(kernel_name="python3")
        self.kc: Any = None

    def start(self, timeout: float = 60) -> Kernel:
        self.km.start_kernel(
            cwd=str(self.cwd), env=self.env, extra_arguments=["--HistoryManager.enabled=False"]
        )
        self._connect(timeout)
        return self

    def _connect(self, timeout: float) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=timeout)

    def restart(self, timeout: float = 60) -> None:
        self.kc.stop_channels()
        self.km.restart_kernel(now=False)
        self._connect(timeout)

    def shutdown(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        finally:
            if self.km.is_alive():
                self.km.shutdown_kernel(now=False)

    # -- cells -----------------------------------------------------------------------------
    def execute(self, code: str, timeout: float = 60, subshell_id: str | None = None) -> CellResult:
        msg = self.kc.session.msg(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        if subshell_id is not None:
            msg["header"]["subshell_id"] = subshell_id
        self.kc.shell_channel.send(msg)
        return self.collect(msg["header"]["msg_id"], timeout)

    def start_execute(self, code: str) -> str:
        """Send a cell and return its message id without waiting (``collect`` it later)."""
        msg = self.kc.session.msg(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def collect(self, msg_id: str, timeout: float = 60) -> CellResult:
        result = CellResult()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"cell did not finish within {timeout}s; so far: {result.text!r}"
                )
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                if content["name"] == "stdout":
                    result.stdout += content["text"]
                else:
                    result.stderr += content["text"]
            elif kind == "execute_result":
                result.results.append(content["data"])
            elif kind == "display_data":
                result.displays.append(content["data"])
            elif kind == "error":
                result.error = content
                result.status = "error"
            elif kind == "status" and content["execution_state"] == "idle":
                break
        # Drain the reply so the next cell's reply is its own.
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 1.0))
            except queue.Empty:
                break
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        return result

    def eval(self, expression: str, timeout: float = 60) -> str:
        """The ``text/plain`` repr of an expression evaluated in the kernel."""
        return self.execute(expression, timeout).check().value()

    # -- widgets -----------------------------------------------------------------------------
    def comm_msg(
        self, comm_id: str, content: dict[str, Any], subshell_id: str | None = None
    ) -> None:
        """A widget's custom message, as the ipywidgets front end sends it."""
        msg = self.kc.session.msg(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": content}}
        )
        if subshell_id is not None:
            msg["header"]["subshell_id"] = subshell_id
        self.kc.shell_channel.send(msg)

    def create_subshell(self, timeout: float = 10) -> str:
        msg = self.kc.session.msg("create_subshell_request", {})
        self.kc.control_channel.send(msg)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = self.kc.get_control_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return str(reply["content"]["subshell_id"])
        raise TimeoutError("no create_subshell_reply")
