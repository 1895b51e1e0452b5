"""The magics in a real kernel on the harness target, driven as JupyterLab drives them.

Widget intents arrive as real ``comm_msg`` messages (an upload with its file in a buffer, a
cell edit, a decision), on the main shell and on a subshell while the main shell is blocked;
the outcome is checked with a Temporal client of the test's own.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from temporalio.client import Client

from tests.jupyter.session._kernel import Kernel
from tests.jupyter.session.conftest import INVOICE

INPUT = '{"vendor": "Acme", "period": "2026-10"}'


def wait_for_gate(kernel: Kernel, handle: str, kind: str) -> str:
    """Wait in the kernel for the gate; return its panel widget's comm id."""
    return kernel.eval(
        f"{handle}.wait_for_state(lambda s: (s.get('pending_action') or {{}}).get('kind') == {kind!r}, 20)"
        f" and {handle}.live.run_view.panel.model_id"
    ).strip("'")


def send_upload(kernel: Kernel, comm_id: str, name: str, data: bytes) -> None:
    """What the upload panel's front end sends: file metadata in content, bytes in a buffer."""
    msg = kernel.kc.session.msg(
        "comm_msg",
        {
            "comm_id": comm_id,
            "data": {
                "method": "custom",
                "content": {"type": "upload", "files": [{"name": name, "type": "text/csv"}]},
            },
        },
    )
    kernel.kc.session.send(kernel.kc.shell_channel.socket, msg, buffers=[data])


def harness_address(kernel: Kernel) -> str:
    return kernel.eval("__import__('ntro_jupyter').get_session().status()['address']").strip("'")


async def audit_and_result(address: str, workflow_id: str) -> tuple[list[dict[str, Any]], Any]:
    client = await Client.connect(address)
    handle = client.get_workflow_handle(workflow_id)
    return await handle.query("audit_trail"), await handle.result()


def test_a_review_decided_with_widget_messages_lands_once(start_kernel: Any) -> None:
    kernel = start_kernel()
    loaded = kernel.execute(f"%ntro load {INVOICE}").check()
    assert "Loaded invoice-review" in loaded.stdout and "harness" in loaded.stdout
    ran = kernel.execute(f"h = %ntro run invoice-review --input '{INPUT}' --id inv-k1").check()
    assert any("application/vnd.jupyter.widget-view+json" in d for d in ran.displays)
    assert any(
        "ntro-run" in d.get("text/html", "") for d in ran.displays
    )  # saved-notebook fallback

    # The upload panel: a file chosen in the browser arrives as a comm message with a buffer.
    upload = wait_for_gate(kernel, "h", "submit_file")
    send_upload(kernel, upload, "invoice.csv", b"id,amount\nL1,1200\nL2,250\nL3,99\n")
    table = wait_for_gate(kernel, "h", "interactive_review")

    # Block the main shell in h.wait(): widget messages sent on a subshell still get through
    # (JupyterLab 4.4+ with ipykernel 7 sends comm messages on subshells).
    subshell = kernel.create_subshell()
    waiting = kernel.start_execute(
        "print('RESULT', json.dumps(h.wait(30)))".replace("json.dumps", "__import__('json').dumps")
    )
    kernel.comm_msg(
        table,
        {"type": "edit", "dataset": "lines", "row": 1, "col": 2, "text": "275"},
        subshell_id=subshell,
    )
    kernel.comm_msg(
        table,
        {"type": "decide", "action": "approve", "comment": "travel fixed"},
        subshell_id=subshell,
    )
    done = kernel.collect(waiting, 30).check()
    result = json.loads(done.stdout.split("RESULT", 1)[1])
    assert result == {"vendor": "Acme", "approved": True, "total": 1574.0}

    audit, outcome = asyncio.run(audit_and_result(harness_address(kernel), "inv-k1"))
    assert outcome == result
    decisions = [e for e in audit if e["kind"] == "decision"]
    assert len(decisions) == 1
    assert decisions[0]["reviewer"] == "alice" and decisions[0]["action"] == "correct"
    assert [
        (e["line_item_id"], e["old_value"], e["new_value"])
        for e in audit
        if e["kind"] == "correction"
    ] == [("L2", 250.0, "275")]  # typed amounts travel as exact decimal text
    # The document went to the store, only its ref through Temporal.
    assert list((Path(kernel.env["NTRO_DOCUMENT_STORE"])).glob("doc_*/content"))

    history = kernel.execute("%ntro history inv-k1").check().value()
    assert "correct — travel fixed" in history and "L2.amount: 250.0 → 275" in history
    listing = kernel.execute("%ntro ls").check().value()
    assert "inv-k1" in listing and "completed" in listing
    status = kernel.eval("h.live.join(5); h.live.status_line.value")
    assert "inv-k1 completed" in status


