"""The session's parts without a server: targets, identity, the loop thread, the magic parser,
digests, recorded scenarios and the tables the magics return."""

from __future__ import annotations

import shlex
import threading
from datetime import date
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from pydantic import BaseModel

from ntro_jupyter import IdentityError, Session, SessionError, Target
from ntro_jupyter._magics import _input_arg, _parser, _quote_json_values, _value_arg
from ntro_jupyter._session import WorkflowSummary
from ntro_jupyter._session._display import AuditTable, RunSnapshot, WorkflowTable
from ntro_jupyter._session._loop import LoopThread
from ntro_jupyter._session._runbooks import bundle_digest, referenced_slugs
from ntro_jupyter._session._scenarios import scenario_fields
from tests.jupyter.session.conftest import INVOICE

# ── targets ─────────────────────────────────────────────────────────────


def test_nothing_configured_means_the_harness() -> None:
    assert Target.from_env({}).kind == "harness"
    assert Target.parse(None, environ={}).kind == "harness"


def test_temporal_env_vars_name_a_remote_cluster() -> None:
    target = Target.from_env(
        {
            "TEMPORAL_HOST": "temporal.example.com:7233",
            "TEMPORAL_NAMESPACE": "close",
            "TEMPORAL_API_KEY": "secret",
        }
    )
    assert (target.kind, target.address, target.namespace) == (
        "remote",
        "temporal.example.com:7233",
        "close",
    )
    assert target.tls is True  # an API key implies TLS
    assert "secret" not in repr(target) and "secret" not in target.describe()
    assert Target.from_env({"TEMPORAL_HOST": "h:7233", "TEMPORAL_TLS": "1"}).tls is True
    # ntro.cluster's rule, as for the CLI: an explicit TEMPORAL_TLS=false is kept.
    no_tls = {"TEMPORAL_HOST": "h:7233", "TEMPORAL_API_KEY": "k", "TEMPORAL_TLS": "false"}
    assert Target.from_env(no_tls).tls is False


def test_arguments_override_the_environment() -> None:
    env = {"TEMPORAL_HOST": "a:7233", "TEMPORAL_NAMESPACE": "ns"}
    assert Target.parse(None, namespace="other", environ=env).namespace == "other"
    assert Target.parse("harness", environ=env).kind == "harness"
    dev = Target.parse("dev", db_file="x/t.db", port=7300, environ={})
    assert dev.kind == "dev" and dev.db_file is not None and dev.db_file.name == "t.db"
    assert dev.db_file.is_absolute() and dev.port == 7300
    assert Target.parse("dev", environ={"NTRO_DEV_DB": "/tmp/n.db"}).db_file == Path("/tmp/n.db")


def test_a_bad_address_is_refused_with_the_form_expected() -> None:
    with pytest.raises(SessionError, match="host:port"):
        Target.parse("nonsense", environ={})


# ── identity ────────────────────────────────────────────────────────────


def test_reviewer_comes_from_argument_then_env_then_jupyter_user() -> None:
    env = {"NTRO_REVIEWER": "rita", "JUPYTERHUB_USER": "hub-user", "USER": "unix"}
    assert Session(environ=env).reviewer("arg") == "arg"
    assert Session(environ=env).reviewer() == "rita"
    assert Session(environ=env).reviewer_source() == "NTRO_REVIEWER"
    assert Session(environ={"JUPYTERHUB_USER": "hub-user", "USER": "unix"}).reviewer() == (
        "hub-user"
    )
    assert Session(environ={"USER": "unix"}).reviewer() == "unix"
    assert Session(reviewer="sam", environ=env).reviewer_source() == "the session"


def test_reviewer_is_never_silently_empty() -> None:
    with pytest.raises(IdentityError, match="NTRO_REVIEWER"):
        Session(environ={"NTRO_REVIEWER": "  "}).reviewer()
    with pytest.raises(IdentityError):
        Session(environ={}).reviewer("   ")
    assert Session(environ={}).status()["reviewer"].startswith("none: no reviewer identity")


# ── the loop thread ─────────────────────────────────────────────────────


