"""Errors of the ``ai`` capability, as Temporal application errors so a worker retries the ones
worth retrying (a provider overloaded or timing out, malformed output) and stops at once on the
ones a retry cannot fix (no API key, a request the provider refuses)."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError


class AIError(ApplicationError):
    """Base of the ``ai`` errors; the message names the provider and what to do."""

    retryable = True

    def __init__(self, message: str, *, provider: str = "") -> None:
        super().__init__(message, type=type(self).__name__, non_retryable=not self.retryable)
        self.provider = provider


class MissingAPIKeyError(AIError):
    """The provider needs an API key and none is configured."""

    retryable = False


class ProviderRequestError(AIError):
    """The provider refused the request (bad model name, bad key, too large)."""

    retryable = False


class ProviderUnavailableError(AIError):
    """The provider kept answering 429/5xx, or timed out, through every retry."""


class ProviderResponseError(AIError):
    """The provider answered, but not with the JSON asked for; the raw text is in the trace."""
