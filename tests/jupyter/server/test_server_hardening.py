"""The server extension under attack: bodies crafted to slip past a review, crash the handler or
break the run, and errors that must say what happened without leaking what they should not.

On the real ``jupyter server`` and dev server of the other server-extension tests, whose
reviewer is ``test.reviewer@example.com`` with roles from ``NTRO_REVIEWER_ROLES``
(``tests/jupyter/server/conftest.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from ntro.cluster import ClusterConfig, ClusterUnreachable
from ntro.workflow import MAX_DECISION_BYTES
from ntro_jupyter import Target
from ntro_jupyter._server._cluster import Cluster
from ntro_jupyter._server._handlers import NtroHandler, query_api_error, rpc_api_error
from ntro_jupyter._server._identity import ReviewerDirectory, server_reviewer
from tests.jupyter.server._support import JupyterProcess, closed_port
from tests.jupyter.server.conftest import TASK_QUEUE
from tests.jupyter.server.runbooks import BreakableReviewWorkflow, RoleGatedReviewWorkflow
from tests.jupyter.server.test_server_extension import start_review, wait_pending

REVIEWER = "test.reviewer@example.com"


async def role_gated(client: Client, role: str) -> tuple[WorkflowHandle[Any, Any], str]:
    handle = await client.start_workflow(
        RoleGatedReviewWorkflow.run,
        {"role": role},
        id=f"lab-role-{role}-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )
    return handle, (await wait_pending(handle))["gate_id"]


async def accepted_updates(handle: WorkflowHandle[Any, Any]) -> int:
    return len(
        [
            e
            async for e in handle.fetch_history_events()
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        ]
    )


# -- identity (item: policy bypass) --------------------------------------------------------------


async def test_the_reviewer_and_roles_come_from_the_server_not_the_body(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    controller_only, gate = await role_gated(temporal_client, "controller")
    url = f"runs/{controller_only.id}/decision"
    forged = await http.post(
        url,
        json={
            "action": "approve",
            "gate_id": gate,
            "reviewer": "controller@fund.example",
            "roles": ["controller"],
        },
    )
    assert forged.status_code == 400, forged.text
    assert forged.json()["error"] == "identity_from_server"
    assert "NTRO_REVIEWER_ROLES" in forged.json()["message"]
    bulk = await http.post(
        "decisions",
        json={
            "action": "approve",
            "roles": ["controller"],
            "items": [{"workflow_id": controller_only.id, "gate_id": gate}],
        },
    )
    assert bulk.status_code == 400 and bulk.json()["error"] == "identity_from_server"
    # Sent as the server's reviewer, with the server's roles: the policy refuses.
    plain = await http.post(url, json={"action": "approve", "gate_id": gate})
    assert plain.status_code == 409, plain.text
    assert "needs one of controller" in plain.json()["message"]
    assert REVIEWER in plain.json()["message"]
    assert (await controller_only.query("current_pending_action"))["gate_id"] == gate
    await controller_only.terminate("test over")

    preparer, gate = await role_gated(temporal_client, "preparer")
    done = await http.post(f"runs/{preparer.id}/decision", json={"action": "approve"})
    assert done.status_code == 200, done.text
    assert await preparer.result() == {"reviewer": REVIEWER, "roles": ["preparer", "staff"]}

    status = (await http.get("status")).json()
    assert status["reviewer"]["name"] == REVIEWER
    assert status["reviewer"]["source"] == "NTRO_REVIEWER of the Jupyter server"
    assert status["reviewer"]["roles"] == ["preparer", "staff"]


def test_identity_sources_and_the_roles_map(tmp_path: Path) -> None:
    class HubUser:
        name = "ana@fund.example"

    class TokenUser:
        name = "Anonymous Io"

    env = {"NTRO_REVIEWER": "bo@fund.example", "USER": "root"}
    assert server_reviewer(HubUser(), env) == ("ana@fund.example", "the signed-in Jupyter user")
    assert server_reviewer(TokenUser(), env)[0] == "bo@fund.example"
    assert server_reviewer(TokenUser(), {"USER": "root"}) == ("root", "USER of the Jupyter server")

    roles_file = tmp_path / "roles.json"
    roles_file.write_text(json.dumps({"ana": ["controller"], "*": ["staff"]}))
    directory = ReviewerDirectory.from_env({"NTRO_REVIEWER_ROLES": str(roles_file)})
    assert directory.roles_of("ana") == ["controller", "staff"]
    assert directory.roles_of("eve") == ["staff"]
    for broken, words in (
        ('{"ana": "controller"}', "must be a list of names"),
        ("[1]", "neither a JSON object nor a readable file"),
        ('{"ana": [}', "is not JSON"),
    ):
        directory = ReviewerDirectory.from_env({"NTRO_REVIEWER_ROLES": broken})
        assert directory.error is not None and words in directory.error, directory.error
        assert directory.roles_of("ana") == []  # fails closed


# -- hostile bodies ------------------------------------------------------------------------------


async def test_hostile_bodies_are_refused_with_a_clear_400(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    handle = await start_review(temporal_client, entity="fund-h", period="2026-11")
    gate = (await wait_pending(handle))["gate_id"]
    url = f"runs/{handle.id}/decision"

    def correction(new_value: str) -> bytes:
        return (
            f'{{"action": "correct", "gate_id": "{gate}", "corrections": [{{"line_item_id": '
            f'"L2", "field": "amount", "new_value": {new_value}}}]}}'
        ).encode()

    for literal in ("NaN", "Infinity", "-Infinity", "1e999999"):
        response = await http.post(url, content=correction(literal))
        assert response.status_code == 400, (literal, response.text)
        assert response.json()["error"] == "not_finite"
        assert literal in response.json()["message"] and "finite" in response.json()["message"]

    deep = b'{"action": "approve", "comment": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for path in (url, "decisions"):
        response = await http.post(path, content=deep)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"] == "too_deep"
        assert "Recursion" not in response.text and "recursion" not in response.text

    nested: Any = 1
    for _ in range(40):
        nested = [nested]
    response = await http.post(url, content=correction(json.dumps(nested)))
    assert response.status_code == 400 and response.json()["error"] == "invalid_value"
    assert "nested deeper than 32 levels" in response.json()["message"]

    oversize = correction(json.dumps("x" * 1_500_000))
    response = await http.post(url, content=oversize)
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "decision_too_large"
    message = response.json()["message"]
    assert f"{len(oversize):,} bytes" in message and f"{MAX_DECISION_BYTES:,}-byte" in message

    # Nothing reached the run: it waits at the same gate with nothing in its history.
    assert await accepted_updates(handle) == 0
    assert (await handle.describe()).status.name == "RUNNING"
    state = (await http.get(f"runs/{handle.id}")).json()
    assert state["state"]["pending_action"]["gate_id"] == gate
    await handle.terminate("test over")


# -- error statuses ------------------------------------------------------------------------------


async def test_a_workflow_task_that_keeps_failing_is_named(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    handle = await temporal_client.start_workflow(
        BreakableReviewWorkflow.run, id=f"lab-broken-{uuid.uuid4().hex[:8]}", task_queue=TASK_QUEUE
    )
    gate = (await wait_pending(handle))["gate_id"]
    await handle.signal(BreakableReviewWorkflow.break_task)
    try:
        deadline = time.monotonic() + 60
        while True:
            response = await http.get(f"runs/{handle.id}")
            if response.status_code == 503 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "workflow_task_failing"
        assert "division by zero" in response.json()["message"]
        decision = await http.post(
            f"runs/{handle.id}/decision", json={"action": "approve", "gate_id": gate}
        )
        assert decision.status_code == 503, decision.text
        assert decision.json()["error"] == "workflow_task_failing"
        assert "division by zero" in decision.json()["message"]
    finally:
        await handle.terminate("test over")


def test_refusals_from_temporal_say_what_happened() -> None:
    aborted = rpc_api_error(
        RPCError("workflow update was aborted by closing workflow", RPCStatusCode.NOT_FOUND, b""),
        "wf-1",
        "default",
    )
    assert (aborted.status_code, aborted.code) == (409, "workflow_closed")
    assert "closed while the request was on its way" in aborted.message
    failing = rpc_api_error(
        RPCError(
            "Unable to perform workflow execution update due to Workflow Task in failed state.",
            RPCStatusCode.FAILED_PRECONDITION,
            b"",
        ),
        "wf-1",
        "default",
    )
    assert (failing.status_code, failing.code) == (503, "workflow_task_failing")
    assert "Nothing was changed" not in failing.message
    too_large = query_api_error("wf-1", "Blob data size exceeds limit.")
    assert too_large is not None and (too_large.status_code, too_large.code) == (
        502,
        "state_too_large",
    )
    assert "is it an ntro runbook" not in too_large.message
    assert query_api_error("wf-1", "some replay problem") is None  # asks the run's condition


def test_an_unexpected_error_answers_a_generic_500(caplog: pytest.LogCaptureFixture) -> None:
    answered: list[str] = []
    handler = object.__new__(NtroHandler)
    handler.finish = answered.append  # type: ignore[method-assign,assignment]
    handler.__dict__["log"] = logging.getLogger("ntro-test")
    secret = "password=hunter2 at db.internal"
    try:
        raise RuntimeError(secret)
    except RuntimeError as err:
        with caplog.at_level(logging.ERROR, logger="ntro-test"):
            handler.write_error(500, exc_info=(RuntimeError, err, err.__traceback__))
    body = json.loads(answered[0])
    assert body["error"] == "internal_error" and secret not in answered[0]
    assert "RuntimeError" not in answered[0]
    assert body["reference"] in body["message"]
    assert secret in caplog.text and body["reference"] in caplog.text  # the log has the detail


# -- secrets -------------------------------------------------------------------------------------

KEY = "sk-ntro-test-3f9a1c7e5b2d4f60"


async def test_the_api_key_shows_nowhere(tmp_path: Path) -> None:
    env = {"TEMPORAL_HOST": f"127.0.0.1:{closed_port()}", "TEMPORAL_API_KEY": KEY}
    config = ClusterConfig.from_env(env, root_dir=tmp_path)
    assert config.api_key == KEY
    assert KEY not in repr(config) and KEY not in str(config)
    target = Target.remote(env["TEMPORAL_HOST"], api_key=KEY)
    assert KEY not in repr(target) and KEY not in target.describe()
    cluster = Cluster(config)
    assert KEY not in json.dumps(cluster.describe())
    with pytest.raises(ClusterUnreachable) as unreachable:
        await cluster.client()
    assert KEY not in str(unreachable.value) and KEY not in str(unreachable.value.detail)

    with JupyterProcess(tmp_path, env=env) as server:
        async with httpx.AsyncClient(
            base_url=server.base_url + "ntro/api/",
            timeout=30,
            headers={"Authorization": f"token {server.token}"},
        ) as http:
            answers = [
                await http.get("status"),
                await http.get("inbox", params={"budget_ms": "0"}),
                await http.get("runs/wf-1"),
                await http.post("runs/wf-1/decision", json={"action": "approve"}),
                await http.post(
                    "decisions",
                    json={"action": "approve", "items": [{"workflow_id": "a", "gate_id": "g"}]},
                ),
                await http.post("server/start", json={}),
            ]
        for answer in answers:
            assert answer.text and KEY not in answer.text, answer.text
        log = server.log_file.read_text(errors="replace")
    assert "Cannot reach" in log or "ntro" in log
    assert KEY not in log
