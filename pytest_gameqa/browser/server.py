"""Serves a local game build over HTTP on 127.0.0.1 the way a web host would.

Browsers refuse most of what a web game build does when it is opened from ``file://`` (``fetch`` of the
``.wasm``/``.data`` files, WebAssembly streaming, cross-origin isolation), so a build folder given to
``--game-url`` is served over HTTP instead. A plain ``python -m http.server`` is not enough either: Unity
and Godot loaders check MIME types and ``Content-Encoding`` of their pre-compressed files, and Godot 4
threaded exports only start when the page is cross-origin isolated. Only the standard library is used so
that serving a folder adds no dependency.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import socketserver
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import NamedTuple, cast
from urllib.parse import quote

from .http_rules import (
    ALLOWED_METHODS,
    ALWAYS_HEADERS,
    ENCODINGS,
    Target,
    acceptance,
    content_type,
    parse_target,
)

__all__ = ["LocalGameServer"]

_log = logging.getLogger(__name__)

_HOST = "127.0.0.1"
#: Idle keep-alive connections are dropped after this long so their threads do not linger.
_IDLE_TIMEOUT_S = 30.0
#: How often the accept loop checks for ``shutdown()``; low so that stopping a server is quick.
_POLL_INTERVAL_S = 0.05
_COPY_CHUNK = 1 << 20


class _Plan(NamedTuple):
    """What to send for a request, decided before any byte is written."""

    status: HTTPStatus
    path: Path | None = None
    content_type: str = ""
    encoding: str | None = None
    vary: bool = False
    location: str | None = None


_NOT_FOUND = _Plan(HTTPStatus.NOT_FOUND)


class _GameHTTPServer(ThreadingHTTPServer):
    """Threaded because Chromium opens several connections at once and keeps them alive."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        self.root = root
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._closing = False
        super().__init__((_HOST, 0), _GameRequestHandler)

    def server_bind(self) -> None:
        """Skips `HTTPServer.server_bind`, whose `getfqdn()` can stall for seconds on a reverse DNS lookup."""
        socketserver.TCPServer.server_bind(self)
        host, port = cast("tuple[str, int]", self.server_address[:2])
        self.server_name = host
        self.server_port = port

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser dropping a connection mid-file is routine (navigation, test end): no traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        _log.warning("gameqa: local server error while answering %s", client_address, exc_info=True)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            if not self._closing:
                self._connections.add(connection)
                return
        _shutdown_socket(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Ends keep-alive connections so their handler threads exit now rather than at the idle timeout."""
        with self._connections_lock:
            self._closing = True
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            _shutdown_socket(connection)

    def resolve_inside(self, *segments: str) -> Path | None:
        """Resolves symlinks first, so a link pointing out of the build folder is refused like `..`."""
        try:
            resolved = self.root.joinpath(*segments).resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        return resolved if resolved.is_relative_to(self.root) else None


def _shutdown_socket(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _GameRequestHandler(BaseHTTPRequestHandler):
    server_version = "pytest-gameqa"
    # HTTP/1.1 for keep-alive: games with hundreds of small assets load much faster over reused connections.
    protocol_version = "HTTP/1.1"
    timeout = _IDLE_TIMEOUT_S

    @property
    def _game_server(self) -> _GameHTTPServer:
        return cast(_GameHTTPServer, self.server)

    def setup(self) -> None:
        super().setup()
        self._game_server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._game_server.untrack(self.connection)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: one line per asset would bury pytest's own output."""

    def end_headers(self) -> None:
        for name, value in ALWAYS_HEADERS:
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _refuse_method(self) -> None:
        """405 with `Allow` rather than the base class's bare 501, so a client can tell why."""
        # A request body we will not read would be parsed as the next request: close instead.
        self.close_connection = True
        self._send_status(HTTPStatus.METHOD_NOT_ALLOWED, ("Allow", ALLOWED_METHODS), ("Connection", "close"))

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def _answer(self, send_body: bool) -> None:
        plan = self._plan()
        if plan.status == HTTPStatus.OK and plan.path is not None:
            self._send_file(plan, send_body)
        elif plan.location is not None:
            self._send_status(plan.status, ("Location", plan.location), send_body=send_body)
        else:
            self._send_status(plan.status, send_body=send_body)

    def _plan(self) -> _Plan:
        """Looks at the file system only; any error here means 404, never a half-written response."""
        target = parse_target(self.path)
        if target is None:
            return _NOT_FOUND
        try:
            return self._plan_for(target)
        except (OSError, RuntimeError, ValueError):
            return _NOT_FOUND

    def _plan_for(self, target: Target) -> _Plan:
        server = self._game_server
        segments = target.segments
        found = server.resolve_inside(*segments)
        if found is None:
            return _NOT_FOUND
        if found.is_dir():
            if not target.trailing_slash and segments:
                # Built from the checked segments, never echoed, so `//evil.example` cannot become a redirect.
                location = "/" + "/".join(quote(s, safe="") for s in segments) + "/"
                if target.query and target.query.isascii() and target.query.isprintable():
                    location += "?" + target.query  # game options (?seed=3) must survive the redirect
                return _Plan(HTTPStatus.MOVED_PERMANENTLY, location=location)
            index = server.resolve_inside(*segments, "index.html")
            if index is None or not index.is_file():
                return _NOT_FOUND  # no directory listings: they would only hide a missing index.html
            return _Plan(HTTPStatus.OK, index, content_type("index.html"))
        name = segments[-1] if segments else ""
        if found.is_file():
            suffix = PurePosixPath(name).suffix.lower()
            encoding = ENCODINGS.get(suffix)
            inner = name[: -len(suffix)] if encoding else name
            return _Plan(HTTPStatus.OK, found, content_type(inner), encoding)
        if not name:
            return _NOT_FOUND
        accept_encoding = self.headers.get("Accept-Encoding")
        for suffix, encoding in ENCODINGS.items():
            accepted = acceptance(accept_encoding, encoding)
            # Brotli only when announced, since only browsers decode it. gzip unless refused outright:
            # when the build holds nothing but `X.gz`, sending it beats a 404 for any real client.
            if accepted is False or (encoding == "br" and accepted is None):
                continue
            compressed = server.resolve_inside(*segments[:-1], name + suffix)
            if compressed is not None and compressed.is_file():
                return _Plan(HTTPStatus.OK, compressed, content_type(name), encoding, vary=True)
        return _NOT_FOUND

    def _send_file(self, plan: _Plan, send_body: bool) -> None:
        assert plan.path is not None
        try:
            file = plan.path.open("rb")
        except PermissionError:
            self._send_status(HTTPStatus.FORBIDDEN, send_body=send_body)
            return
        except OSError:
            self._send_status(HTTPStatus.NOT_FOUND, send_body=send_body)
            return
        with file:
            # Size from the open file, so a build being rewritten cannot make Content-Length lie.
            size = os.fstat(file.fileno()).st_size
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", plan.content_type)
            self.send_header("Content-Length", str(size))
            if plan.encoding is not None:
                self.send_header("Content-Encoding", plan.encoding)
            if plan.vary:
                self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            if send_body:
                shutil.copyfileobj(file, self.wfile, _COPY_CHUNK)

    def _send_status(self, status: HTTPStatus, *headers: tuple[str, str], send_body: bool = True) -> None:
        """A short plain-text body with a Content-Length, so the keep-alive connection stays usable."""
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class LocalGameServer:
    """Serves one folder on 127.0.0.1 on a free port from a background thread.

    Port 0 lets the OS pick, so parallel workers (pytest-xdist) and several builds never collide.
    `start()` and `stop()` are idempotent so fixtures can call them without tracking state.
    """

    def __init__(self, root: Path) -> None:
        root = Path(root)
        if not root.is_dir():
            raise NotADirectoryError(f"gameqa: cannot serve {root}: not a folder")
        #: Resolved once, so the "inside the root" check compares like with like.
        self.root = root.resolve()
        self._httpd: _GameHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        state = self._base_url() or "stopped"
        return f"LocalGameServer({str(self.root)!r}, {state})"

    @property
    def base_url(self) -> str:
        """Raises rather than guessing a port, since a URL for a server that is not running is useless."""
        url = self._base_url()
        if url is None:
            raise RuntimeError("gameqa: LocalGameServer is not running; call start() first")
        return url

    def _base_url(self) -> str | None:
        httpd = self._httpd
        if httpd is None:
            return None
        return f"http://{_HOST}:{httpd.server_port}/"

    def start(self) -> str:
        with self._lock:
            if self._httpd is None:
                httpd = _GameHTTPServer(self.root)
                thread = threading.Thread(
                    target=httpd.serve_forever,
                    kwargs={"poll_interval": _POLL_INTERVAL_S},
                    name=f"gameqa-server-{httpd.server_port}",
                    daemon=True,  # never keep the pytest process alive
                )
                thread.start()
                self._httpd, self._thread = httpd, thread
        return self.base_url

    def url_for(self, path: Path) -> str:
        """URL of a file or folder inside the root; folders end in `/` so relative asset URLs resolve.

        A relative `path` is taken relative to the root; if nothing exists there but it does relative to
        the working directory (as a path typed on the command line would), that file is meant.
        """
        base = self.base_url
        path = Path(path)
        if path.is_absolute():
            local = path.resolve()
        else:
            local = (self.root / path).resolve()
            from_cwd = path.resolve()
            if not local.exists() and from_cwd.exists() and from_cwd.is_relative_to(self.root):
                local = from_cwd
        if not local.is_relative_to(self.root):
            raise ValueError(f"gameqa: {path} is outside the served folder {self.root}")
        parts = local.relative_to(self.root).parts
        url = base + "/".join(quote(part, safe="") for part in parts)
        if parts and local.is_dir():
            url += "/"
        return url

    def stop(self) -> None:
        with self._lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> LocalGameServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
