"""What a model may answer, and the gate every answer passes before it touches the game.

The model only ever fills these schemas; `to_action` turns a `Decision` (a `TouchDecision` on a touch
screen, which offers taps, swipes and long presses instead of clicks) into one of the agent's Actions
after checking it (candidate numbers, screenshot bounds, single safe keys). Nothing a model
writes can become a URL to open or a script to run: the Action union has no such member.
The field descriptions are part of the prompt (the API or the prompt shows them to the model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from ..agent.actions import (
    Action,
    ClickAt,
    HoldKey,
    LongPress,
    PressKey,
    Tap,
    TypeText,
    Wait,
    action_for,
)
from ..agent.keys import KEY_NAMES, normalise_key
from ..agent.touch import swipe_towards
from ..dom.detector import RESTART_WORDS, START_WORDS
from ..models import ObserveResult


class DecisionError(ValueError):
    """A well-formed answer that cannot be run (bad candidate number, point off screen, unsafe key)."""


@dataclass(frozen=True)
class Shot:
    """A downscaled screenshot as the model sees it; `scale` maps its pixels to page CSS pixels."""

    data: bytes
    width: int
    height: int
    scale: float
    at_s: float
    label: str = ""

    def to_page(self, x: float, y: float) -> tuple[float, float]:
        return round(x / self.scale), round(y / self.scale)

    def from_page(self, x: float, y: float) -> tuple[int, int]:
        return round(x * self.scale), round(y * self.scale)


_THOUGHT = "One short sentence: what the screen shows and why this action helps."
_KEY = (
    "One key: ArrowLeft, ArrowRight, ArrowUp, ArrowDown, Space, Enter, Escape, Tab, Shift, "
    "or a single letter or digit. No combinations."
)
_TAIL = (
    "press: press `key`, `times` times. hold: keep `key` down for `ms` milliseconds. type: type `text` (into "
    "candidate `candidate` when given). wait: do nothing for `ms` milliseconds. restart: start a new game "
    "after a game over."
)


class Decision(BaseModel):
    """One action for the game, chosen by the model."""

    thought: str = Field(description=_THOUGHT)
    action: Literal["click_candidate", "click_xy", "press", "hold", "type", "wait", "restart"] = Field(
        description=(
            "click_candidate: click the numbered candidate `candidate`. click_xy: click the screenshot pixel "
            "(x, y), for things drawn on a canvas. " + _TAIL
        )
    )
    candidate: int | None = Field(default=None, description="A number from the candidate list.")
    x: int | None = Field(default=None, description="Pixel column in the screenshot, 0 is the left edge.")
    y: int | None = Field(default=None, description="Pixel row in the screenshot, 0 is the top edge.")
    key: str | None = Field(default=None, description=_KEY)
    times: int | None = Field(default=None, description="How many presses, 1 to 10.")
    ms: int | None = Field(default=None, description="Milliseconds: 50 to 3000 for hold, 0 to 5000 for wait.")
    text: str | None = Field(default=None, description="Text to type, at most 200 characters.")


class TouchDecision(BaseModel):
    """One action for a game on a touch screen (a phone), chosen by the model: a finger, and keys."""

    thought: str = Field(description=_THOUGHT)
    action: Literal["tap_candidate", "tap_xy", "swipe", "long_press", "press", "hold", "type", "wait", "restart"] = (
        Field(
            description=(
                "tap_candidate: tap the numbered candidate `candidate` with a finger. tap_xy: tap the screenshot "
                "pixel (x, y), for things drawn on a canvas. swipe: slide a finger fast towards `direction`, "
                "from (x, y) when given, else from the middle of the screen. long_press: hold a finger still "
                "on candidate `candidate` or on (x, y) for `ms` milliseconds. " + _TAIL
            )
        )
    )
    candidate: int | None = Field(default=None, description="A number from the candidate list.")
    x: int | None = Field(default=None, description="Pixel column in the screenshot, 0 is the left edge.")
    y: int | None = Field(default=None, description="Pixel row in the screenshot, 0 is the top edge.")
    direction: Literal["left", "right", "up", "down"] | None = Field(
        default=None, description="For swipe: which way the finger moves."
    )
    key: str | None = Field(default=None, description=_KEY)
    times: int | None = Field(default=None, description="How many presses, 1 to 10.")
    ms: int | None = Field(
        default=None, description="Milliseconds: 50 to 3000 for hold, 300 to 3000 for long_press, 0 to 5000 for wait."
    )
    text: str | None = Field(default=None, description="Text to type, at most 200 characters.")


class ObserveChoice(BaseModel):
    """The candidates that match an observe() instruction."""

    candidates: list[int] = Field(
        description="Numbers of the candidates that match the instruction, best match first; empty if none does."
    )
    reason: str = Field(description="One short sentence.")


class Finding(BaseModel):
    category: Literal["visual-glitch", "stuck-screen", "unresponsive-control", "broken-state", "other"] = Field(
        description="What kind of defect a player would notice."
    )
    message: str = Field(description="One sentence a developer can act on: what is wrong and where.")
    screenshot: int | None = Field(default=None, description="The number of the screenshot that shows it.")


class Verdict(BaseModel):
    """The end-of-run judgement of a whole game test."""

    summary: str = Field(description="One or two sentences on how the game behaved.")
    loaded: int = Field(description="1 to 5: did the game load and show its screen (5 = fully).")
    controls_responsive: int = Field(description="1 to 5: did the game react to the player's input.")
    stable: int = Field(description="1 to 5: free of errors, glitches, freezes and stuck screens.")
    findings: list[Finding] = Field(description="Defects you can see evidence of; empty when the game looks fine.")


_EXTRA_KEYS = {"Escape", "Backspace", "Delete", "Home", "End", "PageUp", "PageDown"}
ALLOWED_KEYS = frozenset(KEY_NAMES) | _EXTRA_KEYS


def safe_key(raw: str | None) -> str:
    """One key from the action set; combinations (Alt+ArrowLeft navigates back) are refused."""
    if not raw or not raw.strip():
        raise DecisionError("press and hold need a `key`")
    key = normalise_key(raw.strip())
    if key in ALLOWED_KEYS or re.fullmatch(r"[a-zA-Z0-9]", key):
        return key
    raise DecisionError(f"key {raw[:40]!r} is not allowed: use one key such as ArrowLeft, Space, Enter or a letter")


def _clamp(value: int | None, low: int, high: int, default: int) -> int:
    return default if value is None else max(low, min(high, int(value)))


def _candidate(decision: Decision, candidates: list[ObserveResult]) -> ObserveResult:
    number = decision.candidate
    if number is None:
        raise DecisionError(f"{decision.action} needs `candidate`, a number from the list")
    if not 1 <= number <= len(candidates):
        raise DecisionError(f"candidate {number} does not exist: the list has 1 to {len(candidates)}")
    return candidates[number - 1]


def _page_point(decision: Decision | TouchDecision, shot: Shot) -> tuple[float, float]:
    """The decision's (x, y) in page CSS pixels, checked against the screenshot."""
    if decision.x is None or decision.y is None:
        raise DecisionError(f"{decision.action} needs both `x` and `y`")
    if not (0 <= decision.x < shot.width and 0 <= decision.y < shot.height):
        raise DecisionError(f"point ({decision.x},{decision.y}) is outside the {shot.width}x{shot.height} screenshot")
    x, y = shot.to_page(decision.x, decision.y)
    width, height = round(shot.width / shot.scale), round(shot.height / shot.scale)
    return min(x, width - 1), min(y, height - 1)


