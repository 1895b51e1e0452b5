"""Quality checks on a review gate: ``wait_for_action(checks_spec=[...])``.

The gate opens with one ``running`` item per spec (a :class:`QualityCheckItem` as JSON) in the
pending action's ``checks``, after the gate's own ``checks=``, and their summary in
``checks_result`` (a :class:`QualityChecksResult`). The run then executes the
``ntro.checks.run_quality_check`` activity once per spec, concurrently, and replaces each item
as its activity ends, publishing the gate again each time, so ``current_pending_action``,
``current_ui_state`` and live views show the checks' progress. Everything goes through workflow
APIs (an activity per check, each in its own task), so the history replays.

A check whose activity fails (after its retries), times out, or answers with anything but a
finished item becomes a ``fail`` item saying why; the run goes on. Approving while a check runs
is refused (:meth:`RunState.check`); a decision that closes the gate first (a rejection, a
timeout) cancels the checks still running, and they end ``skipped``.

The checks' models are imported on first use: they bring the ``ai`` package, which a runbook
without checks never needs.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from temporalio.common import RetryPolicy

from ntro.workflow._errors import WorkflowError
from ntro.workflow._jsonable import to_jsonable
from ntro.workflow._runtime import Runtime, TemporalRuntime

if TYPE_CHECKING:
    from ntro.workflow._state import Gate, RunState

#: The activity a gate's checks run, by the name it is registered under.
RUN_QUALITY_CHECK = "ntro.checks.run_quality_check"
#: Code and types checks take milliseconds; an LLM check waits for a provider.
CHECK_TIMEOUT = timedelta(minutes=2)
#: A provider's 429 or 5xx is retried a little; a check that still cannot run fails, alone.
CHECK_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=500),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=20),
    maximum_attempts=3,
)
#: Why a check still running when its gate closed ended without a verdict.
NOT_FINISHED = "not finished: the review was decided before this check ended"

_FIX = (
    "each check is a QualityCheckSpec or a dict with an 'id' and a 'title', an 'evaluator' "
    "(code, types or llm) and, for code checks, a 'rule' with its 'params'"
)


# How a summary counts checks by status, in this order: "3 passed, 1 failed, 2 warnings".
_SUMMARY_ORDER = ("pass", "fail", "warn", "skipped", "running")
_SUMMARY_WORDS = {"pass": "passed", "fail": "failed", "skipped": "skipped", "running": "running"}


def summarise_check_statuses(statuses: Sequence[str]) -> str:
    """``"3 passed, 1 failed, 2 warnings, 1 running"``: how a gate's checks stand, in the
    words the workflow's ``checks_result`` and the review panels both use."""
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    parts = []
    for status in _SUMMARY_ORDER:
        count = counts.get(status)
        if count:
            word = f"warning{'s' if count != 1 else ''}" if status == "warn" else None
            parts.append(f"{count} {word or _SUMMARY_WORDS[status]}")
    return ", ".join(parts)


class ChecksSpecError(WorkflowError, ValueError):
    """``checks_spec`` cannot be read; raised before the gate opens, naming the spec and field."""

    def __init__(self, message: str) -> None:
        super().__init__(message, type="ChecksSpecError")


def parse_checks_spec(checks_spec: Any) -> list[dict[str, Any]]:
    """``checks_spec`` validated as QualityCheckSpecs, each as JSON data; [] for None.

    Raises :class:`ChecksSpecError` naming the spec's index and field, before anything opens.
    """
    from ntro.capabilities.checks import QualityCheckSpec

    if checks_spec is None:
        return []
    if isinstance(checks_spec, str | bytes | dict) or not isinstance(checks_spec, Sequence):
        raise ChecksSpecError(
            f"checks_spec must be a list of checks, got {type(checks_spec).__name__}; {_FIX}"
        )
    specs: list[dict[str, Any]] = []
    first_with: dict[str, int] = {}
    for index, given in enumerate(checks_spec):
        where = f"checks_spec[{index}]"
        if hasattr(given, "model_dump") and not isinstance(given, QualityCheckSpec):
            given = given.model_dump()
        if not isinstance(given, QualityCheckSpec | dict):
            raise ChecksSpecError(f"{where} is a {type(given).__name__}, not a check; {_FIX}")
        try:
            spec = QualityCheckSpec.model_validate(
                given.model_dump() if isinstance(given, QualityCheckSpec) else given
            )
        except ValidationError as err:
            problems = "; ".join(
                f"field {'.'.join(str(p) for p in e['loc']) or '(the check)'!r}: {e['msg']}"
                for e in err.errors()
            )
            raise ChecksSpecError(f"{where} is not a valid check: {problems}; {_FIX}") from None
        if spec.id in first_with:
            raise ChecksSpecError(
                f"{where}: field 'id' is {spec.id!r}, already the id of "
                f"checks_spec[{first_with[spec.id]}]; give each check its own id"
            )
        first_with[spec.id] = index
        try:
            specs.append(to_jsonable(spec, where))
        except WorkflowError as err:
            raise ChecksSpecError(err.message) from None
    return specs


def running_item(spec: dict[str, Any]) -> dict[str, Any]:
    """The item a check shows while it runs."""
    from ntro.capabilities.checks import QualityCheckItem

    return QualityCheckItem(
        id=spec["id"], title=spec["title"], status="running", source=spec.get("source")
    ).model_dump(mode="json")


