"""One game's browser context and page: opened, loaded with retries, photographed, always closed.

A game whose main thread hangs makes every Playwright page call wait forever, so every call here goes
through `bounded()`; the caller decides what a timeout means (usually: the game froze).
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, CDPSession, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from ..monitor.pixels import Thumbnail, decode_png

T = TypeVar("T")
PROBE_JS = (Path(__file__).parent.parent / "monitor" / "probe.js").read_text(encoding="utf-8")
#: the page's per-second budget on console messages and uncaught errors (monitor/budget.js): a flood is
#: dropped before it crosses DevTools, so it costs neither the pytest process nor the run's wall time
BUDGET_JS = (Path(__file__).parent.parent / "monitor" / "budget.js").read_text(encoding="utf-8")
#: reads the text games draw on 2D canvases (dom/canvas_text.js): the player's cheapest way to read a prompt
CANVAS_TEXT_JS = (Path(__file__).parent.parent / "dom" / "canvas_text.js").read_text(encoding="utf-8")
#: what the game draws, as things with positions (dom/scene.js): how the player tells a reaction apart
SCENE_JS = (Path(__file__).parent.parent / "dom" / "scene.js").read_text(encoding="utf-8")
THUMB_WIDTH = 160


#: a capture that took longer than this (s) shows a heavy page: software WebGL drawing a frame in a second
#: or more (a capture waits for a new frame and reads it back); a page at 60 fps captures in ~0.1 s
HEAVY_CAPTURE_S = 1.0


def _one_script(*sources: str) -> str:
    """The init scripts as one (one round trip to the browser instead of one each), in the same order.
    Each stays on its own: one that throws does not stop the next, and its error still surfaces (thrown
    again from a timer, as it would have been from its own script)."""
    return "\n".join(f"try {{\n{src}\n}} catch (e) {{ setTimeout(() => {{ throw e; }}); }}" for src in sources)


#: the budget first (it caps what the probe and the game print), then the probe and the two readers
INIT_JS = _one_script(BUDGET_JS, PROBE_JS, CANVAS_TEXT_JS, SCENE_JS)


class PageHung(Exception):
    """A page call did not answer in time: the page's main thread is most likely stuck."""


class Clock:
    """Seconds since the game started loading, the time base of every issue and action.

    The agent, its player and its reach logic take time only from here (now, elapsed, sleep), so a
    test passes a `FakeClock` and runs them without waiting in real time.
    """

    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def now(self) -> float:
        return round(time.monotonic() - self.t0, 3)

    def elapsed(self) -> float:
        """Unrounded seconds since t0: for deadlines and paces (`now()` is for the record)."""
        return time.monotonic() - self.t0

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock(Clock):
    """A clock that moves only when told to, or when slept on: `sleep()` advances it at once (one loop
    step, so other tasks still run), so code that waits seconds is tested in microseconds."""

    def __init__(self, start: float = 0.0) -> None:
        self.t0 = 0.0
        self.t = start
        self.slept: list[float] = []

    def advance(self, seconds: float) -> None:
        self.t += seconds

    def now(self) -> float:
        return round(self.t, 3)

    def elapsed(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


async def bounded(aw: Awaitable[T], timeout: float, what: str) -> T:
    try:
        return await asyncio.wait_for(aw, timeout)
    except asyncio.TimeoutError:
        raise PageHung(f"{what} did not answer within {timeout:g} s") from None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


_NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "host not found",
    "ERR_CONNECTION_REFUSED": "connection refused",
    "ERR_CONNECTION_TIMED_OUT": "connection timed out",
    "ERR_ADDRESS_UNREACHABLE": "address unreachable",
    "ERR_INTERNET_DISCONNECTED": "no network",
    "ERR_CERT_": "TLS certificate rejected",
    "ERR_EMPTY_RESPONSE": "the server sent an empty response",
    "ERR_CONNECTION_RESET": "connection reset",
}


def describe_load_error(error: Exception, url: str, timeout_s: float) -> str:
    if isinstance(error, PlaywrightTimeout | asyncio.TimeoutError | PageHung):
        return f"{url} did not finish loading within {timeout_s:g} s"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    match = re.search(r"net::(ERR_[A-Z_]+)", text)
    if match:
        code = match.group(1)
        human = next((v for k, v in _NET_ERRORS.items() if code.startswith(k)), code)
        return f"could not load {url}: {human} (net::{code})"
    return f"could not load {url}: {text}"


