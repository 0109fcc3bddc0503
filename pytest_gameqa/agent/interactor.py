"""Interactor: performs one Action with real Playwright input and leaves a before/after pair.

Real mouse, keyboard and touch events (not synthetic DOM events) because many engines ignore untrusted
events; touch goes through the page's DevTools session (agent/touch.py). Every call is bounded so that
a game that hangs mid-action cannot hang the test.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError

from ..browser.session import Clock, GameSession, PageHung, bounded
from ..models import ActionResult, ObserveResult
from ..report.artifacts import Evidence
from .actions import Action
from .inputs import CLICK_HOLD_MS, INPUT_TIMEOUT, TWO_FRAMES, press_pointer

SETTLE_MAX_S = 0.3
#: Shows a dot where the next pointer press lands, in whichever frame receives it; pointer-events
#: none, so it never takes a click itself. Removed again right after the after-screenshot.
MARK_JS = """() => {
  if (window.__gameqaMark) return;
  window.__gameqaMark = (e) => {
    const d = document.createElement('div');
    d.setAttribute('data-gameqa-marker', '');
    d.style.cssText = 'position:fixed;left:' + (e.clientX - 11) + 'px;top:' + (e.clientY - 11) + 'px;' +
      'width:16px;height:16px;border:3px solid #fff;border-radius:50%;background:#ff0050;' +
      'box-shadow:0 0 0 2px #000;z-index:2147483647;pointer-events:none;margin:0;padding:0';
    (document.body || document.documentElement).appendChild(d);
  };
  window.addEventListener('pointerdown', window.__gameqaMark, true);
}"""
CLEAR_JS = """() => {
  if (window.__gameqaMark) {
    window.removeEventListener('pointerdown', window.__gameqaMark, true);
    delete window.__gameqaMark;
  }
  document.querySelectorAll('[data-gameqa-marker]').forEach((d) => d.remove());
}"""


#: on a heavy page (captures cost seconds, see GameSession.heavy) an action starts from the screen the last
#: action ended on when that shot is this recent (s): a second capture would show the same frame, later
HEAVY_REUSE_S = 3.0
#: and its shots are half-size: reading back a software-WebGL frame costs in proportion to its pixels
HEAVY_SCALE = 0.5


class Interactor:
    def __init__(
        self,
        session: GameSession,
        evidence: Evidence,
        clock: Clock,
        *,
        game_url: str,
        fmt: str = "jpeg",
        scale: float = 1.0,
    ) -> None:
        self.session = session
        self.evidence = evidence
        self.clock = clock
        self.game_url = game_url
        self.fmt = fmt
        self.scale = scale
        self.count = 0
        self.hover_hits: list[tuple[float, float]] = []
        self._last_after: tuple[bytes, float] | None = None  # the last after-shot, and when

    @property
    def page(self) -> Page:
        assert self.session.page is not None
        return self.session.page

    @property
    def cdp(self) -> CDPSession | None:
        return self.session.cdp

    def finger_down(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """The session's capture lock, held for a whole touch gesture. A DevTools capture that overlaps a
        gesture makes Chromium send its touchstart as uncancelable: the game's preventDefault() is then
        ignored and logged as a console error the game never made (measured on Chromium 156; never with
        the capture before or after the gesture)."""
        return self.session.capture_lock

    async def _shot(self, index: int, phase: str, description: str) -> tuple[str | None, bytes | None]:
        heavy = getattr(self.session, "heavy", False)
        if phase == "before" and heavy and self._last_after is not None:
            data, taken = self._last_after
            if self.clock.elapsed() - taken <= HEAVY_REUSE_S:
                return self.evidence.save(index, phase, description, data), data
        try:
            data = await self.session.screenshot(self.fmt, self.scale * (HEAVY_SCALE if heavy else 1.0))
        except (PageHung, PlaywrightError):
            return None, None
        if phase == "after":
            self._last_after = (data, self.clock.elapsed())
        return self.evidence.save(index, phase, description, data), data

    async def perform(self, action: Action, policy: str = "heuristic", *, mark: bool = False) -> ActionResult:
        self.count += 1
        index = self.count
        description = action.describe()
        started = self.clock.elapsed()
        at_s = self.clock.now()
        before, before_bytes = await self._shot(index, "before", description)
        error = None
        if mark:
            await self._in_frames(MARK_JS)
        try:
            await action.run(self)
        except PageHung as exc:
            error = f"the game did not respond: {exc}"
        except PlaywrightError as exc:
            error = str(exc).splitlines()[0][:300]
        except ValueError as exc:
            error = str(exc)
        await self._settle()
        pause = getattr(action, "pause_after_s", 0.0)
        if pause and error is None:
            await self.clock.sleep(pause)  # what it did shows later (agent/actions.py, TYPED_APPLY_S)
        after, after_bytes = await self._shot(index, "after", description)
        if mark:
            await self._in_frames(CLEAR_JS)
            after_bytes = None  # the dot is no change of the game's: the agent's thumbnails tell
        changed = None if before_bytes is None or after_bytes is None else before_bytes != after_bytes
        return ActionResult(
            index=index,
            description=description,
            ok=error is None,
            error=error,
            at_s=at_s,
            duration_s=round(self.clock.elapsed() - started, 3),
            before=before,
            after=after,
            changed=changed,
            policy=policy,
            action=action.model_dump(mode="json"),
        )

    async def _in_frames(self, script: str) -> None:
        frames = [f for f in self.page.frames if not f.is_detached()]

        async def run(frame: Any) -> None:
            with contextlib.suppress(PlaywrightError, PageHung):
                await bounded(frame.evaluate(script), 1.0, "a frame")

        await asyncio.gather(*(run(f) for f in frames))

    async def _settle(self) -> None:
        """Let the game draw the input's effect: two animation frames (~33 ms at 60 fps), not a fixed wait."""
        try:
            await self.session.evaluate(TWO_FRAMES, timeout=SETTLE_MAX_S)
        except (PageHung, PlaywrightError):
            await asyncio.sleep(0.05)  # a hung page is the watchdog's business; a navigating one settles soon

    def check_point(self, x: float, y: float) -> None:
        width, height = self.session.viewport
        if not (0 <= x < width and 0 <= y < height):
            raise ValueError(f"point ({x:g},{y:g}) is outside the {width}x{height} viewport")

    async def click_target(self, target: ObserveResult, *, double: bool = False) -> None:
        """Click by selector in its frame; fall back to the mouse at its box when that is refused."""
        page = self.page
        if target.selector:
            frame = page.main_frame
            if target.frame_url:
                frame = next((f for f in page.frames if f.url == target.frame_url), None) or page.main_frame
            try:
                locator = frame.locator(target.selector).first
                await bounded(
                    locator.click(timeout=1500, click_count=2 if double else 1, delay=CLICK_HOLD_MS), 3.0, "a click"
                )
                return
            except PlaywrightError as error:
                if target.bbox is None:
                    reason = "matches nothing on the page" if "Timeout" in str(error) else str(error).splitlines()[0]
                    raise ValueError(f"{target.selector!r} {reason}") from None
        if target.bbox is None:
            raise ValueError(f"{target.description}: nothing to click (no selector, no box)")
        x, y = target.bbox.center
        self.check_point(x, y)
        if double:
            await bounded(page.mouse.click(x, y, click_count=2, delay=CLICK_HOLD_MS), INPUT_TIMEOUT, "a click")
        else:
            await press_pointer(page, x, y)
