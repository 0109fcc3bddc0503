"""HeuristicPolicy: a seeded player that needs no model.

It moves through phases a human tester would: get into the game (what the screen says first: a named
key, a start control, a word drawn as a button, a name field; then what a tester tries on a screen that
says nothing: focus the game, Enter/Space, look for buttons under the pointer, click where buttons
usually are, move the mouse, drag), play it with varied input (a sweep of common keys first, then
bursts, holds, clicks, drags and pointer moves, favouring inputs the game visibly reacted to), recover
after a game over, and change tactics when nothing it does changes the game. It never repeats a way in
that did nothing before trying the untried ones. Same seed + same screens = same actions.

On a touch screen (`--device "Pixel 7"`) it plays as a phone player does: every click becomes a tap,
every drag or pointer sweep a swipe, a long press is one more way in, and there is no hovering; keys
stay, since many phone-first games also take them.
"""

from __future__ import annotations

import random
from enum import Enum

from ..dom.detector import PageView
from ..models import ObserveResult
from .actions import Action, ClickAt, ClickElement, Drag, HoldKey, HoverScan, MovePointer, PressKey, TypeText
from .player import Decision, Turn
from .reach import Reaction
from .reading import (
    Way,
    board_pair,
    board_ways,
    choice_ways,
    drag_of,
    fresh_look,
    generic_ways,
    hover_ways,
    is_menu,
    pointer_sweep,
    screen_key,
    untouched_cells,
    ways_in,
)
from .seek import Seeker
from .touch import DIRECTIONS, LongPress, Swipe, Tap, swipe_towards

