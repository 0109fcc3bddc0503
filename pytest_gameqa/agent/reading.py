"""Reading the screen as a tester would: which text is a start gate, which key or control it names.

Text comes from the DOM, from text drawn on 2D canvases (the fillText hook) and from pixels (OCR).
`gate_text` says whether the screen is asking the player to do something before play (a title, a
menu, a dialog); `ways_in` turns what the screen says into concrete actions, best first, and
`generic_ways` lists what a careful tester tries on a screen that says nothing useful.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..dom.detector import RESTART_WORDS, START_WORDS, DrawnText, PageView
from ..models import ObserveResult
from .actions import (
    Action,
    ClickAt,
    ClickElement,
    ClickPair,
    Drag,
    HoverScan,
    MovePointer,
    PressKey,
    TypeText,
    action_for,
)
from .coding import code_answers
from .keys import keys_named
from .touch import LongPress

#: what a start screen says: a prompt to press/click, a mode to pick, a start word on its own
GATE_TEXT = re.compile(
    r"\b(press|hit|push|tap|click|touch)\b[^|.!]{0,40}\b(start|play|begin|continue|go|enter|space|any key|fire)\b"
    r"|\b(to|and) (start|play|begin)\b|\bpress\s+(any key|enter|space|fire|['\"\[(]?[a-z0-9]['\"\])]?\b)"
    r"|\binsert coins?\b|\b[1-4]\s*(player|players|p)\b|\bnew game\b|\bstart game\b"
    r"|^\s*(play|start|begin|continue|next|ok|yes)\s*[!.>]*\s*$"
    r"|\benable (audio|sound)\b|\bhow to play\b|\benter your name\b"
    # "choose your hero", "select a level": a lone "SELECT" is a button's label (a gamepad's, a HUD's)
    r"|\b(choose|select)\s+(a|an|your|the|level|mode|stage|world|character|hero|player|difficulty|ship|car)\b",
    re.I | re.M,
)
#: controls a tester leaves alone while getting in: they leave, reset, or lead to side screens
AVOID = re.compile(
    r"\b(restart|quit|exit|back|reset|credits?|settings|options|about|share|more games|leader ?board|"
    r"high ?scores?|sign ?in|log ?in|login|register|buy|shop|store|download|install|privacy|cookies?|"
    r"terms|help|mute|sound|music|audio|fx|sfx|volume|fullscreen|full screen|pause|menu|home|tweet|facebook)\b",
    re.I,
)
_CLICK_ANYWHERE = re.compile(r"\b(click|tap|touch)\b[^|.!]{0,25}\b(anywhere|screen|start|play|begin|continue)\b", re.I)
_DOUBLE_CLICK = re.compile(r"\bdouble[- ]?(click|tap)\b", re.I)
_POINTER = re.compile(r"\b(move|use|steer with|aim with)\b[^|.!]{0,20}\b(mouse|pointer|cursor)\b|\bmouse to\b", re.I)
_LONE_GO = re.compile(r"^\s*(go|go!|play!?)\s*$", re.I)
_DRAG = re.compile(r"\b(drag|swipe|fling|sling)\b", re.I)
#: "hold to start", "press and hold the screen to begin", "long-press to play": a finger held still
_HOLD = re.compile(
    r"\b(?:(?:press|touch|tap) and hold|long[- ]?press|hold)\b(?:\s+(?:the screen|anywhere|here|down|your finger))?"
    r"\s+to\s+(?:start|play|begin|continue)\b",
    re.I,
)


#: controls a game keeps on screen while it is played (a toolbar, a board's header): never a start gate,
#: and their presence never holds a game in "not entered"
PERMANENT = re.compile(
    r"^\W*(new game|restart|reset|replay|undo|redo|hint|menu|main menu|sound|music|mute|unmute|pause|options|"
    r"settings|help|fullscreen|full screen|exit fullscreen)\W*(on|off)?\W*$",
    re.I,
)
#: an item of a menu page: a short line that only names a screen or a mode
MENU_ITEM = re.compile(
    r"^\W*(play|start|start game|new game|continue|resume|load game|options|settings|help|how to play|"
    r"instructions|controls|credits|about|high ?scores?|leader ?boards?|stats|statistics|quit|exit|back|sound|music|"
    r"story|select level|levels?|level \d+|easy|normal|medium|hard|[1-4] ?players?|single ?player|multi ?player|"
    r"tutorial|achievements|shop|store|more games|characters?|select|choose)\W*(on|off)?\W*$",
    re.I,
)
#: a control that leads into a level of the game ("Level 1", "Stage 2", "World 1-1")
FORWARD = re.compile(r"^\W*(level|stage|world|chapter|mission|round)\s*\d+(-\d+)?\W*$", re.I)
#: a menu item is a short line: a sentence that contains the word is instructions, not an item
MENU_ITEM_CHARS = 24


@dataclass(frozen=True)
class Way:
    """One way into the game: the action, and the words on screen that suggested it."""

    action: Action
    reason: str

    @property
    def ident(self) -> str:
        return self.action.describe()


def segments(view: PageView) -> list[str]:
    """The screen's text as separate short pieces (a prompt, a label, a line drawn on a canvas)."""
    parts = [p.strip() for p in re.split(r"\s\|\s|\n", view.screen_text) if p.strip()]
    parts += [d.text for d in view.drawn]
    out: list[str] = []
    for part in parts:
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", part) if s.strip()]
    return out[:200]


