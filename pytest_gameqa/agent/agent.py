"""GameAgent: the player a test holds. It loads the game, observes, acts, plays, and keeps the evidence.

Everything it does races the monitor's `fatal` event: when the game crashes or hangs, the current
step is abandoned at once and scripted calls raise `GameStopped`, instead of waiting out timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser
from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel

from ..browser.session import Clock, GameSession, PageHung
from ..dom.detector import PageView, UIDetector
from ..models import ActionResult, GameMetrics, Issue, IssueKind, LLMUsage, ObserveResult, Progress, Reach
from ..report.artifacts import Evidence, cap_pairs
from ..settings import GameSettings
from . import instructions
from .actions import Action, PressKey, ReturnToGame, Wait, action_for
from .extract import extract_from_view, state_of
from .housekeeping import fit_zoomed_page, keep_on_game
from .interactor import Interactor
from .pause import PauseWatch, resume_step
from .player import Decision, Player, Turn
from .policy import HeuristicPolicy, Phase
from .progress import ProgressTracker
from .reach import ReachTracker, Reaction, Sample
from .readiness import NetworkActivity, wait_until_ready
from .sampling import IDLE_BUDGET_S, IDLE_SHARE, Sampler
from .seek import Seeker, seek_enabled
from .tasks import GameStopped, TaskScope
from .touch import listens_to_touch_only, touch_on
from .verdicts import failing_issues, metric_verdicts, reach_verdict, timeout_message

M = TypeVar("M", bound=BaseModel)
#: a turn is not begun with less time left than the median of this many last turns: begun, it would end
#: past --game-duration (by half a turn on average, 0.3-0.6 s), which the user pays for no evidence
RECENT_TURNS = 5


class GameAgent:
    def __init__(
        self,
        *,
        settings: GameSettings,
        browser: Browser,
        url: str,
        artifacts_dir: Path,
        context_args: dict[str, Any] | None = None,
        clock: Clock | None = None,
    ) -> None:
        from ..monitor.monitor import GameMonitor

        self.settings = settings
        self.url = url
        self.clock = clock or Clock()  # tests pass a FakeClock: no real waits
        self.started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.artifacts_dir = artifacts_dir
        self.monitor = GameMonitor(settings, self.clock, url)
        self.session = GameSession(browser, viewport=settings.viewport, clock=self.clock)
        self.detector = UIDetector()
        #: the context has a touch screen (a device such as "Pixel 7"): the player taps and swipes
        self.touch = bool((context_args or {}).get("has_touch"))
        self.policy = HeuristicPolicy(settings.seed, settings.viewport, touch=self.touch)
        self.brain: Any = None  # llm.brain.LLMBrain with --game-model; imported only then (litellm is slow)
        if settings.model:
            from .model import model_player

            self.brain = model_player(self)
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
        #: why a desktop player may not have got in: the page listens to touch input only (see play())
        self.touch_only_page = False
        self._watch: asyncio.Task[None] | None = None
        self.network = NetworkActivity(self.clock)
        self.finished = False
        self._concluded = False
        self.played = False
        self.last_reaction = Reaction()
        self.last_turn_samples: tuple[Sample, Sample] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.timeout_issue: Issue | None = None
        self.on_timeout: list[Callable[[Issue], None]] = []
        self._deadline: asyncio.TimerHandle | None = None
        self.tracker = ReachTracker()
        #: how far the player got (numbers moved, screens reached); the seeker plays by it (GAMEQA_SEEK=off: not)
        self.progress_tracker = ProgressTracker()
        if seek_enabled():
            self.policy.seek = Seeker(settings.seed, self.progress_tracker, touch=self.touch)
        self._before_play_s = 0.0
        self.tasks = TaskScope(self.monitor.fatal)  # every task the agent started; cancelled by stop()
        self.sampler = Sampler(  # the looks at the game, and what they tell the trackers and the monitor
            look=self.look,
            session=self.session,
            tasks=self.tasks,
            clock=self.clock,
            monitor=self.monitor,
            tracker=self.tracker,
            progress=self.progress_tracker,
            actions=self.actions,
            new_screen=self.policy.new_screen,
            ocr_on=settings.ocr != "off",
        )
        self.pixels = self.sampler.pixels
        #: pauses the player's own Escape/P caused, resumed before it plays on (agent/pause.py)
        self.pause = PauseWatch(self.monitor.metrics.pauses, on_change=self.monitor.note_paused)
        self._sample_before: Sample | None = None
        self.in_flight: tuple[float, Action] | None = None

    @property
    def page(self) -> Any:
        return self.session.page

    @property
    def phase(self) -> Phase:
        return self.policy.phase

    async def start(self) -> None:
        """Open, load (with retries) and wait until the game has rendered; failures become issues."""
        self.loop = asyncio.get_running_loop()
        self._deadline = self.loop.call_later(self.settings.hard_timeout, self._on_deadline)
        page = await self.session.open(self.monitor.on_probe_event, self._context_args)
        self.monitor.attach(self.session, page)
        log = self.monitor.console_log.append
        keep_on_game(page, now=self.clock.now, log=log, dialogs=self.dialogs, background=self.tasks.background)
        self.network.attach(page)
        reason = await self.tasks.race(
            self.session.load(self.url, attempts=self.settings.load_attempts, timeout_s=self.settings.load_timeout)
        )
        if self.monitor.fatal.is_set():
            return
        if reason:
            self.monitor.record(IssueKind.LOAD_FAILURE, reason)
            return
        await fit_zoomed_page(self.session, self.policy, log)
        self._watch = asyncio.create_task(self.monitor.watch())
        self._watch.add_done_callback(lambda task: task.cancelled() or task.exception())
        await self.tasks.race(
            wait_until_ready(
                self.session,
                self.detector,
                self.network,
                self.monitor,
                cap_s=self.settings.ready_timeout,
                blank_after_s=self.settings.blank_after,
            )
        )
        self.monitor.ready_at = self.clock.now()
        log(f"[{self.clock.now():7.2f}s] ready to play")
        if self.monitor.fatal.is_set():
            return
        await fit_zoomed_page(self.session, self.policy, log)  # a page may set its <meta name=viewport> from script
        looked_at = self.clock.elapsed()
        await self.tasks.race(self.sampler.learn_idle(min(IDLE_BUDGET_S, IDLE_SHARE * self.settings.duration)))
        for step in self.settings.start:
            await self._start_step(step)
        self._before_play_s = self.clock.elapsed() - looked_at  # part of the play time: watching and getting in

    async def _start_step(self, step: str) -> None:
        """One user-given way in (`--game-start`, `start=[...]`), worded as for act()."""
        if self._fatal_issue() is not None:
            return
        try:
            done = await self.act(step)
            self.tracker.judge.way_in = self.tracker.judge.way_in or (done.description, done.at_s)  # the way in
            self.policy.given_way_in()  # and play follows it at once
        except LookupError as error:
            self.monitor.record(IssueKind.WARNING, f"start step {step!r} could not be done: {error}")
        except GameStopped:
            return

    def _on_deadline(self) -> None:
        """--game-timeout ran out: stop as after a crash, so the evidence so far is judged and written."""
        if self.finished:
            return
        message = timeout_message(self.settings.hard_timeout)
        issue = self.monitor.record(IssueKind.TIMEOUT, message) or Issue(
            kind=IssueKind.TIMEOUT, message=message, at_s=self.clock.now()
        )
        issue.fatal = True  # scripted calls raise GameStopped from now on
        self.timeout_issue = issue
        self.monitor.fatal.set()
        for callback in list(self.on_timeout):
            callback(issue)

    async def stop(self) -> None:
        """Final checks, artifact cap, and the browser context closed whatever happened."""
        if self.finished:
            return
        self.finished = True
        if self._deadline is not None:
            self._deadline.cancel()
        self.pixels.stop()
        if self._watch is not None:
            self.monitor.stop_watching()
            self._watch.cancel()
            await asyncio.wait({self._watch}, timeout=5)  # never wait on it unbounded (see stop_watching)
        await self.tasks.cancel_all()  # actions, model calls, OCR, dialogs: nothing the agent started outlives it
        if self.brain is not None:
            with contextlib.suppress(Exception):  # the model never breaks a run
                await self.brain.judge.run()
        self.conclude()
        await self.session.close()
        keep = {s.screenshot for s in self.progress_tracker.screens.values() if s.screenshot}  # the storyboard
        keep |= {self.reach.first_screenshot} if self.reach.first_screenshot else set()
        self.pairs_dropped += cap_pairs(self.actions, self.issues, self.settings.max_pairs, keep)

    def conclude(self) -> None:
        """Judge what was gathered (frame rate, heap, load time); once, before the outcome is decided."""
        if not self._concluded:
            if self.brain is not None:
                self.brain.judge.run_blocking()  # ai-finding issues must exist before the outcome is decided
            self._concluded = True
            self._final_checks()

    @property
    def reach(self) -> Reach:
        return self.tracker.reach

    @property
    def progress(self) -> Progress:
        return self.progress_tracker.progress

    def _final_checks(self) -> None:
        """Record what the verdicts (agent/verdicts.py) find in the reach facts and the metrics."""
        self.tracker.finish()
        played_s = max(0.0, self.clock.now() - (self.monitor.ready_at or 0.0))
        found = reach_verdict(
            entered=self.reach.entered,
            asked_to_get_in=self.played or bool(self.settings.start),
            issues=self.issues,
            not_entered_message=self.tracker.not_entered_message(played_s),
            touch_only_page=self.touch_only_page,
            actions=len(self.actions),
            played_s=played_s,
        )
        if found is not None:  # recorded before the metrics are finished, as they may count it
            self.monitor.record(found.kind, found.message)
        for finding in metric_verdicts(self.metrics, self.settings, self.monitor.play_heap_samples()):
            self.monitor.record(finding.kind, finding.message)

    @property
    def llm_usage(self) -> LLMUsage:
        return self.brain.usage if self.brain is not None else LLMUsage()

    @property
    def metrics(self) -> GameMetrics:
        m = self.monitor.finish_metrics()
        durations = [a.duration_s for a in self.actions]
        m.action_avg_s = round(sum(durations) / len(durations), 3) if durations else None
        return m

    @property
    def issues(self) -> list[Issue]:
        return self.monitor.issues

    def failing_issues(self) -> list[Issue]:
        return failing_issues(self.issues, self.settings)

    def _fatal_issue(self) -> Issue | None:
        return next((i for i in self.issues if i.fatal), None)

    def _check_alive(self) -> None:
        issue = self._fatal_issue()
        if issue is not None:
            raise GameStopped(issue)

    async def look(self) -> PageView:
        self._check_alive()
        try:
            view = await self.tasks.race(self.detector.scan(self.page))
        except PageHung:
            view = None
        if view is None:
            await asyncio.sleep(0)  # let the watchdog record the hang
            self._check_alive()
            return PageView()
        return view

    async def observe(self, instruction: str | None = None) -> list[ObserveResult]:
        """What can be done now, best match first (the model picks when one is set and asked for something)."""
        if instruction and self.brain is not None:
            return await self.brain.observe(instruction)
        return self.detector.rank(await self.look(), instruction)

    async def act(self, target: ObserveResult | str) -> ActionResult:
        """Run an ObserveResult as is (no new lookup), or resolve a plain instruction first."""
        if isinstance(target, str):
            step = instructions.parse(target, self.session.viewport)
            if step.action is not None:
                return await self.perform(step.action)  # type: ignore[arg-type]
            if step.refused:
                raise LookupError(step.refused)
            if step.touch is not None:  # "tap Start", "long-press the bomb": find it, then touch it
                found = await self.observe(step.touch[1])
                if not found:
                    raise LookupError(f"nothing on screen matches {step.touch[1]!r}")
                return await self.perform(touch_on(step.touch[0], found[0]))
            if self.brain is not None:
                return await self.brain.act(target)
            found = await self.observe(target)
            if not found:
                raise LookupError(f"nothing on screen matches {target!r}")
            target = found[0]
        return await self.perform(action_for(target, key=str, touch=self.touch))

    async def press(self, key: str, times: int = 1) -> ActionResult:
        return await self.perform(PressKey(key=key, times=times))

    async def wait(self, ms: int) -> ActionResult:
        return await self.perform(Wait(ms=ms))

    async def perform(
        self, action: Action, policy: str = "script", *, how: str | None = None, mark: bool = False
    ) -> ActionResult:
        """Run one action with its screenshot pair, and judge what it changed beyond the idle screen."""
        self._check_alive()
        before = self._sample_before
        self._sample_before = None
        if before is None:
            before = await self.sampler.look_idle()
        if self.policy.phase is Phase.ENTER and not self.reach.entered:
            self.tracker.note_tried(action.describe())
        self.monitor.note_action(action.input_name)
        self.monitor.reactive_inputs = self.reach.reactive_inputs
        self.interactor.hover_hits = []
        self.in_flight = (self.clock.now(), action)  # kept when the game dies during it: a repro replays it
        result = await self.tasks.race(self.interactor.perform(action, policy, mark=mark))
        self.in_flight = None if result is not None else self.in_flight
        if result is None:
            self._check_alive()
            raise GameStopped(Issue(kind=IssueKind.CRASH, message="the action was abandoned", at_s=self.clock.now()))
        self.actions.append(result)
        after = await self.sampler.sample()
        self.last_turn_samples = (before, after)
        self.last_reaction = self.sampler.after_action(
            before, after, result, action.input_name, how or result.description
        )
        self.pause.after_action(action.input_name, before.view, after.view, result.at_s, how or result.description)
        gone = self.last_reaction.gate_gone is not None
        self.pixels.after_action(gone, before.gate, how or result.description, result.at_s)
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
            await self.clock.sleep(ms / 1000)

    async def state(self) -> dict[str, Any] | None:
        """The game's own `render_game_to_text()` as JSON, when it exposes it."""
        return state_of(await self.look())

    async def extract(self, instruction: str, schema: type[M]) -> M:
        """Fill `schema` by the model when one is set, else from the game's state hook or its visible text."""
        if self.brain is not None:
            found = await self.brain.extract(instruction, schema)
            if found is not None:
                return found
        return extract_from_view(await self.look(), instruction, schema)

    async def play(self, seconds: float | None = None) -> list[ActionResult]:
        """Observe -> act -> monitor until the time, the action limit, or a fatal issue."""
        self.played = True
        if self._fatal_issue() is not None:
            return []
        # the idle looks and --game-start steps were play too: --game-duration covers them
        budget = max(0.0, self.settings.duration - self._before_play_s) if seconds is None else seconds
        clock = self.clock
        deadline = clock.elapsed() + budget
        pace = budget / max(1, self.settings.max_actions)
        done: list[ActionResult] = []
        steps: list[float] = []  # how long each turn took: one that cannot end by the deadline is not begun
        while len(self.actions) < self.settings.max_actions and clock.elapsed() < deadline:
            if self.monitor.fatal.is_set():
                break
            if steps and deadline - clock.elapsed() < statistics.median_low(steps[-RECENT_TURNS:]):
                await self.tasks.race(clock.sleep(deadline - clock.elapsed()))  # watched to the end, not overrun
                break
            step_started = clock.elapsed()
            try:
                result = await self._step()
            except GameStopped:
                break
            steps.append(clock.elapsed() - step_started)
            if result is not None:
                done.append(result)
            rest = min(pace - (clock.elapsed() - step_started), deadline - clock.elapsed())
            if rest > 0:
                await self.tasks.race(clock.sleep(rest))
        if not self.reach.entered and not self.touch and self._fatal_issue() is None:
            # a desktop player that never got in: a game for phones only would say why (see verdicts.reach_verdict)
            self.touch_only_page = bool(await self.tasks.race(listens_to_touch_only(self.session.cdp)))
        return done

    async def _step(self) -> ActionResult | None:
        if self.monitor.left_origin:
            left = self.monitor.left_origin
            self.monitor.left_origin = None
            return await self.perform(ReturnToGame(left_to=left), policy="guard")
        before = await self.sampler.look_idle()
        self.sampler.on_screen(before)
        if self.pause.paused:  # a still pause screen our own key brought up is no freeze: resume it first
            return await resume_step(self, self.pause, before.view)
        self.pixels.maybe_read(before.gate, bool(before.view.drawn), bool(before.view.canvases), len(self.reach.tried))
        player: Player = self.brain if self.brain is not None else self.policy
        decision = await self.tasks.race(player.decide(before.view))
        if decision is None:  # the game died while the player was thinking, or the call was abandoned
            self._check_alive()
            decision = Decision(self.policy.next_action(before.view), "heuristic-fallback")
        self._sample_before = before
        action = decision.action
        result = await self.perform(action, policy=decision.policy, how=action.describe(), mark=decision.mark)
        was_before, after = self.last_turn_samples
        player.learn(
            Turn(
                action=action,
                result=result,
                reaction=self.last_reaction,
                before=was_before,
                after=after,
                entered=self.reach.entered,
                hover_hits=list(self.interactor.hover_hits),
            )
        )
        return result
