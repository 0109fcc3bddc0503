"""Bad input gets one clear line that names the fix: no traceback, no hang, and no browser left."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import GAMES, run_pytest

pytestmark = pytest.mark.e2e  # every test here starts a browser or a subprocess


def _assert_one_clean_line(output: str, *needles: str) -> None:
    assert "Traceback" not in output, output[-2000:]
    assert "INTERNALERROR" not in output, output[-2000:]
    lines = [line for line in output.splitlines() if line.startswith("ERROR: gameqa")]
    assert len(lines) == 1, output[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "env", "needles"),
    [
        (["--game-url", "http://exa mple.com/"], {}, ["not a valid URL"]),
        (["--game-url", "htp:/broken"], {}, ["not a valid URL or path"]),
        (["--game-url", "./no/such/build"], {}, ["no such file or folder"]),
        (["--game-url", "{game}", "--game-duration", "abc"], {}, ["--game-duration", "'abc'"]),
        (["--game-url", "{game}", "--game-duration", "-5"], {}, ["--game-duration", "'-5'"]),
        (["--game-url", "{game}"], {"GAMEQA_DURATION": "soon"}, ["GAMEQA_DURATION", "'soon'"]),
        (["--game-url", "{game}", "--game-max-actions", "0"], {}, ["--game-max-actions", "whole number"]),
        (["--game-url", "{game}", "--game-screenshot-scale", "2"], {}, ["--game-screenshot-scale", "from 0.1 to 1"]),
        (["--game-url", "{game}", "--game-ignore", "([unclosed"], {}, ["--game-ignore", "regular expression"]),
        (["--game-url", "{game}", "--game-model", "gpt 4"], {}, ["--game-model", "litellm model name"]),
    ],
)
def test_bad_option_values_fail_fast_with_one_line(
    args: list[str], env: dict[str, str], needles: list[str], tmp_path: Path
) -> None:
    args = [a.replace("{game}", str(GAMES / "healthy-canvas")) for a in args]
    proc, results = run_pytest(args, tmp_path, env=env, timeout=60)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    _assert_one_clean_line(proc.stdout + proc.stderr, *needles)
    assert results is None  # stopped before any game ran


def test_bad_ini_value_names_the_ini_file(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\ngameqa_duration = forever\n")
    # `--game-url=PATH`: with a separate PATH argument pytest looks for the ini file beside the game
    proc, _ = run_pytest([f"--game-url={GAMES / 'healthy-canvas'}"], tmp_path, timeout=60)
    assert proc.returncode == 4
    _assert_one_clean_line(proc.stdout + proc.stderr, "gameqa_duration in pytest.ini", "'forever'")


def test_bad_marker_value_fails_that_test_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "test_game.py").write_text(
        "import pytest\n\n"
        f"@pytest.mark.game({str(GAMES / 'healthy-canvas')!r}, duration='fast')\n"
        "async def test_it(game_agent):\n    pass\n"
    )
    proc, _ = run_pytest(["test_game.py"], tmp_path, timeout=60)
    assert proc.returncode == 1
    out = proc.stdout
    assert "@pytest.mark.game(duration=...)" in out and "'fast'" in out, out[-2000:]
    assert "Traceback" not in out


def test_missing_browser_names_the_install_command(tmp_path: Path) -> None:
    proc, _ = run_pytest(
        ["--game-url", str(GAMES / "healthy-canvas")],
        tmp_path,
        env={"GAMEQA_CHROMIUM": "/nonexistent/chromium"},
        timeout=60,
    )
    assert proc.returncode == 4
    _assert_one_clean_line(proc.stdout + proc.stderr, "playwright install chromium")


HITS: dict[str, int] = {}


@pytest.fixture
def status_server() -> Iterator[str]:
    """A real HTTP server whose paths choose the status: /status/404, /status/500."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            HITS[self.path] = HITS.get(self.path, 0) + 1
            code = int(self.path.rsplit("/", 1)[-1]) if self.path.startswith("/status/") else 200
            body = f"<h1>{code}</h1>".encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_and_broken_pages_fail_as_load_failures(tmp_path: Path, status_server: str) -> None:
    urls = [
        f"{status_server}/status/404",
        f"{status_server}/status/500",
        f"http://127.0.0.1:{_closed_port()}/game/",
        "http://no-such-host.invalid/game/",
    ]
    args = [a for u in urls for a in ("--game-url", u)] + ["--game-duration", "30"]
    proc, results = run_pytest(args, tmp_path, timeout=120)
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "Traceback" not in proc.stdout
    assert results is not None
    by_url = {t["url"]: t for t in results["tests"]}
    assert set(by_url) == set(urls)
    messages = {}
    for url, test in by_url.items():
        assert test["outcome"] == "failed"
        (issue,) = [i for i in test["issues"] if i["kind"] != "warning"]
        assert issue["kind"] == "load-failure" and issue["fatal"]
        assert test["actions"] == []  # a game that never loaded is not played for 30 s
        assert test["duration_s"] < 25
        messages[url] = issue["message"]
    assert HITS["/status/500"] == 3  # a server error is retried (3 attempts, with backoff)
    assert HITS["/status/404"] == 1  # a 404 will not fix itself
    assert "HTTP 404" in messages[urls[0]]
    assert "HTTP 500" in messages[urls[1]]
    assert "connection refused" in messages[urls[2]]
    assert "host not found" in messages[urls[3]]


def test_ignore_regex_from_command_line_and_ini(tmp_path: Path) -> None:
    game = GAMES / "broken-console-error"
    proc, results = run_pytest(
        ["--game-url", str(game), "--game-duration", "3", "--game-ignore", "checksum"], tmp_path / "cli"
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert results is not None and not [i for i in results["tests"][0]["issues"] if i["kind"] != "warning"]

    (tmp_path / "ini").mkdir()
    (tmp_path / "ini" / "pytest.ini").write_text("[pytest]\ngameqa_ignore =\n    unrelated\n    level \\d+: checksum\n")
    proc, results = run_pytest(["--game-url", str(game), "--game-duration", "3"], tmp_path / "ini")
    assert proc.returncode == 0, proc.stdout[-2000:]

    proc, results = run_pytest(
        ["--game-url", str(game), "--game-duration", "3", "--game-ignore", "nomatch"], tmp_path / "miss"
    )
    assert proc.returncode == 1  # a regex that matches nothing drops nothing
