"""Start-up cost of a game session: one Chromium per pytest process, launched before the first game asks.

A session of N games must pay Chromium's start-up once (a context per game), and the launch must
already be under way while the first game test's player is imported, not after.
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from helpers import GAMES, descendants

from pytest_gameqa.browser.pool import BrowserPool

pytestmark = pytest.mark.e2e  # every test here starts a browser

#: the Chromium launch on a busy 2-core machine takes a few seconds; this bounds the wait for it
LAUNCH_SEEN_WITHIN_S = 60.0

TWO_GAMES = """
import json
from pathlib import Path

import pytest

GAME = {game!r}


def _note(page, name):
    browser = page.context.browser
    seen = {{
        "browser": id(browser),
        "connected": browser.is_connected(),
        "context": id(page.context),
        "contexts": len(browser.contexts),
    }}
    Path(name).write_text(json.dumps(seen))


@pytest.mark.game(GAME, duration=1, allow=["not-entered"])  # a second is too short to get in
async def test_first(game_page):
    _note(game_page, "first.json")


@pytest.mark.game(GAME, duration=1, allow=["not-entered"])  # a second is too short to get in
async def test_second(game_page):
    _note(game_page, "second.json")
"""


def test_two_game_tests_in_one_session_share_one_browser_with_a_context_each(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_games=TWO_GAMES.format(game=str(GAMES / "healthy-turn-based")))
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--game-no-runs", "--output", "out", timeout=300)
    result.assert_outcomes(passed=2)
    first = json.loads((pytester.path / "first.json").read_text())
    second = json.loads((pytester.path / "second.json").read_text())
    assert first["browser"] == second["browser"]  # not relaunched for the second game
    assert second["connected"]
    assert first["context"] != second["context"]  # each game starts from a fresh profile
    assert second["contexts"] == 1  # the first game's context was closed, not left running beside it


def _chromium_children() -> list[int]:
    """Chromium processes below this one (the Playwright driver's children), by their program's name."""
    found = descendants(os.getpid()).items()
    return [pid for pid, cmd in found if os.path.basename(cmd.split(" ")[0]).startswith(("chrom", "headless_shell"))]


@pytest.mark.asyncio
async def test_prelaunch_starts_chromium_before_any_game_asks_and_get_returns_that_browser() -> None:
    pool = BrowserPool({})
    try:
        assert not _chromium_children()
        pool.prelaunch()
        pool.prelaunch()  # a second call starts nothing more
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LAUNCH_SEEN_WITHIN_S
        while not _chromium_children() and loop.time() < deadline:
            await asyncio.sleep(0.1)
        assert _chromium_children(), "prelaunch() did not start Chromium"
        browser = await pool.get()
        assert browser.is_connected()
        assert await pool.get() is browser
    finally:
        await pool.close()
    await asyncio.sleep(1.0)  # the driver closed it as Playwright stopped; its helpers exit within this
    assert not _chromium_children()


@pytest.mark.asyncio
async def test_a_session_that_ends_while_the_browser_is_still_launching_leaves_no_chromium() -> None:
    pool = BrowserPool({})
    pool.prelaunch()
    await asyncio.sleep(0)  # the launch is under way, nobody asked for the browser
    await pool.close()
    await asyncio.sleep(1.0)  # a killed browser's helpers exit within this
    assert not _chromium_children()
