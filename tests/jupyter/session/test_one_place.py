"""One place for each concern: the kernel session and the JupyterLab server extension connect
with the same settings and timeout, send decisions through the one sender, and the magics show
any ntro error as one line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from IPython.core.error import UsageError
from temporalio.service import RPCError, RPCStatusCode

import ntro.cluster._connect as connect_module
from ntro import NtroError
from ntro.cluster import CONNECT_TIMEOUT_S, ClusterError
from ntro_jupyter import Session, SessionError, Target
from ntro_jupyter._magics import NtroMagics
from ntro_jupyter._server import setup
from ntro_jupyter._server._handlers import NtroHandler, deliver_decision
from ntro_jupyter._session import _session
from ntro_jupyter._session._connection import Connection, OwnedServers

# -- one connection ----------------------------------------------------------------------------


class _WebApp:
    """What the server extension's ``setup`` needs of a Tornado application."""

    def __init__(self) -> None:
        self.settings: dict[str, Any] = {"base_url": "/"}

    def add_handlers(self, host: str, handlers: list[Any]) -> None:
        self.handlers = handlers


def _server_config(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], root: Path) -> Any:
    for name in list(env):
        monkeypatch.setenv(name, env[name])
    return setup(_WebApp(), root_dir=str(root)).cluster


