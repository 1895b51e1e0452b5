"""``ai``: read a document's fields and line items under a schema.

``await ai.extract(content=..., schema_slug=..., structured_context={"cell_grid": rows})``
returns an :class:`ExtractionResult`. Which extractor runs is configured, per activity with
:func:`use_config` or per worker with ``NTRO_AI_*``:

- ``schema`` (the default, offline): the schema extractor reads the cell grid and the text
  with the schema's labels and types and scores every value (:mod:`._extractor`);
- ``anthropic``: the Anthropic Messages API; ``openai``: any OpenAI-compatible
  chat-completions endpoint (``base_url``), e.g. a local llama.cpp, vLLM or Ollama server.
  Both stream into the trace sink (``trace=`` or the current one) and retry 429/5xx.

Schemas are files: the bundle's ``schemas/`` folder first, then the built-in bank statement,
supplier invoice, trial balance and expense receipt (:func:`known_schemas`). Results are cached
in the tenant data plane (``system.cache_extract``) by content, schema and model; a hit says
``raw_response["cache"] == "hit"``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ntro.capabilities.ai import _cache
from ntro.capabilities.ai._config import (
    AIConfig,
    AIConfigError,
    ResolvedAI,
    current_config,
    resolve,
    use_config,
)
from ntro.capabilities.ai._errors import (
    AIError,
    MissingAPIKeyError,
    ProviderRequestError,
    ProviderResponseError,
    ProviderUnavailableError,
)
from ntro.capabilities.ai._extractor import extract_offline
from ntro.capabilities.ai._prompt import result_from_answer, system_prompt, user_prompt
from ntro.capabilities.ai._result import ExtractionResult, line_item_key
from ntro.capabilities.ai._schema import (
    Schema,
    SchemaColumn,
    SchemaField,
    UnknownSchemaError,
    known_slugs,
    load_schema,
)
from ntro.capabilities.trace import TraceSink, current_trace_sink, resolve_trace_sink

__all__ = [
    "AIConfig",
    "AIConfigError",
    "AIError",
    "ExtractionResult",
    "MissingAPIKeyError",
    "ProviderRequestError",
    "ProviderResponseError",
    "ProviderUnavailableError",
    "ResolvedAI",
    "Schema",
    "SchemaColumn",
    "SchemaField",
    "UnknownSchemaError",
    "complete",
    "current_config",
    "extract",
    "forget_cached_in_memory",
    "known_schemas",
    "line_item_key",
    "load_schema",
    "resolve",
    "use_config",
]


def forget_cached_in_memory() -> None:
    """Empty this worker's memory tier of the extract cache (``system.cache_extract`` stays):
    the next repeat is answered from the table, as in a fresh worker."""
    _cache.forget_memory()


def known_schemas() -> list[str]:
    """The schema slugs :func:`extract` can use from here (bundle, path, built-in)."""
    return known_slugs()


def _document(
    content: str | bytes, structured_context: dict[str, Any] | None
) -> tuple[str, list[list[str]], dict[str, Any]]:
    """(text, cell grid, parse metadata) of the content given."""
    grid = list((structured_context or {}).get("cell_grid") or [])
    if isinstance(content, bytes | bytearray | memoryview):
        from ntro.capabilities import files

        data = bytes(content)
        kind = "pdf" if data.lstrip()[:5] == b"%PDF-" else "xlsx" if data[:2] == b"PK" else "csv"
        parsed = files.parse_sync(content=data, format=kind)
        return parsed.plain_text, grid or parsed.cells, parsed.metadata
    return str(content or ""), [[str(c) for c in row] for row in grid], {}


async def complete(
    *, system: str, prompt: str, capability: str = "check", trace: TraceSink | None = None
) -> str:
    """One text completion from the configured LLM provider (for checks and other prompts);
    :class:`AIConfigError` when the provider is the offline schema extractor."""
    from ntro.capabilities.ai._providers import complete as provider_complete

    ai = resolve(capability)
    if ai.provider == "schema":
        raise AIConfigError(
            "no LLM provider is configured (NTRO_AI_PROVIDER is 'schema'): set it to anthropic "
            "or openai, or call ai.use_config({...})"
        )
    sink = resolve_trace_sink(trace)
    await sink.begin(model=ai.model, provider=ai.provider, capability=capability)
    try:
        text = await provider_complete(ai, system, prompt, sink)
    except Exception as err:
        await sink.finish(status="error", error=str(err))
        raise
    await sink.finish()
    return text


async def extract(
    *,
    content: str | bytes,
    schema_slug: str,
    structured_context: dict[str, Any] | None = None,
    instructions: str = "",
    field_enums: dict[str, list[str]] | None = None,
    trace: TraceSink | None = None,
) -> ExtractionResult:
    """Extract ``schema_slug``'s fields and line items from ``content`` (text, or a PDF, XLSX or
    CSV file's bytes) and the optional ``structured_context["cell_grid"]``."""
    schema = load_schema(schema_slug)
    ai = resolve("extract")
    model = f"schema-extractor:{schema.fingerprint}" if ai.provider == "schema" else ai.model
    key = _cache.cache_key(
        content=content if isinstance(content, str | bytes) else bytes(content),
        structured_context=structured_context,
        schema_slug=schema_slug,
        schema_fingerprint=schema.fingerprint,
        model=f"{ai.provider}:{model}",
        field_enums=field_enums,
        instructions=instructions,
    )
    if ai.cache:
        cached = await _cache.lookup(key)
        if cached is not None:
            return cached
    started = time.perf_counter()
    text, grid, parse_facts = await asyncio.to_thread(_document, content, structured_context)
    if ai.provider == "schema":
        result = await asyncio.to_thread(
            extract_offline,
            schema,
            text=text,
            grid=grid,
            field_enums=field_enums,
            instructions=instructions,
        )
        if trace is not None or current_trace_sink.get() is not None:
            sink = resolve_trace_sink(trace)
            await sink.begin(model=model, provider="schema", schema_slug=schema_slug)
            await sink.emit_delta(result.summary)
            await sink.finish()
    else:
        from ntro.capabilities.ai._providers import complete as provider_complete

        sink = resolve_trace_sink(trace)
        await sink.begin(model=ai.model, provider=ai.provider, schema_slug=schema_slug)
        try:
            answer = await provider_complete(
                ai, system_prompt(schema, field_enums), user_prompt(text, grid, instructions), sink
            )
            result = result_from_answer(
                answer, schema, provider=ai.provider, model=ai.model, field_enums=field_enums
            )
        except Exception as err:
            await sink.finish(status="error", error=str(err))
            raise
        await sink.finish()
    if parse_facts.get("warning"):
        result.summary += f" ({parse_facts['warning']})"
    result.raw_response.update(
        cache="miss" if ai.cache else "off", seconds=round(time.perf_counter() - started, 4)
    )
    if ai.cache:
        await _cache.store(key, result, schema_slug=schema_slug, model=f"{ai.provider}:{model}")
    return result
