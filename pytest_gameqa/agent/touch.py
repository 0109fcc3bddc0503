"""Touch input: taps, swipes and long presses, as a phone player's finger makes them.

A game made for phones often listens only to `touchstart`/`touchmove`/`touchend` (or to pointer events
it filters on `pointerType == "touch"`): a mouse click or drag never reaches it. These actions send
real touch input through DevTools (`Input.dispatchTouchEvent`), so Chromium makes the same events a
finger does: touch events, pointer events of type "touch", and for a tap the compatibility mouse
events and `click`. DevTools touch input works in any context (checked on Chromium 156), so a recorded
tap replays even without a touch device; the player itself taps only on a touch context (`--device`).

Every DevTools call is bounded (a hung page would otherwise hang it), and a finger that went down is
always lifted (touchEnd, or touchCancel when something failed in between): the page is never left with
a finger on its screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
from collections.abc import Callable
from typing import Any, Literal

from playwright.async_api import Error as PlaywrightError
from pydantic import Field, model_validator

from ..browser.session import PageHung, bounded
from ..models import ObserveResult
from .inputs import CLICK_HOLD_MS, INPUT_TIMEOUT, TWO_FRAMES, ActionBase, InputContext, drawn_text_now

#: how long a long press holds: above the 500-600 ms games and browsers take for "long"
LONG_PRESS_MS = 800
#: a swipe's finger moves this long in all; games read a swipe as fast movement (< ~500 ms)
SWIPE_MS = 240
#: touchmove events per swipe: enough for a game to follow the finger, few enough to stay fast
SWIPE_MOVES = 6
#: gap between the two taps of a double tap (under the ~300 ms a double tap allows)
DOUBLE_TAP_GAP_S = 0.12
DIRECTIONS = ("left", "right", "up", "down")


# ------------------------------------------------------------------------------------------------ dispatch
async def _send(ctx: InputContext, kind: str, points: list[tuple[float, float]]) -> None:
    cdp = ctx.cdp
    if cdp is None:
        raise ValueError("touch input needs the page's DevTools session, and there is none")
    touch_points = [{"x": x, "y": y} for x, y in points]
    await bounded(
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touch_points}), INPUT_TIMEOUT, "a touch"
    )


async def _lift_on_failure(ctx: InputContext) -> None:
    """A touchCancel after a failure mid-gesture: the page must not keep a finger down."""
    with contextlib.suppress(PageHung, PlaywrightError, ValueError):
        cdp = ctx.cdp
        if cdp is not None:
            await bounded(
                cdp.send("Input.dispatchTouchEvent", {"type": "touchCancel", "touchPoints": []}), 1.0, "a touch"
            )


async def _frames(ctx: InputContext) -> None:
    """Two of the game's frames (bounded): an engine that polls touches once a frame sees the finger."""
    with contextlib.suppress(PageHung, PlaywrightError):
        await bounded(ctx.page.evaluate(TWO_FRAMES), 1.0, "a touch")


async def touch_hold(ctx: InputContext, x: float, y: float, hold_s: float) -> None:
    """Finger down at (x, y), held `hold_s` (and two frames), then lifted."""
    async with ctx.finger_down():
        await _send(ctx, "touchStart", [(x, y)])
        try:
            await asyncio.sleep(hold_s)
            await _frames(ctx)
            await _send(ctx, "touchEnd", [])
        except BaseException:
            await _lift_on_failure(ctx)
            raise


