"""The harness's own error, in a module of its own so that importing it loads no Temporal client."""

from __future__ import annotations

from ntro._errors import NtroError

__all__ = ["HarnessError"]


class HarnessError(NtroError, RuntimeError):
    """The harness was set up or used wrongly; the message says how to fix it."""
