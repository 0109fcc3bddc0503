"""The scene: what the game draws now, as *things* with positions, and how each changes by itself.

`dom/scene.js` reports every thing of the latest frame: a Canvas 2D drawImage / rect / text / path with
its box (viewport CSS px), a WebGL draw call with the uniform numbers it was drawn with (or a buffer
upload folded into chunk sums), and the DOM elements that changed, with their box and a signature.
The same thing keeps the same key from frame to frame (its image or style, size and draw order).

A screen moves by itself (stars scroll, a title pulses, a hero bobs or walks), so the player learns an
*idle envelope* per thing from looks with no input: the range of its speeds and, for a thing that
swings back and forth, of its positions. A reaction is a change no envelope explains: a sprite that
stood still and moved 4 px after ArrowLeft, a walker that turned, a board cell whose class changed after
a click, whatever scrolls around it. Pure: no browser, no clock; unit-tested on recorded scenes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .scene_keys import PX_SLOTS, Scene, family, is_hash, is_px, kind_of

#: a drawn thing must move this many CSS px beyond what its idle envelope explains: positions are
#: rounded to 0.5 px and sub-pixel smoothing jitters by one, a real step in a game is 2 px or more
MOVE_TOL_PX = 2.0
#: a steady mover's measured speed varies this much between looks (frame timing vs look timing)
RATE_SLACK = 0.25
#: WebGL numbers (matrices, colours, time): a change under this share of the value is float noise
NUM_REL_TOL = 1e-3
NUM_ABS_TOL = 1e-4
#: more than this share of all things new or gone between two looks: the screen switched (a menu page,
#: a level, a dialog), which says the game went somewhere, not that a thing in it responded
SWITCH_SHARE = 0.5
#: a thing must have been seen in this many idle looks before its change counts (it has an envelope)
MIN_IDLE_SEEN = 2
#: an idle envelope "grew" when a speed band or position range widened by more than this many px
GROWTH_PX = 3.0
#: a thing that moves by itself and jumps this far between two looks wrapped around or respawned (a third
#: of a 720 px screen): no input nudges a thing that far in one action, and stars wrap at random times
WRAP_PX = 240.0
#: a thing whose own speeds spread wider than this (px/s, between its slowest and fastest look) is too
#: erratic to judge: it teleports (wraps, respawns) or is not one thing from frame to frame (a repeated
#: shape drawn only sometimes takes another's place in the draw order); steady movers and gentle
#: swings stay well inside (a 300 px/s scroll jitters by about 40 px/s between looks)
JUDGEABLE_BAND_PX_S = 120.0
#: a direction whose idle speeds all stay under this (px/s) stood still: rounding and sub-pixel jitter
STILL_RATE_PX_S = 4.0
#: direction reversals a swinging thing must show while idle before its position range is its whole swing:
#: two turns mean both ends were seen (a bob); one turn is part of a slow orbit or a pendulum seen from
#: one end only, which goes on past the range by itself
SWING_TURNS_SEEN = 2
#: new things (not a screen switch) kept as changes of one reaction. 0: new things are no evidence of
#: play, since a menu's page, a help panel or a lit window appear as readily as a shot fired (measured:
#: a Help / Credits / Options title was "entered" by Enter making its help page's shapes appear)
APPEARED_KEPT = 0
#: repeated things of one kind are matched by position only up to this many pairs (a board of 20x20
#: tiles matched to itself); past it, by draw order
ALIGN_MAX_PAIRS = 20_000
#: page elements moving by one offset that make a layout shift (a board's cells pushed down by a message
#: line); a game's piece is one to four elements (a tetromino), so twice that is safely the page
LAYOUT_SHIFT_MIN = 8
#: this many drawn things of one look (stars, snowflakes, bullets) that move by themselves are a crowd
#: whose members cannot be told apart: matched by nearest position, one that wrapped around takes
#: another's place and seems to move sideways "from rest". A game's own sprite is one of a kind, and
#: a board's identical tiles stand still by themselves
CROWD_MIN = 8
#: at most this many changes are kept per reaction (the words quote the first)
MAX_CHANGES = 20


@dataclass
class SlotEnvelope:
    lo_rate: float
    hi_rate: float
    lo_val: float
    hi_val: float
    changed: bool = False  # a hash slot that changed by itself
    jumps: bool = False  # it teleported by itself (wrapped around, respawned): far jumps say nothing
    last_rate: float = 0.0
    turns: int = 0  # direction reversals seen while idle (see SWING_TURNS_SEEN)

    def note_rate(self, rate: float) -> None:
        """Count a reversal when the thing goes the other way than last time, both times clearly moving."""
        if abs(rate) > STILL_RATE_PX_S:
            if abs(self.last_rate) > STILL_RATE_PX_S and (rate > 0) != (self.last_rate > 0):
                self.turns += 1
            self.last_rate = rate


@dataclass
class Change:
    """One thing that changed beyond its idle envelope."""

    key: str
    label: str = ""
    dx: float = 0.0
    dy: float = 0.0
    size: tuple[float, float] = (0.0, 0.0)
    kind: str = "moved"  # moved | resized | restyled | changed (WebGL numbers, DOM signature) | appeared
    idle_px: float = 0.0
    #: the change is in a direction (or a look) that stood still while idle: a thing at rest was moved,
    #: not a moving thing that did something its idle looks had not shown yet (a ball's first bounce)
    from_still: bool = False

    def words(self) -> str:
        """'a drawn 14x14 sprite moved 4 px left' — what a person checks on the screenshots."""
        what = describe_thing(self.key, self.size, self.label)
        if self.kind == "moved":
            parts = []
            if abs(self.dx) >= MOVE_TOL_PX:
                parts.append(f"{abs(self.dx):.0f} px {'right' if self.dx > 0 else 'left'}")
            if abs(self.dy) >= MOVE_TOL_PX:
                parts.append(f"{abs(self.dy):.0f} px {'down' if self.dy > 0 else 'up'}")
            return f"moved {what} {' and '.join(parts) or 'a little'}"
        return {
            "resized": f"resized {what}",
            "restyled": f"changed the look of {what}",
            "appeared": f"made {what} appear",
        }.get(self.kind, f"changed {what}")


def describe_thing(key: str, size: tuple[float, float], label: str = "") -> str:
    kind = kind_of(key)
    w, h = size
    if kind == "g":
        return "a WebGL buffer" if "|buf" in key else "a WebGL draw"
    if kind == "d":
        return f"the page element {label[:24]!r}" if label else f"a {w:.0f}x{h:.0f} page element"
    body = key.split("|", 1)[1] if "|" in key else key
    nouns = {"img": "sprite", "quad": "sprite", "rect": "rectangle", "srect": "rectangle", "path": "shape"}
    noun = {**nouns, "stroke": "shape"}.get(body.split(":", 1)[0], "text" if body.startswith("text") else "thing")
    return f"a drawn {w:.0f}x{h:.0f} {noun}"


@dataclass
class SceneReaction:
    """What one action changed in the scene, beyond the idle envelope."""

    changes: list[Change] = field(default_factory=list)
    appeared: int = 0
    gone: int = 0
    total: int = 0
    switched: bool = False
    #: the drawn things that went away (a group of tiles a click removed), with their sizes
    removed: list[tuple[str, tuple[float, float]]] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return bool(self.changes) and not self.switched


class Envelope:
    """How each thing of the current screen changes with no input (see the module docstring)."""

    def __init__(self) -> None:
        self.slots: dict[str, list[SlotEnvelope]] = {}
        self.seen: Counter[str] = Counter()
        self.churn: set[str] = set()  # things that come and go by themselves (bullets, a blink)
        self.churn_families: set[str] = set()
        self.looks = 0

    def learn(self, a: Scene, b: Scene, *, fresh: bool = True) -> float:
        """Learn from two looks with no input between; returns how much the envelope grew (px-like).

        `fresh`: `a` was not the `b` of the previous call (it came after an action), so it counts as seen."""
        b = align(a, b)
        dt = max(0.05, b.at_s - a.at_s)
        growth = 0.0
        if fresh:
            self.seen.update(a.things.keys())
        self.seen.update(b.things.keys())
        self.looks += 1
        for key in a.things.keys() ^ b.things.keys():
            if key not in self.churn and self.seen[key] > 0:
                self.churn.add(key)
                self.churn_families.add(family(key))
                growth += GROWTH_PX if self.looks > 1 else 0.0
        for key in a.things.keys() & b.things.keys():
            va, vb = a.things[key], b.things[key]
            slots = self.slots.get(key)
            if slots is None or len(slots) != len(vb):
                slots = self.slots[key] = []
                for i, (x, y) in enumerate(zip(va, vb, strict=False)):
                    jump = is_px(key, i) and abs(y - x) > WRAP_PX
                    rate = 0.0 if jump else (y - x) / dt
                    slots.append(SlotEnvelope(rate, rate, min(x, y), max(x, y), x != y, jump, last_rate=rate))
                continue
            for i, (x, y, env) in enumerate(zip(va, vb, slots, strict=False)):
                if is_hash(key, i):
                    if x != y and not env.changed:
                        env.changed = True
                        growth += GROWTH_PX
                    continue
                if is_px(key, i) and abs(y - x) > WRAP_PX:  # a wrap or a respawn is no speed
                    growth += 0.0 if env.jumps else GROWTH_PX
                    env.jumps = True
                    continue
                rate = (y - x) / dt
                if is_px(key, i):
                    env.note_rate(rate)
                wider = max(env.lo_rate - rate, rate - env.hi_rate, 0.0) * dt
                if env.lo_rate < 0 < env.hi_rate:  # positions bound only a thing that swings (see explains)
                    wider += max(env.lo_val - min(x, y), max(x, y) - env.hi_val, 0.0)
                env.lo_rate, env.hi_rate = min(env.lo_rate, rate), max(env.hi_rate, rate)
                env.lo_val, env.hi_val = min(env.lo_val, x, y), max(env.hi_val, x, y)
                if is_px(key, i) and wider > GROWTH_PX and env.hi_rate - env.lo_rate <= JUDGEABLE_BAND_PX_S:
                    growth += wider  # (an erratic direction is never judged: how it grows does not matter)
                elif not is_px(key, i) and wider > NUM_REL_TOL * (1 + abs(y)) * 10:
                    growth += GROWTH_PX
        return growth

    def explains(self, key: str, slot: int, before: float, after: float, dt: float) -> bool:
        """Does the thing's own idle behaviour explain this change over `dt` seconds?"""
        slots = self.slots.get(key)
        if slots is None or slot >= len(slots):
            return True  # never seen still or moving: no envelope, no verdict
        env = slots[slot]
        if is_hash(key, slot):
            return before == after or env.changed
        delta = after - before
        if env.jumps and abs(delta) > WRAP_PX:
            return True  # it teleports by itself
        if is_px(key, slot):
            tol = MOVE_TOL_PX
        else:
            tol = NUM_ABS_TOL + NUM_REL_TOL * max(abs(before), abs(after))
        tol += RATE_SLACK * max(abs(env.lo_rate), abs(env.hi_rate)) * dt
        if env.lo_rate * dt - tol <= delta <= env.hi_rate * dt + tol:
            return True
        swings = env.lo_rate < 0 < env.hi_rate  # back and forth by itself: its positions bound it
        return swings and env.lo_val - tol <= after <= env.hi_val + tol