def _touch_action(decision: TouchDecision, candidates: list[ObserveResult], shot: Shot) -> Action | None:
    """The finger actions of a TouchDecision; None for the actions both schemas share."""
    kind = decision.action
    if kind == "tap_candidate":
        target = _candidate(decision, candidates)
        if target.method == "press":
            return action_for(target, safe_key)
        return Tap(target=target.model_copy(update={"method": "click"}) if target.method == "type" else target)
    if kind == "tap_xy":
        x, y = _page_point(decision, shot)
        return Tap(x=x, y=y)
    if kind == "long_press":
        ms = _clamp(decision.ms, 300, 3000, 800)
        if decision.candidate is not None:
            return LongPress(target=_candidate(decision, candidates), ms=ms)
        x, y = _page_point(decision, shot)
        return LongPress(x=x, y=y, ms=ms)
    if kind == "swipe":
        if decision.direction is None:
            raise DecisionError("swipe needs `direction`: left, right, up or down")
        page = (0.0, 0.0, float(round(shot.width / shot.scale)), float(round(shot.height / shot.scale)))
        start = _page_point(decision, shot) if decision.x is not None or decision.y is not None else None
        return swipe_towards(decision.direction, page, start=start)
    return None


def to_action(decision: Decision | TouchDecision, candidates: list[ObserveResult], shot: Shot) -> Action:
    """The Action a decision stands for, or DecisionError saying what to fix (sent back to the model)."""
    kind = decision.action
    if isinstance(decision, TouchDecision):
        touched = _touch_action(decision, candidates, shot)
        if touched is not None:
            return touched
    if kind == "click_candidate":
        target = _candidate(decision, candidates)
        return action_for(
            target.model_copy(update={"method": "click"}) if target.method == "type" else target, safe_key
        )
    if kind == "click_xy":
        x, y = _page_point(decision, shot)
        return ClickAt(x=x, y=y)
    if kind == "press":
        return PressKey(key=safe_key(decision.key), times=_clamp(decision.times, 1, 10, 1))
    if kind == "hold":
        return HoldKey(key=safe_key(decision.key), ms=_clamp(decision.ms, 50, 3000, 500))
    if kind == "type":
        text = decision.text or ""
        if not text or len(text) > 200:
            raise DecisionError("type needs `text` of 1 to 200 characters")
        target = _candidate(decision, candidates) if decision.candidate is not None else None
        return TypeText(text=text, target=target)
    if kind == "wait":
        return Wait(ms=_clamp(decision.ms, 0, 5000, 500))
    return restart_action(candidates, touch=isinstance(decision, TouchDecision))


def restart_action(candidates: list[ObserveResult], *, touch: bool = False) -> Action:
    """A restart button or prompt when one is on screen (tapped on a touch screen), else Enter."""
    for words in (RESTART_WORDS, START_WORDS):
        for candidate in candidates:
            if candidate.kind in ("button", "prompt", "link", "element") and words.search(candidate.text):
                return action_for(candidate, safe_key, touch=touch)
    return PressKey(key="Enter")