def gate_text(view: PageView) -> str | None:
    """The text of the start gate on screen ("PRESS N TO START"), or None when nothing asks for a way in.

    A control the game keeps on screen while it is played (New Game, Restart, Sound, Pause) is no gate.
    """
    for candidate in view.candidates:
        if candidate.kind in ("button", "link", "prompt") and candidate.score >= 0:
            text = candidate.text.strip()
            if (
                text
                and START_WORDS.search(text)
                and not RESTART_WORDS.search(text)
                and not PERMANENT.match(text)
                and len(text) <= 40
            ):
                return text
    for drawn in view.drawn:
        text = drawn.text
        if PERMANENT.match(text):
            continue
        if (GATE_TEXT.search(text) or (drawn.source == "ocr" and _LONE_GO.match(text))) and len(text) <= 80:
            if AVOID.search(text) and not START_WORDS.search(text):
                continue  # "Press P to pause", "press M to mute": a HUD line of the game in play
            return text  # a lone "Go!" read from pixels is an image button; drawn by fillText it is often a HUD cue
    if has_board(view):
        return None  # a board in play: its rules' lines ("How to play", "Choose a piece") are no gate
    for text in segments(view):
        if len(text) <= 80 and GATE_TEXT.search(text) and not AVOID.search(text) and not PERMANENT.match(text):
            return text
    return None


#: what a settings field holds: a number, or a long code without spaces (a FEN, a seed, a URL)
_SETTING_VALUE = re.compile(r"^\s*(-?\d+([.,]\d+)?|\S{16,})\s*$")
#: cells a board needs before its screen counts as a game (a 3x3 tic-tac-toe is the smallest board)
BOARD_MIN_CELLS = 9


def has_board(view: PageView) -> bool:
    """A board of like cells in rows and columns is on screen, and it is no grid of levels to choose from
    (cells reading 1, 2, 3... in order, or "Level N")."""
    cells = board_cells(view)
    if len(cells) < BOARD_MIN_CELLS:
        return False
    texts = [c.text.strip() for c in sorted(cells, key=lambda c: c.cell or (0, 0, 0))]
    numbered = [t for t in texts if t.isdigit()]
    in_order = len(numbered) >= len(texts) // 2 and numbered == sorted(set(numbered), key=int)
    return not in_order and sum(bool(MENU_ITEM.match(t)) for t in texts) < len(texts) // 2


def menu_items(view: PageView) -> list[str]:
    """The short lines on screen that only name a screen or a mode ("Play", "Options", "High Scores")."""
    found: list[str] = []
    for text in segments(view):
        text = text.strip()
        if len(text) <= MENU_ITEM_CHARS and MENU_ITEM.match(text) and text.lower() not in (f.lower() for f in found):
            found.append(text)
    return found


def is_menu(view: PageView) -> bool:
    """A menu page: a start gate, or two or more menu items of which one is more than a permanent control
    (a board with a "New Game" and a "Help" link is a game with a toolbar, not a menu)."""
    if gate_text(view) is not None:
        return True
    if has_board(view):
        return False  # a board with a toolbar and headings ("New game", "About") is a game
    items = menu_items(view)
    return len(items) >= 2 and any(not PERMANENT.match(i) for i in items)


def screen_key(view: PageView) -> str:
    """Which screen this is, for remembering what was tried on it: its gate, else its menu items."""
    gate = gate_text(view)
    if gate is not None:
        return "gate:" + gate.lower()[:60]
    items = menu_items(view)
    return "menu:" + "|".join(sorted(i.lower() for i in items)) if len(items) >= 2 else "game"


