"""A small OpenAI-compatible chat server on 127.0.0.1 for the model tests.

The plugin talks to it through litellm's real HTTP path (`--game-api-base http://127.0.0.1:PORT/v1`),
so retries, timeouts, JSON handling and cost accounting are exercised exactly as with a hosted API.
Replies are scripted per scenario (the API base `http://127.0.0.1:PORT/s/<scenario>/v1`, so several
game tests can share one pytest run) and per purpose (decide, observe, act, extract, judge: read from
the first line of the system prompt). Every request is logged so tests can assert what the model was
shown. A slow reply waits while watching its connection: `open_requests` counts the requests not yet
answered or abandoned, `disconnected` the ones whose client hung up first (a cancelled call); GET /stats
returns both, for a test running inside the pytest run under test.
"""

from __future__ import annotations

import base64
import json
import re
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PURPOSE = re.compile(r"^#\s*gameqa\s+(\w+)", re.M)
SCENARIO = re.compile(r"^/s/([\w-]+)/")


@dataclass
class Reply:
    """One scripted answer: a JSON body as the message content, or an HTTP error, optionally late."""

    content: str | dict[str, Any] | None = None
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int = 1200
    completion_tokens: int = 60

    @property
    def text(self) -> str:
        if isinstance(self.content, dict):
            return json.dumps(self.content)
        return self.content or ""


@dataclass
class Request:
    path: str
    authorization: str
    body: dict[str, Any]

    @property
    def scenario(self) -> str:
        match = SCENARIO.match(self.path)
        return match.group(1) if match else ""

    @property
    def purpose(self) -> str:
        match = PURPOSE.search(self.system)
        return match.group(1) if match else "unknown"

    @property
    def system(self) -> str:
        return next((_text(m) for m in self.body.get("messages", []) if m.get("role") == "system"), "")

    @property
    def user_text(self) -> str:
        return "\n".join(_text(m) for m in self.body.get("messages", []) if m.get("role") == "user")

    @property
    def images(self) -> list[bytes]:
        """Decoded image bytes of every data: URL image in the request."""
        found = []
        for message in self.body.get("messages", []):
            content = message.get("content")
            if not isinstance(content, list):
                continue
            for part in content:
                if part.get("type") == "image_url":
                    url = part["image_url"]["url"] if isinstance(part["image_url"], dict) else part["image_url"]
                    header, _, data = url.partition(",")
                    assert header.startswith("data:image/") and ";base64" in header, header
                    found.append(base64.b64decode(data))
        return found


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if p.get("type") == "text")
    return ""


Step = Reply | Callable[[Request], Reply]


class FakeLLMServer:
    """`with FakeLLMServer() as server:`, `server.script("name", decide=[...])`, `server.api_base("name")`."""

    def __init__(self) -> None:
        self.scripts: dict[tuple[str, str], list[Step]] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.open_requests = 0
        self.disconnected = 0
        self._server: ThreadingHTTPServer | None = None

    def script(self, scenario: str, **purposes: list[Step]) -> str:
        """Queue replies for one scenario; returns its API base. Unscripted requests get DEFAULTS."""
        with self.lock:
            for purpose, steps in purposes.items():
                self.scripts.setdefault((scenario, purpose), []).extend(steps)
        return self.api_base(scenario)

    def api_base(self, scenario: str = "default") -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/s/{scenario}/v1"

    def calls(self, scenario: str | None = None, purpose: str | None = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (scenario is None or r.scenario == scenario) and (purpose is None or r.purpose == purpose)
            ]

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {"open": self.open_requests, "disconnected": self.disconnected, "requests": len(self.requests)}

    def stats_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/stats"

    def _next(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            queue = self.scripts.get((request.scenario, request.purpose))
            step = queue.pop(0) if queue else None
        if step is None:
            return Reply(DEFAULTS.get(request.purpose, {}))
        return step(request) if callable(step) else step

    def __enter__(self) -> FakeLLMServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                data = json.dumps(owner.stats()).encode()
                self.send_response(200 if self.path == "/stats" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                with owner.lock:
                    owner.open_requests += 1
                try:
                    self._answer()
                finally:
                    with owner.lock:
                        owner.open_requests -= 1

            def _hung_up_within(self, seconds: float) -> bool:
                """Wait `seconds`; True as soon as the client closes the connection (it gave up)."""
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    readable, _, _ = select.select(
                        [self.connection], [], [], max(0.0, min(0.05, deadline - time.monotonic()))
                    )
                    if not readable:
                        continue
                    try:
                        if self.connection.recv(1, socket.MSG_PEEK) == b"":
                            return True
                    except OSError:
                        return True
                    time.sleep(0.05)  # data, not a hang-up: keep waiting
                return False

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                request = Request(self.path, self.headers.get("Authorization", ""), body)
                reply = owner._next(request)
                if reply.delay and self._hung_up_within(reply.delay):
                    with owner.lock:
                        owner.disconnected += 1
                    self.close_connection = True
                    return
                if reply.status != 200:
                    payload = {"error": {"message": f"scripted {reply.status}", "type": "fake", "code": reply.status}}
                else:
                    payload = {
                        "id": f"chatcmpl-fake-{len(owner.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fake"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply.text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": reply.prompt_tokens,
                            "completion_tokens": reply.completion_tokens,
                            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                        },
                    }
                data = json.dumps(payload).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): that is the point of a slow reply

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


#: What an unscripted request gets: a harmless, valid answer for each purpose.
DEFAULTS: dict[str, dict[str, Any]] = {
    "decide": {"thought": "waiting", "action": "wait", "ms": 300},
    "observe": {"candidates": [], "reason": "nothing matches"},
    "judge": {
        "summary": "the game loaded and played normally",
        "loaded": 5,
        "controls_responsive": 5,
        "stable": 5,
        "findings": [],
    },
}


@dataclass
class Run:
    """A pytest session of model-driven games against this server, and its results (test modules share one)."""

    server: FakeLLMServer
    root: Path
    proc: Any
    results: dict[str, Any]

    def test(self, name: str) -> dict[str, Any]:
        return next(t for t in self.results["tests"] if t["nodeid"].endswith("::" + name))
