"""The kernel's session: Temporal connection, workers, runbooks, live views (see ``_session``)."""

from ntro_jupyter._session._runbooks import Runbook
from ntro_jupyter._session._session import DecisionRefused, Session, WorkflowSummary, get_session
from ntro_jupyter._session._target import (
    ClusterUnreachable,
    IdentityError,
    SessionError,
    Target,
    WorkflowNotFound,
    resolve_reviewer,
)

__all__ = [
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
    "resolve_reviewer",
]
