"""Loading is not play: when did the game's loading end, judged from the game's own signs of readiness.

The player starts once the game looks ready (or once `--game-ready-timeout` ran out), but a heavy game
may still be compiling shaders or streaming a track then, on a software GPU for 20 s. Its stillness,
its long busy stretches and its allocations are loading, not a freeze or a leak. Loading is over when
- the screen no longer says it is loading (DOM text or text drawn on a canvas: "Loading", "Compiling
  shaders", "Downloading"...) and the state hook (`render_game_to_text()`) does not say so either,
- and the main thread is free again (no long frame of `BUSY_FRAME_MS` for `CALM_S`),
or when the player got in (its input visibly changed the game twice: that is play), or at the latest
`LOADING_MAX_S` after ready (a word that never goes away must not switch the judgement off).

Until then `frozen` frames are not judged, a hang needs `LOADING_HANG_S` rather than
`--game-hang-timeout`, and heap growth is not counted. `metrics.loading` records when loading ended and
why the monitor believed it.
"""

from __future__ import annotations

import re
from typing import Any

from ..models import LoadingEnd

#: words that say a game is still loading (a bare percentage is not one: a HUD shows "HP 80%")
LOADING_WORDS = re.compile(
    r"\b(loading|downloading|compiling|preparing|streaming|initiali[sz]ing|decompressing)\b", re.I
)
#: a state hook whose phase says it is still loading
LOADING_STATE = re.compile(r'"(phase|state|status|mode|scene)"\s*:\s*"(loading|boot|preload\w*)"', re.I)
#: a frame this long is the main thread busy loading in chunks (play frames take 16-50 ms)
BUSY_FRAME_MS = 250.0
#: the main thread free and nothing saying "loading" for this long: loading is over
CALM_S = 1.0
#: a hang while loading needs this long: Chromium's own "page unresponsive" dialog waits 15 s on desktop,
#: and a shader compile on a software GPU on 2 busy cores can block for many seconds in one go
LOADING_HANG_S = 15.0
#: loading believed at most this long after ready: a loading word that never goes away is part of the game
LOADING_MAX_S = 60.0
#: the player got in but no look at the screen came this long after (the watchdog looks every second):
#: the entry alone ended loading
ENTRY_LOOK_S = 2.5
#: what the watchdog reads to judge loading: visible DOM text, drawn canvas text, the state hook (bounded)
READ_JS = """() => {
  const dom = document.body ? document.body.innerText.slice(0, 4000) : "";
  let drawn = [];
  try { drawn = (window.__gameqaText ? window.__gameqaText(40) : []).map((t) => t.text); } catch (e) {}
  let state = null;
  try {
    if (typeof window.render_game_to_text === "function") state = String(window.render_game_to_text()).slice(0, 400);
  } catch (e) {}
  return { dom, drawn, state };
}"""


class LoadingJudge:
    """Follows the game's loading until it ends; `loading` is True until then."""

    def __init__(self) -> None:
        self.ended_at: float | None = None
        self.why: str | None = None
        self.last_text: str | None = None
        self.last_text_at: float | None = None
        self.last_busy_at: float | None = None
        self._calm_since: float | None = None
        self._ready_at: float | None = None
        self._entered_at: float | None = None  # the player got in; the next look says why loading ended

    @property
    def loading(self) -> bool:
        return self.ended_at is None

    def during(self, at_s: float) -> bool:
        """Whether `at_s` fell in the game's loading."""
        return self.ended_at is None or at_s < self.ended_at

    def note_frames(self, now: float, longest_ms: float) -> None:
        """One probe window's longest frame: a long one is the main thread busy (loading in chunks)."""
        if longest_ms >= BUSY_FRAME_MS:
            self.last_busy_at = now
            self._calm_since = None

    def note_look(self, now: float, texts: list[str], state: str | None, ready_at: float | None) -> None:
        """One look at what the game shows; ends loading once nothing says loading and the thread is calm."""
        if self.ended_at is not None:
            return
        said = next((t for t in texts if LOADING_WORDS.search(t)), None)
        if said is None and state and LOADING_STATE.search(state):
            said = f"state {LOADING_STATE.search(state).group(0)}"  # type: ignore[union-attr]
        if said is not None:
            self.last_text, self.last_text_at = said.strip()[:80], now
            self._calm_since = None
            if self._entered_at is not None:
                self._end_at_entry(self._entered_at, loader_gone=False)
            return
        if ready_at is None:
            return
        self._ready_at = ready_at
        if self._entered_at is not None:
            self._end_at_entry(self._entered_at, loader_gone=True)
            return
        if self._calm_since is None:
            self._calm_since = now  # the first look that says nothing about loading
        signs = [t for t in (self.last_busy_at, self.last_text_at) if t is not None]
        if not signs or now - max(signs) >= CALM_S:
            self._end(self._calm_since, self._calm_why(ready_at))

    def note_entered(self, at_s: float) -> None:
        """The player got in: loading is over, but when and why is the next look's to say. If the loading
        signs are gone by then, loading ended when they went (the entry may come before `CALM_S` ran
        out); if the screen still says "loading", the entry ended it. Without a look within
        `ENTRY_LOOK_S` (the page too busy to answer), the entry ended it."""
        if self.ended_at is None and self._entered_at is None:
            self._entered_at = at_s

    def _end_at_entry(self, entered: float, loader_gone: bool) -> None:
        if loader_gone and self._ready_at is not None:
            at = entered if self._calm_since is None else min(self._calm_since, entered)
            self._end(at, f"{self._calm_why(self._ready_at)}; the player got in at {entered:.1f} s")
        else:
            self._end(entered, f"the player got in at {entered:.1f} s: its input changed the game (that is play)")

    def note_time(self, now: float, ready_at: float | None) -> None:
        if self.ended_at is not None:
            return
        if self._entered_at is not None and now - self._entered_at >= ENTRY_LOOK_S:
            self._end_at_entry(self._entered_at, loader_gone=False)
        elif ready_at is not None and now - ready_at >= LOADING_MAX_S:
            self._end(
                now,
                f"still saying {self.last_text!r} {LOADING_MAX_S:g} s after ready: judged as play from here",
            )

    def _calm_why(self, ready_at: float) -> str:
        parts = []
        if self.last_text is not None:
            parts.append(f"{self.last_text!r} gone from the screen (last seen at {self.last_text_at:.1f} s)")
        else:
            parts.append(f"ready at {ready_at:.1f} s with nothing on screen saying it was loading")
        if self.last_busy_at is not None:
            parts.append(f"the main thread free again (its last long frame at {self.last_busy_at:.1f} s)")
        else:
            parts.append("the main thread free")
        return ", ".join(parts)

    def _end(self, at_s: float, why: str) -> None:
        self.ended_at, self.why = round(at_s, 3), why

    def record(self) -> LoadingEnd:
        if self.ended_at is None and self._entered_at is not None:
            self._end_at_entry(self._entered_at, loader_gone=False)
        return LoadingEnd(ended_at_s=self.ended_at, why=self.why or f"still loading: {self.last_text or 'not ready'}")


def texts_of(read: Any) -> tuple[list[str], str | None]:
    """READ_JS's answer as lines of text and the state string (anything malformed reads as nothing)."""
    if not isinstance(read, dict):
        return [], None
    dom = str(read.get("dom") or "")
    drawn = [str(t) for t in read.get("drawn") or [] if t]
    state = read.get("state")
    return [line for line in dom.splitlines() if line.strip()] + drawn, str(state) if state else None
