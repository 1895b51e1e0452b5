"""The life of one review gate in a panel: open, submitting, decided (read-only), or refused.

Why: every panel behaves the same around a decision. While the bridge sends it the buttons are
disabled; if the workflow's validator refuses it the error shows inline and the reviewer's
edits stay; once the workflow confirms (the gate closed, or the audit trail names it) the panel
turns read-only and says who decided what, and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from ntro.types import AuditEntry, PendingAction
from ntro_jupyter.viewmodels._intents import DecisionIntent

GateStatus = Literal["open", "submitting", "decided"]

_ACTION_WORDS = {
    "approve": "Approved",
    "correct": "Approved with corrections",
    "reject": "Rejected",
    "uploaded": "Uploaded",
    "timeout": "Timed out",
}


@dataclass
class GateInfo:
    """Where a decision goes and what the gate said about itself."""

    gate_id: str | None = None
    step_id: str | None = None
    workflow_id: str | None = None
    kind: str = "interactive_review"
    reason: str | None = None
    opened_at: datetime | None = None
    deadline: datetime | None = None
    args: dict[str, Any] = field(default_factory=dict)
    checks: list[Any] = field(default_factory=list)
    """The runbook's own checks on this gate (``{name, ok, level, message}``), as it sent them."""
    on_timeout: str | None = None
    """What the workflow decides at ``deadline`` (``"reject"``, ``"approve"``), if published."""
    policy: dict[str, Any] | None = None
    """The gate's review policy as the workflow publishes it (who may decide, second approver)."""

    @classmethod
    def from_pending(cls, pending: PendingAction | None, workflow_id: str | None) -> GateInfo:
        if pending is None:
            return cls(workflow_id=workflow_id)
        return cls(
            gate_id=pending.gate_id,
            step_id=pending.step_id,
            workflow_id=workflow_id,
            kind=pending.kind,
            reason=pending.reason,
            opened_at=pending.opened_at,
            deadline=pending.deadline,
            args=dict(pending.args),
            checks=list(pending.checks),
            on_timeout=_text_or_none(getattr(pending, "on_timeout", None)),
            policy=getattr(pending, "policy", None)
            if isinstance(getattr(pending, "policy", None), dict)
            else None,
        )


def _text_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


@dataclass
class DecidedInfo:
    """Who decided what, and when: shown on a read-only panel."""

    action: str
    reviewer: str | None = None
    at: datetime | None = None
    comment: str | None = None
    corrections: int = 0
    on_behalf_of: str | None = None

    @property
    def sentence(self) -> str:
        """``"Approved with corrections (2) by alice at 2024-04-01 10:42 UTC"``; a typed signer
        follows the reviewer: ``"Approved by ana@acme.example on behalf of Dana Cho, CFO"``."""
        words = _ACTION_WORDS.get(self.action, self.action.capitalize() or "Decided")
        if self.action == "correct" and self.corrections:
            words += f" ({self.corrections})"
        if self.reviewer:
            words += f" by {self.reviewer}"
        if self.on_behalf_of:
            words += f" on behalf of {self.on_behalf_of}"
        if self.at:
            words += f" at {format_time(self.at)}"
        return words

    def to_view(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reviewer": self.reviewer,
            "at": format_time(self.at) if self.at else None,
            "comment": self.comment,
            "corrections": self.corrections,
            "on_behalf_of": self.on_behalf_of,
            "sentence": self.sentence,
        }

    @classmethod
    def from_decision_dict(
        cls, decision: dict[str, Any], at: datetime | None = None
    ) -> DecidedInfo:
        """Read a snapshot's stored decision (any published spelling)."""
        raw = str(
            decision.get("action")
            or decision.get("type")
            or decision.get("kind")
            or decision.get("decision")
            or "decided"
        ).lower()
        action = {"approved": "approve", "rejected": "reject", "corrected": "correct"}.get(raw, raw)
        corrections = decision.get("corrections")
        when = decision.get("decided_at") or decision.get("at")
        parsed: datetime | None = at
        if isinstance(when, str):
            try:
                parsed = datetime.fromisoformat(when.replace("Z", "+00:00"))
            except ValueError:
                parsed = at
        elif isinstance(when, datetime):
            parsed = when
        reviewer = decision.get("reviewer") or decision.get("reviewed_by") or decision.get("user")
        comment = decision.get("comment") or decision.get("reason")
        signer = decision.get("on_behalf_of")
        return cls(
            action=action,
            reviewer=str(reviewer) if reviewer else None,
            at=parsed,
            comment=str(comment) if comment else None,
            corrections=len(corrections) if isinstance(corrections, list) else 0,
            on_behalf_of=str(signer) if signer else None,
        )


