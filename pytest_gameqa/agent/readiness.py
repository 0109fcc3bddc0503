"""When is a game ready to play? Something painted, the network quiet, no "Loading" text left.

Games stream assets and show progress bars for seconds after the load event; playing (or judging the
screen blank or frozen) before that would report the loading screen, not the game.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from ..browser.session import Clock, GameSession, PageHung
from ..dom.detector import UIDetector
from ..monitor.monitor import GameMonitor
from .reading import gate_text

LOADING_TEXT = re.compile(r"\bloading\b|\b\d{1,2}\s*%", re.I)
QUIET_S = 0.5
#: how often the page is looked at while it loads: four times a second sees the first frame soon enough
LOOK_EVERY_S = 0.25
#: a drawn screen with no loading text is ready after this long, even while requests keep going
BUSY_NETWORK_S = 4.0


class NetworkActivity:
    """Counts requests in flight, from the page's request events."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.inflight = 0
        self.last = float("-inf")  # nothing requested yet: quiet

    def attach(self, page: Page) -> None:
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, _request: Any) -> None:
        self.inflight += 1
        self.last = self.clock.elapsed()

    def _ended(self, _request: Any) -> None:
        self.inflight = max(0, self.inflight - 1)
        self.last = self.clock.elapsed()

    @property
    def quiet(self) -> bool:
        return self.inflight == 0 and self.clock.elapsed() - self.last > QUIET_S


async def wait_until_ready(
    session: GameSession,
    detector: UIDetector,
    network: NetworkActivity,
    monitor: GameMonitor,
    *,
    cap_s: float,
    blank_after_s: float,
) -> None:
    """Return once the game is ready, or after `cap_s`.

    A screen that stays one flat colour with nothing loading for `blank_after_s` is as ready as it will
    get: that is the blank-screen defect, reported here without waiting for the cap.
    """
    assert session.page is not None
    clock = session.clock  # the game's clock: a test's FakeClock waits no real time
    started = clock.elapsed()
    deadline = started + cap_s
    flat_since: float | None = None
    while clock.elapsed() < deadline:
        quiet = network.quiet
        try:
            view = await detector.scan(session.page)
            text = view.all_text
            if LOADING_TEXT.search(text) and gate_text(view) is None:
                # still loading and asking for nothing: a cheap look (no capture, which on a heavy
                # WebGL page waits for a frame that takes seconds to draw); nothing below would return
                flat_since = None
                await clock.sleep(LOOK_EVERY_S)
                continue
            thumb = await session.thumbnail()
        except (PageHung, PlaywrightError, ValueError):
            await clock.sleep(LOOK_EVERY_S)
            continue
        if not thumb.is_flat() and gate_text(view) is not None:
            return  # the game asks for a way in: it is ready enough, whatever else still streams in
        if not thumb.is_flat() and not LOADING_TEXT.search(text) and clock.elapsed() - started >= BUSY_NETWORK_S:
            return  # drawn, nothing says "loading": a network that never goes quiet must not eat the run
        if quiet and not LOADING_TEXT.search(text):
            if not thumb.is_flat():
                return
            flat_since = flat_since or clock.elapsed()
            if clock.elapsed() - flat_since >= blank_after_s:
                monitor.report_blank(thumb)
                return
        else:
            flat_since = None
        await clock.sleep(LOOK_EVERY_S)
