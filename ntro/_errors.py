"""The root of every error ntro raises for a person to read: :class:`NtroError`.

::

    NtroError                       one line that says what was wrong and what to do
    ├── ClusterError                (ntro.cluster) talking to a Temporal cluster
    │   ├── ConfigError, ClusterUnreachable, WorkflowNotFound, IdentityError, ...
    │   └── DecisionError           DecisionNotSendable, DecisionRefused, DecisionUndelivered
    ├── RunbookError                (ntro.runbook) a bundle or its runbook.md is not usable
    ├── HarnessError                (ntro.testing) the scenario harness set up or used wrongly
    ├── DevServerError              (ntro) the local Temporal dev server
    ├── BinaryNotFoundError         (ntro) a Temporal binary is missing
    ├── DataPlaneError, EmbeddedPostgresError, MigrationError   (ntro.data)
    └── SessionError                (ntro_jupyter) the notebook session and its magics

Each keeps the built-in base it had (``RunbookError`` is a ``ValueError``, ``DevServerError`` a
``RuntimeError``, ...), so code that caught those still does. Errors raised *inside* a workflow
(``WorkflowError``, ``InvalidDecision``) are Temporal ``ApplicationError`` s instead: Temporal
needs that type to fail a run or refuse an update without retrying it.

Why one root: a caller that shows errors to a person (the ``%ntro`` magics, the CLI) catches
``NtroError`` once instead of a list of types that goes stale.
"""

from __future__ import annotations

__all__ = ["NtroError"]


class NtroError(Exception):
    """Something a user did or met; ``str(err)`` is one line that says what to do."""