def format_time(moment: datetime) -> str:
    """A timestamp as ``2024-04-01 10:42 UTC`` (naive times are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class GateLifecycle:
    """Open -> submitting -> decided; a refusal goes back to open with the error kept."""

    status: GateStatus = "open"
    error: str | None = None
    submitted: DecisionIntent | None = None
    decided: DecidedInfo | None = None
    sent_info: DecidedInfo | None = None
    """What to show once confirmed when no decision was sent (an upload: who sent which file)."""
    info: str | None = None
    """A note on the open gate (your approval was the first of two the policy needs)."""

    @property
    def read_only(self) -> bool:
        return self.status != "open"

    def submit(self, intent: DecisionIntent) -> None:
        """A decision was handed to the bridge; wait for its outcome."""
        if self.status == "decided":
            raise RuntimeError("this gate is already decided; the panel is read-only")
        self.status = "submitting"
        self.error = None
        self.submitted = intent

    def refuse(self, message: str) -> None:
        """The workflow refused the decision: show why and let the reviewer try again."""
        if self.status == "decided":
            return
        self.status = "open"
        self.error = str(message) or "the workflow refused the decision"

    def await_second_approver(self, approvers: list[str]) -> None:
        """The workflow recorded this approval as the first of two: the gate stays open."""
        if self.status == "decided":
            return
        self.status = "open"
        self.error = None
        self.info = (
            f"Approval recorded ({', '.join(approvers)}). This override needs a second "
            f"reviewer: the review stays open until another reviewer approves it."
        )

    def confirm(self, info: DecidedInfo | None = None, now: datetime | None = None) -> None:
        """The workflow took the decision (or another reviewer decided): become read-only."""
        if info is None and self.submitted is None and self.sent_info is not None:
            info = self.sent_info
        if info is None and self.submitted is not None:
            info = DecidedInfo(
                action=self.submitted["action"],
                reviewer=self.submitted["reviewer"],
                at=now or datetime.now(UTC),
                comment=self.submitted["comment"],
                corrections=len(self.submitted["corrections"]),
                on_behalf_of=self.submitted.get("on_behalf_of"),
            )
        self.status = "decided"
        self.error = None
        self.decided = info or DecidedInfo(action="decided", at=now)

    def to_view(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "error": self.error,
            "next_step": next_step(self.error) if self.error else None,
            "info": self.info,
            "read_only": self.read_only,
            "decided": self.decided.to_view() if self.decided else None,
        }


_MOVED_ON = ("closed", "no longer open", "already decided", "no review is open", "moved on")


def next_step(error: str) -> str:
    """What the reviewer does after a refusal, in their words."""
    lowered = error.lower()
    if any(words in lowered for words in _MOVED_ON):
        return (
            "The run has moved on since this review was shown. Refresh it (run the cell "
            "again, or reopen the review from the inbox) to see the step it is at now; "
            "your edits stay on this panel to copy."
        )
    if "could not send" in lowered or "unreachable" in lowered or "not reachable" in lowered:
        return "Nothing was recorded. Check the connection to Temporal, then send again."
    return "Nothing was recorded. Change what the message names and send again."


def decided_from_audit(audit: list[AuditEntry], gate_id: str | None) -> DecidedInfo | None:
    """The decision the audit trail records for ``gate_id``, if any (the last one wins)."""
    if not gate_id:
        return None
    found: DecidedInfo | None = None
    corrections = 0
    for entry in audit:
        if entry.gate_id != gate_id:
            continue
        if entry.kind == "correction":
            corrections += 1
        if entry.kind in ("decision", "timeout"):
            found = DecidedInfo(
                action=str(entry.action or ("timeout" if entry.kind == "timeout" else "decided")),
                reviewer=entry.reviewer,
                at=entry.at,
                comment=entry.comment,
                on_behalf_of=entry.on_behalf_of,
            )
    if found is not None:
        found.corrections = corrections
    return found
