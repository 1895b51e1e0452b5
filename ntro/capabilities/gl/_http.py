"""A hosted accounting API as a GL provider (``NTRO_GL_PROVIDER=http``, ``pip install
'ntro[gl]'`` for httpx).

Wire format: ``POST {api_url}/entities/{entity_id}/bills`` (or ``/journals``) with the proposal
as JSON, ``Idempotency-Key: <external_id>`` and ``Authorization: Bearer <key>``; the answer is
``{"id": ...}`` with 201 (posted) or 200 (already posted with the same body). 409 is an
idempotency conflict, 400/422 a validation failure, 401/403 a refused connection, 429/5xx and
timeouts are transient. Proposals are validated locally first, so an unbalanced journal never
leaves the machine.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ntro.capabilities._extras import require
from ntro.capabilities.gl._models import PostedDocument, as_bill, as_journal
from ntro.capabilities.gl.errors import (
    ConnectionError_,
    IdempotencyConflictError,
    TransientProviderError,
    ValidationFailedError,
)

PROVIDER = "http"


def _message(response: Any) -> str:
    try:
        body = response.json()
        return str(body.get("message") or body.get("error") or body)[:300]
    except ValueError:
        return " ".join(response.text.split())[:300]


class _Documents:
    def __init__(self, ledger: HttpLedger, kind: str) -> None:
        self._ledger = ledger
        self._kind = kind

    async def create(self, proposal: Any, *, external_id: str) -> PostedDocument:
        """Post ``proposal`` under ``external_id``; see the module docstring for the errors."""
        httpx = require("httpx", extra="gl", needed_for="the http GL provider")
        key = str(external_id or "").strip()
        if not key:
            raise ValidationFailedError("external_id is empty", provider=PROVIDER)
        document = (as_bill if self._kind == "bill" else as_journal)(proposal, key, PROVIDER)
        url = f"{self._ledger.api_url}/entities/{quote(self._ledger.entity_id, safe='')}/{self._kind}s"
        headers = {"Idempotency-Key": key}
        if self._ledger.api_key:
            headers["Authorization"] = f"Bearer {self._ledger.api_key}"
        try:
            async with httpx.AsyncClient(timeout=self._ledger.timeout_s) as client:
                response = await client.post(
                    url, json=document.model_dump(mode="json"), headers=headers
                )
        except httpx.TimeoutException:
            raise TransientProviderError(
                f"the GL API at {self._ledger.api_url} timed out posting {self._kind} {key!r}",
                provider=PROVIDER,
                external_id=key,
            ) from None
        except httpx.TransportError as err:
            raise TransientProviderError(
                f"the GL API at {self._ledger.api_url} could not be reached ({type(err).__name__})",
                provider=PROVIDER,
                external_id=key,
            ) from None
        status = response.status_code
        if status in (200, 201):
            body = response.json()
            total = document.total if self._kind == "bill" else document.total_debit  # type: ignore[union-attr]
            return PostedDocument(
                id=str(body["id"]),
                kind=self._kind,  # type: ignore[arg-type]
                external_id=key,
                entity_id=self._ledger.entity_id,
                provider=PROVIDER,
                created=status == 201,
                total=total,
                currency=str(document.currency),
            )
        detail = f"{self._kind} {key!r}: HTTP {status}: {_message(response)}"
        if status == 409:
            raise IdempotencyConflictError(detail, provider=PROVIDER, external_id=key)
        if status in (400, 422):
            raise ValidationFailedError(detail, provider=PROVIDER, external_id=key)
        if status in (401, 403, 404):
            raise ConnectionError_(
                f"the GL API refused the connection ({detail}); check NTRO_GL_API_URL and NTRO_GL_API_KEY",
                provider=PROVIDER,
                external_id=key,
            )
        raise TransientProviderError(detail, provider=PROVIDER, external_id=key)


class HttpLedger:
    """One entity's ledger behind a hosted accounting API."""

    name = PROVIDER

    def __init__(
        self, entity_id: str, api_url: str, api_key: str | None, timeout_s: float = 30.0
    ) -> None:
        self.entity_id = entity_id
        self.api_url = api_url.rstrip("/")
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.bills = _Documents(self, "bill")
        self.journals = _Documents(self, "journal")

    def __repr__(self) -> str:  # never shows the key
        return f"HttpLedger(entity_id={self.entity_id!r}, api_url={self.api_url!r})"
