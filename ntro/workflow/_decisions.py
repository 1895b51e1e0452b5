"""Reading reviewer input: every published decision spelling, one validated shape.

The published tools disagree on how a decision is spelled (``{"type": "approved"}``,
``{"kind": "approve"}``, ``{"action": "correct", "corrections": [...]}``). This module turns
any of them into a :class:`~ntro.types.Decision`, or a row action into a
:class:`~ntro.types.RowAction`, and checks either against the gate that is open. The same
checks back the ``submit_action`` update validator (reject before history) and the
``user_action`` signal (refuse, record, keep waiting).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ntro.types import Correction, Decision, RowAction
from ntro.workflow._errors import InvalidDecision
from ntro.workflow._limits import (
    MAX_DECISION_BYTES,
    MAX_DECISION_DEPTH,
    find_unsendable,
    json_size,
)

_ACTION_SPELLINGS: dict[str, str] = {
    **dict.fromkeys(
        [
            "approve",
            "approved",
            "approval",
            "accept",
            "accepted",
            "ok",
            "confirm",
            "confirmed",
            "sign_off",
            "signed_off",
            "signoff",
        ],
        "approve",
    ),
    **dict.fromkeys(["reject", "rejected", "deny", "denied", "decline", "declined"], "reject"),
    **dict.fromkeys(["correct", "corrected", "correction", "corrections"], "correct"),
}
_ACTION_KEYS = ("action", "type", "kind", "decision", "status")
_REVIEWER_KEYS = (
    "reviewer",
    "reviewed_by",
    "approved_by",
    "user",
    "user_id",
    "actor",
    "by",
    "identity",
)
_COMMENT_KEYS = ("comment", "reason", "note", "notes")
_ON_BEHALF_KEYS = ("on_behalf_of", "signed_on_behalf_of")
_ROW_ID_KEYS = ("line_item_id", "id", "row_id", "line_id", "uuid")
MAX_REVIEWER_CHARS = 200
MAX_COMMENT_CHARS = 10_000
# What an audit entry keeps of refused input: enough to recognise it, never the input itself.
MAX_SUMMARY_KEYS = 10
MAX_SUMMARY_CHARS = 500
ACCEPTED_SPELLINGS = (
    '{"action": "approve"|"reject"|"correct"}, {"type": "approved"|"rejected"} or '
    '{"kind": "approve"|"reject"}'
)


class ActionName(str):
    """A decision's action that compares equal to every spelling of itself.

    Runbooks written for the product page test ``response.action == "approved"`` while other
    tools send ``"approve"``; both hold. ``correct`` (approve with corrections) also equals the
    approve spellings, since the gate was released as an approval.
    """

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        mine = _ACTION_SPELLINGS.get(str(self))
        theirs = _ACTION_SPELLINGS.get(other.strip().lower())
        if theirs is None:
            return str.__eq__(self, other)
        return mine == theirs or (mine == "correct" and theirs == "approve")

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = str.__hash__


class DecisionDict(dict[str, Any]):
    """What ``wait_for_action`` returns: the decision dict exactly as sent.

    Item access gives what the sender wrote (``decision["corrections"]``); attributes give the
    normalised view (``decision.action == "approved"``, ``decision.corrections``,
    ``decision.reviewer``, ``decision.decision`` for the :class:`~ntro.types.Decision` model).
    """

    def __init__(self, raw: dict[str, Any], decision: Decision) -> None:
        super().__init__(raw)
        self.__dict__["decision"] = decision

    @property
    def action(self) -> ActionName:
        return ActionName(
            {"approve": "approved", "reject": "rejected", "correct": "corrected"}[
                self.decision.action
            ]
        )

    @property
    def approved(self) -> bool:
        return self.decision.approved

    @property
    def rejected(self) -> bool:
        return not self.decision.approved

    @property
    def corrections(self) -> list[dict[str, Any]]:
        return [c.model_dump() for c in self.decision.corrections]

    @property
    def comment(self) -> str | None:
        return self.decision.comment

    @property
    def reviewer(self) -> str | None:
        return self.decision.reviewer

    @property
    def on_behalf_of(self) -> str | None:
        """The signer the reviewer named ("Dana Cho, CFO"), recorded beside the reviewer."""
        return self.decision.on_behalf_of

    @property
    def checks(self) -> list[Any]:
        """The gate's checks as they stood when it closed: its own (``checks=``), then one
        QualityCheckItem dict per ``checks_spec`` entry; empty for a gate without checks."""
        return list(self.__dict__.get("_checks", []))

    @property
    def checks_result(self) -> dict[str, Any] | None:
        """The summary of the gate's quality checks (a QualityChecksResult as JSON), or None."""
        result: dict[str, Any] | None = self.__dict__.get("_checks_result")
        return result

    def attach_checks(self, checks: list[Any], result: dict[str, Any] | None) -> None:
        """Keep the gate's checks, as they ended, with the decision that closed it."""
        self.__dict__["_checks"] = list(checks)
        self.__dict__["_checks_result"] = result

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _first(raw: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key in keys:
        if key in raw and raw[key] is not None:
            return key, raw[key]
    return None, None


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_decision_input(raw: Any) -> None:
    """Refuse input no decision should be: not finite, nested too deeply, or too large.

    Runs first wherever a decision enters the workflow (the update's validator, its handler,
    the signal), so the message names the problem, and the size against the limit, before any
    other check (or the history) sees the value.
    """
    problem = find_unsendable(raw, MAX_DECISION_DEPTH)
    if problem is not None:
        raise InvalidDecision(
            f"the decision holds {problem}; send plain JSON values (finite numbers, text, "
            f"lists and objects at most {MAX_DECISION_DEPTH} levels deep)"
        )
    size = json_size(raw)
    if size > MAX_DECISION_BYTES:
        raise InvalidDecision(
            f"the decision is {size:,} bytes, over the {MAX_DECISION_BYTES:,}-byte limit "
            f"(MAX_DECISION_BYTES); send fewer corrections at a time, or store the data in the "
            f"document store and send its document_ref"
        )


def bounded_text(text: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    """``text`` cut to ``limit`` characters (with a note of how much was left out)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def summarize_received(value: Any, size: int | None = None) -> dict[str, Any]:
    """A bounded description of refused input for the audit trail: its type, its size, its
    first keys or items and a short preview, never the whole value (a refused 1.5 MB signal
    must not make every later query too large to answer)."""
    summary: dict[str, Any] = {"type": type(value).__name__ if value is not None else "null"}
    if size is not None:
        summary["bytes"] = size
    if isinstance(value, dict):
        keys = [bounded_text(str(k), 40) for k in list(value)[:MAX_SUMMARY_KEYS]]
        summary["keys"] = keys
        if len(value) > MAX_SUMMARY_KEYS:
            summary["more_keys"] = len(value) - MAX_SUMMARY_KEYS
    elif isinstance(value, list):
        summary["items"] = len(value)
    if find_unsendable(value) is None:
        if size is None:
            summary["bytes"] = json_size(value)
        summary["preview"] = bounded_text(_short(value, 200), 200)
    return summary


def describe_decode_error(err: BaseException) -> str:
    """Why a payload could not be decoded, in a bounded line (never the payload itself)."""
    if isinstance(err, RecursionError) or "recursion" in str(err).lower():
        return "it is nested too deeply"
    return bounded_text(f"{type(err).__name__}: {err}", 200)


def read_reviewer(raw: dict[str, Any]) -> str | None:
    """The reviewer named in ``raw`` under any accepted key, as a string, or None."""
    key, value = _first(raw, _REVIEWER_KEYS)
    if key is None:
        return None
    if isinstance(value, dict):
        for sub in ("name", "email", "id", "user_id"):
            if isinstance(value.get(sub), str) and value[sub].strip():
                return value[sub].strip()
        raise InvalidDecision(
            f"reviewer {_short(value)} has no 'name', 'email' or 'id'; send the reviewer as a "
            f'string, e.g. "reviewer": "ana@example.com"'
        )
    if not isinstance(value, str) or not value.strip():
        raise InvalidDecision(
            f"'{key}' must be the reviewer's name or email as a non-empty string, got "
            f"{_short(value)}"
        )
    if len(value.strip()) > MAX_REVIEWER_CHARS:
        raise InvalidDecision(
            f"'{key}' is {len(value.strip()):,} characters; a reviewer's name or email has at "
            f"most {MAX_REVIEWER_CHARS}"
        )
    return value.strip()


def read_roles(raw: dict[str, Any]) -> list[str]:
    """The roles the sender declares (``"roles": ["controller"]``), or none."""
    roles = raw.get("roles")
    if roles is None:
        return []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidDecision(f"'roles' must be a list of role names, got {_short(roles)}")
    return roles


def read_on_behalf_of(raw: dict[str, Any]) -> str | None:
    """Whom the reviewer signs for (a typed "Signed off by" name), kept beside the reviewer.

    The reviewer (the authenticated sender) is always what the record names; this is the
    "on behalf of" part of "Approved by ana@acme.example on behalf of Dana Cho, CFO".
    """
    key, value = _first(raw, _ON_BEHALF_KEYS)
    if key is None:
        return None
    if not isinstance(value, str):
        raise InvalidDecision(f"'{key}' must be a name as text, got {_short(value)}")
    if len(value.strip()) > MAX_REVIEWER_CHARS:
        raise InvalidDecision(
            f"'{key}' is {len(value.strip()):,} characters; a name has at most {MAX_REVIEWER_CHARS}"
        )
    return value.strip() or None


def timeout_outcome(on_timeout: str | dict[str, Any]) -> str:
    """The decision a gate takes when its review times out (``"reject"``, ``"approve"``), as
    published on the pending action so a reviewer sees the default before the deadline."""
    raw = {"action": on_timeout} if isinstance(on_timeout, str) else dict(on_timeout)
    key, value = _first(raw, _ACTION_KEYS)
    action = _ACTION_SPELLINGS.get(value.strip().lower()) if isinstance(value, str) else None
    return "approve" if action == "correct" else (action or "reject")


def is_row_action(raw: Any) -> bool:
    return isinstance(raw, dict) and str(raw.get("kind", "")).lower() == "row_action"


def _optional_text(raw: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    key, value = _first(raw, keys)
    if key is None:
        return None
    if not isinstance(value, str):
        raise InvalidDecision(f"'{key}' must be text, got {_short(value)}")
    if len(value) > MAX_COMMENT_CHARS:
        raise InvalidDecision(
            f"'{key}' is {len(value):,} characters; at most {MAX_COMMENT_CHARS:,} are kept with "
            f"a decision"
        )
    return value


def _read_corrections(value: Any) -> list[Correction]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidDecision(
            f"'corrections' must be a list of {{line_item_id, field, old_value, new_value}}, "
            f"got {_short(value)}"
        )
    corrections = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise InvalidDecision(
                f"correction #{index + 1} must be an object with line_item_id, field, old_value "
                f"and new_value, got {_short(item)}"
            )
        row_key, row_id = _first(item, _ROW_ID_KEYS)
        if row_key is None or isinstance(row_id, bool) or not isinstance(row_id, str | int):
            raise InvalidDecision(
                f"correction #{index + 1} needs 'line_item_id' (the row's id as text), got "
                f"{_short(item)}"
            )
        field = item.get("field", item.get("column"))
        if not isinstance(field, str) or not field:
            raise InvalidDecision(
                f"correction #{index + 1} needs 'field' (the column key as text), got "
                f"{_short(item)}"
            )
        corrections.append(
            Correction(
                line_item_id=str(row_id),
                field=field,
                old_value=item.get("old_value"),
                new_value=item.get("new_value"),
            )
        )
    return corrections


def parse_decision(raw: Any) -> Decision:
    """Normalise any accepted decision spelling, or raise :class:`InvalidDecision`.

    ``reviewer``, ``decided_at``, ``gate_id`` and ``step_id`` are read if present; the
    workflow fills reviewer fallbacks and time itself.
    """
    if not isinstance(raw, dict):
        raise InvalidDecision(
            f'a decision must be an object such as {{"action": "approve"}}, got '
            f"{type(raw).__name__} {_short(raw)}"
        )
    key, value = _first(raw, _ACTION_KEYS)
    if key is None:
        raise InvalidDecision(
            f"decision {_short(raw)} names no action; send one of {ACCEPTED_SPELLINGS}"
        )
    action = _ACTION_SPELLINGS.get(value.strip().lower()) if isinstance(value, str) else None
    if action is None:
        raise InvalidDecision(
            f"unknown decision {key}={_short(value)}; use approve, reject or correct "
            f"(also accepted: {ACCEPTED_SPELLINGS})"
        )
    corrections = _read_corrections(raw.get("corrections"))
    if action == "correct" and not corrections:
        action = "approve"
    elif action == "approve" and corrections:
        action = "correct"
    gate_id = raw.get("gate_id")
    if gate_id is not None and not isinstance(gate_id, str):
        raise InvalidDecision(f"'gate_id' must be text, got {_short(gate_id)}")
    step_id = raw.get("step_id")
    if step_id is not None and not isinstance(step_id, str):
        raise InvalidDecision(f"'step_id' must be text, got {_short(step_id)}")
    return Decision(
        action=action,  # type: ignore[arg-type]
        corrections=corrections,
        comment=_optional_text(raw, _COMMENT_KEYS),
        reviewer=read_reviewer(raw),
        on_behalf_of=read_on_behalf_of(raw),
        roles=read_roles(raw),
        gate_id=gate_id,
        step_id=step_id,
    )


def parse_row_action(raw: dict[str, Any]) -> RowAction:
    """Read ``{"kind": "row_action", "payload": {"action", "row_id", "field"?, "value"?}}``."""
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        raise InvalidDecision(
            f'a row action needs \'payload\': {{"action": "edit_cell"|"reject_row", '
            f'"row_id": ...}}, got {_short(payload)}'
        )
    action = payload.get("action")
    if action not in ("edit_cell", "reject_row"):
        raise InvalidDecision(
            f'unknown row action {_short(action)}; use "edit_cell" or "reject_row"'
        )
    row_key, row_id = _first(payload, ("row_id", *_ROW_ID_KEYS))
    if row_key is None or isinstance(row_id, bool) or not isinstance(row_id, str | int):
        raise InvalidDecision(f"row action {action!r} needs 'row_id', got {_short(payload)}")
    field = payload.get("field")
    if action == "edit_cell" and (not isinstance(field, str) or not field):
        raise InvalidDecision(f"edit_cell needs 'field' (the column key), got {_short(payload)}")
    gate_id = raw.get("gate_id")
    if gate_id is not None and not isinstance(gate_id, str):
        raise InvalidDecision(f"'gate_id' must be text, got {_short(gate_id)}")
    return RowAction(
        action=action,
        row_id=str(row_id),
        field=field if isinstance(field, str) else None,
        value=payload.get("value"),
        reviewer=read_reviewer(raw) or read_reviewer(payload),
        roles=read_roles(raw) or read_roles(payload),
        gate_id=gate_id,
    )


def iter_rows(payload: Any, _depth: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(row_id, row)`` for every table row found in a gate payload.

    Rows are dicts inside lists, at the top level or under keys (datasets), two levels deep.
    A row's id is its ``line_item_id``/``id``/``row_id``/``line_id``/``uuid``, else its index.
    """
    if _depth > 2:
        return
    if isinstance(payload, list):
        for index, item in enumerate(payload):
            if isinstance(item, dict):
                key, row_id = _first(item, _ROW_ID_KEYS)
                yield (str(row_id) if key is not None else str(index)), item
    elif isinstance(payload, dict):
        for value in payload.values():
            if isinstance(value, list | dict):
                yield from iter_rows(value, _depth + 1)


def check_corrections(corrections: list[Correction], payload: Any, columns: set[str]) -> None:
    """Every correction must name a row of the payload and a field that row (or a column) has."""
    if not corrections:
        return
    rows = dict(iter_rows(payload))
    if not rows:
        raise InvalidDecision(
            "this gate's payload has no rows to correct; send the decision without "
            "'corrections', or put the rows in the payload"
        )
    for correction in corrections:
        row = rows.get(correction.line_item_id)
        if row is None:
            known = ", ".join(list(rows)[:10])
            raise InvalidDecision(
                f"correction to row {correction.line_item_id!r}, which is not in the payload "
                f"(rows: {known}{', ...' if len(rows) > 10 else ''})"
            )
        if correction.field not in row and correction.field not in columns:
            fields = ", ".join(sorted(set(row) | columns))
            raise InvalidDecision(
                f"correction to field {correction.field!r} of row {correction.line_item_id!r}, "
                f"which has no such field (fields: {fields})"
            )


def check_row_action(row_action: RowAction, payload: Any, columns: set[str]) -> None:
    rows = dict(iter_rows(payload))
    row = rows.get(row_action.row_id)
    if row is None:
        raise InvalidDecision(
            f"row action on row {row_action.row_id!r}, which is not in the payload"
        )
    if (
        row_action.field is not None
        and row_action.field not in row
        and row_action.field not in columns
    ):
        raise InvalidDecision(
            f"row action on field {row_action.field!r}, which row {row_action.row_id!r} does not have"
        )


def column_keys(display_hint: dict[str, Any] | None) -> set[str]:
    """Column keys declared by a hint's config (top-level and per dataset)."""
    if not isinstance(display_hint, dict):
        return set()
    config = display_hint.get("config") or {}
    keys: set[str] = set()
    column_lists = [config.get("columns")]
    for dataset in config.get("datasets") or []:
        if isinstance(dataset, dict):
            column_lists.append(dataset.get("columns"))
    for columns in column_lists:
        for column in columns or []:
            if isinstance(column, dict) and isinstance(column.get("key"), str):
                keys.add(column["key"])
    return keys