def test_loop_thread_serves_any_thread_and_refuses_to_wait_for_itself() -> None:
    import asyncio

    loop = LoopThread("test-loop")
    try:

        async def where() -> str:
            await asyncio.sleep(0)
            return threading.current_thread().name

        assert loop.run(where()) == "test-loop"
        results: list[str] = []
        threads = [
            threading.Thread(target=lambda: results.append(loop.run(where()))) for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        assert results == ["test-loop"] * 8

        async def nested() -> str:
            inner = where()
            try:
                loop.run(inner)
            except RuntimeError as err:
                return str(err)
            return "no error"

        assert "would wait for itself" in loop.run(nested())
        with pytest.raises(TimeoutError):
            loop.run(asyncio.sleep(5), timeout=0.05)
    finally:
        loop.stop()
    assert not loop.running


# ── the magic's parser ──────────────────────────────────────────────────


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    from ntro_jupyter._magics import _HelpShown

    for command in (
        "connect",
        "status",
        "server",
        "load",
        "run",
        "ls",
        "attach",
        "approve",
        "reject",
        "history",
        "test",
        "runbook",
        "export",
        "scenario",
    ):
        with pytest.raises(_HelpShown):
            _parser().parse_args([command, "--help"])
        assert f"%ntro {command}" in capsys.readouterr().out


def test_wrong_arguments_are_one_line_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"^%ntro run: the following arguments are required: slug"):
        _parser().parse_args(["run"])
    with pytest.raises(UsageError, match="invalid choice: 'fly'"):
        _parser().parse_args(["fly"])
    with pytest.raises(UsageError, match="argument --limit: invalid int value"):
        _parser().parse_args(["ls", "--limit", "many"])


def test_values_are_json_python_literals_or_files(tmp_path: Path) -> None:
    assert _value_arg('{"a": 1}', "--input") == {"a": 1}
    assert _value_arg("{'a': True}", "--input") == {"a": True}
    file = tmp_path / "in.json"
    file.write_text('[{"line_item_id": "L1"}]')
    assert _value_arg(f"@{file}", "--corrections") == [{"line_item_id": "L1"}]
    with pytest.raises(UsageError, match="--input is not JSON"):
        _value_arg("{period: 2026}", "--input")
    with pytest.raises(UsageError, match="cannot read the file"):
        _value_arg(f"@{tmp_path / 'missing.json'}", "--input")


def test_unquoted_json_after_input_is_one_argument() -> None:
    line = 'run close --input {"period": "2026-03", "note": "a b"} --id x'
    assert shlex.split(_quote_json_values(line)) == [
        "run",
        "close",
        "--input",
        '{"period": "2026-03", "note": "a b"}',
        "--id",
        "x",
    ]
    quoted = 'run close --input \'{"period": "2026-03"}\''
    assert _quote_json_values(quoted) == quoted  # already quoted: left as written
    assert _quote_json_values("run close --input {period: 1}") == "run close --input {period: 1}"


def test_input_names_a_notebook_variable_dict_or_pydantic_model() -> None:
    class Period(BaseModel):
        entity: str = "acme-fund"
        period: date = date(2026, 3, 31)

    namespace = {"ctx": {"period": "2026-03"}, "model": Period(), "count": 3}
    assert _input_arg("ctx", namespace) == {"period": "2026-03"}
    assert _input_arg("model", namespace) == {"entity": "acme-fund", "period": "2026-03-31"}
    assert _input_arg('{"a": 1}', namespace) == {"a": 1}
    assert _input_arg("null", namespace) is None
    with pytest.raises(UsageError, match="the variable count is a int; give a dict or a pydantic"):
        _input_arg("count", namespace)
    with pytest.raises(UsageError, match="no variable period in this notebook"):
        _input_arg("period", namespace)


# ── digests and children ────────────────────────────────────────────────


