"""Browser grids: games played on a real `playwright run-server`, local builds included.

The server runs on 127.0.0.1, and (where this machine lets a test create network namespaces) inside a
namespace of its own that cannot reach this machine's 127.0.0.1: there a local build folder loads only
because the plugin exposes the client's loopback to the server (`expose_network`).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import CATALOG, GAMES, descendants, kinds, run_pytest, stop_group

from pytest_gameqa.browser.launch import find_system_chromium

pytestmark = pytest.mark.e2e

#: what the remote server launches: this machine's Chromium (the server is started with --unsafe)
CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {{**browser_type_launch_args, "executable_path": {chromium!r}}}
"""
CONNECT_CONFTEST = """
import json
import pytest

@pytest.fixture(scope="session")
def connect_options():
    launch = {{"executablePath": {chromium!r}}}
    return {{"ws_endpoint": {endpoint!r}, "headers": {{"x-playwright-launch-options": json.dumps(launch)}}}}
"""


def _chromium() -> str:
    path = find_system_chromium()
    if path is None:
        pytest.skip("no system Chromium for the Playwright server to launch")
    return path


def _start_server(prefix: list[str], host: str) -> tuple[subprocess.Popen[str], str]:
    """`playwright run-server --unsafe` on a free port; returns it and its ws:// endpoint."""
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "playwright", "run-server", "--host", host, "--port", "0", "--unsafe"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("Listening on ws://"):
        stop_group(proc)
        pytest.fail(f"playwright run-server did not start: {line!r}")
    return proc, line.removeprefix("Listening on ")


@pytest.fixture
def run_server() -> Iterator[str]:
    proc, endpoint = _start_server([], "127.0.0.1")
    try:
        yield endpoint
    finally:
        stop_group(proc)


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)


@pytest.fixture
def namespaced_server() -> Iterator[str]:
    """A run-server in a network namespace of its own, reachable from here over a veth pair only."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("creating a network namespace needs root and iproute2")
    tag = f"gqa{os.getpid() % 100000}"
    subnet = f"10.{200 + os.getpid() % 50}.{os.getpid() % 250}"
    host_if, ns_if = f"{tag}h", f"{tag}n"
    if _ip("netns", "add", tag).returncode != 0:
        pytest.skip("this machine does not allow network namespaces")
    server: subprocess.Popen[str] | None = None
    try:
        for args in (
            ("link", "add", host_if, "type", "veth", "peer", "name", ns_if),
            ("link", "set", ns_if, "netns", tag),
            ("addr", "add", f"{subnet}.1/30", "dev", host_if),
            ("link", "set", host_if, "up"),
            ("netns", "exec", tag, "ip", "addr", "add", f"{subnet}.2/30", "dev", ns_if),
            ("netns", "exec", tag, "ip", "link", "set", ns_if, "up"),
            ("netns", "exec", tag, "ip", "link", "set", "lo", "up"),
        ):
            done = _ip(*args)
            assert done.returncode == 0, f"ip {' '.join(args)}: {done.stderr}"
        server, endpoint = _start_server(["ip", "netns", "exec", tag], "0.0.0.0")
        yield endpoint.replace("0.0.0.0", f"{subnet}.2")
    finally:
        if server is not None:
            stop_group(server)
        _ip("link", "del", host_if)
        _ip("netns", "del", tag)


def _write_conftest(tmp_path: Path, text: str) -> None:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "conftest.py").write_text(text)


def test_local_build_plays_on_a_playwright_server_without_a_local_browser(tmp_path: Path, run_server: str) -> None:
    _write_conftest(tmp_path, CONFTEST.format(chromium=_chromium()))
    proc, results = run_pytest(
        ["--game-url", str(GAMES / "healthy-canvas"), "--game-duration", "4", "--game-ws-endpoint", run_server],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert results is not None
    (test,) = results["tests"]
    assert test["outcome"] == "passed" and test["reach"]["entered"], test
    assert "exposed to the Playwright server" in proc.stdout  # says so, in one line


def test_connect_options_fixture_is_honoured(tmp_path: Path, run_server: str) -> None:
    """pytest-playwright's own way to name a grid: a `connect_options` fixture (no gameqa option at all)."""
    _write_conftest(tmp_path, CONNECT_CONFTEST.format(chromium=_chromium(), endpoint=run_server))
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--output", str(tmp_path / "out")),
            *("--game-url", str(GAMES / "broken-page-error"), "--game-duration", "5", "--game-no-runs"),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")},
    )
    launched_own = False
    while proc.poll() is None:
        launched_own = launched_own or any("chrom" in cmd for cmd in descendants(proc.pid).values())
        try:
            proc.wait(0.3)
        except subprocess.TimeoutExpired:
            pass
    output = proc.communicate()[0]
    results = json.loads((tmp_path / "out" / "gameqa-results.json").read_text())
    (test,) = results["tests"]
    assert kinds(test) == {"page-error"}, output[-3000:]
    assert not launched_own, "the plugin launched its own Chromium instead of the server's"


