"""Every bundled example game, smoke-tested through `pytest --game-url`: exactly the expected kinds.

Healthy games must pass (no false alarms); each broken game must fail with exactly its defect; each
gate game proves the player got in that way (the defect only exists behind the gate). A game with a
catalog `device` (touch-only) runs under `--device`; tests/test_touch.py covers it without one.

Deterministic, no reruns: where a test is about a defect that only a given sequence of input reaches
(not about the player finding the way in), the sequence is given with `--game-start`; each game plays
only as long as its defect needs. Games with the same settings share one pytest session (several
`--game-url`s, as a user runs them), so the matrix pays for pytest's and Chromium's start-up once a group.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import CATALOG, GAMES, kinds, run_pytest, session_groups

# a hang is reported ~8 s after it starts; everything else needs a few seconds of play after getting in
DURATION = {
    "gate-restart": "8",
    "gate-key-sequence": "10",  # five presses in order, then the defect: seconds on a busy machine
    "broken-frozen-frames": "14",  # the loop stops 1.5 s after Start; 5 s still and 3 inputs after that
    "broken-memory-growth": "8",
    "broken-hang": "10",
    "broken-low-fps": "12",
    "trust-timeout-loop": "14",  # the 5 s window and 3 inputs after the stop (the freeze ends the run)
    "trust-stall-loader": "10",
    "healthy-turn-based": "10",  # at least 5 inputs, with the board still in between: never frozen
    "trust-error-flood": "8",
    "gate-menu-chain": "10",
    "gate-hover-button": "10",
    "gate-unmarked-key": "10",
    "gate-dblclick-drag": "10",
    "gate-digit-menu": "14",  # a pixel font: each OCR re-read takes 1-3 s on a busy machine
    "repro-crash": "15",  # the renderer dies ~3 s (more on a busy machine) after the 5th Space: the run ends there
    "repro-crash-freeze": "10",  # the hang starts at the 2nd Space (a start step) and is reported ~8 s later
    "touch-only": "8",
}
#: a defect behind a start button, or a gate: get past it, then show play (the same input moving the
#: game twice) before the defect or the verdict; 6 s left a busy machine two or three actions
DEFAULT_DURATION = "8"

#: the way to each defect, given as start steps: the run reaches the defect the same way every time,
#: at once, whatever the player's entry guesses (or a busy machine) would make of it. Defects behind a
#: sequence of input the player would only stumble on get the catalog's minimal repro; defects behind a
#: start button get the click. Gate games are about the player finding the way in by itself (and
#: gate-dom-button covers a start button): they get none.
START = {
    "repro-key-sequence": ["press Enter", "press ArrowLeft 5 times"],
    "repro-crash-freeze": ["click Start", "press Space", "press Space"],
    "repro-crash": ["press n", *["press Space"] * 5],  # five fresh keydowns: five fireworks
    "broken-hang": ["click Play"],
    "broken-page-error": ["click Start Game"],
    **{
        name: ["click Start"]
        for name in (
            "broken-console-error",
            "broken-frozen-frames",
            "broken-memory-growth",
            "broken-network-error",
            "broken-webgl-lost",
            "trust-error-flood",
            "trust-nav-404",
            "trust-stall-loader",
            "trust-timeout-loop",
        )
    },
}


def _stall_measured(test: dict[str, Any]) -> None:
    """A 5 s busy loop while a level loads is a stall with its duration and a warning, not a freeze."""
    stalls = test["metrics"]["stalls"]
    assert any(s["duration_s"] >= 4.0 and s["phase"] in ("loading", "play") for s in stalls), stalls
    warnings = [i["message"] for i in test["issues"] if i["kind"] == "warning"]
    assert any(m.startswith("the main thread was busy for") for m in warnings), warnings


def _says_what_stopped(test: dict[str, Any]) -> None:
    (freeze,) = [i for i in test["issues"] if i["kind"] == "freeze"]
    assert re.match(r"the game stopped drawing at [\d.]+ s; \d+ inputs since changed nothing", freeze["message"])


def _hang_within_ten_seconds(test: dict[str, Any]) -> None:
    (freeze,) = [i for i in test["issues"] if i["kind"] == "freeze"]
    play = next(a for a in test["actions"] if "play" in a["description"].lower())
    assert freeze["at_s"] - play["at_s"] <= 10.5, (freeze, play)


def _names_the_missing_page(test: dict[str, Any]) -> None:
    (failure,) = [i for i in test["issues"] if i["kind"] == "load-failure"]
    assert "level-2.html" in failure["message"] and "HTTP 404" in failure["message"]


def _kept_playing_a_still_board(test: dict[str, Any]) -> None:
    assert len(test["actions"]) >= 5  # the player kept giving input; the board stayed still in between


def _memory_growth_measured(test: dict[str, Any]) -> None:
    m = test["metrics"]
    assert m["heap_growth_mb_per_s"] > 5 and m["heap_end_mb"] - m["heap_start_mb"] > 30, m
    (issue,) = [i for i in test["issues"] if i["kind"] == "memory-growth"]
    assert "MB/s" in issue["message"]


def _frame_rate_measured_not_judged(test: dict[str, Any]) -> None:
    """70 ms of work a frame: the rate is measured (at most ~14 fps) and, with no --game-min-fps, not an issue
    (the kinds check above); tests/test_performance.py sets a minimum and sees low-fps."""
    measured = test["metrics"]["fps_avg"]
    assert measured is not None and measured < 20, test["metrics"]


#: what else a game's run shows, checked on the same run (these were runs of their own in other files)
MORE = {
    "trust-stall-loader": _stall_measured,
    "trust-timeout-loop": _says_what_stopped,
    "broken-hang": _hang_within_ten_seconds,
    "trust-nav-404": _names_the_missing_page,
    "healthy-turn-based": _kept_playing_a_still_board,
    "broken-memory-growth": _memory_growth_measured,
    "broken-low-fps": _frame_rate_measured_not_judged,
}

#: games per shared session: a session runs its games one after the other, so a group is at most about
#: 40 s of play and the groups spread over the xdist workers
GROUP_SIZE = 4


def _settings(name: str) -> tuple[str, tuple[str, ...], str]:
    return DURATION.get(name, DEFAULT_DURATION), tuple(START.get(name, [])), CATALOG[name].get("device", "")


#: the entry games (examples/games/entry-*) are played by tests/test_entry_examples.py, at their own durations
MATRIX = sorted(name for name in CATALOG if not name.startswith("entry-"))


GROUPS = session_groups(MATRIX, _settings, GROUP_SIZE, "examples-")
GROUP_OF = {name: group for group, names in GROUPS.items() for name in names}
_RUNS: dict[str, tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]] = {}

pytestmark = pytest.mark.e2e


def _run_group(group: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Any]:
    """One session per group, started by the group's first test (xdist keeps a group on one worker)."""
    if group not in _RUNS:
        names = GROUPS[group]
        duration, start, device = _settings(names[0])
        args = [arg for name in names for arg in ("--game-url", str(GAMES / name))]
        args += ["--game-duration", duration, *(arg for step in start for arg in ("--game-start", step))]
        if device:  # a phone-only game is played on its device (touch-only)
            args += ["--device", device]
        if start:  # the way in is given: no screen needs reading from pixels, and OCR's second of CPU a
            args += ["--game-ocr", "off"]  # read only slows the game on 2 cores (gate-digit-menu keeps it)
        _RUNS[group] = run_pytest(args, tmp_path_factory.mktemp(group), timeout=120 + 40 * len(names))
    return _RUNS[group]