PLAY_KEYS = ("ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "Space", "w", "a", "s", "d", "Enter")
SWEEP_KEYS = ("Enter", "Space", "ArrowUp", "ArrowRight", "ArrowLeft", "ArrowDown", "w", "a", "s", "d")
STUCK_AFTER = 5


class Phase(str, Enum):
    ENTER = "enter"
    PLAY = "play"
    RECOVER = "recover"


class HeuristicPolicy:
    """The built-in player (a `Player`): `decide(view)`, then `learn(turn)` after each step."""

    name = "heuristic"

    def __init__(self, seed: int, viewport: tuple[int, int], *, touch: bool = False) -> None:
        self.rng = random.Random(seed)
        self.viewport = viewport
        #: a touch screen: taps and swipes instead of clicks, drags and pointer moves
        self.touch = touch
        self.swipe_effect: dict[str, int] = {}
        self.phase = Phase.ENTER
        #: ways in tried, per screen (its gate or menu items): back on a title after a help page, the
        #: player goes on with the untried ones instead of starting over
        self._tried_by_screen: dict[str, set[str]] = {}
        self._screen = ""
        #: a start gate went away because of the player: the next screen without one is played at once
        self.left_menu = False
        #: an input the game just reacted to in play: done once more at once, since a reaction counts as
        #: entry only when the same input does it again (one lucky frame is no proof)
        self.confirm: Action | None = None
        self.recover_tried: set[str] = set()
        self.hover_found: list[Way] = []
        #: how an untouched square of the board looked when first seen (reading.untouched_cells)
        self.board_look: str | None = None
        self.sweep: list[Action] = []
        self.swept = False
        self.key_effect: dict[str, int] = {}
        self.unchanged = 0
        self.rounds = 0
        self.last: Action | None = None
        self.last_reason = ""
        self.entered = False
        #: once in, plays toward progress (seek.py); None: the varied mix only (GAMEQA_SEEK=off)
        self.seek: Seeker | None = None

    @property
    def tried(self) -> set[str]:
        return self._tried_by_screen.setdefault(self._screen, set())

    # -------------------------------------------------------------------------------------- decisions
    def next_action(self, view: PageView) -> Action:
        if (self.phase is Phase.PLAY or (self.phase is Phase.ENTER and self.left_menu)) and view.game_over:
            # a round that ended before the player was judged in: restart it all the same
            self.phase = Phase.RECOVER
            self.recover_tried.clear()
        if self.phase is Phase.ENTER:
            if self.entered:
                self.phase = Phase.PLAY
            else:
                return self._chose(self._enter(view))
        if self.phase is Phase.RECOVER and self.recover_tried and not view.game_over:
            self.phase = Phase.PLAY  # the restart worked: play the new round (standing still loses it)
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
        self.last_reason = "play"
        return self._chose(self._play(view))

    def _chose(self, action: Action) -> Action:
        if self.touch:
            action = action.on_touch() or action  # type: ignore[assignment]
        self.last = action
        return action

    def _ways(self, ways: list[Way]) -> list[Way]:
        """The ways in as this screen takes them: on a touch screen, tapped and swiped (no hovering)."""
        if not self.touch:
            return ways
        touched = [Way(a, w.reason) for w in ways if (a := w.action.on_touch()) is not None]  # type: ignore[misc]
        return touched

    def _enter(self, view: PageView) -> Action:
        """The first untried way in: what the screen says first, then what a tester tries anyway."""
        self._screen = screen_key(view)
        if self.confirm is not None:
            action, self.confirm = self.confirm, None
            self.last_reason = "the game reacted: the same input again"
            if action.input_name == "click board":  # another cell (the one it played may be taken now)
                cells = [c for c in view.candidates if c.kind == "cell"]
                played = action.target if isinstance(action, ClickElement) else None
                # one that still looks as the played one did before the click (an unopened square)
                alike = [c for c in cells if played is not None and c.look == played.look and not c.filled]
                alike = [c for c in alike if c.cell != played.cell]  # type: ignore[union-attr]
                others = (
                    alike
                    or [c for c in cells if not c.filled]
                    or [c for c in cells if c.description != action.describe()]
                )
                if not others:
                    return self._enter(view)
                return ClickElement(target=others[(len(others) * 2) // 3])
            return action
        menu = is_menu(view)
        if self.left_menu and not menu and not self.swept and (view.canvases or view.candidates):
            self.last_reason = "past the menus: play"
            return self._play(view)
        generic = generic_ways(view)
        # the screen's own words first; then the usual keys and a click into the game (cheap, and most
        # games start so); on a screen that asks for nothing, play keys next (the game may be on
        # already); then the page's other choices and the rest of what a tester tries
        # a board is played by clicking into it: that comes before the usual keys on a screen with no gate
        if self.board_look is None:
            self.board_look = fresh_look(view)
        board = board_ways(view, self.board_look) if not menu else []
        first = self._ways([*ways_in(view), *board, *self.hover_found, *generic[:5]])  # ... and a look for buttons
        rest = self._ways([*choice_ways(view), *generic[5:]])
        if self.touch and view.canvases and view.canvases[0].bbox is not None:
            x, y = view.canvases[0].bbox.center  # "hold to start": a way in only a finger has
            rest.insert(min(len(rest), 3), Way(LongPress(x=round(x), y=round(y), label="canvas"), "a long press"))
        for way in first:
            if way.ident not in self.tried:
                self.tried.add(way.ident)
                self.last_reason = way.reason
                return way.action
        if not self.swept and not menu and view.canvases:
            self.last_reason = "no start screen: try play keys"
            return self._play(view)
        for way in rest:
            if way.ident not in self.tried:
                self.tried.add(way.ident)
                self.last_reason = way.reason
                return way.action
        # every way in was tried on this screen: play a little (maybe the game is on and just quiet),
        # then try them all again, since some gates need two things (focus, then a key)
        self.rounds += 1
        if self.rounds % 3 == 0:
            self.tried.clear()
        self.last_reason = "every way in tried: play"
        return self._play(view)

    def given_way_in(self) -> None:
        """The user's start steps were done: the screen after them is the game, played at once (the
        usual ways in before the play keys would spend a short run on a gate already passed)."""
        self.new_screen()
        self.left_menu = True

    def new_screen(self) -> None:
        """The gate changed (the next menu, a dialog): look for its buttons anew (its ways in are kept
        per screen, see `tried`)."""
        self.hover_found = []

    def _recover(self, view: PageView) -> Action | None:
        for way in ways_in(view, game_over=True)[:6]:
            if way.ident not in self.recover_tried:
                self.recover_tried.add(way.ident)
                self.last_reason = way.reason
                return way.action
        for step in ("Enter", "Space", "canvas", "r"):
            if step in self.recover_tried:
                continue
            self.recover_tried.add(step)
            self.last_reason = "the usual restart"
            if step == "canvas":
                if view.canvases:
                    return ClickElement(target=view.canvases[0])
                continue
            return PressKey(key=step)
        return None

    def _unstick(self, view: PageView) -> Action | None:
        """Nothing changed for a while: a new button may have appeared, or this input type is dead."""
        for way in ways_in(view):
            if way.ident not in self.tried:
                self.tried.add(way.ident)
                self.last_reason = way.reason
                return way.action
        if self.last is not None and self.last.is_key and view.canvases:
            return self._canvas_click(view.canvases[0])
        if view.canvases and self.rng.random() < 0.5:
            return pointer_sweep(view.canvases[0])
        return PressKey(key=self.rng.choice(PLAY_KEYS), times=self.rng.randint(1, 3))

    def _play(self, view: PageView) -> Action:
        if self.seek is not None and self.entered:  # what raised progress before, or a held direction
            sought = self.seek.choose(view)
            if sought is not None:
                self.last_reason = self.seek.last_reason
                return sought
        if not self.swept:
            if not self.sweep:
                # arrows, then Space, are what most games use: press them long enough to matter. Arrows
                # first: a game's first answer to its player is a move (Space fires or jumps, and its
                # answer, a shot, is no proof the player steers anything)
                arrows = [k for k in SWEEP_KEYS if k.startswith("Arrow")]
                others = [k for k in SWEEP_KEYS if k not in arrows and k != "Space"]
                self.rng.shuffle(arrows)
                self.rng.shuffle(others)
                keys = [*arrows, "Space", *others]
                self.sweep = [PressKey(key=k, times=5 if k.startswith(("Arrow", "Space")) else 3) for k in keys]
                if view.canvases and view.canvases[0].bbox is not None and not self.touch:
                    # the mouse is a play input too (a paddle, a crosshair, pointer-lock steering): early
                    self.sweep.insert(2, pointer_sweep(view.canvases[0]))
                if self.touch:  # a phone game is played with the finger first: a swipe each way, a tap
                    directions = list(DIRECTIONS)
                    self.rng.shuffle(directions)
                    box = self._touch_box(view)
                    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
                    fingers: list[Action] = [swipe_towards(d, box, label="") for d in directions]
                    fingers.append(Tap(x=round(cx), y=round(cy), label="the game"))
                    self.sweep = fingers + self.sweep
            action = self.sweep.pop(0)
            if not self.sweep:
                self.swept = True
            return action
        if self.touch:
            return self._play_touch(view)
        canvases = view.canvases
        clickables = [c for c in view.candidates if c.kind in ("button", "prompt") and c.method == "click"]
        roll = self.rng.random()
        if canvases:
            canvas = canvases[0]
            pointer_bonus = 0.1 if "move pointer" in self.key_effect else 0.0
            if roll < 0.3 - pointer_bonus:
                return PressKey(key=self._key(), times=self.rng.randint(1, 6))
            if roll < 0.48 - pointer_bonus:
                return HoldKey(key=self._key(), ms=self.rng.choice((200, 400, 700, 1000)))
            if roll < 0.66:
                return self._canvas_click(canvas)
            if roll < 0.76:
                return self._canvas_drag(canvas)
            if roll < 0.86:
                return self._pointer_path(canvas)
            if clickables:
                return ClickElement(target=self.rng.choice(clickables))
            return PressKey(key=self._key(), times=self.rng.randint(1, 4))
        cells = [c for c in view.candidates if c.kind == "cell"]
        if cells and roll < 0.6:  # a board game: moves are clicks into the board, or a piece and a square
            pair = board_pair(view, pick=self.rng.randrange(64)) if self.rng.random() < 0.6 else None
            if pair is not None and pair.label.startswith("a piece") and self.rng.random() < 0.4:
                return drag_of(pair)  # some boards move their pieces only by dragging
            if pair is not None:
                return pair
            fresh = untouched_cells(cells, self.board_look) if self.rng.random() < 0.7 else []
            return ClickElement(target=self.rng.choice(fresh or cells))  # mostly where nothing was played yet
        if clickables and roll < 0.75:
            return ClickElement(target=self.rng.choice(clickables))
        return PressKey(key=self._key(), times=self.rng.randint(1, 4))

    def _play_touch(self, view: PageView) -> Action:
        """A phone player's mix: mostly taps and swipes (the directions the game reacted to more often),
        some long presses, and keys for a game that also takes them."""
        clickables = [c for c in view.candidates if c.kind in ("button", "prompt") and c.method == "click"]
        box = self._touch_box(view)
        roll = self.rng.random()
        if roll < 0.2:
            return PressKey(key=self._key(), times=self.rng.randint(1, 4))
        if roll < 0.45:
            if clickables and self.rng.random() < 0.4:
                return Tap(target=self.rng.choice(clickables))
            x, y = self._box_point(box)
            return Tap(x=x, y=y, label="the game")
        if roll < 0.9:
            weights = [1 + 3 * self.swipe_effect.get(d, 0) for d in DIRECTIONS]
            direction = self.rng.choices(DIRECTIONS, weights=weights, k=1)[0]
            return swipe_towards(direction, box, start=self._box_point(box, 0.3, 0.7))
        x, y = self._box_point(box)
        return LongPress(x=x, y=y, label="the game")

    def _touch_box(self, view: PageView) -> tuple[float, float, float, float]:
        """Where the game is: its first canvas, else the whole screen (a DOM game)."""
        width, height = self.viewport
        if view.canvases and view.canvases[0].bbox is not None:
            b = view.canvases[0].bbox
            x1, y1 = max(b.x, 0.0), max(b.y, 0.0)
            x2, y2 = min(b.x + b.width, width - 1.0), min(b.y + b.height, height - 1.0)
            if x2 - x1 > 20 and y2 - y1 > 20:
                return (x1, y1, x2 - x1, y2 - y1)
        return (0.0, 0.0, width - 1.0, height - 1.0)

    def _box_point(
        self, box: tuple[float, float, float, float], low: float = 0.1, high: float = 0.9
    ) -> tuple[int, int]:
        x, y, w, h = box
        return round(x + w * self.rng.uniform(low, high)), round(y + h * self.rng.uniform(low, high))

    def _key(self) -> str:
        keys = list(PLAY_KEYS) + [k for k in self.key_effect if k not in PLAY_KEYS and len(k) <= 10]
        weights = [1 + 3 * self.key_effect.get(k, 0) for k in keys]
        return self.rng.choices(keys, weights=weights, k=1)[0]

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

    def _pointer_path(self, canvas: ObserveResult) -> Action:
        return MovePointer(points=[self._canvas_point(canvas) for _ in range(3)], label="over the game")

    # -------------------------------------------------------------------------------------- player interface
    async def decide(self, view: PageView) -> Decision:
        return Decision(self.next_action(view), self.name)

    def learn(self, turn: Turn) -> None:
        self.feedback(turn.action, turn.reaction, entered=turn.entered, hover_hits=turn.hover_hits)

    # -------------------------------------------------------------------------------------- feedback
    def feedback(
        self, action: Action, reaction: Reaction, *, entered: bool, hover_hits: list[tuple[float, float]]
    ) -> None:
        """Learn from what the action did, judged against the screen's own idle change."""
        self.unchanged = 0 if reaction.reacted else self.unchanged + 1
        if isinstance(action, HoverScan) and hover_hits:
            self.hover_found = hover_ways(hover_hits)
        name = action.input_name
        if reaction.reacted and isinstance(action, Swipe):
            bonus = 2 if (reaction.texts or reaction.state) else 1
            self.swipe_effect[action.direction] = min(self.swipe_effect.get(action.direction, 0) + bonus, 4)
        if reaction.reacted and (action.is_key or isinstance(action, MovePointer)):
            # a reaction in text or state is strong evidence; pixels beyond the idle change count too
            bonus = 2 if (reaction.texts or reaction.state) else 1
            self.key_effect[name] = min(self.key_effect.get(name, 0) + bonus, 4)
        if reaction.gate_gone is not None:
            self.new_screen()
            self.left_menu = True
        if (
            reaction.play
            and not entered
            and self.confirm is None
            and self.last_reason != "the game reacted: the same input again"
            and not isinstance(action, TypeText)  # typed again, the same code changes nothing: the next answer
        ):
            # the same input again; a pointer path backwards (a paddle that follows the pointer would
            # stand where the same path left it, one steered by movementX moves back)
            self.confirm = (
                action.model_copy(update={"points": list(reversed(action.points))})
                if isinstance(action, MovePointer)
                else action
            )
        if entered and not self.entered:
            self.entered = True
            if self.phase is Phase.ENTER:
                self.phase = Phase.PLAY
        if self.phase is Phase.RECOVER and reaction.reacted and reaction.gate_gone is not None:
            self.phase = Phase.PLAY
        if self.seek is not None and self.entered:
            self.seek.learn(action)
