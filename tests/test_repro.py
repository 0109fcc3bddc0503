"""Reproductions: repro.json + test_repro.py for failing games, `gameqa replay`, `gameqa shrink`, confirmation.

Unit tests (no marker) cover the shrinking search, the generated file and the CLI's one-line errors;
the e2e tests run the repro-* example games in real Chromium through pytest and the gameqa command.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import GAMES, run_pytest

from pytest_gameqa import cli
from pytest_gameqa.agent.actions import PressKey
from pytest_gameqa.models import ActionResult, Issue, IssueKind
from pytest_gameqa.repro import record as record_mod
from pytest_gameqa.repro.model import ReplayCount, ReproStep
from pytest_gameqa.repro.replay import CRASH_WAIT_S, matches, rebase, rebuild
from pytest_gameqa.repro.runner import CandidateRunner
from pytest_gameqa.repro.shrink import Shrinker, merge_presses
from pytest_gameqa.settings import GameSettings

ERROR_X = "TypeError: Cannot read properties of undefined (reading 'x')"


def _press(index: int, key: str, times: int = 1) -> ReproStep:
    return ReproStep(index=index, at_s=float(index), description="", action=PressKey(key=key, times=times).model_dump())


def _lefts_after_enter(needed: int) -> Any:
    """The key-sequence game's rule as an oracle: Enter, then `needed` ArrowLeft presses."""
    calls: list[list[str]] = []

    async def test(steps: list[ReproStep]) -> bool:
        calls.append([s.label() for s in steps])
        entered, lefts = False, 0
        for step in steps:
            if step.action["key"] == "Enter":
                entered = True
            elif step.action["key"] == "ArrowLeft" and entered:
                lefts += step.times()
        return lefts >= needed

    test.calls = calls  # type: ignore[attr-defined]
    return test


# ------------------------------------------------------------------------------------------------ unit
def test_shrink_finds_the_way_in_and_the_trigger() -> None:
    steps = [_press(1, "Space", 5), _press(2, "Enter"), _press(3, "ArrowRight", 5), _press(4, "ArrowLeft", 5)]
    steps += [_press(5, "ArrowUp", 5), _press(6, "ArrowDown", 5)]
    oracle = _lefts_after_enter(3)
    found = asyncio.run(Shrinker(oracle, budget_s=60).shrink(steps, issue_at_s=None))
    assert [s.label() for s in found] == ["press Enter", "press ArrowLeft x3"]


def test_shrink_merges_split_presses_and_cuts_after_the_issue() -> None:
    steps = [_press(1, "Enter"), _press(2, "ArrowLeft", 2), _press(3, "ArrowLeft", 3), _press(4, "Space")]
    steps += [_press(9, "ArrowRight", 4)]  # starts after the issue (at 4.5 s): never needed
    oracle = _lefts_after_enter(5)
    found = asyncio.run(Shrinker(oracle, budget_s=60, parallel=2).shrink(steps, issue_at_s=4.5))
    assert [s.label() for s in found] == ["press Enter", "press ArrowLeft x5"]
    assert all("press ArrowRight x4" not in call for call in oracle.calls)


def test_shrink_gives_up_when_nothing_reproduces_and_keeps_the_best_when_out_of_time() -> None:
    async def never(_steps: list[ReproStep]) -> bool:
        return False

    assert asyncio.run(Shrinker(never, budget_s=60).shrink([_press(1, "Enter")], None)) is None
    steps = [_press(1, "Enter"), _press(2, "ArrowLeft", 5), _press(3, "Space")]
    assert asyncio.run(Shrinker(_lefts_after_enter(5), budget_s=0).shrink(steps, None)) is None  # nothing proven
    assert merge_presses([_press(1, "a", 15), _press(2, "a", 10)])[0].times() == 15  # over 20: not merged


def _agent_like(issue: Issue) -> dict[str, Any]:
    actions = [
        ActionResult(index=1, description="press Enter", ok=True, at_s=1.5, action=PressKey(key="Enter").model_dump()),
        ActionResult(
            index=2,
            description="press ArrowLeft x5",
            ok=True,
            at_s=2.0,
            action={"type": "press", "key": "ArrowLeft", "times": 5},
        ),
    ]
    return dict(
        nodeid="gameqa::test_game[g]",
        url="examples/games/repro-key-sequence",
        target=str(GAMES / "repro-key-sequence"),
        origin="http://127.0.0.1:4000",
        settings=GameSettings(seed=7, hang_timeout=5),
        actions=actions,
        issues=[Issue(kind=IssueKind.NOT_ENTERED, message="never got in", at_s=1.0), issue],
        deterministic=False,
    )


