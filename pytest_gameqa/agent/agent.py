"""GameAgent: the player a test holds. It loads the game, observes, acts, plays, and keeps the evidence.

Everything it does races the monitor's `fatal` event: when the game crashes or hangs, the current
step is abandoned at once and scripted calls raise `GameStopped`, instead of waiting out timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser, Dialog
from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel, ValidationError

from ..browser.session import Clock, GameSession, PageHung
from ..dom.detector import PageView, UIDetector, key_from_instruction
from ..models import NEVER_FAILS, ActionResult, GameMetrics, Issue, IssueKind, ObserveResult
from ..report.artifacts import Evidence
from ..settings import GameSettings
from .actions import Action, ClickElement, PressKey, ReturnToGame, TypeText, Wait
from .interactor import Interactor
from .policy import HeuristicPolicy, Phase

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
LOADING_TEXT = re.compile(r"\bloading\b|\b\d{1,2}\s*%", re.I)


class GameStopped(Exception):
    """The game can no longer be played (crash, hang, failed load); carries the fatal issue."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(f"{issue.kind.value}: {issue.message}")
        self.issue = issue


class ExtractError(Exception):
    """extract() could not fill the schema from what the page shows."""


class GameAgent:
    def __init__(
        self,
        *,
        settings: GameSettings,
        browser: Browser,
        url: str,
        artifacts_dir: Path,
        context_args: dict[str, Any] | None = None,
    ) -> None:
        from ..monitor.monitor import GameMonitor

        self.settings = settings
        self.url = url
        self.clock = Clock()
        self.started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.artifacts_dir = artifacts_dir
        self.monitor = GameMonitor(settings, self.clock, url)
        self.session = GameSession(browser, viewport=settings.viewport, clock=self.clock)
        self.detector = UIDetector()
        self.policy = HeuristicPolicy(settings.seed, settings.viewport)
        self.evidence = Evidence(artifacts_dir, settings.screenshot_format)
        self.interactor = Interactor(
            self.session,
            self.evidence,
            self.clock,
            game_url=url,
            fmt=settings.screenshot_format,
            scale=settings.screenshot_scale,
        )
        self.actions: list[ActionResult] = []
        self.dialogs: list[str] = []
        self.pairs_dropped = 0
        self._context_args = context_args
        self._watch: asyncio.Task[None] | None = None
        self._inflight = 0
        self._last_network = 0.0
        self.finished = False
        self._concluded = False

    # ------------------------------------------------------------------------------------- lifecycle
    @property
    def page(self) -> Any:
        return self.session.page

    @property
    def phase(self) -> Phase:
        return self.policy.phase

    async def start(self) -> None:
        """Open, load (with retries) and wait until the game has rendered; failures become issues."""
        page = await self.session.open(self.monitor.on_probe_event, self._context_args)
        self.monitor.attach(self.session, page)
        page.on("dialog", self._on_dialog)
        page.on("popup", self._on_popup)
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_request_done)
        page.on("requestfailed", self._on_request_done)
        reason = await self.session.load(
            self.url, attempts=self.settings.load_attempts, timeout_s=self.settings.load_timeout
        )
        if reason:
            self.monitor.record(IssueKind.LOAD_FAILURE, reason)
            return
        self._watch = asyncio.create_task(self.monitor.watch())
        await self._race(self._wait_until_ready())
        self.monitor.ready_at = self.clock.now()

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message[:200]}")
        self.monitor.console_log.append(f"[{self.clock.now():7.2f}s] dialog {dialog.type} accepted: {dialog.message}")
        answer = "player" if dialog.type == "prompt" else None
        coro = dialog.accept(answer) if answer else dialog.accept()
        task = asyncio.ensure_future(coro)
        task.add_done_callback(lambda t: t.exception())

    def _on_popup(self, popup: Any) -> None:
        """Ads open new tabs: the player stays on the game."""
        self.monitor.console_log.append(f"[{self.clock.now():7.2f}s] closed a popup window")
        task = asyncio.ensure_future(popup.close())
        task.add_done_callback(lambda t: t.exception())

    def _on_request(self, _request: Any) -> None:
        self._inflight += 1
        self._last_network = time.monotonic()

    def _on_request_done(self, _request: Any) -> None:
        self._inflight = max(0, self._inflight - 1)
        self._last_network = time.monotonic()

    async def _wait_until_ready(self) -> None:
        """Something painted, the network quiet, no "Loading" text left; capped by ready_timeout.

        A screen that stays one flat colour with nothing loading for `blank_after` seconds is as
        ready as it will get: that is the blank-screen defect, reported here without waiting the cap.
        """
        deadline = time.monotonic() + self.settings.ready_timeout
        flat_since: float | None = None
        while time.monotonic() < deadline:
            quiet = self._inflight == 0 and time.monotonic() - self._last_network > 0.5
            try:
                thumb = await self.session.thumbnail()
                text = (await self.detector.scan(self.page)).screen_text if quiet else ""
            except (PageHung, PlaywrightError, ValueError):
                await asyncio.sleep(0.25)
                continue
            loading = bool(LOADING_TEXT.search(text))
            if quiet and not loading:
                if not thumb.is_flat():
                    return
                flat_since = flat_since or time.monotonic()
                if time.monotonic() - flat_since >= self.settings.blank_after:
                    self.monitor.report_blank(thumb)
                    return
            else:
                flat_since = None
            await asyncio.sleep(0.25)

    async def stop(self) -> None:
        """Final checks, artifact cap, and the browser context closed whatever happened."""
        if self.finished:
            return
        self.finished = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watch
        self.conclude()
        await self.session.close()
        self._cap_pairs()

    def conclude(self) -> None:
        """Judge what was gathered (frame rate, heap, load time); once, before the outcome is decided."""
        if not self._concluded:
            self._concluded = True
            self._final_checks()

    def _final_checks(self) -> None:
        metrics = self.metrics
        s = self.settings
        if s.min_fps and metrics.fps_avg is not None and metrics.fps_avg < s.min_fps:
            self.monitor.record(
                IssueKind.LOW_FPS,
                f"frame rate averaged {metrics.fps_avg:g} fps (lowest {metrics.fps_min:g}), "
                f"below --game-min-fps {s.min_fps:g}",
            )
        if s.max_load_time and metrics.load_s is not None and metrics.load_s > s.max_load_time:
            self.monitor.record(
                IssueKind.LOAD_FAILURE,
                f"the game took {metrics.load_s:.1f} s to load, more than --game-max-load-time {s.max_load_time:g} s",
            )
        growth = metrics.heap_growth_mb_per_s
        if (
            growth is not None
            and metrics.heap_start_mb is not None
            and metrics.heap_end_mb is not None
            and growth > s.memory_growth_mb_per_s
            and metrics.heap_end_mb - metrics.heap_start_mb > 30
        ):
            self.monitor.record(
                IssueKind.MEMORY_GROWTH,
                f"the JS heap grew {growth:.1f} MB/s ({metrics.heap_start_mb:.0f} -> {metrics.heap_end_mb:.0f} MB), "
                f"above {s.memory_growth_mb_per_s:g} MB/s",
            )

    @property
    def metrics(self) -> GameMetrics:
        m = self.monitor.finish_metrics()
        durations = [a.duration_s for a in self.actions]
        m.action_avg_s = round(sum(durations) / len(durations), 3) if durations else None
        return m

    def _cap_pairs(self) -> None:
        """Keep the first and last pairs and those around issues; delete the rest from disk."""
        limit = self.settings.max_pairs
        if len(self.actions) <= limit:
            return
        keep: set[int] = set()
        third = max(1, limit // 3)
        keep.update(a.index for a in self.actions[:third])
        keep.update(a.index for a in self.actions[-third:])
        for issue in self.issues:
            nearest = min(self.actions, key=lambda a: abs(a.at_s - issue.at_s))
            keep.update({nearest.index - 1, nearest.index, nearest.index + 1})
        for action in self.actions:
            if action.index in keep:
                continue
            for path in (action.before, action.after):
                if path:
                    Path(path).unlink(missing_ok=True)
            action.before = action.after = None
            self.pairs_dropped += 1

    # ------------------------------------------------------------------------------------- issues
    @property
    def issues(self) -> list[Issue]:
        return self.monitor.issues

    def failing_issues(self) -> list[Issue]:
        allowed = set(self.settings.allow)
        return [i for i in self.issues if i.kind not in NEVER_FAILS and i.kind not in allowed]

    def _fatal_issue(self) -> Issue | None:
        return next((i for i in self.issues if i.fatal), None)

    async def _race(self, aw: Awaitable[T]) -> T | None:
        """Run `aw` unless/until a fatal issue arrives; then cancel it and return None."""
        task = asyncio.ensure_future(aw)
        fatal = asyncio.ensure_future(self.monitor.fatal.wait())
        try:
            await asyncio.wait({task, fatal}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            fatal.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return None

    def _check_alive(self) -> None:
        issue = self._fatal_issue()
        if issue is not None:
            raise GameStopped(issue)

    # ------------------------------------------------------------------------------------- scripted API
    async def look(self) -> PageView:
        self._check_alive()
        try:
            view = await self._race(self.detector.scan(self.page))
        except PageHung:
            view = None
        if view is None:
            await asyncio.sleep(0)  # let the watchdog record the hang
            self._check_alive()
            return PageView()
        return view

    async def observe(self, instruction: str | None = None) -> list[ObserveResult]:
        """What can be done now, best match first (ranked without a model)."""
        return self.detector.rank(await self.look(), instruction)

    async def act(self, target: ObserveResult | str) -> ActionResult:
        """Run an ObserveResult as is (no new lookup), or resolve a plain instruction first."""
        if isinstance(target, str):
            key = key_from_instruction(target)
            if key:
                return await self.perform(PressKey(key=key, times=_times(target)))
            found = await self.observe(target)
            if not found:
                raise LookupError(f"nothing on screen matches {target!r}")
            target = found[0]
        if target.method == "press" and target.arguments:
            return await self.perform(PressKey(key=target.arguments[0]))
        if target.method == "type":
            return await self.perform(TypeText(text=target.arguments[0] if target.arguments else "", target=target))
        return await self.perform(ClickElement(target=target))

    async def press(self, key: str, times: int = 1) -> ActionResult:
        return await self.perform(PressKey(key=key, times=times))

    async def wait(self, ms: int) -> ActionResult:
        return await self.perform(Wait(ms=ms))

    async def perform(self, action: Action, policy: str = "script") -> ActionResult:
        self._check_alive()
        self.monitor.note_action()
        result = await self._race(self.interactor.perform(action, policy))
        if result is None:
            self._check_alive()
            raise GameStopped(Issue(kind=IssueKind.CRASH, message="the action was abandoned", at_s=self.clock.now()))
        self.actions.append(result)
        return result

    async def advance(self, ms: int) -> None:
        """Step the game with `window.advanceTime(ms)` when it offers one, else wait in real time."""
        try:
            has_hook = await self.session.evaluate("typeof window.advanceTime === 'function'")
        except (PageHung, PlaywrightError):
            has_hook = False
        if has_hook:
            await self.session.evaluate("(ms) => window.advanceTime(ms)", arg=ms)
        else:
            await asyncio.sleep(ms / 1000)

    async def state(self) -> dict[str, Any] | None:
        """The game's own `render_game_to_text()` as JSON, when it exposes it."""
        view = await self.look()
        if not view.state:
            return None
        try:
            data = json.loads(view.state)
        except json.JSONDecodeError:
            return {"text": view.state}
        return data if isinstance(data, dict) else {"value": data}

    async def extract(self, instruction: str, schema: type[M]) -> M:
        """Fill `schema` from the game's state hook or its visible text (no model configured)."""
        view = await self.look()
        state = None
        if view.state:
            with contextlib.suppress(json.JSONDecodeError):
                state = json.loads(view.state)
        values: dict[str, Any] = {}
        for name in schema.model_fields:
            found = _find_key(state, name) if state is not None else None
            if found is None:
                match = re.search(rf"\b{re.escape(name)}\b\s*[:=]?\s*(-?\d+(?:\.\d+)?)", view.screen_text, re.I)
                found = match.group(1) if match else None
            if found is not None:
                values[name] = found
        try:
            return schema.model_validate(values)
        except ValidationError as exc:
            missing = ", ".join(str(e["loc"][0]) for e in exc.errors() if e.get("loc"))
            raise ExtractError(
                f"cannot extract {instruction!r} without a model: {missing or 'fields'} not found in the page "
                "text or window.render_game_to_text(); set --game-model or expose render_game_to_text()"
            ) from None

    # ------------------------------------------------------------------------------------- autonomous play
    async def play(self, seconds: float | None = None) -> list[ActionResult]:
        """Observe -> act -> monitor until the time, the action limit, or a fatal issue."""
        if self._fatal_issue() is not None:
            return []
        budget = self.settings.duration if seconds is None else seconds
        deadline = time.monotonic() + budget
        pace = budget / max(1, self.settings.max_actions)
        done: list[ActionResult] = []
        while len(self.actions) < self.settings.max_actions and time.monotonic() < deadline:
            if self.monitor.fatal.is_set():
                break
            step_started = time.monotonic()
            try:
                result = await self._step()
            except GameStopped:
                break
            if result is not None:
                done.append(result)
            rest = min(pace - (time.monotonic() - step_started), deadline - time.monotonic())
            if rest > 0:
                await self._race(asyncio.sleep(rest))
        return done

    async def _step(self) -> ActionResult | None:
        if self.monitor.left_origin:
            left = self.monitor.left_origin
            self.monitor.left_origin = None
            return await self.perform(ReturnToGame(left_to=left), policy="guard")
        view = await self.look()
        action = self.policy.next_action(view)
        result = await self.perform(action, policy=self.policy.name)
        after = await self.look()
        self.policy.feedback(action, result, after, before=view)
        return result


def _times(instruction: str) -> int:
    match = re.search(r"\b(\d{1,2})\s*(?:times|x)\b", instruction)
    return int(match.group(1)) if match else 1


def _find_key(data: Any, name: str) -> Any:
    if isinstance(data, dict):
        for key, value in data.items():
            if key.lower() == name.lower() and not isinstance(value, dict | list):
                return value
        for value in data.values():
            found = _find_key(value, name)
            if found is not None:
                return found
    elif isinstance(data, list):
        for value in data:
            found = _find_key(value, name)
            if found is not None:
                return found
    return None
