"""REST handlers of the ntro server extension, under ``{base_url}ntro/api/``.

All of them are Jupyter ``APIHandler`` s: a request needs the server's token (or its login
cookie plus the XSRF token, as every JupyterLab request sends), and errors are JSON:
``{"error": code, "message": what was wrong and what to do, ...}`` with a 4xx status for a
bad request, 503 when the cluster cannot be reached or the workflow's task keeps failing, and a
generic 500 (the detail goes to the server log, never into the answer) for anything unexpected.

Bodies are read as strict JSON: over ``MAX_DECISION_BYTES`` is refused (413) before parsing;
``NaN``, ``Infinity`` and numbers that overflow to it, and nesting too deep to parse, are
refused (400). The reviewer and their roles come from the server (see
:mod:`ntro_jupyter._server._identity`), never from the body; a server that can name no reviewer
refuses to decide (403). Decisions go through :func:`ntro.cluster.send_decision`, the one
sender: the decision contract's checks (400 ``invalid_value``), a stable update id and bounded
retries on transient failures.

- ``GET ntro/api/status``: cluster mode, address, Web UI, whether it answers;
- ``POST ntro/api/server/start``: start the embedded local dev server;
- ``GET ntro/api/inbox?limit=5000&budget_ms=1500&page_token=&runbook=&entity=&period=
  &older_than_s=&assigned=me``: reviews waiting for a person across the namespace, from the
  visibility list (no worker asked), answered within ``budget_ms`` (0: wait for all) with
  ``complete: false`` and a ``next_page_token`` if cut short;
- ``GET ntro/api/runs/{workflow_id}``: one run's UI state and its review view;
- ``POST ntro/api/runs/{workflow_id}/decision``: decide its open review (the validated update);
- ``POST ntro/api/decisions``: decide several reviews, ``{action, items: [{workflow_id,
  gate_id}]}``, with one result per workflow;
- ``GET``/``POST ntro/api/notifications``: what ``notify.send`` kept locally, and the user's
  read/dismissed marks (:mod:`ntro_jupyter._server._notifications`).
"""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowQueryRejectedError
from temporalio.service import RPCError, RPCStatusCode
from tornado import web

from ntro.cluster import (
    ClusterError,
    DecisionNotSendable,
    DecisionRefused,
    DecisionUndelivered,
    DevServerError,
    IdentityError,
    ReviewFilter,
    send_decision,
)
from ntro.workflow import MAX_DECISION_BYTES, MAX_DECISION_DEPTH
from ntro_jupyter._server._cluster import Cluster, ClusterUnavailable, is_unreachable
from ntro_jupyter._server._diagnose import run_condition
from ntro_jupyter._server._identity import ROLES_ENV, ReviewerDirectory, server_reviewer
from ntro_jupyter._server._inbox import Inbox, PageTokenRefused, ReviewFilterError
from ntro_jupyter._server._views import run_view

__all__ = ["ApiError", "NtroServerState", "handlers"]

RPC_TIMEOUT = timedelta(seconds=10)
# The inbox answers within this by default; a longer read goes on and fills the cache.
DEFAULT_BUDGET_MS = 1500
# Decisions of one bulk request in flight at once: each waits for its run's worker to apply it,
# so throughput comes from overlap. 64 measured best on the dev server (bench/inbox_bench.py;
# 16 and 128 both slower); the cluster and the worker bound it beyond that.
BULK_CONCURRENCY = 64
MAX_BULK = 1000