def test_the_session_and_the_server_read_the_environment_alike(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("TEMPORAL_HOST", "TEMPORAL_ADDRESS", "TEMPORAL_API_KEY", "TEMPORAL_TLS"):
        monkeypatch.delenv(name, raising=False)
    local = {
        "NTRO_DEV_DB": str(tmp_path / "state" / "temporal.db"),
        "NTRO_DEV_PORT": "7243",
        "NTRO_DEV_UI_PORT": "8243",
        "TEMPORAL_NAMESPACE": "close",
    }
    server = _server_config(monkeypatch, local, tmp_path)
    session = Target.parse("dev", environ=local)
    assert session.config == server.config
    assert (server.config.dev_port, server.dev_server.port) == (7243, 7243)

    remote = {
        **local,
        "TEMPORAL_HOST": "temporal.example.com:7233",
        "TEMPORAL_API_KEY": "k-1",
        "TEMPORAL_UI_URL": "https://ui.example.com",
    }
    server = _server_config(monkeypatch, remote, tmp_path)
    session = Target.parse(None, environ=remote)
    assert session.kind == "remote" and session.config == server.config
    assert server.config.tls is True and server.config.namespace == "close"
    assert server.ui_url() == "https://ui.example.com"
    # ``%ntro connect dev`` means the local server, whatever cluster the environment names.
    dev = Target.parse("dev", environ=remote)
    assert dev.address is None and dev.port == 7243


def test_the_session_and_the_server_dial_with_the_same_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dialled: list[dict[str, Any]] = []

    class FakeClient:
        workflow_service = SimpleNamespace(describe_namespace=_answer)

        @classmethod
        async def connect(cls, target: str, **options: Any) -> FakeClient:
            dialled.append({"target": target, **options})
            return cls()

    async def wait_for(coro: Any, timeout: float) -> Any:
        dialled.append({"timeout": timeout})
        return await coro

    monkeypatch.setattr(connect_module, "Client", FakeClient)
    monkeypatch.setattr(connect_module, "asyncio", SimpleNamespace(wait_for=wait_for))
    env = {"TEMPORAL_HOST": "temporal.example.com:7233", "TEMPORAL_API_KEY": "k-1"}

    server = _server_config(monkeypatch, env, tmp_path)
    asyncio.run(server.client())
    target = Target.parse(None, environ=env)
    asyncio.run(Connection.open(target, OwnedServers()))

    server_call, session_call = dialled[0:2], dialled[2:4]
    assert server_call[0] == session_call[0] == {"timeout": CONNECT_TIMEOUT_S}
    for key in ("target", "namespace", "api_key", "tls"):
        assert server_call[1][key] == session_call[1][key], key
    assert server_call[1]["target"] == "temporal.example.com:7233"


async def _answer(*_: Any, **__: Any) -> None:
    return None


# -- one decision sender --------------------------------------------------------------------


class _Cluster:
    """A workflow handle whose server applies an update once per id and loses the first
    answer (a cluster that drops out mid-send)."""

    id = "wf-lab-1"

    def __init__(self) -> None:
        self.applied: dict[str, dict[str, Any]] = {}
        self.ids: list[str] = []

    def get_workflow_handle(self, workflow_id: str, run_id: str | None = None) -> _Cluster:
        return self

    async def execute_update(self, name: str, arg: Any, *, id: str, rpc_timeout: Any) -> Any:
        assert name == "submit_action"
        self.ids.append(id)
        first = id not in self.applied
        self.applied.setdefault(id, arg)
        if first:
            raise RPCError("connection reset", RPCStatusCode.UNAVAILABLE, b"")
        return {"accepted": True, "action": self.applied[id]["action"]}


def test_the_server_extension_sends_through_the_one_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ntro.cluster._decisions._FIRST_DELAY_S", 0.0)
    forgotten: list[str] = []
    handler = object.__new__(NtroHandler)
    handler.application = SimpleNamespace(  # type: ignore[assignment]
        settings={"ntro": SimpleNamespace(inbox=SimpleNamespace(forget=forgotten.append))}
    )
    temporal = _Cluster()
    decision = {"action": "approve", "gate_id": "review:1", "reviewer": "ana"}
    result = asyncio.run(
        deliver_decision(handler, temporal, "wf-lab-1", decision, None)  # type: ignore[arg-type]
    )
    assert result == {"accepted": True, "action": "approve"}
    # Sent twice (the first answer was lost) with one update id: applied once.
    assert len(temporal.ids) == 2 and len(set(temporal.ids)) == 1
    assert list(temporal.applied.values()) == [decision]
    assert forgotten == ["wf-lab-1"]


# -- one exception root ---------------------------------------------------------------------


@pytest.fixture
def magics(monkeypatch: pytest.MonkeyPatch) -> Any:
    session = Session("harness", environ={"NTRO_REVIEWER": "alice"})
    monkeypatch.setattr(_session, "_default", session)
    yield NtroMagics(shell=None)
    session.close()


def _one_line_error(magics: Any, line: str) -> str:
    with pytest.raises(UsageError) as caught:
        magics.ntro(line)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message, message
    return message


def test_the_magics_show_any_ntro_error_as_one_line(
    magics: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The session's own (SessionError), from ntro.cluster (ClusterError), from ntro.runbook.
    assert "is not host:port" in _one_line_error(magics, "connect nonsense")
    assert "harness" in _one_line_error(magics, "schedule ls")
    assert "runbook.md" in _one_line_error(magics, f"load {tmp_path}")
    assert issubclass(SessionError, NtroError) and issubclass(ClusterError, NtroError)

    class Unforeseen(NtroError):
        pass

    def fails(*_: Any, **__: Any) -> Any:
        raise Unforeseen("something ntro knows went wrong; do this instead")

    monkeypatch.setattr(Session, "status", fails)
    assert _one_line_error(magics, "status") == "something ntro knows went wrong; do this instead"


# -- guards ---------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]


def _sources(package: str) -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_one_place_connects_and_one_place_sends_decisions() -> None:
    sources = {**_sources("ntro"), **_sources("ntro_jupyter")}
    senders = [f for f, text in sources.items() if '"submit_action", ' in text]
    assert senders == ["ntro/cluster/_decisions.py"], senders
    dialers = [
        f
        for f, text in sources.items()
        if "Client.connect(" in text and not f.startswith("ntro/testing/")  # its own servers
    ]
    assert dialers == ["ntro/cluster/_connect.py"], dialers
    for file, text in _sources("ntro_jupyter").items():
        for setting in ("TEMPORAL_HOST", "TEMPORAL_API_KEY", "NTRO_DEV_PORT", "TEMPORAL_TLS"):
            assert f'"{setting}"' not in text, (file, setting)
        assert "from ntro._" not in text and "import ntro._" not in text, file


def test_the_bridge_imports_only_the_sessions_errors() -> None:
    import ast

    tree = ast.parse((ROOT / "ntro_jupyter" / "_bridge.py").read_text(encoding="utf-8"))
    runtime = [
        node.module
        for node in tree.body  # module level, outside `if TYPE_CHECKING:`
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ntro_jupyter._")
    ]
    assert runtime == ["ntro_jupyter._session._errors"], runtime
