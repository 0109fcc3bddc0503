"""Frozen frames: a game that was animating stopped, while the page still answers and the player plays.

A hung main thread is the watchdog's business (no answer to its ping). This is the other freeze: the
page answers, but the game no longer moves. It is judged from three things the monitor sees:
- the screen had been changing by itself (no input in between) and has not changed for
  `FROZEN_WINDOW_S`;
- the game's loop, as the probe counts it: animation frames, timer callbacks (`setTimeout`,
  `setInterval`) and draw calls (canvas 2D, WebGL; a loop a worker drives shows as draws);
- inputs since the screen last changed: `MIN_INPUTS` that changed nothing.

A loop that stopped (no frames or timers at a loop's rate, or no draws) with inputs going on is frozen.
A loop that still runs and redraws one picture is frozen too, but only once the player's input had
visibly changed the game (it entered): before that, a loop redrawing a still title or a board waiting
for the right click is what many healthy games do. Legitimately static screens (a title, game over, a
pause the player caused) and a stall (the page not answering) are never frozen frames.
"""

from __future__ import annotations

from dataclasses import dataclass

#: frames unchanged this long, with the loop stopped and inputs going on, are frozen
FROZEN_WINDOW_S = 5.0
#: inputs since the screen last changed, none of which changed it
MIN_INPUTS = 3
#: timer callbacks per second that make a loop: setTimeout(loop, 16) runs ~60, a slow snake 4-5 (its
#: 220 ms tick), a blinking prompt 2
LOOP_TIMERS_PER_S = 4.0
#: animation frames per second that make a loop (an rAF loop runs 60; one-off frames on input do not)
LOOP_FRAMES_PER_S = 10.0
#: a loop that redraws one picture draws every frame: no draw in the latest half of the frozen window
#: means it stopped drawing. Draws are heard from the probe's stats, which a busy machine delivers a
#: second or two late, so the last draw can be heard after the last change the looks saw
STILL_DRAWING_SHARE = 0.5


@dataclass
class LoopClock:
    """When the game's loop last ran, by what it is driven, and when it last drew (from probe stats)."""

    last_frame_at: float | None = None
    last_timer_at: float | None = None
    last_draw_at: float | None = None
    #: the loop ran at a loop's rate at least once (frames or timers): the game has a loop of its own
    seen: bool = False
    drew: bool = False

    def note(self, now: float, dt: float, frames: int, timers: int, draws: int) -> None:
        if frames:
            self.last_frame_at = now
        if timers / dt >= LOOP_TIMERS_PER_S / 2:
            self.last_timer_at = now
        if frames / dt >= LOOP_FRAMES_PER_S or timers / dt >= LOOP_TIMERS_PER_S:
            self.seen = True
        if draws:
            self.last_draw_at = now
            self.drew = True

    @property
    def last_loop_at(self) -> float | None:
        times = [t for t in (self.last_frame_at, self.last_timer_at) if t is not None]
        return max(times) if times else None

    def driver(self) -> str:
        """What drove the loop, as last seen: for the message."""
        frame, timer = self.last_frame_at, self.last_timer_at
        if frame is None and timer is None:
            return "loop"
        if timer is not None and (frame is None or timer >= frame):
            return "setTimeout/setInterval loop"
        return "animation-frame loop"

    def ticking(self, now: float, window: float) -> bool:
        last = self.last_loop_at
        return last is not None and now - last < window

    def drawing(self, now: float, window: float) -> bool:
        """Still drawing (or never seen drawing at all: a DOM game draws no canvas)."""
        return not self.drew or (self.last_draw_at is not None and now - self.last_draw_at < window)

    def running(self, now: float, window: float) -> bool:
        """The loop still runs and draws; a loop a worker drives shows only as draws."""
        return (self.ticking(now, window) or (self.drew and self.drawing(now, window))) and self.drawing(now, window)


def frozen_message(
    *,
    now: float,
    last_change_at: float,
    busy_until: float,
    action_times: list[float],
    entered: bool,
    loop: LoopClock,
    window: float = FROZEN_WINDOW_S,
    reactive_times: list[float] | None = None,
) -> str | None:
    """Why the game is frozen ("the game stopped drawing at 4.2 s; 12 inputs since changed nothing"),
    or None. The caller has checked that the game animated by itself and that the screen may not be
    legitimately still."""
    since = max(last_change_at, busy_until)  # a stall is not frozen frames
    if now - since < window:
        return None
    inputs = [t for t in action_times if t > since]
    if len(inputs) < MIN_INPUTS:
        return None
    running = loop.running(now, window)
    if running and not entered:
        return None
    if entered and loop.ticking(now, window) and loop.last_draw_at is not None and not loop.drawing(now, window):
        return None  # in play, the loop ticks with nothing to draw: a renderer that draws only what changed
    if running and reactive_times is not None and sum(t > since for t in reactive_times) < MIN_INPUTS:
        # the loop still redraws: frozen only if inputs that had changed the game stopped doing so (a
        # turn-based board that keys never moved is not frozen because keys go on changing nothing)
        return None
    at = last_change_at
    if not loop.drawing(now, window * STILL_DRAWING_SHARE) and loop.last_draw_at is not None:
        what = f"the game stopped drawing at {min(at, loop.last_draw_at):.1f} s"
    elif not running:
        stopped = loop.last_loop_at if loop.last_loop_at is not None else at
        what = f"the game's {loop.driver()} stopped at {min(at, stopped):.1f} s and its frames stopped changing"
    else:
        what = f"the game's frames stopped changing at {at:.1f} s while its loop kept redrawing the same picture"
    before = ", inputs that had changed the game before" if entered else ""
    return (
        f"{what}; {len(inputs)} inputs since changed nothing{before}, while the page still answers "
        f"(it had been animating by itself)"
    )
