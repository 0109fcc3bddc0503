"""Cancellation: nothing the agent started outlives the game test that started it.

A model call slower than the hard time limit (`--game-timeout`) is abandoned at the limit: after the
test ends no task of the agent is left running on the session loop and no request is in flight at the
(fake) model server, which saw the client hang up. The unit tests drive `GameAgent._race` directly.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fake_llm_server import FakeLLMServer, Reply
from helpers import GAMES, run_pytest

from pytest_gameqa.agent.agent import GameAgent

MODEL_DELAY_S = 60.0
HARD_LIMIT_S = 10

INNER_TEST = """
import asyncio
import json
import urllib.request
from pathlib import Path

import pytest

AGENTS = []
PACKAGES = ("pytest_gameqa", "litellm", "openai", "httpx", "httpcore", "aiohttp")


@pytest.mark.game({game!r}, model="openai/fake", api_base={api!r}, ai_verdict="off", model_timeout=120,
                  model_retries=0, cache="off", ocr="off", duration=60, timeout={limit})
async def test_slow_model(game_agent):
    AGENTS.append(game_agent)
    await game_agent.play()


def _origin(task):
    coro = task.get_coro()
    code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
    return getattr(code, "co_filename", "") if code is not None else repr(coro)


@pytest.mark.asyncio(loop_scope="session")
async def test_nothing_left_behind():
    await asyncio.sleep(0.2)
    (agent,) = AGENTS
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    # the browser pool's loop-stall watch lives for the whole session, by design
    ours = [repr(t) for t in left if any(p in _origin(t) for p in PACKAGES) and "stall.py" not in _origin(t)]
    stats = json.load(urllib.request.urlopen({stats!r}, timeout=5))
    Path({out!r}).write_text(json.dumps({{
        "agent_tasks": [repr(t) for t in agent._tasks if not t.done()],
        "tasks": ours,
        "stats": stats,
    }}))
"""


@pytest.mark.e2e
def test_a_model_call_slower_than_the_time_limit_is_cancelled_and_closed(tmp_path: Path) -> None:
    with FakeLLMServer() as server:
        api = server.script(
            "slow", decide=[Reply({"thought": "late", "action": "wait", "ms": 100}, delay=MODEL_DELAY_S)]
        )
        out = tmp_path / "left.json"
        test = tmp_path / "test_slow.py"
        test.write_text(
            INNER_TEST.format(
                game=str(GAMES / "healthy-canvas"), api=api, limit=HARD_LIMIT_S, stats=server.stats_url(), out=str(out)
            )
        )
        started = time.monotonic()
        proc, results = run_pytest([str(test), "-p", "no:randomly"], tmp_path, env={"OPENAI_API_KEY": "sk-fake"})
        elapsed = time.monotonic() - started
        assert results is not None, proc.stdout + proc.stderr
        assert server.calls("slow", "decide"), "the model was never asked: nothing was in flight"
    (game,) = results["tests"]
    assert game["outcome"] == "failed" and "timeout" in {i["kind"] for i in game["issues"]}, game["issues"]
    assert "1 failed, 1 passed" in proc.stdout, proc.stdout[-3000:]
    left = json.loads(out.read_text())
    assert left["agent_tasks"] == [], left
    assert left["tasks"] == [], left
    assert left["stats"]["open"] == 0, left  # no request in flight once the test ended
    assert left["stats"]["disconnected"] >= 1, left  # the cancelled call closed its connection
    assert elapsed < MODEL_DELAY_S, f"the run waited for the slow model ({elapsed:.0f} s)"


# ------------------------------------------------------------------------------------------ _race, unit
def _bare_agent() -> Any:
    """Just what `_race` needs: the monitor's fatal event and the task bookkeeping."""
    agent = object.__new__(GameAgent)
    agent.monitor = SimpleNamespace(fatal=asyncio.Event())
    agent._tasks = set()
    return agent


def test_race_cancels_and_awaits_its_work_when_its_caller_is_cancelled() -> None:
    async def scenario() -> list[str]:
        agent = _bare_agent()
        events: list[str] = []

        async def model_call() -> None:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                await asyncio.sleep(0.05)  # closing the connection takes a moment
                events.append("work cancelled and cleaned up")
                raise

        caller = asyncio.ensure_future(agent._race(model_call()))
        await asyncio.sleep(0.05)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        events.append(f"tasks left: {len([t for t in agent._tasks if not t.done()])}")
        return events

    assert asyncio.run(scenario()) == ["work cancelled and cleaned up", "tasks left: 0"]


def test_race_returns_none_and_cancels_the_work_when_the_game_dies() -> None:
    async def scenario() -> tuple[Any, bool, int]:
        agent = _bare_agent()
        work = asyncio.ensure_future(asyncio.sleep(60))
        asyncio.get_running_loop().call_later(0.05, agent.monitor.fatal.set)
        result = await agent._race(work)
        return result, work.cancelled(), len(agent._tasks)

    assert asyncio.run(scenario()) == (None, True, 0)


def test_cancel_tasks_cancels_every_tracked_task_and_waits_no_longer_than_its_bound() -> None:
    async def scenario() -> tuple[bool, int, float]:
        agent = _bare_agent()

        async def slow_to_stop() -> None:
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                await asyncio.sleep(1.0)  # ignores the cancellation for a while

        polite = agent._track(asyncio.sleep(60))
        agent._track(slow_to_stop())
        await asyncio.sleep(0.01)  # both are running
        started = time.monotonic()
        await agent._cancel_tasks(timeout=0.3)
        took = time.monotonic() - started
        return polite.cancelled(), len([t for t in agent._tasks if not t.done()]), took

    polite_cancelled, left, took = asyncio.run(scenario())
    assert polite_cancelled and left == 1 and 0.25 < took < 0.9
