"""Sampler: the player's looks at the game, and what each one tells the reach and progress trackers.

One look is the page's DOM, drawn text and state, and a thumbnail, taken together. Looks with no input
teach the trackers the screen's own animation (idle); a look before and one after an action tell what
the action did beyond it (a reaction, progress, the way in). The monitor hears what it judges by:
whether the game animates by itself, whether this screen may stand still, when the player got in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..dom.detector import DrawnText, PageView
from ..models import ActionResult
from ..monitor.pixels import Thumbnail, changed_cells
from .ocr import PixelReader
from .progress import ProgressTracker
from .reach import ReachTracker, Reaction, Sample
from .reading import gate_text
from .tasks import GameStopped, TaskScope

#: looks at the screen with no input before the first action: how the title screen moves by itself
IDLE_LOOKS = 5
#: ... and more while the scene's idle envelope keeps growing (a title that pulses or swings slowly),
#: up to this many: 3 s covers the cycle of a title animation; the gaps between actions learn the rest
IDLE_MAX_LOOKS = 12
#: ... and for at most this long, however slowly a busy page answers: the gaps between actions go on
#: learning, and a heavy page's looks take a second each
IDLE_BUDGET_S = 3.0
#: ... and at most this share of the play time: a 5 s smoke test watches 1 s, not 3
IDLE_SHARE = 0.15
#: looks in a row that widened no thing's envelope: the screen's own animation has been seen whole
IDLE_SETTLED = 3
#: the gap between two idle looks: four a second see a title's pulse without loading the page
IDLE_GAP_S = 0.25


#: a thumbnail that took longer than this (s) shows a heavy page: software WebGL drawing a frame in a
#: second or more (a capture waits for a new frame, so a look with one costs seconds). Its looks then
#: skip the thumbnail: the scene tells what changed; a game drawing 60 frames a second captures in 0.1 s
HEAVY_CAPTURE_S = 1.0
#: on a heavy page one look in this many still takes a thumbnail (pixels for a blind scene, the monitor)
HEAVY_THUMB_EVERY = 4


class Sampler:
    """Looks and what they say, for one game test (see the module docstring)."""

    def __init__(
        self,
        *,
        look: Callable[[], Awaitable[PageView]],
        session: Any,
        tasks: TaskScope,
        clock: Any,
        monitor: Any,
        tracker: ReachTracker,
        progress: ProgressTracker,
        actions: list[ActionResult],
        new_screen: Callable[[], None],
        ocr_on: bool = True,
    ) -> None:
        self.look = look
        #: the page draws so slowly that a capture costs seconds (see HEAVY_CAPTURE_S)
        self.heavy = False
        self._looks = 0
        self.thumbnail: Callable[[], Awaitable[Thumbnail | None]] = session.thumbnail
        self.tasks = tasks
        self.clock = clock
        self.monitor = monitor
        self.tracker = tracker
        self.progress = progress
        self.actions = actions
        self.new_screen = new_screen
        #: reads the screen from pixels when the player cannot read it otherwise (agent/ocr.py)
        self.pixels = PixelReader(
            enabled=ocr_on,
            clock=clock,
            screenshot=lambda: session.screenshot("png"),
            spawn=tasks.track,
            entered=lambda: tracker.reach.entered,
            on_gate_gone=self.gate_gone_from_pixels,
            log=monitor.console_log.append,
        )

    async def sample(self) -> Sample:
        """One look (DOM, canvas text, state) and one thumbnail, taken together; a busy page gives less."""
        view_task = self.tasks.track(self.look())
        self._looks += 1
        if self.heavy and self._looks % HEAVY_THUMB_EVERY:
            await asyncio.wait({view_task})  # a heavy page: the scene says what changed, no capture
            thumb = None
        else:
            thumb_task = self.tasks.track(self._timed_thumbnail())
            await asyncio.wait({view_task, thumb_task})
            thumb = None if thumb_task.exception() else thumb_task.result()
        view = view_task.result() if not view_task.exception() else PageView()
        if isinstance(view_task.exception(), GameStopped):
            raise view_task.exception()  # type: ignore[misc]
        if self.pixels.texts:
            view.drawn += self.pixels.texts
        return Sample.of(view, thumb, self.clock.now())

    async def _timed_thumbnail(self) -> Thumbnail | None:
        """A thumbnail, and whether taking it showed a heavy page (each capture waits for a new frame)."""
        started = self.clock.now()
        thumb = await self.thumbnail()
        self.heavy = self.clock.now() - started > HEAVY_CAPTURE_S
        return thumb

    async def look_idle(self) -> Sample:
        """A look after a gap with no input, taken in: before a step, or before a scripted action."""
        sample = await self.sample()
        self.observe_idle(sample)
        self.note_entry()
        return sample

    async def learn_idle(self, budget_s: float = IDLE_BUDGET_S) -> None:
        """Look at the first screen a few times with no input: how it changes by itself.

        `budget_s`: at most this long (a short smoke test keeps most of its time for playing)."""
        first: Sample | None = None
        quiet = 0
        for i in range(IDLE_MAX_LOOKS):
            if i:
                await self.clock.sleep(IDLE_GAP_S)
            sample = await self.sample()
            first = first or sample
            self.observe_idle(sample)
            quiet = quiet + 1 if i and self.tracker.last_growth == 0 else 0
            if i + 1 >= IDLE_LOOKS and (quiet >= IDLE_SETTLED or sample.at_s - first.at_s >= budget_s):
                break
        if first is not None and self.tracker.last is not None:
            # and over the whole second: a slow scroll changes too little between two quick looks
            self.tracker.idle.learn(first, self.tracker.last)

    def observe_idle(self, sample: Sample) -> None:
        """A look after a gap with no input: the tracker learns the idle screen, the monitor that the
        game animates by itself (only such a game can be called frozen when its frames stop)."""
        self.progress.observe(sample)
        if self.tracker.observe_idle(sample) > 0:
            self.monitor.note_idle_change()

    def note_entry(self) -> None:
        """The moment the tracker says the player is in: tell the monitor, keep the first in-game shot."""
        reach = self.tracker.reach
        if reach.entered and reach.first_screenshot is None and self.actions:
            reach.first_screenshot = self.actions[-1].after
        if reach.entered and getattr(self.monitor, "entered_at", None) is None:
            self.monitor.entered_at = reach.entered_at_s
        way_in = self.tracker.judge.way_in
        loading = getattr(getattr(self.monitor, "loading", None), "loading", False)
        if (
            not reach.entered
            and way_in is not None
            and not loading
            and getattr(self.monitor, "entered_at", None) is None
        ):
            # past the menus, play has begun as far as the monitor goes (memory growth, stalls in play),
            # even while the player has yet to show that its input moves the game
            self.monitor.entered_at = way_in[1]

    def on_screen(self, sample: Sample) -> None:
        """Tell the monitor whether this screen may legitimately stand still (a title, a menu, game over)."""
        self.monitor.static_screen_ok = sample.gate is not None or sample.view.game_over

    def after_action(self, before: Sample, after: Sample, result: ActionResult, input_name: str, how: str) -> Reaction:
        """What the action did beyond the screen's idle change: a reaction, progress, maybe the way in."""
        if result.changed is None and before.thumb is not None and after.thumb is not None:
            # a marked click: judged without the dot, on any change at all
            result.changed = bool(changed_cells(before.thumb, after.thumb, threshold=0, step=1))
        reaction = self.tracker.after_action(before, after, input_name, how)
        gain = self.progress.after_action(
            before, after, result, moved=reaction.reacted, entered=self.tracker.reach.entered, input_name=input_name
        )
        log = self.monitor.console_log
        if gain.rises or gain.new_screen:
            log.append(
                f"[{self.clock.now():7.2f}s] progress after {result.description}: {self.progress.describe(gain)}"
            )
        if reaction.reacted:
            r = reaction
            log.append(
                f"[{self.clock.now():7.2f}s] reaction to {result.description}: {r.cells} cells beyond idle "
                f"(needs {r.threshold}), text {r.texts[:2]}, state {r.state[:2]}, gate gone {r.gate_gone!r}"
            )
        self.on_screen(after)
        self.note_entry()
        return reaction

    def gate_gone_from_pixels(self, how: str, at_s: float, gate: str, texts: list[DrawnText]) -> None:
        """A re-reading of the pixels no longer shows the gate the action was on: a new screen."""
        self.tracker.gate_gone_from_pixels(how, at_s, gate, new_gate=gate_text(PageView(drawn=texts)))
        self.new_screen()
        self.note_entry()
