"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions protocol, scripted per
model name, that records every request it receives.

Tests reach it through litellm's ``openai/`` provider with ``api_base=server.api_base``. Each
model name (as the client sends it: ``openai/fast`` arrives as ``fast``) has a queue of
behaviours, consumed one per request: reply with text, answer with an error status (optionally
with ``Retry-After``), stall past the client's timeout, or send a body that is not JSON. A
request for a model with nothing left in its queue gets a 400 that says so, which a test sees as
a rejected request rather than a hang.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_PATH = "/v1/chat/completions"
_HIDDEN_HEADERS = frozenset({"authorization", "api-key", "x-api-key"})


@dataclass(frozen=True)
class Reply:
    """A normal completion whose message content is ``text``. Usage defaults to whitespace-
    separated word counts of the prompt and the reply; give exact numbers to check costs, or
    ``usage=False`` to leave it out as some local servers do."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str = "stop"
    usage: bool = True


@dataclass(frozen=True)
class Status:
    """An error answer: ``code`` with an OpenAI-style error body, and ``Retry-After`` (seconds)
    when ``retry_after`` is given."""

    code: int
    retry_after: float | None = None
    message: str = "scripted error"


@dataclass(frozen=True)
class Stall:
    """Wait ``seconds`` before replying ``text`` (set it past the client's timeout)."""

    seconds: float
    text: str = "too late"


@dataclass(frozen=True)
class Garbage:
    """A 200 answer whose body is not JSON."""

    body: str = "<html><body>502 upstream exploded</body></html>"


Behaviour = Reply | Status | Stall | Garbage


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received: authorization headers are left out (``authorized`` says whether
    the expected key was sent)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    authorized: bool
    received_at: float  # time.monotonic() on arrival

    @property
    def model(self) -> str | None:
        return None if self.body is None else self.body.get("model")

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [] if self.body is None else list(self.body.get("messages", []))


@dataclass
class OpenAIServer:
    """The server's state, shared with its handler threads."""

    api_key: str
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[RecordedRequest] = field(default_factory=list)
    _scripts: dict[str, deque[Behaviour]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closing: threading.Event = field(default_factory=threading.Event)

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def script(self, model: str, *behaviours: Behaviour) -> None:
        """Queue ``behaviours`` for requests naming ``model`` (appends to what is queued)."""
        with self._lock:
            self._scripts.setdefault(model, deque()).extend(behaviours)

    def requests_for(self, model: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.model == model]

    def remaining(self, model: str) -> int:
        with self._lock:
            return len(self._scripts.get(model, ()))

    def _record_and_pop(self, request: RecordedRequest) -> Behaviour | None:
        with self._lock:
            self.requests.append(request)
            queue = self._scripts.get(request.model or "")
            return queue.popleft() if queue else None


def _completion(model: str, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    prompt_words = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    prompt = reply.prompt_tokens if reply.prompt_tokens is not None else prompt_words
    completion = (
        reply.completion_tokens if reply.completion_tokens is not None else len(reply.text.split())
    )
    payload: dict[str, Any] = {
        "id": f"chatcmpl-test-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }
    if not reply.usage:
        del payload["usage"]
    return payload


def _handler_for(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests assert on ``server.requests`` instead."""

        def do_GET(self) -> None:
            self._record(None)
            self._send_json(404, {"error": {"message": "only POST /v1/chat/completions"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                body = None
            behaviour = self._record(body if isinstance(body, dict) else None)
            if self.path != CHAT_PATH or not isinstance(body, dict):
                self._send_json(404, {"error": {"message": f"unknown path {self.path}"}})
            elif not self._authorized():
                self._send_json(401, {"error": {"message": "bad api key", "type": "auth"}})
            elif behaviour is None:
                message = f"no scripted behaviour left for model {body.get('model')!r}"
                self._send_json(400, {"error": {"message": message, "type": "unscripted"}})
            else:
                self._behave(behaviour, body)

        def _authorized(self) -> bool:
            return self.headers.get("Authorization") == f"Bearer {server.api_key}"

        def _record(self, body: dict[str, Any] | None) -> Behaviour | None:
            headers = {
                k.lower(): v for k, v in self.headers.items() if k.lower() not in _HIDDEN_HEADERS
            }
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers=headers,
                body=body,
                authorized=self._authorized(),
                received_at=time.monotonic(),
            )
            return server._record_and_pop(request)

        def _behave(self, behaviour: Behaviour, body: dict[str, Any]) -> None:
            model = str(body.get("model"))
            match behaviour:
                case Reply():
                    self._send_json(200, _completion(model, body, behaviour))
                case Status(code=code, retry_after=retry_after, message=message):
                    extra = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
                    self._send_json(code, {"error": {"message": message, "code": code}}, extra)
                case Stall(seconds=seconds, text=text):
                    if server._closing.wait(seconds):
                        return
                    self._send_json(200, _completion(model, body, Reply(text)))
                case Garbage(body=garbage):
                    self._send(200, garbage.encode(), "text/html")

        def _send_json(
            self, code: int, payload: dict[str, Any], extra: dict[str, str] | None = None
        ) -> None:
            self._send(code, json.dumps(payload).encode(), "application/json", extra)

        def _send(
            self, code: int, data: bytes, content_type: str, extra: dict[str, str] | None = None
        ) -> None:
            try:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timed out) before the answer

    return Handler


@contextmanager
def serve_openai(api_key: str = "sk-test-key") -> Iterator[OpenAIServer]:
    """Run a server on an ephemeral loopback port for the duration of the block."""
    state = OpenAIServer(api_key=api_key)
    httpd = ThreadingHTTPServer((state.host, 0), _handler_for(state))
    httpd.daemon_threads = True
    httpd.block_on_close = False
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, name="openai-test-server", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state._closing.set()  # ends any Stall still waiting
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
