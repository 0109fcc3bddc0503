"""Every bundled example game, smoke-tested through `pytest --game-url`: exactly the expected kinds.

Healthy games must pass (no false alarms); each broken game must fail with exactly its defect; each
gate game proves the player got in that way (the defect only exists behind the gate). A game with a
catalog `device` (touch-only) runs under `--device`; tests/test_touch.py covers it without one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CATALOG, GAMES, kinds, run_pytest

# a hang is reported ~8 s after it starts; everything else needs a few seconds of play after getting in
DURATION = {
    "gate-restart": "8",
    "gate-key-sequence": "10",  # five presses in order, then the defect: seconds on a busy machine
    "broken-frozen-frames": "10",
    "broken-memory-growth": "8",
    "broken-hang": "10",
    "broken-low-fps": "12",
    "trust-timeout-loop": "10",
    "trust-stall-loader": "10",
    "trust-error-flood": "8",
    "gate-menu-chain": "10",
    "gate-hover-button": "10",
    "gate-unmarked-key": "10",
    "gate-dblclick-drag": "10",
    "gate-digit-menu": "14",  # a pixel font: each OCR re-read takes 1-3 s on a busy machine
    "repro-crash": "15",  # the renderer dies ~3 s (more on a busy machine) after the 5th Space: the run ends there
    "touch-only": "8",
}

pytestmark = pytest.mark.e2e


# Each run plays a real game for a few seconds in real time while two other workers do the same on two
# cores; reach and freeze judgements lean on timing. One rerun takes a load spike out; a defect that
# is really there (or a reach rule that is really wrong) fails twice.
@pytest.mark.flaky(reruns=1)
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_example_game_reports_exactly_its_defects(name: str, tmp_path: Path) -> None:
    expected = set(CATALOG[name]["expected"])
    device = CATALOG[name].get("device")  # a phone-only game is played on its device (touch-only)
    args = ["--game-url", str(GAMES / name), "--game-duration", DURATION.get(name, "6")]
    proc, results = run_pytest([*args, "--device", device] if device else args, tmp_path)
    assert results is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    (test,) = results["tests"]
    if device:
        assert (test["device"], test["touch"]) == (device, True), test["device"]
    tolerated = set(CATALOG[name].get("tolerated", []))
    assert expected <= kinds(test) <= expected | tolerated, proc.stdout[-3000:]
    if expected:
        assert proc.returncode == 1, proc.stdout[-2000:]
        assert test["outcome"] == "failed"
        for kind in expected:
            assert kind in proc.stdout  # the failure message names every kind
    elif not kinds(test) & tolerated:
        assert proc.returncode == 0, proc.stdout[-2000:]
        assert test["outcome"] == "passed"
    way_in = CATALOG[name].get("way_in")
    if way_in not in (None, "none") and name.startswith("gate-"):
        messages = " ".join(i["message"] for i in test["issues"])
        assert f"gate reached: {way_in}" in messages
        assert "gate reached" in proc.stdout
    assert test["actions"], "the player did nothing"
    # reach: the player says it got in exactly where the game can be got into
    reach = test["reach"]
    if expected & {"freeze", "load-failure", "blank-screen"}:
        return  # the fault ends or hides the game: whether it was entered first is not the point
    if "not-entered" not in tolerated:
        assert reach["entered"] is CATALOG[name]["entered"], reach
