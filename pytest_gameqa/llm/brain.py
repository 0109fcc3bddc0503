"""LLMBrain: what a GameAgent gains when `--game-model` is set.

It plays (one model decision per step, the heuristic player taking over whenever the model fails),
answers observe/act/extract from a scripted test (through the cache first), marks model clicks on
the after-screenshot, and holds the end-of-run judge (llm/judge.py). Usage (calls, tokens, cost,
cache hits, fallbacks) is kept per test for the results file. It sees the game only through its
`Senses` (llm/senses.py), never the agent itself.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TypeVar

from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel

from ..agent.actions import Action, action_for, describe
from ..agent.player import Decision, Turn
from ..agent.policy import STUCK_AFTER, HeuristicPolicy
from ..browser.session import PageHung
from ..dom.detector import PageView, UIDetector
from ..models import ActionResult, IssueKind, LLMUsage, ObserveResult, Reach
from ..settings import GameSettings
from .cache import ActionCache, portable, portable_action, resolve, restore_action
from .client import ModelClient, ModelUnavailable, redact
from .judge import ModelJudge
from .policy import REPEAT_LIMIT, LLMPolicy, describe_change, pixel_change
from .prompts import MAX_CANDIDATES, candidate_lines, image_part, system_prompt, text_part, untrusted
from .schema import DecisionError, ObserveChoice, Shot
from .senses import Senses

M = TypeVar("M", bound=BaseModel)
SHOT_WIDTH = 768
MAX_KEPT_SHOTS = 40

#: The address a click at (x, y) would follow when it is a link off the game's origin, else null.
OFF_ORIGIN_JS = """([x, y]) => {
  const el = document.elementFromPoint(x, y);
  const a = el && el.closest ? el.closest('a[href], area[href]') : null;
  if (!a) return null;
  let u;
  try { u = new URL(a.getAttribute('href'), location.href); } catch (e) { return String(a.getAttribute('href')); }
  if (u.protocol === 'javascript:') return 'javascript:';
  return u.origin === location.origin ? null : u.href.slice(0, 200);
}"""


def reach_facts(reach: Reach) -> str:
    """The same facts the built-in player goes by, for the model's prompt."""
    if reach.entered:
        facts = [f"The game was entered at {reach.entered_at_s} s ({reach.evidence})."]
    else:
        facts = ["The game has NOT been entered yet: find the way in first."]
        if reach.start_text:
            facts.append(f"Start screen text: {reach.start_text[:120]!r}.")
        if reach.tried:
            facts.append("Tried without getting in: " + ", ".join(reach.tried[-8:]) + ".")
    if reach.reactive_inputs:
        facts.append("Inputs the game visibly reacted to: " + ", ".join(reach.reactive_inputs[:8]) + ".")
    return " ".join(facts)


