"""LLMPolicy: one model call per step turns a screenshot and the numbered candidates into an Action.

The model sees what a player sees (a downscaled screenshot), what it can act on (the detector's
numbered candidates, with their boxes in screenshot pixels), what its recent actions changed, and
the goal. It keeps no other memory, so a run is a sequence of small, independent, checkable calls.
A model that keeps repeating an action that changes nothing is caught here (`repeated`), because a
stuck model otherwise burns the whole time budget and money on one dead button.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..agent.actions import Action, describe
from ..dom.detector import PageView, UIDetector
from ..monitor.pixels import Thumbnail, changed_cells
from .client import ModelClient
from .prompts import (
    MAX_CANDIDATES,
    MAX_PROGRESS_FACTS,
    candidate_lines,
    image_part,
    system_prompt,
    text_part,
    untrusted,
)
from .schema import Decision, Shot, TouchDecision, to_action

DEFAULT_GOAL = (
    "Get into the game and play it like a first-time player for a few minutes, trying every control, "
    "so that crashes, freezes and broken controls show up."
)
REPEAT_LIMIT = 3
#: Share of thumbnail pixels that must change before the screen counts as changed (animated
#: backgrounds change a little all the time).
CHANGE_THRESHOLD = 0.02
#: a pixel changed clearly when its RGB channels differ by more than 24 in all (mean above 8): past JPEG noise
PIXEL_DIFF = 8

Guard = Callable[[Action], Awaitable[None]]


@dataclass
class Step:
    description: str
    policy: str
    change: str
    unchanged: bool


def pixel_change(before: Thumbnail | None, after: Thumbnail | None) -> float | None:
    """Share of pixels that differ clearly (their channels by more than 24 in all) between two thumbnails."""
    if before is None or after is None or len(before.pixels) != len(after.pixels):
        return None
    total = before.width * before.height
    per_pixel = (before.width, before.height)  # a grid of one-pixel cells: the measure per pixel
    return len(changed_cells(before, after, per_pixel, PIXEL_DIFF, step=1)) / total if total else None


def describe_change(before: PageView, after: PageView, share: float | None, ok: bool, error: str | None) -> Step:
    """What an action did, in words the model can use next turn."""
    parts = []
    if not ok:
        parts.append(f"failed: {error or 'error'}"[:160])
    if share is not None:
        parts.append(f"{share:.0%} of the screen changed" if share >= 0.005 else "the screen did not change")
    old = {c.text for c in before.candidates if c.text and c.kind != "canvas"}
    new = {c.text for c in after.candidates if c.text and c.kind != "canvas"}
    appeared, gone = sorted(new - old)[:3], sorted(old - new)[:3]
    if appeared:
        parts.append("appeared: " + ", ".join(repr(t[:30]) for t in appeared))
    if gone:
        parts.append("gone: " + ", ".join(repr(t[:30]) for t in gone))
    text_changed = (before.screen_text, before.state) != (after.screen_text, after.state)
    if text_changed and not appeared and not gone:
        parts.append("the page text or game state changed")
    unchanged = not text_changed and not appeared and not gone and (share is None or share < CHANGE_THRESHOLD)
    return Step(description="", policy="", change="; ".join(parts) or "nothing measurable changed", unchanged=unchanged)


class LLMPolicy:
    name = "llm"

    def __init__(self, client: ModelClient, goal: str | None = None, *, touch: bool = False) -> None:
        self.client = client
        self.goal = goal or DEFAULT_GOAL
        #: a touch screen: the model is offered taps, swipes and long presses instead of clicks
        self.touch = touch
        self.history: deque[Step] = deque(maxlen=8)
        #: the reach tracker's facts (in the game or not, the start screen's text, ways in tried), in words
        self.reach_facts = ""
        #: how far the player got (agent/progress.py's facts: numbers raised, screens reached), in words
        self.progress_facts = ""

    async def next_action(self, view: PageView, screenshot: Shot, guard: Guard | None = None) -> Action:
        """The model's next action, validated (and `guard`ed) before it is returned."""
        candidates = UIDetector.rank(view, None)[:MAX_CANDIDATES]
        return await self.decide("decide", self.goal, view, screenshot, candidates, guard)

    async def decide(
        self,
        prompt: str,
        goal: str,
        view: PageView,
        shot: Shot,
        candidates: list,  # type: ignore[type-arg]
        guard: Guard | None = None,
    ) -> Action:
        async def check(decision: Decision | TouchDecision) -> Action:
            action = to_action(decision, candidates, shot)
            if guard is not None:
                await guard(action)
            return action

        # on a touch screen the same purpose (decide, act) has its own prompt and schema: finger actions
        schema: type[Decision] | type[TouchDecision] = TouchDecision if self.touch else Decision
        name = f"{prompt}_touch" if self.touch else prompt
        system = system_prompt(name, schema, structured=self.client.structured, shot=shot)
        content = [text_part(self._brief(goal, view, shot, candidates, prompt == "decide")), image_part(shot)]
        return await self.client.ask(prompt, system, content, schema, check=check)  # type: ignore[return-value]

    def _brief(self, goal: str, view: PageView, shot: Shot, candidates: list, with_history: bool) -> str:  # type: ignore[type-arg]
        lines = [f"Goal: {goal}" if with_history else f"Instruction: {goal}", ""]
        if with_history:
            if self.history:
                lines.append("Your recent actions, oldest first, and what each changed:")
                lines += [f"- {s.description} [{s.policy}] -> {s.change}" for s in self.history]
            else:
                lines.append("This is your first action.")
            lines.append("")
        lines.append(candidate_lines(candidates, shot, touch=self.touch))
        lines += ["", "Visible page text:", untrusted(view.screen_text)]
        if view.drawn:
            # text the game drew on its canvas (read from fillText) or that OCR read from pixels, with where
            drawn = []
            for d in view.drawn[:30]:
                x1, y1 = shot.from_page(d.bbox.x, d.bbox.y)
                x2, y2 = shot.from_page(d.bbox.x + d.bbox.width, d.bbox.y + d.bbox.height)
                drawn.append(f"{d.text[:80]!r} at x={x1}-{x2}, y={y1}-{y2} ({d.source})")
            lines += ["", "Text drawn in the game:", untrusted("\n".join(drawn))]
        if self.reach_facts:
            lines += [
                "",
                "What the harness measured about getting in (quotes page text):",
                untrusted(self.reach_facts, 600),
            ]
        if self.progress_facts and with_history:
            lines += ["", "How far you got (measured by the harness; quotes page text):"]
            lines.append(untrusted(self.progress_facts, MAX_PROGRESS_FACTS))
        if view.state:
            lines += ["", "The game's own state report:", untrusted(view.state, 800)]
        lines += ["", f"The screenshot is {shot.width}x{shot.height} pixels."]
        return "\n".join(lines)

    def repeated(self, action: Action) -> bool:
        """The model picked, again, an action that changed nothing the last REPEAT_LIMIT times."""
        recent = list(self.history)[-REPEAT_LIMIT:]
        text = describe(action)
        return len(recent) == REPEAT_LIMIT and all(
            s.description == text and s.unchanged and s.policy == self.name for s in recent
        )

    def record(self, description: str, policy: str, step: Step) -> None:
        step.description, step.policy = description, policy
        self.history.append(step)