class ApiError(web.HTTPError):
    """An error answered as ``{"error": code, "message": ..., **extra}``."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.code = code
        self.message = message
        self.extra = extra


@dataclass
class NtroServerState:
    cluster: Cluster
    inbox: Inbox
    reviewers: ReviewerDirectory = field(default_factory=ReviewerDirectory)


# -- request bodies --------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CorrectionBody(_Body):
    line_item_id: str = Field(min_length=1)
    field: str = Field(min_length=1)
    old_value: Any = None
    new_value: Any = None


class DecisionBody(_Body):
    action: Literal["approve", "reject", "correct"]
    gate_id: str | None = None
    run_id: str | None = None
    comment: str | None = Field(default=None, max_length=10_000)
    corrections: list[CorrectionBody] = Field(default_factory=list, max_length=10_000)


class BulkItem(_Body):
    workflow_id: str = Field(min_length=1)
    gate_id: str = Field(min_length=1)
    run_id: str | None = None


class BulkBody(_Body):
    action: Literal["approve", "reject"]
    items: list[BulkItem] = Field(min_length=1, max_length=MAX_BULK)
    comment: str | None = Field(default=None, max_length=10_000)


IDENTITY_FIELDS = ("reviewer", "roles")


class _NotFinite(ValueError):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def _refuse_constant(literal: str) -> Any:
    raise _NotFinite(literal)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NotFinite(literal if len(literal) <= 40 else literal[:37] + "...")
    return value


def parse_strict_json(raw: bytes) -> Any:
    """``raw`` as JSON with no ``NaN``/``Infinity`` (nor numbers that overflow to them) and no
    recursion error on deep nesting; raises :class:`ApiError` 400 saying what was wrong."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotFinite as err:
        raise ApiError(
            400,
            "not_finite",
            f"The request body holds {err.literal}, which is not a finite number; JSON has no "
            f"NaN or infinity. Send a finite number, or null to clear a value.",
        ) from None
    except RecursionError:
        raise ApiError(
            400,
            "too_deep",
            f"The request body is nested too deeply to read; a decision nests at most "
            f"{MAX_DECISION_DEPTH} levels.",
        ) from None
    except json.JSONDecodeError as err:
        raise ApiError(
            400,
            "invalid_json",
            f"The request body is not JSON: {err.msg} at line {err.lineno}, column {err.colno}.",
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "invalid_json", "The request body is not JSON (it is not UTF-8 text)."
        ) from None


def _describe_validation(err: ValidationError) -> str:
    parts = []
    for problem in err.errors()[:5]:
        where = ".".join(str(p) for p in problem["loc"]) or "body"
        given = problem.get("input")
        shown = json.dumps(given, default=str)[:80] if problem["type"] != "missing" else None
        parts.append(f"{where}: {problem['msg']}" + (f" (got {shown})" if shown else ""))
    return "; ".join(parts)


def rpc_api_error(err: RPCError, workflow_id: str, namespace: str) -> ApiError:
    """What a refused Temporal request means for the caller, in its own words."""
    closed = "already completed" in err.message or "already finished" in err.message
    if "aborted by closing workflow" in err.message:
        return ApiError(
            409,
            "workflow_closed",
            f"Workflow {workflow_id!r} closed while the request was on its way "
            f"({err.message}); nothing was applied. Reload it to see how it ended.",
            workflow_id=workflow_id,
        )
    if "workflow task in failed state" in err.message.lower():
        return ApiError(
            503,
            "workflow_task_failing",
            f"Workflow {workflow_id!r} cannot take requests: its workflow task is failing "
            f"({err.message}). Fix the runbook or its worker and restart the worker; the run "
            f"resumes where it stopped.",
            workflow_id=workflow_id,
        )
    if err.status == RPCStatusCode.NOT_FOUND and not closed:
        return ApiError(
            404,
            "workflow_not_found",
            f"No workflow {workflow_id!r} in namespace {namespace!r} ({err.message}).",
            workflow_id=workflow_id,
        )
    if closed or err.status == RPCStatusCode.FAILED_PRECONDITION:
        return ApiError(
            409,
            "workflow_closed",
            f"Workflow {workflow_id!r} is closed: {err.message}. Nothing was changed.",
            workflow_id=workflow_id,
        )
    if err.status == RPCStatusCode.INVALID_ARGUMENT:
        return ApiError(
            400,
            "invalid_request",
            f"Temporal refused the request: {err.message}.",
            workflow_id=workflow_id,
        )
    return ApiError(
        502,
        "temporal_error",
        f"Temporal answered {err.status.name}: {err.message}.",
        workflow_id=workflow_id,
    )