def _ended(spec: dict[str, Any], status: str, detail: str) -> dict[str, Any]:
    from ntro.capabilities.checks import QualityCheckItem

    return QualityCheckItem(
        id=spec["id"],
        title=spec["title"],
        status=status,  # type: ignore[arg-type]
        detail=detail,
        source=spec.get("source"),
    ).model_dump(mode="json")


def not_finished(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` if it has ended, else the same check ``skipped`` because its gate closed."""
    if item.get("status") != "running":
        return item
    return {**item, "status": "skipped", "detail": NOT_FINISHED}


def finished_item(spec: dict[str, Any], answer: Any) -> dict[str, Any]:
    """What a check's activity answered, as the check's item; a ``fail`` item saying what was
    wrong when it is not a finished QualityCheckItem."""
    from ntro.capabilities.checks import QualityCheckItem

    if hasattr(answer, "model_dump"):
        answer = answer.model_dump(mode="json")
    try:
        item = QualityCheckItem.model_validate(answer).model_dump(mode="json")
    except ValidationError as err:
        shown = " ".join(repr(answer).split())[:120]
        return _ended(
            spec,
            "fail",
            f"the check could not run: its activity answered {shown}, not a QualityCheckItem "
            f"({err.error_count()} problem(s), first: {err.errors()[0]['msg']})",
        )
    if item["status"] == "running":
        return _ended(
            spec, "fail", "the check could not run: its activity answered with status 'running'"
        )
    # The spec names the check: an activity may not move it to another id or title.
    return {**item, "id": spec["id"], "title": spec["title"]}


def failed_item(spec: dict[str, Any], err: BaseException) -> dict[str, Any]:
    """A check whose activity failed: ``fail``, with the innermost error's message."""
    cause = err
    while getattr(cause, "cause", None) is not None or cause.__cause__ is not None:
        cause = getattr(cause, "cause", None) or cause.__cause__  # type: ignore[assignment]
    message = getattr(cause, "message", None) or str(cause)
    if not message and isinstance(cause, TimeoutError):
        message = f"it did not finish within {CHECK_TIMEOUT.total_seconds():g}s"
    text = " ".join(str(message or type(cause).__name__).split())
    return _ended(spec, "fail", f"the check could not run: {text}")


def checks_result(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The summary of a gate's quality checks (a QualityChecksResult as JSON)."""
    from ntro.capabilities.checks import QualityCheckItem, QualityChecksResult

    return QualityChecksResult.of(QualityCheckItem.model_validate(i) for i in items).model_dump(
        mode="json"
    )


class GateChecks:
    """The quality checks of one open gate, each run by its own activity in its own task."""

    def __init__(
        self,
        state: RunState,
        runtime: Runtime,
        *,
        baseline: Any = None,
        ai_config: Any = None,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.state = state
        self.runtime = runtime
        self.on_change = on_change
        # Read before the gate opens, so a value that cannot travel opens nothing.
        self.baseline = to_jsonable(baseline, "the baseline of the gate's checks")
        self.ai_config = to_jsonable(ai_config, "the ai_config of the gate's checks")
        self.gate: Gate | None = None
        self.submitted: Any = None
        self.tasks: list[asyncio.Task[None]] = []
        self.stopped = False

    def start(self, gate: Gate, specs: Sequence[dict[str, Any]]) -> None:
        """Start one activity per spec on ``gate``, just opened, in spec order (a replay
        issues the same commands)."""
        self.gate = gate
        # The gate's payload as published (JSON data already): what every check judges.
        self.submitted = self.state.pending_payload
        self.tasks = [
            asyncio.get_running_loop().create_task(self._run(index, spec))
            for index, spec in enumerate(specs)
        ]

    def stop(self) -> None:
        """The gate closed: cancel the checks still running; they end ``skipped``."""
        self.stopped = True
        for task in self.tasks:
            if not task.done():
                task.cancel()
        if self.gate is not None:
            self.state.end_quality_checks(self.gate)

    async def _run(self, index: int, spec: dict[str, Any]) -> None:
        try:
            answer = await self._execute(spec)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - one broken check must not fail the run
            item = failed_item(spec, err)
        else:
            item = finished_item(spec, answer)
        if not self.stopped and self.gate is not None:
            self.state.set_quality_check(self.gate, index, item)
            self.on_change()

    async def _execute(self, spec: dict[str, Any]) -> Any:
        args = [spec, self.submitted, self.baseline, self.ai_config]
        if isinstance(self.runtime, TemporalRuntime):
            # By name: the answer comes back as plain JSON and is read by finished_item, so a
            # worker answering with anything else fails this check, not the run's task.
            target: Any = RUN_QUALITY_CHECK
        else:
            from ntro.capabilities.checks import run_quality_check

            # In-process the function gets the gate's own objects: it gets copies.
            target, args = run_quality_check, copy.deepcopy(args)
        # The summary names the check in Temporal's UI, where every check shares one name.
        options = {"retry_policy": CHECK_RETRY, "summary": f"check {spec['title']}"[:200]}
        return await self.runtime.execute_activity(target, args, CHECK_TIMEOUT, options)
