"""The player: per-game test files, reproducible seeds, and before/after evidence for every action."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import GAMES, REPO, run_pytest

pytestmark = pytest.mark.e2e  # every test here starts a browser or a subprocess

PAIR_NAME = re.compile(r"^\d{2,3}-(before|after)-[a-z0-9-]+\.(jpg|png)$")


def test_per_game_test_files_in_examples(tmp_path: Path) -> None:
    proc, results = run_pytest([str(REPO / "examples" / "tests"), "-n", "2"], tmp_path, timeout=240)
    assert results is not None, proc.stdout[-3000:]
    by_name = {t["nodeid"].split("::")[-1]: t for t in results["tests"]}
    assert by_name["test_title_screen_starts"]["outcome"] == "passed"
    assert by_name["test_ad_banner_does_not_take_the_player_away"]["outcome"] == "passed"
    smoke = by_name["test_tic_tac_toe_smoke"]
    assert smoke["outcome"] == "passed" and smoke["actions"], "a `pass` body still runs the smoke loop"
    iframe = by_name["test_iframe_game_defect_is_found"]
    assert iframe["outcome"] == "failed"
    assert any("gate reached: iframe" in i["message"] for i in iframe["issues"])
    crash = by_name["test_renderer_crash_is_reported"]
    assert crash["outcome"] == "failed"
    assert [i["kind"] for i in crash["issues"] if i["kind"] != "warning"] == ["crash"]
    assert crash["duration_s"] < 15, "a crash ends the run at once instead of playing out duration=20"
    assert proc.returncode == 1
    assert "2 failed, 3 passed" in proc.stdout


SEEDS = """
import pytest

GAME = {game!r}

@pytest.mark.game(GAME, seed=7, max_actions=14, duration=14)
async def test_first(game_agent):
    pass

@pytest.mark.game(GAME, seed=7, max_actions=14, duration=14)
async def test_again(game_agent):
    pass

@pytest.mark.game(GAME, seed=8, max_actions=14, duration=14)
async def test_other(game_agent):
    pass
"""


def test_same_seed_same_actions_other_seed_other_actions(tmp_path: Path) -> None:
    """Three games in one session (a session's start-up paid once): the browser and the session they
    share must not leak into the player's choices."""
    (tmp_path / "test_seeds.py").write_text(SEEDS.format(game=str(GAMES / "healthy-turn-based")))
    proc, results = run_pytest(["test_seeds.py"], tmp_path, timeout=240)
    assert results is not None, proc.stdout[-2000:]
    actions = {t["nodeid"].split("::")[-1]: [a["description"] for a in t["actions"]] for t in results["tests"]}
    first, second, other = actions["test_first"], actions["test_again"], actions["test_other"]
    for sequence in (first, second, other):
        assert len(sequence) >= 8, sequence  # a slow machine may fit fewer than 14 into 14 s
    common = min(len(first), len(second))
    assert first[:common] == second[:common]
    common = min(len(first), len(other))
    assert first[:common] != other[:common]


def test_every_action_leaves_a_named_before_after_pair(tmp_path: Path) -> None:
    proc, results = run_pytest(
        ["--game-url", str(GAMES / "healthy-canvas"), "--game-duration", "4", "--game-screenshot-format", "png"],
        tmp_path,
    )
    assert results is not None and proc.returncode == 0, proc.stdout[-2000:]
    (test,) = results["tests"]
    out = tmp_path / "out"
    assert test["actions"][0]["description"] == "click 'Start Game'"
    changed_seen = False
    for number, action in enumerate(test["actions"], start=1):
        assert action["index"] == number
        before, after = out / action["before"], out / action["after"]
        assert PAIR_NAME.match(before.name) and PAIR_NAME.match(after.name)
        assert before.name.startswith(f"{number:02d}-before-") and before.suffix == ".png"
        assert before.parent == after.parent == out / test["artifacts_dir"]
        if action["changed"]:
            changed_seen = True
            assert before.read_bytes() != after.read_bytes()
        else:
            assert before.read_bytes() == after.read_bytes()
    assert changed_seen
    for kind in ("evidence", "console"):  # the results file points at the test's other evidence
        assert (out / test["files"][kind]).is_file(), test["files"]
    # starting the game changes the screen: the first pair must differ
    first = test["actions"][0]
    assert (out / first["before"]).read_bytes() != (out / first["after"]).read_bytes()


SCRIPTED = """
import pytest
from pydantic import BaseModel

from pytest_gameqa import ExtractError, ObserveResult


class Hud(BaseModel):
    score: int
    lives: int


class Missing(BaseModel):
    coins: int


@pytest.mark.game({game!r}, duration=3)
async def test_scripted(game_agent, game_page):
    await game_agent.act("click the start button")
    await game_page.evaluate(
        "() => {{ const hook = window.advanceTime; window.__advanced = 0;"
        " window.advanceTime = (ms) => {{ window.__advanced += ms; return hook(ms); }}; }}"
    )
    before = (await game_agent.extract("score", schema=Hud)).score
    await game_agent.advance(500)  # steps the game through its own window.advanceTime hook
    assert await game_page.evaluate("window.__advanced") == 500
    assert (await game_agent.extract("score", schema=Hud)).score >= before + 5

    gone = ObserveResult(description="click a button that is not there", selector="#nope", kind="button")
    result = await game_agent.act(gone)
    assert not result.ok and "'#nope' matches nothing" in result.error  # recorded, not raised

    with pytest.raises(ExtractError, match="coins.*render_game_to_text"):
        await game_agent.extract("coins collected", schema=Missing)
    assert (await game_agent.state())["phase"] == "playing"
"""


def test_scripted_api_hooks_and_failed_actions(tmp_path: Path) -> None:
    (tmp_path / "test_scripted.py").write_text(SCRIPTED.format(game=str(GAMES / "healthy-canvas")))
    proc, results = run_pytest(["test_scripted.py"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    (test,) = results["tests"]  # type: ignore[index]
    failed = [a for a in test["actions"] if not a["ok"]]
    assert [a["description"] for a in failed] == ["click a button that is not there"]
    assert failed[0]["before"] and failed[0]["after"]  # a failed action still leaves its pair


def test_browser_type_launch_args_fixture_applies(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture(scope='session')\n"
        "def browser_type_launch_args(browser_type_launch_args):\n"
        "    return {**browser_type_launch_args, 'args': ['--user-agent=GameQA-Launch-Args']}\n"
    )
    (tmp_path / "test_ua.py").write_text(
        "import pytest\n\n"
        # one second of play is about the launch args, not about getting in
        f"@pytest.mark.game({str(GAMES / 'healthy-turn-based')!r}, duration=1, allow=['not-entered'])\n"
        "async def test_ua(game_page):\n"
        "    assert await game_page.evaluate('navigator.userAgent') == 'GameQA-Launch-Args'\n"
    )
    proc, _ = run_pytest(["test_ua.py"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
