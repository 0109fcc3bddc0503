"""Touch, unit by unit: the wording of touch steps, the player on a touch screen, the model's touch
schema and how the device shows in the reports. Synthetic views and records: no browser, no subprocess
(tests/test_touch.py plays a real phone-only game in Chromium).
"""

from __future__ import annotations

import pytest

from pytest_gameqa.agent.actions import ClickAt, Drag, HoverScan, MovePointer, PressKey
from pytest_gameqa.agent.instructions import touch_literal, touch_verb
from pytest_gameqa.agent.policy import HeuristicPolicy
from pytest_gameqa.agent.reach import Reaction
from pytest_gameqa.agent.touch import LongPress, Swipe, Tap
from pytest_gameqa.dom.detector import DrawnText, PageView
from pytest_gameqa.llm.schema import Decision, DecisionError, Shot, TouchDecision, to_action
from pytest_gameqa.models import BoundingBox, ObserveResult, TestRecord
from pytest_gameqa.report.summary import junit_properties, summary_line

PHONE = (412, 839)
CANVAS = ObserveResult(
    description="click the 412x839 canvas",
    selector="#game",
    kind="canvas",
    bbox=BoundingBox(x=0, y=0, width=412, height=839),
)
START = ObserveResult(
    description="click 'Start'",
    selector="#start",
    kind="button",
    text="Start",
    bbox=BoundingBox(x=150, y=600, width=112, height=48),
)
SHOT = Shot(b"", 412, 839, 1.0, 0.0)
MOUSE_ONLY = (ClickAt, Drag, MovePointer, HoverScan)


# ------------------------------------------------------------------------------------------ wording
@pytest.mark.parametrize(
    ("step", "action"),
    [
        ("tap at 200,400", Tap(x=200, y=400)),
        ("tap (10,20)", Tap(x=10, y=20)),
        ("double-tap at 10,20", Tap(x=10, y=20, double=True)),
        ("long-press at 100,200 1500ms", LongPress(x=100, y=200, ms=1500)),
        ("swipe 10,20 -> 30,40", Swipe(x1=10, y1=20, x2=30, y2=40)),
        ("swipe left", Swipe(x1=206, y1=420, x2=62, y2=420)),
        ("swipe up from 200,700", Swipe(x1=200, y1=700, x2=200, y2=406)),
    ],
)
def test_touch_steps_need_no_lookup(step: str, action: object) -> None:
    assert touch_literal(step, PHONE) == action


def test_every_touch_description_is_itself_a_step() -> None:
    """A recorded touch action's description, given back to --game-start or act(), does the same thing."""
    for action in (
        Tap(x=206, y=420, label="canvas"),
        Tap(x=5, y=6, double=True),
        LongPress(x=100, y=200),
        Swipe(x1=206, y1=420, x2=62, y2=420),
        Swipe(x1=206, y1=420, x2=206, y2=126, label="across the game"),
    ):
        again = touch_literal(action.describe(), PHONE)
        assert again is not None and again.describe() == action.describe(), action.describe()


def test_a_touch_on_something_is_looked_up_and_keys_stay_keys() -> None:
    assert touch_verb("tap Start") == ("tap", "Start")
    assert touch_verb("long-press the bomb") == ("long-press", "the bomb")
    assert touch_literal("tap Start", PHONE) is None
    assert touch_literal("swipe sideways", PHONE) is None  # act() then says which swipes it knows
    assert Tap(target=START).describe() == "tap 'Start'"
    assert LongPress(target=START).describe() == "long-press 'Start'"
    assert Tap(target=START).point == START.bbox.center  # type: ignore[union-attr]


def test_a_touch_needs_a_point_or_a_target() -> None:
    with pytest.raises(ValueError, match="x and y, or a target"):
        Tap(x=10)


def test_mouse_actions_become_finger_actions_and_hovering_has_none() -> None:
    assert ClickAt(x=1, y=2, label="canvas", double=True).on_touch() == Tap(x=1, y=2, label="canvas", double=True)
    assert Drag(x1=1, y1=2, x2=300, y2=2).on_touch() == Swipe(x1=1, y1=2, x2=300, y2=2)
    sweep = MovePointer(points=[(200, 400), (80, 400), (330, 400), (200, 400)])
    assert sweep.on_touch() == Swipe(x1=200, y1=400, x2=330, y2=400)
    assert HoverScan(x=0, y=0, width=10, height=10).on_touch() is None
    assert PressKey(key="Space").on_touch() == PressKey(key="Space")


