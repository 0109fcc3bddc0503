"""A heavy game still loading after readiness gave up waiting: the player takes cheap looks (no capture)
until its loading text is gone or something to press is drawn, on a fake clock, for a bounded time."""

from __future__ import annotations

import asyncio

from pytest_gameqa.agent.progress import ProgressTracker
from pytest_gameqa.agent.reach import ReachTracker
from pytest_gameqa.agent.sampling import LOADING_LOOK_GAP_S, Sampler, still_loading
from pytest_gameqa.agent.tasks import TaskScope
from pytest_gameqa.browser.session import FakeClock
from pytest_gameqa.dom.detector import PageView
from pytest_gameqa.models import ObserveResult
from pytest_gameqa.monitor.monitor import GameMonitor
from pytest_gameqa.settings import GameSettings

CANVAS = ObserveResult(description="click the 804x504 canvas", selector="canvas", kind="canvas")
BUTTON = ObserveResult(description="click 'Play'", selector="#play", kind="button")


def _view(text: str, *candidates: ObserveResult) -> PageView:
    return PageView(screen_text=text, candidates=list(candidates))


def test_a_loading_screen_with_only_its_canvas_is_still_loading() -> None:
    assert still_loading(_view("Compiling shaders... 40%", CANVAS))
    assert still_loading(_view("Streaming track... 90%"))
    assert not still_loading(_view("Lap 1 - arrows steer", CANVAS))  # the game
    assert not still_loading(_view("Loading music... 40%", CANVAS, BUTTON))  # something to press is drawn
    assert not still_loading(_view("Loading done. Press Enter to start", CANVAS))  # it asks for a way in


class Pages:
    """The texts the page shows, one per look (the last repeats); counts the captures asked for."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)
        self.looks = 0
        self.captures = 0

    async def look(self) -> PageView:
        text = self.texts[min(self.looks, len(self.texts) - 1)]
        self.looks += 1
        return _view(text, CANVAS)

    async def thumbnail(self) -> None:
        self.captures += 1

    async def screenshot(self, fmt: str = "png") -> bytes:
        return b""


def _sampler(pages: Pages, clock: FakeClock) -> Sampler:
    monitor = GameMonitor(GameSettings(url="http://127.0.0.1/"), clock, "http://127.0.0.1/")
    return Sampler(
        look=pages.look,
        session=pages,
        tasks=TaskScope(monitor.fatal),
        clock=clock,
        monitor=monitor,
        tracker=ReachTracker(),
        progress=ProgressTracker(),
        actions=[],
        new_screen=lambda: None,
        ocr_on=False,
    )


def test_the_player_waits_out_the_loading_text_with_cheap_looks() -> None:
    clock = FakeClock()
    pages = Pages("Compiling shaders... 10%", "Compiling shaders... 50%", "Streaming track... 90%", "Lap 1")
    waited = asyncio.run(_sampler(pages, clock).wait_out_loading(budget_s=10.0))
    assert pages.looks == 4  # three loading screens, then the game
    assert waited == 3 * LOADING_LOOK_GAP_S
    assert pages.captures == 0  # no screenshot while loading: each one waits for a slow frame


def test_a_loading_word_that_never_goes_away_is_waited_out_for_the_budget_only() -> None:
    clock = FakeClock()
    pages = Pages("Loading...")
    waited = asyncio.run(_sampler(pages, clock).wait_out_loading(budget_s=2.0))
    assert 2.0 <= waited < 2.0 + LOADING_LOOK_GAP_S + 1e-9


def test_a_game_that_is_not_loading_is_not_waited_for() -> None:
    clock = FakeClock()
    pages = Pages("Press Enter to start")
    assert asyncio.run(_sampler(pages, clock).wait_out_loading(budget_s=10.0)) == 0.0
    assert pages.looks == 1
