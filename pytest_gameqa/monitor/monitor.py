"""GameMonitor: turns everything the browser reports into Issues, and watches for hangs and freezes.

Events (errors, console, network, crashes) are pushed by Playwright; liveness and screen checks run in
a background watchdog so that a hung game is reported within seconds even while an action is stuck.

A busy main thread is not a hung one: a stall that ends (asset decoding, shader compiles) is measured
and reported as a warning with `metrics.stalls`; only one that lasts `hang_timeout` is a `freeze`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from playwright.async_api import Error as PlaywrightError

from ..browser.session import Clock, GameSession, PageHung, origin_of
from ..models import GameMetrics, Issue, IssueKind, MetricSample, Stall
from ..settings import GameSettings
from .events import PageEvents
from .frozen import FROZEN_WINDOW_S, LoopClock, frozen_message
from .issuebook import ConsoleLog, FloodGate, IssueBook
from .loading import LOADING_HANG_S, READ_JS, LoadingJudge, texts_of
from .pagebudget import PageBudgetTally
from .pixels import Thumbnail, decode_png
from .summary import Summary

#: a main-thread stall this long (that ended) is measured and reported as a warning
STALL_MIN_S = 1.0
#: a screen that looks flat on the small thumbnail is confirmed at this scale (12 px text is 6 px there)
DETAIL_SCALE = 0.5
#: stopped while the page does not answer, the watchdog still waits this long for its verdict (the
#: agent waits 5 s for the watchdog to end)
FINAL_VERDICT_S = 4.5
#: how often the watchdog reads the screen's text while the game is loading (a small evaluate)
LOADING_LOOK_S = 0.5
#: the monitor looks at the screen once a second (its thumbnails: blank screens, frames that stop)
LOOK_EVERY_S = 1.0


class GameMonitor(PageEvents, Summary):
    """Collects issues for one game; `fatal` is set the moment playing on becomes pointless."""

    def __init__(self, settings: GameSettings, clock: Clock, game_url: str) -> None:
        self.settings = settings
        self.clock = clock
        self.game_origin = origin_of(game_url)
        self.first_party: set[str] = {self.game_origin}
        self._book = IssueBook(clock.now, settings.ignore)  # grouped by fingerprint, capped per kind
        self._issues: dict[str, Issue] = self._book.issues  # fingerprint -> group (the same dict)
        self.issues_dropped: dict[str, int] = self._book.dropped  # kind -> distinct groups past the cap (live)
        self.fatal = asyncio.Event()
        self.console_log = ConsoleLog()  # first and last lines kept, each cut to a sane length
        self._flood = FloodGate()  # a console flood pauses the console listener (see FloodGate)
        self._page_budget = PageBudgetTally(lambda kind, message: self.record(kind, message))
        self.metrics = GameMetrics()
        self._t0_unix = time.time() - (time.monotonic() - clock.t0)
        self._doc_origin: float | None = None
        self._nav_at: float | None = None
        self._doc_marks: dict[str, float] = {}
        self._fps_window: list[float] = []
        self._animated = False
        self._last_thumb: Thumbnail | None = None
        self.last_change_at = 0.0
        self._flat_since: float | None = None
        self.ready_at: float | None = None
        self.action_times: list[float] = []
        #: (when, input) of each action, and the inputs that changed the game before (the agent's reach
        #: record keeps them): a loop that redraws one picture is frozen only if those stopped working
        self.action_inputs: list[tuple[float, str]] = []
        self.reactive_inputs: list[str] = []
        self.session: GameSession | None = None
        self.on_fatal: list[Callable[[Issue], None]] = []
        self.left_origin: str | None = None
        self._stopping = False
        # set by the player: when it got into the game (clock seconds), and whether its latest look at
        # the screen shows a game-over, menu or start screen (legitimately static, never frozen)
        self.entered_at: float | None = None
        self.static_screen_ok = False
        #: the player's own Escape/P brought up a pause screen (agent/pause.py): still, but not frozen
        self.paused = False
        #: the game's own loading: when it ended and why the monitor believes it (loading.py)
        self.loading = LoadingJudge()
        # liveness: the watchdog's ping in flight, and the end of the latest stretch the page did not answer
        self._ping: asyncio.Future[Any] | None = None
        self._ping_sent: float | None = None
        self._busy_until = 0.0
        self._ping_stalls: list[tuple[float, float]] = []
        # the game's own loop, as the probe counts it: rAF frames, timer callbacks, canvas draw calls
        self.loop = LoopClock()
        self._last_thumb_at = 0.0
        self._self_changes = 0
        # network activity: memory growth is judged on play, after the network has gone quiet
        self._net_inflight = 0
        self._net_last = 0.0
        self._sample_quiet: list[bool] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._nav_request_at: float | None = None
        self._page_times_stalls = False  # the probe measures stalls itself (long-animation-frame timing)

    # ------------------------------------------------------------------------------------------ issues
    @property
    def issues(self) -> list[Issue]:
        return sorted(self._issues.values(), key=lambda i: i.at_s)

    @property
    def console_dropped(self) -> int:
        """Console lines seen but not kept (the log keeps its first and last lines)."""
        return self.console_log.dropped

    def record(
        self,
        kind: IssueKind,
        message: str,
        *,
        location: str | None = None,
        frame_url: str | None = None,
    ) -> Issue | None:
        """One occurrence: a new group, a repeat counted on its group, or None (ignored, past the cap)."""
        issue, new = self._book.add(kind, message, location=location, frame_url=frame_url)
        if not new or issue is None:
            return issue
        self.console_log.append(f"[{issue.at_s:7.2f}s] {kind.value}: {issue.message[:300]}")
        if issue.fatal and not self.fatal.is_set():
            self.fatal.set()
            for callback in self.on_fatal:
                callback(issue)
        return issue

    def is_first_party(self, url: str) -> bool:
        return origin_of(url) in self.first_party

    # ------------------------------------------------------------------------------------------ events (events.py)
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
        timers = int(event.get("timers") or 0)
        self.loop.note(now, dt, frames, timers, int(event.get("draws") or 0))
        self._page_budget.add(event.get("budget"))
        if event.get("stallTiming"):
            self._page_times_stalls = True
        for stall in event.get("stalls") or ():
            with contextlib.suppress(TypeError, ValueError, KeyError):
                self._note_stall(now - float(stall["ago"]), float(stall["duration"]))
        self.metrics.long_frames += int(event.get("long") or 0)
        longest = float(event.get("longest") or 0)
        self.loading.note_frames(now, longest)
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
            self._sample_quiet.append(self.network_quiet)

    # ------------------------------------------------------------------------------------------ stalls
    def _note_stall(self, at_s: float, duration_s: float) -> None:
        """A main-thread stall that ended: measured and reported, never a failure by itself."""
        if duration_s < STALL_MIN_S:
            return
        at_s = max(0.0, at_s)
        end = at_s + duration_s
        for stall in self.metrics.stalls:  # the probe of every frame and the watchdog may see the same one
            if at_s < stall.at_s + stall.duration_s and stall.at_s < end:
                if duration_s > stall.duration_s:
                    stall.at_s, stall.duration_s = round(at_s, 3), round(duration_s, 3)
                return
        if len(self.metrics.stalls) >= 100:
            return
        self._sync_loading()
        entered = self.entered_at is not None and at_s >= self.entered_at
        phase = "play" if entered and not self.loading.during(at_s) else "loading"
        self.metrics.stalls.append(Stall(at_s=round(at_s, 3), duration_s=round(duration_s, 3), phase=phase))
        self.record(
            IssueKind.WARNING,
            f"the main thread was busy for {duration_s:.1f} s at {at_s:.1f} s "
            f"while {'playing' if phase == 'play' else 'loading'}",
        )

    def _flush_ping_stalls(self, now: float) -> None:
        """Stalls only the watchdog saw (no long-frame timing from the page) count after a grace period."""
        keep = []
        for start, end in self._ping_stalls:
            if any(start < s.at_s + s.duration_s and s.at_s < end for s in self.metrics.stalls):
                continue
            if now - end < 2.0:
                keep.append((start, end))
            else:
                self._note_stall(start, end - start)
        self._ping_stalls = keep

    def unresponsive_for(self) -> float:
        """Seconds the watchdog's ping has waited for the page so far (0 when the page answers)."""
        return 0.0 if self._ping_sent is None else max(0.0, self.clock.now() - self._ping_sent)

    # ------------------------------------------------------------------------------------------ watchdog
    def stop_watching(self) -> None:
        """End `watch()` at its next turn. Cancelling alone is not enough on Python 3.11, where
        `asyncio.wait_for` swallows a cancellation that lands as its call completes (fixed in 3.12)."""
        self._stopping = True

    def note_action(self, input_name: str = "") -> None:
        now = self.clock.now()
        self.action_times.append(now)
        self.action_inputs.append((now, input_name))

    async def watch(self, interval: float = 0.25) -> None:
        """Ping the page and look at the screen until stopped or until something fatal happens.

        One ping is in flight at a time (a blocked page would otherwise collect a queue of them) and the
        screen is looked at in a task of its own, only while the page answers: a screenshot waits for
        a blocked main thread too. A ping that takes long is a stall; one unanswered for
        `hang_timeout` is a hang. Stopped (or cancelled) while a ping is unanswered, the watchdog still
        gives its verdict for up to `FINAL_VERDICT_S`: a hang in the run's last seconds is not lost.
        """
        assert self.session is not None
        look: asyncio.Task[None] | None = None
        read: asyncio.Task[None] | None = None
        next_thumb = next_read = 0.0
        try:
            while not self.fatal.is_set() and not self._stopping:
                if self._ping is None:
                    self._ping_sent = self.clock.now()
                    self._ping = asyncio.ensure_future(self.session.evaluate("0", timeout=self._hang_limit() + 5))
                await asyncio.wait({self._ping}, timeout=0.25)
                state, now, sent = self._judge_ping()
                if state in ("pending", "hung"):
                    continue
                if state == "failed":
                    await asyncio.sleep(0.5)  # navigating or closing; crashes arrive as their own events
                    continue
                if now - sent >= STALL_MIN_S:
                    self._busy_until = now
                    if not self._page_times_stalls:
                        self._ping_stalls.append((sent, now))
                self._flush_ping_stalls(now)
                if self.ready_at is not None and now >= next_thumb and (look is None or look.done()):
                    next_thumb = now + LOOK_EVERY_S
                    look = asyncio.ensure_future(self._look_once())
                if (
                    self.ready_at is not None
                    and self.loading.loading
                    and now >= next_read
                    and (read is None or read.done())
                ):
                    next_read = now + LOADING_LOOK_S
                    read = asyncio.ensure_future(self._read_loading())
                await asyncio.sleep(interval)
            await self._final_verdict()
        except asyncio.CancelledError:
            await self._final_verdict()
            raise
        finally:
            self._ping_sent = None
            for task in (self._ping, look, read):
                if task is not None and not task.done():
                    task.cancel()
                    task.add_done_callback(_retrieve)
            self._ping = None

    def _judge_ping(self) -> tuple[str, float, float]:
        """The ping in flight: "pending", "hung" (freeze recorded), "answered" or "failed"."""
        ping = self._ping
        now = self.clock.now()
        sent = self._ping_sent if self._ping_sent is not None else now
        if ping is None:
            return "failed", now, sent
        hang = self._hang_limit()
        if not ping.done():
            if now - sent < hang:
                return "pending", now, sent
            if self._navigated_since(sent):  # a navigation: the old document's ping may never answer
                ping.cancel()
                ping.add_done_callback(_retrieve)
                self._ping, self._ping_sent = None, None
                return "failed", now, sent
            self.record(
                IssueKind.FREEZE,
                f"the game stopped responding: its main thread did not answer for {now - sent:.0f} s "
                f"({self._hang_rule()}; an endless loop or a blocking call)",
            )
            return "hung", now, sent
        answered = not ping.cancelled() and ping.exception() is None
        self._ping, self._ping_sent = None, None
        return ("answered" if answered else "failed"), now, sent

    def _hang_limit(self) -> float:
        """Seconds without an answer that make a hang: longer while the game is still loading."""
        hang = self.settings.hang_timeout
        return max(hang, LOADING_HANG_S) if self.loading.loading else hang

    def _hang_rule(self) -> str:
        if self.loading.loading and LOADING_HANG_S > self.settings.hang_timeout:
            return f"{LOADING_HANG_S:g} s while the game is still loading"
        return f"--game-hang-timeout {self.settings.hang_timeout:g} s"

    def _sync_loading(self) -> None:
        """The player got in: whatever loading was left is over (its input changed the game)."""
        if self.entered_at is not None:
            self.loading.note_entered(self.entered_at)
        self.loading.note_time(self.clock.now(), self.ready_at)

    async def _read_loading(self) -> None:
        """Read the screen's text and the state hook: does the game still say it is loading? (Looked at
        before the player's entry is synced, so an entry right after the loader went still credits the
        loader's going rather than the entry.)"""
        assert self.session is not None
        if not self.loading.loading:
            return
        with contextlib.suppress(PageHung, PlaywrightError, ValueError, TypeError):
            texts, state = texts_of(await self.session.evaluate(READ_JS, timeout=2.0))
            self.loading.note_look(self.clock.now(), texts, state, self.ready_at)
        self._sync_loading()

    async def _final_verdict(self) -> None:
        """Stopping while the page does not answer: wait (bounded) for the answer or the hang verdict."""
        deadline = time.monotonic() + FINAL_VERDICT_S
        while self._ping is not None and not self.fatal.is_set() and time.monotonic() < deadline:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({self._ping}, timeout=0.25)
            if self._judge_ping()[0] != "pending":
                return

    def _navigated_since(self, since: float) -> bool:
        nav = self._nav_request_at
        return nav is not None and nav >= since - 1.0

    async def _look_once(self) -> None:
        assert self.session is not None
        with contextlib.suppress(PageHung, PlaywrightError, ValueError):
            thumb = await self.session.thumbnail()
            now = self.clock.now()
            flat = thumb.is_flat() and await self._flat_in_detail()
            self._look(thumb, now, flat=flat)

    async def _flat_in_detail(self) -> bool:
        """A screen flat on the small thumbnail, judged again where 12 px text still shows (6 px)."""
        assert self.session is not None
        try:
            detail = decode_png(await self.session.screenshot("png", scale=DETAIL_SCALE))
        except (PageHung, PlaywrightError, ValueError):
            return False  # unsure: never blank on a guess
        return detail.is_flat()

    def _look(self, thumb: Thumbnail, now: float, *, flat: bool | None = None) -> None:
        assert self.ready_at is not None
        if self._last_thumb is None or thumb.pixels != self._last_thumb.pixels:
            # changing on its own: the game's loop was running and drawing, or no input came in between
            # (a running loop alone proves nothing: a board game's loop redraws what the player's click changed)
            on_its_own = not self._input_between(self._last_thumb_at - 0.5, now)
            if self._last_thumb is not None and self.loop.seen and on_its_own:
                self.note_idle_change()
            self.last_change_at = now
        self._last_thumb, self._last_thumb_at = thumb, now
        if thumb.is_flat() if flat is None else flat:
            if self._flat_since is None:
                self._flat_since = now
            elif now - self._flat_since >= self.settings.blank_after:
                self.report_blank(thumb, confirmed=True)
        else:
            self._flat_since = None
        self._check_frozen_frames(now)

    def note_paused(self, paused: bool) -> None:
        """The player paused the game with its own key (True) or resumed it (False)."""
        self.paused = paused
        if not paused:
            self.last_change_at = self.clock.now()  # the pause was still by design: judge from here

    def note_idle_change(self) -> None:
        """The screen changed with no input in between (seen here or by the player's idle looks)."""
        self._self_changes += 1
        self._animated = self._self_changes >= 2

    def _input_between(self, start: float, end: float) -> bool:
        return any(start <= t <= end for t in self.action_times)

    def report_blank(self, thumb: Thumbnail, *, confirmed: bool = False) -> None:
        """Blank-screen, once. Unless `confirmed` (the watchdog looked in detail), a screen flat on the
        small thumbnail is first looked at in detail: small text on a light page must not read as blank."""
        if any(i.kind is IssueKind.BLANK_SCREEN for i in self._issues.values()):
            return
        if not confirmed and self.session is not None:
            with contextlib.suppress(RuntimeError):  # no running loop: judge on the thumbnail
                task = asyncio.get_running_loop().create_task(self._confirm_blank(thumb))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                return
        self.record(
            IssueKind.BLANK_SCREEN,
            f"the screen showed nothing but one flat colour ({thumb.colour()}) for "
            f"{self.settings.blank_after:g} s or more after loading",
        )

    async def _confirm_blank(self, thumb: Thumbnail) -> None:
        if await self._flat_in_detail():
            self.report_blank(thumb, confirmed=True)

    def _check_frozen_frames(self, now: float, window: float = FROZEN_WINDOW_S) -> None:
        """Frames that had been changing on their own stopped changing while the page answers, and
        inputs changed nothing (see frozen.py). Legitimately static screens never are."""
        if not self._animated or self.static_screen_ok or self.paused or self.loading.loading:
            return
        message = frozen_message(
            now=now,
            last_change_at=self.last_change_at,
            busy_until=self._busy_until,
            action_times=self.action_times,
            entered=self.entered_at is not None,
            reactive_times=[t for t, name in self.action_inputs if name in self.reactive_inputs],
            loop=self.loop,
            window=window,
        )
        if message:
            self.record(IssueKind.FREEZE, message)

    # ------------------------------------------------------------------------------------------ summary (summary.py)


def _retrieve(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()
