"""pytest-playwright's context options reach game tests: `browser_context_args` overrides, `--device`, `device=`.

pytest-playwright's own `browser_context_args` needs its sync Playwright, which cannot run beside the
async game tests; the plugin's replacement must give the same options, and a device's screen must
survive the player's screenshots (a clipped DevTools capture used to reset devicePixelRatio to 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import GAMES, run_pytest

pytestmark = pytest.mark.e2e

CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE"}
"""
TESTS = """
import json
import pytest

GAME = {game!r}


async def _screen(agent):
    return await agent.page.evaluate(
        "[navigator.language, screen.width, innerWidth, devicePixelRatio, navigator.maxTouchPoints > 0]"
    )


@pytest.mark.game(GAME, duration=3, device="Pixel 7")
async def test_marker_device(game_agent):
    await game_agent.play(3)
    print("SCREEN", json.dumps(["marker", game_agent.touch, *(await _screen(game_agent))]))


@pytest.mark.game(GAME, duration=3)
async def test_no_marker(game_agent):
    await game_agent.play(2)
    print("SCREEN", json.dumps(["plain", game_agent.touch, *(await _screen(game_agent))]))
"""


def _screens(stdout: str) -> dict[str, list[object]]:
    rows = [json.loads(line.split("SCREEN ", 1)[1]) for line in stdout.splitlines() if "SCREEN " in line]
    return {row[0]: row[1:] for row in rows}


def test_context_args_and_devices_reach_the_game(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_screens.py").write_text(TESTS.format(game=str(GAMES / "healthy-canvas")))
    proc, _ = run_pytest(["-s", "test_screens.py"], tmp_path)
    # a pass means the player got in: on the phone this desktop page (no <meta name=viewport>) is shown
    # zoomed out, 980 CSS pixels wide on a 412 px screen, and the player must aim in the page's pixels
    assert proc.returncode == 0, proc.stdout[-3000:]
    screens = _screens(proc.stdout)
    # the user's browser_context_args override stacks on the plugin's base; the marker's device applies,
    # and after seconds of play (screenshot pairs, thumbnails) the page still has the phone's pixel ratio
    touch, language, screen_width, _, ratio, touch_points = screens["marker"]
    assert (touch, language, screen_width, ratio, touch_points) == (True, "de-DE", 412, 2.625, True), screens
    touch, language, _, inner_width, ratio, touch_points = screens["plain"]
    assert (touch, language, inner_width, ratio, touch_points) == (False, "de-DE", 1280, 1, False), screens

    proc, _ = run_pytest(["-s", "test_screens.py", "-k", "no_marker", "--device", "iPhone 13"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    touch, language, screen_width, _, ratio, touch_points = _screens(proc.stdout)["plain"]
    assert (touch, language, screen_width, ratio, touch_points) == (True, "de-DE", 390, 3, True)
