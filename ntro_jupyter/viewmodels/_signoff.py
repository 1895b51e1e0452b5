"""What an approval commits, said before it is committed; when the gate times out, and how.

Why: a reviewer with thirty reviews before a deadline approves what the button says. The
button names the act ("Release wire USD 10,000.00", else "Approve <step>"), and the panel
shows, before anything is sent, the rows, corrections, rejected rows, totals and warnings the
approval carries, the gate's deadline with its default outcome, and whether the policy needs a
second reviewer. The inbox reads the same figures (:func:`review_stakes`) so a bulk approval
warns about exactly what the panel would.

Works on any panel model by reading what it offers (``corrections()``, ``journals``,
``outside()``); it never imports the panel classes, so every panel can call it.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from ntro_jupyter.viewmodels._review import format_time
from ntro_jupyter.viewmodels._values import format_money, parse_number, plain_text

_AMOUNT_KEYS = (
    "amount_at_stake",
    "amount",
    "total_amount",
    "total",
    "wire_amount",
    "payment_amount",
    "nav",
)
_TIMEOUT_WORDS = {
    "approve": "approves it",
    "reject": "rejects it",
}


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


_CODED = re.compile(r"^(?:([A-Z]{3})\s+)?([-+(]?[\d,.]+\)?)(?:\s+([A-Z]{3}))?$")


def _money_dict(value: Any, currency: Any) -> dict[str, str] | None:
    if isinstance(value, dict):
        currency = value.get("currency", currency)
        value = value.get("value", value.get("amount"))
    if isinstance(value, str):
        coded = _CODED.match(value.strip())
        if coded and (coded.group(1) or coded.group(3)):
            currency = coded.group(1) or coded.group(3)
            value = coded.group(2)
    number = parse_number(value)
    if number is None:
        return None
    code = plain_text(currency).upper() if currency else None
    return {"value": f"{number:f}", "currency": code or ""}


def amount_at_stake(model: Any, body: dict[str, Any] | None = None) -> dict[str, str] | None:
    """``{"value": "10000.00", "currency": "USD"}``: what approving this gate moves, or None.

    Read, in order: the hint's ``amount_field`` (a payload key), the payload's own amount
    keys (``amount``, ``total``, ...), a journal review's total debits, a table's total when it
    has one currency and one summed column.
    """
    config = model.config if isinstance(getattr(model, "config", None), dict) else {}
    payload = model.payload if isinstance(model.payload, dict) else {}
    currency = config.get("currency") or payload.get("currency")
    field = config.get("amount_field")
    keys = (field,) if isinstance(field, str) and field else _AMOUNT_KEYS
    for key in keys:
        if key in payload:
            found = _money_dict(payload[key], currency)
            if found is not None:
                return found
    if hasattr(model, "total_debit") and getattr(model, "journals", None):
        return _money_dict(model.total_debit, getattr(model, "currency", None) or currency)
    return _table_amount(model, body)


def _table_amount(model: Any, body: dict[str, Any] | None) -> dict[str, str] | None:
    """The one total of a table with one currency and one summed column (the totals the body
    already holds are used: a 10,000-row table is not summed twice)."""
    datasets = getattr(model, "datasets", None)
    if not datasets or not hasattr(model, "totals"):
        return None
    held = (body or {}).get("totals")
    found: list[tuple[str, Any]] = []
    for ds in datasets:
        totals = held.get(ds.key, []) if isinstance(held, dict) else model.totals(ds.key)
        for total in totals:
            if total.get("side"):
                return None  # Dr/Cr sides: no one figure is "the" amount
            for text in total.get("cells", {}).values():
                found.append((total.get("currency") or "", text))
    if len(found) != 1:
        return None
    currency, text = found[0]
    words = str(text).split()
    if len(words) == 2 and not currency:
        currency, text = words
    return _money_dict(text, currency or None)


def amount_text(amount: dict[str, str] | None) -> str:
    """``{"value": "10000", "currency": "USD"}`` -> ``"USD 10,000.00"``."""
    if not amount:
        return ""
    number = Decimal(amount["value"])
    return format_money(number, amount.get("currency") or None)


def act_label(model: Any, amount: dict[str, str] | None) -> str:
    """What the approve button says it does: the gate's own words and amount, else
    "Approve <step title>"."""
    verb = None
    if isinstance(getattr(model, "config", None), dict):
        verb = model.config.get("act") or model.config.get("approve_label")
    if not verb and type(model).default_approve_label != "Approve":
        verb = type(model).default_approve_label
    if not verb:
        title = getattr(model, "title", "") or ""
        return f"Approve {title}".strip() if title else "Approve"
    label = plain_text(verb)
    money = amount_text(amount)
    if money and not any(ch.isdigit() for ch in label):
        label = f"{label} {money}"
    return label


def _check_warnings(model: Any, body: dict[str, Any]) -> list[str]:
    warnings = []
    for check in model.runbook_checks() if hasattr(model, "runbook_checks") else []:
        if check.get("ok") is False and check.get("level") != "info":
            name = check.get("name") or "a check"
            message = check.get("message") or ""
            warnings.append(f"Check failed: {name}" + (f" ({message})" if message else ""))
    for rule in body.get("rules") or []:
        if isinstance(rule, dict) and rule.get("ok") is False:
            warnings.append(f"Rule not met: {plain_text(rule.get('message') or rule.get('name'))}")
    return warnings


def _panel_warnings(model: Any, body: dict[str, Any]) -> list[str]:
    warnings = _check_warnings(model, body)
    low = body.get("low_confidence")
    if isinstance(low, int) and low:
        warnings.append(f"{_plural(low, 'low-confidence value')} to check")
    if hasattr(model, "unbalanced"):
        for journal in model.unbalanced():
            warnings.append(
                f"Journal {journal.journal_id} is out by {model.money(journal.difference)}"
            )
    if hasattr(model, "outside"):
        for figure in model.outside():
            warnings.append(f"{figure.label} moved outside the ±{figure.tolerance_pct}% tolerance")
    return warnings


def _what_lines(model: Any, body: dict[str, Any]) -> list[str]:
    lines = []
    if isinstance(body.get("row_count"), int):
        lines.append(_plural(body["row_count"], "row"))
    elif getattr(model, "journals", None):
        count = sum(len(j.lines) for j in model.journals)
        lines.append(f"{_plural(len(model.journals), 'journal')}, {_plural(count, 'line')}")
    elif body.get("figures"):
        lines.append(_plural(len(body["figures"]), "figure"))
    corrections = model.corrections() if hasattr(model, "corrections") else []
    lines.append(_plural(len(corrections), "correction") if corrections else "No corrections")
    rejected = body.get("rejected_rows")
    if isinstance(rejected, list) and rejected:
        lines.append(_plural(len(rejected), "rejected row"))
    for totals in (body.get("totals") or {}).values():
        for total in totals:
            cells = " · ".join(str(v) for v in total.get("cells", {}).values() if v)
            if cells:
                lines.append(f"{total.get('label') or 'Total'}: {cells}")
    if getattr(model, "journals", None):
        lines.append(f"Total debits {body.get('total_debit')} · credits {body.get('total_credit')}")
    override = getattr(model, "override_reason", None)
    if override:
        lines.append(f"Overriding with the reason: “{override}”")
    return lines


def deadline_view(gate: Any, now: datetime | None = None) -> dict[str, Any] | None:
    """The gate's review timeout: when, and what the workflow decides then (in UTC)."""
    deadline = getattr(gate, "deadline", None)
    if deadline is None:
        return None
    outcome = getattr(gate, "on_timeout", None) or None
    what = _TIMEOUT_WORDS.get(str(outcome or ""), "stops waiting")
    text = f"Decide by {format_time(deadline)}; after that the workflow {what}"
    if outcome is None:
        text = f"Decide by {format_time(deadline)}"
    return {
        "at": format_time(deadline),
        "iso": deadline.isoformat(),
        "on_timeout": outcome,
        "text": text + ".",
    }


