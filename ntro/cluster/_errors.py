"""The errors of :mod:`ntro.cluster`, each a single line that says what to do.

::

    NtroError (ntro._errors)
    └── ClusterError                 anything a user meets talking to a cluster
        ├── ConfigError              a setting (environment variable or option) does not parse
        ├── ClusterUnreachable       the server did not answer (down, wrong address, TLS, key)
        ├── WorkflowNotFound         no workflow with that id
        ├── RunbookNotFound          no bundle for a slug on the runbook path
        ├── RunInputError            an input that does not fit the runbook's input model
        ├── IdentityError            no reviewer name: decisions are never sent anonymously
        ├── GateNotOpen              the run does not wait for what was sent
        └── DecisionError            a decision did not take effect (``workflow_id``)
            ├── DecisionNotSendable  refused before sending (too large, not finite, too deep)
            ├── DecisionRefused      the workflow's validator refused it (``reason``)
            └── DecisionUndelivered  no answer after the retries; it may still apply, once
"""

from __future__ import annotations

from ntro._errors import NtroError

__all__ = [
    "ClusterError",
    "ClusterUnreachable",
    "ConfigError",
    "DecisionError",
    "DecisionNotSendable",
    "DecisionRefused",
    "DecisionUndelivered",
    "GateNotOpen",
    "IdentityError",
    "RunInputError",
    "RunbookNotFound",
    "WorkflowNotFound",
]


class ClusterError(NtroError):
    """Something a user did or met while working with a Temporal cluster."""


class ConfigError(ClusterError, ValueError):
    """A connection setting does not parse; the message names it and its value."""


class ClusterUnreachable(ClusterError):
    """The Temporal server did not answer, or refused the credentials."""

    def __init__(self, message: str, *, address: str | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.address = address
        self.detail = detail


class WorkflowNotFound(ClusterError):
    """No workflow with that id exists in the namespace."""


class RunbookNotFound(ClusterError):
    """A slug names no bundle on the runbook path."""


class RunInputError(ClusterError, ValueError):
    """A run's (or a schedule's) input does not fit the runbook's input model."""


class IdentityError(ClusterError):
    """No reviewer identity could be found."""


class GateNotOpen(ClusterError):
    """The run does not wait for this (an approval on an upload gate, a closed run)."""


class DecisionError(ClusterError):
    """A decision (or row action) did not take effect."""

    def __init__(self, workflow_id: str, message: str) -> None:
        super().__init__(message)
        self.workflow_id = workflow_id


class DecisionNotSendable(DecisionError):
    """The decision was refused here, before sending: too large, or a non-finite number."""


class DecisionRefused(DecisionError):
    """The workflow refused the decision; ``reason`` is its validator's message and
    ``error_type`` the type of the error it raised (``InvalidDecision``, ...) when known."""

    def __init__(self, workflow_id: str, reason: str, *, error_type: str | None = None) -> None:
        super().__init__(workflow_id, f"{workflow_id} refused the decision: {reason}")
        self.reason = reason
        self.error_type = error_type


class DecisionUndelivered(DecisionError):
    """No answer after the retries; the same update id means it can only apply once."""

    def __init__(self, workflow_id: str, message: str, *, update_id: str) -> None:
        super().__init__(workflow_id, message)
        self.update_id = update_id
