"""Did the player get into the game? Judged from what changed because of its input, not by itself.

The screen of a game changes on its own (a blinking "PRESS START", a scrolling sky, a score ticking),
so every change an input makes is compared with how the same screen changes with no input: the gap
between two actions is an idle look for free. Evidence, in order of trust: the game's state hook, the
*scene* (what it draws, thing by thing, against each thing's idle envelope: `scene.py`), its text and
state fields, pixels last. A change counts only beyond the idle change; whether it makes the player
*entered* (play, not menus; repeatable) is `entry.py`'s rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..dom.detector import PageView
from ..models import Reach
from ..monitor.pixels import Thumbnail
from .entry import EntryJudge, PlayEvidence, describe, is_play_input, scene_evidence
from .idle import IdleModel, cell_mask
from .inputs import READING_CLICK
from .reading import gate_text, is_menu, menu_items, menu_rows
from .scene import Envelope, Scene, SceneReaction, compare, describe_thing, family
from .signals import fold, playing_phase, state_fields, text_changes, text_keys

#: a prompt that blinks is hidden for up to about a second: a gate seen this recently is still there
GATE_BLINK_S = 1.5
#: two reactions confirm each other through a thing only among each one's first few (most telling)
#: changes: when a camera pans every tile moves, and any two pans would share some tile
CONFIRM_THINGS = 3


#: a number that names a level, a stage or a round: a key that moves it at once is a level select (a
#: title's "keys to skip levels"), and play moves it by progress, too slowly to confirm entry
_LEVEL_NUMBER = re.compile(r"\b(level|lvl|stage|world|round|wave)\b", re.I)
#: inputs whose one answer is no entry at the end of a run (see ReachTracker.finish)
_NOT_STEERING = ("click", "tap", "double-click", "type", "drag")


@dataclass
class Sample:
    """One look at the screen: its thumbnail (may be missing when the page was busy), text, state, scene."""

    view: PageView
    thumb: Thumbnail | None
    at_s: float
    gate: str | None = None
    texts: frozenset[str] = frozenset()
    state: dict[str, str] = field(default_factory=dict)
    scene: Scene = field(default_factory=Scene)
    menu: bool = False
    #: the gate was read from pixels (OCR), maybe before the last action: only a new reading tells
    #: whether it is still there (agent/ocr.py re-reads after an action on it)
    pixel_gate: bool = False

    @classmethod
    def of(cls, view: PageView, thumb: Thumbnail | None, at_s: float) -> Sample:
        gate = gate_text(view)
        return cls(
            view,
            thumb,
            at_s,
            gate,
            text_keys(view),
            state_fields(view),
            Scene.of(view.scene, view.scene_at if view.scene_at is not None else at_s, view.scroll),
            is_menu(view),
            pixel_gate=gate is not None and any(d.source == "ocr" and d.text == gate for d in view.drawn),
        )

    @property
    def screen_name(self) -> str:
        """What a person calls this screen in a report: its gate, its menu items, or the game."""
        if self.gate:
            return self.gate[:60]
        items = menu_items(self.view)
        return " / ".join(items[:4]) if self.menu and items else "the game screen"


@dataclass
class Reaction:
    """What one action changed beyond the screen's own idle change."""

    cells: int = 0
    threshold: int = 0
    texts: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    gate_gone: str | None = None
    scene: SceneReaction = field(default_factory=SceneReaction)
    changed_cells: frozenset[int] = frozenset()
    #: the change counts as play evidence (a play input, the game's own screen): worth repeating to confirm
    play: bool = False

    @property
    def pixels(self) -> bool:
        return self.cells >= self.threshold > 0

    @property
    def reacted(self) -> bool:
        return (
            self.pixels
            or bool(self.texts)
            or bool(self.state)
            or self.gate_gone is not None
            or self.scene.moved
            or self.scene.switched
        )

    def explain(self, input_name: str) -> str:
        if self.gate_gone is not None:
            return f"start text {self.gate_gone[:60]!r} gone after {input_name}"
        if self.state:
            return f"{input_name} changed the game's state ({', '.join(self.state[:2])})"
        if self.scene.moved:
            return describe(self.scene.changes, input_name)
        if self.texts:
            return f"{input_name} changed the text {self.texts[0][:40]!r}"
        return f"{input_name} changed the screen beyond its idle change"


