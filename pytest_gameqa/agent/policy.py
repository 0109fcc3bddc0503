"""HeuristicPolicy: a seeded player that needs no model.

It moves through phases a human tester would: get into the game (start buttons, prompts, a click on
the canvas, Enter/Space), play it with varied input (a sweep of common keys first, then bursts, holds,
clicks and drags, favouring inputs that visibly did something), recover after a game over, and change
tactics when nothing it does changes the screen. Same seed + same screens = same actions.
"""

from __future__ import annotations

import random
from enum import Enum

from ..dom.detector import RESTART_WORDS, START_WORDS, PageView
from ..models import ActionResult, ObserveResult
from .actions import Action, ClickAt, ClickElement, Drag, HoldKey, PressKey

PLAY_KEYS = ("ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "Space", "w", "a", "s", "d", "Enter")
SWEEP_KEYS = ("Enter", "Space", "ArrowUp", "ArrowRight", "ArrowLeft", "ArrowDown", "w", "a", "s", "d")
STUCK_AFTER = 5


class Phase(str, Enum):
    ENTER = "enter"
    PLAY = "play"
    RECOVER = "recover"


def _clicked_start(action: Action) -> bool:
    return isinstance(action, ClickElement) and bool(START_WORDS.search(action.target.text))


def _ident(candidate: ObserveResult) -> str:
    return f"{candidate.frame_url}|{candidate.selector}|{candidate.text}"


class HeuristicPolicy:
    name = "heuristic"

    def __init__(self, seed: int, viewport: tuple[int, int]) -> None:
        self.rng = random.Random(seed)
        self.viewport = viewport
        self.phase = Phase.ENTER
        self.tried: set[str] = set()
        self.recover_tried: set[str] = set()
        self.sweep: list[Action] = []
        self.swept = False
        self.key_effect: dict[str, int] = {}
        self.unchanged = 0
        self.last: Action | None = None

    # -------------------------------------------------------------------------------------- decisions
    def next_action(self, view: PageView) -> Action:
        if self.phase is Phase.PLAY and view.game_over:
            self.phase = Phase.RECOVER
            self.recover_tried.clear()
        if self.phase is Phase.ENTER:
            action = self._enter(view)
            if action is not None:
                return self._chose(action)
            self.phase = Phase.PLAY
        if self.phase is Phase.RECOVER:
            action = self._recover(view)
            if action is not None:
                return self._chose(action)
            self.phase = Phase.PLAY
        if self.unchanged >= STUCK_AFTER:
            self.unchanged = 0
            action = self._unstick(view)
            if action is not None:
                return self._chose(action)
        return self._chose(self._play(view))

    def _chose(self, action: Action) -> Action:
        self.last = action
        return action

    def _enter(self, view: PageView) -> Action | None:
        for candidate in view.candidates:
            if candidate.kind in ("canvas", "input") or _ident(candidate) in self.tried:
                continue
            if START_WORDS.search(candidate.text) or candidate.method == "press":
                self.tried.add(_ident(candidate))
                if candidate.method == "press" and candidate.arguments:
                    return PressKey(key=candidate.arguments[0])
                return ClickElement(target=candidate)
        canvases = view.canvases
        if canvases and "canvas-center" not in self.tried:
            self.tried.add("canvas-center")
            return ClickElement(target=canvases[0])
        for key in ("Enter", "Space"):
            if f"key-{key}" not in self.tried:
                self.tried.add(f"key-{key}")
                return PressKey(key=key)
        return None

    def _recover(self, view: PageView) -> Action | None:
        for candidate in view.candidates:
            ident = _ident(candidate)
            if candidate.kind in ("canvas", "input") or ident in self.recover_tried:
                continue
            if RESTART_WORDS.search(candidate.text) or START_WORDS.search(candidate.text):
                self.recover_tried.add(ident)
                return ClickElement(target=candidate)
        for step in ("Enter", "Space", "canvas", "r"):
            if step in self.recover_tried:
                continue
            self.recover_tried.add(step)
            if step == "canvas":
                if view.canvases:
                    return ClickElement(target=view.canvases[0])
                continue
            return PressKey(key=step)
        return None

    def _unstick(self, view: PageView) -> Action | None:
        """Nothing changed for a while: a new button may have appeared, or this input type is dead."""
        fresh = [c for c in view.candidates if c.kind not in ("canvas", "input") and _ident(c) not in self.tried]
        if fresh:
            self.tried.add(_ident(fresh[0]))
            return ClickElement(target=fresh[0])
        if isinstance(self.last, PressKey | HoldKey) and view.canvases:
            return self._canvas_click(view.canvases[0])
        return PressKey(key=self.rng.choice(PLAY_KEYS), times=self.rng.randint(1, 3))

    def _play(self, view: PageView) -> Action:
        if not self.swept:
            if not self.sweep:
                # arrows and Space are what most games use: press them long enough to matter
                arrows = [k for k in SWEEP_KEYS if k.startswith(("Arrow", "Space"))]
                others = [k for k in SWEEP_KEYS if k not in arrows]
                self.rng.shuffle(arrows)
                self.rng.shuffle(others)
                keys = arrows + others
                self.sweep = [PressKey(key=k, times=5 if k.startswith(("Arrow", "Space")) else 3) for k in keys]
            action = self.sweep.pop(0)
            if not self.sweep:
                self.swept = True
            return action
        canvases = view.canvases
        clickables = [c for c in view.candidates if c.kind in ("button", "prompt") and c.method == "click"]
        roll = self.rng.random()
        if canvases:
            canvas = canvases[0]
            if roll < 0.35:
                return PressKey(key=self._key(), times=self.rng.randint(1, 6))
            if roll < 0.55:
                return HoldKey(key=self._key(), ms=self.rng.choice((200, 400, 700, 1000)))
            if roll < 0.75:
                return self._canvas_click(canvas)
            if roll < 0.85:
                return self._canvas_drag(canvas)
            if clickables:
                return ClickElement(target=self.rng.choice(clickables))
            return PressKey(key=self._key(), times=self.rng.randint(1, 4))
        if clickables and roll < 0.75:
            return ClickElement(target=self.rng.choice(clickables))
        return PressKey(key=self._key(), times=self.rng.randint(1, 4))

    def _key(self) -> str:
        weights = [1 + 3 * self.key_effect.get(k, 0) for k in PLAY_KEYS]
        return self.rng.choices(PLAY_KEYS, weights=weights, k=1)[0]

    def _canvas_point(self, canvas: ObserveResult) -> tuple[float, float]:
        assert canvas.bbox is not None
        box = canvas.bbox
        width, height = self.viewport
        x = min(max(box.x + box.width * self.rng.uniform(0.1, 0.9), 1), width - 2)
        y = min(max(box.y + box.height * self.rng.uniform(0.1, 0.9), 1), height - 2)
        return round(x), round(y)

    def _canvas_click(self, canvas: ObserveResult) -> Action:
        x, y = self._canvas_point(canvas)
        return ClickAt(x=x, y=y, label="canvas")

    def _canvas_drag(self, canvas: ObserveResult) -> Action:
        x1, y1 = self._canvas_point(canvas)
        x2, y2 = self._canvas_point(canvas)
        return Drag(x1=x1, y1=y1, x2=x2, y2=y2, label="canvas")

    # -------------------------------------------------------------------------------------- feedback
    def feedback(self, action: Action, result: ActionResult, after: PageView, before: PageView) -> None:
        """Learn from what the action did: the screen, and (more reliably) the game's text or state."""
        reacted = (after.screen_text, after.state) != (before.screen_text, before.state)
        changed = bool(result.changed) or reacted
        self.unchanged = 0 if changed else self.unchanged + 1
        if isinstance(action, PressKey | HoldKey) and self.phase is Phase.PLAY:
            # a visible reaction in text/state is strong evidence; an animated screen always "changes"
            bonus = 2 if reacted else (1 if result.changed else 0)
            self.key_effect[action.key] = min(self.key_effect.get(action.key, 0) + bonus, 4)
        if self.phase is Phase.ENTER and reacted and result.ok and _clicked_start(action):
            # the start control answered; pixel changes alone prove nothing on an animated title screen,
            # so otherwise every way in (canvas click, Enter, Space) is tried before playing
            self.phase = Phase.PLAY
        elif self.phase is Phase.RECOVER and changed and result.ok and not after.game_over:
            self.phase = Phase.PLAY
