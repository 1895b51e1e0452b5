"""The ntro server extension on a real ``jupyter server`` and a real Temporal dev server.

What a reviewer's JupyterLab relies on: the inbox lists every open gate across the namespace
(grouping keys, age, decidable or not), a run's state and review view, decisions through the
validated update (refusals come back as 4xx JSON naming the problem), bulk approval, the
server's own authentication, and a clear error when the cluster is down.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from ntro._devserver import DevServer
from tests.jupyter.server._support import JupyterProcess, closed_port, free_port
from tests.jupyter.server.conftest import TASK_QUEUE
from tests.jupyter.server.runbooks import (
    InboxReviewWorkflow,
    PlainWaitingWorkflow,
    UploadOnlyWorkflow,
)


async def start_review(client: Client, **inp: Any) -> WorkflowHandle[Any, Any]:
    workflow_id = f"lab-{inp.get('entity', 'x')}-{uuid.uuid4().hex[:8]}"
    return await client.start_workflow(
        InboxReviewWorkflow.run, inp, id=workflow_id, task_queue=TASK_QUEUE
    )


async def wait_pending(
    handle: WorkflowHandle[Any, Any], kind: str = "interactive_review", timeout: float = 20
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        pending = await handle.query("current_pending_action")
        if pending and pending.get("kind") == kind:
            return pending
        if time.monotonic() > deadline:
            raise AssertionError(f"{handle.id} never opened a {kind} gate (pending: {pending})")
        await asyncio.sleep(0.05)


def items_by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["workflow_id"]: item for item in body["items"]}


# -- authentication ----------------------------------------------------------------------------


async def test_requests_without_the_token_are_refused(jupyter_server: JupyterProcess) -> None:
    async with httpx.AsyncClient(
        base_url=jupyter_server.base_url + "ntro/api/", timeout=10
    ) as anon:
        for method, path in (
            ("GET", "inbox"),
            ("GET", "status"),
            ("GET", "runs/x"),
            ("POST", "runs/x/decision"),
            ("POST", "decisions"),
            ("POST", "server/start"),
        ):
            response = await anon.request(method, path, json={"action": "approve"})
            assert response.status_code == 403, (method, path, response.text)
        wrong = await anon.get("inbox", headers={"Authorization": "token not-the-token"})
        assert wrong.status_code == 403


async def test_a_browser_session_needs_the_xsrf_token_to_post(
    jupyter_server: JupyterProcess,
) -> None:
    async with httpx.AsyncClient(
        base_url=jupyter_server.base_url, timeout=10, follow_redirects=True
    ) as browser:
        login = await browser.get(f"lab?token={jupyter_server.token}")
        assert login.status_code in (200, 404)  # logged in (404: no lab app on a bare server)
        assert "_xsrf" in browser.cookies
        read = await browser.get("ntro/api/status")  # GET with the login cookie is fine
        assert read.status_code == 200
        forged = await browser.post(
            "ntro/api/decisions",
            json={"action": "approve", "items": [{"workflow_id": "a", "gate_id": "g"}]},
        )
        assert forged.status_code == 403
        assert "xsrf" in forged.text.lower()
        sent = await browser.post(
            "ntro/api/runs/nope/decision",
            json={"action": "approve"},
            headers={"X-XSRFToken": browser.cookies["_xsrf"]},
        )
        assert sent.status_code == 404  # past auth and XSRF: the workflow does not exist


# -- inbox -------------------------------------------------------------------------------------


async def test_inbox_lists_every_open_gate_with_grouping_keys_and_age(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    reviews = [
        await start_review(temporal_client, entity="fund-a", period="2026-10"),
        await start_review(
            temporal_client,
            entity="fund-b",
            period="2026-11",
            title="Bank lines",
            reason="Check the bank lines",
        ),
    ]
    upload = await temporal_client.start_workflow(
        UploadOnlyWorkflow.run,
        {"entity": "fund-c", "period": "2026-09"},
        id=f"lab-upload-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )
    plain = await temporal_client.start_workflow(
        PlainWaitingWorkflow.run, id=f"lab-plain-{uuid.uuid4().hex[:8]}", task_queue=TASK_QUEUE
    )
    memo_review = await temporal_client.start_workflow(
        InboxReviewWorkflow.run,
        {},
        id=f"lab-memo-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
        memo={"entity": "fund-m", "period": "2026-Q4"},
    )
    for handle in [*reviews, memo_review]:
        await wait_pending(handle)
    await wait_pending(upload, "submit_file")
    await asyncio.sleep(1.2)  # visibility is eventually consistent

    response = await http.get("inbox", params={"budget_ms": "0"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["complete"] is True and body["remaining"] == 0
    found = items_by_id(body)
    assert plain.id not in found  # not a runbook: skipped
    first = found[reviews[0].id]
    assert first["runbook"] == "inbox-review"
    assert (first["entity"], first["period"]) == ("fund-a", "2026-10")
    assert first["kind"] == "interactive_review" and first["decidable"] is True
    assert first["component"] == "DATA_TABLE" and first["rows"] == 3
    assert first["gate_id"] == "review:1" and first["step_id"] == "review"
    assert first["opened_at"] and first["age_s"] >= 0
    second = found[reviews[1].id]
    assert (second["entity"], second["period"]) == ("fund-b", "2026-11")
    assert second["title"] == "Bank lines" and second["reason"] == "Check the bank lines"
    assert found[upload.id]["kind"] == "submit_file" and found[upload.id]["decidable"] is False
    assert found[upload.id]["entity"] == "fund-c"  # from the gate's args
    assert found[upload.id]["period"] == "2026-09"  # from the run's input
    assert (found[memo_review.id]["entity"], found[memo_review.id]["period"]) == (
        "fund-m",
        "2026-Q4",
    )
    assert body["count"] == len(body["items"]) and body["errors"] == []
    assert body["cluster"]["mode"] == "remote" and body["cluster"]["namespace"] == "default"
    assert body["indexed"] is True  # the dev server has the runbook search attributes
    opened = [item["opened_at"] for item in body["items"]]
    assert opened == sorted(opened)  # oldest first
    # The row contract the inbox UI renders (issue 15), read from visibility: no query.
    assert first["task_queue"] == TASK_QUEUE and first["worker_down"] is False
    assert first["due_at"] is None and first["warning_count"] == 0 and first["amount"] is None
    assert first["source"] == "visibility"

    # Only the workflow that is not a runbook was asked (once: then it is remembered).
    again = (await http.get("inbox", params={"budget_ms": "0"})).json()
    assert items_by_id(again).keys() == found.keys()
    assert again["queried"] == 0

    await plain.signal(PlainWaitingWorkflow.finish)
    await upload.terminate("test over")


async def test_inbox_query_parameters_are_checked(http: httpx.AsyncClient) -> None:
    for bad in ("zero", "0", "-3", "1000001"):
        response = await http.get("inbox", params={"limit": bad})
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_limit"
        assert repr(bad) in response.json()["message"]
    for bad in ("soon", "-1", "600001"):
        response = await http.get("inbox", params={"budget_ms": bad})
        assert response.status_code == 400 and response.json()["error"] == "invalid_budget"
        assert repr(bad) in response.json()["message"]


async def test_the_inbox_pages_filters_and_refuses_a_foreign_page_token(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    entity = f"page-{uuid.uuid4().hex[:6]}"
    handles = [await start_review(temporal_client, entity=entity, period="2026-12") for _ in "abc"]
    for handle in handles:
        await wait_pending(handle)

    async def listed() -> list[dict[str, Any]]:
        body = (await http.get("inbox", params={"entity": entity, "budget_ms": "0"})).json()
        return body["items"]

    deadline = time.monotonic() + 20
    while len(await listed()) < 3:
        assert time.monotonic() < deadline, "the three reviews were not listed"
        await asyncio.sleep(0.3)
    first = (await http.get("inbox", params={"entity": entity, "limit": "2"})).json()
    assert first["count"] == 2 and first["next_page_token"] and first["truncated"] is True
    assert first["total"] == 3  # the server counts every waiting review, beyond this part
    rest = (
        await http.get("inbox", params={"entity": entity, "page_token": first["next_page_token"]})
    ).json()
    assert rest["total"] is None  # a continued list was told the total with its first part
    assert {i["workflow_id"] for i in [*first["items"], *rest["items"]]} == {h.id for h in handles}
    foreign = await http.get(
        "inbox", params={"entity": "other", "page_token": first["next_page_token"]}
    )
    assert foreign.status_code == 400 and foreign.json()["error"] == "page_token_refused"
    assert "another filter" in foreign.json()["message"]
    garbage = await http.get("inbox", params={"page_token": "not-a-token"})
    assert garbage.status_code == 400 and "not one this inbox gave" in garbage.json()["message"]
    hostile = await http.get("inbox", params={"entity": f"{entity}' OR NtroAwaiting = false"})
    assert hostile.status_code == 200 and hostile.json()["items"] == []
    assert hostile.json()["total"] == 0
    for params, words in (
        ({"entity": "a\nb"}, "control characters"),
        ({"period": "x" * 201}, "over 200"),
        ({"older_than_s": "soon"}, "number of seconds"),
        ({"assigned": "bob"}, "assigned must be 'me'"),
    ):
        refused = await http.get("inbox", params=params)
        assert refused.status_code == 400, (params, refused.text)
        assert refused.json()["error"] == "invalid_filter" and words in refused.json()["message"]
    mine = (await http.get("inbox", params={"entity": entity, "assigned": "me"})).json()
    assert mine["items"] == []  # these reviews name no reviewer: assigned to nobody
    for handle in handles:
        await handle.terminate("test over")


async def test_a_decided_review_leaves_the_inbox_at_once_though_visibility_lags(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    handle = await start_review(temporal_client, entity=f"lag-{uuid.uuid4().hex[:6]}")
    pending = await wait_pending(handle)
    deadline = time.monotonic() + 20
    while handle.id not in items_by_id((await http.get("inbox", params={"budget_ms": "0"})).json()):
        assert time.monotonic() < deadline, "the review was not listed"
        await asyncio.sleep(0.3)
    sent = await http.post(
        f"runs/{handle.id}/decision", json={"action": "approve", "gate_id": pending["gate_id"]}
    )
    assert sent.status_code == 200, sent.text
    after = (await http.get("inbox", params={"budget_ms": "0"})).json()
    assert handle.id not in items_by_id(after)  # at once, whatever visibility says yet
    again = await http.post(
        f"runs/{handle.id}/decision", json={"action": "approve", "gate_id": pending["gate_id"]}
    )
    assert again.status_code == 409  # never decided twice
    audit = await handle.query("audit_trail")
    assert [e["kind"] for e in audit].count("decision") == 1


# -- one run -----------------------------------------------------------------------------------


async def test_a_runs_state_and_review_view(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    handle = await start_review(temporal_client, entity="fund-v", period="2026-10")
    await wait_pending(handle)
    response = await http.get(f"runs/{handle.id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"]["pending_action"]["gate_id"] == "review:1"
    assert body["attach"] == f"%ntro attach {handle.id}"
    view = body["view"]
    assert [s["id"] for s in view["breadcrumb"]["steps"]] == ["extract", "review"]
    assert [s["status"] for s in view["breadcrumb"]["steps"]] == ["completed", "waiting_for_input"]
    panel = view["panel"]
    assert panel["component"] == "DATA_TABLE" and panel["interactive"] is True
    assert {a["kind"] for a in panel["actions"]} == {"approve", "reject"}
    table = panel["table"]["datasets"][0]
    assert [c["key"] for c in table["columns"]] == ["account", "amount"]
    assert table["row_ids"] == ["L1", "L2", "L3"] and table["cells"][0][0] == "4000 Revenue"
    await handle.terminate("test over")


async def test_unknown_and_non_runbook_workflows_are_named(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    missing = await http.get("runs/no-such-workflow")
    assert missing.status_code == 404
    assert missing.json()["error"] == "workflow_not_found"
    assert "no-such-workflow" in missing.json()["message"]
    plain = await temporal_client.start_workflow(
        PlainWaitingWorkflow.run, id=f"lab-plain-{uuid.uuid4().hex[:8]}", task_queue=TASK_QUEUE
    )
    response = await http.get(f"runs/{plain.id}")
    assert response.status_code == 422
    assert response.json()["error"] == "not_a_runbook"
    assert plain.id in response.json()["message"]
    await plain.signal(PlainWaitingWorkflow.finish)
    nowhere = await http.get("no/such/endpoint")
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "no_such_endpoint"


# -- decisions ---------------------------------------------------------------------------------


async def test_a_decision_with_a_correction_goes_through_the_update(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    handle = await start_review(temporal_client, entity="fund-d", period="2026-10")
    pending = await wait_pending(handle)
    response = await http.post(
        f"runs/{handle.id}/decision",
        json={
            "action": "approve",
            "gate_id": pending["gate_id"],
            "comment": "rent was 420",
            "corrections": [{"line_item_id": "L2", "field": "amount", "new_value": -420.0}],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] is True
    result = await handle.result()
    assert result["action"] == "approve"
    assert result["reviewer"] == "test.reviewer@example.com"  # NTRO_REVIEWER of the server
    assert result["corrections"][0]["line_item_id"] == "L2"
    assert result["corrections"][0]["new_value"] == -420.0
    audit = await handle.query("audit_trail")
    assert any(
        e["kind"] == "correction" and e["old_value"] == -400.0 and e["new_value"] == -420.0
        for e in audit
    )

    # The gate is closed now: the same decision again is refused, with the workflow's words.
    again = await http.post(
        f"runs/{handle.id}/decision", json={"action": "approve", "gate_id": pending["gate_id"]}
    )
    assert again.status_code in (409,), again.text
    assert again.json()["error"] in ("decision_refused", "workflow_closed")
    assert again.json()["message"]


async def test_refused_decisions_say_why_and_change_nothing(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    handle = await start_review(temporal_client, entity="fund-r", period="2026-10")
    pending = await wait_pending(handle)
    url = f"runs/{handle.id}/decision"
    cases = [
        (b"{not json", 400, "invalid_json", "not JSON"),
        (b"", 400, "missing_body", "no JSON body"),
        (b"[1, 2]", 400, "invalid_body", "JSON object"),
        (b'{"gate_id": "review:1"}', 400, "invalid_body", "action"),
        (b'{"action": "aprove"}', 400, "invalid_body", "'aprove'"),
        (b'{"action": "approve", "colour": "red"}', 400, "invalid_body", "colour"),
        (
            b'{"action": "approve", "corrections": [{"field": "amount"}]}',
            400,
            "invalid_body",
            "line_item_id",
        ),
    ]
    for raw, status, code, words in cases:
        response = await http.post(url, content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == status, (raw, response.text)
        assert response.json()["error"] == code, (raw, response.json())
        assert words.strip("'") in response.json()["message"], (raw, response.json())

    # Refused by the workflow's validator: named, 409, and the gate stays open.
    stale = await http.post(url, json={"action": "approve", "gate_id": "review:99"})
    assert stale.status_code == 409 and stale.json()["error"] == "decision_refused"
    assert "review:99" in stale.json()["message"]
    missing_row = await http.post(
        url,
        json={
            "action": "approve",
            "gate_id": pending["gate_id"],
            "corrections": [{"line_item_id": "L404", "field": "amount", "new_value": 1}],
        },
    )
    assert missing_row.status_code == 409 and "L404" in missing_row.json()["message"]
    assert (await handle.query("current_pending_action"))["gate_id"] == pending["gate_id"]
    await handle.terminate("test over")


async def test_bulk_approval_reports_each_workflow(
    http: httpx.AsyncClient, temporal_client: Client, worker: Worker
) -> None:
    handles = [
        await start_review(temporal_client, entity=f"bulk-{n}", period="2026-12") for n in range(4)
    ]
    gates = [await wait_pending(h) for h in handles]
    items = [
        {"workflow_id": h.id, "gate_id": g["gate_id"]} for h, g in zip(handles, gates, strict=True)
    ]
    items[3]["gate_id"] = "review:7"  # stale: this one is refused, the others go through
    response = await http.post("decisions", json={"action": "approve", "items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["requested"], body["succeeded"], body["failed"]) == (4, 3, 1)
    refused = [r for r in body["results"] if not r["ok"]]
    assert refused[0]["workflow_id"] == handles[3].id and "review:7" in refused[0]["message"]
    for handle in handles[:3]:
        assert (await handle.result())["action"] == "approve"
    await handles[3].terminate("test over")

    empty = await http.post("decisions", json={"action": "approve", "items": []})
    assert empty.status_code == 400 and "items" in empty.json()["message"]
    twice = await http.post("decisions", json={"action": "approve", "items": [items[0], items[0]]})
    assert twice.status_code == 400 and twice.json()["error"] == "duplicate_items"


# -- cluster states ----------------------------------------------------------------------------


async def test_an_unreachable_cluster_is_a_clear_error_not_a_hang(tmp_path: Path) -> None:
    port = closed_port()
    with JupyterProcess(tmp_path, env={"TEMPORAL_HOST": f"127.0.0.1:{port}"}) as server:
        async with httpx.AsyncClient(
            base_url=server.base_url + "ntro/api/",
            timeout=30,
            headers={"Authorization": f"token {server.token}"},
        ) as http:
            started = time.monotonic()
            response = await http.get("inbox", params={"budget_ms": "0"})
            assert time.monotonic() - started < 10
            assert response.status_code == 503
            body = response.json()
            assert body["error"] == "cluster_unreachable"
            assert f"127.0.0.1:{port}" in body["message"] and "TEMPORAL_HOST" in body["message"]
            status = (await http.get("status")).json()
            assert status["reachable"] is False and f"127.0.0.1:{port}" in status["message"]
            start = await http.post("server/start", json={})
            assert start.status_code == 409 and start.json()["error"] == "remote_cluster"


async def test_local_mode_says_the_server_is_down_then_starts_it(tmp_path: Path) -> None:
    db = tmp_path / "state" / "temporal.db"
    env = {
        "NTRO_DEV_DB": str(db),
        "NTRO_DEV_PORT": str(free_port()),
        "NTRO_DEV_UI_PORT": str(free_port()),
    }
    try:
        with JupyterProcess(tmp_path, env=env) as server:
            async with httpx.AsyncClient(
                base_url=server.base_url + "ntro/api/",
                timeout=60,
                headers={"Authorization": f"token {server.token}"},
            ) as http:
                down = await http.get("inbox", params={"budget_ms": "0"})
                assert down.status_code == 503
                assert "not running" in down.json()["message"]
                assert "Start local Temporal server" in down.json()["message"]
                assert down.json()["cluster"]["mode"] == "local"
                started = await http.post("server/start", json={})
                assert started.status_code == 200, started.text
                assert started.json()["address"].endswith(env["NTRO_DEV_PORT"])
                assert started.json()["ui_url"].endswith(env["NTRO_DEV_UI_PORT"])
                up = await http.get("inbox", params={"budget_ms": "0"})
                assert up.status_code == 200 and up.json()["count"] == 0
                status = (await http.get("status")).json()
                assert status["reachable"] is True and status["cluster"]["running"] is True
    finally:
        DevServer(db).stop()
