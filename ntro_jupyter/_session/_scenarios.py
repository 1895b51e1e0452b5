"""``%ntro scenario save``: the decisions a person took on a workflow, as a custom scenario.

The session reads the run (:class:`RecordedRun`: its workflow type, its input and the audit
trails of it and its child runbooks); everything here works on that plain data. The audit
trails give, per step, the decision
(``review_overrides``), the corrections, the row actions and the timeouts; the run's input comes
from its first history event. The scenario is appended to the bundle's ``tests/scenarios.py``
(created if missing, appended to ``SCENARIOS`` when the file keeps such a list) and loaded back
to check it, so ``ntro workflow test DIR --scenario NAME`` replays the review.

The file is code that ``ntro workflow test`` imports, and everything written into it comes from
a workflow (ids, reviewer names, comments, corrected values). So no value is ever written into a
comment or spliced into source: each one is a Python literal built by ``repr`` from plain data
(dict, list, text, numbers, booleans, None), and the identifiers are ASCII made here.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ntro_jupyter._session._errors import SessionError

if TYPE_CHECKING:
    from ntro_jupyter._session._runbooks import Runbook

__all__ = [
    "RecordedRun",
    "SavedScenario",
    "save_scenario",
    "scenario_fields",
    "scenario_source",
]


@dataclass(frozen=True)
class RecordedRun:
    """What a scenario records of a run: read by the session, plain data from here on."""

    workflow_id: str
    workflow_type: str
    audits: list[list[dict[str, Any]]]
    """The audit trail of the run, then of each child run."""
    has_input: bool
    run_input: Any = None


@dataclass
class SavedScenario:
    """Where a recorded scenario went, whether it replays, and what was left out."""

    name: str
    path: Path
    replays: bool
    note: str | None = None

    def __str__(self) -> str:
        return str(self.path)


def _identifier(name: str) -> str:
    """An ASCII upper-case Python identifier for ``name`` (only letters, digits and ``_``)."""
    ident = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() or "SCENARIO"
    if ident[0].isdigit() or keyword.iskeyword(ident.lower()):
        ident = f"SCENARIO_{ident}"
    return ident


def _row_action(entry: dict[str, Any]) -> dict[str, Any]:
    """A scenario's row action from an audit ``row_action`` entry (an edit keeps its cell)."""
    action: dict[str, Any] = {"action": entry.get("action"), "row_id": entry.get("line_item_id")}
    if entry.get("action") == "edit_cell":
        action["field"] = entry.get("field")
        action["value"] = entry.get("new_value")
    return action


def scenario_fields(audits: list[list[dict[str, Any]]]) -> tuple[dict[str, Any], list[str]]:
    """Scenario keyword arguments from audit trails (parent first); and warnings."""
    overrides: dict[str, str] = {}
    corrections: dict[str, list[dict[str, Any]]] = {}
    row_actions: dict[str, list[dict[str, Any]]] = {}
    timeouts: list[str] = []
    reviewers: list[str] = []
    warnings: list[str] = []
    for audit in audits:
        for entry in audit:
            step = entry.get("step_id")
            kind = entry.get("kind")
            if not isinstance(step, str):
                continue
            if kind == "decision":
                decision = (
                    "approved" if entry.get("action") in ("approve", "correct") else "rejected"
                )
                if step in overrides and overrides[step] != decision:
                    warnings.append(f"step {step!r} was decided both ways; kept {overrides[step]}")
                    continue
                overrides.setdefault(step, decision)
                if entry.get("reviewer") and entry["reviewer"] not in reviewers:
                    reviewers.append(str(entry["reviewer"]))
            elif kind == "correction":
                corrections.setdefault(step, []).append(
                    {
                        "line_item_id": entry.get("line_item_id"),
                        "field": entry.get("field"),
                        "old_value": entry.get("old_value"),
                        "new_value": entry.get("new_value"),
                    }
                )
            elif kind == "row_action":
                row_actions.setdefault(step, []).append(_row_action(entry))
            elif kind == "timeout" and step not in timeouts:
                timeouts.append(step)
    found: dict[str, Any] = {
        "review_overrides": overrides,
        "corrections": corrections,
        "row_actions": row_actions,
        "timeouts": timeouts,
    }
    fields = {name: value for name, value in found.items() if value}
    if reviewers:
        fields["reviewer"] = reviewers[0]
    return fields, warnings


