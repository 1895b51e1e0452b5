"""What every review panel shares: the gate, the reviewer, the action buttons, the decision.

Why: approve/reject/comment, the order of buttons, "read-only once decided" and "a refused
decision keeps the edits" must behave the same in every panel. Each panel subclasses
:class:`PanelModel` and adds its own body, blockers and corrections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ntro.workflow import summarise_check_statuses
from ntro_jupyter.viewmodels._hint import Panel, ResolvedHint
from ntro_jupyter.viewmodels._intents import CorrectionDict, DecisionIntent, build_decision
from ntro_jupyter.viewmodels._review import DecidedInfo, GateInfo, GateLifecycle
from ntro_jupyter.viewmodels._signoff import approve_summary, deadline_view, policy_blockers
from ntro_jupyter.viewmodels._values import plain_text


class DecisionBlocked(Exception):
    """The panel will not send this decision yet; the message says what to fix."""


@dataclass
class ActionButton:
    """One decision button, as configured (``actions: [{kind, label, primary?, icon?}]``)."""

    kind: str
    label: str
    primary: bool = False
    icon: str | None = None


class PanelModel:
    """Base of every panel's view-model: state in, decision intents out.

    ``interactive`` is False for panels with nothing to decide (loading, a finished step).
    """

    panel: Panel = Panel.APPROVAL_FORM
    interactive: bool = True
    default_approve_label = "Approve"
    default_reject_label = "Reject"

    def __init__(
        self,
        hint: ResolvedHint,
        payload: Any = None,
        *,
        gate: GateInfo | None = None,
        reviewer: str = "reviewer",
        title: str | None = None,
        decided: DecidedInfo | None = None,
    ) -> None:
        self.hint = hint
        self.config: dict[str, Any] = hint.config if isinstance(hint.config, dict) else {}
        self.payload = payload
        self.gate = gate or GateInfo()
        self.reviewer = reviewer
        self.on_behalf_of: str | None = None
        """A name typed to sign for someone: sent beside the reviewer, never instead."""
        self.problems: list[str] = list(hint.problems)
        self.title = self._text_config("title") or title or self.default_title()
        self.lifecycle = GateLifecycle()
        if decided is not None:
            self.lifecycle.confirm(decided)
        self.reject_needs_comment = self.config.get("reject_requires_comment", True) is not False

    # -- configuration -------------------------------------------------------------------
    def _text_config(self, key: str) -> str | None:
        value = self.config.get(key)
        if value is None or value == "":
            return None
        return plain_text(value)

    def default_title(self) -> str:
        return self.gate.reason or self.panel.value.replace("_", " ").title()

    def _approve_label(self) -> str:
        return self._text_config("approve_label") or self.default_approve_label

    def actions(self) -> list[ActionButton]:
        """Decision buttons in configured order, primary ones (approve) first: the first in
        tab order, and named for what they commit (:func:`act_label`)."""
        approve_label = self._text_config("approve_label") or self.default_approve_label
        reject_label = self._text_config("reject_label") or self.default_reject_label
        configured = self.config.get("actions")
        buttons: list[ActionButton] = []
        if isinstance(configured, list) and configured:
            for item in configured:
                if isinstance(item, str):
                    item = {"kind": item}
                if not isinstance(item, dict):
                    self._note(f"action {item!r} is not an object: skipped")
                    continue
                kind = str(item.get("kind") or item.get("action") or item.get("type") or "").lower()
                kind = {"approved": "approve", "rejected": "reject", "correct": "approve"}.get(
                    kind, kind
                )
                if kind not in ("approve", "reject"):
                    self._note(f"action kind {kind!r} is not approve or reject: skipped")
                    continue
                label = item.get("label")
                buttons.append(
                    ActionButton(
                        kind=kind,
                        label=plain_text(label)
                        if label
                        else (approve_label if kind == "approve" else reject_label),
                        primary=bool(item.get("primary", False)),
                        icon=item.get("icon") if isinstance(item.get("icon"), str) else None,
                    )
                )
        if not buttons:
            buttons = [
                ActionButton("approve", approve_label, True, "circle-check"),
                ActionButton("reject", reject_label, False, "circle-x"),
            ]
        return [b for b in buttons if b.primary] + [b for b in buttons if not b.primary]

    def _note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def runbook_checks(self) -> list[dict[str, Any]]:
        """The runbook's checks on this gate (``pending_action.checks``), as ``{name, ok,
        level, message, status, confidence}``: shown before the panel's column rules, since
        they carry the figures the reviewer signs for (``opening ... = closing ...``).

        A check is the runbook's own verdict (``{name, ok, level, message}``) or a quality
        check of its ``checks_spec`` (``{id, title, status, detail, confidence}``, status
        ``running``, ``pass``, ``warn``, ``fail`` or ``skipped``). ``status`` says how to draw
        it: one of those five, or ``info`` for a verdict-less note.
        """
        found: list[dict[str, Any]] = []
        for item in self.gate.checks:
            if isinstance(item, str):
                found.append(_check_view("", None, "info", item, "info"))
            elif isinstance(item, dict):
                found.append(_quality_view(item) if _is_quality(item) else _verdict_view(item))
        return found

    def running_checks(self) -> list[dict[str, Any]]:
        """The gate's checks still running (approving waits for them)."""
        return [c for c in self.runbook_checks() if c["status"] == "running"]

    def checks_blockers(self) -> list[str]:
        """Why approving waits: the gate's quality checks still running."""
        running = self.running_checks()
        if not running:
            return []
        quality = [c for c in self.runbook_checks() if c["quality"]]
        names = ", ".join(c["name"] for c in running if c["name"])
        return [
            f"{len(running)} of {len(quality)} checks still running"
            + (f" ({names})" if names else "")
            + ": wait for them to finish, or reject"
        ]

    def checks_summary(self) -> str | None:
        """``"1 passed, 1 failed, 2 running"`` for the gate's quality checks, or None."""
        statuses = [check["status"] for check in self.runbook_checks() if check["quality"]]
        return summarise_check_statuses(statuses) or None

    # -- decisions -----------------------------------------------------------------------
    def corrections(self) -> list[CorrectionDict]:
        """Corrections the reviewer made (panels without editing have none)."""
        return []

    def blockers(self, action: str) -> list[str]:
        """Why ``action`` cannot be sent now (empty when it can)."""
        return []

    def decision_comment(self, action: str, comment: str | None) -> str | None:
        """The comment sent with the decision; panels may add context (an override reason)."""
        return comment

    def _all_blockers(self, action: str, comment: str | None) -> list[str]:
        found: list[str] = []
        if self.lifecycle.status == "decided":
            found.append("this gate is already decided")
        elif self.lifecycle.status == "submitting":
            found.append("the decision is being sent")
        if not self.interactive:
            found.append("there is nothing to decide here")
        if action == "reject" and self.reject_needs_comment and not (comment or "").strip():
            found.append("say why you reject (a comment is required)")
        if action in ("approve", "correct"):
            found.extend(self.checks_blockers())
            found.extend(self.blockers("approve"))
            found.extend(policy_blockers(self))
        else:
            found.extend(self.blockers(action))
        return found

    def decide(self, action: str, comment: str | None = None) -> DecisionIntent:
        """Build the decision intent and mark the gate as submitting.

        Raises :class:`DecisionBlocked` with every reason when the decision cannot be sent.
        """
        if action not in ("approve", "reject", "correct"):
            raise DecisionBlocked(f"unknown decision {action!r}: use approve or reject")
        problems = self._all_blockers(action, comment)
        if problems:
            raise DecisionBlocked("; ".join(problems))
        intent = build_decision(
            action,
            reviewer=self.reviewer,
            gate_id=self.gate.gate_id,
            corrections=self.corrections() if action != "reject" else (),
            comment=self.decision_comment(action, comment),
            on_behalf_of=self.on_behalf_of,
        )
        self.lifecycle.submit(intent)
        return intent

    def freeze(self) -> None:
        """Show this panel read-only (a finished step): no buttons, no edits."""
        self.interactive = False
        if self.lifecycle.status == "open":
            self.lifecycle.status = "decided"

    # -- view ----------------------------------------------------------------------------
    def body_view(self) -> dict[str, Any]:
        """The panel-specific part of :meth:`to_view`."""
        return {}

    def to_view(self) -> dict[str, Any]:
        """Everything the front end draws, as JSON-able data (all values already text)."""
        body = self.body_view()
        actions = []
        summary = approve_summary(self, body) if self.interactive else None
        if self.interactive:
            for button in self.actions():
                blocked = (
                    [*self.checks_blockers(), *self.blockers(button.kind), *policy_blockers(self)]
                    if button.kind == "approve"
                    else []
                )
                named = button.kind == "approve" and button.label == self._approve_label()
                actions.append(
                    {
                        "kind": button.kind,
                        "label": summary["act"] if named and summary else button.label,
                        "primary": button.primary,
                        "icon": button.icon,
                        "blocked": "; ".join(blocked) or None,
                    }
                )
        return {
            "panel": self.panel.value,
            "component": self.hint.component,
            "title": self.title,
            "subtitle": self._text_config("subtitle"),
            "reason": self.gate.reason,
            "problems": list(self.problems),
            "interactive": self.interactive,
            "reject_needs_comment": self.reject_needs_comment,
            "gate": {
                **self.lifecycle.to_view(),
                "gate_id": self.gate.gate_id,
                "step_id": self.gate.step_id,
            },
            "actions": actions,
            "approve_summary": summary,
            "deadline": deadline_view(self.gate),
            "checks": self.runbook_checks(),
            "checks_summary": self.checks_summary(),
            "body": body,
        }


