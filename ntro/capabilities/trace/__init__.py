"""``trace``: where a model's reasoning goes while an activity runs.

- :class:`TraceSink`: ``begin``, ``emit_delta``, ``finish``;
- :data:`current_trace_sink` and :func:`resolve_trace_sink` choose the sink;
- :func:`http_reasoning_sink_for_task`: the platform endpoint (``NTRO_TRACE_ENDPOINT``) when
  configured, else :class:`LocalTraceFileSink`, one JSON-lines file per run under
  ``NTRO_TRACE_DIR`` (read back with :func:`read_trace`).
"""

from ntro.capabilities.trace._file import LocalTraceFileSink, read_trace, trace_file_for
from ntro.capabilities.trace._http import HttpReasoningTraceSink, http_reasoning_sink_for_task
from ntro.capabilities.trace._sink import (
    NullTraceSink,
    TraceSink,
    current_trace_sink,
    resolve_trace_sink,
)

__all__ = [
    "HttpReasoningTraceSink",
    "LocalTraceFileSink",
    "NullTraceSink",
    "TraceSink",
    "current_trace_sink",
    "http_reasoning_sink_for_task",
    "read_trace",
    "resolve_trace_sink",
    "trace_file_for",
]
