"""Devices and touch, end to end: a phone-only game (examples/games/touch-only) in real Chromium.

The game listens to touch events only, so a mouse click or a key never starts it: whatever gets in
here got in by real touch input. One pytest run plays three game tests on a "Pixel 7" (the built-in
player through a `device=` marker, a scripted test worded in touch steps, and a model player through
litellm's real HTTP path to tests/fake_llm_server.py); other runs check the same game on a desktop
browser (it must fail not-entered, never pass), the replay of a recorded touch reproduction, and an
unknown device name. The `--device` command line itself is covered by tests/test_examples.py (the
catalog entry has a `device`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from fake_llm_server import FakeLLMServer, Reply, Run
from helpers import GAMES, kinds, run_pytest

pytestmark = pytest.mark.e2e

GAME = GAMES / "touch-only"
BUG = "Cannot read properties of undefined (reading 'speed')"
# Pixel 7: a 412x839 CSS-pixel screen; the model sees it at scale 1 (narrower than 768 px)
CENTRE = (206, 420)

TESTS = f"""
import pytest

GAME = {str(GAME)!r}


@pytest.mark.game(GAME, device="Pixel 7", duration=7)
async def test_player_on_a_phone(game_agent):
    pass


@pytest.mark.game(GAME, device="Pixel 7", duration=4, start=["tap at {CENTRE[0]},{CENTRE[1]}"])
async def test_touch_wording(game_agent):
    assert game_agent.touch
    first = await game_agent.act("swipe left")
    assert first.description.startswith("swipe left (206,") and first.ok, first
    await game_agent.act("swipe right from 100,400")
    held = await game_agent.act("long-press at 206,420")  # held still: no swipe for the game
    assert held.description == "long-press at (206,420)" and held.ok
    assert not [i for i in game_agent.issues if i.kind.value == "page-error"]
    await game_agent.act("swipe up")  # the third swipe: the bug
    await game_agent.wait(300)


@pytest.mark.game(GAME, device="Pixel 7", duration=10, max_actions=4, model="openai/fake", api_base="{{api}}",
                  ai_verdict="off")
async def test_model_on_a_phone(game_agent):
    await game_agent.play()
