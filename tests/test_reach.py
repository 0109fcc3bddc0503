"""Reach end to end: a way in the user gives, allowing not-entered, and reach in every output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from helpers import GAMES, kinds, run_pytest

pytestmark = pytest.mark.e2e
UNMARKED = GAMES / "gate-unmarked-key"


def test_a_way_in_the_player_cannot_find_can_be_given_on_the_command_line(tmp_path: Path) -> None:
    proc, results = run_pytest([f"--game-url={UNMARKED}", "--game-duration", "8", "--game-start", "press K"], tmp_path)
    assert results is not None, proc.stdout[-3000:]
    (test,) = results["tests"]
    assert proc.returncode == 0, proc.stdout[-3000:]
    reach = test["reach"]
    assert reach["entered"] is True and reach["how"] == "press k", reach  # K, the key: not Shift+K
    assert test["actions"][0]["description"] == "press k"  # the given step comes first
    assert "entered at" in proc.stdout and "by press k" in proc.stdout


def test_a_marker_start_step_and_allowing_not_entered(tmp_path: Path) -> None:
    (tmp_path / "test_unmarked.py").write_text(
        textwrap.dedent(
            f"""
            import pytest

            @pytest.mark.game({str(UNMARKED)!r}, duration=6, start=["press k"])
            async def test_given_way_in(game_agent):
                await game_agent.play()

            @pytest.mark.game({str(UNMARKED)!r}, duration=4, allow=["not-entered"])
            async def test_allowed_miss(game_agent):
                await game_agent.play()
            """
        )
    )
    proc, results = run_pytest([str(tmp_path / "test_unmarked.py")], tmp_path)
    assert results is not None, proc.stdout[-3000:]
    by_name = {t["nodeid"].split("::")[-1]: t for t in results["tests"]}
    given, allowed = by_name["test_given_way_in"], by_name["test_allowed_miss"]
    assert given["outcome"] == "passed" and given["reach"]["entered"], given["reach"]
    # allowed: still recorded and reported, but it does not fail the test
    assert allowed["outcome"] == "passed" and allowed["reach"]["entered"] is False
    assert kinds(allowed) == {"not-entered"}
    message = next(i["message"] for i in allowed["issues"] if i["kind"] == "not-entered")
    assert "tried:" in message and "press Enter" in message
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_reach_reaches_evidence_and_junit(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    proc, results = run_pytest(
        [f"--game-url={GAMES / 'gate-canvas-letter'}", "--game-duration", "5", "--junitxml", str(junit)], tmp_path
    )
    assert results is not None, proc.stdout[-3000:]
    (test,) = results["tests"]
    reach = test["reach"]
    assert reach["entered"] and reach["how"] == "press n" and "PRESS N TO START" in (reach["start_text"] or "")
    evidence = json.loads((tmp_path / "out" / test["artifacts_dir"] / "evidence.json").read_text())
    assert evidence["reach"]["entered"] is True
    assert (tmp_path / "out" / reach["first_screenshot"]).exists()  # the first in-game screenshot is kept
    xml = junit.read_text()
    assert 'name="gameqa_entered" value="true"' in xml and 'name="gameqa_entered_by" value="press n"' in xml
