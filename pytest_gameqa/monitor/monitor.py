"""GameMonitor: turns everything the browser reports into Issues, and watches for hangs and freezes.

Events (errors, console, network, crashes) are pushed by Playwright; liveness and screen checks run in
a background watchdog so that a hung game is reported within seconds even while an action is stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from collections.abc import Callable
from typing import Any

from playwright.async_api import ConsoleMessage, Page, Request, Response
from playwright.async_api import Error as PlaywrightError

from ..browser.session import Clock, GameSession, PageHung, origin_of
from ..models import FATAL_KINDS, GameMetrics, Issue, IssueKind, MetricSample
from ..settings import GameSettings
from .pixels import Thumbnail

_STACK_LOCATION = re.compile(r"\(?((?:https?|file|blob):[^\s()]+?):(\d+):(\d+)\)?\s*$", re.M)
#: Chromium's own diagnostics (SwiftShader stalls caused by screenshots): not the game's doing.
_BROWSER_CHATTER = re.compile(r"GL Driver Message|\[\.WebGL-0x[0-9a-f]+\]", re.I)
_NOISE_WARNINGS = re.compile(r"autoplay|AudioContext was not allowed|play\(\) request was interrupted", re.I)


def _stack_location(stack: str | None) -> str | None:
    if not stack:
        return None
    match = _STACK_LOCATION.search(stack)
    return f"{match.group(1)}:{match.group(2)}:{match.group(3)}" if match else None


class GameMonitor:
    """Collects issues for one game; `fatal` is set the moment playing on becomes pointless."""

    def __init__(self, settings: GameSettings, clock: Clock, game_url: str) -> None:
        self.settings = settings
        self.clock = clock
        self.game_origin = origin_of(game_url)
        self.first_party: set[str] = {self.game_origin}
        self._issues: dict[tuple[str, str, str | None], Issue] = {}
        self.fatal = asyncio.Event()
        self.console_log: list[str] = []
        self.metrics = GameMetrics()
        self._t0_unix = time.time() - (time.monotonic() - clock.t0)
        self._doc_origin: float | None = None
        self._nav_at: float | None = None
        self._doc_marks: dict[str, float] = {}
        self._fps_window: list[float] = []
        self._raf_seen = False
        self.last_raf_at: float | None = None
        self._animated = False
        self._last_thumb: Thumbnail | None = None
        self.last_change_at = 0.0
        self._flat_since: float | None = None
        self.ready_at: float | None = None
        self.action_times: list[float] = []
        self.session: GameSession | None = None
        self.on_fatal: list[Callable[[Issue], None]] = []
        self.left_origin: str | None = None
        self._stopping = False

    # ------------------------------------------------------------------------------------------ issues
    @property
    def issues(self) -> list[Issue]:
        return sorted(self._issues.values(), key=lambda i: i.at_s)

    def record(
        self,
        kind: IssueKind,
        message: str,
        *,
        location: str | None = None,
        frame_url: str | None = None,
    ) -> Issue | None:
        message = message.strip() or kind.value
        if kind is not IssueKind.WARNING and self.settings.ignored(message):
            return None
        key = (kind.value, message, location)
        existing = self._issues.get(key)
        if existing is not None:
            existing.count += 1
            return existing
        issue = Issue(
            kind=kind,
            message=message[:2000],
            at_s=self.clock.now(),
            fatal=kind in FATAL_KINDS,
            location=location,
            frame_url=frame_url,
        )
        self._issues[key] = issue
        self.console_log.append(f"[{issue.at_s:7.2f}s] {kind.value}: {message[:300]}")
        if issue.fatal and not self.fatal.is_set():
            self.fatal.set()
            for callback in self.on_fatal:
                callback(issue)
        return issue

    def is_first_party(self, url: str) -> bool:
        return origin_of(url) in self.first_party

    # ------------------------------------------------------------------------------------------ events
    def attach(self, session: GameSession, page: Page) -> None:
        self.session = session
        page.on("pageerror", self._on_page_error)
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("crash", lambda _p: self.record(IssueKind.CRASH, "the game's renderer process crashed"))
        page.on("close", self._on_close)
        page.on("framenavigated", self._on_frame_navigated)
        session.browser.on("disconnected", self._on_disconnected)

    def _on_page_error(self, error: Any) -> None:
        name = getattr(error, "name", "") or "Error"
        message = getattr(error, "message", "") or str(error)
        stack = getattr(error, "stack", None)
        text = message if message.startswith(name) else f"{name}: {message}"
        self.record(IssueKind.PAGE_ERROR, text, location=_stack_location(stack))

    def _on_console(self, msg: ConsoleMessage) -> None:
        text = msg.text
        loc = msg.location or {}
        location = None
        if loc.get("url"):
            location = f"{loc['url']}:{loc.get('lineNumber', 0) + 1}:{loc.get('columnNumber', 0) + 1}"
        self.console_log.append(f"[{self.clock.now():7.2f}s] console.{msg.type}: {text[:500]}")
        if _BROWSER_CHATTER.search(text):
            return
        if msg.type == "error":
            if text.startswith("Failed to load resource"):
                return  # the response/requestfailed event reports it with the URL and origin
            self.record(IssueKind.CONSOLE_ERROR, text, location=location, frame_url=loc.get("url"))
        elif msg.type == "warning":
            if _NOISE_WARNINGS.search(text):
                self.record(IssueKind.WARNING, f"autoplay policy: {text}", location=location)
            else:
                self.record(IssueKind.WARNING, f"console.warn: {text}", location=location)

    def _on_response(self, response: Response) -> None:
        if response.status < 400:
            return
        request = response.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            return  # the game document itself: reported as load-failure
        self._network_problem(request.url, f"HTTP {response.status} for {request.url}")

    def _on_request_failed(self, request: Request) -> None:
        failure = request.failure or "failed"
        if "ERR_ABORTED" in failure:
            return  # cancelled by the page or by a navigation, not broken
        if request.is_navigation_request() and request.frame.parent_frame is None:
            return
        self._network_problem(request.url, f"request failed ({failure}) for {request.url}")

    def _network_problem(self, url: str, message: str) -> None:
        if url.startswith(("data:", "blob:", "chrome-extension:")):
            return
        path = re.sub(r"^[a-z]+://[^/]+", "", url).split("?")[0]
        if path == "/favicon.ico":
            self.record(IssueKind.WARNING, f"favicon missing: {message}")
        elif self.is_first_party(url):
            self.record(IssueKind.NETWORK_ERROR, message)
        else:
            self.record(IssueKind.WARNING, f"third-party {message}")

    def _crashed(self) -> bool:
        """A renderer crash can take its page and browser with it: those are one defect, not three."""
        return any(i.kind is IssueKind.CRASH for i in self._issues.values())

    def _on_close(self, _page: Page) -> None:
        if self.session is not None and not self.session.closing and not self._crashed():
            self.record(IssueKind.CRASH, "the game page was closed while the agent was playing")

    def _on_disconnected(self, _browser: Any) -> None:
        if self.session is not None and not self.session.closing and not self._crashed():
            self.record(IssueKind.CRASH, "the browser disconnected while the agent was playing")

    def _on_frame_navigated(self, frame: Any) -> None:
        url = frame.url or ""
        if not url.startswith("http"):
            if frame.parent_frame is None and url.startswith("chrome-error"):
                self.left_origin = url
            return
        if frame.parent_frame is None:
            if origin_of(url) != self.game_origin:
                self.left_origin = url
        elif self.ready_at is None:
            # frames the game page embeds while loading are part of the game (itch.io-style iframes)
            self.first_party.add(origin_of(url))

    def on_probe_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "webgl-context-lost":
            self.record(
                IssueKind.WEBGL_CONTEXT_LOST,
                f"a WebGL canvas lost its context{' (#' + event['id'] + ')' if event.get('id') else ''}",
                frame_url=event.get("url"),
            )
        elif kind == "stats":
            self._on_stats(event)

    def _on_stats(self, event: dict[str, Any]) -> None:
        now = self.clock.now()
        dt = float(event.get("dt") or 0.5) or 0.5
        frames = int(event.get("frames") or 0)
        if frames:
            self.last_raf_at = now
            if frames / dt >= 10:
                self._raf_seen = True
        self.metrics.long_frames += int(event.get("long") or 0)
        longest = float(event.get("longest") or 0)
        if longest and longest > (self.metrics.longest_frame_ms or 0):
            self.metrics.longest_frame_ms = round(longest, 1)
        loop, active = int(event.get("loop") or 0), float(event.get("active") or 0)
        fps = round(loop / active, 1) if loop and active > 0 else None
        if not event.get("top"):
            if fps is not None:
                self._fps_window.append(fps)
            return
        self._note_document(event, now)
        heap = event.get("heap")
        if self.ready_at is not None:
            sample = MetricSample(at_s=now, fps=fps, heap_mb=round(heap / 1e6, 2) if heap else None)
            if self._fps_window:  # an iframe game: its frame rate is the one that matters
                sample.fps = round(max(self._fps_window), 1)
                self._fps_window.clear()
            self.metrics.samples.append(sample)

    def _note_document(self, event: dict[str, Any], now: float) -> None:
        """Place the game document's navigation start on our clock; keep its paint and load marks.

        `now - page_now` overestimates the start by the binding's delivery delay, so the smallest
        value seen is the best. A new document (retry, redirect) replaces the marks until the game
        is ready; later navigations (links, returns to the game) are not its loading.
        """
        origin, page_now = event.get("origin"), event.get("now")
        url = str(event.get("url") or "")
        if origin is None or page_now is None or url.startswith(("about:", "chrome-error:")):
            return
        if origin != self._doc_origin:
            if self.ready_at is not None:
                return
            self._doc_origin, self._nav_at, self._doc_marks = origin, None, {}
        start = now - float(page_now) / 1000
        self._nav_at = start if self._nav_at is None else min(self._nav_at, start)
        for key in ("fcp", "loadEnd"):
            if event.get(key) is not None:
                self._doc_marks[key] = float(event[key])

    # ------------------------------------------------------------------------------------------ watchdog
    def stop_watching(self) -> None:
        """End `watch()` at its next turn. Cancelling alone is not enough on Python 3.11, where
        `asyncio.wait_for` swallows a cancellation that lands as its call completes (fixed in 3.12)."""
        self._stopping = True

    def note_action(self) -> None:
        self.action_times.append(self.clock.now())

    async def watch(self, interval: float = 0.5) -> None:
        """Ping the page and look at the screen until cancelled or until something fatal happens."""
        assert self.session is not None
        next_thumb = 0.0
        while not self.fatal.is_set() and not self._stopping:
            await asyncio.sleep(interval)
            try:
                await self.session.evaluate("0", timeout=self.settings.hang_timeout)
            except PageHung:
                self.record(
                    IssueKind.FREEZE,
                    f"the game stopped responding: its main thread did not answer for "
                    f"{self.settings.hang_timeout:g} s (an endless loop or a blocking call)",
                )
                return
            except PlaywrightError:
                continue  # navigating or closing; crashes arrive as their own events
            now = self.clock.now()
            if self.ready_at is not None and now >= next_thumb:
                next_thumb = now + 1.0
                with contextlib.suppress(PageHung, PlaywrightError, ValueError):
                    self._look(await self.session.thumbnail(), now)

    def _look(self, thumb: Thumbnail, now: float) -> None:
        assert self.ready_at is not None
        if self._last_thumb is None or thumb.pixels != self._last_thumb.pixels:
            if self._last_thumb is not None and self._raf_seen:
                self._animated = True
            self.last_change_at = now
        self._last_thumb = thumb
        if thumb.is_flat():
            if self._flat_since is None:
                self._flat_since = now
            elif now - self._flat_since >= self.settings.blank_after:
                self.report_blank(thumb)
        else:
            self._flat_since = None
        self._check_frozen_frames(now)

    def report_blank(self, thumb: Thumbnail) -> None:
        if not any(i.kind is IssueKind.BLANK_SCREEN for i in self._issues.values()):
            self.record(
                IssueKind.BLANK_SCREEN,
                f"the screen showed nothing but one flat colour ({thumb.colour()}) for "
                f"{self.settings.blank_after:g} s or more after loading",
            )

    def _check_frozen_frames(self, now: float, window: float = 5.0) -> None:
        """Frames stopped changing after the game had been animating, while input went on."""
        if not self._animated or now - self.last_change_at < window:
            return
        inputs = [t for t in self.action_times if t > self.last_change_at]
        loop_stopped = self.last_raf_at is None or now - self.last_raf_at >= window
        if len(inputs) >= 3 and loop_stopped:
            self.record(
                IssueKind.FREEZE,
                f"the game's frames stopped changing {now - self.last_change_at:.0f} s ago after it had been "
                f"animating; its animation loop stopped and {len(inputs)} inputs changed nothing",
            )

    # ------------------------------------------------------------------------------------------ summary
    def finish_metrics(self) -> GameMetrics:
        m = self.metrics
        m.t0_unix_s = round(self._t0_unix, 3)
        nav = self._nav_at
        m.navigation_s = round(nav, 3) if nav is not None else None
        since_nav = (lambda t: round(max(0.0, t - nav), 3)) if nav is not None else (lambda t: t)
        if "loadEnd" in self._doc_marks:
            m.load_s = round(self._doc_marks["loadEnd"] / 1000, 3)
        elif self.session is not None and self.session.load_s is not None:
            m.load_s = since_nav(self.session.load_s)
        if "fcp" in self._doc_marks:
            m.first_frame_s = round(self._doc_marks["fcp"] / 1000, 3)
        m.ready_s = since_nav(self.ready_at) if self.ready_at is not None else None
        fps = sorted(s.fps for s in m.samples if s.fps is not None)
        if fps:
            m.fps_avg = round(sum(fps) / len(fps), 1)
            m.fps_min = fps[0]
            m.fps_p5 = fps[max(0, math.ceil(len(fps) * 0.05) - 1)]  # nearest rank
        heap = [(s.at_s, mb) for s in m.samples if (mb := s.heap_mb) is not None]
        if len(heap) >= 2:
            m.heap_start_mb, m.heap_end_mb = heap[0][1], heap[-1][1]
            m.heap_max_mb = max(v for _, v in heap)
            m.heap_growth_mb_per_s = _slope(heap)
        return m


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares MB/s: one garbage collection at either end cannot fake or hide a trend."""
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var <= 0:
        return None
    return round(sum((t - mean_t) * (v - mean_v) for t, v in points) / var, 3)