# -- base ----------------------------------------------------------------------------------


class NtroHandler(APIHandler):
    @property
    def ntro(self) -> NtroServerState:
        return self.settings["ntro"]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            self.set_status(status_code)
            self.finish(json.dumps({"error": exc.code, "message": exc.message, **exc.extra}))
            return
        if isinstance(exc, web.HTTPError):
            message = (
                exc.log_message % exc.args if exc.log_message and exc.args else exc.log_message
            )
            code = {403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
                status_code, "http_error"
            )
            self.finish(json.dumps({"error": code, "message": message or self._reason}))
            return
        reference = uuid.uuid4().hex[:12]
        self.log.error("ntro API error (reference %s)", reference, exc_info=kwargs.get("exc_info"))
        self.finish(
            json.dumps(
                {
                    "error": "internal_error",
                    "message": f"The ntro server extension failed on this request; the Jupyter "
                    f"server log has the details (reference {reference}).",
                    "reference": reference,
                }
            )
        )

    def body(self, model: type[BaseModel]) -> Any:
        raw = self.request.body or b""
        if not raw.strip():
            raise ApiError(
                400, "missing_body", f"The request has no JSON body; send {_example(model)}."
            )
        if len(raw) > MAX_DECISION_BYTES:
            raise ApiError(
                413,
                "decision_too_large",
                f"The request body is {len(raw):,} bytes, over the {MAX_DECISION_BYTES:,}-byte "
                f"limit (MAX_DECISION_BYTES) of a decision; send fewer corrections at a time.",
                size=len(raw),
                limit=MAX_DECISION_BYTES,
            )
        data = parse_strict_json(raw)
        if not isinstance(data, dict):
            raise ApiError(
                400,
                "invalid_body",
                f"The request body must be a JSON object such as {_example(model)}, "
                f"got {type(data).__name__}.",
            )
        named = [key for key in IDENTITY_FIELDS if key in data]
        if named:
            raise ApiError(
                400,
                "identity_from_server",
                f"The request names {' and '.join(repr(k) for k in named)}: who decides, and "
                f"with which roles, comes from the signed-in Jupyter user and the server's "
                f"configuration ({ROLES_ENV}), never from the request. Remove them.",
            )
        try:
            return model.model_validate(data)
        except ValidationError as err:
            raise ApiError(
                400,
                "invalid_body",
                f"Invalid request: {_describe_validation(err)}.",
            ) from None

    async def client(self) -> Client:
        try:
            return await self.ntro.cluster.client()
        except ClusterUnavailable as err:
            raise self.unavailable(err) from None

    def unavailable(self, err: ClusterUnavailable) -> ApiError:
        if err.detail:
            self.log.warning("ntro: %s (%s)", err.message, err.detail)
        return ApiError(
            503,
            "cluster_unreachable",
            err.message,
            detail=err.detail,
            cluster=self.ntro.cluster.describe(),
        )

    def rpc_error(self, err: RPCError, workflow_id: str) -> ApiError:
        if is_unreachable(err):
            return self.unavailable(self.ntro.cluster.unavailable(err.message))
        return rpc_api_error(err, workflow_id, self.ntro.cluster.config.namespace)

    async def explain(
        self, client: Client, workflow_id: str, run_id: str | None, fallback: ApiError
    ) -> ApiError:
        """``fallback``, unless the run's task keeps failing (503 naming why), or a run that
        did not answer in time turns out to be closed (409)."""
        condition = await run_condition(client, workflow_id, run_id)
        if condition is None:
            return fallback
        if condition.task_failing is not None:
            return ApiError(
                503,
                "workflow_task_failing",
                f"Workflow {workflow_id!r} cannot answer: its workflow task is failing "
                f"({condition.task_failing}). Fix the runbook or its worker and restart the "
                f"worker; the run resumes where it stopped.",
                workflow_id=workflow_id,
            )
        if condition.closed and fallback.code == "no_worker":
            return ApiError(
                409,
                "workflow_closed",
                f"Workflow {workflow_id!r} is {condition.status.lower()} and no worker answered "
                f"for it; a decision can no longer change it.",
                workflow_id=workflow_id,
            )
        return fallback

    def reviewer(self) -> str:
        """Who decides: the signed-in user, or the server's configured reviewer (see
        :mod:`ntro_jupyter._server._identity`); never the request. 403 when nobody is named."""
        try:
            return server_reviewer(self.current_user).name
        except IdentityError as err:
            raise ApiError(
                403,
                "no_reviewer",
                f"This Jupyter server cannot say who decides ({err}); sign in as a named user, "
                f"or set NTRO_REVIEWER in the server's environment and restart JupyterLab.",
            ) from None

    def view_reviewer(self) -> str:
        """The reviewer a view is drawn for (a view needs no identity: "reviewer" if none)."""
        try:
            return server_reviewer(self.current_user).name
        except IdentityError:
            return "reviewer"

    def roles(self, reviewer: str) -> list[str]:
        return self.ntro.reviewers.roles_of(reviewer)


