"""The player's looks on a fake clock: idle learning waits no real time, an action's change is judged on
pixels, and the monitor hears what it judges freezes by. A recorded screen stands in for the page."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from pytest_gameqa.agent.actions import Wait
from pytest_gameqa.agent.interactor import Interactor
from pytest_gameqa.agent.progress import ProgressTracker
from pytest_gameqa.agent.reach import ReachTracker
from pytest_gameqa.agent.sampling import HEAVY_THUMB_EVERY, IDLE_GAP_S, IDLE_LOOKS, IDLE_MAX_LOOKS, Sampler
from pytest_gameqa.agent.tasks import TaskScope
from pytest_gameqa.browser.session import FakeClock
from pytest_gameqa.dom.detector import PageView
from pytest_gameqa.models import ActionResult
from pytest_gameqa.monitor.monitor import GameMonitor
from pytest_gameqa.monitor.pixels import Thumbnail
from pytest_gameqa.report.artifacts import Evidence
from pytest_gameqa.settings import GameSettings

W, H = 64, 36


def _screen(shade: int) -> Thumbnail:
    return Thumbnail(W, H, 3, bytes([shade]) * (W * H * 3))


class Screen:
    """What the page shows: a thumbnail per look, from a list (the last one repeats)."""

    def __init__(self, *shades: int) -> None:
        self.shades = list(shades)
        self.looks = 0

    async def thumbnail(self) -> Thumbnail:
        shade = self.shades[min(self.looks, len(self.shades) - 1)]
        self.looks += 1
        return _screen(shade)

    async def screenshot(self, fmt: str = "png") -> bytes:
        return b""


def _sampler(screen: Screen, clock: FakeClock) -> tuple[Sampler, GameMonitor, ReachTracker]:
    monitor = GameMonitor(GameSettings(url="http://127.0.0.1/"), clock, "http://127.0.0.1/")
    tracker = ReachTracker()

    async def look() -> PageView:
        return PageView()

    sampler = Sampler(
        look=look,
        session=screen,
        tasks=TaskScope(monitor.fatal),
        clock=clock,
        monitor=monitor,
        tracker=tracker,
        progress=ProgressTracker(),
        actions=[],
        new_screen=lambda: None,
        ocr_on=False,
    )
    return sampler, monitor, tracker


def test_a_still_title_screen_is_watched_for_the_minimum_looks_in_no_real_time() -> None:
    clock = FakeClock()
    screen = Screen(40)
    sampler, monitor, _ = _sampler(screen, clock)
    began = time.monotonic()
    asyncio.run(sampler.learn_idle())
    assert screen.looks == IDLE_LOOKS
    assert clock.slept == [IDLE_GAP_S] * (IDLE_LOOKS - 1) and clock.now() == IDLE_GAP_S * (IDLE_LOOKS - 1)
    assert time.monotonic() - began < 1.0  # the fake clock waited, not the test
    assert not monitor._animated  # a still title: the monitor may not call it frozen


def test_a_screen_that_changes_by_itself_tells_the_monitor_it_animates() -> None:
    clock = FakeClock()
    screen = Screen(*[(i * 60) % 240 for i in range(IDLE_MAX_LOOKS)])  # every look another picture
    sampler, monitor, tracker = _sampler(screen, clock)
    asyncio.run(sampler.learn_idle())
    assert IDLE_LOOKS <= screen.looks <= IDLE_MAX_LOOKS
    assert monitor._animated  # only a game that animates by itself can be called frozen when it stops
    assert tracker.last is not None


def test_an_action_s_change_is_judged_on_the_thumbnails_when_the_shot_could_not_tell() -> None:
    async def scenario() -> tuple[bool | None, bool | None]:
        clock = FakeClock()
        screen = Screen(40, 40, 40, 200)
        sampler, _, _ = _sampler(screen, clock)
        same_before, same_after = await sampler.sample(), await sampler.sample()
        still = ActionResult(index=1, description="click (1, 1)", ok=True, at_s=0.0)
        sampler.after_action(same_before, same_after, still, "click", "click (1, 1)")
        before, after = await sampler.sample(), await sampler.sample()
        moved = ActionResult(index=2, description="click (2, 2)", ok=True, at_s=0.0)
        sampler.after_action(before, after, moved, "click", "click (2, 2)")
        return still.changed, moved.changed

    assert asyncio.run(scenario()) == (False, True)


def test_a_fake_clock_moves_only_when_told_or_slept_on() -> None:
    clock = FakeClock(start=2.0)
    assert clock.now() == 2.0
    clock.advance(0.5)
    asyncio.run(clock.sleep(1.25))
    assert clock.now() == 3.75 and clock.elapsed() == 3.75 and clock.slept == [1.25]


class SlowScreen(Screen):
    """A heavy page: each capture waits for a frame that takes `seconds` to draw (software WebGL)."""

    def __init__(self, clock: FakeClock, seconds: float) -> None:
        super().__init__(40)
        self.clock = clock
        self.seconds = seconds

    async def thumbnail(self) -> Thumbnail:
        self.clock.advance(self.seconds)
        return await super().thumbnail()


def test_a_heavy_page_is_looked_at_without_a_capture_each_time() -> None:
    """A capture that took 3 s: later looks read the scene only, one in HEAVY_THUMB_EVERY still captures."""
    clock = FakeClock()
    screen = SlowScreen(clock, 3.0)
    sampler, _, _ = _sampler(screen, clock)
    samples = [asyncio.run(sampler.sample()) for _ in range(1 + 2 * HEAVY_THUMB_EVERY)]
    assert sampler.heavy and screen.looks == 3  # the first look, then one in every HEAVY_THUMB_EVERY
    assert samples[0].thumb is not None and samples[1].thumb is None
    # near miss: a page that captures in 0.1 s keeps a thumbnail in every look
    quick = SlowScreen(FakeClock(), 0.1)
    sampler, _, _ = _sampler(quick, quick.clock)
    for _ in range(5):
        asyncio.run(sampler.sample())
    assert not sampler.heavy and quick.looks == 5


def test_the_network_is_quiet_half_a_second_of_game_time_after_its_last_request() -> None:
    from pytest_gameqa.agent.readiness import QUIET_S, NetworkActivity

    clock = FakeClock()
    network = NetworkActivity(clock)
    assert network.quiet  # nothing requested yet
    network._started(None)
    clock.advance(QUIET_S * 4)
    assert not network.quiet  # a request still in flight
    network._ended(None)
    assert not network.quiet
    clock.advance(QUIET_S + 0.01)
    assert network.quiet


class CapturingSession:
    """A page whose captures cost `capture_s` each on the fake clock; `heavy` as GameSession says it."""

    def __init__(self, clock: FakeClock, capture_s: float) -> None:
        self.clock, self.capture_s, self.shots = clock, capture_s, []

    @property
    def heavy(self) -> bool:
        return self.capture_s > 1.0

    async def screenshot(self, fmt: str = "jpeg", scale: float = 1.0) -> bytes:
        self.clock.advance(self.capture_s)
        self.shots.append(scale)
        return f"frame {len(self.shots)}".encode()

    async def evaluate(self, script: str, timeout: float = 1.0) -> None:
        return None


def test_a_heavy_page_s_action_starts_from_the_last_after_shot_at_half_size(tmp_path: Path) -> None:
    """Captures of 3 s each: the second action's before-shot is the first's after-shot (a file of its own),
    its after-shot half-size. Near miss: a page that captures in 0.05 s gets two fresh full-size shots."""

    def run(capture_s: float) -> tuple[CapturingSession, list[ActionResult]]:
        clock = FakeClock()
        session = CapturingSession(clock, capture_s)
        interactor = Interactor(session, Evidence(tmp_path / str(capture_s)), clock, game_url="http://x/")  # type: ignore[arg-type]
        done = [asyncio.run(interactor.perform(Wait(ms=0))) for _ in range(2)]
        return session, done

    heavy, (first, second) = run(3.0)
    assert len(heavy.shots) == 3 and heavy.shots[1:] == [0.5, 0.5]
    assert second.before != first.after and Path(second.before or "").read_bytes() == b"frame 2"
    quick, _ = run(0.05)
    assert quick.shots == [1.0, 1.0, 1.0, 1.0]