def test_the_generated_test_file_is_a_game_test_that_replays_the_actions(tmp_path: Path) -> None:
    issue = Issue(kind=IssueKind.PAGE_ERROR, message=ERROR_X, at_s=2.1, location="http://127.0.0.1:4000/:46:46")
    repro = record_mod.build(**_agent_like(issue), in_flight=(2.6, PressKey(key="Space", times=2)))
    assert repro is not None and repro.issue.kind is IssueKind.PAGE_ERROR  # the defect, not the consequence
    assert [s.label() for s in repro.steps] == ["press Enter", "press ArrowLeft x5", "press Space x2"]
    assert repro.settings["hang_timeout"] == 5 and "not-entered" in repro.settings["allow"]
    json_path, test_path = record_mod.write(repro, tmp_path, "repro.json", "test_repro.py")
    source = test_path.read_text()
    compile(source, str(test_path), "exec")
    assert f"GAME = {str(GAMES / 'repro-key-sequence')!r}" in source
    assert "@pytest.mark.game(GAME, seed=7, viewport='1280x720'" in source
    assert (
        "await replay.step(2.0, {'type': 'press', 'key': 'ArrowLeft', 'times': 5})  # 2. press ArrowLeft x5" in source
    )
    assert record_mod.load(json_path) == repro
    assert repro.steps_line().startswith("1. press Enter  2. press ArrowLeft x5  3. press Space x2  → page-error:")


def test_only_a_freeze_is_shrunk_with_a_shorter_hang_timeout_and_a_crash_is_waited_for() -> None:
    """Shrink candidates look for a hang with a 3 s watchdog to go faster; a crash that follows a 3 s stall
    (a heap filling up) would then be a freeze and never come back, so every other kind keeps the
    recorded timeout. A crash comes seconds after its trigger: its replay waits for it."""
    base = _agent_like(Issue(kind=IssueKind.CRASH, message="the game's renderer process crashed", at_s=2.1))
    crash = record_mod.build(**{**base, "settings": GameSettings(seed=7)})
    assert crash is not None
    freeze = crash.model_copy(update={"issue": crash.issue.model_copy(update={"kind": IssueKind.FREEZE})})
    runner = CandidateRunner(crash, hang_timeout=3.0)
    try:
        assert runner.settings(crash).hang_timeout == GameSettings().hang_timeout
        assert runner.settings(freeze).hang_timeout == 3.0
    finally:
        shutil.rmtree(runner._work, ignore_errors=True)
    assert record_mod.settle_for(crash) == CRASH_WAIT_S
    assert record_mod.marker_kwargs(crash)["duration"] >= CRASH_WAIT_S  # the test file's time covers the wait


def test_same_issue_means_same_kind_and_fingerprint_on_any_local_port() -> None:
    target = {"kind": "page-error", "message": ERROR_X, "location": "http://127.0.0.1:4000/:46:46"}
    assert matches(
        Issue(kind=IssueKind.PAGE_ERROR, message=ERROR_X, at_s=1, location="http://127.0.0.1:51234/:46:46"), target
    )
    assert not matches(
        Issue(kind=IssueKind.CONSOLE_ERROR, message=ERROR_X, at_s=1, location="http://127.0.0.1:5/:46:46"), target
    )
    assert not matches(
        Issue(kind=IssueKind.PAGE_ERROR, message="TypeError: other", at_s=1, location="http://127.0.0.1:5/:46:46"),
        target,
    )
    moved = rebase(
        {"type": "click_element", "target": {"description": "d", "frame_url": "http://127.0.0.1:4000/f.html"}},
        "http://127.0.0.1:4000",
        "http://127.0.0.1:9",
    )
    assert rebuild(moved).target.frame_url == "http://127.0.0.1:9/f.html"
    assert [ReplayCount(reproduced=k, runs=3).label for k in (3, 1, 0)] == [
        "reproduced 3/3",
        "1/3: flaky",
        "not reproduced 0/3",
    ]


