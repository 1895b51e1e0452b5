"""The local trace: one JSON-lines file per run, that a notebook can show under the step.

Why a file: with no platform endpoint, reasoning must still land somewhere a person can read
after the fact, without a server. Each line is one event ``{ts, event, activity, ...}``; deltas
are buffered and written in chunks so a long stream is not one write per token.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

from ntro.capabilities import config

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_FLUSH_CHARS = 2048


def trace_file_for(task_id: str) -> Path:
    """The trace file of run ``task_id`` under ``config.get().trace_dir``."""
    name = _UNSAFE.sub("_", str(task_id)).strip("._") or "run"
    return Path(config.get().trace_dir).expanduser() / f"{name}.jsonl"


def read_trace(task_id: str) -> list[dict[str, Any]]:
    """The events of run ``task_id``'s trace (deltas of one call joined), oldest first."""
    path = trace_file_for(task_id)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class LocalTraceFileSink:
    """Appends one activity's trace events to its run's trace file."""

    def __init__(self, task_id: str, activity_name: str, source_label: str | None = None) -> None:
        self.task_id = str(task_id)
        self.activity_name = activity_name
        self.source_label = source_label
        self.path = trace_file_for(self.task_id)
        self._buffer: list[str] = []
        self._buffered_kind = "text"

    def __repr__(self) -> str:
        return f"LocalTraceFileSink(path={str(self.path)!r}, activity={self.activity_name!r})"

    def _append(self, events: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for event in events:
                handle.write(json.dumps(event, default=str) + "\n")

    def _event(self, event: str, **fields: Any) -> dict[str, Any]:
        record = {"ts": time.time(), "event": event, "activity": self.activity_name}
        if self.source_label:
            record["source"] = self.source_label
        record.update({k: v for k, v in fields.items() if v is not None})
        return record

    async def _write(self, events: list[dict[str, Any]]) -> None:
        await asyncio.to_thread(self._append, events)

    def _drain(self) -> list[dict[str, Any]]:
        if not self._buffer:
            return []
        text, self._buffer = "".join(self._buffer), []
        return [self._event("delta", kind=self._buffered_kind, text=text)]

    async def begin(self, *, model: str | None = None, **metadata: Any) -> None:
        await self._write([self._event("begin", model=model, **metadata)])

    async def emit_delta(self, text: str, *, kind: str = "text") -> None:
        pending = self._drain() if kind != self._buffered_kind else []
        self._buffered_kind = kind
        self._buffer.append(text)
        if sum(len(t) for t in self._buffer) >= _FLUSH_CHARS:
            pending += self._drain()
        if pending:
            await self._write(pending)

    async def finish(self, *, status: str = "ok", error: str | None = None) -> None:
        await self._write([*self._drain(), self._event("finish", status=status, error=error)])
