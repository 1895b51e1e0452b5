"""WorkerConfig from the environment and a file, secrets kept out of sight; trace sinks."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ntro.capabilities import config, trace


def test_settings_come_from_ntro_variables_over_a_json_file(tmp_path: Path) -> None:
    file = tmp_path / "worker.json"
    file.write_text(
        json.dumps({"smtp_host": "mail.internal", "smtp_port": 2525, "tenant_slug": "from-file"})
    )
    cfg = config.from_env(
        {"NTRO_CONFIG_FILE": str(file), "NTRO_TENANT_SLUG": "acme", "TEMPORAL_HOST": "t:7233"}
    )
    assert (cfg.smtp_host, cfg.smtp_port, cfg.tenant_slug, cfg.temporal_host) == (
        "mail.internal",
        2525,
        "acme",
        "t:7233",
    )


def test_secrets_never_show_in_repr_or_errors() -> None:
    cfg = config.from_env(
        {"NTRO_ANTHROPIC_API_KEY": "sk-ant-very-secret", "NTRO_SMTP_PASSWORD": "hunter2"}
    )
    assert "very-secret" not in repr(cfg) and "hunter2" not in str(cfg)
    assert cfg.secret("anthropic_api_key") == "sk-ant-very-secret"
    with pytest.raises(config.ConfigError) as err:
        config.from_env({"NTRO_SMTP_PORT": "not-a-port-hunter2"})
    assert "NTRO_SMTP_PORT" in str(err.value) and "hunter2" not in str(err.value)


def test_a_bad_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="does not exist"):
        config.from_env({}, config_file=tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"smtp_hots": "x"}')
    with pytest.raises(config.ConfigError, match="unknown settings \\['smtp_hots'\\]"):
        config.from_env({}, config_file=bad)


def test_get_set_reset() -> None:
    config.set({"tenant_slug": "beta"})
    assert config.get().tenant_slug == "beta"
    config.reset()
    assert config.get().tenant_slug == "local"


async def test_with_no_endpoint_the_sink_writes_the_runs_trace_file() -> None:
    sink = trace.http_reasoning_sink_for_task(
        "wf-1", "document_ingest.extract_fields", source_label="bank"
    )
    assert isinstance(sink, trace.LocalTraceFileSink)
    await sink.begin(model="m")
    for piece in ("Reading ", "the header"):
        await sink.emit_delta(piece)
    await sink.emit_delta("hmm", kind="thinking")
    await sink.finish()
    events = trace.read_trace("wf-1")
    assert [e["event"] for e in events] == ["begin", "delta", "delta", "finish"]
    assert events[1]["text"] == "Reading the header" and events[2]["kind"] == "thinking"
    assert events[0]["source"] == "bank"


async def test_the_context_variable_chooses_the_sink_when_none_is_passed() -> None:
    assert isinstance(trace.resolve_trace_sink(None), trace.NullTraceSink)
    sink = trace.LocalTraceFileSink("wf-2", "x")
    token = trace.current_trace_sink.set(sink)
    try:
        assert trace.resolve_trace_sink(None) is sink
    finally:
        trace.current_trace_sink.reset(token)
    with pytest.raises(TypeError, match="lacks begin/emit_delta/finish"):
        trace.resolve_trace_sink(object())  # type: ignore[arg-type]


async def test_with_an_endpoint_events_are_posted_with_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    received: list[tuple[str, str | None, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.path, self.headers.get("Authorization"), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("NTRO_TRACE_ENDPOINT", f"http://127.0.0.1:{server.server_port}/api")
        monkeypatch.setenv("NTRO_TRACE_TOKEN", "tok-123")
        config.reset()
        sink = trace.http_reasoning_sink_for_task("task/7", "extract")
        assert isinstance(sink, trace.HttpReasoningTraceSink) and "tok-123" not in repr(sink)
        await sink.begin(model="m")
        await sink.emit_delta("abc")
        await sink.finish()
    finally:
        server.shutdown()
        server.server_close()
    assert [r[0] for r in received] == ["/api/tasks/task%2F7/reasoning"] * 2
    assert received[0][1] == "Bearer tok-123"
    assert [e["event"] for r in received for e in r[2]["events"]] == ["begin", "delta", "finish"]


async def test_an_unreachable_endpoint_drops_the_trace_without_failing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sink = trace.HttpReasoningTraceSink("http://127.0.0.1:9", "t", "a", timeout_s=0.5)
    await sink.begin()
    await sink.finish()
    assert sink.dropped == 2
