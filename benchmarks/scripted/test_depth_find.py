"""One depth run for benchmarks/depth.py: the built-in player plays a game as a smoke test would, and the
run ends at the first page error (the defect that needs progress), so a found run costs only its time.

Not part of the test suite: it is skipped unless benchmarks/depth.py sets GAMEQA_DEPTH_URL.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from pytest_gameqa import GameAgent

URL = os.environ.get("GAMEQA_DEPTH_URL", "")
#: how often the run looks for the defect while the player plays (the player's pace is its own)
POLL_S = 0.2
#: how long a cancelled play gets to finish its current step
CANCEL_WAIT_S = 15.0


@pytest.mark.skipif(not URL, reason="run by benchmarks/depth.py")
@pytest.mark.game(URL or "about:blank")
async def test_depth_find(game_agent: GameAgent) -> None:
    play = asyncio.ensure_future(game_agent.play())
    while not play.done():
        await asyncio.wait({play}, timeout=POLL_S)
        if any(i.kind.value == "page-error" for i in game_agent.issues):
            play.cancel()
            await asyncio.wait({play}, timeout=CANCEL_WAIT_S)
            break