def test_an_awaiting_cell_lets_clicks_on_the_main_shell_through(start_kernel: Any) -> None:
    kernel = start_kernel()
    kernel.execute(f"%ntro load {INVOICE}").check()
    kernel.execute(f"h = %ntro run invoice-review --input '{INPUT}' --id inv-k2").check()
    kernel.execute(
        "from ntro_jupyter import get_session\n"
        "s = get_session(); s.loop.run(s.handle('inv-k2').signal('invoice_uploaded', "
        "{'document_ref': 'doc_x'}))"
    ).check()
    table = wait_for_gate(kernel, "h", "interactive_review")
    waiting = kernel.start_execute("r = await h.wait_async(30)\nprint('RESULT', r['approved'])")
    kernel.comm_msg(table, {"type": "decide", "action": "reject", "comment": "duplicate invoice"})
    done = kernel.collect(waiting, 30).check()
    assert "RESULT False" in done.stdout


def test_mistakes_are_one_line_errors_and_the_session_stays_usable(start_kernel: Any) -> None:
    kernel = start_kernel()
    mistakes = {
        "%ntro": None,  # prints the help
        "%ntro fly": "invalid choice: 'fly'",
        "%ntro run": "the following arguments are required: slug",
        "%ntro run nope": "no runbook 'nope' in this session",
        "%ntro attach nope": "no workflow with id 'nope'",
        "%ntro approve nope": "no workflow with id 'nope'",
        "%ntro history nope": "no workflow with id 'nope'",
        "%ntro load /no/such/bundle": "no such directory",
        "%ntro connect localhost:1": "cannot reach the Temporal cluster at localhost:1",
        "%ntro connect nonsense": "the cluster address 'nonsense' is not host:port",
        "%ntro export nope /tmp/x": "no runbook 'nope'",
        "%%ntro load x\npass": "cell magic is '%%ntro runbook'",
    }
    for line, expected in mistakes.items():
        out = kernel.execute(line)
        assert out.error is None, line
        if expected is None:
            assert "usage: %ntro" in out.stdout
            continue
        assert out.stderr.startswith("UsageError: "), (line, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1, (line, out.stderr)
        assert expected in out.stderr, (line, out.stderr)
    assert "usage: %ntro approve" in kernel.execute("%ntro approve --help").stdout
    # After all that, the default target still works.
    kernel.execute("%ntro connect harness").check()
    kernel.execute(f"%ntro load {INVOICE}").check()
    bad_input = kernel.execute("%ntro run invoice-review --input {vendor: 1}")
    assert "Quote JSON values" in bad_input.stderr
    unfit = kernel.execute('%ntro run invoice-review --input {"vendor": "Acme"}')  # unquoted
    assert "does not fit InvoiceInput: period" in unfit.stderr
    missing = kernel.execute("%ntro run invoice-review --input invoice")
    assert "no variable invoice in this notebook" in missing.stderr
    kernel.execute("invoice = {'vendor': 'Acme'}").check()
    unfit = kernel.execute("%ntro run invoice-review --input invoice")  # the variable's value
    assert "does not fit InvoiceInput: period" in unfit.stderr
    kernel.execute(f"invoice = {INPUT}").check()
    kernel.execute("%ntro run invoice-review --input invoice --no-view").check()
    kernel.execute("h = %ntro run invoice-review --id inv-k3").check()  # generated input
    assert (
        kernel.eval("h.wait_for_state(lambda s: bool(s.get('pending_action')), 20) and 'ok'")
        == "'ok'"
    )
    early = kernel.execute("%ntro approve inv-k3")
    assert "has no open review (it waits for submit_file)" in early.stderr
    # Attaching again replaces the first view, which stops polling.
    kernel.execute("h2 = %ntro attach inv-k3").check()
    assert "replaced by a newer view" in kernel.eval("h.live.join(5); h.live.status_line.value")
    # Nothing patched asyncio for the whole process (no nest_asyncio on import or use).
    assert (
        kernel.eval(
            "import asyncio, sys; (any(m.startswith('nest_asyncio') for m in sys.modules), "
            "asyncio.BaseEventLoop.run_until_complete.__module__, asyncio.run.__module__)"
        )
        == "(False, 'asyncio.base_events', 'asyncio.runners')"
    )


RUNBOOK_CELL = '''%%ntro runbook
from ntro.workflow import NtroWorkflow, runbook


@runbook.defn
class PeriodCloseWorkflow(NtroWorkflow):
    """Close a period after a sign-off."""

    @runbook.step(name="sign_off", title="Sign off the period", icon="BadgeCheck")
    async def sign_off(self, period: str) -> bool:
        decision = await self.wait_for_action(payload={"period": period},
                                              display_hint={"component": "APPROVAL_FORM"})
        return decision.approved

    @runbook.run
    async def run(self, period: str) -> str:
        return f"{period} closed" if await self.sign_off(period) else f"{period} reopened"
'''


def test_a_runbook_cell_runs_exports_and_tests(start_kernel: Any, tmp_path: Path) -> None:
    kernel = start_kernel()
    defined = kernel.execute(RUNBOOK_CELL).check()
    assert "Defined period-close" in defined.stdout and "sign_off" in defined.stdout
    kernel.execute("h = %ntro run period-close --input '\"2026-10\"' --id close-1").check()
    kernel.eval("h.wait_for_state(lambda s: bool(s.get('pending_action')), 20) and 'ok'")
    approved = kernel.execute("%ntro approve close-1 --comment 'books agree' --as carol").check()
    assert "Approved the review in step 'sign_off' of close-1 as carol." in approved.stdout
    assert kernel.eval("h.wait(20)") == "'2026-10 closed'"

    target = tmp_path / "exported"
    exported = kernel.execute(f"%ntro export period-close {target}").check()
    assert "Exported runbook 'period-close'" in exported.stdout
    validated = subprocess.run(
        [sys.executable, "-m", "ntro", "runbook", "validate", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "component: APPROVAL_FORM" in (target / "runbook.md").read_text()

    # The review carol took becomes a scenario of the exported bundle, and it replays.
    saved = kernel.execute("%ntro scenario save carol_signs close-1", timeout=60).check()
    assert f"Saved scenario 'carol_signs' to {target / 'tests' / 'scenarios.py'}" in saved.stdout
    replayed = subprocess.run(
        [
            sys.executable,
            "-m",
            "ntro",
            "workflow",
            "test",
            str(target),
            "--scenario",
            "carol_signs",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "decision=approved" in replayed.stdout and "'2026-10'" not in replayed.stderr

    tested = kernel.execute(f"%ntro test {INVOICE}", timeout=120).check()
    assert "summary: 2 passed, 0 failed (of 2)" in tested.stdout
    assert any("application/vnd.jupyter.widget-view+json" in d for d in tested.displays)  # progress
