"""Cancellation: nothing the agent started outlives the game test that started it.

A model call slower than the hard time limit (`--game-timeout`) is abandoned at the limit: after the
test ends no task of the agent is left running on the session loop and no request is in flight at the
(fake) model server, which saw the client hang up. The task scope itself is unit-tested in
test_units_tasks.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fake_llm_server import FakeLLMServer, Reply
from helpers import GAMES, run_pytest

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
        "agent_tasks": [repr(t) for t in agent.tasks.pending()],
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