def _from_still(key: str, slot: int, slots: list[SlotEnvelope], after: tuple[float, ...]) -> bool:
    """The change left what the thing does by itself behind: it stood still that way, or it swings back and
    forth (a bobbing hero, both ends seen) and now stands outside its whole swing. A steady mover that turned or bounced
    is no such proof: its idle looks may just not have shown that yet."""
    if is_hash(key, slot) or slot >= len(slots):
        return True
    env = slots[slot]
    if max(abs(env.lo_rate), abs(env.hi_rate)) <= (STILL_RATE_PX_S if is_px(key, slot) else NUM_ABS_TOL):
        return True
    margin = MOVE_TOL_PX if is_px(key, slot) else NUM_ABS_TOL
    if is_px(key, slot) and env.turns < SWING_TURNS_SEEN:
        return False  # part of a slow swing or orbit: its range so far is not its whole swing
    return env.lo_rate < 0 < env.hi_rate and not env.lo_val - margin <= after[slot] <= env.hi_val + margin


def align(a: Scene, b: Scene) -> Scene:
    """`b` with each drawn thing of a repeated kind (tiles, bricks, stars: same look, same size) keyed
    as the nearest one of its kind in `a`. Keys go by draw order, and one more or one fewer of a kind
    drawn before it (a shine, a shot) would make a tile seem to jump a whole row."""
    groups: dict[str, list[str]] = {}
    for key in b.things:
        if kind_of(key) in "co" and "#" in key:
            groups.setdefault(key.rsplit("#", 1)[0], []).append(key)
    renamed: dict[str, str] = {}
    for base, keys in groups.items():
        olds = [k for k in a.things if k.rsplit("#", 1)[0] == base] if len(keys) > 1 else []
        if len(olds) < 2 or len(keys) * len(olds) > ALIGN_MAX_PAIRS:
            continue
        pairs = sorted(
            (abs(b.things[k][0] - a.things[o][0]) + abs(b.things[k][1] - a.things[o][1]), k, o)
            for k in keys
            for o in olds
        )
        taken_new: set[str] = set()
        taken_old: set[str] = set()
        for _, k, o in pairs:
            if k not in taken_new and o not in taken_old:
                renamed[k] = o
                taken_new.add(k)
                taken_old.add(o)
        spare = (f"{base}#~{i}" for i in range(len(keys)))
        for k in keys:
            if k not in renamed:
                renamed[k] = next(spare)  # one more of its kind than before: a new thing
    if not renamed:
        return b
    things = {renamed.get(k, k): v for k, v in b.things.items()}
    labels = {renamed.get(k, k): v for k, v in b.labels.items()}
    return Scene(things, labels, b.at_s, b.scroll)