class GameSession:
    """The browser side of one game test."""

    def __init__(self, browser: Browser, *, viewport: tuple[int, int], clock: Clock) -> None:
        self.browser = browser
        #: the device's screen in CSS pixels (the context's viewport)
        self.screen = viewport
        #: the page's visible area in its own CSS pixels: what input coordinates, DOM boxes and captures
        #: use. The screen, except on a phone showing a page without <meta name=viewport> zoomed out
        #: (see fit_zoomed_page)
        self.viewport = viewport
        self.mobile = False
        self.clock = clock
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.cdp: CDPSession | None = None
        self.closing = False
        self.load_s: float | None = None
        #: device pixels per CSS pixel of the context (a phone's 2.625); captures are scaled back to CSS pixels
        self.scale_factor = 1.0
        #: run once the context exists, before the game's page opens (tracing must see the load)
        self.on_context: list[Callable[[BrowserContext], Awaitable[None]]] = []
        #: DevTools captures with different scales interfere when they overlap (tiled, mixed images), and a
        #: capture during a touch gesture makes its touchstart uncancelable: both hold this lock
        self.capture_lock = asyncio.Lock()
        #: seconds the last full-size capture took (software WebGL reads its frame back: seconds)
        self.capture_s = 0.0

    async def open(
        self,
        on_event: Callable[[dict[str, Any]], None],
        context_args: dict[str, Any] | None = None,
    ) -> Page:
        args: dict[str, Any] = {
            "viewport": {"width": self.viewport[0], "height": self.viewport[1]},
            "ignore_https_errors": True,
            **(context_args or {}),
        }
        self.context = await bounded(self.browser.new_context(**args), 30, "creating a browser context")
        for hook in self.on_context:
            await hook(self.context)

        def binding(_source: Any, event: dict[str, Any]) -> None:
            on_event(event)

        await bounded(self.context.expose_binding("__gameqa_emit", binding), 10, "exposing the probe")
        await bounded(self.context.add_init_script(INIT_JS), 10, "adding the probe, the budget and the readers")
        self.page = await bounded(self.context.new_page(), 30, "opening a page")
        self.cdp = await bounded(self.context.new_cdp_session(self.page), 10, "opening a DevTools session")
        await self._mirror_device_metrics(args)
        return self.page

    async def _mirror_device_metrics(self, args: dict[str, Any]) -> None:
        """Give our DevTools session the device's metrics too.

        Emulation is per DevTools session: a clipped capture from a session without the override renders
        the page at its default metrics and leaves it there (a phone's devicePixelRatio drops to 1 and stays,
        checked on Chromium 156). With the same override here, captures keep the device's screen.
        """
        self.scale_factor = float(args.get("device_scale_factor") or 1.0)
        self.mobile = bool(args.get("is_mobile"))
        if self.scale_factor == 1.0 and not self.mobile:
            return
        assert self.cdp is not None
        metrics = {
            "width": self.screen[0],
            "height": self.screen[1],
            "deviceScaleFactor": self.scale_factor,
            "mobile": bool(args.get("is_mobile")),
        }
        await bounded(self.cdp.send("Emulation.setDeviceMetricsOverride", metrics), 10, "setting device metrics")

    async def load(self, url: str, *, attempts: int, timeout_s: float) -> str | None:
        """Navigate with retries and backoff; returns None on success, else why it failed."""
        assert self.page is not None
        reason = None
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
            try:
                response = await bounded(
                    self.page.goto(url, wait_until="load", timeout=timeout_s * 1000),
                    timeout_s + 5,
                    "loading the page",
                )
            except (PlaywrightError, PageHung) as error:
                reason = describe_load_error(error, url, timeout_s)
                if "net::ERR_ABORTED" in str(error) and self.page.url.startswith("http"):
                    reason = None  # a game that redirects itself while loading; it did load
                    break
                continue
            if response is not None and response.status >= 400:
                reason = f"HTTP {response.status} {response.status_text or ''}".rstrip() + f" for {url}"
                if response.status < 500:
                    break  # a 404 will not fix itself; a 503 might
                continue
            reason = None
            break
        self.load_s = self.clock.now()
        return reason

    async def fit_zoomed_page(self) -> bool:
        """Follow a phone's zoom: a page without `<meta name=viewport>` is laid out 980 px wide and shown
        at about 0.42 on a 412 px screen. Input and DOM boxes stay in the page's CSS pixels (checked on
        Chromium 156: a touch at a button's layout centre hits it), so the player's coordinate space and
        the captures become the page's visible area, 980 x 2000 or so, instead of the screen's 412 x 839,
        which would show only its top-left corner. True when the area changed."""
        if not self.mobile or self.page is None:
            return False
        try:
            width, height, zoom = await self.evaluate(
                "[visualViewport.width, visualViewport.height, visualViewport.scale]", timeout=3.0
            )
        except (PageHung, PlaywrightError, TypeError, ValueError):
            return False
        area = (max(1, round(width)), max(1, round(height)))
        if abs(float(zoom) - 1.0) < 0.01 or area == self.viewport:
            return False
        self.viewport = area
        return True

    async def evaluate(self, expression: str, timeout: float = 3.0, arg: Any = None) -> Any:
        assert self.page is not None
        return await bounded(self.page.evaluate(expression, arg), timeout, "the page")

    async def screenshot(self, fmt: str = "jpeg", scale: float = 1.0, quality: int = 70) -> bytes:
        """A viewport capture through DevTools: fast, and able to downscale in the browser."""
        assert self.cdp is not None
        params: dict[str, Any] = {
            "format": fmt,
            "captureBeyondViewport": False,
            "optimizeForSpeed": True,
            "clip": {
                "x": 0,
                "y": 0,
                "width": self.viewport[0],
                "height": self.viewport[1],
                "scale": scale / self.scale_factor,
            },
        }
        if fmt == "jpeg":
            params["quality"] = quality
        async with self.capture_lock:
            started = time.monotonic()
            try:
                result = await bounded(self.cdp.send("Page.captureScreenshot", params), 5, "taking a screenshot")
            finally:
                self.capture_s = time.monotonic() - started
        return base64.b64decode(result["data"])

    @property
    def heavy(self) -> bool:
        """Captures cost seconds: the page draws with software WebGL (or the machine is overloaded)."""
        return self.capture_s > HEAVY_CAPTURE_S

    async def thumbnail(self) -> Thumbnail:
        data = await self.screenshot("png", scale=THUMB_WIDTH / self.viewport[0])
        return decode_png(data)

    async def close(self) -> None:
        self.closing = True
        if self.context is not None:
            try:
                await asyncio.wait_for(self.context.close(), 10)
            except (asyncio.TimeoutError, PlaywrightError):
                pass
        self.context = None
