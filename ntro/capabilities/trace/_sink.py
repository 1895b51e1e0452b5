"""The trace sink protocol and how an activity finds its sink.

A model's reasoning streams while it works; a reviewer wants to read it under the step that ran
it. Whatever produces text (the AI providers, a check) calls ``begin``, then ``emit_delta`` for
each piece, then ``finish``, on a :class:`TraceSink`. Which sink is chosen: the one passed
explicitly, else the one in the :data:`current_trace_sink` context variable, else one that drops
everything (:class:`NullTraceSink`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class TraceSink(Protocol):
    """Receives one activity's reasoning as it streams: begin, deltas, finish."""

    async def begin(self, *, model: str | None = None, **metadata: Any) -> None:
        """A traced call starts (the model, and anything worth showing beside it)."""
        ...

    async def emit_delta(self, text: str, *, kind: str = "text") -> None:
        """One piece of streamed output; ``kind`` is ``text``, ``thinking`` or ``raw``."""
        ...

    async def finish(self, *, status: str = "ok", error: str | None = None) -> None:
        """The call ended (``status`` ``ok`` or ``error`` with the reason)."""
        ...


class NullTraceSink:
    """A sink that keeps nothing: the default when no sink was chosen."""

    async def begin(self, *, model: str | None = None, **metadata: Any) -> None:
        return None

    async def emit_delta(self, text: str, *, kind: str = "text") -> None:
        return None

    async def finish(self, *, status: str = "ok", error: str | None = None) -> None:
        return None


current_trace_sink: ContextVar[TraceSink | None] = ContextVar("current_trace_sink", default=None)
"""The sink of the code running now; set it to trace every call below without passing it."""


def resolve_trace_sink(explicit: TraceSink | None = None) -> TraceSink:
    """``explicit`` if given, else :data:`current_trace_sink`, else a :class:`NullTraceSink`."""
    if explicit is not None:
        if not isinstance(explicit, TraceSink):
            raise TypeError(
                f"trace sink {type(explicit).__name__} lacks begin/emit_delta/finish; pass a "
                f"TraceSink (e.g. http_reasoning_sink_for_task(...)) or None"
            )
        return explicit
    return current_trace_sink.get() or NullTraceSink()
