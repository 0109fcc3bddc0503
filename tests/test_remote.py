"""Games played on a browser somewhere else: a DevTools endpoint (what Browserbase, browserless and
Selenium Grid expose) and a Playwright browser server. Both are real Chromium started here on
127.0.0.1; the plugin must use them instead of launching its own, and must not close them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import descendants, stop_group

from pytest_gameqa.browser.launch import find_system_chromium

pytestmark = pytest.mark.e2e  # every test here starts a browser or a subprocess

REPO = Path(__file__).resolve().parent.parent
HEALTHY = REPO / "examples" / "games" / "healthy-canvas"


def _chromium() -> str:
    path = find_system_chromium()
    if path is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            path = pw.chromium.executable_path if os.path.exists(pw.chromium.executable_path) else None
    if path is None:
        pytest.skip("no Chromium on this machine to serve as the remote browser")
    return path


def _pytest(cwd: Path, *args: str) -> subprocess.Popen[str]:
    (cwd / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--output", str(cwd / "out")),
            *("--game-no-runs", f"--game-url={HEALTHY}", "--game-duration", "3", *args),
        ],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _finish(proc: subprocess.Popen[str]) -> str:
    try:
        return proc.communicate(timeout=240)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _passed(cwd: Path, proc: subprocess.Popen[str], output: str) -> dict[str, Any]:
    assert proc.returncode == 0, output[-3000:]
    (test,) = json.loads((cwd / "out" / "gameqa-results.json").read_text())["tests"]
    assert test["outcome"] == "passed" and test["actions"], test
    return test


@pytest.fixture
def devtools_browser(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    profile = tmp_path / "profile"
    proc = subprocess.Popen(
        [
            *(_chromium(), "--headless", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1"),
            *(f"--user-data-dir={profile}", "--no-sandbox", "--no-first-run"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert port_file.is_file(), "Chromium did not open its DevTools port"
        yield proc, int(port_file.read_text().splitlines()[0])
    finally:
        stop_group(proc)


def _devtools(port: int, what: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/{what}", timeout=5) as response:
        return json.loads(response.read())


def test_game_runs_on_a_browser_behind_a_devtools_endpoint(
    tmp_path: Path, devtools_browser: tuple[subprocess.Popen[bytes], int]
) -> None:
    browser, port = devtools_browser
    proc = _pytest(tmp_path, "--game-cdp-url", f"http://127.0.0.1:{port}")
    seen_game_page = False
    try:
        while proc.poll() is None:  # the game's page must show up in *this* browser
            seen_game_page = seen_game_page or any(
                page.get("url", "").startswith("http://127.0.0.1:") for page in _devtools(port, "list")
            )
            time.sleep(0.3)
    finally:
        output = _finish(proc)
    _passed(tmp_path, proc, output)
    assert seen_game_page, "the game was not played in the remote browser"
    assert browser.poll() is None, "the plugin closed a browser it does not own"
    assert "Browser" in _devtools(port, "version")
    left = [p["url"] for p in _devtools(port, "list") if p.get("url", "").startswith("http://127.0.0.1:")]
    assert not left, f"the game's page was left open in the remote browser: {left}"


def test_game_runs_on_a_playwright_browser_server(tmp_path: Path) -> None:
    config = tmp_path / "server.json"
    config.write_text(
        json.dumps({"executablePath": _chromium(), "headless": True, "args": ["--no-sandbox"], "host": "127.0.0.1"})
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "playwright", "launch-server", "--browser", "chromium", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        endpoint = server.stdout.readline().strip()
        assert endpoint.startswith("ws://127.0.0.1:"), endpoint
        proc = _pytest(tmp_path, "--game-ws-endpoint", endpoint)
        launched_own = False
        try:
            while proc.poll() is None:
                launched_own = launched_own or any("chrom" in cmd for cmd in descendants(proc.pid).values())
                time.sleep(0.3)
        finally:
            output = _finish(proc)
        _passed(tmp_path, proc, output)
        assert not launched_own, "the plugin launched its own Chromium instead of using the server's"
        time.sleep(0.5)
        assert server.poll() is None, "the plugin shut down the browser server it connected to"
    finally:
        stop_group(server)
