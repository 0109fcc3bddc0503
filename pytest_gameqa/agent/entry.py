"""When is the player *in*? When the game responds to play input, repeatably; not when a menu changed.

Moving from a title to another menu page (help, credits, options, a sound toggle, a story page, a level
or hero select) is progress through menus. **Entered** means a thing the game draws (or an element of
its board) moved or changed because of a play input, beyond what it does by itself, and the same input
did it again or another input changed the same thing (one lucky frame is no proof); or the game's own
state hook says it is playing. A reaction on a menu page counts only away from the menu's items (a
cursor beside an item is menu navigation), and pixels count only where the scene cannot see (a game that
draws with putImageData or a WebGL scene that moves everywhere by itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .reading import MENU_ITEM
from .scene import Change, SceneReaction, kind_of

#: inputs that steer a menu rather than play: Escape and Tab leave or move focus, hover only points
_NOT_PLAY = re.compile(r"^(escape|tab|hover)$", re.I)

#: a click on a control that names a screen ("click 'Options'") walks menus, it does not play
_MENU_CLICK = re.compile(
    r"^(click|tap|double-click) .*\b(play|start|begin|go|continue|options|settings|help|credits|about|score|"
    r"leader|sound|music|mute|menu|back|story|skip|next|select|choose|level|tutorial|how to)\b",
    re.I,
)
#: pointer presses: each can start something (see PlayEvidence.confirms)
_CLICKS = ("click", "tap", "double-click")
#: evidence needed: two reactions to play input that confirm each other (same input, or same thing)
CONFIRMING = 2


def is_aggregate(key: str) -> bool:
    """A key that stands for many drawn things at once: a batched WebGL vertex buffer holds every sprite of
    the screen, so "the same thing changed" after two different inputs says nothing (anything moving by
    itself changes it); only the same input again confirms such a change."""
    return "|buf" in key


def is_play_input(input_name: str) -> bool:
    """Keys, clicks into the game, drags, pointer movement and typing are play; menu clicks are not."""
    return not _NOT_PLAY.match(input_name.strip()) and not _MENU_CLICK.match(input_name.strip())


@dataclass(frozen=True)
class PlayEvidence:
    """One reaction to play input, in words a person can check on the screenshots."""

    input_name: str
    how: str
    at_s: float
    keys: frozenset[str]
    words: str
    idle_px: float = 0.0
    kind: str = "scene"  # scene | text | state | pixels
    #: something that stood still while idle changed (see scene.Change.from_still)
    still: bool = True
    #: a thing was displaced (not only restyled or refilled: a cursor style, a caption's text)
    moved: bool = False

    def confirms(self, other: PlayEvidence) -> bool:
        """The same input again, or the same thing changed by another; and one of the two moved a thing
        at rest (two surprises of things that move by themselves, like a ball's bounces, prove nothing).
        Two clicks must each change a thing at rest: a click starts things (a ball launched, a level
        begun), and everything that then moves by itself surprises the next click's look too. So must two
        reactions of which one changed only a whole batched buffer (see is_aggregate)."""
        shared = {k for k in self.keys & other.keys if not is_aggregate(k)}
        related = self.input_name == other.input_name or bool(shared)
        clicks = self.input_name.startswith(_CLICKS) and other.input_name.startswith(_CLICKS)
        batch_only = any(e.keys and all(is_aggregate(k) for k in e.keys) for e in (self, other))
        if clicks or (batch_only and not shared):
            return related and self.still and other.still
        return related and (self.still or other.still)


def scene_evidence(
    reaction: SceneReaction,
    menu_rows: list[tuple[float, float]],
    on_menu: bool,
    after: dict[str, tuple[float, ...]],
    *,
    typing: bool = False,
) -> list[Change]:
    """The changes that count as play: all of them off menus; on a menu page only things with a box on
    the page that lie away from the menu's rows (a board beside a toolbar, not a cursor beside items).

    Never a drawn thing's new look alone (a sprite's frame, a highlight's colour: menus and idle
    animations do that too), and while text is typed (into a focused field) never a page element's new
    content: the typed text echoes there; the game's answer to it shows as things that move."""
    if not reaction.moved:
        return []
    changes = [
        c
        for c in reaction.changes
        if c.kind != "restyled" and not (typing and kind_of(c.key) == "d" and c.kind == "changed")
    ]
    if not on_menu:
        return changes
    kept = []
    for change in changes:
        values = after.get(change.key)
        if kind_of(change.key) not in "cd" or values is None or len(values) < 4 or MENU_ITEM.match(change.label):
            continue
        top, bottom = values[1], values[1] + values[3]
        if any(top < row_bottom and bottom > row_top for row_top, row_bottom in menu_rows):
            continue
        kept.append(change)
    return kept


def describe(changes: list[Change], input_name: str) -> str:
    first = changes[0]
    more = f" (and {len(changes) - 1} more)" if len(changes) > 1 else ""
    return f"{input_name} {first.words()}{more}"


class EntryJudge:
    """Collects play evidence and says when it is enough (see the module docstring)."""

    def __init__(self) -> None:
        self.evidence: list[PlayEvidence] = []
        self.menus: list[str] = []  # the menu pages passed through, in order
        self.way_in: tuple[str, float] | None = None  # the action that left the last menu page

    def menu_passed(self, text: str, how: str, at_s: float) -> None:
        text = text.strip()[:80]
        if text and (not self.menus or self.menus[-1] != text) and len(self.menus) < 20:
            self.menus.append(text)
        self.way_in = (how, at_s)

    def add(self, evidence: PlayEvidence) -> tuple[PlayEvidence, PlayEvidence] | None:
        """Keep one reaction; returns the confirming pair once the player is in."""
        self.evidence.append(evidence)
        del self.evidence[:-30]
        for earlier in self.evidence[:-1]:
            if earlier.confirms(evidence) and earlier.at_s < evidence.at_s:
                return earlier, evidence
        return None

    def words(self, pair: tuple[PlayEvidence, PlayEvidence]) -> str:
        first, second = pair
        if first.words == second.words or (first.input_name == second.input_name and first.kind == second.kind):
            text = f"{first.words}, twice"
        else:
            text = f"{first.words}; {second.words}"
        if first.kind == "scene":
            text += f"; idle envelope {max(first.idle_px, second.idle_px):.0f} px"
        if self.menus:
            text += "; menus passed: " + " > ".join(repr(m[:40]) for m in self.menus[-4:])
        return text