"""


def decision(**fields: Any) -> Reply:
    return Reply({"thought": "scripted", **fields})


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("touch")
    with FakeLLMServer() as server:
        api = server.script(
            "phone",
            decide=[
                decision(action="tap_xy", x=CENTRE[0], y=CENTRE[1]),
                decision(action="swipe", direction="left"),
                decision(action="swipe", direction="down", x=300, y=300),
                decision(action="swipe", direction="right"),
            ],
        )
        (root / "test_phone.py").write_text(TESTS.replace("{api}", api))
        out = root / "out"
        proc, results = run_pytest(
            ["--junitxml", str(out / "junit.xml"), "--html", str(out / "report.html")],
            root,
            timeout=300,
            env={"OPENAI_API_KEY": "sk-touch-test"},
        )
        assert results is not None, proc.stdout[-4000:] + proc.stderr[-4000:]
        yield Run(server, root, proc, results)


def test_the_player_taps_in_and_swipes_into_the_bug_on_a_phone(run: Run) -> None:
    test = run.test("test_player_on_a_phone")
    assert test["outcome"] == "failed" and kinds(test) == {"page-error"}, run.proc.stdout[-3000:]
    assert BUG in " ".join(i["message"] for i in test["issues"])
    reach = test["reach"]
    assert reach["entered"] and reach["how"].startswith("tap "), reach  # a tap got in: clicks cannot
    descriptions = [a["description"] for a in test["actions"]]
    assert sum(d.startswith("swipe ") for d in descriptions) >= 3, descriptions
    assert not any(d.startswith(("click", "drag", "move the pointer", "look for buttons")) for d in descriptions)
    # the device is recorded, in the results file and the terminal line
    assert (test["device"], test["touch"], test["viewport"]) == ("Pixel 7", True, [412, 839])
    assert "on Pixel 7 (412x839, touch)" in run.proc.stdout


def test_touch_steps_are_act_wording_and_the_device_reaches_every_report(run: Run) -> None:
    test = run.test("test_touch_wording")
    assert kinds(test) == {"page-error"}, run.proc.stdout[-3000:]
    descriptions = [a["description"] for a in test["actions"]]
    assert descriptions[0] == "tap at (206,420)" and test["reach"]["how"] == "tap at (206,420)"
    assert descriptions[1:5] == [
        "swipe left (206,420)->(62,420)",
        "swipe right (100,400)->(244,400)",
        "long-press at (206,420)",
        "swipe up (206,420)->(206,126)",
    ]
    error = next(i for i in test["issues"] if i["kind"] == "page-error")
    assert error["at_s"] >= test["actions"][4]["at_s"]  # the third swipe, not the long press, did it
    props = {
        p.get("name"): p.get("value")
        for case in ET.parse(run.root / "out" / "junit.xml").getroot().iter("testcase")
        if case.get("name") == "test_touch_wording"
        for p in case.iter("property")
    }
    assert (props["gameqa_device"], props["gameqa_touch"], props["gameqa_viewport"]) == ("Pixel 7", "true", "412x839")
    assert "on Pixel 7 (412x839, touch)" in (run.root / "out" / "report.html").read_text()
    from pytest_gameqa.runs.store import RunStore
    from pytest_gameqa.runs.views import run_report

    store = RunStore(run.root / ".gameqa" / "runs.sqlite").open(create=False)  # what `gameqa show` prints
    stored = next(r for r in store.runs_of(store.latest_session() or "") if "touch_wording" in r["nodeid"])
    assert "screen:      Pixel 7 (412x839, touch)" in run_report(stored)


def test_a_model_on_a_phone_is_offered_taps_and_swipes(run: Run) -> None:
    test = run.test("test_model_on_a_phone")
    actions = [(a["policy"], a["description"]) for a in test["actions"]]
    assert actions == [
        ("llm", "tap at (206,420)"),
        ("llm", "swipe left (206,420)->(62,420)"),
        ("llm", "swipe down (300,300)->(300,594)"),
        ("llm", "swipe right (206,420)->(350,420)"),
    ], actions
    assert test["reach"]["entered"] and kinds(test) == {"page-error"}
    (first, *_) = run.server.calls("phone", "decide")
    assert "tap_xy" in first.system and "swipe" in first.system and "long_press" in first.system
    assert "click_xy" not in first.system  # no mouse on a phone


def test_the_same_game_on_a_desktop_fails_not_entered_with_a_hint(tmp_path: Path) -> None:
    proc, results = run_pytest(["--game-url", str(GAME), "--game-duration", "6"], tmp_path)
    assert results is not None and proc.returncode == 1, proc.stdout[-3000:]
    (test,) = results["tests"]
    assert kinds(test) == {"not-entered"} and test["outcome"] == "failed"
    assert (test["device"], test["touch"]) == (None, False)
    (issue,) = [i for i in test["issues"] if i["kind"] == "not-entered"]
    assert "'Tap to start' still shown" in issue["message"]
    assert "try a touch device (--device 'Pixel 7')" in issue["message"]
    assert not any(a["description"].startswith(("tap", "swipe")) for a in test["actions"])


def test_a_recorded_touch_reproduction_replays(run: Run, tmp_path: Path) -> None:
    test = run.test("test_touch_wording")
    repro = run.root / "out" / test["artifacts_dir"] / "test_repro.py"  # relative to the output folder
    assert "'type': 'swipe'" in repro.read_text() and "'type': 'long_press'" in repro.read_text()
    proc, results = run_pytest([str(repro)], tmp_path)
    assert results is not None and proc.returncode == 1, proc.stdout[-3000:]
    (replayed,) = results["tests"]
    assert BUG in " ".join(i["message"] for i in replayed["issues"])  # the taps and swipes brought it back
    assert [a["description"] for a in replayed["actions"]][:2] == ["tap at (206,420)", "swipe left (206,420)->(62,420)"]
    assert (replayed["device"], replayed["touch"]) == ("Pixel 7", True)  # replayed on the recorded phone


def test_an_unknown_device_is_one_line(tmp_path: Path) -> None:
    proc, results = run_pytest(["--game-url", str(GAME), "--device", "Pixel 99"], tmp_path, timeout=60)
    assert proc.returncode != 0 and results is None
    output = proc.stdout + proc.stderr
    assert "unknown device 'Pixel 99'" in output and "Pixel 7" in output  # with the names it may have meant
    assert "Traceback" not in output
    assert len([line for line in output.splitlines() if "Pixel 99" in line]) == 1
