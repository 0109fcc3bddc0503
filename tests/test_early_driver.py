"""Playwright's driver spawned as pytest starts (browser/early.py): adopted by the pool, or killed.

The adoption reaches into Playwright's internals, so what matters is that a game gets a working browser
either way, and that no driver or Chromium outlives the session.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from helpers import descendants

from pytest_gameqa.browser import early
from pytest_gameqa.browser.pool import BrowserPool


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["pytest", "--game-url", "examples/games/healthy-canvas"], True),
        (["pytest", "--game-url=./build/"], True),
        (["pytest", "tests/"], False),  # no --game-url: maybe no game test at all, no driver on spec
        (["pytest", "--game-url", "x", "-n", "2"], False),  # the xdist controller runs no game
        (["pytest", "--game-url", "x", "-nauto"], False),
        (["pytest", "--game-url", "x", "--game-ws-endpoint", "ws://grid:3000/"], False),  # a remote browser
        (["pytest", "--game-url", "x", "--collect-only"], False),
    ],
)
def test_the_driver_is_spawned_early_only_for_a_run_that_will_launch_a_local_browser(
    argv: list[str], wanted: bool
) -> None:
    assert early.wanted(argv) is wanted


def _drivers() -> list[int]:
    return [pid for pid, cmd in descendants(os.getpid()).items() if "run-driver" in cmd]


def _chromium() -> list[int]:
    found = descendants(os.getpid()).items()
    return [pid for pid, cmd in found if os.path.basename(cmd.split(" ")[0]).startswith(("chrom", "headless_shell"))]


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_the_pool_adopts_the_early_driver_and_nothing_outlives_it() -> None:
    early.spawn(["pytest", "--game-url", "x"])
    assert early._early is not None
    spawned = early._early[0]
    pool = BrowserPool({})
    try:
        browser = await pool.get()
        assert early._early is None  # adopted, not left for unconfigure to kill
        assert _drivers() == [spawned.pid]  # no second driver was started beside it
        page = await browser.new_page()
        assert await page.evaluate("1 + 1") == 2
        await page.context.close()
    finally:
        await pool.close()
    await asyncio.sleep(1.0)  # a closed browser's helpers exit within this
    assert spawned.poll() is not None
    assert not _chromium()


@pytest.mark.e2e
@pytest.mark.asyncio
async def test_an_early_driver_whose_environment_changed_is_killed_and_playwright_starts_as_usual(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    early.spawn(["pytest", "--game-url", "x"])
    assert early._early is not None
    spawned = early._early[0]
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", "/changed/since/the/spawn")
    playwright = await early.start_playwright()
    try:
        assert spawned.wait(timeout=10) is not None  # the stale driver is gone
        assert early._early is None
        assert _drivers() and spawned.pid not in _drivers()  # Playwright started its own
    finally:
        await playwright.stop()


@pytest.mark.e2e
def test_an_unused_early_driver_is_killed() -> None:
    early.spawn(["pytest", "--game-url", "x"])
    assert early._early is not None
    spawned = early._early[0]
    early.discard()
    assert spawned.wait(timeout=10) is not None
    assert early._early is None
    early.discard()  # twice is harmless