def menu_rows(view: PageView) -> list[tuple[float, float]]:
    """The vertical spans of the menu items that have a box: a cursor beside an item moves along them."""
    rows: list[tuple[float, float]] = []
    boxed = [(c.text, c.bbox) for c in view.candidates if c.bbox is not None]
    boxed += [(d.text, d.bbox) for d in view.drawn]
    for text, box in boxed:
        text = text.strip()
        if len(text) <= MENU_ITEM_CHARS and (MENU_ITEM.match(text) or GATE_TEXT.search(text)):
            rows.append((box.y, box.y + box.height))
    return rows


def _center_click(box_owner: ObserveResult | DrawnText, label: str) -> ClickAt:
    box = box_owner.bbox
    assert box is not None
    x, y = box.center
    return ClickAt(x=round(x), y=round(y), label=label)


def ways_in(view: PageView, *, game_over: bool = False) -> list[Way]:
    """Actions the screen's own words suggest, best first."""
    ways: list[Way] = []
    seen: set[str] = set()

    def add(action: Action, reason: str) -> None:
        way = Way(action, reason)
        if way.ident not in seen:
            seen.add(way.ident)
            ways.append(way)

    avoid = AVOID if not game_over else re.compile(r"\b(quit|exit|share|more games|buy|shop|store)\b", re.I)
    controls = [c for c in view.candidates if c.kind in ("button", "link", "prompt") and c.score >= 0]
    # 1. a start control: the DOM button or prompt that says start/play/ok
    levels = 0
    for c in controls:
        text = c.text.strip()
        level = not START_WORDS.search(text) and FORWARD.match(text)
        if level and levels:
            continue  # a level list: the first level is the way in, the other 199 are the same way
        levels += bool(level)
        forward = START_WORDS.search(text) or level
        if forward and not avoid.search(text) and (game_over or not RESTART_WORDS.search(text)):
            add(action_for(c), f"a start control {text!r}")
    # 2. a coding puzzle's field takes the code its instructions show (the example, then a property the
    # page names with each of the values it lists); a name field comes before its start button; a field
    # holding a number ("3000" ms a move) or a long code is a setting of the game in play, and typing a
    # name into it breaks the game, not the gate
    answers = code_answers(view.codes)
    for c in view.candidates:
        if c.kind == "input" and c.score >= 0 and not avoid.search(c.text) and not _SETTING_VALUE.match(c.text):
            for answer in answers:
                add(TypeText(text=answer, target=c), f"a code field: the code the page shows ({answer!r})")
            add(TypeText(text="Player", target=c), f"a text field {c.text or 'input'!r} (a name before start)")
    texts = segments(view)
    canvas = view.canvases[0] if view.canvases else None
    # 3. keys the text names ("PRESS N TO START", "press fire", "1 PLAYER")
    for text in texts:
        if avoid.search(text) and not GATE_TEXT.search(text):
            continue
        for key in keys_named(text):
            add(PressKey(key=key), f"the screen says {text[:60]!r}")
    # 4. words drawn as buttons on a canvas (or read by OCR): click their box, where it is at click time
    for drawn in view.drawn:
        instruction = (
            _DOUBLE_CLICK.search(drawn.text)
            or _CLICK_ANYWHERE.search(drawn.text)
            or _POINTER.search(drawn.text)
            or _HOLD.search(drawn.text)
        )
        if (START_WORDS.search(drawn.text) or GATE_TEXT.search(drawn.text)) and not avoid.search(drawn.text):
            if instruction:
                continue  # "Double-click to begin" says what to do (step 5), it is not a button
            click = _center_click(drawn, drawn.text[:30])
            if drawn.source == "canvas":
                click = click.model_copy(update={"follow": drawn.text})
            add(click, f"{drawn.text[:40]!r} drawn on the {drawn.source}")
    # 5. "click anywhere", "double-click to begin", "move the mouse", "drag", "hold to start"
    for text in texts:
        if _DOUBLE_CLICK.search(text) and canvas is not None:
            x, y = canvas.bbox.center if canvas.bbox else (0, 0)
            add(ClickAt(x=round(x), y=round(y), label="canvas", double=True), f"the screen says {text[:60]!r}")
        elif _CLICK_ANYWHERE.search(text) and canvas is not None:
            add(_center_click(canvas, "canvas"), f"the screen says {text[:60]!r}")
        if _POINTER.search(text) and canvas is not None:
            add(pointer_sweep(canvas), f"the screen says {text[:60]!r}")
        if _DRAG.search(text) and canvas is not None:
            add(canvas_drag(canvas, 0.35, 0.65), f"the screen says {text[:60]!r}")
        if _HOLD.search(text) and canvas is not None and canvas.bbox is not None:
            x, y = canvas.bbox.center
            add(LongPress(x=round(x), y=round(y), label="canvas"), f"the screen says {text[:60]!r}")
    return ways