def _scrolled(key: str, slot: int, delta: float, scrolled: tuple[float, float]) -> bool:
    """The page scrolled (Space and arrows scroll a long page) and the thing moved with it on screen."""
    if kind_of(key) not in "cd" or slot > 1 or scrolled[slot] == 0:
        return False
    return abs(delta + scrolled[slot]) <= MOVE_TOL_PX


def _without_layout_shift(changes: list[Change]) -> list[Change]:
    """Drop page elements that all moved by one offset: a line inserted above them (a message, a banner)
    moved the page's layout, as a scroll would; a game moves its pieces one or a few at a time."""
    groups: dict[tuple[int, int], int] = {}
    for c in changes:
        if c.kind == "moved" and kind_of(c.key) == "d":
            offset = (round(c.dx), round(c.dy))
            groups[offset] = groups.get(offset, 0) + 1
    shifted = {offset for offset, n in groups.items() if n >= LAYOUT_SHIFT_MIN}
    if not shifted:
        return changes
    return [
        c
        for c in changes
        if not (c.kind == "moved" and kind_of(c.key) == "d" and (round(c.dx), round(c.dy)) in shifted)
    ]


def _boxes(scene: Scene) -> set[tuple[int, ...]]:
    return {
        tuple(round(v) for v in vals[:4]) for k, vals in scene.things.items() if kind_of(k) in "co" and len(vals) >= 4
    }


