"""Seeking progress once in the game: keep doing what moved the game forward, vary the rest.

Random play finds the bugs of the first screen; many live deeper (the second level, the second round,
the moment the score passes 100). A tester who finds that holding Right walks the hero forward keeps
holding it; one who finds that Space scores keeps pressing it; one who died standing still tries
moving next time. The seeker does that, seeded and reproducible:

- a **bandit per screen**: every action played on a screen is an arm (press Space, hold ArrowRight,
  click 'Jump'...); its value is what its last outcomes did for progress (`progress.Gain`: counters
  raised, a new screen, minus losses). The best arm with a real gain is repeated; the other
  EXPLORE_SHARE of the time the policy's own varied play goes on (new arms, new luck).
- **holding a direction** while a counter keeps rising with it (distance, position): a side-scroller's
  level ends only after a long walk.
- **aiming**: in a canvas game with small things that move by themselves (enemies, rocks, a ball), a
  share of the varied play is clicks where one of them will be (`aim.py`); an aimed click that scored
  is one arm, repeated at whatever moves now.
- **firing**: a key after which new things appear (shots) more often than after other inputs gets
  bursts in that share of the varied play; a burst that scored is the lead like any arm.
- **steering**: the direction to keep moving in is one that moved a drawn thing along its axis (Right
  moved something sideways), not just any key the busy game seemed to react to.
- **another approach after a game over**: a round that got no further than the best one (or as far,
  but not for longer) switches approach (seek -> keep moving -> explore): what was done did not survive.

`GAMEQA_SEEK=off` turns it off (the player as before it existed: for side-by-side benchmarks).
"""

from __future__ import annotations

import os
import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..dom.detector import PageView
from .actions import Action, ClickAt, ClickElement, Drag, HoldKey, MovePointer, PressKey
from .aim import AIM_LABEL, targets
from .progress import Gain, ProgressTracker
from .touch import Swipe, Tap

SEEK_ENV = "GAMEQA_SEEK"
#: direction keys and their opposites: a walker that stopped responding one way is turned around
OPPOSITE = {
    "ArrowRight": "ArrowLeft",
    "ArrowLeft": "ArrowRight",
    "ArrowUp": "ArrowDown",
    "ArrowDown": "ArrowUp",
    "d": "a",
    "a": "d",
    "w": "s",
    "s": "w",
}
#: the ways along the axis each direction key moves what it steers. Either way of its axis, not just
#: its own: a long hold in a world that wraps around (out one side, in the other) ends up seeming to
#: have gone back, and no other input moves things along one axis on cue
AXIS = {"right": {"right", "left"}, "up": {"up", "down"}}
HEADING = {
    "ArrowRight": AXIS["right"],
    "d": AXIS["right"],
    "ArrowLeft": AXIS["right"],
    "a": AXIS["right"],
    "ArrowUp": AXIS["up"],
    "w": AXIS["up"],
    "ArrowDown": AXIS["up"],
    "s": AXIS["up"],
}
#: a held direction: long enough to walk a good way, short enough to look again about once a second
HOLD_MS = 1000
#: keeping on the move (a round to survive): longer holds, since the player stands still between two
#: actions while it looks (0.3-2 s on a busy machine), and standing still is what such rounds punish
KEEP_MOVING_HOLD_MS = 2000
#: a direction key seen moving a thing along its axis counts this many times one that only "reacted"
STEER_WEIGHT = 10.0
#: ... when it does so this much more often than the game's own motion along that axis (the share of
#: other inputs after which things moved that way): one look in three more is no coincidence
STEER_MARGIN = 0.34
#: with no lead to repeat, this share of play actions aims at a small thing that moves by itself
AIM_SHARE = 0.35
#: ... and this share is a burst of the fire key: the key after which new things appear (shots) this
#: much more often than after other inputs (the game's own spawning shows after any input)
FIRE_SHARE = 0.25
FIRE_MARGIN = 0.34
#: shots in a burst: enough to sweep a stream of them across what drifts by, short enough to turn between
FIRE_BURST = 4
#: while a best arm exists, this share of actions still goes to the policy's varied play (new arms)
EXPLORE_SHARE = 0.25
#: ... and in the "explore" approach, after two rounds that went nowhere
EXPLORE_WIDE = 0.6
#: an arm is worth repeating at this mean value: about one counter raised every other time
MIN_VALUE = 0.4
#: the last outcomes an arm's value is the mean of: old luck fades, a changed game is noticed
WINDOW = 6
#: arms kept per screen and screens kept (a game with endless screens keeps the first ones)
MAX_ARMS = 40
MAX_SCREENS = 24
#: a new screen is worth this many raised counters; a loss (game over, a life) costs this much
NEW_SCREEN_VALUE = 2.0
LOSS_COST = 2.0
FALL_COST = 0.5
#: the game visibly reacting, with no counter raised: a hint, not progress
MOVED_VALUE = 0.1
#: holds in a row that moved nothing before "keep moving" turns around (it met a wall)
STILL_LIMIT = 3
APPROACHES = ("seek", "keep moving", "explore")


