"""How far the player got: the numbers its input moved, and the screens it reached.

A smoke test finds the bugs its player reaches, so "entered" is not enough: the report should say
"score 0 -> 140, level 1 -> 2, 5 screens", and the player should know which of its inputs made
progress. Model-free, from what the agent already looks at (`Sample`: the state hook's fields, the
DOM and canvas text pieces):

- **counters**: every number on screen or in the state hook, named by the words beside it ("Distance:
  120 m" -> distance). A number that rises by itself between actions as fast as during them is a
  clock, never progress; one that rises during an action is the player's doing (score, distance,
  coins); a level-like one (level, stage, round, wave...) counts whenever it rises.
- **screens**: a start gate, a menu, a game-over text, or play at a level, each remembered once with
  the screenshot that first showed it and the action that led there (the report's storyboard).

Pure: no browser, no clock of its own (times come with the samples); unit-tested on recorded screens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..dom.detector import GAME_OVER
from ..models import ActionResult, Progress, ProgressCounter, ProgressScreen
from .reach import Sample, fold
from .reading import menu_items
from .scene import MOVE_TOL_PX, WRAP_PX, Change, SceneReaction

#: names that say "how deep": any rise of these is progress, whoever moved it (a level starts by itself)
LEVEL_WORDS = re.compile(r"\b(level|lvl|stage|world|round|wave|area|zone|floor|chapter|act|mission)\b", re.I)
#: a level-like number one action raises by this much was skipped through (a level select, a cheat
#: key), not played through: no level is cleared in the second or two one action takes
LEVEL_SKIP = 2
#: names of what a player loses: a fall of these is a loss (the seeker tries another approach)
LIFE_WORDS = re.compile(r"\b(lives|life|hp|health|hearts?|energy|shield)\b", re.I)
#: an end-of-round text that says the round was won: a step forward (the next round, level), not a loss
WIN_WORDS = re.compile(
    r"\byou (win|won)\b|\bvictory\b|\b(level|stage|round|wave) (complete|cleared|passed)\b"
    r"|\bnext (round|level|stage|wave)\b",
    re.I,
)
#: names a report lists first: what players call progress
GOAL_WORDS = re.compile(r"\b(score|points?|pts|distance|dist|coins?|gold|gems?|stars?|kills?|xp|meters?|m)\b", re.I)
#: a number rising between actions at this share of its rate during actions (or more) rises by itself:
#: a clock or an auto-runner's distance, not the player's doing
CLOCK_SHARE = 0.3
#: keys that do the same in most games (WASD for the arrows), for telling one input from another
ALIASES = {
    "d": "ArrowRight",
    "a": "ArrowLeft",
    "w": "ArrowUp",
    "s": "ArrowDown",
    "KeyD": "ArrowRight",
    "KeyA": "ArrowLeft",
    "KeyW": "ArrowUp",
    "KeyS": "ArrowDown",
}
#: rises between actions before a number can be called a clock (a level may start once by itself)
CLOCK_MIN_IDLE = 2
#: a number raised by this many different inputs, none of them most of the time, is time passing
CLOCK_INPUTS = 4
#: at most this many counters and screens are kept (a page full of numbers is not a HUD)
MAX_COUNTERS = 60
MAX_SCREENS = 24
#: numbers per text piece read as counters: more is a paragraph or a table, not a HUD
MAX_NUMBERS_PER_PIECE = 4
#: pieces longer than this are prose, not a HUD label
MAX_PIECE_CHARS = 60
#: the record lists this many counters that moved, most telling first
MAX_REPORTED = 6
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z][a-z ]*[a-z]|[a-z]", re.I)


def _label(before: str, after: str) -> str:
    """The words that name a number: those just before it ("Score: 12"), else just after ("12 coins")."""
    words = _WORD.findall(before.split("|")[-1])
    if words:
        return " ".join(words[-1].split()[-2:]).lower()
    words = _WORD.findall(after)
    return " ".join(words[0].split()[:2]).lower() if words else ""


def readings(sample: Sample) -> dict[str, tuple[str, float, str]]:
    """key -> (name, value, source) for every number the screen shows: state fields, then text pieces."""
    out: dict[str, tuple[str, float, str]] = {}
    for path, raw in sample.state.items():
        if not _NUMBER.fullmatch(raw.strip()):
            continue
        name = re.sub(r"\[\d+\]", "", path).split(".")[-1].replace("_", " ").lower()
        out[f"state:{path}"] = (name, float(raw), "state")
    for piece in sorted(sample.texts):
        if len(piece) > MAX_PIECE_CHARS:
            continue
        matches = list(_NUMBER.finditer(piece))
        if not matches or len(matches) > MAX_NUMBERS_PER_PIECE:
            continue
        for slot, match in enumerate(matches):
            previous = matches[slot - 1].end() if slot else 0
            following = matches[slot + 1].start() if slot + 1 < len(matches) else len(piece)
            name = _label(piece[previous : match.start()], piece[match.end() : following]) or fold(piece)[:30]
            out[f"text:{fold(piece)}#{slot}"] = (name, float(match.group(0)), "text")
        if len(out) >= MAX_COUNTERS:
            break
    return out


@dataclass
class Counter:
    """One number over the run: where it started, its best, and whether input or time moves it."""

    key: str
    name: str
    source: str
    first: float
    best: float
    last: float
    first_at_s: float
    rises_input: int = 0
    rises_idle: int = 0
    input_s: float = 0.0
    idle_s: float = 0.0
    first_rise_s: float | None = None
    first_rise_by: str | None = None
    raised_by: dict[str, int] = field(default_factory=dict)
    #: a level-like number the player's key skips through or turns down: a level select, not how deep
    selector: bool = False

    @property
    def levelish(self) -> bool:
        return bool(LEVEL_WORDS.search(self.name))

    @property
    def lifeish(self) -> bool:
        return bool(LIFE_WORDS.search(self.name))

    @property
    def clock(self) -> bool:
        """It rises by itself: between actions at least CLOCK_SHARE of its rate during actions."""
        if len(self.raised_by) >= CLOCK_INPUTS and max(self.raised_by.values()) * 2 < self.rises_input:
            return True  # it rose with every kind of input alike: time passing, not any input
        if self.rises_idle < CLOCK_MIN_IDLE or self.idle_s <= 0:
            return False
        input_rate = self.rises_input / self.input_s if self.input_s > 0 else 0.0
        return self.rises_idle / self.idle_s >= CLOCK_SHARE * input_rate

    @property
    def specific(self) -> bool:
        """Raised by one input only (a key and its alias: ArrowRight and d walk alike), as a score by
        Space or a distance by Right; a number two different inputs raise may just be time passing."""
        return len({ALIASES.get(name, name) for name in self.raised_by}) <= 1

    @property
    def by_input(self) -> bool:
        return self.rises_input > 0 and not self.clock and not self.lifeish

    @property
    def moved(self) -> bool:
        """Worth a line in the report: the player raised it (or a level went up) beyond where it began."""
        return self.best > self.first and (self.by_input or (self.levelish and not self.clock))

    def rank(self) -> tuple[int, int]:
        kind = 0 if self.levelish else 1 if GOAL_WORDS.search(self.name) else 2
        return (kind, -self.rises_input)


@dataclass
class Gain:
    """What one action did for progress: the seeker's reward, and the model player's facts."""

    rises: list[str] = field(default_factory=list)  # counter keys that rose during the action
    falls: list[str] = field(default_factory=list)
    new_screen: bool = False
    lost: bool = False
    moved: bool = False  # the game reacted beyond its idle change (position, pixels, text)
    #: which ways drawn things moved beyond their idle envelope ("left", "up"...): a direction key that
    #: moves a thing its own way steers something (a hero), unlike one the rest of the game hides
    headings: frozenset[str] = frozenset()
    #: how many more things are drawn after the action than before (not a new screen): shots fired
    appeared: int = 0


def headings(changes: Sequence[Change]) -> frozenset[str]:
    """The directions the moved things of a reaction went (screen y grows downwards)."""
    out: set[str] = set()
    for change in changes:
        if change.kind != "moved":
            continue
        for delta, ways in ((change.dx, ("right", "left")), (change.dy, ("down", "up"))):
            if abs(delta) > WRAP_PX:
                out.update(ways)  # so far it may have wrapped around the screen: moved, either way
            elif abs(delta) >= MOVE_TOL_PX:
                out.add(ways[0] if delta > 0 else ways[1])
    return frozenset(out)


def won(sample: Sample) -> bool:
    """The end-of-round screen says the round was won ("You won round 1!", "Level complete", "Next level")."""
    return any(len(t) <= MAX_PIECE_CHARS and WIN_WORDS.search(t) for t in sample.texts) or any(
        WIN_WORDS.search(c.text or "") for c in sample.view.candidates if c.kind in ("button", "prompt")
    )


def _value(v: float) -> str:
    return f"{v:g}" if abs(v) < 1e6 else f"{v:.3g}"


class ProgressTracker:
    """Fed every look (`observe`) and every action (`after_action`) by the agent; `progress` is the record."""

    def __init__(self) -> None:
        self.counters: dict[str, Counter] = {}
        self.screens: dict[str, ProgressScreen] = {}
        self._pending: set[str] = set()  # screens first seen on a look between actions: no shot yet
        self.current_screen = ""
        #: the screen the latest action was taken on (the seeker's arms belong to it)
        self.acted_on = ""
        self.last: Sample | None = None
        #: the look before `last` (what moved between them moved by itself: the aim's targets)
        self.previous: Sample | None = None
        self.last_gain = Gain()
        self.last_action = "the first look"
        self.first_progress_s: float | None = None
        self.first_progress: str | None = None
        self.rounds = 1
        self.game_over = False
        self.entered = False

    # ---------------------------------------------------------------------------------------- screens
    def screen_of(self, sample: Sample) -> tuple[str, str]:
        """(key, name) of the screen a sample shows: its gate, menu, game-over text, or play at a level."""
        if sample.view.game_over:
            said = [t for t in sorted(sample.texts) if len(t) <= MAX_PIECE_CHARS and GAME_OVER.search(t)]
            text = said[0] if said else "game over"
            return "over:" + fold(text), text
        if sample.gate is not None:
            return "gate:" + fold(sample.gate.lower())[:60], sample.gate[:60]
        if sample.menu:
            items = menu_items(sample.view)[:4]
            return "menu:" + "|".join(sorted(i.lower() for i in items)), " / ".join(items)
        levels = []
        for key, (name, value, _source) in sorted(readings(sample).items(), key=lambda kv: kv[1]):
            counter = self.counters.get(key)
            if LEVEL_WORDS.search(name) and not (counter is not None and counter.selector):
                levels.append(f"{name} {_value(value)}")
        levels = sorted(dict.fromkeys(levels))[:2]
        return "play:" + "|".join(levels), "play" + (f", {', '.join(levels)}" if levels else "")

    def _see(self, sample: Sample, via: str | None, shot: str | None) -> bool:
        key, name = self.screen_of(sample)
        self.current_screen = key
        if key in self.screens or len(self.screens) >= MAX_SCREENS:
            return False
        self.screens[key] = ProgressScreen(
            name=name, at_s=round(sample.at_s, 2), action=via, screenshot=shot, index=len(self.screens) + 1
        )
        if shot is None:
            self._pending.add(key)
        return True

    # ---------------------------------------------------------------------------------------- counters
    def _update(
        self, a: Sample | None, b: Sample, *, by: str | None, by_input: str | None = None
    ) -> tuple[list[str], list[str]]:
        """Counters from `a` to `b` (an action `by`, or an idle gap when None): which rose and fell."""
        now = readings(b)
        before = readings(a) if a is not None else {}
        gap = max(0.0, b.at_s - a.at_s) if a is not None else 0.0
        rises: list[str] = []
        falls: list[str] = []
        for key, (name, value, source) in now.items():
            counter = self.counters.get(key)
            if counter is None:
                if len(self.counters) >= MAX_COUNTERS:
                    continue
                counter = self.counters[key] = Counter(key, name, source, value, value, value, b.at_s)
            counter.best = max(counter.best, value)
            counter.last = value
            if key not in before:
                continue
            if by is None:
                counter.idle_s += gap
            else:
                counter.input_s += gap
            old = before[key][1]
            if value > old:
                rises.append(key)
                if by is None:
                    counter.rises_idle += 1
                else:
                    counter.rises_input += 1
                    if len(counter.raised_by) < MAX_COUNTERS:
                        counter.raised_by[by_input or by] = counter.raised_by.get(by_input or by, 0) + 1
                    if counter.first_rise_s is None:
                        counter.first_rise_s, counter.first_rise_by = round(b.at_s, 2), by
            elif value < old:
                falls.append(key)
        return rises, falls

    def observe(self, sample: Sample) -> None:
        """A look with no input of ours since the last one (the gap before an action, an idle look)."""
        rises, _falls = self._update(self.last, sample, by=None)
        self._see(sample, self.last_action if self.last is not None else None, None)
        for key in rises:
            counter = self.counters[key]
            if counter.levelish and not counter.clock and not counter.selector:
                self._progressed(sample.at_s, f"{counter.name} {_value(counter.best)}", self.last_action)
        self.game_over = sample.view.game_over
        self.previous, self.last = self.last, sample

    def after_action(
        self,
        before: Sample,
        after: Sample,
        result: ActionResult,
        *,
        moved: bool,
        entered: bool,
        input_name: str | None = None,
        scene: SceneReaction | None = None,
    ) -> Gain:
        """Judge one action: the counters it raised, a new screen, a loss; fill in screenshots."""
        entering = entered and not self.entered  # the first screen in shows entry, not progress
        self.entered = self.entered or entered
        how = result.description
        before_key, _ = self.screen_of(before)
        self.acted_on = before_key
        if before_key in self._pending:
            self.screens[before_key].screenshot = result.before
            self._pending.discard(before_key)
        rises, falls = self._update(before, after, by=how, by_input=input_name)
        if before.view.game_over:
            rises, falls = [], []  # a restart resets the numbers: neither progress nor a loss
        self._selectors(before, after, rises, falls)
        new = self._see(after, how, result.after)
        gain = Gain(moved=moved, new_screen=new and entered and not entering)
        if scene is not None and not scene.switched:
            # more new things than gone: a turned or resized sprite is drawn anew (one gone, one new)
            gain.headings, gain.appeared = headings(scene.changes), max(0, scene.appeared - scene.gone)
        for key in rises:
            counter = self.counters[key]
            if (counter.by_input or counter.levelish) and not counter.selector:
                gain.rises.append(key)
        for key in falls:
            if self.counters[key].lifeish:
                gain.lost = True
            elif not self.counters[key].clock:
                gain.falls.append(key)
        if after.view.game_over and not before.view.game_over:
            gain.lost = not won(after)  # a round won is a step forward; its screen is a new one
        if before.view.game_over and not after.view.game_over:
            self.rounds += 1
        if entered and (gain.rises or (gain.new_screen and not gain.lost)):  # a game over is no progress
            what = ", ".join(self.counters[k].name for k in gain.rises) or self.screens[self.current_screen].name
            self._progressed(after.at_s, what, how)
        self.game_over = after.view.game_over
        self.previous, self.last = before, after
        self.last_action = how
        self.last_gain = gain
        return gain

    def _selectors(self, before: Sample, after: Sample, rises: list[str], falls: list[str]) -> None:
        """Mark the level-like numbers one action moved two levels at once, or one back without a death:
        a level select (their screens are then one screen, their rises no progress)."""
        old = {k: v[1] for k, v in readings(before).items() if k in rises or k in falls}
        died = after.view.game_over or any(self.counters[k].lifeish for k in falls)  # a level lost with a life
        for key in rises + (falls if not died else []):
            counter = self.counters[key]
            if counter.levelish and (key in falls or counter.last - old.get(key, counter.last) >= LEVEL_SKIP):
                counter.selector = True

    def _progressed(self, at_s: float, what: str, how: str) -> None:
        if self.first_progress_s is None and self.entered:
            self.first_progress_s = round(at_s, 2)
            self.first_progress = f"{what} after {how}"[:200]

    # ---------------------------------------------------------------------------------------- record
    def moved_counters(self) -> list[Counter]:
        """The numbers the player moved, and the level-like ones (moved or not: how deep the run got),
        level-like first, one per name (the state hook's over the text's)."""
        kept = (
            c
            for c in self.counters.values()
            if not c.selector and (c.moved or (c.levelish and not c.clock))  # how deep, always; not a level select
        )
        moved = sorted(kept, key=lambda c: (c.rank(), c.source != "state"))
        out: list[Counter] = []
        for counter in moved:
            if all(c.name != counter.name for c in out):
                out.append(counter)
        return out[:MAX_REPORTED]

    def describe(self, gain: Gain) -> str:
        """One action's progress in words: "distance 120 -> 220; new screen 'play, level 2'"."""
        parts = [f"{self.counters[k].name} -> {_value(self.counters[k].last)}" for k in gain.rises]
        if gain.new_screen:
            parts.append(f"new screen {self.screens[self.current_screen].name!r}")
        return "; ".join(parts) or "nothing"

    def facts(self) -> str:
        """How far the player got, for the model's prompt: the numbers it moved, the screens reached."""
        moved = [f"{c.name} {_value(c.first)} -> {_value(c.best)}" for c in self.moved_counters()]
        lines = [
            f"Numbers your input raised (first -> best): {', '.join(moved)}."
            if moved
            else "No number on screen has risen because of your input yet."
        ]
        names = [s.name for s in self.screens.values()]
        lines.append(f"Screens reached, in order: {' > '.join(repr(n[:40]) for n in names[-8:])}.")
        if self.rounds > 1:
            lines.append(f"Round {self.rounds} (restarted {self.rounds - 1} times after a game over).")
        return " ".join(lines)

    def is_clock(self, key: str) -> bool:
        """Time-like: it rises by itself, or with unrelated inputs alike (Space and ArrowUp both "raise"
        a clock that ticks during each): no lead for the seeker, whatever the report says of it."""
        counter = self.counters.get(key)
        return counter is not None and (counter.clock or not counter.specific)

    @property
    def progress(self) -> Progress:
        counters = [
            ProgressCounter(
                name=c.name,
                source=c.source,  # type: ignore[arg-type]
                first=c.first,
                best=c.best,
                last=c.last,
                first_rise_s=c.first_rise_s,
                first_rise_by=c.first_rise_by,
            )
            for c in self.moved_counters()
        ]
        return Progress(
            screens=[s.model_copy() for s in self.screens.values()],
            counters=counters,
            first_progress_s=self.first_progress_s,
            first_progress=self.first_progress,
            rounds=self.rounds,
        )
