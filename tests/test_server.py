"""Tests for the local build server, over real HTTP on 127.0.0.1 (no mocks).

Raw request paths go through `http.client` (or a bare socket) because `urllib` would normalise the very
traversal attempts these tests are about.
"""

from __future__ import annotations

import gzip
import http.client
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pytest_gameqa.browser.server import LocalGameServer

SECRET = b"TOP-SECRET-do-not-serve-1234"

#: A real WebAssembly module exporting `answer() -> 42`, so the browser test proves it actually ran.
WASM_ANSWER = bytes.fromhex(
    "0061736d01000000"  # magic + version
    "0105016000017f"  # type section: () -> i32
    "03020100"  # function section: one function of type 0
    "070a0106616e737765720000"  # export section: "answer" = func 0
    "0a06010400412a0b"  # code section: i32.const 42; end
)


def brotli_stored(data: bytes) -> bytes:
    """A valid Brotli stream holding `data` uncompressed, since the stdlib has no Brotli encoder."""
    assert 0 < len(data) <= 1 << 16
    header = (len(data) - 1) << 4 | 1 << 20  # WBITS=16, not last, 4 nibbles of MLEN-1, uncompressed
    return header.to_bytes(3, "little") + data + b"\x03"  # then an empty last meta-block


Response = tuple[int, http.client.HTTPMessage, bytes]


def port_of(server: LocalGameServer) -> int:
    port = urlsplit(server.base_url).port
    assert port is not None
    return port


def fetch(server: LocalGameServer, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """Sends `path` exactly as given; `http.client` does not decode or normalise it."""
    conn = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def raw_request(server: LocalGameServer, request_line: bytes) -> bytes:
    """For bytes `http.client` refuses to send at all, such as a NUL in the path."""
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=10) as sock:
        sock.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A Unity/Godot-shaped build folder, with a secret next to it that must never be served."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    root = tmp_path / "site"
    (root / "Build").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>game</title>", encoding="utf-8")
    (root / "Build" / "game.wasm").write_bytes(WASM_ANSWER)
    (root / "Build" / "game.data").write_bytes(b"\x00\x01data")
    (root / "Build" / "game.pck").write_bytes(b"GDPC")
    (root / "Build" / "game.unityweb").write_bytes(b"UnityWeb")
    (root / "Build" / "game.bin").write_bytes(b"\xff\xfe")
    (root / "Build" / "game.js").write_text("console.log(1)", encoding="utf-8")
    (root / "Build" / "module.mjs").write_text("export {}", encoding="utf-8")
    (root / "settings.json").write_text('{"level": 1}', encoding="utf-8")
    (root / "style.css").write_text("body{}", encoding="utf-8")
    (root / "notes.txt").write_text("hi", encoding="utf-8")
    (root / "sprite.png").write_bytes(b"\x89PNG")
    (root / "music.ogg").write_bytes(b"OggS")
    (root / "model.glb").write_bytes(b"glTF")
    (root / "blob.zzz-unknown").write_bytes(b"?")
    (root / "level2").mkdir()
    (root / "level2" / "index.html").write_text("<p>level 2</p>", encoding="utf-8")
    (root / "empty").mkdir()
    (root / "empty" / "listed-file.txt").write_text("x", encoding="utf-8")
    return root


@pytest.fixture
def server(site: Path) -> Iterator[LocalGameServer]:
    game_server = LocalGameServer(site)
    game_server.start()
    yield game_server
    game_server.stop()


def test_start_returns_a_loopback_base_url_and_is_idempotent(server: LocalGameServer) -> None:
    url = server.start()
    assert url == server.base_url == server.start()
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.path) == ("http", "127.0.0.1", "/")
    assert parts.port and parts.port > 0


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/Build/game.wasm", "application/wasm"),
        ("/Build/game.data", "application/octet-stream"),
        ("/Build/game.pck", "application/octet-stream"),
        ("/Build/game.unityweb", "application/octet-stream"),
        ("/Build/game.bin", "application/octet-stream"),
        ("/Build/game.js", "text/javascript"),
        ("/Build/module.mjs", "text/javascript"),
        ("/settings.json", "application/json"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/style.css", "text/css"),
        ("/notes.txt", "text/plain"),
        ("/sprite.png", "image/png"),
        ("/music.ogg", "audio/ogg"),
        ("/model.glb", "model/gltf-binary"),
        ("/blob.zzz-unknown", "application/octet-stream"),
    ],
)
def test_content_types(server: LocalGameServer, site: Path, path: str, content_type: str) -> None:
    status, headers, body = fetch(server, path)
    assert status == 200
    if ";" in content_type:
        assert headers["Content-Type"] == content_type
    else:
        assert headers["Content-Type"].split(";")[0] == content_type
    assert body == (site / path.lstrip("/")).read_bytes()
    assert headers["Content-Length"] == str(len(body))
    assert headers["Content-Encoding"] is None


