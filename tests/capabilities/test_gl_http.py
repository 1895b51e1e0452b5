"""The hosted-ledger provider against a local fake of its HTTP API (no network)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ntro.capabilities import gl
from ntro.capabilities.gl.errors import (
    ConnectionError_,
    IdempotencyConflictError,
    TransientProviderError,
    ValidationFailedError,
)


@contextmanager
def fake_ledger_api(token: str = "gl-key") -> Iterator[dict[str, Any]]:
    """Keeps posted documents by Idempotency-Key: 201 new, 200 same body, 409 another body;
    401 without the token; 503 for a supplier named 'busy'."""
    state: dict[str, Any] = {"posted": {}, "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            key = self.headers.get("Idempotency-Key")
            state["requests"].append((self.path, key))
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self._answer(401, {"message": "bad token"})
            if body.get("supplier") == "busy":
                return self._answer(503, {"message": "try later"})
            known = state["posted"].get((self.path, key))
            if known is None:
                state["posted"][(self.path, key)] = body
                return self._answer(201, {"id": f"remote-{len(state['posted'])}"})
            if known == body:
                return self._answer(200, {"id": "remote-1"})
            return self._answer(409, {"message": "key reused with another body"})

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


BILL = {
    "vendor": "Audit & Co",
    "date": "2026-01-31",
    "lines": [{"account_code": "6300", "amount": "100"}],
}


async def test_bills_post_once_per_key_and_conflicts_are_named() -> None:
    with fake_ledger_api() as api:
        config = {
            "gl": {"provider": "http", "options": {"api_url": api["url"], "api_key": "gl-key"}}
        }
        ledger = await gl.for_entity("fund-a", tenant_config=config)
        assert "gl-key" not in repr(ledger)
        first = await ledger.bills.create(BILL, external_id="b-1")
        again = await ledger.bills.create(BILL, external_id="b-1")
        assert (first.created, again.created) == (True, False)
        with pytest.raises(IdempotencyConflictError, match="HTTP 409"):
            await ledger.bills.create({**BILL, "reference": "other"}, external_id="b-1")
        with pytest.raises(TransientProviderError, match="HTTP 503"):
            await ledger.bills.create({**BILL, "vendor": "busy"}, external_id="b-2")
    assert api["requests"][0] == ("/v1/entities/fund-a/bills", "b-1")


async def test_a_refused_key_and_local_validation() -> None:
    with fake_ledger_api() as api:
        config = {
            "gl": {"provider": "http", "options": {"api_url": api["url"], "api_key": "wrong"}}
        }
        ledger = await gl.for_entity("fund-a", tenant_config=config)
        with pytest.raises(ConnectionError_, match="NTRO_GL_API_KEY"):
            await ledger.bills.create(BILL, external_id="b-1")
        unbalanced = {"date": "2026-01-31", "lines": [{"account_code": "1", "debit": "5"}]}
        with pytest.raises(ValidationFailedError, match="differ by 5.00"):
            await ledger.journals.create(unbalanced, external_id="j-1")
    assert len(api["requests"]) == 1  # the unbalanced journal never left the machine


async def test_an_unreachable_api_is_transient() -> None:
    config = {"gl": {"provider": "http", "options": {"api_url": "http://127.0.0.1:9/v1"}}}
    ledger = await gl.for_entity("fund-a", tenant_config=config)
    with pytest.raises(TransientProviderError, match="could not be reached"):
        await ledger.bills.create(BILL, external_id="b-1")
