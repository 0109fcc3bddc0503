"""The watchdog must end when told to, even if a cancellation gets lost (Python 3.11's wait_for)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from helpers import GAMES

from pytest_gameqa.agent.agent import GameAgent
from pytest_gameqa.browser.pool import BrowserPool
from pytest_gameqa.plugin.targets import LocalServers, parse_target
from pytest_gameqa.settings import GameSettings

pytestmark = pytest.mark.e2e  # every test here starts a browser or a subprocess


@pytest.mark.asyncio
async def test_watchdog_stops_on_its_flag_without_being_cancelled(tmp_path: Path) -> None:
    servers = LocalServers()
    pool = BrowserPool({})
    try:
        url = servers.url_for(parse_target(str(GAMES / "healthy-turn-based")))
        agent = GameAgent(settings=GameSettings(url=url), browser=await pool.get(), url=url, artifacts_dir=tmp_path)
        await agent.start()
        watch = agent._watch
        assert watch is not None and not watch.done()  # watching the loaded game
        agent.monitor.stop_watching()  # no cancel(): as if Python had swallowed it
        await asyncio.wait_for(asyncio.shield(watch), 5)
        assert watch.done() and not watch.cancelled()
        await asyncio.wait_for(agent.stop(), 20)
        assert not agent.issues
    finally:
        await pool.close()
        servers.stop_all()
