"""Who may decide a review: allowed reviewers, roles, and maker-checker.

The policy is enforced in the update validator (and the signal path), so it holds whichever
client sends the decision: the notebook, the inbox, a script.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ntro.types import Decision, RowAction
from ntro.workflow._errors import InvalidDecision


@dataclass(frozen=True)
class ReviewPolicy:
    """Constraints on who may act on a review gate.

    - ``reviewers``: if set, only these identities may decide or edit.
    - ``roles``: if set, the sender must declare one of these roles (``"roles": [...]`` in the
      decision, set by the client from its configuration).
    - ``maker_checker``: whoever prepared the review (``prepared_by``) or corrected it (sent an
      ``edit_cell`` row action, or a ``correct`` decision) may not approve it; another
      reviewer must. Rejecting stays open to everyone allowed.
    """

    reviewers: Sequence[str] | None = None
    roles: Sequence[str] | None = None
    maker_checker: bool = False
    prepared_by: Sequence[str] = field(default_factory=tuple)

    def describe(self, makers: set[str]) -> dict[str, Any]:
        """The policy as published on the pending action, so a UI can say who may decide."""
        return {
            "reviewers": list(self.reviewers) if self.reviewers is not None else None,
            "roles": list(self.roles) if self.roles is not None else None,
            "maker_checker": self.maker_checker,
            "makers": sorted(set(self.prepared_by) | makers),
        }

    def check(self, action: Decision | RowAction, roles: Sequence[str], makers: set[str]) -> None:
        """Raise :class:`InvalidDecision` when ``action`` breaks the policy."""
        who = action.reviewer or "an unnamed reviewer"
        if self.reviewers is not None and action.reviewer not in self.reviewers:
            raise InvalidDecision(
                f"{who} may not act on this review; allowed reviewers: "
                f"{', '.join(self.reviewers) or 'none'}"
            )
        if self.roles is not None and not set(roles) & set(self.roles):
            raise InvalidDecision(
                f"{who} has roles {sorted(roles) or 'none'} but this review needs one of "
                f"{', '.join(self.roles)}"
            )
        if not self.maker_checker or not isinstance(action, Decision) or not action.approved:
            return
        if action.action == "correct":
            raise InvalidDecision(
                f"maker-checker: {who} cannot correct and approve in one decision; send the "
                f"corrections as edit_cell row actions, then another reviewer approves"
            )
        if action.reviewer in set(self.prepared_by) | makers:
            raise InvalidDecision(
                f"maker-checker: {who} prepared or corrected this review and may not approve "
                f"it; another reviewer must"
            )