_QUALITY_STATUSES = ("running", "pass", "warn", "fail", "skipped")
#: How a quality check's status reads as a verdict (``ok``) and its weight (``level``).
_QUALITY_VERDICTS: dict[str, tuple[bool | None, str]] = {
    "running": (None, "info"),
    "pass": (True, "info"),
    "warn": (False, "warning"),
    "fail": (False, "error"),
    "skipped": (None, "info"),
}


def _is_quality(item: dict[str, Any]) -> bool:
    """Whether ``item`` is a QualityCheckItem (a ``checks_spec`` check), not a verdict."""
    return "title" in item and str(item.get("status") or "").lower() in _QUALITY_STATUSES


def _check_view(
    name: str,
    ok: bool | None,
    level: str,
    message: str,
    status: str,
    *,
    confidence: str | None = None,
    quality: bool = False,
) -> dict[str, Any]:
    return {
        "name": name,
        "ok": ok,
        "level": level,
        "message": message,
        "status": status,
        "confidence": confidence,
        "quality": quality,
    }


def _verdict_view(item: dict[str, Any]) -> dict[str, Any]:
    """A runbook's own verdict, ``{name, ok|passed|status, level?, message?}``."""
    status = str(item.get("status") or "").lower()
    ok = item.get("ok", item.get("passed"))
    if ok is None and status:
        ok = status in ("pass", "passed", "ok", "success")
    level = str(item.get("level") or item.get("severity") or "error").lower()
    level = "warning" if level in ("warning", "warn") else level
    message = item.get("message") or item.get("detail") or item.get("name") or ""
    shown = "info" if ok is None else "pass" if ok else "fail" if level == "error" else "warn"
    return _check_view(
        plain_text(item.get("name") or ""),
        None if ok is None else bool(ok),
        level,
        plain_text(message),
        shown,
    )


def _quality_view(item: dict[str, Any]) -> dict[str, Any]:
    """A quality check (QualityCheckItem): running ones say so, finished ones their finding."""
    status = str(item["status"]).lower()
    ok, level = _QUALITY_VERDICTS[status]
    detail = plain_text(item.get("detail") or "")
    if status == "running":
        message = detail or "running…"
    elif status == "skipped":
        message = f"skipped: {detail}" if detail else "skipped"
    else:
        message = detail or {"pass": "passed", "warn": "warning", "fail": "failed"}[status]
    confidence = item.get("confidence")
    shown = (
        f"{float(confidence):.0%} confident"
        if isinstance(confidence, int | float)
        and not isinstance(confidence, bool)
        and confidence < 1
        else None
    )
    return _check_view(
        plain_text(item.get("title") or item.get("id") or ""),
        ok,
        level,
        message,
        status,
        confidence=shown,
        quality=True,
    )