def _load(endpoint: str, url: str, expose: str | None) -> str:
    """What a page on the server's browser shows for `url`: its title, or the navigation error."""

    async def go() -> str:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            headers = {"x-playwright-launch-options": json.dumps({"executablePath": _chromium()})}
            kwargs: dict[str, Any] = {"headers": headers, "timeout": 30_000}
            if expose:
                kwargs["expose_network"] = expose
            browser = await pw.chromium.connect(endpoint, **kwargs)
            try:
                page = await browser.new_page()
                try:
                    await page.goto(url, timeout=10_000)
                except Exception as error:
                    return "error: " + str(error).splitlines()[0]
                return await page.title()
            finally:
                await browser.close()

    return asyncio.run(go())


def test_local_builds_through_a_server_that_cannot_reach_this_machine(tmp_path: Path, namespaced_server: str) -> None:
    """Issue 13's grid proof: local build folders under `-n 2`, the same verdicts as a local browser."""
    import http.server
    import threading

    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(GAMES / "healthy-canvas"))  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
        assert _load(namespaced_server, url, None).startswith("error:"), "the namespace reaches 127.0.0.1 by itself"
        assert not _load(namespaced_server, url, "<loopback>").startswith("error:")
    finally:
        httpd.shutdown()

    # a passing and a failing build, one per xdist worker: each worker's browser on the server loads its
    # local build through the exposed loopback, and the verdicts merge as with a local browser (which
    # verdict each kind of defect gets is the example matrix's: the grid changes where the browser runs)
    games = ["healthy-canvas", "broken-page-error"]
    _write_conftest(tmp_path, CONFTEST.format(chromium=_chromium()))
    args = ["-n", "2", "--game-duration", "8", "--game-ws-endpoint", namespaced_server]
    for name in games:
        args += ["--game-url", str(GAMES / name)]
    proc, results = run_pytest(args, tmp_path, timeout=300)
    assert results is not None, proc.stdout[-3000:]
    by_game = {Path(test["url"]).name: test for test in results["tests"]}  # one merged file for all workers
    assert sorted(by_game) == sorted(games)
    for name in games:
        assert kinds(by_game[name]) == set(CATALOG[name]["expected"]), (name, by_game[name]["issues"])
        assert by_game[name]["reach"]["entered"], name
    assert proc.returncode == 1  # the broken games fail, exactly as with a local browser


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--game-ws-endpoint", "localhost:3000"], "is not a ws/wss URL"),
        (["--game-cdp-url", "ftp://x"], "is not a http/https/ws/wss URL"),
        (["--game-cdp-url", "http://h:9222", "--game-ws-endpoint", "ws://h:3000/"], "not both"),
        (["--device", "Pixel 77"], "unknown device 'Pixel 77'; did you mean"),
        (["--game-shard", "0/2"], "--game-shard must be I/N"),
    ],
)
def test_bad_grid_device_or_shard_options_are_one_line(tmp_path: Path, args: list[str], expected: str) -> None:
    proc, _ = run_pytest(["--game-url", str(GAMES / "healthy-canvas"), *args], tmp_path, timeout=60)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], lines
    assert "Traceback" not in proc.stdout + proc.stderr


def test_unreachable_server_fails_every_game_at_once_with_one_line(tmp_path: Path) -> None:
    games = [str(GAMES / name) for name in ("healthy-canvas", "healthy-webgl", "healthy-turn-based")]
    args = ["--game-ws-endpoint", "ws://127.0.0.1:9/", *(a for g in games for a in ("--game-url", g))]
    proc, results = run_pytest(args, tmp_path, timeout=120)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert results is not None and [t["outcome"] for t in results["tests"]] == ["error"] * 3
    assert proc.stdout.count("cannot reach the Playwright server at ws://127.0.0.1:9/") >= 3
    assert "Traceback" not in proc.stdout