async def touch_path(ctx: InputContext, points: list[tuple[float, float]], ms: int) -> None:
    """Finger down on the first point, moved through the rest over about `ms`, lifted on the last.

    A few moves, paced by the clock: each DevTools touch waits for the renderer's acknowledgement (one
    frame, ~35 ms on a loaded 2-core machine), so many small moves would stretch a swipe into a drag."""
    per_leg = max(1, SWIPE_MOVES // max(1, len(points) - 1))
    path: list[tuple[float, float]] = []
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        path += [(x1 + (x2 - x1) * i / per_leg, y1 + (y2 - y1) * i / per_leg) for i in range(1, per_leg + 1)]
    loop = asyncio.get_running_loop()
    async with ctx.finger_down():
        await _send(ctx, "touchStart", [points[0]])
        started = loop.time()
        try:
            for i, point in enumerate(path, 1):
                await asyncio.sleep(max(0.0, started + ms / 1000 * i / len(path) - loop.time()))
                await _send(ctx, "touchMove", [point])
            await _send(ctx, "touchEnd", [])
        except BaseException:
            await _lift_on_failure(ctx)
            raise


# ------------------------------------------------------------------------------------------------ actions
class _Touching(ActionBase):
    """A touch at a point, or on a found target (its box is looked up again at touch time)."""

    type: str  # each touch names itself (a Literal in the subclass); declared here so it comes first in JSON
    x: float | None = Field(default=None, description="page x in CSS pixels, inside the viewport")
    y: float | None = Field(default=None, description="page y in CSS pixels, inside the viewport")
    target: ObserveResult | None = Field(default=None, description="a candidate returned by observe()")
    label: str = Field(default="", description="what is being touched, for the report")
    follow: str = Field(
        default="", description="text drawn on a canvas to touch where it is now (a moving button), not where it was"
    )

    @model_validator(mode="after")
    def _somewhere(self) -> _Touching:
        if self.target is None and (self.x is None or self.y is None):
            raise ValueError("a touch needs x and y, or a target")
        return self

    def _what(self, verb: str) -> str:
        if self.target is not None:
            # the detector's wording ("click 'Start'", "click the 412x839 canvas") with the touch verb
            return verb + " " + re.sub(r"^(click|press|type into)\s+", "", self.target.description)
        return f"{verb} {self.label or 'at'} ({int(self.x or 0)},{int(self.y or 0)})"

    def _name(self, verb: str) -> str:
        if self.target is not None:
            return f"{verb} " + (self.target.text[:30] or self.target.kind)
        return f"{verb} " + (self.label or "point")

    @property
    def point(self) -> tuple[float, float] | None:
        if self.target is not None:
            box = self.target.bbox
            return box.center if box is not None and not self.target.frame_url else None
        return (float(self.x or 0), float(self.y or 0))

    def retarget(self, resolve: Callable[[ObserveResult], ObserveResult | None]) -> ActionBase | None:
        if self.target is None:
            return self
        target = resolve(self.target)
        return self.model_copy(update={"target": target}) if target is not None else None

    async def where(self, ctx: InputContext) -> tuple[float, float]:
        """Where to put the finger now: the target's box as it is now, a drawn text where it is now."""
        if self.target is not None:
            x, y = await _target_point(ctx, self.target)
        else:
            x, y = await drawn_text_now(ctx, self.follow, float(self.x or 0), float(self.y or 0))
        ctx.check_point(x, y)
        return x, y


async def _target_point(ctx: InputContext, target: ObserveResult) -> tuple[float, float]:
    """The centre of a found element as it is now (it may have moved), else of the box it was found in."""
    if target.selector:
        page = ctx.page
        frame = page.main_frame
        if target.frame_url:
            frame = next((f for f in page.frames if f.url == target.frame_url), None) or page.main_frame
        with contextlib.suppress(PageHung, PlaywrightError):
            box = await bounded(frame.locator(target.selector).first.bounding_box(timeout=1500), 3.0, "a tap")
            if box and box["width"] > 0 and box["height"] > 0:
                return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if target.bbox is None:
        raise ValueError(f"{target.description}: nothing to tap (not on the page, no box)")
    return target.bbox.center


class Tap(_Touching):
    """A finger's tap: touch events, touch pointer events and the click a browser makes of them."""

    type: Literal["tap"] = "tap"
    double: bool = Field(default=False, description="a double tap")

    def describe(self) -> str:
        return self._what("double-tap" if self.double else "tap")

    async def run(self, ctx: InputContext) -> None:
        x, y = await self.where(ctx)
        # held like a click (CLICK_HOLD_MS and two frames): an engine polling once a frame sees it
        await touch_hold(ctx, x, y, CLICK_HOLD_MS / 1000)
        if self.double:
            await asyncio.sleep(DOUBLE_TAP_GAP_S)
            await touch_hold(ctx, x, y, CLICK_HOLD_MS / 1000)

    @property
    def input_name(self) -> str:
        return self._name("double-tap" if self.double else "tap")


class LongPress(_Touching):
    """A finger held still: how touch games open menus, charge a jump, or start ("hold to start")."""

    type: Literal["long_press"] = "long_press"
    ms: int = Field(default=LONG_PRESS_MS, ge=300, le=3000, description="how long the finger stays down")

    def describe(self) -> str:
        return self._what("long-press")

    async def run(self, ctx: InputContext) -> None:
        x, y = await self.where(ctx)
        await touch_hold(ctx, x, y, self.ms / 1000)

    @property
    def input_name(self) -> str:
        return "long-press"


class Swipe(ActionBase):
    """A finger moved fast across the screen: how touch games steer, jump, slide tiles and fling."""

    type: Literal["swipe"] = "swipe"
    x1: float = Field(description="page x where the finger goes down")
    y1: float = Field(description="page y where the finger goes down")
    x2: float = Field(description="page x where the finger lifts")
    y2: float = Field(description="page y where the finger lifts")
    ms: int = Field(default=SWIPE_MS, ge=50, le=2000, description="how long the finger moves")
    label: str = ""

    @property
    def direction(self) -> str:
        dx, dy = self.x2 - self.x1, self.y2 - self.y1
        if abs(dx) >= abs(dy):
            return "right" if dx >= 0 else "left"
        return "down" if dy > 0 else "up"

    def describe(self) -> str:
        label = f"{self.label} " if self.label else ""
        return f"swipe {self.direction} {label}({int(self.x1)},{int(self.y1)})->({int(self.x2)},{int(self.y2)})"

    async def run(self, ctx: InputContext) -> None:
        ctx.check_point(self.x1, self.y1)
        ctx.check_point(self.x2, self.y2)
        await touch_path(ctx, [(self.x1, self.y1), (self.x2, self.y2)], self.ms)

    @property
    def input_name(self) -> str:
        return f"swipe {self.direction}"

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.x1, self.y1)