def seek_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """False when GAMEQA_SEEK is off/0/false/no: the player plays as it did before seeking existed."""
    return environ.get(SEEK_ENV, "on").strip().lower() not in ("off", "0", "false", "no")


def arm_key(action: Action) -> str | None:
    """What makes two actions the same arm: the key and how, the control, a region of the screen."""
    if isinstance(action, PressKey):
        return f"press {action.key}"
    if isinstance(action, HoldKey):
        return f"hold {action.key}"
    if isinstance(action, ClickElement):
        return f"click {action.target.kind}:{action.target.text[:40] or action.target.selector}"
    if _aimed(action):
        return "aim"  # wherever the target was: aiming is one approach
    if isinstance(action, (ClickAt, Tap)) and getattr(action, "x", None) is not None:
        return f"{type(action).__name__} {_region(action.x, action.y)}"  # type: ignore[attr-defined]
    if isinstance(action, Swipe):
        return f"swipe {action.direction}"
    if isinstance(action, Drag):
        return f"drag {_region(action.x1, action.y1)}>{_region(action.x2, action.y2)}"
    if isinstance(action, MovePointer):
        return "move pointer"
    return None


def _aimed(action: Action) -> bool:
    return isinstance(action, ClickAt) and action.label == AIM_LABEL


def _region(x: float, y: float, cell: int = 160) -> str:
    """A coarse cell of the screen (160 px: a button or a lane), so nearby clicks share an arm."""
    return f"{int(x) // cell},{int(y) // cell}"


@dataclass
class Arm:
    action: Action
    outcomes: deque[Gain] = field(default_factory=lambda: deque(maxlen=WINDOW))


