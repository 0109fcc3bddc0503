"""Loop cost: one key press after another through the harness, each with its before/after screenshots.

Run by benchmarks/run.py (not part of the test suite) next to benchmarks/plain.py's `loop`, which does
the same press and the same two screenshots by hand, so the difference is what the harness adds.
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from pytest_gameqa import GameAgent

URL = os.environ.get("GAMEQA_BENCH_URL", "")
SECONDS = float(os.environ.get("GAMEQA_BENCH_SECONDS", "10"))


@pytest.mark.skipif(not URL, reason="run by benchmarks/run.py")
@pytest.mark.game(URL or "about:blank", max_actions=100000, max_pairs=100000)
async def test_press_loop(game_agent: GameAgent) -> None:
    await asyncio.sleep(1.0)  # let the game settle, as the plain script does after loading
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        await game_agent.press("ArrowRight")
