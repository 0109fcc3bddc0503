"""Paused is not frozen: a pause screen the player's own Escape or P brought up, and its resume.

Many games stop their loop and show a still "PAUSED" card on Escape or P. Seen from outside that is
a loop that stopped under input, which the monitor would call frozen. The player knows better, as a
person does: it pressed the key, the word appeared. So when a pause key is followed by pause text
that was not there before (DOM text or text drawn on a canvas), the game is paused by the player:
the monitor is told (a paused screen may stand still), and before the player decides its next move it
resumes, with the key that paused it, then with a click on a Resume/Continue control or on the pause
word itself. Each pause is recorded (`metrics.pauses`). A pause that none of those resume is a stuck
game, and is reported as `freeze` with what was tried.

The judging is pure (texts and key names in, decisions out): tests/test_trust_pause.py runs it
without a browser; `resume_step` is the one async step, run by the agent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..dom.detector import PageView
from ..models import ActionResult, IssueKind, Pause
from .actions import Action, ClickAt, PressKey, action_for

#: keys with which players pause games (Playwright names, after normalise_key)
PAUSE_KEYS = frozenset({"Escape", "p"})
#: text that says the game is paused: "PAUSED", "Game paused", or a lone "Pause" heading
PAUSE_TEXT = re.compile(r"\bpaused\b|^\s*pause\s*$", re.I)
#: a control that resumes a paused game
RESUME_TEXT = re.compile(r"\b(resume|continue|unpause|back to (the )?game)\b", re.I)
#: ways to resume tried before the pause counts as stuck: the key that paused it, then a click
RESUME_TRIES = 2


def pause_text(view: PageView) -> str | None:
    """The pause text on screen (a line of DOM text or a drawn string), or None."""
    lines = [line.strip() for line in re.split(r"\n| \| ", view.screen_text) if line.strip()]
    for text in [*lines, *(d.text for d in view.drawn)]:
        if len(text) <= 60 and PAUSE_TEXT.search(text):
            return text.strip()
    return None


class PauseWatch:
    """Pauses the player caused: opened after its pause key, closed when the pause text goes away."""

    def __init__(self, pauses: list[Pause], on_change: Callable[[bool], None] = lambda _paused: None) -> None:
        self.pauses = pauses
        self.open: Pause | None = None
        self.tried: list[str] = []
        self._on_change = on_change

    @property
    def paused(self) -> bool:
        return self.open is not None

    def after_action(self, input_name: str, before: PageView, after: PageView, at_s: float, how: str) -> None:
        """Judge one action's before and after: a pause opened by our key, or a pause that went away."""
        now_text = pause_text(after)
        if self.open is not None:
            if now_text is None:
                self.open.resumed, self.open.resumed_at_s, self.open.how = True, at_s, how
                self.open, self.tried = None, []
                self._on_change(False)
            return
        if input_name in PAUSE_KEYS and now_text is not None and pause_text(before) is None:
            self.open = Pause(at_s=at_s, key=input_name, text=now_text)
            self.tried = []
            self.pauses.append(self.open)
            self._on_change(True)

    def resume_action(self, view: PageView) -> Action | None:
        """The next way to resume: the key that paused it, then a Resume/Continue control or the pause
        word itself; None when those were tried (the pause is stuck)."""
        if self.open is None or len(self.tried) >= RESUME_TRIES:
            return None
        if not self.tried:
            return PressKey(key=self.open.key)
        control = next((c for c in view.candidates if c.text and RESUME_TEXT.search(c.text)), None)
        if control is not None:
            return action_for(control)
        drawn = [d for d in view.drawn if RESUME_TEXT.search(d.text)] or [
            d for d in view.drawn if PAUSE_TEXT.search(d.text)
        ]
        word = drawn[0] if drawn else None
        if word is not None:
            box = word.bbox
            return ClickAt(x=box.x + box.width / 2, y=box.y + box.height / 2, label=repr(word.text))
        control = next((c for c in view.candidates if c.text and PAUSE_TEXT.search(c.text) and c.bbox), None)
        return action_for(control) if control is not None else PressKey(key=self.open.key)

    def stuck_message(self) -> str:
        pause = self.open
        assert pause is not None
        return (
            f"the game paused on the player's {pause.key} at {pause.at_s:.1f} s ({pause.text!r} on screen) and "
            f"did not resume: tried {', '.join(self.tried)}"
        )


async def resume_step(agent: Any, watch: PauseWatch, view: PageView) -> ActionResult | None:
    """One resume try on a pause the player caused; a stuck pause is recorded as a freeze (fatal)."""
    action = watch.resume_action(view)
    if action is None:
        agent.monitor.record(IssueKind.FREEZE, watch.stuck_message())
        return None
    watch.tried.append(action.describe())
    return await agent.perform(action, policy="resume", how=action.describe())
