"""What a scene is made of: one look's drawn things by key, and what a key says of its thing (canvas,
offscreen buffer, WebGL, DOM; its family; which of its numbers are pixels). Shared by the envelope
(scene.py) and whoever reads a scene (reach.py, progress.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PX_SLOTS = 4  # x, y, width, height; a fifth number is a style / signature hash: any change counts


def kind_of(key: str) -> str:
    """canvas ('c' on the page, 'o' an offscreen buffer), 'g' WebGL, 'd' DOM (after a frame prefix)."""
    bare = key.split(":", 1)[1] if key.startswith("f") and ":" in key.split("|", 1)[0] else key
    return bare[:1]


def family(key: str) -> str:
    """A thing's kind of thing: its key without its size and draw order ("c1|text:GALAXY"), so a title
    that pulses through sizes is one family however many sizes it takes."""
    base = key.rsplit("#", 1)[0]
    if kind_of(key) in "co" and ":" in base:
        head, _, size = base.rpartition(":")
        return head if "x" in size else base
    return base


def is_px(key: str, slot: int) -> bool:
    return kind_of(key) in "cod" and slot < PX_SLOTS


def is_hash(key: str, slot: int) -> bool:
    return kind_of(key) in "cod" and slot >= PX_SLOTS


@dataclass
class Scene:
    """One look at what is drawn: key -> numbers, and the text of DOM things (for words and menus)."""

    things: dict[str, tuple[float, ...]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    at_s: float = 0.0
    scroll: tuple[float, float] = (0.0, 0.0)  # the page's scroll offset: boxes are in viewport pixels

    @classmethod
    def of(cls, raw: list[list[Any]], at_s: float, scroll: tuple[float, float] = (0.0, 0.0)) -> Scene:
        things: dict[str, tuple[float, ...]] = {}
        labels: dict[str, str] = {}
        for item in raw:
            try:
                key = str(item[0])
                things[key] = tuple(float(v) for v in item[1])
                if len(item) > 2 and item[2]:
                    labels[key] = str(item[2])[:40]
            except (TypeError, ValueError, IndexError):
                continue
        return cls(things, labels, at_s, scroll)

    @property
    def drawn(self) -> int:
        """How many canvas and WebGL things: 0 means the scene cannot see this game's play."""
        return sum(1 for k in self.things if kind_of(k) in "cog")
