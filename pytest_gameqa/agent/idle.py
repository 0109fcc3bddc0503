"""The idle model: how the current screen changes with no input (pixels by grid cell, text pieces, state
fields), so that a change an input makes is judged beyond it (reach.py). Pure: looks in, verdicts out.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

from ..monitor.pixels import Thumbnail, changed_cells
from .signals import fold, text_changes


class Look(Protocol):
    """What the idle model reads of one look (reach.Sample)."""

    thumb: Thumbnail | None
    texts: frozenset[str]
    state: dict[str, str]
    at_s: float


GRID_W, GRID_H = 16, 9
#: mean absolute difference of a cell's channels that counts as a change (0-255 scale)
CELL_DIFF = 10
#: idle looks needed before pixels count as evidence of a reaction
MIN_IDLE_LOOKS = 4
#: pixels count as evidence only while less than this share of the screen moves by itself
STILL_SHARE = 0.3


def cell_mask(a: Thumbnail, b: Thumbnail) -> frozenset[int]:
    """Cells of a GRID_W x GRID_H grid whose pixels differ between two thumbnails (monitor/pixels.py)."""
    return changed_cells(a, b, (GRID_W, GRID_H), CELL_DIFF)


def _dilate(cells: frozenset[int] | set[int], radius: int = 2) -> set[int]:
    """Cells within `radius` of a changed one: a sprite moving by itself for longer than an idle look
    (an action takes longer) reaches the neighbouring cells, and that is still no reaction."""
    out: set[int] = set()
    span = range(-radius, radius + 1)
    for c in cells:
        x, y = c % GRID_W, c // GRID_W
        for dy in span:
            for dx in span:
                nx, ny = x + dx, y + dy
                if 0 <= nx < GRID_W and 0 <= ny < GRID_H:
                    out.add(ny * GRID_W + nx)
    return out


#: a number shown unchanged this long with no input stands still by itself (a score); a countdown, in
#: tenths or in whole seconds, changes sooner
STEADY_TEXT_S = 1.2


class IdleModel:
    """How the current screen changes with no input: cells, text pieces and state fields that move."""

    def __init__(self) -> None:
        self.masks: deque[frozenset[int]] = deque(maxlen=10)
        self.novelty: deque[int] = deque(maxlen=10)
        self.longest_gap_s = 0.0
        self.volatile_text: set[str] = set()  # folded pieces that come and go by themselves (a blink)
        self.volatile_slots: dict[str, set[int]] = {}  # numbers that change by themselves (a timer)
        #: folded pieces seen unchanged for STEADY_TEXT_S with no input: a number there stands still by
        #: itself (a score), where one first seen on a new screen may be a countdown
        self.steady_text: set[str] = set()
        self._unchanged_since: dict[str, tuple[str, float]] = {}
        self.volatile_state: set[str] = set()
        self.samples = 0

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def active(self) -> set[int]:
        cells: set[int] = set()
        for mask in self.masks:
            cells |= mask
        return _dilate(cells)

    def learn(self, a: Look, b: Look) -> int:
        """Learn from two looks with no input between; returns how many cells changed (-1: unknown)."""
        changed = -1
        if a.thumb is not None and b.thumb is not None:
            mask = cell_mask(a.thumb, b.thumb)
            changed = len(mask)
            if self.masks:
                self.novelty.append(len(mask - self.active()))
            self.masks.append(mask)
            self.longest_gap_s = max(self.longest_gap_s, b.at_s - a.at_s)
        if len(self._unchanged_since) > 500:  # a screen of ever new text (a log, a chat) stays bounded
            self._unchanged_since.clear()
        for look in (a, b):
            for text in look.texts:
                key = fold(text)
                shown, since = self._unchanged_since.get(key, ("", -1.0))
                if shown != text or since > look.at_s:
                    self._unchanged_since[key] = (text, look.at_s)
                elif look.at_s - since >= STEADY_TEXT_S:
                    self.steady_text.add(key)
        for key, slots in text_changes(a.texts, b.texts).items():
            if slots is None:
                self.volatile_text.add(key)
            else:
                self.volatile_slots.setdefault(key, set()).update(slots)
        self.volatile_state |= {k for k in a.state.keys() | b.state.keys() if a.state.get(k) != b.state.get(k)}
        self.samples += 1
        return changed

    def threshold(self) -> int:
        """Cells an input must change outside the idle area: more on a screen whose idle change wanders."""
        return max(2, max(self.novelty, default=0) + 2)

    def comparable(self, seconds: float) -> bool:
        """Pixels say something only after a few idle looks, over an interval no longer than idle ones
        (a slow action on a scrolling screen changes more cells than a quick idle look, by time alone),
        and only on a screen that is mostly still by itself: on a scrolling or swirling one, every cell
        moves anyway, and only text, state or a start screen going away can tell a reaction."""
        if len(self.masks) < MIN_IDLE_LOOKS:
            return False
        moving: set[int] = set()
        for mask in self.masks:
            moving |= mask
        if len(moving) <= 2:
            return True  # a screen that stands still by itself stays still however long the action took
        return seconds <= max(0.8, 2.5 * self.longest_gap_s) and len(moving) < STILL_SHARE * GRID_W * GRID_H
