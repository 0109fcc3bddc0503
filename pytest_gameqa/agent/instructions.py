"""One instruction parser: what a worded step (`act("...")`, `--game-start`) asks for, before any lookup.

Literal steps need no lookup ("click at 640,500", "type Alice", "wait 500", "tap at 200,400", "swipe
left"); a named key is pressed ("press the spacebar 3 times"); a touch verb finds its target first
("tap Start"); anything else is looked up on the screen. Every action describes itself in this
wording, so a description read back is the same step again (how a repro replays a run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .actions import Action, ClickAt, PressKey, TypeText, Wait
from .inputs import ActionBase
from .keys import key_from_instruction
from .touch import LONG_PRESS_MS, LongPress, Swipe, Tap, swipe_towards

#: a literal wait longer than this is cut to it: a start step never stalls the run for long
MAX_WAIT_MS = 5000
_CLICK_AT = re.compile(
    r"^\s*(double[- ]?)?click\s+(?:at\s+)?\(?\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*\)?\s*$", re.I
)
_TYPE = re.compile(r"^\s*type\s+['\"]?(.+?)['\"]?\s*$", re.I)
_WAIT = re.compile(r"^\s*wait\s+(\d+)\s*(ms|s)?\s*$", re.I)


def _point(name: str) -> str:
    return rf"\(?\s*(?P<{name}x>\d+(?:\.\d+)?)\s*,\s*(?P<{name}y>\d+(?:\.\d+)?)\s*\)?"


#: "tap at 200,400", "double-tap (10,20)", "tap canvas (200,400)", "long-press at 100,200 1500ms"
_TOUCH_AT = re.compile(
    r"^\s*(?P<verb>double[- ]?tap|tap|long[- ]?press)\s+(?:(?P<label>[\w' -]{0,40}?)\s+)?(?:at\s+)?"
    + _point("p")
    + r"(?:\s+(?P<ms>\d+)\s*ms)?\s*$",
    re.I,
)
#: "swipe left", "swipe up from 200,400", "swipe left (300,400)->(100,400)", "swipe 10,20 -> 30,40"
_SWIPE = re.compile(
    r"^\s*swipe(?:\s+(?P<dir>left|right|up|down))?(?:\s+(?P<label>[\w' -]{0,40}?))??"
    r"(?:\s+(?:from\s+)?" + _point("a") + r"(?:\s*(?:->|to)\s*" + _point("b") + r")?)?\s*$",
    re.I,
)
#: "tap Start", "long-press the menu button": a touch on something to find first
_TOUCH_TARGET = re.compile(r"^\s*(?P<verb>double[- ]?tap|tap|long[- ]?press)\s+(?:on\s+)?(?P<what>.+?)\s*$", re.I)


@dataclass(frozen=True)
class Step:
    """What an instruction asks for: an action to run as is, a touch on something to find first, a
    wording to refuse (with how to say it), or, with all None, something to look up on the screen."""

    action: Action | ActionBase | None = None
    touch: tuple[str, str] | None = None
    refused: str | None = None


def parse(instruction: str, viewport: tuple[int, int]) -> Step:
    """The one reading of a worded step; see the module docstring for the forms."""
    literal = literal_action(instruction) or touch_literal(instruction, viewport)
    if literal is not None:
        return Step(action=literal)
    key = key_from_instruction(instruction)
    if key:
        return Step(action=PressKey(key=key, times=times_in(instruction)))
    touch = touch_verb(instruction)  # "tap Start", "long-press the bomb": find it, then touch it
    if touch is not None:
        return Step(touch=touch)
    if instruction.lstrip().lower().startswith("swipe"):
        return Step(refused=f"{instruction!r}: say swipe left|right|up|down [from X,Y], or swipe X1,Y1 -> X2,Y2")
    return Step()


def literal_action(instruction: str) -> Action | None:
    """Instructions that need no lookup: "click at 640,500", "double-click 10,20", "type Alice", "wait 500"."""
    if match := _CLICK_AT.match(instruction):
        return ClickAt(x=float(match.group(2)), y=float(match.group(3)), double=bool(match.group(1)))
    if match := _TYPE.match(instruction):
        return TypeText(text=match.group(1)[:200])
    if match := _WAIT.match(instruction):
        ms = int(match.group(1)) * (1000 if (match.group(2) or "").lower() == "s" else 1)
        return Wait(ms=min(ms, MAX_WAIT_MS))
    return None


def times_in(instruction: str) -> int:
    """ "press space 3 times" -> 3."""
    match = re.search(r"\b(\d{1,2})\s*(?:times|x)\b", instruction)
    return int(match.group(1)) if match else 1


def touch_literal(instruction: str, viewport: tuple[int, int]) -> ActionBase | None:
    """Touch wording that needs no lookup (the form every touch action describes itself in, so a
    description is itself a step for `--game-start` or act()): a tap or long press at a point, a swipe."""
    if match := _TOUCH_AT.match(instruction):
        x, y = float(match.group("px")), float(match.group("py"))
        verb = match.group("verb").lower().replace(" ", "-")
        label = (match.group("label") or "").strip()
        label = "" if label.lower() == "at" else label
        if verb.startswith("long"):
            ms = int(match.group("ms") or LONG_PRESS_MS)
            return LongPress(x=x, y=y, label=label, ms=min(max(ms, 300), 3000))
        return Tap(x=x, y=y, label=label, double=verb.startswith("double"))
    if match := _SWIPE.match(instruction):
        direction = (match.group("dir") or "").lower()
        label = (match.group("label") or "").strip()
        start = (float(match.group("ax")), float(match.group("ay"))) if match.group("ax") else None
        end = (float(match.group("bx")), float(match.group("by"))) if match.group("bx") else None
        if start is not None and end is not None:
            return Swipe(x1=start[0], y1=start[1], x2=end[0], y2=end[1], label=label)
        if direction:
            return swipe_towards(direction, (0, 0, viewport[0], viewport[1]), start=start, label=label)
    return None


def touch_verb(instruction: str) -> tuple[str, str] | None:
    """("tap" | "double-tap" | "long-press", what to find) for "tap Start"; None for other wording."""
    match = _TOUCH_TARGET.match(instruction)
    if not match:
        return None
    verb = match.group("verb").lower().replace(" ", "-")
    verb = {"doubletap": "double-tap", "longpress": "long-press"}.get(verb, verb)
    return verb, match.group("what")