class LLMBrain:
    """The model player (a `Player`): decides with the model, the heuristic player covering its gaps."""

    name = "llm"

    def __init__(self, settings: GameSettings, senses: Senses, fallback: HeuristicPolicy) -> None:
        assert settings.model is not None
        self.senses = senses
        self.usage = LLMUsage()
        self.client = ModelClient(
            model=settings.model,
            api_base=settings.api_base,
            timeout=settings.model_timeout,
            retries=settings.model_retries,
            max_cost=settings.max_cost,
            usage=self.usage,
            note=self.note,
        )
        self.cache = ActionCache(Path(settings.cache_dir) if settings.cache == "on" else None)
        self.policy = LLMPolicy(self.client, touch=senses.touch)
        self.shots: list[Shot] = []
        self.failed_steps = 0
        self.skip_steps = 0
        self.fallback = fallback
        self._decision_shot: Shot | None = None
        self.judge = ModelJudge(
            self.client, senses, self.shots, self._shot, self.note, enabled=settings.ai_verdict != "off"
        )

    # ------------------------------------------------------------------------------------ notes
    def note(self, message: str, *, warn: bool = False) -> None:
        """A line for the console log (and a warning issue when it matters); keys never get through."""
        message = redact(message)
        self.senses.log(f"[{self.senses.now():7.2f}s] model: {message[:500]}")
        if warn:
            self.senses.record(IssueKind.WARNING, f"model: {message}")

    def _fell_back(self, purpose: str, error: Exception) -> None:
        self.usage.fallbacks += 1
        self.failed_steps += 1
        self.note(f"{purpose} fell back to the heuristic player: {error}", warn=True)
        if self.failed_steps >= 2:
            self.skip_steps = min(2 ** (self.failed_steps - 1), 8)
            self.note(f"{self.failed_steps} model failures in a row: the next {self.skip_steps} steps skip the model")

    def _unavailable_policy(self) -> str:
        """The policy name of a step the model sits out, counting it as a fallback unless budgeted."""
        if self.client.budget_spent:
            return "heuristic-budget"
        self.usage.fallbacks += 1
        return "heuristic-fallback"

    # ------------------------------------------------------------------------------------ page helpers
    async def _shot(self, label: str) -> Shot | None:
        width, height = self.senses.viewport()
        scale = min(1.0, SHOT_WIDTH / width)
        try:
            data = await self.senses.screenshot("jpeg", scale, 60)
        except (PageHung, PlaywrightError, AssertionError):
            return None
        shot = Shot(data, round(width * scale), round(height * scale), scale, self.senses.now(), label)
        if len(self.shots) >= MAX_KEPT_SHOTS:
            del self.shots[1]  # keep the first screen; the judge samples the rest evenly
        self.shots.append(shot)
        return shot

    def _relabel(self, shot: Shot, label: str) -> None:
        for i in range(len(self.shots) - 1, -1, -1):
            if self.shots[i] is shot:
                self.shots[i] = dataclasses.replace(shot, label=label)
                return

    async def guard(self, action: Action) -> None:
        """Refuse a click that would follow a link off the game's origin (the page may bait the model)."""
        point = action.point
        if point is None or self.senses.url() is None:
            return
        try:
            target = await self.senses.evaluate(OFF_ORIGIN_JS, 2.0, list(point))
        except (PageHung, PlaywrightError):
            return
        if target:
            raise DecisionError(f"that click would open {str(target)[:80]}, outside the game; stay in the game")

    async def _safe(self, action: Action) -> bool:
        try:
            await self.guard(action)
        except DecisionError:
            return False
        return True

    async def perform(self, action: Action, policy: str) -> ActionResult:
        """Run one action through the agent; a model's click leaves a dot on the after-screenshot."""
        marked = policy in ("llm", "cache") and action.point is not None
        return await self.senses.perform(action, policy, marked)

    # ------------------------------------------------------------------------------------ player interface
    async def decide(self, view: PageView) -> Decision:
        """The model's next action; the heuristic player decides whenever the model cannot."""
        action: Action | None = None
        policy = "llm"
        self._decision_shot = None
        if not self.client.available:
            policy = self._unavailable_policy()
        elif self.skip_steps > 0:
            self.skip_steps -= 1
            policy = self._unavailable_policy()
        else:
            shot = self._decision_shot = await self._shot("before a model decision")
            self.policy.reach_facts = reach_facts(self.senses.reach())
            self.policy.progress_facts = self.senses.progress()  # how far it got, once in
            try:
                if shot is None:
                    raise ModelUnavailable("no screenshot could be taken for the model")
                action = await self.policy.next_action(view, shot, self.guard)
                self.failed_steps = 0
            except ModelUnavailable as error:
                self._fell_back("decide", error)
                policy = "heuristic-fallback"
        if action is not None and self.policy.repeated(action):
            self.note(f"the model chose {describe(action)!r} {REPEAT_LIMIT + 1} times although it changed nothing")
            self.fallback.unchanged = STUCK_AFTER  # the heuristic player's own "try something else" rule
            action, policy = None, "heuristic-unstick"
        if action is None:
            action = self.fallback.next_action(view)
        marked = policy in ("llm", "cache") and action.point is not None
        return Decision(action, policy, mark=marked)

    def learn(self, turn: Turn) -> None:
        """Tell the model, next turn, what its action did: the same facts the heuristic player learns."""
        result, reaction = turn.result, turn.reaction
        if self._decision_shot is not None:
            self._relabel(self._decision_shot, f"just before: {result.description[:60]}")
        self.fallback.learn(turn)
        share = pixel_change(turn.before.thumb, turn.after.thumb)
        step = describe_change(turn.before.view, turn.after.view, share, result.ok, result.error)
        # the same reaction facts the built-in player uses: what changed beyond the screen's idle change
        if reaction.reacted:
            step.change += f"; beyond the screen's idle change: {reaction.explain(turn.action.input_name)}"
        elif result.ok:
            step.change += "; nothing beyond the screen's own idle change"
            step.unchanged = True
        self.policy.record(result.description, result.policy, step)

    # ------------------------------------------------------------------------------------ scripted API
    async def observe(self, instruction: str) -> list[ObserveResult]:
        view = await self.senses.look()
        ranked = UIDetector.rank(view, instruction)
        url = self.senses.url() or ""
        key = self.cache.key(url, "observe", instruction, view)
        entry = self.cache.get(key)
        if entry is not None:
            stored = [ObserveResult.model_validate(r) for r in entry.get("results", [])]
            resolved = [r for r in (resolve(s, view) for s in stored) if r is not None]
            if len(resolved) == len(stored):
                self.usage.cache_hits += 1
                self.note(f"cache hit: observe {instruction[:80]!r}")
                return resolved
            self.note(f"cached observe {instruction[:80]!r} no longer matches the page; asking the model again")
        if not self.client.available:
            self._unavailable_policy()
            return ranked
        shot = await self._shot(f"observe: {instruction[:60]}")
        if shot is None:
            return ranked
        candidates = ranked[:MAX_CANDIDATES]

        def check(choice: ObserveChoice) -> list[ObserveResult]:
            picked: list[ObserveResult] = []
            for number in choice.candidates:
                if not 1 <= number <= len(candidates):
                    raise DecisionError(f"candidate {number} does not exist: the list has 1 to {len(candidates)}")
                if candidates[number - 1] not in picked:
                    picked.append(candidates[number - 1])
            return [c.model_copy(update={"score": round(1.0 - i / 100, 2)}) for i, c in enumerate(picked)]

        system = system_prompt("observe", ObserveChoice, structured=self.client.structured, shot=shot)
        brief = f"Instruction: {instruction}\n\n{candidate_lines(candidates, shot)}\n\nVisible page text:\n"
        content = [text_part(brief + untrusted(view.screen_text)), image_part(shot)]
        try:
            found: list[ObserveResult] = await self.client.ask(  # type: ignore[assignment]
                "observe", system, content, ObserveChoice, check=check
            )
        except ModelUnavailable as error:
            self._fell_back("observe", error)
            return ranked
        self.failed_steps = 0
        self.cache.put(key, url, "observe", instruction, view, results=[portable(r) for r in found])
        return found

    async def act(self, instruction: str) -> ActionResult:
        view = await self.senses.look()
        url = self.senses.url() or ""
        key = self.cache.key(url, "act", instruction, view)
        entry = self.cache.get(key)
        if entry is not None:
            action = restore_action(entry.get("action") or {}, view, self.senses.viewport())
            if action is not None and await self._safe(action):
                self.usage.cache_hits += 1
                self.note(f"cache hit: act {instruction[:80]!r}")
                return await self.perform(action, "cache")
            self.note(f"cached act {instruction[:80]!r} no longer resolves on the page; asking the model again")
        chosen: Action | None = None
        if not self.client.available:
            policy = self._unavailable_policy()
        else:
            policy = "llm"
            shot = await self._shot(f"act: {instruction[:60]}")
            candidates = UIDetector.rank(view, instruction)[:MAX_CANDIDATES]
            try:
                if shot is None:
                    raise ModelUnavailable("no screenshot could be taken for the model")
                chosen = await self.policy.decide("act", instruction, view, shot, candidates, self.guard)
                self.failed_steps = 0
            except ModelUnavailable as error:
                self._fell_back("act", error)
                policy = "heuristic-fallback"
        if chosen is None:
            found = UIDetector.rank(view, instruction)
            if not found:
                raise LookupError(f"nothing on screen matches {instruction!r}")
            chosen = action_for(found[0], key=str, touch=self.senses.touch)
        result = await self.perform(chosen, policy)
        if policy == "llm" and result.ok:
            self.cache.put(key, url, "act", instruction, view, action=portable_action(chosen))
        return result

    async def extract(self, instruction: str, schema: type[M]) -> M | None:
        """Values read by the model, or None (the caller then reads the page without a model)."""
        if not self.client.available:
            return None
        view = await self.senses.look()
        shot = await self._shot(f"extract: {instruction[:60]}")
        if shot is None:
            return None
        system = system_prompt("extract", schema, structured=self.client.structured, shot=shot)
        brief = f"Instruction: {instruction}\n\nVisible page text:\n{untrusted(view.screen_text)}"
        if view.state:
            brief += f"\n\nThe game's own state report:\n{untrusted(view.state, 2000)}"
        try:
            value: M = await self.client.ask("extract", system, [text_part(brief), image_part(shot)], schema)  # type: ignore[assignment]
        except ModelUnavailable as error:
            self._fell_back("extract", error)
            return None
        return value
