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
    - ``second_approver_for_overrides``: approving while one of the gate's own checks fails
      (posting unbalanced journals, say) takes two different reviewers. The first approval is
      recorded and the gate stays open; a second reviewer's approval releases it.
    """

    reviewers: Sequence[str] | None = None
    roles: Sequence[str] | None = None
    maker_checker: bool = False
    prepared_by: Sequence[str] = field(default_factory=tuple)
    second_approver_for_overrides: bool = False

    def describe(self, makers: set[str], override_approvals: Sequence[str] = ()) -> dict[str, Any]:
        """The policy as published on the pending action, so a UI can say who may decide."""
        described: dict[str, Any] = {
            "reviewers": list(self.reviewers) if self.reviewers is not None else None,
            "roles": list(self.roles) if self.roles is not None else None,
            "maker_checker": self.maker_checker,
            "makers": sorted(set(self.prepared_by) | makers),
        }
        if self.second_approver_for_overrides:
            described["second_approver_for_overrides"] = True
            described["override_approvals"] = list(override_approvals)
        return described

    def awaits_second_approver(
        self, action: Decision | RowAction, checks: Sequence[Any], approvals: Sequence[str]
    ) -> bool:
        """Whether ``action`` is the first approval of an override this policy makes two
        reviewers share (it is then recorded, and the gate stays open)."""
        return (
            self.second_approver_for_overrides
            and isinstance(action, Decision)
            and action.approved
            and bool(failing_checks(checks))
            and not approvals
        )

    def check_override(
        self, action: Decision | RowAction, checks: Sequence[Any], approvals: Sequence[str]
    ) -> None:
        """Refuse a second approval of an override by the reviewer who gave the first."""
        if not (
            self.second_approver_for_overrides
            and isinstance(action, Decision)
            and action.approved
            and action.reviewer in approvals
        ):
            return
        failed = ", ".join(failing_checks(checks)) or "a failed check"
        raise InvalidDecision(
            f"{action.reviewer} already approved overriding {failed}; this review's policy "
            f"needs a second reviewer to approve it. Ask another reviewer to approve, or reject."
        )

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


_FAILED_STATUSES = ("fail", "failed", "error", "not_ok", "false")


def failing_checks(checks: Sequence[Any]) -> list[str]:
    """Names of the gate's checks that fail at error level (warnings do not count).

    A check is ``{"name", "ok"|"passed"|"status", "level"?, "message"?}`` as passed to
    ``wait_for_action(checks=...)``, or a QualityCheckItem dict (``{"id", "title", "status"}``)
    of its ``checks_spec``: ``fail`` counts; ``warn``, ``skipped`` and ``running`` do not.
    """
    names = []
    for index, item in enumerate(checks or []):
        if not isinstance(item, dict):
            continue
        ok = item.get("ok", item.get("passed"))
        status = str(item.get("status") or "").strip().lower()
        failed = ok is False or (ok is None and status in _FAILED_STATUSES)
        level = str(item.get("level") or item.get("severity") or "error").strip().lower()
        if failed and level not in ("warning", "warn", "info"):
            name = item.get("name") or item.get("title") or item.get("id") or item.get("message")
            names.append(str(name or f"check #{index + 1}"))
    return names