def _example(model: type[BaseModel]) -> str:
    if model is DecisionBody:
        return '{"action": "approve", "gate_id": "review:1"}'
    if model is BulkBody:
        return '{"action": "approve", "items": [{"workflow_id": "...", "gate_id": "review:1"}]}'
    return "a JSON object"


# -- endpoints -------------------------------------------------------------------------------


class StatusHandler(NtroHandler):
    @web.authenticated
    async def get(self) -> None:
        cluster = self.ntro.cluster
        info: dict[str, Any] = {"cluster": cluster.describe(), "reachable": False, "message": None}
        try:
            reviewer, source = server_reviewer(self.current_user)
            info["reviewer"] = {"name": reviewer, "source": source, "roles": self.roles(reviewer)}
        except IdentityError as err:
            info["reviewer"] = {"name": None, "source": None, "roles": [], "error": str(err)}
        info["reviewer"]["roles_error"] = self.ntro.reviewers.error
        try:
            client = await cluster.client()
            await client.workflow_service.get_system_info(
                _system_info_request(), retry=False, timeout=timedelta(seconds=3)
            )
            info["reachable"] = True
        except ClusterUnavailable as err:
            info["message"] = err.message
        except RPCError as err:
            info["message"] = cluster.unavailable(err.message).message
        self.finish(json.dumps(info))


def _system_info_request() -> Any:
    from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

    return GetSystemInfoRequest()


class ServerStartHandler(NtroHandler):
    @web.authenticated
    async def post(self) -> None:
        cluster = self.ntro.cluster
        if cluster.config.address:
            raise ApiError(
                409,
                "remote_cluster",
                f"This JupyterLab uses the Temporal cluster at {cluster.config.address} "
                f"(TEMPORAL_HOST); there is no local server to start. Unset "
                f"TEMPORAL_HOST and restart JupyterLab to use a local one.",
            )
        try:
            status = await cluster.start_local()
        except DevServerError as err:
            raise ApiError(500, "server_start_failed", str(err)) from None
        self.finish(
            json.dumps(
                {
                    "started": True,
                    "cluster": cluster.describe(),
                    "pid": status.pid,
                    "address": status.address,
                    "ui_url": status.ui_url,
                }
            )
        )


