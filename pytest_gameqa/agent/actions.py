"""The player's action set. Every way the agent (heuristic or model) touches the game is one of these.

Each action type describes itself (`describe`), runs itself with real Playwright input (`run`) and
says what a finger would do instead on a touch screen (`on_touch`: taps, swipes, long presses live in
touch.py), so the interactor, the players and the reports never switch on the action's type. The field descriptions
are read by the model (see llm/), so they say what a value means to a player. Nothing here can
navigate elsewhere or run script: the action set is the safety boundary.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ..browser.session import bounded
from ..models import ObserveResult
from .inputs import (
    CLICK_HOLD_MS,
    INPUT_TIMEOUT,
    READING_CLICK,
    ActionBase,
    InputContext,
    drawn_text_now,
    press_pointer,
)
from .keys import normalise_key
from .touch import LongPress, Swipe, Tap

_Base = ActionBase


class ClickElement(_Base):
    type: Literal["click_element"] = "click_element"
    target: ObserveResult = Field(description="a candidate returned by observe()")

    def describe(self) -> str:
        return self.target.description

    async def run(self, ctx: InputContext) -> None:
        await ctx.click_target(self.target)

    @property
    def input_name(self) -> str:
        if self.target.kind == "cell":
            return "click board"  # any cell of a board is the same input: a move (see ClickPair)
        if self.target.in_text:
            return READING_CLICK + self.target.text[:30]  # a glossary term: see entry.READING_CLICK
        return "click " + (self.target.text[:30] or self.target.kind)

    @property
    def point(self) -> tuple[float, float] | None:
        return self.target.bbox.center if self.target.bbox is not None and not self.target.frame_url else None

    def retarget(self, resolve: Callable[[ObserveResult], ObserveResult | None]) -> _Base | None:
        target = resolve(self.target)
        return ClickElement(target=target) if target is not None else None

    def on_touch(self) -> _Base | None:
        return Tap(target=self.target)


class ClickAt(_Base):
    type: Literal["click_at"] = "click_at"
    x: float = Field(description="page x in CSS pixels, inside the viewport")
    y: float = Field(description="page y in CSS pixels, inside the viewport")
    label: str = Field(default="", description="what is being clicked, for the report")
    double: bool = Field(default=False, description="a double-click")
    follow: str = Field(
        default="", description="text drawn on a canvas to click where it is now (a moving button), not where it was"
    )

    def describe(self) -> str:
        verb = "double-click" if self.double else "click"
        return f"{verb} {self.label or 'at'} ({int(self.x)},{int(self.y)})"

    async def run(self, ctx: InputContext) -> None:
        x, y = await drawn_text_now(ctx, self.follow, self.x, self.y)
        ctx.check_point(x, y)
        if self.double:
            await bounded(ctx.page.mouse.click(x, y, click_count=2, delay=CLICK_HOLD_MS), INPUT_TIMEOUT, "a click")
        else:
            await press_pointer(ctx.page, x, y)

    @property
    def input_name(self) -> str:
        return ("double-click " if self.double else "click ") + (self.label or "point")

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.x, self.y)

    def on_touch(self) -> _Base | None:
        return Tap(x=self.x, y=self.y, label=self.label, double=self.double, follow=self.follow)


class Drag(_Base):
    type: Literal["drag"] = "drag"
    x1: float
    y1: float
    x2: float
    y2: float
    label: str = ""

    def describe(self) -> str:
        label = f"{self.label} " if self.label else ""
        return f"drag {label}({int(self.x1)},{int(self.y1)})->({int(self.x2)},{int(self.y2)})"

    async def run(self, ctx: InputContext) -> None:
        ctx.check_point(self.x1, self.y1)
        ctx.check_point(self.x2, self.y2)
        mouse = ctx.page.mouse
        await bounded(mouse.move(self.x1, self.y1), INPUT_TIMEOUT, "a drag")
        await bounded(mouse.down(), INPUT_TIMEOUT, "a drag")
        await bounded(mouse.move(self.x2, self.y2, steps=8), INPUT_TIMEOUT, "a drag")
        await bounded(mouse.up(), INPUT_TIMEOUT, "a drag")

    @property
    def input_name(self) -> str:
        return "drag " + (self.label or "")

    def on_touch(self) -> _Base | None:
        return Swipe(x1=self.x1, y1=self.y1, x2=self.x2, y2=self.y2, label=self.label)


class ClickPair(_Base):
    """Click one thing, then another: pick a piece and its square, a ship and its cell, a card and a pile."""

    type: Literal["click_pair"] = "click_pair"
    x1: float
    y1: float
    x2: float
    y2: float
    label: str = Field(default="", description="what is picked and where it goes, for the report")

    def describe(self) -> str:
        label = f"{self.label} " if self.label else ""
        return f"click {label}({int(self.x1)},{int(self.y1)}) then ({int(self.x2)},{int(self.y2)})"

    async def run(self, ctx: InputContext) -> None:
        ctx.check_point(self.x1, self.y1)
        ctx.check_point(self.x2, self.y2)
        await press_pointer(ctx.page, self.x1, self.y1)
        await asyncio.sleep(PAIR_GAP_S)
        await press_pointer(ctx.page, self.x2, self.y2)

    @property
    def input_name(self) -> str:
        return "click board"

    def on_touch(self) -> _Base | None:
        return None  # two taps are two actions on a touch screen


#: between the two clicks of a pair: a game that highlights the picked piece draws it first
PAIR_GAP_S = 0.15


class MovePointer(_Base):
    """Sweep the pointer along a path without pressing: how a mouse-steered game is played."""

    type: Literal["move"] = "move"
    points: list[tuple[float, float]] = Field(min_length=1, max_length=12, description="page points, in order")
    label: str = ""

    def describe(self) -> str:
        # the path's extent, not its ends: a sweep out and back starts and ends at the same point
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        where = f"x {int(min(xs))}-{int(max(xs))}, y {int(min(ys))}-{int(max(ys))}"
        return f"move the pointer {self.label + ' ' if self.label else ''}({where})"

    async def run(self, ctx: InputContext) -> None:
        for x, y in self.points:
            ctx.check_point(x, y)
            await bounded(ctx.page.mouse.move(x, y, steps=6), INPUT_TIMEOUT, "a pointer move")
            await asyncio.sleep(0.03)

    @property
    def input_name(self) -> str:
        return "move pointer"

    def on_touch(self) -> _Base | None:
        """A finger cannot hover: it slides across instead, from the first point to the farthest one
        (how a touch game is steered)."""
        x1, y1 = self.points[0]
        x2, y2 = max(self.points, key=lambda p: abs(p[0] - x1) + abs(p[1] - y1))
        if (x2, y2) == (x1, y1):
            return Tap(x=x1, y=y1, label=self.label)
        return Swipe(x1=x1, y1=y1, x2=x2, y2=y2, label=self.label)


class HoverScan(_Base):
    """Pass the pointer over a grid of points and note where the page shows a hand cursor.

    Engines that draw buttons on a canvas (Pixi, Phaser, Hexi...) set the canvas cursor to "pointer"
    over them, as a human tester notices when moving the mouse: a way to find an image button with no
    readable text and no model.
    """

    type: Literal["hover_scan"] = "hover_scan"
    x: float
    y: float
    width: float
    height: float
    columns: int = Field(default=5, ge=1, le=16)
    rows: int = Field(default=6, ge=1, le=12)

    def describe(self) -> str:
        return f"look for buttons under the pointer ({int(self.width)}x{int(self.height)} area)"

    async def run(self, ctx: InputContext) -> None:
        page = ctx.page
        hits: list[tuple[float, float]] = []
        for row in range(self.rows):
            for col in range(self.columns):
                x = self.x + self.width * (col + 0.5) / self.columns
                y = self.y + self.height * (row + 0.5) / self.rows
                ctx.check_point(x, y)
                await bounded(page.mouse.move(x, y), INPUT_TIMEOUT, "a pointer move")
                cursor = await bounded(page.evaluate(_CURSOR_AT, [x, y]), INPUT_TIMEOUT, "the page")
                if cursor == "pointer":
                    hits.append((round(x), round(y)))
        ctx.hover_hits = hits

    @property
    def input_name(self) -> str:
        return "hover"

    def on_touch(self) -> _Base | None:
        return None  # a touch screen has no pointer to hover with


# the engine updates its cursor on its next frame: wait for one, then read the element under the point
_CURSOR_AT = """([x, y]) => new Promise((done) => {
  const raf = (window.__gameqa && window.__gameqa.raf) || requestAnimationFrame;
  const read = () => { const el = document.elementFromPoint(x, y); done(el ? getComputedStyle(el).cursor : ""); };
  let fired = false;
  raf(() => { fired = true; read(); });
  setTimeout(() => { if (!fired) read(); }, 60);
})"""


class PressKey(_Base):
    is_key: ClassVar[bool] = True
    type: Literal["press"] = "press"
    key: str = Field(description="a Playwright key name such as ArrowLeft, Space, Enter, w")
    times: int = Field(default=1, ge=1, le=20, description="how many separate presses")

    def describe(self) -> str:
        return f"press {self.key}" + (f" x{self.times}" if self.times > 1 else "")

    async def run(self, ctx: InputContext) -> None:
        key = normalise_key(self.key)
        for i in range(self.times):
            await bounded(ctx.page.keyboard.press(key, delay=25), INPUT_TIMEOUT, "a key press")
            if i + 1 < self.times:
                await asyncio.sleep(0.04)

    @property
    def input_name(self) -> str:
        return normalise_key(self.key)


class HoldKey(_Base):
    is_key: ClassVar[bool] = True
    type: Literal["hold"] = "hold"
    key: str
    ms: int = Field(default=500, ge=50, le=3000, description="how long to keep the key down")

    def describe(self) -> str:
        return f"hold {self.key} {self.ms}ms"

    async def run(self, ctx: InputContext) -> None:
        key = normalise_key(self.key)
        await bounded(ctx.page.keyboard.down(key), INPUT_TIMEOUT, "a key hold")
        try:
            await asyncio.sleep(self.ms / 1000)
        finally:
            await bounded(ctx.page.keyboard.up(key), INPUT_TIMEOUT, "a key hold")

    @property
    def input_name(self) -> str:
        return normalise_key(self.key)


#: a typed field is often applied when typing pauses (search-as-you-type, a code editor: debounced input,
#: commonly 300-500 ms), so its after-look waits this long
TYPED_APPLY_S = 0.8


class TypeText(_Base):
    type: Literal["type"] = "type"
    text: str = Field(max_length=200)
    target: ObserveResult | None = None
    pause_after_s: ClassVar[float] = TYPED_APPLY_S

    def describe(self) -> str:
        return f"type {self.text[:30]!r}"

    async def run(self, ctx: InputContext) -> None:
        if self.target is not None:
            await ctx.click_target(self.target)
        await bounded(ctx.page.keyboard.type(self.text, delay=20), INPUT_TIMEOUT + len(self.text) * 0.05, "typing")

    @property
    def input_name(self) -> str:
        return "type text"

    def retarget(self, resolve: Callable[[ObserveResult], ObserveResult | None]) -> _Base | None:
        if self.target is None:
            return self
        target = resolve(self.target)
        return self.model_copy(update={"target": target}) if target is not None else None


class Wait(_Base):
    type: Literal["wait"] = "wait"
    ms: int = Field(default=500, ge=0, le=5000)

    def describe(self) -> str:
        return f"wait {self.ms}ms"

    async def run(self, ctx: InputContext) -> None:
        await asyncio.sleep(self.ms / 1000)


class ReturnToGame(_Base):
    """Reload the game's own URL after something took the page elsewhere; never another address."""

    type: Literal["return"] = "return"
    left_to: str = ""

    def describe(self) -> str:
        return "return to the game"

    async def run(self, ctx: InputContext) -> None:
        await bounded(ctx.page.goto(ctx.game_url, wait_until="load", timeout=30_000), 35, "returning to the game")


Action = Annotated[
    ClickElement
    | ClickAt
    | Drag
    | ClickPair
    | MovePointer
    | HoverScan
    | PressKey
    | HoldKey
    | TypeText
    | Wait
    | ReturnToGame
    | Tap
    | Swipe
    | LongPress,
    Field(discriminator="type"),
]


def action_for(target: ObserveResult, key: Callable[[str], str] = normalise_key, *, touch: bool = False) -> Action:
    """The one mapping from something observe() found to the action that uses it: a prompt that names
    a key is pressed, a text field is typed into, anything else is clicked (tapped on a touch screen)."""
    if target.method == "press" and target.arguments:
        return PressKey(key=key(target.arguments[0]))
    if target.method == "type":
        return TypeText(text=target.arguments[0] if target.arguments else "", target=target)
    return Tap(target=target) if touch else ClickElement(target=target)


def describe(action: Any) -> str:
    """Kept for callers that hold an action of any type (the model player, the cache)."""
    return action.describe()
