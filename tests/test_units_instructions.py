"""One key vocabulary and one instruction parser: the words a test writer, a screen and a model use."""

from __future__ import annotations

import pytest

from pytest_gameqa.agent.actions import ClickAt, PressKey, TypeText, Wait
from pytest_gameqa.agent.instructions import Step, parse
from pytest_gameqa.agent.keys import key_from_instruction, key_from_prompt, keys_named
from pytest_gameqa.agent.touch import Swipe, Tap

VIEWPORT = (1280, 720)


@pytest.mark.parametrize(
    ("instruction", "action"),
    [
        ("click at 640,500", ClickAt(x=640, y=500)),
        ("type Alice", TypeText(text="Alice")),
        ("wait 2s", Wait(ms=2000)),
        ("tap at 200,400", Tap(x=200, y=400)),
        ("press the spacebar 3 times", PressKey(key="Space", times=3)),
        ("press R to restart", PressKey(key="r")),
        ("hit the up arrow", PressKey(key="ArrowUp")),
    ],
)
def test_a_step_that_needs_no_lookup_is_an_action(instruction: str, action: object) -> None:
    assert parse(instruction, VIEWPORT) == Step(action=action)  # type: ignore[arg-type]


def test_a_swipe_is_a_gesture_over_the_whole_viewport() -> None:
    step = parse("swipe left", VIEWPORT)
    assert isinstance(step.action, Swipe) and step.action.x2 < step.action.x1


def test_a_touch_verb_finds_its_target_first() -> None:
    assert parse("tap Start", VIEWPORT) == Step(touch=("tap", "Start"))
    assert parse("long-press the bomb", VIEWPORT) == Step(touch=("long-press", "the bomb"))


def test_a_swipe_the_parser_cannot_read_says_how_to_word_it() -> None:
    step = parse("swipe sideways", VIEWPORT)
    assert step.action is None and step.refused is not None
    assert "say swipe left|right|up|down [from X,Y], or swipe X1,Y1 -> X2,Y2" in step.refused


def test_anything_else_is_looked_up_on_the_screen() -> None:
    assert parse("click the start button", VIEWPORT) == Step()


def test_a_prompt_on_a_page_names_space_enter_or_any_key() -> None:
    assert key_from_prompt("Press SPACE to start") == "Space"
    assert key_from_prompt("hit return") == "Enter"
    assert key_from_prompt("press any key") == "Enter"
    assert key_from_prompt("Click to start") is None


def test_screen_words_for_keys_are_read_on_screens_only() -> None:
    # a screen says "press fire"; a test writer who says it means something to find, not a key
    assert keys_named("PRESS FIRE TO START") == ["Space"]
    assert keys_named("press any key") == ["Enter", "Space"]
    assert key_from_instruction("press fire") is None
    # the words both share mean the same key in both
    for words, key in (("space bar", "Space"), ("return", "Enter"), ("esc", "Escape"), ("tab", "Tab")):
        assert keys_named(f"press {words} to start")[:1] == [key]
        assert key_from_instruction(f"press {words}") == key