def test_bundle_digest_follows_the_code_not_the_tests(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "invoice-review"
    shutil.copytree(INVOICE, copy)
    first = bundle_digest(copy)
    assert bundle_digest(copy) == first
    (copy / "tests").mkdir()
    (copy / "tests" / "scenarios.py").write_text("# scenarios\n")
    assert bundle_digest(copy) == first
    workflow = copy / "templates" / "workflow.py"
    workflow.write_text(workflow.read_text() + "\n# changed\n")
    assert bundle_digest(copy) != first


def test_child_slugs_are_found_in_the_source() -> None:
    source = """
        await self.run_child_workflow(slug="bench-signoff", input=x)
        await self.run_child_workflows("entity-close", inputs)
        await self.collect_documents(expected, slug="document-ingest")
    """
    assert referenced_slugs(source) == ["bench-signoff", "entity-close", "document-ingest"]


# ── recorded scenarios ──────────────────────────────────────────────────


def test_an_audit_trail_becomes_scenario_fields() -> None:
    parent = [
        {"kind": "row_action", "step_id": "review", "action": "reject_row", "line_item_id": "L3"},
        {
            "kind": "row_action",
            "step_id": "review",
            "action": "edit_cell",
            "line_item_id": "L1",
            "field": "amount",
            "new_value": 5,
        },
        {"kind": "decision", "step_id": "review", "action": "correct", "reviewer": "alice"},
        {
            "kind": "correction",
            "step_id": "review",
            "line_item_id": "L2",
            "field": "amount",
            "old_value": 250.0,
            "new_value": 275.0,
        },
        {"kind": "refused", "step_id": "review", "reason": "bad"},
    ]
    child = [
        {"kind": "decision", "step_id": "sign_off", "action": "reject", "reviewer": "bob"},
        {"kind": "timeout", "step_id": "late", "action": "approve"},
    ]
    fields, warnings = scenario_fields([parent, child])
    assert fields == {
        "review_overrides": {"review": "approved", "sign_off": "rejected"},
        "corrections": {
            "review": [
                {"line_item_id": "L2", "field": "amount", "old_value": 250.0, "new_value": 275.0}
            ]
        },
        "row_actions": {
            "review": [
                {"action": "reject_row", "row_id": "L3"},
                {"action": "edit_cell", "row_id": "L1", "field": "amount", "value": 5},
            ]
        },
        "timeouts": ["late"],
        "reviewer": "alice",
    }
    assert warnings == []


# ── tables ──────────────────────────────────────────────────────────────


def test_ls_table_puts_what_each_workflow_waits_for() -> None:
    rows = [
        WorkflowSummary(
            "inv-1",
            "InvoiceReviewWorkflow",
            "running",
            pending={
                "kind": "interactive_review",
                "step_id": "review",
                "reason": "Check the lines",
            },
        ),
        WorkflowSummary("inv-0", "InvoiceReviewWorkflow", "completed"),
    ]
    text = repr(WorkflowTable(rows))
    assert "review in step 'review' (Check the lines)" in text
    assert text.splitlines()[1].startswith("inv-1")
    assert "<table" in WorkflowTable(rows)._repr_html_()
    assert repr(WorkflowTable([], pending_only=True)) == "No workflow waits for a person."


def test_history_table_shows_corrections_as_old_to_new() -> None:
    table = AuditTable(
        "inv-1",
        [
            {
                "kind": "decision",
                "step_id": "review",
                "reviewer": "alice",
                "action": "correct",
                "comment": "ok",
            },
            {
                "kind": "correction",
                "step_id": "review",
                "reviewer": "alice",
                "line_item_id": "L2",
                "field": "amount",
                "old_value": 250.0,
                "new_value": 275.0,
            },
        ],
    )
    text = repr(table)
    assert "correct — ok" in text and "L2.amount: 250.0 → 275.0" in text
    html = AuditTable("x", [{"kind": "refused", "reason": "<b>bad</b>"}])._repr_html_()
    assert "<b>bad</b>" not in html and "&lt;b&gt;bad&lt;/b&gt;" in html


def test_a_class_from_a_cell_is_a_new_definition_only_when_its_code_changes() -> None:
    from ntro_jupyter._session._runbooks import class_source

    code = (
        "from ntro.workflow import NtroWorkflow, runbook\n"
        "@runbook.defn\n"
        "class CellWorkflow(NtroWorkflow):\n"
        "    @runbook.step(name='s')\n"
        "    async def s(self) -> int:\n"
        "        return VALUE\n"
        "    @runbook.run\n"
        "    async def run(self) -> int:\n"
        "        return await self.s()\n"
    )

    def source(value: str, filename: str) -> str:
        namespace: dict[str, object] = {"__name__": "__main__"}
        exec(compile(code.replace("VALUE", value), filename, "exec"), namespace)
        return class_source(namespace["CellWorkflow"])  # type: ignore[arg-type]

    first = source("1", "/tmp/ipykernel_1/cell.py")
    assert source("1", "/tmp/ipykernel_2/cell.py") == first  # same code after a kernel restart
    assert source("2", "/tmp/ipykernel_1/cell.py") != first


def test_a_snapshot_is_saved_data_drawn_without_a_kernel() -> None:
    state = {
        "workflow_id": "inv-1",
        "workflow_type": "InvoiceReviewWorkflow",
        "status": "completed",
        "steps": [{"id": "review", "title": "Review", "status": "completed"}],
        "completed_step_ids": ["review"],
        "pending_action": None,
        "audit_trail": [
            {
                "kind": "decision",
                "step_id": "review",
                "reviewer": "alice",
                "action": "approve",
                "comment": "<script>x()</script>",
            }
        ],
    }
    bundle = RunSnapshot(state, "2026-11-28T18:00:00Z")._repr_mimebundle_()
    assert bundle["application/vnd.ntro.run+json"] == {
        "state": state,
        "taken_at": "2026-11-28T18:00:00Z",
    }
    assert "Review" in bundle["text/html"] and "<script>x()" not in bundle["text/html"]
    assert "inv-1" in bundle["text/plain"]
    assert _parser().parse_args(["snapshot", "inv-1"]).workflow_id == "inv-1"


def test_the_dev_target_takes_the_ports_make_demo_sets() -> None:
    env = {"NTRO_DEV_PORT": "7243", "NTRO_DEV_UI_PORT": "8243"}
    target = Target.parse("dev", environ=env)
    assert (target.port, target.ui_port) == (7243, 8243)
    assert Target.parse("dev", port=7300, environ=env).port == 7300  # an explicit port wins
    with pytest.raises(SessionError, match="NTRO_DEV_PORT must be a port number .* 'seven'"):
        Target.parse("dev", environ={"NTRO_DEV_PORT": "seven"})
