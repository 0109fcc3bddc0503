"""How a game team tests its own game: scripted steps, then the autonomous player for the rest.

Run: pytest examples/tests/test_skyhopper.py
"""

import pytest
from pydantic import BaseModel

from pytest_gameqa import GameAgent


class Hud(BaseModel):
    score: int
    lives: int


@pytest.mark.game("../games/healthy-canvas", duration=4)
async def test_title_screen_starts(game_agent: GameAgent) -> None:
    start = await game_agent.observe("find the start or play button")
    assert "Start Game" in start[0].text
    result = await game_agent.act(start[0])  # acts on what observe found: no second lookup
    assert result.ok and result.changed
    await game_agent.press("Space", times=3)
    state = await game_agent.extract("score and lives", schema=Hud)
    assert state.lives > 0
    await game_agent.play(seconds=2)  # the autonomous loop for the rest


# this test is about the ad, not about getting in: 3 s after an ad's round trip may be too short to enter
@pytest.mark.game("../games/healthy-canvas", duration=3, allow=["not-entered"])
async def test_ad_banner_does_not_take_the_player_away(game_agent: GameAgent) -> None:
    banner = [c for c in await game_agent.observe("sponsored ad banner") if "Sponsored" in c.text]
    assert banner, "the example page has an ad banner"
    await game_agent.act(banner[0])  # navigates to an ad host
    await game_agent.play(seconds=2)  # the player notices and goes back to the game
    assert game_agent.page.url.startswith(game_agent.url.rstrip("/"))
    assert any(a.description == "return to the game" for a in game_agent.actions)
