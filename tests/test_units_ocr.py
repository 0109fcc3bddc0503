"""When the player reads a screen from pixels (OCR), on a fake clock and a fake reader: no engine, no waits.

OCR costs about a second a frame on 2 cores: it must run only on a screen the player cannot read or is
stuck on, never per frame, and a gate read from pixels must be re-read after an action on it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pytest_gameqa.agent.ocr import OCR_EVERY_S, OCR_MAX, SETTLE_S, PixelReader
from pytest_gameqa.browser.session import FakeClock
from pytest_gameqa.dom.detector import DrawnText
from pytest_gameqa.models import BoundingBox

BOX = BoundingBox(x=0, y=0, width=100, height=20)


def _texts(*lines: str) -> list[DrawnText]:
    return [DrawnText(text=line, bbox=BOX, source="ocr") for line in lines]


class Game:
    """What the reader sees: a screen whose text the test changes, and what it reports back."""

    def __init__(self, *screens: list[str], entered: bool = False, installed: bool = True) -> None:
        self.screens = list(screens)
        self.entered = entered
        self.installed = installed
        self.reads = 0
        self.gone: list[tuple[str, float, str, list[str]]] = []
        self.log: list[str] = []
        self.clock = FakeClock()

    def reader(self, enabled: bool = True) -> PixelReader:
        async def shot() -> bytes:
            return b"png"

        async def read(image: bytes) -> list[DrawnText]:
            self.reads += 1
            return _texts(*self.screens[min(self.reads, len(self.screens)) - 1])

        def gone(how: str, at_s: float, gate: str, texts: list[DrawnText]) -> None:
            self.gone.append((how, at_s, gate, [t.text for t in texts]))

        return PixelReader(
            enabled=enabled,
            clock=self.clock,
            screenshot=shot,
            spawn=asyncio.ensure_future,
            entered=lambda: self.entered,
            on_gate_gone=gone,
            log=self.log.append,
            read=read,
            installed=lambda: self.installed,
        )


async def _settle(reader: PixelReader) -> None:
    while reader.busy():
        await asyncio.sleep(0)


def _unreadable(reader: PixelReader) -> None:
    """A canvas with no text found and no gate: the player cannot read this screen otherwise."""
    reader.maybe_read(None, has_text=False, has_canvas=True, tried=0)


def test_an_unreadable_screen_is_read_once_then_not_again_until_the_interval_passed() -> None:
    async def scenario() -> tuple[int, int, int, list[str]]:
        game = Game(["PRESS START"])
        reader = game.reader()
        _unreadable(reader)
        await _settle(reader)
        first = game.reads
        game.clock.advance(OCR_EVERY_S - 1)
        reader.maybe_read(None, has_text=True, has_canvas=True, tried=0)  # stuck now: it read once already
        await _settle(reader)
        too_soon = game.reads
        game.clock.advance(1)
        reader.maybe_read(None, has_text=True, has_canvas=True, tried=0)
        await _settle(reader)
        return first, too_soon, game.reads, [t.text for t in reader.texts]

    assert asyncio.run(scenario()) == (1, 1, 2, ["PRESS START"])


def test_a_readable_screen_is_read_only_once_the_player_is_stuck() -> None:
    async def scenario() -> list[int]:
        game = Game(["TITLE"])
        reader = game.reader()
        reads = []
        for tried in (0, 5, 6):
            reader.maybe_read("Click to start", has_text=True, has_canvas=True, tried=tried)
            await _settle(reader)
            reads.append(game.reads)
        return reads

    assert asyncio.run(scenario()) == [0, 0, 1]


def test_no_reading_when_off_not_installed_or_in_the_game() -> None:
    async def scenario() -> list[int]:
        counts = []
        for game, enabled in (
            (Game(["X"]), False),
            (Game(["X"], installed=False), True),
            (Game(["X"], entered=True), True),
        ):
            reader = game.reader(enabled)
            _unreadable(reader)
            await _settle(reader)
            counts.append(game.reads)
        return counts

    assert asyncio.run(scenario()) == [0, 0, 0]


def test_at_most_ocr_max_readings_a_game() -> None:
    async def scenario() -> int:
        game = Game(["X"])
        reader = game.reader()
        for _ in range(OCR_MAX + 5):
            _unreadable(reader)
            await _settle(reader)
            game.clock.advance(OCR_EVERY_S)
        return game.reads

    assert asyncio.run(scenario()) == OCR_MAX


def test_an_action_on_a_gate_read_from_pixels_is_checked_by_a_new_reading() -> None:
    async def scenario() -> tuple[list[Any], list[float], list[str]]:
        game = Game(["PRESS START"], ["LEVEL 1", "SCORE 0"])
        reader = game.reader()
        _unreadable(reader)
        await _settle(reader)
        game.clock.advance(2.0)
        reader.after_action(False, "PRESS START", "press Enter", 2.0)
        await _settle(reader)
        return game.gone, game.clock.slept, [t.text for t in reader.texts]

    gone, slept, texts = asyncio.run(scenario())
    assert gone == [("press Enter", 2.0, "PRESS START", ["LEVEL 1", "SCORE 0"])]
    assert slept == [SETTLE_S]  # the game finished its screen change first
    assert texts == ["LEVEL 1", "SCORE 0"]


def test_a_gate_still_shown_is_no_new_screen_and_a_new_screen_forgets_the_old_reading() -> None:
    async def scenario() -> tuple[list[Any], list[str], list[str]]:
        game = Game(["PRESS START"], ["PRESS START"])
        reader = game.reader()
        _unreadable(reader)
        await _settle(reader)
        reader.after_action(False, "PRESS START", "click (10, 10)", 1.0)
        await _settle(reader)
        still = [t.text for t in reader.texts]
        reader.after_action(True, "PRESS START", "press Space", 2.0)  # the DOM saw the gate go
        return game.gone, still, [t.text for t in reader.texts]

    assert asyncio.run(scenario()) == ([], ["PRESS START"], [])