_WIDTH = 92


def _leaf(value: Any) -> str:
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f'float("{value}")'
    raise SessionError(
        f"a recorded value of type {type(value).__name__} cannot be written into a scenario; "
        f"only JSON data (objects, lists, text, numbers, booleans, null) can"
    )


def _literal(value: Any, indent: int = 4) -> str:
    """``value`` as Python literal source, every leaf written by ``repr``: data, never code.

    Short values stay on one line; longer dicts and lists get one item per line.
    """
    if isinstance(value, dict):
        items = [(_leaf(k), v) for k, v in value.items()]
        flat = "{" + ", ".join(f"{k}: {_literal(v, 0)}" for k, v in items) + "}"
        if len(flat) + indent <= _WIDTH or not items:
            return flat
        pad = " " * (indent + 4)
        lines = [f"{pad}{k}: {_literal(v, indent + 4)}," for k, v in items]
        return "{\n" + "\n".join(lines) + "\n" + " " * indent + "}"
    if isinstance(value, list | tuple):
        flat = "[" + ", ".join(_literal(v, 0) for v in value) + "]"
        if len(flat) + indent <= _WIDTH or not value:
            return flat
        pad = " " * (indent + 4)
        lines = [f"{pad}{_literal(v, indent + 4)}," for v in value]
        return "[\n" + "\n".join(lines) + "\n" + " " * indent + "]"
    return _leaf(value)


def scenario_source(
    ident: str,
    arguments: dict[str, Any],
    left_out: dict[str, Any] | None = None,
    *,
    append_to_list: bool = False,
) -> str:
    """The block appended to ``tests/scenarios.py``: ``IDENT = Scenario(**arguments)``.

    ``ident`` must be made by :func:`_identifier`; every value in ``arguments`` and
    ``left_out`` (kept as ``IDENT_LEFT_OUT``, data the scenario does not use) is a literal.
    """
    if not ident.isidentifier() or not ident.isascii():
        raise SessionError(f"{ident!r} is not a scenario identifier")
    body = "".join(f"    {key}={_literal(value, 4)},\n" for key, value in arguments.items())
    block = (
        "\n\n# Recorded by %ntro scenario save.\n"
        "from ntro.testing import Scenario  # noqa: E402\n\n"
        f"{ident} = Scenario(\n{body})\n"
    )
    if left_out:
        block += (
            "# Left out of the scenario: its replay refused them (auto-mocked rows differ).\n"
            f"{ident}_LEFT_OUT = {_literal(left_out, 0)}\n"
        )
    if append_to_list:
        block += f"SCENARIOS.append({ident})\n"
    return block


def _bundle_and_slug(
    record: RecordedRun, runbook: Runbook | None, bundle: Path | None
) -> tuple[Path, str]:
    """The bundle folder a scenario is saved into, and its runbook's slug.

    ``bundle`` None: the one ``runbook`` was loaded from (a SessionError when it was not
    loaded from a bundle); otherwise the slug is read from the bundle's ``runbook.md``.
    """
    from ntro.runbook import RunbookError, bundle_dir_of

    if bundle is None:
        if runbook is None or runbook.path is None:
            raise SessionError(
                f"{record.workflow_id} runs {record.workflow_type}, which this session did not "
                f"load from a bundle: pass --bundle PATH (or %ntro export it first)"
            )
        bundle = runbook.path
        slug = runbook.slug
    else:
        slug = None
    try:
        bundle_dir = bundle_dir_of(bundle)
    except RunbookError as err:
        raise SessionError(str(err)) from None
    if slug is None:
        from ntro.runbook import read_runbook_md

        slug = read_runbook_md(bundle_dir / "runbook.md")[0].slug
    return bundle_dir, slug