class ReachTracker:
    """Keeps the reach record of one game test from the samples around each action."""

    def __init__(self) -> None:
        self.idle = IdleModel()
        self.envelope = Envelope()
        self.judge = EntryJudge()
        self.reach = Reach()
        self.last: Sample | None = None
        self._learned_to: Sample | None = None
        self.screens: set[str] = set()
        self.gate_seen = False
        self.current_gate: str | None = None
        self.current_screen = "the first screen"
        self._gate_recent: tuple[str, float] | None = None  # the last gate seen, and when
        #: gate-like controls the player used and that stayed on screen while the screen changed
        #: ("Next" beside a level): controls the game keeps, not gates
        self.permanent: set[str] = set()
        self._inputs: list[tuple[float, str]] = []  # (when, input) of every action, for finish()
        self._pass_how: tuple[str, float] | None = None  # the first action after which the gate was not shown
        self.last_growth = 0.0

    # ----------------------------------------------------------------------------------- samples
    def observe_idle(self, sample: Sample) -> int:
        """A look with no input of ours since the last one: learn the screen's own change.

        Returns how many cells changed by themselves since the last look (-1: unknown); `last_growth`
        says how much the scene's idle envelope grew (0: it has seen the screen's whole animation)."""
        changed = -1
        self.last_growth = 0.0
        if self.last is not None:
            changed = self.idle.learn(self.last, sample)
            self.last_growth = self.envelope.learn(
                self.last.scene, sample.scene, fresh=self._learned_to is not self.last
            )
            self._learned_to = sample
        self._note(sample)
        return changed

    def _gate_of(self, sample: Sample) -> str | None:
        """The start gate of this look, or of one a blink ago: a blinking "PRESS ENTER" is still there
        while hidden (a look in its dark half is no look at the game)."""
        if sample.gate is not None:
            return None if sample.gate in self.permanent else sample.gate
        if self._gate_recent is not None and 0 <= sample.at_s - self._gate_recent[1] <= GATE_BLINK_S:
            return self._gate_recent[0]
        return None

    def _note(self, sample: Sample) -> None:
        if sample.gate is not None:
            self._gate_recent = (sample.gate, sample.at_s)
            if self.judge.menus and self.judge.menus[-1] == sample.gate[:60].strip():
                self.judge.menus.pop()  # it is back: it blinked, or the input did not pass it
            self._pass_how = None
            self.gate_seen = True
            self.current_gate = sample.gate
            if self.reach.start_text is None:
                self.reach.start_text = sample.gate[:200]
        else:
            self.current_gate = None
            if self._gate_recent is not None and sample.at_s - self._gate_recent[1] > GATE_BLINK_S:
                self._gate_passed()  # gone for longer than a blink: the first input after it passed it
        self.current_screen = sample.screen_name
        if len(self.screens) < 500:
            self.screens.add(f"{(sample.gate or '').lower()}|{sample.view.fingerprint()}")
            self.reach.screens = len(self.screens)
        self.last = sample

    def _gate_passed(self) -> None:
        if self._gate_recent is not None and self._pass_how is not None:
            self._menu_passed(self._gate_recent[0][:60], *self._pass_how)
        self._gate_recent = self._pass_how = None

    def _menu_passed(self, text: str, how: str, at_s: float) -> None:
        self.judge.menu_passed(text, how, at_s)
        self._new_screen()

    def _new_screen(self) -> None:
        """Another screen: its things move their own way, and what the last screen's things did is no
        evidence here. A WebGL game keeps its buffers and programs from the title into play, so the
        title's envelope would call every sprite of the game "a thing at rest moved", and a reaction
        on the title would confirm any change in play (a Go button's hover, then a key in play)."""
        if not self.reach.entered:
            self.envelope = Envelope()
            self._learned_to = None
            self.judge.evidence.clear()

    def _enter(self, how: str, at_s: float, evidence: str) -> None:
        self.reach.entered = True
        self.reach.entered_at_s = round(at_s, 2)
        self.reach.how = how
        self.reach.evidence = evidence
        self.reach.menus = list(self.judge.menus)
        self.idle.reset()  # the game's own screen moves differently from its title

    def after_action(self, before: Sample, after: Sample, input_name: str, how: str) -> Reaction:
        """Judge what the action changed; update entry and the inputs that matter."""
        reaction = Reaction(threshold=self.idle.threshold() if self.idle.samples else 0)
        comparable = self.idle.comparable(after.at_s - before.at_s)
        if before.thumb is not None and after.thumb is not None and comparable:
            reaction.changed_cells = frozenset(cell_mask(before.thumb, after.thumb) - self.idle.active())
            reaction.cells = len(reaction.changed_cells)
        reaction.texts = sorted(
            key
            for key, slots in text_changes(before.texts, after.texts).items()
            if (slots is None and key not in self.idle.volatile_text)
            or (slots and not slots <= self.idle.volatile_slots.get(key, set()))
        )[:5]
        changed = {k for k in before.state.keys() | after.state.keys() if before.state.get(k) != after.state.get(k)}
        reaction.state = sorted(changed - self.idle.volatile_state)[:5]
        reaction.scene = compare(before.scene, after.scene, self.envelope)
        if before.gate is not None and after.gate is None:
            reaction.gate_gone = before.gate
        self._note(after)
        if reaction.reacted and input_name not in self.reach.reactive_inputs and reaction.gate_gone is None:
            if len(self.reach.reactive_inputs) < 20:
                self.reach.reactive_inputs.append(input_name)
        if self.reach.entered:
            if reaction.reacted and self.reach.evidence and "; later: " not in self.reach.evidence:
                self.reach.evidence += "; later: " + reaction.explain(input_name)
            return reaction
        phase = playing_phase(after.state)
        if phase and not playing_phase(before.state):
            self._enter(how, after.at_s, f"the game's state hook says {phase} after {how}")
            return reaction
        if phase and reaction.state and is_play_input(input_name) and before.gate is None:
            # the game's own hook says it is being played, and the input changed its state: no doubt left
            fields = ", ".join(reaction.state[:2])
            self._enter(how, after.at_s, f"the game's state hook says {phase}; {input_name} changed {fields}")
            return reaction
        self._inputs.append((after.at_s, input_name))
        del self._inputs[:-200]
        if (
            before.gate
            and after.gate == before.gate
            and not after.pixel_gate  # a reading from before the action: it may be gone already
            and before.gate.lower() in how.lower()
            and reaction.reacted
        ):
            self.permanent.add(before.gate)  # used, it changed the screen, and it is still there
        gate, after_gate = self._gate_of(before), self._gate_of(after)
        changed = reaction.scene.switched or reaction.scene.appeared + reaction.scene.gone >= 2 or reaction.texts
        if gate and not after.gate and (self._pass_how is None or changed):
            self._pass_how = (how, after.at_s)  # not shown after it: passed, or a blink (a change says which)
        # the screen changed beyond the prompt (its title gone, new things drawn): a pass, not a blink
        if (gate and not after.gate and changed) or (gate and after_gate and after_gate != gate):
            self._menu_passed(gate[:60], how, after.at_s)  # the screen changed: no blink
            self._gate_recent = (after.gate, after.at_s) if after.gate else None
            self._pass_how = None
        elif not gate and before.menu and (before.screen_name != after.screen_name or reaction.scene.switched):
            self._menu_passed(before.screen_name, how, after.at_s)
        elif reaction.scene.switched:
            self.judge.way_in = (how, after.at_s)  # a title that says nothing, changed by this input
            self._new_screen()
        evidence = self._play_evidence(before, after, reaction, input_name, how)
        if evidence is not None:
            reaction.play = True
            pair = self.judge.add(evidence)
            if pair is not None:
                way_in = self.judge.way_in[0] if self.judge.way_in else pair[0].how
                self._enter(way_in, after.at_s, self.judge.words(pair))
        return reaction

    def _play_evidence(
        self, before: Sample, after: Sample, reaction: Reaction, input_name: str, how: str
    ) -> PlayEvidence | None:
        """One reaction to play input on the game's own screen, or None (a menu, no play, no change)."""
        if not is_play_input(input_name) or reaction.gate_gone is not None or reaction.scene.switched:
            return None
        if self._gate_of(before) is not None:
            return None  # a start gate on screen: whatever moves is the title's or the menu's (a highlight)
        on_menu = before.menu and not (before.gate in self.permanent and len(menu_items(before.view)) < 2)
        typing = input_name == "type text" or before.view.typing
        changes = scene_evidence(reaction.scene, menu_rows(before.view), on_menu, after.scene.things, typing=typing)
        if input_name.startswith(READING_CLICK):
            changes = []  # an explanation shown is no play; a number it changed still is (below)
        if changes:
            idle = changes[0].idle_px
            keys = frozenset(c.key for c in changes[:CONFIRM_THINGS])  # the most telling: a camera pan moves all
            still = any(c.from_still for c in changes)
            moved = any(c.kind == "moved" for c in changes[:CONFIRM_THINGS])
            words = describe(changes, input_name)
            return PlayEvidence(input_name, how, after.at_s, keys, words, idle, still=still, moved=moved)
        if on_menu:
            return None
        removed = reaction.scene.removed
        if input_name.startswith(("click", "tap")) and removed and not reaction.scene.switched:
            # a click took drawn things away that stood there all along (a group of tiles cleared)
            key, size = removed[0]
            more = f" (and {len(removed) - 1} more)" if len(removed) > 1 else ""
            words = f"{input_name} removed {describe_thing(key, size)}{more}"
            return PlayEvidence(input_name, how, after.at_s, frozenset(family(k) for k, _ in removed), words)
        kept = {fold(x) for x in after.texts} & {fold(x) for x in before.texts}
        numbers = [
            t
            for t in reaction.texts
            if t in kept and t in self.idle.steady_text and "#" in t and not _LEVEL_NUMBER.search(t)
        ]  # a number seen standing still by itself, then moved by the input (not a countdown first seen)
        if numbers:
            words = f"{input_name} changed the number in {numbers[0][:40]!r}"
            return PlayEvidence(input_name, how, after.at_s, frozenset(numbers), words, kind="text")
        if input_name.startswith(READING_CLICK):
            return None  # reading: its explanation box, a highlight, a tooltip are no play, whatever they paint
        if reaction.state:
            words = f"{input_name} changed the game's state ({', '.join(reaction.state[:2])})"
            return PlayEvidence(input_name, how, after.at_s, frozenset(reaction.state), words, kind="state")
        # pixels count only where the scene is blind: a canvas it sees nothing drawn on (putImageData, a
        # WebGL it cannot read). A page with no canvas is all elements, which the scene sees: a control
        # that repaints itself (battleboat's "Rotate Ship") is no play
        canvas = bool(before.view.canvases or after.view.canvases)
        blind = canvas and before.scene.drawn == 0 and after.scene.drawn == 0
        scrolled = before.scene.scroll != after.scene.scroll  # Space or an arrow scrolled the page: all moved
        if blind and reaction.pixels and not scrolled and input_name not in ("hover", "move pointer"):
            words = f"{input_name} changed the screen beyond its idle change ({reaction.cells} cells)"
            cells = frozenset(f"cell:{c}" for c in reaction.changed_cells)  # the same cells again: the same thing
            return PlayEvidence(input_name, how, after.at_s, cells, words, kind="pixels")
        return None

    def gate_gone_from_pixels(self, how: str, at_s: float, gate: str, new_gate: str | None) -> None:
        """A gate read by OCR is no longer on the re-read screen: a menu page passed, not yet play."""
        if self.reach.entered:
            return
        self._menu_passed(gate, how, at_s)
        self.current_gate = new_gate

    def finish(self) -> None:
        """The run ended: a gate gone since the last input counts as passed; keep the menus for the record.

        A key or a pointer move that displaced a thing at rest, in the game's own scene (not a restyle: a
        hover's cursor style changes the canvas element), which the run ended
        before the player could press again, counts, said so (a short smoke test on a busy machine gets
        few tries). One click's answer does not: a click starts things (a ball launched, a page opened)
        without proving the player steers anything; the not-entered message names it instead."""
        if self._gate_recent is not None and self.current_gate is None:
            self._gate_passed()
        last = next((e for e in reversed(self.judge.evidence) if e.still and e.moved), None)
        if not self.reach.entered and last is not None and not last.input_name.startswith(_NOT_STEERING):
            tried_again = any(at > last.at_s and name == last.input_name for at, name in self._inputs)
            if not tried_again:
                way_in = self.judge.way_in[0] if self.judge.way_in else last.how
                self._enter(way_in, last.at_s, f"{last.words} (once: the run ended before the same input again)")
        if not self.reach.entered:
            self.reach.menus = list(self.judge.menus)

    def unconfirmed(self) -> str | None:
        """The last reaction to play input that was never seen again, in words (for not-entered)."""
        last = self.judge.evidence[-1] if self.judge.evidence else None
        return None if last is None else f"{last.words} at {last.at_s:.1f} s, never again"

    def note_tried(self, description: str) -> None:
        if len(self.reach.tried) < 40 and description not in self.reach.tried:
            self.reach.tried.append(description)
        screen = self.current_screen[:60]
        per_screen = self.reach.tried_by_screen
        if screen in per_screen or len(per_screen) < 12:
            tried = per_screen.setdefault(screen, [])
            if description not in tried and len(tried) < 20:
                tried.append(description)

    def not_entered_message(self, seconds: float) -> str:
        tried = ", ".join(self.reach.tried[:14]) + (", ..." if len(self.reach.tried) > 14 else "")
        if len(self.reach.tried_by_screen) > 1:
            tried = "; ".join(
                f"on {screen!r}: " + ", ".join(ways[:6]) + (", ..." if len(ways) > 6 else "")
                for screen, ways in list(self.reach.tried_by_screen.items())[:4]
            )
        menus = f"; menus passed: {' > '.join(repr(m[:40]) for m in self.judge.menus[-4:])}" if self.judge.menus else ""
        if self.current_gate is not None or (self.gate_seen and self.reach.start_text and not self.judge.menus):
            shown = self.current_gate or self.reach.start_text
            return f"never got past the start screen in {seconds:.0f} s: {shown!r} still shown; tried: {tried}"
        once = self.unconfirmed()
        if once is not None:
            return (
                f"only one reaction to play input in {seconds:.0f} s ({once}), so entry is unconfirmed{menus}; "
                f"tried: {tried}"
            )
        return (
            f"no play input moved or changed anything the game draws beyond its own animation in {seconds:.0f} s, "
            f"so the player never got in{menus}; tried: {tried}"
        )