# ------------------------------------------------------------------------------------------ the player
def _tap_screen() -> PageView:
    return PageView(
        candidates=[CANVAS],
        drawn=[DrawnText(text="Tap to start", bbox=BoundingBox(x=130, y=400, width=150, height=30))],
    )


def test_on_a_touch_screen_the_player_taps_swipes_and_keeps_keys() -> None:
    policy = HeuristicPolicy(seed=3, viewport=PHONE, touch=True)
    first = policy.next_action(_tap_screen())
    assert first == Tap(x=206, y=420, label="canvas"), first.describe()  # "Tap to start": a tap, not a click
    tried = [policy.next_action(_tap_screen()) for _ in range(20)]
    assert not [a.describe() for a in [first, *tried] if isinstance(a, MOUSE_ONLY)]
    assert any(isinstance(a, LongPress) for a in tried)  # a way in only a finger has
    policy.feedback(first, Reaction(), entered=True, hover_hits=[])
    played = [policy.next_action(PageView(candidates=[CANVAS])) for _ in range(60)]
    swipes = {a.direction for a in played if isinstance(a, Swipe)}
    assert swipes == {"left", "right", "up", "down"}
    assert any(isinstance(a, Tap) for a in played) and any(isinstance(a, PressKey) for a in played)
    assert not [a.describe() for a in played if isinstance(a, MOUSE_ONLY)]


def test_on_a_desktop_the_player_never_touches() -> None:
    policy = HeuristicPolicy(seed=3, viewport=(1280, 720))
    tried = [policy.next_action(_tap_screen()) for _ in range(30)]
    assert not [a.describe() for a in tried if isinstance(a, Tap | Swipe | LongPress)]


# ------------------------------------------------------------------------------------------ the model
def _touch(**fields: object) -> TouchDecision:
    return TouchDecision.model_validate({"thought": "t", **fields})


def test_the_models_touch_answers_become_finger_actions() -> None:
    assert to_action(_touch(action="tap_xy", x=206, y=420), [], SHOT) == Tap(x=206, y=420)
    assert to_action(_touch(action="tap_candidate", candidate=1), [START], SHOT) == Tap(target=START)
    assert to_action(_touch(action="swipe", direction="left"), [], SHOT).describe() == "swipe left (206,420)->(62,420)"
    assert to_action(_touch(action="long_press", x=10, y=20, ms=50), [], SHOT) == LongPress(x=10, y=20, ms=300)
    assert to_action(_touch(action="restart"), [START], SHOT) == Tap(target=START)
    assert to_action(_touch(action="press", key="space"), [], SHOT) == PressKey(key="Space")
    with pytest.raises(DecisionError, match="needs `direction`"):
        to_action(_touch(action="swipe"), [], SHOT)
    with pytest.raises(DecisionError, match="outside the 412x839 screenshot"):
        to_action(_touch(action="tap_xy", x=500, y=10), [], SHOT)


def test_the_desktop_schema_offers_no_finger_and_the_touch_schema_no_mouse() -> None:
    desktop = Decision.model_json_schema()["properties"]["action"]["enum"]
    phone = TouchDecision.model_json_schema()["properties"]["action"]["enum"]
    assert "click_xy" in desktop and not {"tap_xy", "swipe", "long_press"} & set(desktop)
    assert {"tap_candidate", "tap_xy", "swipe", "long_press", "press"} <= set(phone)
    assert not [a for a in phone if a.startswith("click")]


# ------------------------------------------------------------------------------------------ reports
def _record(**fields: object) -> TestRecord:
    return TestRecord(
        nodeid="gameqa::test_game[x]", url="x", started_at="2026-01-01T00:00:00+00:00", duration_s=1.0, **fields
    )


def test_the_device_is_in_the_terminal_line_and_junit() -> None:
    phone = _record(device="Pixel 7", touch=True, viewport=(412, 839))
    assert "on Pixel 7 (412x839, touch)" in summary_line(phone)[1]
    props = dict(junit_properties(phone))
    assert (props["gameqa_device"], props["gameqa_touch"], props["gameqa_viewport"]) == ("Pixel 7", "true", "412x839")
    desktop = _record(viewport=(1280, 720))
    assert " on " not in summary_line(desktop)[1]  # the default needs no mention
    assert "gameqa_device" not in dict(junit_properties(desktop))
    assert "on custom context (390x844, touch)" in summary_line(_record(touch=True, viewport=(390, 844)))[1]
    assert TestRecord.model_validate(phone.model_dump(mode="json")).viewport == (412, 839)  # JSON round trip