async def save_scenario(
    name: str,
    record: RecordedRun,
    *,
    runbook: Runbook | None,
    bundle: Path | None,
    force: bool,
) -> SavedScenario:
    """Append scenario ``name`` replaying ``record`` to the bundle's ``tests/scenarios.py``.

    ``bundle`` None: the bundle ``runbook`` (the session's definition of the run's workflow
    type) was loaded from; the replay uses ``runbook``'s classes when it is that bundle's.
    """
    from ntro.runbook import RunbookError, load_scenarios

    workflow_id = record.workflow_id
    if not name.strip():
        raise SessionError("the scenario needs a name, e.g. %ntro scenario save march_close ID")
    bundle_dir, slug = _bundle_and_slug(record, runbook, bundle)
    try:
        existing = load_scenarios(bundle_dir, slug, reload=True)
    except RunbookError as err:
        raise SessionError(f"tests/scenarios.py does not load, fix it first: {err}") from None
    if name in existing and not force:
        raise SessionError(
            f"{bundle_dir}/tests/scenarios.py already has a scenario {name!r}: choose another "
            f"name or pass --force to replace it"
        )
    fields, warnings = scenario_fields(record.audits)
    if "review_overrides" not in fields and "timeouts" not in fields:
        raise SessionError(
            f"{workflow_id} has no decision yet: decide its reviews first, then save the scenario"
        )
    has_input, run_input = record.has_input, record.run_input
    serving = runbook if runbook is not None and runbook.path == bundle_dir else None
    replay_error = await _replay(serving, bundle_dir, name, fields, run_input)
    dropped: dict[str, Any] = {}
    note = None
    if replay_error is not None and ("corrections" in fields or "row_actions" in fields):
        # Typically: the harness auto-mocks the activities, so the rows the person corrected
        # are not in the replayed payload. Keep the decisions, which do replay.
        trimmed = {k: v for k, v in fields.items() if k not in ("corrections", "row_actions")}
        if await _replay(serving, bundle_dir, name, trimmed, run_input) is None:
            dropped = {k: fields[k] for k in ("corrections", "row_actions") if k in fields}
            fields = trimmed
            note = (
                f"corrections and row actions were left out (kept as data beside it): the "
                f"replay refused them ({replay_error}); the harness auto-mocks activities, so "
                f"the rows the reviewer changed are not in its payload"
            )
            replay_error = None
    if replay_error is not None:
        note = f"the scenario does not replay yet: {replay_error}"
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    arguments: dict[str, Any] = {"name": name, **fields}
    if has_input:
        arguments["input"] = run_input
    arguments["description"] = f"recorded from workflow {workflow_id} on {now}"
    file = bundle_dir / "tests" / "scenarios.py"
    file.parent.mkdir(parents=True, exist_ok=True)
    text = (
        file.read_text(encoding="utf-8")
        if file.is_file()
        else ('"""Custom scenarios of this runbook (ntro workflow test --scenario NAME)."""\n')
    )
    block = scenario_source(
        _identifier(name),
        arguments,
        dropped,
        append_to_list=re.search(r"^SCENARIOS\s*[:=]", text, re.MULTILINE) is not None,
    )
    file.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")
    try:
        loaded = load_scenarios(bundle_dir, slug, reload=True)
    except RunbookError as err:
        file.write_text(text, encoding="utf-8")
        raise SessionError(
            f"the recorded scenario does not load ({err}); nothing was saved"
        ) from None
    if name not in loaded:
        file.write_text(text, encoding="utf-8")
        raise SessionError(
            f"the recorded scenario {name!r} was not found after writing; nothing was saved"
        )
    if warnings:
        note = "; ".join([*([note] if note else []), *warnings])
    return SavedScenario(name, file, replays=replay_error is None, note=note)


async def _replay(
    runbook: Runbook | None, bundle_dir: Path, name: str, fields: dict[str, Any], run_input: Any
) -> str | None:
    """Run the scenario once on a fresh harness (with ``runbook``'s classes, else the bundle's
    loaded anew); None when it passes, else why not."""
    from ntro.testing import Scenario, WorkflowHarness

    if runbook is None:
        from ntro.runbook import load_bundle

        bundle = load_bundle(bundle_dir)
        cls, activities, children = bundle.workflow_cls, list(bundle.activities), []
    else:
        cls, activities = runbook.workflow_cls, list(runbook.activities)
        children = [(c.slug, c.workflow_cls) for c in runbook.tree()[1:]]
        activities += [a for c in runbook.tree()[1:] for a in c.activities]
    try:
        scenario = Scenario(name, input=run_input, **fields)
        async with WorkflowHarness(
            cls, child_workflows=children, activities=activities, timeout=30
        ) as harness:
            result = await harness.run(scenario=scenario)
    except Exception as err:  # noqa: BLE001 - reported, the scenario is still written
        return f"{type(err).__name__}: {err}"
    return None if result.passed else (result.error or result.status)
