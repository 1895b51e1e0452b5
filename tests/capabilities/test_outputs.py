"""excel.generate, email.send against a local SMTP server, notify.send."""

from __future__ import annotations

import socket
from pathlib import Path

import openpyxl
import pytest

from ntro.capabilities import config, email, excel, notify
from ntro.events import RecordingEmitter, register_emitter


async def test_a_trial_balance_workbook_has_totals_as_formulas(tmp_path: Path) -> None:
    rows = [
        {"account_code": "1000", "account_name": "Cash", "debit": 1500.0, "credit": 0},
        {"account_code": "3000", "account_name": "Capital", "debit": 0, "credit": 1500.0},
    ]
    path = await excel.generate(
        data=rows, template="trial_balance", output_path="exports/tb.xlsx", title="TB January"
    )
    assert path == str(tmp_path / "artifacts" / "exports" / "tb.xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "TB January" and sheet["A3"].value == "Account code"
    assert sheet["C4"].value == 1500.0 and sheet["C6"].value == "=SUM(C4:C5)"


async def test_several_sheets_and_bad_arguments(tmp_path: Path) -> None:
    path = await excel.generate(
        data={"Bills": [{"a": 1}], "Journals": [{"b": "2026-01-31"}]},
        output_path=tmp_path / "out.xlsx",
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Bills", "Journals"]
    with pytest.raises(ValueError, match="unknown excel template 'fancy'"):
        await excel.generate(data=[], template="fancy", output_path="x.xlsx")
    with pytest.raises(ValueError, match="must end in .xlsx"):
        await excel.generate(data=[], output_path="x.csv")


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Keep(Sink):
        def __init__(self) -> None:
            self.messages: list = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("NTRO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NTRO_SMTP_PORT", str(port))
    monkeypatch.setenv("NTRO_SMTP_FROM", "close@fund.example")
    config.reset()
    try:
        yield handler
    finally:
        controller.stop()


async def test_an_email_is_delivered_with_its_upload_link(smtp_server) -> None:
    receipt = await email.send(
        to="preparer@fund.example",
        cc=["boss@fund.example"],
        subject="Upload the TB",
        body="Please upload.",
        upload_link="http://localhost:8888/upload/x",
    )
    assert receipt.recipients == ["preparer@fund.example", "boss@fund.example"]
    [envelope] = smtp_server.messages
    assert envelope.mail_from == "close@fund.example"
    assert envelope.rcpt_tos == ["preparer@fund.example", "boss@fund.example"]
    text = envelope.content.decode()
    assert "Subject: Upload the TB" in text and "Upload: http://localhost:8888/upload/x" in text


async def test_html_mail_has_a_plain_text_part_too(smtp_server) -> None:
    await email.send(
        to="a@b.example", subject="s", body="<p>Hello</p>", html=True, upload_link="http://x/u"
    )
    text = smtp_server.messages[0].content.decode()
    assert "text/plain" in text and "text/html" in text and 'href="http://x/u"' in text


async def test_bad_addresses_and_an_unreachable_server_are_clear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValueError, match="'not-an-address' is not an address"):
        await email.send(to="not-an-address", subject="s", body="b")
    monkeypatch.setenv("NTRO_SMTP_PORT", "9")
    monkeypatch.setenv("NTRO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NTRO_SMTP_PASSWORD", "hunter2")
    config.reset()
    with pytest.raises(email.EmailError, match="could not send email through 127.0.0.1:9") as err:
        await email.send(to="a@b.example", subject="s", body="b")
    assert "hunter2" not in str(err.value)


async def test_a_notification_is_kept_locally_and_reaches_the_session() -> None:
    emitter = RecordingEmitter()
    register_emitter(emitter)
    try:
        note = await notify.send(
            type="review_requested", step="review", data={"lines": 3}, task_id="wf-9"
        )
    finally:
        register_emitter(None)
    assert note.delivered_to[-1] == "session"
    assert [n.type for n in notify.recent()] == ["review_requested"]
    assert emitter.events == [
        (notify.EVENT_TYPE, note.model_dump(mode="json") | {"delivered_to": note.delivered_to[:1]})
    ]
