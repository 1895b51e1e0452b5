"""``gl``: post bills and journals to the entity's general ledger.

``provider = await gl.for_entity(entity_id, tenant_config=...)`` gives ``provider.bills.create(
proposal, external_id=...)`` and ``provider.journals.create(proposal, external_id=...)``, each
returning a :class:`PostedDocument`. The default is the **local ledger** in the tenant data plane
(schema ``gl``): idempotent on ``external_id`` (the same key twice returns the first result and
posts nothing; a different body under the same key raises ``IdempotencyConflictError``), and an
unbalanced journal raises ``ValidationFailedError``. ``tenant_config={"gl": {"provider":
"http", "options": {"api_url": ..., "api_key": ...}}}`` (or ``NTRO_GL_PROVIDER=http`` with
``NTRO_GL_API_URL``/``NTRO_GL_API_KEY``) posts to a hosted accounting API instead. Errors are
in :mod:`ntro.capabilities.gl.errors`.
"""

from __future__ import annotations

from typing import Any

from ntro.accounting import JournalLine, JournalProposal
from ntro.capabilities import config
from ntro.capabilities.gl import errors
from ntro.capabilities.gl._http import HttpLedger
from ntro.capabilities.gl._local import LocalLedger
from ntro.capabilities.gl._models import BillLine, BillProposal, PostedDocument
from ntro.capabilities.gl.errors import (
    ConnectionError_,
    IdempotencyConflictError,
    ProviderError,
    TransientProviderError,
    ValidationFailedError,
)

__all__ = [
    "BillLine",
    "BillProposal",
    "ConnectionError_",
    "HttpLedger",
    "IdempotencyConflictError",
    "JournalLine",
    "JournalProposal",
    "LocalLedger",
    "PostedDocument",
    "ProviderError",
    "TransientProviderError",
    "ValidationFailedError",
    "errors",
    "for_entity",
]


async def for_entity(
    entity_id: Any, *, tenant_config: dict[str, Any] | None = None
) -> LocalLedger | HttpLedger:
    """The ledger provider of ``entity_id``: from ``tenant_config["gl"]`` when given, else the
    worker's configuration (``NTRO_GL_PROVIDER``, default ``local``)."""
    entity = str(entity_id or "").strip()
    if not entity:
        raise ConnectionError_("gl.for_entity needs an entity id (got an empty one)", provider="")
    cfg = config.get()
    block = (tenant_config or {}).get("gl") or {}
    options = block.get("options") or {}
    provider = str(block.get("provider") or cfg.gl_provider).lower()
    tenant = (tenant_config or {}).get("tenant_slug") or cfg.tenant_slug
    if provider == "local":
        return LocalLedger(entity, tenant)
    if provider in ("http", "api", "hosted"):
        url = options.get("api_url") or cfg.gl_api_url
        if not url:
            raise ConnectionError_(
                "the http GL provider needs an API address: set NTRO_GL_API_URL or "
                "tenant_config['gl']['options']['api_url']",
                provider="http",
            )
        key = options.get("api_key") or cfg.secret("gl_api_key")
        return HttpLedger(entity, url, key)
    raise ConnectionError_(
        f"unknown GL provider {provider!r}: use 'local' (default) or 'http'", provider=provider
    )
