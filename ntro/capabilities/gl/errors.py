"""Errors of a general-ledger provider, as the published SDK names them.

They are Temporal application errors: :class:`TransientProviderError` is retryable (the activity
runs again later and, the post being idempotent on ``external_id``, nothing is posted twice);
the others are not, since a retry cannot fix them.
"""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

__all__ = [
    "ConnectionError_",
    "IdempotencyConflictError",
    "ProviderError",
    "TransientProviderError",
    "ValidationFailedError",
]


class ProviderError(ApplicationError):
    """Base of every GL provider error; the message names the provider and the document."""

    retryable = False

    def __init__(self, message: str, *, provider: str = "", external_id: str | None = None) -> None:
        super().__init__(message, type=type(self).__name__, non_retryable=not self.retryable)
        self.provider = provider
        self.external_id = external_id


class TransientProviderError(ProviderError):
    """The provider is busy or failing for now (429, 5xx, a timeout): retry later."""

    retryable = True


class ConnectionError_(ProviderError):  # noqa: N801 - the published name
    """The ledger is not connected for this tenant, or refused its credentials."""


class ValidationFailedError(ProviderError):
    """The ledger refused the document as invalid (an unbalanced journal, a bill with no lines)."""


class IdempotencyConflictError(ProviderError):
    """This ``external_id`` was already posted with a different body."""