def test_explicit_br_file_is_sent_with_br_encoding_and_the_inner_type(server: LocalGameServer, site: Path) -> None:
    payload = b"not really brotli, only the headers matter here"
    (site / "Build" / "game.wasm.br").write_bytes(payload)
    status, headers, body = fetch(server, "/Build/game.wasm.br")
    assert status == 200
    assert headers["Content-Encoding"] == "br"
    assert headers["Content-Type"] == "application/wasm"
    assert body == payload  # http.client does not decode: the bytes are passed through untouched


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("game.data.gz", "application/octet-stream"), ("game.framework.js.gz", "text/javascript")],
)
def test_explicit_gz_file_is_sent_with_gzip_encoding_and_the_inner_type(
    server: LocalGameServer, site: Path, name: str, content_type: str
) -> None:
    original = b"level data " * 1000
    (site / "Build" / name).write_bytes(gzip.compress(original))
    status, headers, body = fetch(server, f"/Build/{name}")
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].split(";")[0] == content_type
    assert gzip.decompress(body) == original


def test_missing_file_falls_back_to_its_gz(server: LocalGameServer, site: Path) -> None:
    original = WASM_ANSWER * 10
    (site / "Build" / "packed.wasm.gz").write_bytes(gzip.compress(original))
    # {} makes http.client send "Accept-Encoding: identity": gzip is still the only copy there is.
    for accept in ({"Accept-Encoding": "gzip, deflate"}, {}):
        status, headers, body = fetch(server, "/Build/packed.wasm", headers=accept)
        assert status == 200, accept
        assert headers["Content-Encoding"] == "gzip"
        assert headers["Content-Type"] == "application/wasm"
        assert headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(body) == original
    status, _, _ = fetch(server, "/Build/packed.wasm", headers={"Accept-Encoding": "gzip;q=0"})
    assert status == 404


def test_missing_file_falls_back_to_its_br_only_when_the_client_accepts_br(server: LocalGameServer, site: Path) -> None:
    (site / "Build" / "only.data.br").write_bytes(b"br-bytes")
    status, headers, body = fetch(server, "/Build/only.data", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert (status, headers["Content-Encoding"], body) == (200, "br", b"br-bytes")
    assert headers["Content-Type"] == "application/octet-stream"
    assert fetch(server, "/Build/only.data", headers={"Accept-Encoding": "gzip"})[0] == 404
    assert fetch(server, "/Build/only.data")[0] == 404  # http.client sends "identity"
    assert fetch(server, "/Build/only.data", headers={"Accept-Encoding": "gzip, br;q=0"})[0] == 404


def test_br_is_preferred_over_gz_when_both_exist(server: LocalGameServer, site: Path) -> None:
    (site / "Build" / "both.js.br").write_bytes(b"br")
    (site / "Build" / "both.js.gz").write_bytes(gzip.compress(b"gz"))
    assert fetch(server, "/Build/both.js", headers={"Accept-Encoding": "gzip, br"})[1]["Content-Encoding"] == "br"
    assert fetch(server, "/Build/both.js", headers={"Accept-Encoding": "gzip"})[1]["Content-Encoding"] == "gzip"


def test_an_existing_uncompressed_file_wins_over_its_compressed_sibling(server: LocalGameServer, site: Path) -> None:
    (site / "Build" / "game.wasm.gz").write_bytes(gzip.compress(b"stale"))
    status, headers, body = fetch(server, "/Build/game.wasm", headers={"Accept-Encoding": "gzip, br"})
    assert (status, headers["Content-Encoding"], body) == (200, None, WASM_ANSWER)


def test_head_sends_the_headers_without_a_body(server: LocalGameServer) -> None:
    status, headers, body = fetch(server, "/Build/game.wasm", method="HEAD")
    assert status == 200
    assert headers["Content-Type"] == "application/wasm"
    assert headers["Content-Length"] == str(len(WASM_ANSWER))
    assert body == b""


def test_folders_serve_their_index_html(server: LocalGameServer, site: Path) -> None:
    status, headers, body = fetch(server, "/")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert body == (site / "index.html").read_bytes()
    status, _, body = fetch(server, "/level2/?seed=3")
    assert (status, body) == (200, b"<p>level 2</p>")


def test_folder_without_index_is_404_and_never_listed(server: LocalGameServer) -> None:
    status, _, body = fetch(server, "/empty/")
    assert status == 404
    assert b"listed-file" not in body


def test_folder_without_trailing_slash_redirects(server: LocalGameServer) -> None:
    status, headers, _ = fetch(server, "/level2")
    assert (status, headers["Location"]) == (301, "/level2/")
    status, headers, _ = fetch(server, "/level2?seed=3")
    assert (status, headers["Location"]) == (301, "/level2/?seed=3")


def test_redirect_cannot_point_to_another_host(server: LocalGameServer, site: Path) -> None:
    (site / "evil.example").mkdir()
    status, headers, _ = fetch(server, "//evil.example")
    assert status == 301
    assert headers["Location"] == "/evil.example/"


def test_missing_file_is_404(server: LocalGameServer) -> None:
    assert fetch(server, "/nope.wasm")[0] == 404
    assert fetch(server, "/Build/nope.wasm.gz")[0] == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/Build/game.wasm"), ("GET", "/missing"), ("GET", "/level2"), ("POST", "/"), ("HEAD", "/")],
)
def test_isolation_and_cache_headers_on_every_response(server: LocalGameServer, method: str, path: str) -> None:
    _, headers, _ = fetch(server, path, method=method)
    assert headers["Cache-Control"] == "no-store"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cross-Origin-Embedder-Policy"] == "credentialless"
    assert headers["Cross-Origin-Resource-Policy"] == "cross-origin"