@pytest.mark.parametrize("command", ["replay", "shrink"])
def test_a_bad_path_or_id_is_one_line_and_exit_code_2(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GAMEQA_RUNS_DB", raising=False)
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.json").write_text("{not json")
    for target in ["missing/repro.json", "empty", "bad.json", "abcd1234"]:
        assert cli.main([command, target]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("gameqa:") and "Traceback" not in err, err


# ------------------------------------------------------------------------------------------------ e2e
def _gameqa(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_gameqa.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def _failed_run(tmp: Path, game: str, *extra: str) -> tuple[dict[str, Any], Path, str]:
    proc, results = run_pytest([f"--game-url={GAMES / game}", "--game-duration", "15", *extra], tmp, timeout=170)
    assert results is not None, proc.stdout[-2000:] + proc.stderr[-2000:]
    test = next(t for t in results["tests"] if game in t["url"])
    assert test["outcome"] == "failed", proc.stdout[-3000:]
    folder = tmp / "out" / test["artifacts_dir"]
    return test, folder, proc.stdout


def _start(*steps: str) -> list[str]:
    return [arg for step in steps for arg in ("--game-start", step)]


#: the way to repro-key-sequence's defect (Enter, then the 5th ArrowLeft) given as start steps, among
#: presses that do nothing for it (Space, ArrowRight) and with the lefts split in two: the run fails the
#: same way every time, and shrinking has noise to cut and, once ArrowRight is gone, two presses to merge
KEY_STEPS = _start(
    "press Space 2 times", "press Enter", "press ArrowLeft 2 times", "press ArrowRight", "press ArrowLeft 3 times"
)

KEY_DURATION = "5"  # seconds: the player's own actions after the defect, noise the shrink cuts first


@pytest.fixture(scope="module")
def key_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, str]:
    # the defect comes with the start steps: a few seconds of play after them make the recording to shrink
    args = ["--game-confirm", "2", "--game-duration", KEY_DURATION, *KEY_STEPS]
    return _failed_run(tmp_path_factory.mktemp("key"), "repro-key-sequence", *args)


@pytest.fixture(scope="module")
def key_min(key_run: tuple[dict[str, Any], Path, str]) -> tuple[Path, str]:
    _test, folder, _out = key_run
    proc = _gameqa(["shrink", str(folder), "--budget", "150"], folder, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return folder, proc.stdout


@pytest.mark.e2e
def test_a_failing_game_leaves_a_confirmed_repro(key_run: tuple[dict[str, Any], Path, str]) -> None:
    test, folder, stdout = key_run
    assert {i["kind"] for i in test["issues"]} == {"page-error"}
    assert (folder / "repro.json").is_file() and (folder / "test_repro.py").is_file()
    assert {"repro", "repro_test", "repro_status"} <= set(test["files"])
    assert "repro: pytest " in stdout and "test_repro.py" in stdout
    assert "reproduced 2/2" in stdout  # --game-confirm 2, in the failure message and the summary
    status = json.loads((folder / "repro-status.json").read_text())
    assert status["confirmed"] == "reproduced 2/2" and status["issue"]["kind"] == "page-error"
    repro = json.loads((folder / "repro.json").read_text())
    assert repro["steps"][0]["action"]["type"] and repro["viewport"] == [1280, 720] and repro["seed"] == 20261121


@pytest.mark.e2e
def test_shrink_cuts_the_key_sequence_to_enter_and_five_lefts(key_min: tuple[Path, str]) -> None:
    folder, stdout = key_min
    minimal = json.loads((folder / "repro-min.json").read_text())
    labels = [s["description"] for s in minimal["steps"]]
    assert len(labels) <= 3 and labels[0] == "press Enter" and "ArrowLeft" in labels[-1], stdout
    assert "→ page-error: TypeError: Cannot read properties of undefined" in stdout
    assert (folder / "test_repro_min.py").is_file()


@pytest.mark.e2e
def test_the_minimal_key_sequence_repro_reproduces_every_time(key_min: tuple[Path, str]) -> None:
    """Key presses replayed on a fresh page: deterministic, so every replay must reproduce (3 of 3; a repro
    that misses as often as one time in three is caught)."""
    folder, _ = key_min
    proc = _gameqa(["replay", str(folder / "repro-min.json"), "--times", "3"], folder, timeout=150)
    count = proc.stdout.strip().splitlines()[-1]
    assert count == "reproduced 3/3", proc.stdout + proc.stderr


@pytest.mark.e2e
def test_restart_repro_shrinks_to_start_and_try_again(tmp_path: Path) -> None:
    """--game-shrink in the run itself; the minimal repro is a page-error repro that works. The way to the
    defect is given (Start, noise presses, the round's end, Try again): the recording to shrink is the
    same every run, whatever the player would have stumbled on (it found Try again by itself in 8 s, and
    under load left a canvas click in the recording now and then)."""
    steps = _start("click Start", "press ArrowLeft 2 times", "press ArrowRight", "wait 2600", "click Try again")
    test, folder, stdout = _failed_run(
        tmp_path, "repro-restart", "--game-shrink", "--game-shrink-budget", "90", *steps, "--game-duration", "6"
    )
    minimal = json.loads((folder / "repro-min.json").read_text())
    assert [s["action"]["type"] for s in minimal["steps"]] == ["click_element", "click_element"]
    assert "Try again" in minimal["steps"][-1]["description"]
    assert "minimal: 1. click 'Start'  2. click 'Try again'  → page-error" in stdout
    assert "repro_min" in test["files"]
    proc = _gameqa(["replay", str(folder / "repro-min.json"), "--times", "2"], folder, timeout=120)
    assert proc.stdout.strip().endswith("reproduced 2/2"), proc.stdout + proc.stderr


FREEZE_AND_HEALTHY = """
import pytest

@pytest.mark.game("{games}/repro-crash-freeze", duration=8, start=["click Start", "press Space", "press Space"])
async def test_frozen(game_agent):
    pass

@pytest.mark.game("{games}/healthy-turn-based", duration=8)
async def test_healthy(game_agent):
    pass
"""


@pytest.mark.e2e
def test_freeze_repro_replays_and_a_healthy_game_writes_none(tmp_path: Path) -> None:
    # the hang is reached by start steps (Start, then the 2nd Space), for the frozen game only
    (tmp_path / "test_games.py").write_text(FREEZE_AND_HEALTHY.format(games=str(GAMES)))
    proc, results = run_pytest(["test_games.py"], tmp_path, timeout=150)
    assert results is not None, proc.stdout[-2000:]
    by_game = {t["url"].rsplit("/", 1)[-1]: t for t in results["tests"]}
    healthy = by_game["healthy-turn-based"]
    assert healthy["outcome"] == "passed" and "repro" not in healthy["files"]
    assert not list((tmp_path / "out" / healthy["artifacts_dir"]).glob("*repro*"))
    frozen = by_game["repro-crash-freeze"]
    assert {i["kind"] for i in frozen["issues"]} == {"freeze"}
    folder = tmp_path / "out" / frozen["artifacts_dir"]
    assert (folder / "repro.json").exists() and (folder / "test_repro.py").exists()
    status = json.loads(_gameqa(["status", "--json"], tmp_path, timeout=30).stdout)
    run_id = next(r["id"] for r in status["runs"] if "repro-crash-freeze" in r["url"])
    shown = json.loads(_gameqa(["show", run_id, "--json"], tmp_path, timeout=30).stdout)
    assert shown["record"]["files"]["repro"].endswith("repro.json") and shown["record"]["repro"]["steps"] >= 2
    # the freeze repro replays by run id (shrinking a freeze is measured in benchmarks/shrink.py: each
    # candidate waits out the hang timeout, too slow for the suite)
    replay = _gameqa(["replay", run_id, "--times", "1"], tmp_path, timeout=120)
    assert replay.stdout.strip().endswith("reproduced 1/1"), replay.stdout + replay.stderr


@pytest.mark.e2e
@pytest.mark.xfail(
    strict=False,
    reason="measured in the last full run from a fresh clone: repro-crash's worker did not exhaust its heap "
    "within the play time (the example matrix saw the same); open in issue 23",
)
def test_a_crash_caused_by_play_replays(tmp_path: Path) -> None:
    """A renderer crash the game's own input causes (the 5th firework's worker fills its JS heap; no
    DevTools involved) comes back in every replay of the recorded actions: a crash repro a user can commit.
    The way there is given (N, then five separate Space presses): the player finding it is not the point."""
    test, folder, _ = _failed_run(tmp_path, "repro-crash", *_start("press n", *["press Space"] * 5))
    assert {i["kind"] for i in test["issues"]} == {"crash"}, test["issues"]
    assert json.loads((folder / "repro.json").read_text())["issue"]["kind"] == "crash"
    replay = _gameqa(["replay", str(folder), "--times", "3"], folder, timeout=150)
    assert replay.returncode == 0 and replay.stdout.strip().endswith("reproduced 3/3"), replay.stdout + replay.stderr
    # shrinking a crash (every candidate that does not crash waits out CRASH_WAIT_S) is measured in
    # benchmarks/shrink.py (6 -> 2 steps, the minimal test 10/10); here the replay is what a user runs
