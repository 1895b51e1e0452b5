"""The LLM providers behind ``ai.extract``: the Anthropic Messages API and any OpenAI-compatible
chat-completions endpoint (OpenAI, and local servers such as llama.cpp, vLLM or Ollama).

Both stream (server-sent events) so the model's text and thinking reach the trace sink as they
arrive; both retry 429 and 5xx answers and timeouts with exponential backoff (honouring
``Retry-After``), then give up with :class:`ProviderUnavailableError`, which Temporal retries
later. Needs httpx: ``pip install 'ntro[ai]'``.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from typing import Any

from ntro.capabilities._extras import require
from ntro.capabilities.ai._config import DEFAULT_URLS, KEY_VARS, ResolvedAI
from ntro.capabilities.ai._errors import (
    MissingAPIKeyError,
    ProviderRequestError,
    ProviderUnavailableError,
)
from ntro.capabilities.trace import TraceSink

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
MAX_BACKOFF_S = 30.0
MAX_TOKENS = 8192


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after:
        try:
            return min(float(retry_after), MAX_BACKOFF_S)
        except ValueError:
            pass
    return min(0.5 * 2**attempt, 8.0) * (0.75 + random.random() / 2)


def _require_key(ai: ResolvedAI) -> str | None:
    key = ai.key()
    needs_key = ai.provider == "anthropic" or (
        ai.provider == "openai" and (ai.base_url or "").rstrip("/") == DEFAULT_URLS["openai"]
    )
    if needs_key and not key:
        names = " or ".join(KEY_VARS[ai.provider])
        raise MissingAPIKeyError(
            f"the {ai.provider} provider needs an API key: set {names} (or pass api_key to "
            f"ai.use_config)",
            provider=ai.provider,
        )
    return key


def _request(ai: ResolvedAI, system: str, user: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    key = _require_key(ai)
    base = (ai.base_url or DEFAULT_URLS[ai.provider]).rstrip("/")
    if ai.provider == "anthropic":
        url = base + ("/messages" if base.endswith("/v1") else "/v1/messages")
        headers = {"anthropic-version": "2023-06-01", "content-type": "application/json"}
        if key:
            headers["x-api-key"] = key
        body = {
            "model": ai.model,
            "max_tokens": MAX_TOKENS,
            "system": system,
            "messages": [{"role": "user", "content": user}],
            "stream": True,
        }
        return url, headers, body
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    body = {
        "model": ai.model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "temperature": 0,
        "stream": True,
    }
    return base + "/chat/completions", headers, body


async def _sse(response: Any) -> AsyncIterator[tuple[str | None, str]]:
    """``(event name, data)`` pairs of a server-sent-events body."""
    event: str | None = None
    data: list[str] = []
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield event, "\n".join(data)
            event, data = None, []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if data:
        yield event, "\n".join(data)


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: str | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


async def _stream_once(
    client: Any,
    ai: ResolvedAI,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
    sink: TraceSink,
) -> str:
    httpx = require("httpx", extra="ai", needed_for=f"the {ai.provider} provider")
    chunks: list[str] = []
    try:
        async with client.stream("POST", url, headers=headers, json=body) as response:
            if response.status_code in RETRY_STATUSES:
                await response.aread()
                raise _Transient(
                    f"HTTP {response.status_code}", response.headers.get("retry-after")
                )
            if response.status_code >= 400:
                detail = (await response.aread()).decode("utf-8", "replace")
                await sink.emit_delta(detail, kind="raw")
                raise ProviderRequestError(
                    f"{ai.provider} refused the request (HTTP {response.status_code}): "
                    f"{_error_message(detail)}",
                    provider=ai.provider,
                )
            async for event, data in _sse(response):
                if data == "[DONE]":
                    break
                try:
                    payload = json.loads(data)
                except json.JSONDecodeError:
                    await sink.emit_delta(data, kind="raw")
                    continue
                text, kind, error = _delta(ai.provider, event, payload)
                if error:
                    raise _Transient(error)
                if text:
                    await sink.emit_delta(text, kind=kind)
                    if kind == "text":
                        chunks.append(text)
    except (httpx.TimeoutException, httpx.TransportError) as err:
        raise _Transient(
            f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        ) from None
    return "".join(chunks)


def _error_message(detail: str) -> str:
    try:
        payload = json.loads(detail)
        error = payload.get("error", payload)
        message = error.get("message") if isinstance(error, dict) else error
        return str(message)[:300]
    except (ValueError, AttributeError):
        return " ".join(detail.split())[:300]


def _delta(
    provider: str, event: str | None, payload: dict[str, Any]
) -> tuple[str, str, str | None]:
    """(text, kind, transient error) of one streamed event."""
    if provider == "anthropic":
        kind = payload.get("type") or event
        if kind == "error":
            error = payload.get("error") or {}
            return "", "text", f"stream error {error.get('type')}: {error.get('message')}"
        if kind == "content_block_delta":
            delta = payload.get("delta") or {}
            if delta.get("type") == "thinking_delta":
                return str(delta.get("thinking", "")), "thinking", None
            if delta.get("type") == "text_delta":
                return str(delta.get("text", "")), "text", None
        return "", "text", None
    if "error" in payload:
        return "", "text", f"stream error: {_error_message(json.dumps(payload))}"
    choices = payload.get("choices") or []
    if not choices:
        return "", "text", None
    delta = choices[0].get("delta") or {}
    if delta.get("reasoning_content"):
        return str(delta["reasoning_content"]), "thinking", None
    return str(delta.get("content") or ""), "text", None


async def complete(ai: ResolvedAI, system: str, user: str, sink: TraceSink) -> str:
    """The model's whole text answer, streamed into ``sink``, with retries; see the module doc."""
    httpx = require("httpx", extra="ai", needed_for=f"the {ai.provider} provider")
    url, headers, body = _request(ai, system, user)
    timeout = httpx.Timeout(ai.timeout_s, connect=min(10.0, ai.timeout_s))
    last = "no attempt"
    async with httpx.AsyncClient(timeout=timeout) as client:
        for attempt in range(ai.max_retries + 1):
            try:
                return await _stream_once(client, ai, url, headers, body, sink)
            except _Transient as err:
                last = str(err)
                await sink.emit_delta(f"[attempt {attempt + 1} failed: {last}]", kind="raw")
                if attempt < ai.max_retries:
                    await asyncio.sleep(_backoff(attempt, err.retry_after))
    raise ProviderUnavailableError(
        f"{ai.provider} ({ai.model} at {url}) did not answer after {ai.max_retries + 1} "
        f"attempts: {last}; the activity will be retried",
        provider=ai.provider,
    )
