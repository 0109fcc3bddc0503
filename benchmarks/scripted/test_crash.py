"""Crash detection latency: the test crashes the game's renderer through DevTools and notes the moment.

Run by benchmarks/run.py (not part of the test suite): GAMEQA_BENCH_URL names the game page and
GAMEQA_BENCH_MARK the file that receives the Unix time at which `Page.crash` was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

import pytest

from pytest_gameqa import GameAgent

URL = os.environ.get("GAMEQA_BENCH_URL", "")
MARK = os.environ.get("GAMEQA_BENCH_MARK", "")


@pytest.mark.skipif(not (URL and MARK), reason="run by benchmarks/run.py")
@pytest.mark.game(URL or "about:blank")
async def test_renderer_crash(game_agent: GameAgent) -> None:
    await game_agent.play(1.5)
    cdp = game_agent.session.cdp
    assert cdp is not None
    Path(MARK).write_text(repr(time.time()))
    crash = asyncio.ensure_future(cdp.send("Page.crash"))  # never answers: the page is gone
    with contextlib.suppress(Exception):
        await asyncio.wait_for(game_agent.monitor.fatal.wait(), 10)
    crash.cancel()
    with contextlib.suppress(BaseException):
        await crash