def _without_recolouring(a: Scene, b: Scene, changes: list[Change]) -> list[Change]:
    """Drop drawn things that "moved" from one box of a fixed layout to another box of it: a thing is known
    by its fill, so a tile that changed colour (a shine sweeping a board, a light turned on) looks like
    another tile's colour moving there, while the layout stayed. A thing that moved to a box where nothing
    was drawn (a snake's head, a falling block) moved."""
    before, after = _boxes(a), _boxes(b)
    kept = []
    for c in changes:
        if c.kind == "moved" and kind_of(c.key) in "co" and c.key in a.things and c.key in b.things:
            old = tuple(round(v) for v in a.things[c.key][:4])
            new = tuple(round(v) for v in b.things[c.key][:4])
            if new in before and old in after:
                continue
        kept.append(c)
    return kept


def _drifting_crowds(scene: Scene, envelope: Envelope) -> set[str]:
    """Kinds of drawn thing (key without draw order) with CROWD_MIN members or more, some of which move by
    themselves: their members' changes are no evidence (see CROWD_MIN)."""
    members: dict[str, list[str]] = {}
    for key in scene.things:
        if kind_of(key) in "co" and "#" in key:
            members.setdefault(key.rsplit("#", 1)[0], []).append(key)
    crowds = set()
    for base, keys in members.items():
        if len(keys) < CROWD_MIN:
            continue
        for key in keys:
            slots = envelope.slots.get(key) or []
            if any(
                is_px(key, i) and (max(abs(s.lo_rate), abs(s.hi_rate)) > STILL_RATE_PX_S or s.jumps)
                for i, s in enumerate(slots[:2])
            ):
                crowds.add(base)
                break
    return crowds