TRAVERSALS = [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/Build/../../secret.txt",
    "/Build/%2e%2e/%2e%2e/secret.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/..%5csecret.txt",
    "/%2fsecret.txt",
    "/secret.txt%00.html",
    "/./../secret.txt",
    "/.../secret.txt",
    "/C:/secret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_never_serves_files_outside_the_root(server: LocalGameServer, path: str) -> None:
    status, _, body = fetch(server, path)
    assert status in (400, 403, 404)
    assert SECRET not in body


def test_absolute_paths_are_not_served(server: LocalGameServer, site: Path) -> None:
    secret = (site.parent / "secret.txt").resolve().as_posix()
    for path in ("/" + secret, "/" + secret.replace("/", "%2f"), "//" + secret.lstrip("/")):
        status, _, body = fetch(server, path)
        assert status in (400, 403, 404), path
        assert SECRET not in body


def test_raw_nul_byte_in_path_is_refused(server: LocalGameServer) -> None:
    reply = raw_request(server, b"GET /../secret.txt\x00 HTTP/1.1")
    assert reply.startswith(b"HTTP/1.1 4")
    assert SECRET not in reply


def test_symlinks_leading_outside_the_root_are_refused(server: LocalGameServer, site: Path) -> None:
    outside = site.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    try:
        (site / "link.txt").symlink_to(site.parent / "secret.txt")
        (site / "linkdir").symlink_to(outside, target_is_directory=True)
    except OSError as error:  # e.g. Windows without the symlink privilege
        pytest.skip(f"cannot create symlinks: {error}")
    for path in ("/link.txt", "/linkdir/secret.txt", "/linkdir/", "/linkdir"):
        status, _, body = fetch(server, path)
        assert status in (403, 404), path
        assert SECRET not in body


def test_symlinks_inside_the_root_still_work(server: LocalGameServer, site: Path) -> None:
    try:
        (site / "alias.wasm").symlink_to(site / "Build" / "game.wasm")
    except OSError as error:
        pytest.skip(f"cannot create symlinks: {error}")
    status, headers, body = fetch(server, "/alias.wasm")
    assert (status, headers["Content-Type"], body) == (200, "application/wasm", WASM_ANSWER)


def test_unsupported_methods_are_refused_without_a_traceback(
    server: LocalGameServer, capfd: pytest.CaptureFixture[str]
) -> None:
    status, headers, _ = fetch(server, "/index.html", method="POST")
    assert (status, headers["Allow"]) == (405, "GET, HEAD")
    assert fetch(server, "/index.html", method="PUT")[0] == 405
    assert fetch(server, "/index.html", method="BREW")[0] in (405, 501)
    assert fetch(server, "/", method="GET")[0] == 200  # still serving
    assert capfd.readouterr().err == ""


def test_keep_alive_connection_serves_several_requests(server: LocalGameServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=10)
    try:
        for path, expected in (
            ("/index.html", 200),
            ("/missing", 404),
            ("/level2", 301),
            ("/settings.json", 200),
        ):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status == expected, path
    finally:
        conn.close()


def _handler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def _wait_for_handlers_to_exit(before: set[threading.Thread]) -> None:
    """Only threads started since `before`, so another module's lingering server cannot interfere."""
    deadline = time.monotonic() + 10
    while set(_handler_threads()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(_handler_threads()) - before


def test_client_disconnect_mid_download_is_silent(
    server: LocalGameServer, site: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    (site / "big.data").write_bytes(b"\0" * (32 << 20))
    caplog.set_level(logging.DEBUG)
    before = set(_handler_threads())
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=10) as sock:
        sock.sendall(b"GET /big.data HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
    _wait_for_handlers_to_exit(before)
    assert fetch(server, "/settings.json")[0] == 200
    assert capfd.readouterr().err == ""
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_url_for(server: LocalGameServer, site: Path) -> None:
    base = server.base_url
    assert server.url_for(site) == base
    assert server.url_for(site / "index.html") == base + "index.html"
    assert server.url_for(site / "level2") == base + "level2/"
    assert server.url_for(Path("Build/game.wasm")) == base + "Build/game.wasm"
    (site / "my level.html").write_text("x", encoding="utf-8")
    url = server.url_for(site / "my level.html")
    assert url == base + "my%20level.html"
    assert fetch(server, urlsplit(url).path)[0] == 200
    with pytest.raises(ValueError):
        server.url_for(site.parent / "secret.txt")
    with pytest.raises(ValueError):
        server.url_for(Path("../secret.txt"))


def test_url_for_accepts_paths_relative_to_the_working_directory(
    server: LocalGameServer, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site.parent)
    assert server.url_for(Path("site/level2/index.html")) == server.base_url + "level2/index.html"


def test_stop_releases_the_port_and_is_idempotent(site: Path) -> None:
    game_server = LocalGameServer(site)
    game_server.start()
    port = port_of(game_server)
    assert fetch(game_server, "/")[0] == 200
    game_server.stop()
    game_server.stop()
    assert not [t for t in threading.enumerate() if t.name == f"gameqa-server-{port}"]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with socket.socket() as sock:  # the port can be bound again
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    with pytest.raises(RuntimeError):
        _ = game_server.base_url


def test_stop_closes_idle_keep_alive_connections(site: Path) -> None:
    before = set(_handler_threads())
    game_server = LocalGameServer(site)
    game_server.start()
    conn = http.client.HTTPConnection("127.0.0.1", port_of(game_server), timeout=10)
    conn.request("GET", "/")
    conn.getresponse().read()
    game_server.stop()
    _wait_for_handlers_to_exit(before)
    conn.close()


def test_two_servers_get_different_ports(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text("other", encoding="utf-8")
    with LocalGameServer(site) as first, LocalGameServer(other) as second:
        assert port_of(first) != port_of(second)
        assert fetch(second, "/")[2] == b"other"
        assert fetch(first, "/")[2] != b"other"


def test_root_must_be_a_folder(site: Path) -> None:
    with pytest.raises(NotADirectoryError):
        LocalGameServer(site / "index.html")


def test_url_for_before_start_is_an_error(site: Path) -> None:
    with pytest.raises(RuntimeError):
        LocalGameServer(site).url_for(site / "index.html")


BROWSER_PAGE = """<!doctype html>
<meta charset="utf-8"><title>wasm smoke</title>
<script>
  window.results = (async () => {
    const settings = await (await fetch("settings.json")).json();
    const level = await (await fetch("Build/level.json.br")).json();
    const direct = await WebAssembly.instantiateStreaming(fetch("Build/packed.wasm.gz"));
    const fallback = await WebAssembly.instantiateStreaming(fetch("Build/packed.wasm"));
    return {
      settings, level,
      direct: direct.instance.exports.answer(),
      fallback: fallback.instance.exports.answer(),
    };
  })();
</script>
"""


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_game_page_runs_cross_origin_isolated_in_chromium(site: Path) -> None:
    async_api = pytest.importorskip("playwright.async_api")
    (site / "index.html").write_text(BROWSER_PAGE, encoding="utf-8")
    (site / "Build" / "packed.wasm.gz").write_bytes(gzip.compress(WASM_ANSWER))
    (site / "Build" / "level.json.br").write_bytes(brotli_stored(b'{"boss": "slime"}'))
    chromium = Path("/usr/bin/chromium")
    launch_options = {"executable_path": str(chromium)} if chromium.exists() else {}
    with LocalGameServer(site) as game_server:
        async with async_api.async_playwright() as playwright:
            try:
                browser = await playwright.chromium.launch(headless=True, **launch_options)
            except async_api.Error as error:
                pytest.skip(f"Chromium is not available: {error}")
            try:
                page = await browser.new_page()
                response = await page.goto(game_server.url_for(site))
                assert response is not None and response.ok
                assert await page.evaluate("crossOriginIsolated") is True
                assert await page.evaluate("typeof SharedArrayBuffer") == "function"
                results = await page.evaluate("window.results")
                assert results == {
                    "settings": {"level": 1},
                    "level": {"boss": "slime"},
                    "direct": 42,
                    "fallback": 42,
                }
            finally:
                await browser.close()
