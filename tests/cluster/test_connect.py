"""Connecting: one timeout, one failure line that says where it looked and what to do."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from ntro.cluster import (
    CONNECT_TIMEOUT_S,
    ClusterConfig,
    ClusterUnreachable,
    connect,
    describe_connect_failure,
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_cluster_that_is_not_there_is_one_line_naming_it() -> None:
    port = _closed_port()
    config = ClusterConfig.from_env({"TEMPORAL_HOST": f"127.0.0.1:{port}"})
    started = time.monotonic()
    with pytest.raises(ClusterUnreachable) as caught:
        asyncio.run(connect(config))
    message = str(caught.value)
    assert message.startswith(f"cannot reach the Temporal cluster at 127.0.0.1:{port}")
    assert "(namespace default)" in message and "TEMPORAL_HOST" in message
    assert "\n" not in message
    assert time.monotonic() - started < CONNECT_TIMEOUT_S + 5


def test_no_address_and_no_dev_server_says_how_to_start_one(tmp_path: Path) -> None:
    config = ClusterConfig.from_env({"NTRO_DEV_DB": str(tmp_path / "none.db")})
    with pytest.raises(ClusterUnreachable, match="ntro dev-server start --detach"):
        asyncio.run(connect(config))


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("tcp connect error: Connection refused (os error 111)", "connection refused"),
        ("dns error: failed to lookup address information", "unknown host name"),
        ("transport error: InvalidContentType", "the server does not speak TLS"),
        ("Status { code: Unauthenticated, message: bad key }", "credentials were refused"),
    ],
)
def test_transport_errors_read_as_what_to_check(error: str, words: str) -> None:
    assert words in describe_connect_failure(error)


def test_the_local_dev_server_is_dialled_without_a_clusters_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ntro.cluster._connect as module
    from ntro.cluster import ClusterConfig, connect

    dialled: list[dict[str, Any]] = []

    class FakeClient:
        @classmethod
        async def connect(cls, target: str, **options: Any) -> FakeClient:
            dialled.append({"target": target, **options})
            return cls()

    monkeypatch.setattr(module, "Client", FakeClient)
    env = {"TEMPORAL_API_KEY": "k-1", "NTRO_DEV_PORT": "7299"}
    local = ClusterConfig.from_env(env)
    asyncio.run(connect(local, address="127.0.0.1:7299", check_namespace=False))
    remote = ClusterConfig.from_env({**env, "TEMPORAL_HOST": "t.example.com:7233"})
    asyncio.run(connect(remote, check_namespace=False))
    assert (dialled[0]["api_key"], dialled[0]["tls"]) == (None, False)
    assert (dialled[1]["api_key"], dialled[1]["tls"]) == ("k-1", True)
