"""The browser's events for one game (errors, console, network, crashes, navigations) turned into issues.

A part of GameMonitor (its base class), kept apart so each file stays readable: these handlers are
pushed by Playwright, while monitor.py holds the watchdog and the verdicts it draws from the probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from playwright.async_api import ConsoleMessage, Page, Request, Response
from playwright.async_api import Error as PlaywrightError

from ..browser.session import _NET_ERRORS, GameSession, origin_of
from ..models import Issue, IssueKind
from .issuebook import ConsoleLog, FloodGate

_STACK_LOCATION = re.compile(r"\(?((?:https?|file|blob):[^\s()]+?):(\d+):(\d+)\)?\s*$", re.M)
#: Chromium's own diagnostics (SwiftShader stalls caused by screenshots): not the game's doing.
_BROWSER_CHATTER = re.compile(r"GL Driver Message|\[\.WebGL-0x[0-9a-f]+\]", re.I)
#: the browser's own interventions, reported in the page's console but not the game's errors
_INTERVENTIONS = re.compile(r"Ignored attempt to cancel a touch\w* event with cancelable=false", re.I)
_NOISE_WARNINGS = re.compile(r"autoplay|AudioContext was not allowed|play\(\) request was interrupted", re.I)


def _net_failure(failure: str) -> str:
    """`net::ERR_NAME_NOT_RESOLVED` -> "host not found (net::ERR_NAME_NOT_RESOLVED)"."""
    match = re.search(r"(ERR_[A-Z_]+)", failure)
    if not match:
        return failure
    code = match.group(1)
    human = next((v for k, v in _NET_ERRORS.items() if code.startswith(k)), None)
    return f"{human} (net::{code})" if human else f"net::{code}"


def _stack_location(stack: str | None) -> str | None:
    if not stack:
        return None
    match = _STACK_LOCATION.search(stack)
    return f"{match.group(1)}:{match.group(2)}:{match.group(3)}" if match else None


class PageEvents:
    """Playwright's page, network and browser events -> issues (mixed into GameMonitor, which sets these)."""

    session: GameSession | None
    game_origin: str
    first_party: set[str]
    console_log: ConsoleLog
    left_origin: str | None
    ready_at: float | None
    clock: Any
    _issues: dict[str, Issue]
    _flood: FloodGate
    _stopping: bool
    _net_inflight: int
    _net_last: float
    _nav_request_at: float | None

    def record(self, kind: IssueKind, message: str, **where: Any) -> Issue | None:
        raise NotImplementedError  # GameMonitor.record

    def attach(self, session: GameSession, page: Page) -> None:
        self.session = session
        page.on("pageerror", self._on_page_error)
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("crash", lambda _p: self.record(IssueKind.CRASH, "the game's renderer process crashed"))
        page.on("close", self._on_close)
        page.on("framenavigated", self._on_frame_navigated)
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_request_done)
        session.browser.on("disconnected", self._on_disconnected)

    def _on_request(self, request: Request) -> None:
        self._net_inflight += 1
        self._net_last = self.clock.now()
        with contextlib.suppress(PlaywrightError):
            if request.is_navigation_request() and request.frame.parent_frame is None:
                self._nav_request_at = self._net_last

    def _on_request_done(self, _request: Request) -> None:
        self._net_inflight = max(0, self._net_inflight - 1)
        self._net_last = self.clock.now()

    @property
    def network_quiet(self) -> bool:
        return self._net_inflight == 0 and self.clock.now() - self._net_last > 0.5

    def _after_load(self) -> bool:
        """The game document has loaded (the session's load with retries is over)."""
        return self.session is not None and self.session.load_s is not None

    def _on_page_error(self, error: Any) -> None:
        name = getattr(error, "name", "") or "Error"
        message = getattr(error, "message", "") or str(error)
        stack = getattr(error, "stack", None)
        text = message if message.startswith(name) else f"{name}: {message}"
        self.record(IssueKind.PAGE_ERROR, text, location=_stack_location(stack))

    def _on_console(self, msg: ConsoleMessage) -> None:
        if self._flood.hit(self.clock.now()):
            self._pause_console()
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
            if _INTERVENTIONS.search(text):  # a scroll in progress wins over preventDefault(): Chromium's call
                self.record(IssueKind.WARNING, f"browser intervention: {text}", location=location)
                return
            self.record(IssueKind.CONSOLE_ERROR, text, location=location, frame_url=loc.get("url"))
        elif msg.type == "warning":
            if _NOISE_WARNINGS.search(text):
                self.record(IssueKind.WARNING, f"autoplay policy: {text}", location=location)
            else:
                self.record(IssueKind.WARNING, f"console.warn: {text}", location=location)

    def _pause_console(self) -> None:
        page = self.session.page if self.session is not None else None
        if page is None:
            return
        page.remove_listener("console", self._on_console)  # Playwright stops sending console events
        self.record(IssueKind.WARNING, self._flood.message())
        asyncio.get_running_loop().call_later(self._flood.pause_s, self._resume_console, page)

    def _resume_console(self, page: Page) -> None:
        if self._stopping or page.is_closed() or (self.session is not None and self.session.closing):
            return
        page.on("console", self._on_console)

    def _on_response(self, response: Response) -> None:
        if response.status < 400:
            return
        request = response.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            # the game document itself: its first load is the session's to report; a later move of the
            # game's own page to a broken first-party URL ends the game just as surely
            if self._after_load() and self.is_first_party(request.url):
                self.record(IssueKind.LOAD_FAILURE, f"the game navigated to {request.url}: HTTP {response.status}")
            return
        self._network_problem(request.url, f"HTTP {response.status} for {request.url}")

    def _on_request_failed(self, request: Request) -> None:
        self._on_request_done(request)
        failure = request.failure or "failed"
        if "ERR_ABORTED" in failure:
            return  # cancelled by the page or by a navigation, not broken
        if request.is_navigation_request() and request.frame.parent_frame is None:
            # another origin that cannot be reached is left_origin's business (the player goes back)
            if self._after_load() and self.is_first_party(request.url):
                self.record(IssueKind.LOAD_FAILURE, f"the game navigated to {request.url}: {_net_failure(failure)}")
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