class Seeker:
    """Asked by the heuristic policy for its play action (`choose`), told what each action did (`learn`)."""

    def __init__(self, seed: int, tracker: ProgressTracker, *, touch: bool = False) -> None:
        self.rng = random.Random(seed * 7919 + 17)  # its own stream: the policy's stays as it was
        self.tracker = tracker
        self.touch = touch
        self.arms: dict[str, dict[str, Arm]] = {}
        self.approach = APPROACHES[0]
        self.holding: str | None = None
        self.hold_for: list[str] = []  # the counters the held direction raised
        self.still = 0
        #: screens where the scene showed things move (a direction a key did not move anything is then
        #: known): elsewhere (WebGL, DOM) only "the game reacted" is seen
        self.sighted: set[str] = set()
        #: per screen, direction keys held on the move that moved nothing their way
        self.dead_keys: dict[str, set[str]] = {}
        self.round_value = 0.0
        self.best_round = 0.0
        #: how long a round lasted until its loss (s): a survival game's only measure of a better round
        self.round_started: float | None = None
        self.round_lasted = 0.0
        self.best_lasted = 0.0
        self.rounds_seen = tracker.rounds
        self.last_reason = ""
        self.entered_screen = False
        #: "approach: what it did" lines, for the console log and the model's prompt
        self.notes: list[str] = []

    # ------------------------------------------------------------------------------------------ values
    def value(self, gain: Gain) -> float:
        """What one outcome was worth, judged with what is known now (a number found later to be a
        clock no longer counts as raised)."""
        rises = sum(1 for k in gain.rises if not self.tracker.is_clock(k))
        falls = sum(1 for k in gain.falls if not self.tracker.is_clock(k))
        worth = rises + NEW_SCREEN_VALUE * gain.new_screen - LOSS_COST * gain.lost - FALL_COST * falls
        return worth + (MOVED_VALUE if gain.moved and not rises else 0.0)

    def progress_value(self, gain: Gain) -> float:
        """What an outcome did for the round: counters raised, screens reached (not the first one in,
        which entering shows, nor a game-over screen); what rounds are compared by."""
        rises = sum(1 for k in gain.rises if not self.tracker.is_clock(k))
        fresh = gain.new_screen and not gain.lost
        if fresh and not self.entered_screen:
            self.entered_screen, fresh = True, False
        return rises + NEW_SCREEN_VALUE * fresh

    def arm_value(self, arm: Arm) -> float:
        return sum(self.value(g) for g in arm.outcomes) / len(arm.outcomes) if arm.outcomes else 0.0

    def best_arm(self, screen: str) -> Arm | None:
        arms = self.arms.get(screen, {})
        ranked = sorted(arms.items(), key=lambda kv: (-self.arm_value(kv[1]), kv[0]))
        if ranked and self.arm_value(ranked[0][1]) >= MIN_VALUE:
            return ranked[0][1]
        return None

    # ------------------------------------------------------------------------------------------ choice
    def choose(self, view: PageView) -> Action | None:
        """The next play action when progress says what to do; None: the policy plays its varied mix."""
        if view.game_over or self.tracker.game_over:
            self.holding = None
            return None
        screen = self.tracker.current_screen
        if self.holding is not None and self.approach != "keep moving":
            if all(self.tracker.is_clock(k) for k in self.hold_for):
                self.holding = None  # what it raised turned out to be time passing
        if self.holding is not None and not self.touch:
            if self.approach != "keep moving" and self.rng.random() < EXPLORE_SHARE:
                return None  # now and then something else: a number only the held key seemed to raise may be time
            self.last_reason = f"{self.approach}: keep holding {self.holding} while it responds"
            return HoldKey(key=self.holding, ms=KEEP_MOVING_HOLD_MS if self.approach == "keep moving" else HOLD_MS)
        if self.approach == "keep moving" and not self.touch:
            self.holding = self._moving_key(screen)
            self.last_reason = f"keep moving: hold {self.holding}"
            return HoldKey(key=self.holding, ms=KEEP_MOVING_HOLD_MS)
        explore = EXPLORE_WIDE if self.approach == "explore" else EXPLORE_SHARE
        best = self.best_arm(screen)
        if best is not None and self.rng.random() >= explore:
            self.last_reason = f"{self.approach}: repeat what raised progress ({self.arm_value(best):.1f})"
            if _aimed(best.action):
                return self.aim(view) or best.action
            return best.action
        if best is None:
            roll = self.rng.random()
            if roll < AIM_SHARE:
                return self.aim(view)
            fire = self._fire_key(screen) if roll < AIM_SHARE + FIRE_SHARE else None
            if fire is not None:
                self.last_reason = f"{self.approach}: fire ({fire} makes new things appear)"
                return PressKey(key=fire, times=FIRE_BURST)
        return None

    def _fire_key(self, screen: str) -> str | None:
        """The key after which new things appear (shots), more often than after the other inputs."""
        arms = [(name, arm) for name, arm in sorted(self.arms.get(screen, {}).items()) if arm.outcomes]
        best: tuple[float, str] | None = None
        for name, arm in arms:
            key = getattr(arm.action, "key", None)
            if key is None or not isinstance(arm.action, (PressKey, HoldKey)):
                continue
            own = [g for g in arm.outcomes if not g.lost]
            others = [g for n, a in arms if n != name and getattr(a.action, "key", None) != key for g in a.outcomes]
            others = [g for g in others if not g.lost]
            if not own:
                continue
            rate = sum(1 for g in own if g.appeared) / len(own)
            background = sum(1 for g in others if g.appeared) / len(others) if others else 0.0
            if rate - background >= FIRE_MARGIN and (best is None or rate - background > best[0]):
                best = (rate - background, key)
        return best[1] if best else None

    def aim(self, view: PageView) -> Action | None:
        """A click where a small thing that moves by itself will be (an enemy, a rock, the ball)."""
        canvases = [c for c in view.canvases if c.bbox is not None]
        before, now = self.tracker.previous, self.tracker.last
        if self.touch or not canvases or before is None or now is None:
            return None
        found = targets(before.scene, now.scene, canvases[0].bbox)  # type: ignore[arg-type]
        if not found:
            return None
        target = found[self.rng.randrange(len(found))]
        self.last_reason = f"{self.approach}: aim at one of {len(found)} things moving by themselves"
        return ClickAt(x=target.x, y=target.y, label=AIM_LABEL)

    def _moving_key(self, screen: str) -> str:
        """The direction key that moved a thing its own way most on this screen (else the one the game
        reacted to most; ArrowRight when none did yet)."""
        scores: dict[str, float] = {}
        dead = self.dead_keys.get(screen, set())
        arms = self.arms.get(screen, {}).values()
        # how often things move along each axis after inputs that steer nothing (Space, clicks): the
        # game's own motion (rocks falling), which a direction key must beat to be said to steer
        others = [
            g for arm in arms if getattr(arm.action, "key", None) not in OPPOSITE for g in arm.outcomes if not g.lost
        ]
        for arm in arms:
            key = getattr(arm.action, "key", None)
            if key in OPPOSITE and key not in dead:
                ways = HEADING[key]
                hits = sum(1 for g in arm.outcomes if ways & g.headings and not g.lost)
                background = sum(1 for g in others if ways & g.headings) / len(others) if others else 0.0
                if hits and hits / len(arm.outcomes) - background >= STEER_MARGIN:
                    worked = STEER_WEIGHT * hits
                elif screen in self.sighted:
                    worked = 0.0  # the scene sees motion, and none of it is this key's doing
                else:
                    worked = sum(1.0 for g in arm.outcomes if (g.moved or g.rises) and not g.lost)
                if worked:
                    scores[key] = scores.get(key, 0.0) + worked
        if not scores:  # the way most games go forward, else the next way not known to be dead
            return next((k for k in ("ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown") if k not in dead), "ArrowRight")
        return max(sorted(scores), key=lambda k: scores[k])

    # ------------------------------------------------------------------------------------------ learning
    def learn(self, action: Action) -> None:
        """What the action just played did (`tracker.last_gain`): arm values, holding, approach."""
        gain = self.tracker.last_gain
        if self.tracker.rounds != self.rounds_seen:
            self._new_round()
        key = arm_key(action)
        screen = self.tracker.acted_on
        if key is not None and (screen in self.arms or len(self.arms) < MAX_SCREENS):
            arms = self.arms.setdefault(screen, {})
            if key in arms or len(arms) < MAX_ARMS:
                arm = arms.setdefault(key, Arm(action))
                arm.action = action
                arm.outcomes.append(gain)
        if gain.headings:
            self.sighted.add(screen)
        self.round_value += self.progress_value(gain)
        now = self.tracker.last.at_s if self.tracker.last is not None else 0.0
        if self.round_started is None:
            self.round_started = now
        if gain.lost:
            self.round_lasted = max(self.round_lasted, now - self.round_started)
            self.holding = None
            return
        self._steer(action, gain)

    def _steer(self, action: Action, gain: Gain) -> None:
        """Hold a direction while it raises a counter (or, keeping moving, while the game responds);
        turn around when it stops."""
        key = getattr(action, "key", None)
        if self.touch or key not in OPPOSITE:
            return
        raised = any(not self.tracker.is_clock(k) for k in gain.rises)
        if self.approach == "keep moving":
            screen = self.tracker.acted_on
            if screen in self.sighted and not raised and not HEADING[key] & gain.headings:
                # the scene sees things move, none of them this key's way: it steers nothing here (or
                # met a wall); another way at once, since standing still is what loses such a round
                dead = self.dead_keys.setdefault(screen, set())
                dead.add(key)
                if len(dead) >= len(HEADING):
                    dead.clear()
                self.holding, self.still = self._moving_key(screen), 0
                return
            # the game's own motion can hide a small mover's: keep going, and turn around only after
            # STILL_LIMIT holds in a row that moved nothing (a wall)
            self.still = 0 if (gain.moved or raised) else self.still + 1
            self.holding = key
            if self.still >= STILL_LIMIT:
                self.holding, self.still = OPPOSITE[key], 0
            return
        if raised:
            self.holding = key
            self.hold_for = list(gain.rises)
        elif self.holding == key:
            self.holding = None  # it stopped raising anything: back to the bandit

    def _new_round(self) -> None:
        """A restart after a game over: a round that got no further than the best one (or, as far, but not
        for longer) changes approach; the first round, which went nowhere, always does."""
        self.rounds_seen = self.tracker.rounds
        self.holding = None
        self.still = 0
        previous = self.approach
        first = self.rounds_seen <= 2
        better = self.round_value > self.best_round or (
            self.round_value == self.best_round and not first and self.round_lasted > self.best_lasted
        )
        if not better:
            self.approach = APPROACHES[(APPROACHES.index(self.approach) + 1) % len(APPROACHES)]
        if self.round_value > self.best_round:
            self.best_round, self.best_lasted = self.round_value, self.round_lasted
        elif self.round_value == self.best_round and not first and self.round_lasted > self.best_lasted:
            self.best_lasted = self.round_lasted  # the first round's sweep is no approach to beat
        self.notes.append(
            f"round {self.rounds_seen - 1} ({previous}) made {self.round_value:.1f} in {self.round_lasted:.1f} s; "
            f"next: {self.approach}"
        )
        self.round_value, self.round_lasted, self.round_started = 0.0, 0.0, None