class InboxHandler(NtroHandler):
    """``GET ntro/api/inbox``: reviews waiting for a person, from the visibility list.

    Query parameters: ``limit`` (rows in this answer, 1 to 100000), ``budget_ms`` (answer
    within it, 0: wait for the whole list), ``page_token`` (continue a list, with the same
    filters), and filters ``runbook``, ``entity``, ``period``, ``older_than_s`` (waiting at
    least this long) and ``assigned=me`` (gates naming the signed-in reviewer or their roles).
    """

    def _whole_number(self, name: str, default: str, low: int, high: int, code: str) -> int:
        text = self.get_query_argument(name, default)
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            hint = {
                "limit": f"limit must be a whole number from {low} to {high}",
                "budget_ms": f"budget_ms must be a whole number of milliseconds from {low} "
                f"(wait for the whole inbox) to {high}",
            }[name]
            raise ApiError(400, code, f"{hint}, got {text!r}.")
        return value

    def _filter(self) -> ReviewFilter:
        assigned = self.get_query_argument("assigned", "").strip().lower()
        if assigned not in ("", "me", "anyone"):
            raise ApiError(
                400,
                "invalid_filter",
                f"assigned must be 'me' (reviews naming you or your roles) or left out, got "
                f"{_bounded(assigned, 60)!r}.",
            )
        who: tuple[str, ...] = ()
        if assigned == "me":
            reviewer = self.reviewer()
            who = (reviewer, *(f"role:{role}" for role in self.roles(reviewer)))
        age_text = self.get_query_argument("older_than_s", "").strip()
        try:
            age = float(age_text) if age_text else None
        except ValueError:
            raise ApiError(
                400,
                "invalid_filter",
                f"older_than_s must be a number of seconds, got {_bounded(age_text, 60)!r}.",
            ) from None
        try:
            return ReviewFilter(
                runbook=self.get_query_argument("runbook", None),
                entity=self.get_query_argument("entity", None),
                period=self.get_query_argument("period", None),
                older_than_s=age,
                assigned_to=who,
            )
        except ReviewFilterError as err:
            raise ApiError(400, "invalid_filter", f"{err}.") from None

    @web.authenticated
    async def get(self) -> None:
        limit = self._whole_number("limit", "5000", 1, 100_000, "invalid_limit")
        budget_ms = self._whole_number(
            "budget_ms", str(DEFAULT_BUDGET_MS), 0, 600_000, "invalid_budget"
        )
        review_filter = self._filter()
        try:
            result = await self.ntro.inbox.fetch(
                limit,
                filter=review_filter,
                page_token=self.get_query_argument("page_token", None) or None,
                budget=budget_ms / 1000 if budget_ms else None,
            )
        except PageTokenRefused as err:
            raise ApiError(400, "page_token_refused", f"{err}.") from None
        except ClusterUnavailable as err:
            raise self.unavailable(err) from None
        except RPCError as err:
            raise self.rpc_error(err, "*") from None
        self.finish(
            json.dumps(
                {
                    **result.to_json(),
                    "filter": review_filter.describe(),
                    "cluster": self.ntro.cluster.describe(),
                }
            )
        )


