"""Who decides: the reviewer recorded with every decision. Never anonymous.

Order: the name given (``--as``, ``reviewer=``, the request's field), ``NTRO_REVIEWER``, the
signed-in user of a Jupyter server (``signed_in``; token logins are "Anonymous ..." and are
skipped), the JupyterHub user, the system user. When none is found the decision is not sent.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from typing import NamedTuple

from ntro.cluster._errors import IdentityError

__all__ = ["Reviewer", "resolve_reviewer"]

_ENV_SOURCES = (
    ("JUPYTERHUB_USER", "the JupyterHub user (JUPYTERHUB_USER)"),
    ("USER", "the system user (USER)"),
    ("LOGNAME", "the system user (LOGNAME)"),
)


class Reviewer(NamedTuple):
    """A reviewer's name and where it came from (said back to the user)."""

    name: str
    source: str


def resolve_reviewer(
    explicit: str | None = None,
    *,
    signed_in: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Reviewer:
    """The reviewer, or :class:`IdentityError`. ``environ`` given: no system lookup (tests)."""
    if explicit is not None:
        if not str(explicit).strip():
            raise IdentityError(
                "the reviewer given is empty: pass a name or email, e.g. --as alice"
            )
        return Reviewer(str(explicit).strip(), "the argument")
    env = os.environ if environ is None else environ
    configured = (env.get("NTRO_REVIEWER") or "").strip()
    if configured:
        return Reviewer(configured, "NTRO_REVIEWER")
    user = (signed_in or "").strip()
    if user and not user.startswith("Anonymous"):
        return Reviewer(user, "the signed-in Jupyter user")
    for key, label in _ENV_SOURCES:
        value = (env.get(key) or "").strip()
        if value:
            return Reviewer(value, label)
    if environ is None:
        try:
            name = getpass.getuser().strip()
        except (KeyError, OSError):
            name = ""
        if name:
            return Reviewer(name, "the system user")
    raise IdentityError(
        "no reviewer identity: pass one (--as NAME, or reviewer= in Python), or set "
        "NTRO_REVIEWER; decisions are not sent without a name"
    )
