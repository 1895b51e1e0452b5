"""The magics in a real kernel on the local dev server: workflows outlive the kernel.

A kernel restart followed by ``%ntro attach`` shows the pending review again and the decision
(sent as a real widget message) lands once; the dev server going away mid-session is a
one-line error, the view says so and recovers when the server is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from ntro._devserver import DevServer
from tests.jupyter.session.conftest import INVOICE, free_port
from tests.jupyter.session.test_kernel_harness import INPUT, send_upload, wait_for_gate


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Ports and database of a dev server the test's kernels start; stopped afterwards."""
    info = {"db": tmp_path / "dev" / "temporal.db", "port": free_port(), "ui_port": free_port()}
    info["args"] = f"--db {info['db']} --port {info['port']} --ui-port {info['ui_port']}"
    info["address"] = f"localhost:{info['port']}"
    yield info
    DevServer(info["db"], port=info["port"], ui_port=info["ui_port"]).stop()


async def audit_and_result(address: str, workflow_id: str) -> tuple[list[dict[str, Any]], Any]:
    client = await Client.connect(address)
    handle = client.get_workflow_handle(workflow_id)
    return await handle.query("audit_trail"), await handle.result()


def test_after_a_kernel_restart_attach_shows_the_review_and_the_decision_lands_once(
    start_kernel: Any, dev: dict[str, Any]
) -> None:
    kernel = start_kernel()
    connected = kernel.execute(f"%ntro connect dev {dev['args']}", timeout=60).check()
    assert f"local dev server at {dev['address']}" in connected.stdout
    assert f"Web UI http://localhost:{dev['ui_port']}" in connected.stdout
    kernel.execute(f"%ntro load {INVOICE}").check()
    kernel.execute(f"h = %ntro run invoice-review --input '{INPUT}' --id inv-dev-1").check()
    send_upload(kernel, wait_for_gate(kernel, "h", "submit_file"), "invoice.csv", b"id\nL1\n")
    wait_for_gate(kernel, "h", "interactive_review")

    kernel.restart()
    kernel.execute("%load_ext ntro_jupyter").check()
    kernel.execute(f"%ntro connect dev {dev['args']}", timeout=60).check()
    # Before its runbook is loaded, nothing in this kernel answers the workflow.
    listed = kernel.execute("%ntro ls").check().value()
    assert "inv-dev-1" in listed and "no worker answers: %ntro load its runbook" in listed
    unserved = kernel.execute("%ntro attach inv-dev-1")
    assert "no worker answers inv-dev-1" in unserved.stderr and "%ntro load" in unserved.stderr
    kernel.execute(f"%ntro load {INVOICE}").check()
    listed = kernel.execute("%ntro ls --pending").check().value()
    assert "inv-dev-1" in listed and "review in step 'review' (Check the extracted lines)" in listed
    attached = kernel.execute("h = %ntro attach inv-dev-1").check()
    assert any("application/vnd.jupyter.widget-view+json" in d for d in attached.displays)
    table = wait_for_gate(kernel, "h", "interactive_review")
    kernel.comm_msg(table, {"type": "decide", "action": "approve", "comment": "after restart"})
    kernel.comm_msg(table, {"type": "decide", "action": "approve", "comment": "double click"})
    assert kernel.eval("h.wait(30)['total']") == "1549.0"

    audit, result = asyncio.run(audit_and_result(dev["address"], "inv-dev-1"))
    assert result == {"vendor": "Acme", "approved": True, "total": 1549.0}
    decisions = [e for e in audit if e["kind"] == "decision"]
    assert len(decisions) == 1 and decisions[0]["comment"] == "after restart"
    assert decisions[0]["reviewer"] == "alice"


@pytest.mark.slow
def test_server_magics_and_a_server_that_goes_away(start_kernel: Any, dev: dict[str, Any]) -> None:
    kernel = start_kernel()
    started = kernel.execute(f"%ntro server start {dev['args']}", timeout=60).check()
    assert f"gRPC address: {dev['address']}" in started.stdout
    assert f"Web UI:       http://localhost:{dev['ui_port']}" in started.stdout
    assert "running at" in kernel.execute(f"%ntro server status {dev['args']}").check().stdout
    kernel.execute(f"%ntro connect dev {dev['args']}").check()
    kernel.execute(f"%ntro load {INVOICE}").check()
    kernel.execute(f"h = %ntro run invoice-review --input '{INPUT}' --id inv-dev-2").check()
    send_upload(kernel, wait_for_gate(kernel, "h", "submit_file"), "invoice.csv", b"id\nL1\n")
    wait_for_gate(kernel, "h", "interactive_review")

    stopped = kernel.execute(f"%ntro server stop {dev['args']}", timeout=60).check()
    assert "Stopped the Temporal dev server" in stopped.stdout
    down = kernel.execute("%ntro approve inv-dev-2", timeout=60)
    assert (
        down.stderr.startswith("UsageError: cannot reach")
        and len(down.stderr.strip().splitlines()) == 1
    )
    status = kernel.eval("import time; time.sleep(2); h.live.status_line.value")
    assert "cannot reach" in status and "retrying" in status

    kernel.execute(f"%ntro server start {dev['args']}", timeout=60).check()
    kernel.eval("h.wait_for_state(lambda s: True, 30) and 'ok'")
    approved = kernel.execute("%ntro approve inv-dev-2 --comment 'server back'", timeout=60).check()
    assert "Approved the review in step 'review'" in approved.stdout
    assert kernel.eval("h.wait(30)['approved']") == "True"
    status = kernel.eval("h.live.join(10); h.live.status_line.value")
    assert "inv-dev-2 completed" in status and "cannot reach" not in status
    audit, _ = asyncio.run(audit_and_result(dev["address"], "inv-dev-2"))
    assert [e["comment"] for e in audit if e["kind"] == "decision"] == ["server back"]


def test_a_remote_cluster_by_address_and_its_mistakes(dev: dict[str, Any]) -> None:
    from ntro_jupyter import Session, SessionError, Target

    DevServer(dev["db"], port=dev["port"], ui_port=dev["ui_port"], headless=True).start()
    session = Session(Target.remote(dev["address"]), reviewer="dora")
    try:
        assert session.connect(Target.remote(dev["address"])) == (
            f"Connected to cluster {dev['address']} (namespace default)"
        )
        session.load(INVOICE)
        handle = session.run("invoice-review", {"vendor": "Acme", "period": "2026-10"})
        handle.wait_for_state(
            lambda s: (s.get("pending_action") or {}).get("kind") == "submit_file", 20
        )
        with pytest.raises(SessionError, match="namespace 'nope' does not exist"):
            session.connect(dev["address"], namespace="nope")
        with pytest.raises(SessionError, match="does not speak TLS"):
            session.connect(dev["address"], api_key="secret")
        handle.live.join(5)
        assert not handle.live.running  # switching targets stops the views of the old one
        session.connect(dev["address"])
        assert session.ls(pending=True)[0].workflow_id == handle.workflow_id
    finally:
        session.close()
