"""Who decides through the server extension, and with which roles: the server says, never the
request.

A ``ReviewPolicy`` may require a role (``roles=["controller"]``) or name the reviewers allowed;
a decision carrying a name and roles chosen by whoever sends the HTTP request would get past it.
So the extension fills both in itself:

- **Reviewer**: the rule of :func:`ntro.cluster.resolve_reviewer`, the same everywhere: the
  signed-in Jupyter user when the server names its users (JupyterHub, or any identity provider
  that gives a user name). A server reached with its shared token has no user name
  ("Anonymous ..."): then ``NTRO_REVIEWER`` from the server's environment, then
  ``JUPYTERHUB_USER``, ``USER`` / ``LOGNAME``, then the system user. With none of them the
  server refuses to decide (:class:`~ntro.cluster.IdentityError`), never a made-up name.
- **Roles**: ``NTRO_REVIEWER_ROLES`` in the server's environment maps reviewers to roles, as a
  JSON object or the path of a JSON file holding one::

      {"controller@fund.example": ["controller"], "ana@fund.example": ["preparer"],
       "*": ["staff"]}

  ``"*"`` gives roles to every reviewer. A reviewer not in the map has no roles (plus ``"*"``'s).
  A map that cannot be read gives no roles to anyone (a role-gated review then refuses) and is
  reported in the server log and by ``GET ntro/api/status``.

A request body that names ``reviewer`` or ``roles`` is refused with a message saying so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ntro.cluster import Reviewer, resolve_reviewer

__all__ = ["ROLES_ENV", "ReviewerDirectory", "server_reviewer"]

ROLES_ENV = "NTRO_REVIEWER_ROLES"
EVERYONE = "*"


def server_reviewer(user: Any, environ: Mapping[str, str] | None = None) -> Reviewer:
    """The reviewer for the signed-in Jupyter ``user`` (see module doc), or
    :class:`~ntro.cluster.IdentityError` when the server can name nobody."""
    name = str(getattr(user, "name", "") or getattr(user, "username", "") or "")
    return resolve_reviewer(signed_in=name, environ=environ, host="the Jupyter server")


@dataclass(frozen=True)
class ReviewerDirectory:
    """The reviewer-to-roles map of this server (``NTRO_REVIEWER_ROLES``)."""

    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReviewerDirectory:
        env = os.environ if environ is None else environ
        raw = (env.get(ROLES_ENV) or "").strip()
        if not raw:
            return cls()
        try:
            return cls(_parse_roles(raw))
        except ValueError as err:
            return cls(error=f"{ROLES_ENV} is ignored, so no reviewer has a role: {err}")

    def roles_of(self, reviewer: str) -> list[str]:
        """The roles ``reviewer`` holds here (their own and everyone's), sorted."""
        return sorted({*self.roles.get(reviewer, ()), *self.roles.get(EVERYONE, ())})


def _parse_roles(raw: str) -> dict[str, tuple[str, ...]]:
    source = "its value"
    if not raw.startswith("{"):
        path = Path(raw).expanduser()
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as err:
            raise ValueError(
                f"it is neither a JSON object nor a readable file ({path}: {err.strerror})"
            ) from None
        source = str(path)
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise ValueError(f"{source} is not JSON ({err})") from None
    if not isinstance(data, dict):
        raise ValueError(f'{source} must be a JSON object such as {{"ana": ["controller"]}}')
    roles: dict[str, tuple[str, ...]] = {}
    for reviewer, granted in data.items():
        if not isinstance(granted, list) or not all(isinstance(r, str) for r in granted):
            raise ValueError(
                f"the roles of {reviewer!r} in {source} must be a list of names, got "
                f"{json.dumps(granted)[:60]}"
            )
        roles[reviewer] = tuple(granted)
    return roles