def _second_approver(gate: Any, warnings: list[str]) -> str | None:
    policy = getattr(gate, "policy", None)
    if not isinstance(policy, dict) or not policy.get("second_approver_for_overrides"):
        return None
    if not any(w.startswith("Check failed") for w in warnings):
        return None
    approvals = [plain_text(a) for a in policy.get("override_approvals") or []]
    if approvals:
        return (
            f"{', '.join(approvals)} approved this override; your approval, as a second "
            f"reviewer, releases it."
        )
    return (
        "A failed check is being overridden: this review's policy needs a second reviewer. "
        "Your approval is recorded and the review waits for theirs."
    )


def approve_summary(model: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Everything the approve confirmation shows: ``act`` (the button's words), ``lines``
    (rows, corrections, rejected rows, totals), ``warnings``, ``amount``, ``deadline`` and
    ``second_approver`` (a sentence, or None)."""
    amount = amount_at_stake(model, body)
    warnings = _panel_warnings(model, body)
    lines = _what_lines(model, body)
    signer = getattr(model, "on_behalf_of", None)
    lines.append(f"Recorded as {model.reviewer}" + (f" on behalf of {signer}" if signer else ""))
    return {
        "act": act_label(model, amount),
        "reviewer": model.reviewer,
        "on_behalf_of": signer,
        "lines": lines,
        "warnings": warnings,
        "warning_count": len(warnings),
        "amount": amount,
        "amount_text": amount_text(amount),
        "deadline": deadline_view(model.gate),
        "second_approver": _second_approver(model.gate, warnings),
    }


def review_stakes(model: Any) -> dict[str, Any]:
    """``{warning_count, amount}`` of a panel: what the inbox shows on the review's row."""
    summary = approve_summary(model, model.body_view())
    corrections = model.corrections() if hasattr(model, "corrections") else []
    return {
        "warning_count": summary["warning_count"] + len(corrections),
        "amount": summary["amount"],
    }


def policy_blockers(model: Any) -> list[str]:
    """Why this reviewer may not approve under the gate's published policy (a second approval
    of an override by the reviewer who gave the first)."""
    policy = getattr(model.gate, "policy", None)
    if not isinstance(policy, dict) or not policy.get("second_approver_for_overrides"):
        return []
    if model.reviewer in (policy.get("override_approvals") or []):
        return [
            f"you ({model.reviewer}) already approved this override; a second reviewer must "
            f"approve it, or you may reject"
        ]
    return []


_FEEDBACK_TITLES = {
    "unreadable_document": "The file could not be read",
    "unreadable": "The file could not be read",
    "ingest": "Ingest",
    "validation": "Some values need checking",
}
_DOC_REF = re.compile(r"\bdoc_[0-9a-f]{8,}\b")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?(?:[\\/][\w.\-]+)+[\\/]([^\s'\"\\/:]+)")


def feedback_title(kind: str | None) -> str:
    """A feedback kind in the reviewer's words (``unreadable_document`` -> "The file could not
    be read"), never the code."""
    text = str(kind or "").strip()
    if text.lower() in _FEEDBACK_TITLES:
        return _FEEDBACK_TITLES[text.lower()]
    return text.replace("_", " ").strip().capitalize()


def plain_message(message: str | None, level: str | None = None) -> str | None:
    """A workflow's message without internal ids or server paths (``doc_3f2a...`` becomes "the
    uploaded file", ``/srv/.ntro/docs/statement.pdf`` becomes ``statement.pdf``); an error in an
    upload says what to do next."""
    if not message:
        return message
    text = _PATH.sub(lambda m: m.group(1), message)
    text = _DOC_REF.sub("the uploaded file", text)
    text = _UUID.sub("(reference kept in the audit trail)", text)
    text = text[:1].upper() + text[1:]
    if level == "error" and "upload" not in message.lower():
        text = text.rstrip(". ") + ". Upload a readable copy of the file to go on."
    return text
