"""Text and state as signals: the pieces of text a screen shows (numbers folded, so "Score: 12" and
"Score: 13" are one piece whose number changed) and the game's own state hook flattened to fields.
Reach tells a reaction by them (a number input moved, a field that stayed put while idle), progress
reads the numbers. Pure: no browser.
"""

from __future__ import annotations

import json
import re

from ..dom.detector import PageView
from .reading import segments

_DIGITS = re.compile(r"\d+(\.\d+)?")
#: a state hook's phase that means the game is being played
PLAYING_STATES = re.compile(r"^(play|playing|game|running|run|level|in[-_ ]?game|started|active|fight|race)\b", re.I)
_PHASE_KEYS = ("phase", "state", "status", "mode", "screen", "scene")
#: boolean flags a state hook sets while the game is being played
_PLAYING_FLAGS = ("playing", "isplaying", "started", "gamestarted", "running", "ingame", "in_game")


def text_keys(view: PageView) -> frozenset[str]:
    """The screen's text pieces as shown ("Jumps: 3"): a change in them may be the game's reaction.

    Only live readings (DOM, canvas text): what OCR read arrives later, from an older frame.
    """
    live = view.model_copy(update={"drawn": [d for d in view.drawn if d.source != "ocr"]})
    return frozenset(s.lower()[:80] for s in segments(live))


def fold(text: str) -> str:
    """A text piece with numbers folded: "Score: 12" and "Score: 13" are the same piece that counts."""
    return _DIGITS.sub("#", text)


def number_slots(a: str, b: str) -> set[int]:
    """Which numbers differ between two texts of the same folded shape ("distance 12 lane 0.00")."""
    na, nb = [m.group(0) for m in _DIGITS.finditer(a)], [m.group(0) for m in _DIGITS.finditer(b)]
    return {i for i, (x, y) in enumerate(zip(na, nb, strict=True)) if x != y}


def text_changes(a: frozenset[str], b: frozenset[str]) -> dict[str, set[int] | None]:
    """folded piece -> the number slots that changed (None: the piece appeared or went away)."""
    fa: dict[str, str] = {fold(t): t for t in a}
    fb: dict[str, str] = {fold(t): t for t in b}
    out: dict[str, set[int] | None] = {}
    for key in fa.keys() | fb.keys():
        if key in fa and key in fb:
            if fa[key] != fb[key]:
                out[key] = number_slots(fa[key], fb[key])
        else:
            out[key] = None
    return out


def state_fields(view: PageView) -> dict[str, str]:
    """The game's own state hook (render_game_to_text) flattened to key -> value."""
    if not view.state:
        return {}
    try:
        data = json.loads(view.state)
    except (json.JSONDecodeError, ValueError):
        return {"text": view.state[:200]}
    out: dict[str, str] = {}

    def walk(value: object, prefix: str, depth: int) -> None:
        if len(out) >= 200:
            return
        if isinstance(value, dict) and depth < 4:
            for k, v in value.items():
                walk(v, f"{prefix}.{k}" if prefix else str(k), depth + 1)
        elif isinstance(value, list) and depth < 4:
            for i, v in enumerate(value[:20]):
                walk(v, f"{prefix}[{i}]", depth + 1)
        else:
            out[prefix] = str(value)[:80]

    walk(data, "", 0)
    return out


def playing_phase(fields: dict[str, str]) -> str | None:
    """What the game's state hook says of being played: a phase named playing ("state": "play"), or a
    flag that says so ("playing": true)."""
    for key, value in fields.items():
        name = key.split(".")[-1].lower()
        if name in _PHASE_KEYS and PLAYING_STATES.search(value.strip()):
            return f"{key}={value}"
        if name in _PLAYING_FLAGS and value.strip().lower() == "true":
            return f"{key}={value}"
    return None