def compare(a: Scene, b: Scene, envelope: Envelope) -> SceneReaction:
    """The changes between two looks around an action that the idle envelope does not explain."""
    b = align(a, b)
    dt = max(0.05, b.at_s - a.at_s)
    scrolled = (b.scroll[0] - a.scroll[0], b.scroll[1] - a.scroll[1])
    new = [k for k in b.things.keys() - a.things.keys() if k not in envelope.churn]
    gone = [k for k in a.things.keys() - b.things.keys() if k not in envelope.churn]
    total = len(a.things) + len(b.things)
    reaction = SceneReaction(appeared=len(new), gone=len(gone), total=total)
    reaction.switched = len(new) + len(gone) >= 3 and (len(new) + len(gone)) > SWITCH_SHARE * total
    reaction.removed = [
        (k, (a.things[k][2], a.things[k][3]))
        for k in sorted(gone)[:MAX_CHANGES]
        if kind_of(k) in "co" and len(a.things[k]) >= 4 and envelope.seen[k] >= MIN_IDLE_SEEN
    ]
    crowds = _drifting_crowds(b, envelope)
    for key in sorted(a.things.keys() & b.things.keys()):
        if envelope.seen[key] < MIN_IDLE_SEEN or (kind_of(key) in "co" and key.rsplit("#", 1)[0] in crowds):
            continue
        va, vb = a.things[key], b.things[key]
        slots = envelope.slots.get(key) or []
        erratic = {
            i for i, s in enumerate(slots[:PX_SLOTS]) if is_px(key, i) and s.hi_rate - s.lo_rate > JUDGEABLE_BAND_PX_S
        }  # per direction: a hero that jumps by itself still turns left and right
        moved_slots = [
            i
            for i, (x, y) in enumerate(zip(va, vb, strict=False))
            if i not in erratic and not envelope.explains(key, i, x, y, dt) and not _scrolled(key, i, y - x, scrolled)
        ]
        if not moved_slots:
            continue
        size = (vb[2], vb[3]) if kind_of(key) in "cod" and len(vb) >= 4 else (0.0, 0.0)
        if kind_of(key) in "cod":
            if any(i < 2 for i in moved_slots):
                kind = "moved"
            elif any(i < PX_SLOTS for i in moved_slots):
                kind = "resized"
            else:
                kind = "restyled" if kind_of(key) != "d" else "changed"
        else:
            kind = "changed"
        idle = 0.0
        if kind == "moved" and key in envelope.slots:
            idle = max(max(abs(s.lo_rate), abs(s.hi_rate)) for i, s in enumerate(slots[:2]) if i in moved_slots) * dt
            if idle > 0 and max(abs(vb[0] - va[0]), abs(vb[1] - va[1])) > WRAP_PX:
                continue
        still = any(_from_still(key, i, slots, vb) for i in moved_slots)
        reaction.changes.append(
            Change(
                key=key,
                label=b.labels.get(key, ""),
                dx=vb[0] - va[0] if kind == "moved" and 0 in moved_slots else 0.0,
                dy=vb[1] - va[1] if kind == "moved" and 1 in moved_slots else 0.0,
                size=size,
                kind=kind,
                idle_px=idle,
                from_still=still,
            )
        )
        if len(reaction.changes) >= MAX_CHANGES:
            break
    reaction.changes = _without_recolouring(a, b, _without_layout_shift(reaction.changes))
    if not reaction.switched and APPEARED_KEPT:  # a few new things: a shot fired, a piece's targets ringed
        fresh = [k for k in sorted(new) if family(k) not in envelope.churn_families]
        for key in fresh[:APPEARED_KEPT]:
            vb = b.things[key]
            size = (vb[2], vb[3]) if kind_of(key) in "cod" and len(vb) >= 4 else (0.0, 0.0)
            reaction.changes.append(
                Change(key=key, label=b.labels.get(key, ""), size=size, kind="appeared", from_still=True)
            )
    # the most telling first: a thing still by itself, then the biggest move
    reaction.changes.sort(
        key=lambda c: (
            not c.from_still,
            c.idle_px > 0,
            c.kind == "appeared",
            c.kind != "moved",
            -max(abs(c.dx), abs(c.dy)),
        )
    )
    return reaction
