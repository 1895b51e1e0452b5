"""Who decides: the reviewer recorded with every decision. Never anonymous, anywhere.

One rule for the CLI, the worker, the kernel session and the JupyterLab server extension:

1. the name given (``--as``, ``reviewer=``);
2. the signed-in user of a Jupyter server (``signed_in``): a login names a person, so it wins
   over a setting shared by everyone using that server. Token logins are "Anonymous ..." and
   are skipped;
3. ``NTRO_REVIEWER``;
4. the JupyterHub user (``JUPYTERHUB_USER``), then the system user (``USER``, ``LOGNAME``, the
   account the process runs as).

When none is found the decision is not sent (:class:`IdentityError`): a decision is never
recorded under a made-up name. ``host`` names whose environment was read ("the Jupyter server")
in the source said back to the user.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from typing import NamedTuple

from ntro.cluster._errors import IdentityError

__all__ = ["Reviewer", "resolve_reviewer"]

_ENV_SOURCES = (
    ("NTRO_REVIEWER", "NTRO_REVIEWER"),
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
    host: str | None = None,
) -> Reviewer:
    """The reviewer, or :class:`IdentityError`. ``environ`` given: no system lookup (tests)."""
    if explicit is not None:
        if not str(explicit).strip():
            raise IdentityError(
                "the reviewer given is empty: pass a name or email, e.g. --as alice"
            )
        return Reviewer(str(explicit).strip(), "the argument")
    user = (signed_in or "").strip()
    if user and not user.startswith("Anonymous"):
        return Reviewer(user, "the signed-in Jupyter user")
    env = os.environ if environ is None else environ
    for key, label in _ENV_SOURCES:
        value = (env.get(key) or "").strip()
        if value:
            return Reviewer(value, f"{key} of {host}" if host else label)
    if environ is None:
        try:
            name = getpass.getuser().strip()
        except (KeyError, OSError):
            name = ""
        if name:
            return Reviewer(name, f"the system user of {host}" if host else "the system user")
    raise IdentityError(
        "no reviewer identity: pass one (--as NAME, or reviewer= in Python), or set "
        "NTRO_REVIEWER; decisions are not sent without a name"
    )
