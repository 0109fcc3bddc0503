"""Paused is not frozen: a pause card the player's own Escape/P brought up is resumed and recorded; a
pause nothing resumes is a stuck game (`freeze`).

The pure judging (agent/pause.py) runs in the fast tier; the example games in real Chromium (e2e).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import GAMES, kinds, run_pytest

from pytest_gameqa.agent.actions import ClickAt, PressKey
from pytest_gameqa.agent.pause import PauseWatch, pause_text
from pytest_gameqa.dom.detector import DrawnText, PageView
from pytest_gameqa.models import BoundingBox, Pause


def _view(*drawn: str, dom: str = "") -> PageView:
    boxes = [
        DrawnText(text=t, bbox=BoundingBox(x=300, y=100 + 60 * i, width=200, height=40)) for i, t in enumerate(drawn)
    ]
    return PageView(screen_text=dom, drawn=boxes)


PLAYING = _view("Comet Dodge")
PAUSED = _view("Comet Dodge", "PAUSED", "Press Esc or P to resume")


# ------------------------------------------------------------------------------------------ reading
@pytest.mark.parametrize(
    ("view", "text"),
    [
        (PAUSED, "PAUSED"),
        (_view(dom="Score 10\nGame paused\nResume"), "Game paused"),
        (_view("Pause"), "Pause"),
        (PLAYING, None),
        (_view(dom="Pause the music in the settings menu to play quietly"), None),  # not a pause screen
        (_view(dom="Score 10 | Pause button"), None),  # a control the game keeps on screen
    ],
)
def test_pause_text_is_read_from_the_dom_and_the_canvas(view: PageView, text: str | None) -> None:
    assert pause_text(view) == text


# ------------------------------------------------------------------------------------------ judging
def test_our_escape_bringing_up_paused_opens_a_pause_and_the_same_key_resumes_it() -> None:
    pauses: list[Pause] = []
    changes: list[bool] = []
    watch = PauseWatch(pauses, on_change=changes.append)
    watch.after_action("Escape", PLAYING, PAUSED, 6.2, "press Escape")
    assert watch.paused and changes == [True]
    assert pauses[0].key == "Escape" and pauses[0].text == "PAUSED" and not pauses[0].resumed
    action = watch.resume_action(PAUSED)
    assert isinstance(action, PressKey) and action.key == "Escape"  # the key that paused it first
    watch.tried.append(action.describe())
    watch.after_action("Escape", PAUSED, PLAYING, 7.0, "press Escape")
    assert not watch.paused and changes == [True, False]
    assert pauses[0].resumed and pauses[0].resumed_at_s == 7.0 and pauses[0].how == "press Escape"


def test_pause_text_the_player_did_not_cause_is_not_its_pause() -> None:
    watch = PauseWatch([])
    watch.after_action("ArrowLeft", PLAYING, PAUSED, 3.0, "press ArrowLeft")  # not a pause key
    assert not watch.paused
    watch.after_action("Escape", PAUSED, PAUSED, 4.0, "press Escape")  # already on screen before
    assert not watch.paused


def test_a_pause_the_key_does_not_resume_gets_a_click_then_is_stuck() -> None:
    watch = PauseWatch([])
    watch.after_action("p", PLAYING, PAUSED, 5.0, "press p")
    first = watch.resume_action(PAUSED)
    assert isinstance(first, PressKey) and first.key == "p"
    watch.tried.append(first.describe())
    watch.after_action("p", PAUSED, PAUSED, 5.5, "press p")
    second = watch.resume_action(PAUSED)
    assert isinstance(second, ClickAt) and "resume" in second.label.lower()  # "Press Esc or P to resume"
    watch.tried.append(second.describe())
    assert watch.resume_action(PAUSED) is None  # nothing left to try: stuck
    message = watch.stuck_message()
    assert message.startswith("the game paused on the player's p at 5.0 s ('PAUSED' on screen) and did not resume")
    assert "tried press p, click" in message


def test_a_pause_word_alone_is_clicked_when_nothing_says_resume() -> None:
    watch = PauseWatch([])
    card = _view("Comet Dodge", "PAUSED")
    watch.after_action("Escape", PLAYING, card, 5.0, "press Escape")
    watch.tried.append("press Escape")
    click = watch.resume_action(card)
    assert isinstance(click, ClickAt) and click.label == "'PAUSED'" and (click.x, click.y) == (400, 180)


# ------------------------------------------------------------------------------------------ example games
_TEST_FILE = """
import pytest


@pytest.mark.game({url!r}, duration=30, allow=["not-entered"])
async def test_pause(game_agent):
    await game_agent.play(seconds=5)
    await game_agent.press("Escape")  # the player pauses the game itself
    await game_agent.play(seconds=10)
"""


def _run_pause_game(name: str, tmp_path: Path) -> tuple[str, dict]:
    test_file = tmp_path / "test_pause_game.py"
    test_file.write_text(_TEST_FILE.format(url=str(GAMES / name)))
    proc, results = run_pytest([str(test_file)], tmp_path)
    assert results is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    (test,) = results["tests"]
    return proc.stdout, test


@pytest.mark.e2e
def test_pause_card_after_our_escape_is_resumed_and_recorded(tmp_path: Path) -> None:
    out, test = _run_pause_game("trust-pause-card", tmp_path)
    assert test["outcome"] == "passed" and "freeze" not in kinds(test), out[-3000:]
    pauses = test["metrics"]["pauses"]
    assert pauses and pauses[0]["key"] == "Escape" and pauses[0]["text"] == "PAUSED", pauses
    assert all(p["resumed"] for p in pauses), pauses
    assert pauses[0]["how"] == "press Escape" and pauses[0]["resumed_at_s"] > pauses[0]["at_s"]
    evidence = json.loads(next((tmp_path / "out").rglob("evidence.json")).read_text())
    assert evidence["metrics"]["pauses"] == pauses


@pytest.mark.e2e
def test_pause_nothing_resumes_is_a_freeze(tmp_path: Path) -> None:
    """The near miss: the same card, but neither the key nor a click brings the game back."""
    out, test = _run_pause_game("trust-pause-stuck", tmp_path)
    assert kinds(test) == {"freeze"}, out[-3000:]
    (freeze,) = [i for i in test["issues"] if i["kind"] == "freeze"]
    assert freeze["message"].startswith("the game paused on the player's Escape at "), freeze["message"]
    assert "did not resume: tried press Escape, click" in freeze["message"]
    assert test["metrics"]["pauses"][0]["resumed"] is False
