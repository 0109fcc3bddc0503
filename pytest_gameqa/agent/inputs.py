"""What every action is built on: the input context it runs in, the base class, and a held press.

Split from actions.py so that the mouse-and-keyboard actions (actions.py) and the touch actions
(touch.py) share one base without importing each other; actions.py joins them into the `Action` union.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel

from ..browser.session import PageHung, bounded
from ..models import ObserveResult

if TYPE_CHECKING:
    from playwright.async_api import CDPSession, Page

INPUT_TIMEOUT = 5.0
#: a person's click holds the button for a few frames; engines that poll the pointer once a frame
#: (Hexi, many canvas button libraries) miss a press and release that land in the same frame
CLICK_HOLD_MS = 70

#: waits for two of the game's animation frames, with the native rAF (not counted as the game's frames)
TWO_FRAMES = (
    "() => new Promise((done) => { const raf = (window.__gameqa && window.__gameqa.raf) || requestAnimationFrame;"
    " raf(() => raf(done)); setTimeout(done, 500); })"
)

#: a click on a word inside running text: it shows an explanation (a glossary term) or walks a menu
#: ("click here to start"); only a number it changes (a word hunt's "Found: 2") is play
READING_CLICK = "click the word "


class InputContext(Protocol):
    """What an action needs to run: the page, its DevTools session, the viewport, a way to click a target."""

    page: Page
    game_url: str
    #: pointer positions where the page showed a hand cursor (filled by HoverScan)
    hover_hits: list[tuple[float, float]]

    @property
    def cdp(self) -> CDPSession | None:
        """The page's DevTools session: touch input is dispatched through it (works with or without a
        touch screen in the context, so a recorded tap replays anywhere)."""
        ...

    def finger_down(self) -> AbstractAsyncContextManager[Any]:
        """Held while a finger is on the screen: no screen capture may overlap a touch gesture."""
        ...

    def check_point(self, x: float, y: float) -> None: ...

    async def click_target(self, target: ObserveResult, *, double: bool = False) -> None: ...


class ActionBase(BaseModel):
    def describe(self) -> str:
        raise NotImplementedError

    async def run(self, ctx: InputContext) -> None:
        raise NotImplementedError

    @property
    def input_name(self) -> str:
        """What kind of input this is, for 'which inputs changed the game' (a key name, click, drag...)."""
        return self.describe()

    #: a key press or hold (the heuristic player weighs keys by how the game reacted to them)
    is_key: ClassVar[bool] = False

    @property
    def point(self) -> tuple[float, float] | None:
        """Where the pointer presses in the top page, when it does (a link there could leave the game)."""
        return None

    def retarget(self, resolve: Callable[[ObserveResult], ObserveResult | None]) -> ActionBase | None:
        """This action on the current page (a cached one): its target found again, or None if gone."""
        return self

    def on_touch(self) -> ActionBase | None:
        """This action as a finger makes it on a touch screen (a click becomes a tap, a drag a swipe), or
        None when a finger cannot (hovering). Keys and waits stay as they are: a phone game may take keys."""
        return self


async def press_pointer(page: Page, x: float, y: float) -> None:
    """A click held for at least two of the game's frames (and CLICK_HOLD_MS): a slow frame rate
    (software WebGL, a loaded CI machine) must not swallow a press and release into one frame."""
    mouse = page.mouse
    await bounded(mouse.move(x, y), INPUT_TIMEOUT, "a click")
    await bounded(mouse.down(), INPUT_TIMEOUT, "a click")
    try:
        await asyncio.sleep(CLICK_HOLD_MS / 1000)
        await bounded(page.evaluate(TWO_FRAMES), 1.0, "a click")
    except PageHung:
        pass  # a hung page is the watchdog's business: release anyway
    finally:
        await bounded(mouse.up(), INPUT_TIMEOUT, "a click")


#: the centre of a text drawn on a canvas of the top page, as of its latest frame (dom/canvas_text.js)
_DRAWN_AT = """(text) => {
  const found = typeof window.__gameqaText === "function" ? window.__gameqaText(80).find((d) => d.text === text) : null;
  return found ? [found.x + found.width / 2, found.y + found.height / 2] : null;
}"""


async def drawn_text_now(ctx: InputContext, text: str | None, x: float, y: float) -> tuple[float, float]:
    """Where a word drawn on the canvas is now (moving menus, bouncing buttons); (x, y) when it is gone or
    the page does not answer within a second."""
    if not text:
        return x, y
    try:
        now = await bounded(ctx.page.evaluate(_DRAWN_AT, text), 1.0, "the page")
    except PageHung:
        now = None
    return (float(now[0]), float(now[1])) if now else (x, y)
