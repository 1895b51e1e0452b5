"""Errors a runbook author or reviewer can meet, each saying what was wrong and what to do."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError


class WorkflowError(ApplicationError):
    """A runbook failed for a reason its author should read.

    It is a Temporal ``ApplicationError`` (not retried), so raising it inside a workflow fails
    the run with this message instead of retrying the workflow task forever.
    """

    def __init__(self, message: str, *details: object, type: str | None = None) -> None:
        super().__init__(message, *details, type=type or "WorkflowError", non_retryable=True)


class RunbookDefinitionError(TypeError):
    """A runbook class is declared wrongly (duplicate step name, non-async step, ...)."""


class InvalidDecision(ApplicationError):
    """A decision or row action was refused before it reached the workflow's state."""

    def __init__(self, message: str) -> None:
        super().__init__(message, type="InvalidDecision", non_retryable=True)
