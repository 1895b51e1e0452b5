"""The platform's reasoning endpoint as a trace sink, and the per-task sink runbooks ask for.

``HttpReasoningTraceSink`` POSTs JSON events (``begin``, batched ``delta``, ``finish``) to
``{endpoint}/tasks/{task_id}/reasoning`` with a bearer token. A trace is a side channel: a post
that fails is logged and dropped, never failing the activity it describes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from ntro.capabilities import config
from ntro.capabilities.trace._file import LocalTraceFileSink
from ntro.capabilities.trace._sink import TraceSink

logger = logging.getLogger(__name__)
_FLUSH_CHARS = 1024


class HttpReasoningTraceSink:
    """Posts one activity's reasoning events to the platform's trace endpoint."""

    def __init__(
        self,
        endpoint: str,
        task_id: str,
        activity_name: str,
        *,
        source_label: str | None = None,
        token: str | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        self.url = f"{endpoint.rstrip('/')}/tasks/{quote(str(task_id), safe='')}/reasoning"
        self.task_id = str(task_id)
        self.activity_name = activity_name
        self.source_label = source_label
        self._token = token
        self._timeout_s = timeout_s
        self._buffer: list[str] = []
        self._kind = "text"
        self.dropped = 0

    def __repr__(self) -> str:  # never shows the token
        return f"HttpReasoningTraceSink(url={self.url!r}, activity={self.activity_name!r})"

    def _post_sync(self, events: list[dict[str, Any]]) -> None:
        body = json.dumps({"events": events}, default=str).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
            response.read()

    async def _post(self, events: list[dict[str, Any]]) -> None:
        try:
            await asyncio.to_thread(self._post_sync, events)
        except (urllib.error.URLError, OSError, ValueError) as err:
            self.dropped += len(events)
            logger.warning("trace post to %s failed (%s); events dropped", self.url, err)

    def _event(self, event: str, **fields: Any) -> dict[str, Any]:
        record = {"ts": time.time(), "event": event, "activity": self.activity_name}
        if self.source_label:
            record["source"] = self.source_label
        record.update({k: v for k, v in fields.items() if v is not None})
        return record

    def _drain(self) -> list[dict[str, Any]]:
        if not self._buffer:
            return []
        text, self._buffer = "".join(self._buffer), []
        return [self._event("delta", kind=self._kind, text=text)]

    async def begin(self, *, model: str | None = None, **metadata: Any) -> None:
        await self._post([self._event("begin", model=model, **metadata)])

    async def emit_delta(self, text: str, *, kind: str = "text") -> None:
        pending = self._drain() if kind != self._kind else []
        self._kind = kind
        self._buffer.append(text)
        if sum(len(t) for t in self._buffer) >= _FLUSH_CHARS:
            pending += self._drain()
        if pending:
            await self._post(pending)

    async def finish(self, *, status: str = "ok", error: str | None = None) -> None:
        await self._post([*self._drain(), self._event("finish", status=status, error=error)])


def _current_run_id() -> str:
    try:
        from temporalio import activity

        return activity.info().workflow_id or "local"
    except RuntimeError:
        return "local"


def http_reasoning_sink_for_task(
    task_id: Any, activity_name: str, source_label: str | None = None
) -> TraceSink:
    """The sink for ``activity_name`` of task ``task_id``: the platform endpoint when
    ``NTRO_TRACE_ENDPOINT`` is set, else the run's local trace file. A missing ``task_id``
    means the running workflow's id."""
    cfg = config.get()
    run_id = str(task_id) if task_id else _current_run_id()
    if cfg.trace_endpoint:
        return HttpReasoningTraceSink(
            cfg.trace_endpoint,
            run_id,
            activity_name,
            source_label=source_label,
            token=cfg.secret("trace_token"),
        )
    return LocalTraceFileSink(run_id, activity_name, source_label)
