"""A local HTTP server that speaks the Anthropic Messages and OpenAI chat-completions streaming
wire formats, answering from a script, so provider tests need no network."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: an HTTP status, or a stream of text (and thinking) pieces."""

    status: int = 200
    text: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    body: str = ""


@dataclass
class FakeLLM:
    replies: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


def _anthropic_events(reply: Reply) -> Iterator[tuple[str, dict[str, Any]]]:
    yield (
        "message_start",
        {"type": "message_start", "message": {"id": "msg_1", "role": "assistant"}},
    )
    for piece in reply.thinking:
        yield (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "thinking_delta", "thinking": piece},
            },
        )
    for piece in reply.text:
        yield (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "text_delta", "text": piece},
            },
        )
    yield "message_stop", {"type": "message_stop"}


@contextmanager
def fake_llm(*replies: Reply) -> Iterator[FakeLLM]:
    state = FakeLLM(list(replies))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            reply = state.replies.pop(0) if state.replies else Reply(status=500)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.status != 200:
                payload = (
                    reply.body or json.dumps({"error": {"message": f"status {reply.status}"}})
                ).encode()
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            if self.path.endswith("/v1/messages"):
                for event, data in _anthropic_events(reply):
                    self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
            else:
                for piece in reply.thinking:
                    chunk = {"choices": [{"delta": {"reasoning_content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                for piece in reply.text:
                    chunk = {"choices": [{"delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
