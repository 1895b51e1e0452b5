"""The kernel's session: Temporal connection, workers, runbooks, live views (see ``_session``).

Its parts: ``_errors`` (the :class:`SessionError` family), ``_target`` (where it connects),
``_connection`` (the client and the workers), ``_catalogue`` (the loaded runbooks) and
``_session`` (the :class:`Session` that ties them together for the magics and scripts).
"""

from ntro_jupyter._session._errors import (
    CLOSED_STATUSES,
    ClusterUnreachable,
    DecisionRefused,
    IdentityError,
    SessionError,
    WorkflowNotFound,
)
from ntro_jupyter._session._runbooks import Runbook
from ntro_jupyter._session._session import Session, WorkflowSummary, get_session
from ntro_jupyter._session._target import Target

__all__ = [
    "CLOSED_STATUSES",
    "ClusterUnreachable",
    "DecisionRefused",
    "IdentityError",
    "Runbook",
    "Session",
    "SessionError",
    "Target",
    "WorkflowNotFound",
    "WorkflowSummary",
    "get_session",
]
