"""Raw Playwright through `game_page`: here it crashes the renderer the way a GPU driver bug would."""

import asyncio
import contextlib

import pytest


@pytest.mark.game("../games/healthy-canvas", duration=20)
async def test_renderer_crash_is_reported(game_agent, game_page):
    await game_agent.act("click the start button")
    cdp = await game_page.context.new_cdp_session(game_page)
    with contextlib.suppress(Exception):  # the crashed renderer never answers
        await asyncio.wait_for(cdp.send("Page.crash"), 2)
    await game_page.close()  # the dead tab goes away too, as in a real browser: still one crash, not two
    await game_agent.play()  # returns at once: a crash is fatal