def choice_ways(view: PageView) -> list[Way]:
    """A page of choices (a text adventure, a dialog, a mode menu): the controls that go forward."""
    ways = []
    for c in view.candidates:
        text = c.text.strip()
        if c.kind == "button" and c.score >= 0 and text and not AVOID.search(text) and not RESTART_WORDS.search(text):
            ways.append(Way(ClickElement(target=c), f"a choice {text[:40]!r}"))
    return ways[:8]


def generic_ways(view: PageView) -> list[Way]:
    """What a tester tries when the screen says nothing useful: focus and click, the usual keys, the mouse."""
    # keys before the first click: a DOM menu that has the focus hears keys only until a click moves it
    ways: list[Way] = [
        Way(PressKey(key="Enter"), "the usual start key"),
        Way(PressKey(key="Space"), "the usual start key"),
    ]
    canvas = view.canvases[0] if view.canvases else None
    if canvas is not None and canvas.bbox is not None:
        ways.append(Way(ClickElement(target=canvas), "focus and click the game"))
    if canvas is not None and canvas.bbox is not None:
        box = canvas.bbox
        # the mouse before the hover scan: a sweep is one quick play input (a paddle, pointer-lock
        # steering), the scan a slow look for hand cursors
        ways.append(Way(pointer_sweep(canvas), "the mouse may steer"))
        ways.append(Way(HoverScan(x=box.x, y=box.y, width=box.width, height=box.height), "buttons under the pointer"))
        for fx, fy in ((0.5, 0.7), (0.5, 0.3), (0.3, 0.5), (0.7, 0.5), (0.5, 0.85)):
            x, y = box.x + box.width * fx, box.y + box.height * fy
            ways.append(Way(ClickAt(x=round(x), y=round(y), label="canvas"), "a click where buttons usually are"))
        cx, cy = box.center
        ways.append(Way(ClickAt(x=round(cx), y=round(cy), label="canvas", double=True), "a double-click"))
        ways.append(Way(canvas_drag(canvas, 0.3, 0.7), "a drag"))
    ways += [
        Way(PressKey(key="ArrowRight", times=3), "play keys"),
        Way(PressKey(key="ArrowUp", times=3), "play keys"),
        Way(PressKey(key="1"), "a mode digit"),
        Way(PressKey(key="Escape"), "a dialog may close"),
    ]
    return ways


def board_cells(view: PageView) -> list[ObserveResult]:
    return [c for c in view.candidates if c.kind == "cell" and c.cell is not None and c.bbox is not None]


def untouched_cells(cells: list[ObserveResult], fresh_look: str | None = None) -> list[ObserveResult]:
    """The empty cells that still look as the board began (`fresh_look`: the commonest look of its empty
    cells when the player first saw it; without it, the commonest now): a minesweeper board's hidden
    squares, after a click opened a patch of them bigger than what is left. A click on an opened square
    does nothing, so play goes where nothing has been played yet."""
    empty = [c for c in cells if not c.filled]
    looks = Counter(c.look for c in empty)
    if len(looks) < 2:
        return empty
    look = fresh_look if fresh_look in looks else looks.most_common(1)[0][0]
    return [c for c in empty if c.look == look]


def fresh_look(view: PageView) -> str | None:
    """The look of a board's empty cells as first seen: what an untouched square looks like."""
    looks = Counter(c.look for c in board_cells(view) if not c.filled)
    return looks.most_common(1)[0][0] if looks else None


