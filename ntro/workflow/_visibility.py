"""A runbook's open gate, published where the cluster can list it without a worker.

Why: a query is answered by a worker, so an inbox built from queries costs one worker round
trip per workflow and loses every review whose worker is down. Temporal's visibility store
lists workflows with their search attributes and memo in one call per page, worker or not.

What a run publishes, each time a gate opens, changes (feedback, edits) or closes:

- the memo key :data:`MEMO_KEY`: the row an inbox shows (kind, step, reason, title, since
  when, due when, entity, period, amount at stake, warning count, who may decide), or ``{}``
  when no gate is open (a run without the key was never published: an inbox queries it). A memo needs nothing registered on the cluster;
- the search attributes of :data:`ATTRIBUTE_TYPES` that the namespace has registered with
  the right type, so a list can filter on the server (``NtroAwaiting = true AND ...``).

Three rules keep this safe:

1. **Deterministic.** Whether a run publishes, and which attributes, is decided once at the
   start of the run by the local activity :data:`SUPPORT_ACTIVITY`, whose result is in the
   run's history (a replay reads it, it does not ask the cluster again). The decision is
   guarded by ``workflow.patched(PATCH_ID)``, so histories recorded before this code replay
   unchanged (they publish nothing, and an inbox reads them by query).
   Replay compares commands, not their content (checked: a history replays with a changed
   summary), but a change to *when* an upsert is issued changes the commands: such a change
   goes behind a new patch id.
2. **Never stalls a run.** Upserting an attribute the namespace does not define fails the
   workflow task, and the run would stop at its first gate. Only attributes the activity saw
   registered, with the expected type, are ever upserted; the worker logs once what to run
   (``ntro cluster setup``) to register the rest.
3. **Opt-in by the worker.** A worker that does not register :func:`visibility_support`
   (the time-skipping test harness, a plain ``temporalio`` worker) makes the activity fail,
   and the run publishes nothing: it behaves exactly as before. Runs started by the harness
   skip the check altogether.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from temporalio import activity, workflow
from temporalio.common import RetryPolicy, SearchAttributeKey, SearchAttributeUpdate

from ntro.workflow._state import PERSON_KINDS

__all__ = [
    "ATTRIBUTE_TYPES",
    "ENTITY_KEYS",
    "MEMO_KEY",
    "PATCH_ID",
    "PERIOD_KEYS",
    "SUPPORT_ACTIVITY",
    "GateVisibility",
    "gate_summary",
    "forget_registered_attributes",
    "missing_attributes_message",
    "prepare_visibility",
    "publish_gate",
    "registered_attributes",
    "usable_attributes",
    "visibility_support",
]

log = logging.getLogger("ntro.visibility")

#: The search attributes a run publishes, and their Temporal types.
ATTRIBUTE_TYPES: dict[str, str] = {
    "NtroAwaiting": "Bool",
    "NtroGateKind": "Keyword",
    "NtroStepId": "Keyword",
    "NtroRunbook": "Keyword",
    "NtroEntity": "Keyword",
    "NtroPeriod": "Keyword",
    "NtroWaitingSince": "Datetime",
    "NtroDueAt": "Datetime",
    "NtroReviewers": "KeywordList",
}
MEMO_KEY = "ntro_review"
PATCH_ID = "ntro-visibility-1"
SUPPORT_ACTIVITY = "ntro.visibility_support"
ENTITY_KEYS = ("entity", "entity_slug", "entity_id_or_slug", "entity_id", "fund")
PERIOD_KEYS = ("period", "period_end", "month")
_AMOUNT_KEYS = ("amount_at_stake", "amount", "total_amount", "total")
_CURRENCY_KEYS = ("currency", "currency_code")
_CONFIDENCE_KEYS = ("confidence_scores", "field_confidence", "_confidence", "confidence")
_FAILED = ("fail", "failed", "error", "not_ok", "false", "warn", "warning")
_TEXT_LIMIT = 200
_LIST_LIMIT = 20
_CACHE_S = 60.0

_AWAITING = SearchAttributeKey.for_bool("NtroAwaiting")
_KIND = SearchAttributeKey.for_keyword("NtroGateKind")
_STEP = SearchAttributeKey.for_keyword("NtroStepId")
_RUNBOOK = SearchAttributeKey.for_keyword("NtroRunbook")
_ENTITY = SearchAttributeKey.for_keyword("NtroEntity")
_PERIOD = SearchAttributeKey.for_keyword("NtroPeriod")
_SINCE = SearchAttributeKey.for_datetime("NtroWaitingSince")
_DUE = SearchAttributeKey.for_datetime("NtroDueAt")
_REVIEWERS = SearchAttributeKey.for_keyword_list("NtroReviewers")


# ── what a gate looks like in a list ───────────────────────────────────────


def _text(value: Any, limit: int = _TEXT_LIMIT) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first(sources: list[Any], keys: tuple[str, ...]) -> str | None:
    for source in sources:
        if not isinstance(source, dict):
            continue
        for key in keys:
            found = _text(source.get(key))
            if found:
                return found
    return None


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number / 100 if number > 1 else number


def _rows(payload: Any) -> list[Any] | None:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in ("rows", "lines", "line_items", "items", "entries"):
            if isinstance(payload.get(key), list):
                return payload[key]
    return None


def _low_confidence(rows: list[Any] | None, threshold: float | None) -> int:
    """Cells (or rows, when only a row score is given) scored below ``threshold``."""
    if not rows or threshold is None:
        return 0
    count = 0
    for row in rows:
        if not isinstance(row, dict):
            continue
        for key in _CONFIDENCE_KEYS:
            value = row.get(key)
            if isinstance(value, dict):
                scores = [_fraction(v) for v in value.values()]
                count += sum(1 for s in scores if s is not None and s < threshold)
                break
            score = _fraction(value) if value is not None else None
            if score is not None:
                count += score < threshold
                break
    return count


def _failing_checks(checks: Any) -> int:
    count = 0
    for item in checks if isinstance(checks, list) else []:
        if not isinstance(item, dict):
            continue
        ok = item.get("ok", item.get("passed"))
        status = str(item.get("status") or "").strip().lower()
        count += ok is False or (ok is None and status in _FAILED)
    return count


def _amount(sources: list[Any]) -> dict[str, Any] | None:
    """``{"value": "10000.00", "currency": "USD"}`` from the first amount the gate names."""
    for source in sources:
        if not isinstance(source, dict):
            continue
        for key in _AMOUNT_KEYS:
            raw = source.get(key)
            currency = _first([source], _CURRENCY_KEYS)
            if isinstance(raw, dict):
                currency = _first([raw], _CURRENCY_KEYS) or currency
                raw = raw.get("value", raw.get("amount"))
            if raw is None or isinstance(raw, bool):
                continue
            try:
                value = Decimal(str(raw).replace(",", "").strip())
            except InvalidOperation:
                continue
            if not value.is_finite():
                continue
            return {"value": f"{value:.2f}", "currency": currency}
    return None


def _reviewers(policy: Any) -> list[str]:
    """Who may decide: named reviewers, and roles as ``role:NAME``."""
    if not isinstance(policy, dict):
        return []
    names = [str(r) for r in policy.get("reviewers") or [] if _text(r)]
    names += [f"role:{r}" for r in policy.get("roles") or [] if _text(r)]
    return [n[:_TEXT_LIMIT] for n in dict.fromkeys(names)][:_LIST_LIMIT]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def gate_summary(
    pending: dict[str, Any],
    *,
    runbook: str | None = None,
    labels: list[Any] | None = None,
    edits: int = 0,
) -> dict[str, Any]:
    """What a list shows of the open gate ``pending`` (a pending-action dict), in plain JSON.

    Entity and period come from the gate (its own keys, ``args``, the display-hint config,
    the payload when it is an object), then ``labels`` (the run's memo and input, in that
    order). ``warning_count`` adds the gate's failing checks, cells scored under the table's
    ``confidence_warning_threshold``, and ``edits`` (row edits not yet decided).
    """
    hint: dict[str, Any] = _dict(pending.get("display_hint"))
    config: dict[str, Any] = _dict(hint.get("config"))
    payload = pending.get("payload")
    sources = [pending, pending.get("args"), config, payload, *(labels or [])]
    feedback = pending.get("feedback") if isinstance(pending.get("feedback"), dict) else None
    rows = _rows(payload)
    threshold = _fraction(config.get("confidence_warning_threshold"))
    summary = {
        "kind": _text(pending.get("kind")),
        "step_id": _text(pending.get("step_id")),
        "gate_id": _text(pending.get("gate_id")),
        "component": _text(hint.get("component")),
        "reason": _text(pending.get("reason")),
        "title": _text(config.get("title")),
        "opened_at": _text(pending.get("opened_at")),
        "due_at": _text(pending.get("deadline")),
        "runbook": _text(runbook),
        "entity": _first(sources, ENTITY_KEYS),
        "period": _first(sources, PERIOD_KEYS),
        "rows": len(rows) if rows is not None else None,
        "feedback_level": _text(feedback.get("level")) if feedback else None,
        "warning_count": _failing_checks(pending.get("checks"))
        + _low_confidence(rows, threshold)
        + max(0, int(edits)),
        "amount": _amount([config, payload, pending.get("args")]),
        "reviewers": _reviewers(pending.get("policy")),
    }
    return summary


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ── the run's side ─────────────────────────────────────────────────────────


@dataclass
class GateVisibility:
    """One run's publishing: decided once at its start, then one call per gate change.

    ``prepare`` (async, at the start of the run) decides whether the run publishes and which
    attributes; ``publish`` (sync, wherever the open gate changes) upserts what changed.
    Both do nothing outside a Temporal workflow (the in-process runtime).
    """

    enabled: bool = False
    attributes: frozenset[str] = frozenset()
    runbook: str | None = None
    labels: list[Any] = field(default_factory=list)
    _memo: Any = None
    _indexed: dict[str, Any] = field(default_factory=dict)

    async def prepare(self, runbook: str | None, run_input: Any = None) -> None:
        """Ask (once, recorded in history) what this run may publish."""
        from ntro.workflow._harness_runs import harness_driven

        if not workflow.in_workflow() or _in_process() or harness_driven():
            return
        if not workflow.patched(PATCH_ID):
            return  # a run recorded before runs published their gates: replay it unchanged
        self.runbook = runbook
        memo = {
            key: workflow.memo_value(key, default=None)
            for key in ("ntro_entity", "ntro_period", "entity", "period")
        }
        self.labels = [
            {"entity": memo["ntro_entity"] or memo["entity"]},
            {"period": memo["ntro_period"] or memo["period"]},
            run_input if isinstance(run_input, dict) else None,
        ]
        try:
            found = await workflow.execute_local_activity(
                SUPPORT_ACTIVITY,
                start_to_close_timeout=timedelta(seconds=10),
                # Once: its own errors are answered (no attributes), and a worker without it
                # fails at once; a retry would only delay the run's first gate.
                retry_policy=RetryPolicy(maximum_attempts=1),
            )
        except Exception:  # noqa: BLE001 - a worker without the activity: publish nothing
            return
        if not isinstance(found, dict) or found.get("ntro_visibility") != 1:
            return  # answered by a catch-all (a harness's mock of unknown activities)
        self.enabled = True
        self.attributes = frozenset(
            name
            for name in found.get("attributes") or []
            if isinstance(name, str) and name in ATTRIBUTE_TYPES
        )
        self._memo = {}
        workflow.upsert_memo({MEMO_KEY: {}})

    def publish(self, pending: dict[str, Any] | None, *, edits: int = 0) -> None:
        """Upsert what changed since the last call: ``pending`` is the open gate, or None."""
        if not self.enabled:
            return
        summary = (
            gate_summary(pending, runbook=self.runbook, labels=self.labels, edits=edits)
            if pending
            else {}
        )
        if summary != self._memo:
            self._memo = summary
            workflow.upsert_memo({MEMO_KEY: summary})
        updates = self._updates(summary)
        if updates:
            workflow.upsert_search_attributes(updates)

    def _updates(self, summary: dict[str, Any]) -> list[SearchAttributeUpdate[Any]]:
        wanted: dict[str, Any] = {
            "NtroAwaiting": False,
            "NtroGateKind": None,
            "NtroDueAt": None,
            "NtroReviewers": None,
        }
        if summary:
            wanted = {
                "NtroAwaiting": summary["kind"] in PERSON_KINDS,
                "NtroGateKind": summary["kind"],
                "NtroStepId": summary["step_id"],
                "NtroRunbook": summary["runbook"],
                "NtroEntity": summary["entity"],
                "NtroPeriod": summary["period"],
                "NtroWaitingSince": _moment(summary["opened_at"]),
                "NtroDueAt": _moment(summary["due_at"]),
                "NtroReviewers": summary["reviewers"] or None,
            }
        updates: list[SearchAttributeUpdate[Any]] = []
        for name, value in wanted.items():
            if name not in self.attributes or self._indexed.get(name, None) == value:
                continue
            if name not in self._indexed and value is None:
                continue
            self._indexed[name] = value
            updates.append(_update(name, value))
        return updates


_KEYS: dict[str, SearchAttributeKey[Any]] = {
    "NtroAwaiting": _AWAITING,
    "NtroGateKind": _KIND,
    "NtroStepId": _STEP,
    "NtroRunbook": _RUNBOOK,
    "NtroEntity": _ENTITY,
    "NtroPeriod": _PERIOD,
    "NtroWaitingSince": _SINCE,
    "NtroDueAt": _DUE,
    "NtroReviewers": _REVIEWERS,
}


# One GateVisibility per run, keyed by the run's state object (NtroWorkflow._ntro_state), so
# nothing is added to the author's namespace and nothing outlives the run's instance.
_RUNS: weakref.WeakKeyDictionary[Any, GateVisibility] = weakref.WeakKeyDictionary()


async def prepare_visibility(state: Any, runbook: str | None, run_input: Any = None) -> None:
    """At the start of a run: decide, once and in history, whether and how it publishes."""
    visibility = _RUNS.setdefault(state, GateVisibility())
    await visibility.prepare(runbook, run_input)


def publish_gate(state: Any) -> None:
    """After the open gate of ``state`` (a ``RunState``) opened, changed or closed: publish it.

    Cheap when nothing changed (no command is issued), a no-op for runs that do not publish.
    """
    visibility = _RUNS.get(state)
    if visibility is None or not visibility.enabled:
        return
    gate = getattr(state, "gate", None)
    edits = 0
    if gate is not None:
        edits = sum(
            1
            for record in getattr(state, "audit", ())
            if getattr(record, "kind", None) == "row_action"
            and getattr(record, "action", None) == "edit_cell"
            and getattr(record, "gate_id", None) == gate.gate_id
        )
    visibility.publish(getattr(state, "pending_action", None), edits=edits)


def _update(name: str, value: Any) -> SearchAttributeUpdate[Any]:
    key = _KEYS[name]
    return key.value_unset() if value is None else key.value_set(value)


def _in_process() -> bool:
    from ntro.workflow._runtime import local_runtime_var

    return local_runtime_var.get() is not None


# ── the worker's side ──────────────────────────────────────────────────────

_registered: dict[str, tuple[float, dict[str, str]]] = {}
_locks: dict[str, asyncio.Lock] = {}
_warned: set[tuple[str, frozenset[str]]] = set()


async def registered_attributes(client: Any, namespace: str) -> dict[str, str]:
    """The namespace's custom search attributes, ``{name: type}`` (``"Bool"``, ``"Keyword"``...).

    Read with the operator service's ``ListSearchAttributes``; raises what the server raised.
    """
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest

    response = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace), timeout=timedelta(seconds=10)
    )
    prefix = "INDEXED_VALUE_TYPE_"
    names = {}
    for name, kind in response.custom_attributes.items():
        label = IndexedValueType.Name(kind).removeprefix(prefix)
        names[name] = "".join(part.capitalize() for part in label.split("_"))
    return names


def missing_attributes_message(namespace: str, missing: list[str], problem: str = "") -> str:
    """The one line a worker logs when the namespace lacks some of the attributes."""
    why = f" ({problem})" if problem else ""
    return (
        f"search attributes {', '.join(missing)} are not registered in namespace "
        f"{namespace!r}{why}: runs still publish their reviews in memos, but the inbox filters "
        f"them without the server's help. Register them once with `ntro cluster setup "
        f"--namespace {namespace}` (the dev server of `ntro dev-server` has them)"
    )


async def usable_attributes(client: Any, namespace: str) -> list[str]:
    """The attributes of :data:`ATTRIBUTE_TYPES` the namespace defines with the right type.

    Cached per namespace for a minute (a worker serving 10,000 runs asks once); the first
    time some are missing, one warning says what to run.
    """
    where = f"{_target(client)}/{namespace}"
    cached = _registered.get(where)
    if cached is None or time.monotonic() - cached[0] > _CACHE_S:
        lock = _locks.setdefault(where, asyncio.Lock())
        async with lock:
            cached = _registered.get(where)
            if cached is None or time.monotonic() - cached[0] > _CACHE_S:
                problem = ""
                try:
                    found = await registered_attributes(client, namespace)
                except Exception as err:  # noqa: BLE001 - no permission: publish memos only
                    found = {}
                    problem = f"could not list them: {' '.join(str(err).split())[:200]}"
                cached = (time.monotonic(), found)
                _registered[where] = cached
                _warn_missing(where, namespace, found, problem)
    found = cached[1]
    return [name for name, kind in ATTRIBUTE_TYPES.items() if found.get(name) == kind]


def forget_registered_attributes() -> None:
    """Ask the cluster again on the next call (after registering the attributes here)."""
    _registered.clear()


def _target(client: Any) -> str:
    config = getattr(getattr(client, "service_client", None), "config", None)
    return str(getattr(config, "target_host", "") or id(client))


def _warn_missing(where: str, namespace: str, found: dict[str, str], problem: str) -> None:
    missing = [name for name, kind in ATTRIBUTE_TYPES.items() if found.get(name) != kind]
    key = (where, frozenset(missing))
    if missing and key not in _warned:
        _warned.add(key)
        log.warning(missing_attributes_message(namespace, missing, problem))


@activity.defn(name=SUPPORT_ACTIVITY)
async def visibility_support() -> dict[str, Any]:
    """Which of the runbook search attributes this namespace has (a local activity: its
    answer is recorded in the run's history, so replay does not depend on the cluster).

    ``{"ntro_visibility": 1, "attributes": [...]}``: the marker tells this answer from a
    catch-all activity's (a mock answering every unknown activity name).
    """
    info = activity.info()
    found = await usable_attributes(activity.client(), info.workflow_namespace or "default")
    return {"ntro_visibility": 1, "attributes": found}