def _summary_line(stdout: str, name: str) -> str:
    """The game's own line in gameqa's terminal summary: `FAILED  gameqa::test_game[.../NAME]  ...`."""
    pattern = re.compile(rf"^(PASSED|FAILED|ERROR)\s+gameqa::test_game\[[^\]]*/{re.escape(name)}\]\s.*$", re.M)
    match = pattern.search(stdout)
    assert match, f"no summary line for {name}:\n{stdout[-3000:]}"
    return match.group(0)


#: games today's player misjudges, measured in a full run from a fresh clone (issue 19 stays open for
#: them): the marks go as the player learns; a pass is reported (XPASS), a failure does not hide others
KNOWN_MISSES = {
    "gate-hover-button": "entered by Space on the title before the image button was found: a reaction the "
    "idle looks had not shown (no gate text to hold the screen a menu)",
    "gate-no-title": "entered by Enter, which does nothing: something on the animated board moved beyond "
    "its envelope twice",
    "gate-digit-menu": "the pixel-font '1 PLAYER' read by OCR stays in the looks after the game started",
    "repro-crash": "the worker's heap ran out later than the 15 s play on this machine",
    "gate-dblclick-drag": "the sling's first drag lands while the prompt's blink still holds the screen a "
    "title, and the ball in flight hides the second",
    "gate-restart": "rounds end by themselves after 2 s: on a loaded CI machine (3 workers, 2 cores) the "
    "player gets about three tries a round, and a move and its confirming repeat fall in different rounds",
}


def _param(name: str) -> Any:
    marks: list[Any] = [pytest.mark.xdist_group(GROUP_OF[name])]
    if name in KNOWN_MISSES:
        marks.append(pytest.mark.xfail(strict=False, reason=KNOWN_MISSES[name]))
    return pytest.param(name, marks=marks)


@pytest.mark.parametrize("name", [_param(name) for name in MATRIX])
def test_example_game_reports_exactly_its_defects(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    expected = set(CATALOG[name]["expected"])
    device = CATALOG[name].get("device")
    proc, results = _run_group(GROUP_OF[name], tmp_path_factory)
    assert results is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    (test,) = [t for t in results["tests"] if Path(t["url"]).name == name]
    line = _summary_line(proc.stdout, name)
    if device:
        assert (test["device"], test["touch"]) == (device, True), test["device"]
    tolerated = set(CATALOG[name].get("tolerated", []))
    assert expected <= kinds(test) <= expected | tolerated, line
    if expected:
        assert proc.returncode == 1, proc.stdout[-2000:]  # any failing game fails the session
        assert test["outcome"] == "failed" and line.startswith("FAILED"), line
        for kind in expected:
            assert kind in line  # the game's own summary names every kind
    elif not kinds(test) & tolerated:
        assert test["outcome"] == "passed" and line.startswith("PASSED"), line
        if all(not CATALOG[other]["expected"] for other in GROUPS[GROUP_OF[name]]):
            assert proc.returncode == 0, proc.stdout[-2000:]
    way_in = CATALOG[name].get("way_in")
    if way_in not in (None, "none") and name.startswith("gate-"):
        messages = " ".join(i["message"] for i in test["issues"])
        assert f"gate reached: {way_in}" in messages
        assert f"gate reached: {way_in}" in proc.stdout
    assert test["actions"], "the player did nothing"
    if name in MORE:
        MORE[name](test)
    # reach: the player says it got in exactly where the game can be got into
    reach = test["reach"]
    if expected & {"freeze", "load-failure", "blank-screen"}:
        return  # the fault ends or hides the game: whether it was entered first is not the point
    if "not-entered" not in tolerated:
        assert reach["entered"] is CATALOG[name]["entered"], reach