def _bounded(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def query_api_error(workflow_id: str, message: str) -> ApiError | None:
    """A query failure that says what it is by itself (not a runbook, a state too large to
    send), or None when the run's condition must be asked."""
    lowered = message.lower()
    if "unknown querytype" in lowered or "query handler" in lowered:
        return ApiError(
            422,
            "not_a_runbook",
            f"Workflow {workflow_id!r} has no current_ui_state query ({_bounded(message)}); is "
            f"it an ntro runbook?",
            workflow_id=workflow_id,
        )
    if "size exceeds" in lowered or "too large" in lowered or "exceeds limit" in lowered:
        return ApiError(
            502,
            "state_too_large",
            f"Workflow {workflow_id!r}'s state is too large for Temporal to send "
            f"({_bounded(message)}); its review cannot be shown until it shrinks.",
            workflow_id=workflow_id,
        )
    return None


class RunHandler(NtroHandler):
    async def query_failed(
        self, client: Client, workflow_id: str, run_id: str | None, message: str
    ) -> ApiError:
        """What a failed ``current_ui_state`` query means: not a runbook, a state too large to
        send, a failing workflow task, or (otherwise) the query's own error."""
        known = query_api_error(workflow_id, message)
        if known is not None:
            return known
        failed = ApiError(
            502,
            "query_failed",
            f"Workflow {workflow_id!r} could not answer the current_ui_state query: "
            f"{_bounded(message)}.",
            workflow_id=workflow_id,
        )
        return await self.explain(client, workflow_id, run_id, failed)

    @web.authenticated
    async def get(self, workflow_id: str) -> None:
        client = await self.client()
        run_id = self.get_query_argument("run_id", None) or None
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        try:
            state = await handle.query("current_ui_state", rpc_timeout=RPC_TIMEOUT)
        except WorkflowQueryFailedError as err:
            raise await self.query_failed(client, workflow_id, run_id, err.message) from None
        except WorkflowQueryRejectedError as err:
            raise ApiError(
                409, "query_rejected", f"Workflow {workflow_id!r}: {err}.", workflow_id=workflow_id
            ) from None
        except RPCError as err:
            if err.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
                no_worker = ApiError(
                    504,
                    "no_worker",
                    f"No worker answered for workflow {workflow_id!r} within "
                    f"{RPC_TIMEOUT.seconds} s; start the worker for its task queue.",
                    workflow_id=workflow_id,
                )
                raise await self.explain(client, workflow_id, run_id, no_worker) from None
            raise self.rpc_error(err, workflow_id) from None
        if isinstance(state, dict) and run_id is None:
            self.ntro.inbox.observe(workflow_id, state.get("pending_action"))
        if not isinstance(state, dict):
            raise ApiError(
                422,
                "not_a_runbook",
                f"Workflow {workflow_id!r} answered current_ui_state with "
                f"{type(state).__name__}, not an object.",
                workflow_id=workflow_id,
            )
        self.finish(
            json.dumps(
                {
                    "workflow_id": workflow_id,
                    "state": state,
                    "view": run_view(state, reviewer=self.view_reviewer()),
                    "attach": f"%ntro attach {workflow_id}",
                },
                default=str,
            )
        )


async def deliver_decision(
    handler: NtroHandler,
    client: Client,
    workflow_id: str,
    decision: dict[str, Any],
    run_id: str | None,
) -> dict[str, Any]:
    """Send one decision through :func:`ntro.cluster.send_decision`; ApiError on refusal."""
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    try:
        result = await send_decision(handle, decision, rpc_timeout=RPC_TIMEOUT)
    except DecisionNotSendable as err:
        raise ApiError(
            400, "invalid_value", f"Invalid request: {err}.", workflow_id=workflow_id
        ) from None
    except DecisionRefused as err:
        raise ApiError(
            409, "decision_refused", err.reason, workflow_id=workflow_id, type=err.error_type
        ) from None
    except DecisionUndelivered as err:
        no_worker = ApiError(
            504,
            "no_worker",
            f"Workflow {workflow_id!r} did not take the decision within {RPC_TIMEOUT.seconds} s "
            f"per attempt; is its worker running? A retry applies it once (update id "
            f"{err.update_id}).",
            workflow_id=workflow_id,
        )
        raise await handler.explain(client, workflow_id, run_id, no_worker) from None
    except ClusterError as err:
        raise await refusal(handler, client, workflow_id, run_id, err) from None
    finally:
        handler.ntro.inbox.forget(workflow_id)
    return result if isinstance(result, dict) else {"result": result}


async def refusal(
    handler: NtroHandler, client: Client, workflow_id: str, run_id: str | None, err: ClusterError
) -> ApiError:
    """The HTTP answer for a send that Temporal refused: in the words of the RPC error it came
    from (``__cause__``), a failing workflow task explained."""
    cause = err.__cause__
    if not isinstance(cause, RPCError):
        return ApiError(502, "temporal_error", str(err), workflow_id=workflow_id)
    refused = handler.rpc_error(cause, workflow_id)
    if refused.code == "workflow_task_failing":
        return await handler.explain(client, workflow_id, run_id, refused)
    return refused


class DecisionHandler(NtroHandler):
    @web.authenticated
    async def post(self, workflow_id: str) -> None:
        body: DecisionBody = self.body(DecisionBody)
        client = await self.client()
        decision = body.model_dump(exclude_none=True, exclude={"run_id"})
        decision["reviewer"] = self.reviewer()
        roles = self.roles(decision["reviewer"])
        if roles:
            decision["roles"] = roles
        if not body.corrections:
            decision.pop("corrections", None)
        result = await deliver_decision(self, client, workflow_id, decision, body.run_id)
        self.finish(
            json.dumps(
                {"workflow_id": workflow_id, "accepted": True, "result": result}, default=str
            )
        )


class BulkDecisionHandler(NtroHandler):
    @web.authenticated
    async def post(self) -> None:
        body: BulkBody = self.body(BulkBody)
        ids = [item.workflow_id for item in body.items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ApiError(
                400,
                "duplicate_items",
                f"Each workflow may appear once; repeated: {', '.join(duplicates[:5])}.",
            )
        client = await self.client()
        reviewer = self.reviewer()
        roles = self.roles(reviewer)
        limit = asyncio.Semaphore(BULK_CONCURRENCY)

        async def one(item: BulkItem) -> dict[str, Any]:
            decision: dict[str, Any] = {
                "action": body.action,
                "gate_id": item.gate_id,
                "reviewer": reviewer,
            }
            if body.comment:
                decision["comment"] = body.comment
            if roles:
                decision["roles"] = roles
            async with limit:
                try:
                    await deliver_decision(self, client, item.workflow_id, decision, item.run_id)
                except ApiError as err:
                    return {
                        "workflow_id": item.workflow_id,
                        "ok": False,
                        "error": err.code,
                        "message": err.message,
                        "status": err.status_code,
                    }
            return {"workflow_id": item.workflow_id, "ok": True}

        results = await asyncio.gather(*(one(item) for item in body.items))
        unreachable = [r for r in results if r.get("error") == "cluster_unreachable"]
        if unreachable and len(unreachable) == len(results):
            raise self.unavailable(self.ntro.cluster.unavailable(unreachable[0]["message"]))
        done = sum(1 for r in results if r["ok"])
        self.finish(
            json.dumps(
                {
                    "action": body.action,
                    "requested": len(results),
                    "succeeded": done,
                    "failed": len(results) - done,
                    "results": results,
                }
            )
        )


class NotFoundHandler(NtroHandler):
    @web.authenticated
    async def get(self, path: str) -> None:
        raise ApiError(
            404,
            "no_such_endpoint",
            f"There is no ntro endpoint {path!r}; see ntro/api/status, ntro/api/inbox, "
            f"ntro/api/runs/ID, ntro/api/runs/ID/decision, ntro/api/decisions, "
            f"ntro/api/notifications.",
        )

    post = get


def handlers(base_url: str) -> list[tuple[str, type[NtroHandler]]]:
    from jupyter_server.utils import url_path_join

    from ntro_jupyter._server._notifications import notifications_handlers

    api = url_path_join(base_url, "ntro", "api")
    return [
        *notifications_handlers(api),
        (url_path_join(api, "status"), StatusHandler),
        (url_path_join(api, "server", "start"), ServerStartHandler),
        (url_path_join(api, "inbox"), InboxHandler),
        (url_path_join(api, "runs", r"([^/]+)", "decision"), DecisionHandler),
        (url_path_join(api, "runs", r"([^/]+)"), RunHandler),
        (url_path_join(api, "decisions"), BulkDecisionHandler),
        (url_path_join(api, r"(.*)"), NotFoundHandler),
    ]
