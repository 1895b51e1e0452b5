"""The notebook side's errors: :class:`SessionError` and its family, and the translations into
them (a Temporal RPC error, an :mod:`ntro.cluster` error).

::

    ntro.NtroError
    └── SessionError                  anything the session, its views or the magics say
        ├── ClusterUnreachable        also an ntro.cluster.ClusterUnreachable
        ├── WorkflowNotFound          also an ntro.cluster.WorkflowNotFound
        ├── IdentityError             also an ntro.cluster.IdentityError
        └── DecisionRefused           also an ntro.cluster.DecisionRefused (``reason``)

Each is one readable line. The four shared ones are both: a notebook catches
``SessionError``, a script written against :mod:`ntro.cluster` catches its own type, and both
see the same error. The ``%ntro`` magics catch ``ntro.NtroError``, the root of both packages,
so an error from :mod:`ntro.cluster` (a schedule command) reads as one line too.
"""

from __future__ import annotations

from typing import Any

from temporalio.service import RPCStatusCode

from ntro import NtroError, cluster

__all__ = [
    "CLOSED_STATUSES",
    "ClusterUnreachable",
    "DecisionRefused",
    "IdentityError",
    "SessionError",
    "WorkflowNotFound",
    "cause_message",
    "from_cluster",
    "no_poller",
    "one_line",
    "rpc_error",
]

CLOSED_STATUSES = ("completed", "failed", "canceled", "terminated", "continued_as_new", "timed_out")
"""The statuses of a workflow that has ended (the live view stops on them)."""


class SessionError(NtroError):
    """Something a user did or met (bad id, cluster down, bad argument); one readable line."""


class ClusterUnreachable(SessionError, cluster.ClusterUnreachable):
    """The Temporal server did not answer (down, wrong address, network, credentials)."""


class WorkflowNotFound(SessionError, cluster.WorkflowNotFound):
    """No workflow with that id exists on the session's target."""


class IdentityError(SessionError, cluster.IdentityError):
    """No reviewer identity could be found; decisions are never sent anonymously."""


class DecisionRefused(SessionError, cluster.DecisionRefused):
    """The workflow refused a decision or row action; ``reason`` is its validator's message."""


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def cause_message(err: BaseException) -> str:
    """The message of what caused ``err`` (a workflow's failure inside Temporal's wrapper)."""
    cause = getattr(err, "cause", None)
    return getattr(cause, "message", None) or (str(cause) if cause else "") or str(err)


def no_poller(err: BaseException) -> bool:
    """The server says at once that nobody polls the task queue (a dev server started again
    after the kernel that served the workflow stopped answers this instead of timing out)."""
    return getattr(err, "status", None) == RPCStatusCode.FAILED_PRECONDITION and "no poller" in (
        getattr(err, "message", "") or ""
    )


def from_cluster(err: cluster.ClusterError) -> SessionError:
    """The session's error for an :mod:`ntro.cluster` one: same message, same kind."""
    if isinstance(err, SessionError):
        return err
    if isinstance(err, cluster.ClusterUnreachable):
        return ClusterUnreachable(str(err), address=err.address, detail=err.detail)
    if isinstance(err, cluster.DecisionRefused):
        return DecisionRefused(err.workflow_id, err.reason, error_type=err.error_type)
    for kind, ours in (
        (cluster.WorkflowNotFound, WorkflowNotFound),
        (cluster.IdentityError, IdentityError),
    ):
        if isinstance(err, kind):
            return ours(str(err))
    return SessionError(str(err))


def rpc_error(err: BaseException, where: str, workflow_id: str | None = None) -> SessionError:
    """A Temporal RPC error on the session's target (``where``) as the session's error."""
    status = getattr(err, "status", None)
    message = one_line(getattr(err, "message", None) or str(err))
    if status == RPCStatusCode.NOT_FOUND and workflow_id:
        return WorkflowNotFound(
            f"no workflow with id {workflow_id!r} on {where}: check the id (%ntro ls lists "
            f"workflows)"
        )
    if status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return ClusterUnreachable(
            f"cannot reach {where}: {cluster.describe_connect_failure(message)}. Retry when it "
            f"is back (a decision is never applied twice), or %ntro connect another target",
            detail=message,
        )
    return SessionError(f"Temporal refused the request: {message}")