def swipe_towards(
    direction: str, box: tuple[float, float, float, float], *, start: tuple[float, float] | None = None, label: str = ""
) -> Swipe:
    """A swipe in `direction` over the box (x, y, width, height): from its centre (or `start`), over
    35 % of the box's size along that axis, kept inside the box."""
    bx, by, bw, bh = box
    x1, y1 = start if start is not None else (bx + bw / 2, by + bh / 2)
    dx = {"left": -1, "right": 1}.get(direction, 0) * bw * 0.35
    dy = {"up": -1, "down": 1}.get(direction, 0) * bh * 0.35
    x2 = min(max(x1 + dx, bx + 2), bx + bw - 2)
    y2 = min(max(y1 + dy, by + 2), by + bh - 2)
    return Swipe(x1=round(x1), y1=round(y1), x2=round(x2), y2=round(y2), label=label)


# ------------------------------------------------------------------------------------------------ wording
def touch_on(verb: str, target: ObserveResult) -> ActionBase:
    """The touch `verb` on a found target."""
    if verb == "long-press":
        return LongPress(target=target)
    return Tap(target=target, double=verb == "double-tap")


# ------------------------------------------------------------------------------------------------ the page
TOUCH_TYPES = frozenset({"touchstart", "touchmove", "touchend"})
#: input a desktop player's mouse or keyboard reaches
DESKTOP_TYPES = frozenset(
    {
        "mousedown",
        "mouseup",
        "mousemove",
        "click",
        "dblclick",
        "pointerdown",
        "pointerup",
        "keydown",
        "keyup",
        "keypress",
    }
)


async def listens_to_touch_only(cdp: Any) -> bool:
    """Whether the top page has touch listeners and none a mouse or keyboard could reach (window,
    document and every element, through DevTools' own listener list): a game for phones only.

    Asked when a desktop player never got in, so the failure can say to try a touch device. Bounded;
    any trouble answers False (no hint rather than a wrong one).
    """
    if cdp is None:
        return False
    group = "gameqa-touch-check"
    found: set[str] = set()
    try:
        for expression, depth in (("window", 0), ("document", -1)):
            remote = await bounded(
                cdp.send("Runtime.evaluate", {"expression": expression, "objectGroup": group}), 2.0, "the page"
            )
            object_id = remote.get("result", {}).get("objectId")
            if not object_id:
                continue
            listeners = await bounded(
                cdp.send("DOMDebugger.getEventListeners", {"objectId": object_id, "depth": depth, "pierce": True}),
                2.0,
                "the page",
            )
            found.update(str(entry.get("type", "")) for entry in listeners.get("listeners", []))
    except (PageHung, PlaywrightError, asyncio.TimeoutError):
        return False
    finally:
        with contextlib.suppress(PageHung, PlaywrightError, asyncio.TimeoutError):
            await bounded(cdp.send("Runtime.releaseObjectGroup", {"objectGroup": group}), 1.0, "the page")
    return bool(found & TOUCH_TYPES) and not (found & DESKTOP_TYPES)