def board_pair(view: PageView, pick: int = 0) -> ClickPair | None:
    """Pick a piece and put it on an empty square next to it: first a step straight ahead (one row up: board
    games seat the player at the bottom, and a piece with an empty square ahead is in the front row, free
    to move, where a back-row piece jumping two rows is blocked in most games), then two rows up, then any
    empty neighbour. With no piece on the board, a roster item beside it (a ship to place) goes first.
    `pick` walks through the moves found (0: the first)."""
    cells = board_cells(view)
    if not cells:
        return None
    by_pos = {c.cell: c for c in cells}
    pieces = sorted((c for c in cells if c.filled), key=lambda c: (-c.cell[1], c.cell[2]))  # type: ignore[index]
    moves: list[tuple[ObserveResult, ObserveResult]] = []
    for dr, dc in ((-1, 0), (-2, 0), (1, 0), (0, 1), (0, -1), (-1, 1), (-1, -1), (2, 0)):
        for piece in pieces:
            b, r, col = piece.cell  # type: ignore[misc]
            target = by_pos.get((b, r + dr, col + dc))
            if target is not None and not target.filled and len(moves) < 64:
                moves.append((piece, target))
    if moves:
        piece, target = moves[pick % len(moves)]
        (x1, y1), (x2, y2) = piece.bbox.center, target.bbox.center  # type: ignore[union-attr]
        return ClickPair(x1=round(x1), y1=round(y1), x2=round(x2), y2=round(y2), label="a piece and a square")
    roster = [
        c
        for c in view.candidates
        if c.kind in ("button", "link")
        and c.bbox is not None
        and c.text
        and not c.in_text  # a glossary word in the rules is no piece to place
        and not AVOID.search(c.text)
        and not START_WORDS.search(c.text)
    ]
    empty = [c for c in cells if not c.filled]
    if roster and empty:
        item = roster[pick % len(roster)]
        target = empty[(len(empty) // 2 + pick * 7) % len(empty)]
        (x1, y1), (x2, y2) = item.bbox.center, target.bbox.center  # type: ignore[union-attr]
        return ClickPair(x1=round(x1), y1=round(y1), x2=round(x2), y2=round(y2), label=f"{item.text[:20]!r} and a cell")
    return None


def board_ways(view: PageView, untouched: str | None = None) -> list[Way]:
    """A board on screen: click into it (an empty cell near its middle, then a filled one), pick a piece and
    a square, drag a piece: how board and grid games are played, none of which needs a start screen."""
    cells = board_cells(view)
    if not cells:
        return []
    ways: list[Way] = []
    empty = untouched_cells(cells, untouched)
    filled = [c for c in cells if c.filled]
    if empty:
        ways.append(Way(ClickElement(target=empty[len(empty) // 2]), "a board: click an empty cell"))
    pair = board_pair(view)
    if pair is not None:
        ways.append(Way(pair, "a board: pick a piece, then a square"))
    if pair is not None and pair.label.startswith("a piece"):  # pieces that only move by dragging (jQuery UI)
        ways.append(Way(drag_of(pair), "a board: drag a piece"))
    if filled:
        ways.append(Way(ClickElement(target=filled[len(filled) // 2]), "a board: click a filled cell"))
    return ways


def drag_of(pair: ClickPair) -> Drag:
    """The same move as a drag: the piece pressed, carried and dropped on its square."""
    return Drag(x1=pair.x1, y1=pair.y1, x2=pair.x2, y2=pair.y2, label="a piece")


def pointer_sweep(canvas: ObserveResult) -> MovePointer:
    assert canvas.bbox is not None
    box = canvas.bbox
    y = box.y + box.height * 0.5
    xs = (0.5, 0.2, 0.8, 0.7)  # ends off its start: a game steered by movementX sees a net move
    return MovePointer(points=[(round(box.x + box.width * f), round(y)) for f in xs], label="across the game")


def canvas_drag(canvas: ObserveResult, f1: float, f2: float) -> Drag:
    assert canvas.bbox is not None
    box = canvas.bbox
    y = box.y + box.height * 0.55
    return Drag(x1=round(box.x + box.width * f1), y1=round(y), x2=round(box.x + box.width * f2), y2=round(y) - 40)


def hover_ways(hits: list[tuple[float, float]]) -> list[Way]:
    """Clicks on the centres of the hand-cursor areas a hover scan found (adjacent hits are one button)."""
    groups: list[list[tuple[float, float]]] = []
    for hit in hits:
        for group in groups:
            if any(abs(hit[0] - g[0]) <= 220 and abs(hit[1] - g[1]) <= 160 for g in group):
                group.append(hit)
                break
        else:
            groups.append([hit])
    ways = []
    for group in groups[:4]:
        x = sum(p[0] for p in group) / len(group)
        y = sum(p[1] for p in group) / len(group)
        ways.append(Way(ClickAt(x=round(x), y=round(y), label="button under the pointer"), "a hand cursor there"))
    return ways
