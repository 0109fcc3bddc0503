"""Boards read from the page (cells found by their layout): a screen with a board is a game, and the first
move tried is one a board game allows. Recorded views, no browser."""

from __future__ import annotations

from pytest_gameqa.agent.actions import ClickElement, ClickPair, Drag, TypeText
from pytest_gameqa.agent.policy import HeuristicPolicy
from pytest_gameqa.agent.reading import board_pair, board_ways, fresh_look, gate_text, has_board, is_menu, ways_in
from pytest_gameqa.dom.detector import PageView
from pytest_gameqa.models import BoundingBox, ObserveResult

SIZE = 45


def _cell(row: int, col: int, text: str = "", filled: bool = False, look: str = "") -> ObserveResult:
    box = BoundingBox(x=400 + col * SIZE, y=40 + row * SIZE, width=SIZE, height=SIZE)
    return ObserveResult(
        description=f"click board 1 cell r{row + 1} c{col + 1}",
        kind="cell",
        cell=(0, row, col),
        bbox=box,
        text=text,
        filled=filled,
        look=look,
    )


def _row(y: float) -> int:
    return int((y - 40) // SIZE)


def _chess_start(*lines: str, controls: tuple[str, ...] = ("New game",)) -> PageView:
    """A chess board at the start (pieces on the two top and two bottom rows) with a toolbar and headings."""
    cells = [_cell(r, c, filled=r in (0, 1, 6, 7)) for r in range(8) for c in range(8)]
    links = [
        ObserveResult(
            description=f"click {t!r}",
            kind="button" if "Start" in t else "link",
            text=t,
            bbox=BoundingBox(x=400 + 120 * i, y=5, width=100, height=20),
        )
        for i, t in enumerate(controls)
    ]
    return PageView(candidates=links + cells, screen_text="\n".join([*controls, *lines]))


def test_a_board_with_a_toolbar_and_headings_is_a_game_not_a_menu() -> None:
    """ "New game" beside an "About" heading and a "How to play" section: still the game's own screen."""
    view = _chess_start("About", "How to play", "Click on the cells of the enemy's map")
    assert has_board(view) and not is_menu(view) and gate_text(view) is None
    # near miss: the same board under a "Start Game" button is behind a gate
    gated = _chess_start("About", controls=("New game", "Start Game"))
    assert gate_text(gated) == "Start Game" and is_menu(gated)
    # near miss: without the board the two lines make a menu page
    bare = PageView(screen_text="New game\nAbout")
    assert not has_board(bare) and is_menu(bare)


def test_a_grid_of_levels_is_no_board() -> None:
    """Twelve like buttons in rows reading 1..12 choose a level; a sudoku's digits repeat, it is a board."""
    levels = PageView(candidates=[_cell(i // 4, i % 4, text=str(i + 1), filled=True) for i in range(12)])
    assert not has_board(levels)
    digits = "530070000600195000098000060"
    sudoku = PageView(
        candidates=[_cell(i // 9, i % 9, text=d if d != "0" else "", filled=d != "0") for i, d in enumerate(digits)]
    )
    assert has_board(sudoku)


def test_the_first_move_tried_is_a_front_piece_one_step_ahead_also_as_a_drag() -> None:
    """At the start of chess a back-row piece two rows up is blocked; a front-row piece one step ahead is a
    legal move (a pawn), and pieces that only move by dragging get the same move as a drag."""
    view = _chess_start()
    pair = board_pair(view)
    assert isinstance(pair, ClickPair) and pair.x1 == pair.x2
    assert (_row(pair.y1), _row(pair.y2)) == (6, 5)  # a pawn, one step
    ways = [w.reason for w in board_ways(view)]
    assert ways[:3] == ["a board: click an empty cell", "a board: pick a piece, then a square", "a board: drag a piece"]
    drag = board_ways(view)[2].action
    assert isinstance(drag, Drag) and (drag.x1, drag.y1, drag.x2, drag.y2) == (pair.x1, pair.y1, pair.x2, pair.y2)
    # near miss: the front row moved up one row: it steps ahead, not the rows behind it
    blocked = PageView(
        candidates=[_cell(r, c, filled=r >= 6 or (r == 5 and c < 8)) for r in range(8) for c in range(8)]
    )
    far = board_pair(blocked)
    assert far is not None and (_row(far.y1), _row(far.y2)) == (5, 4)


def test_a_field_holding_a_number_is_a_setting_not_a_name_to_type() -> None:
    """ "Time per move: [3000] ms" beside a chess board: typing a name there breaks the game. Near miss: an
    empty field (a name before start) is typed into."""

    def field(value: str) -> PageView:
        box = BoundingBox(x=10, y=10, width=80, height=20)
        return PageView(
            candidates=[ObserveResult(description="type", kind="input", method="type", text=value, bbox=box)]
        )

    assert not any(isinstance(w.action, TypeText) for w in ways_in(field("3000")))
    assert not any(isinstance(w.action, TypeText) for w in ways_in(field("rnbqkbnr/pppppppp/8/8/8/8")))
    assert any(isinstance(w.action, TypeText) for w in ways_in(field("")))


def _minesweeper(opened: set[tuple[int, int]]) -> PageView:
    """A 9x9 minesweeper: hidden squares share one look; opened empty squares another (no number in them)."""
    return PageView(
        candidates=[
            _cell(r, c, look="cell open|rgb(220, 220, 220)" if (r, c) in opened else "cell|rgb(150, 150, 150)")
            for r in range(9)
            for c in range(9)
        ]
    )


def test_after_a_click_opened_a_patch_the_next_click_goes_to_a_square_still_hidden() -> None:
    """The first click opened the middle of the board; clicking an opened square does nothing (a false alarm:
    "only one reaction ... never again"). The next click, and the policy's confirming click, go where the
    board still looks untouched. Near miss: a board whose empty squares all look alike (tic-tac-toe) is
    clicked in its middle, as before."""
    opened = {(r, c) for r in range(2, 8) for c in range(0, 9)}
    view = _minesweeper(opened)
    first = board_ways(view, fresh_look(_minesweeper(set())))[0].action
    assert isinstance(first, ClickElement) and first.target.cell is not None
    assert first.target.cell[1:] not in opened
    policy = HeuristicPolicy(seed=1, viewport=(1280, 720))
    fresh = _minesweeper(set())
    policy.next_action(fresh)  # the board first seen untouched
    policy.confirm = ClickElement(target=next(c for c in fresh.candidates if c.cell == (0, 4, 4)))
    again = policy.next_action(view)
    assert isinstance(again, ClickElement) and again.target.cell is not None
    assert again.target.cell[1:] not in opened, again.describe()
    tictactoe = PageView(candidates=[_cell(r, c, look="sq") for r in range(3) for c in range(3)])
    middle = board_ways(tictactoe)[0].action
    assert isinstance(middle, ClickElement) and middle.target.cell == (0, 1, 1)


def _code_page(codes: list[str], field: str = "") -> PageView:
    editor = ObserveResult(
        description="type into the editor",
        kind="input",
        text=field,
        bbox=BoundingBox(x=30, y=380, width=500, height=26),
    )
    return PageView(candidates=[editor], codes=codes, screen_text="Guide the frog by writing CSS code")


def test_a_code_field_takes_the_code_the_instructions_show_before_a_name() -> None:
    """A coding puzzle (CSS teaching games): its instructions show a property, its values and an example in
    <code>; a tester types the example, then the property with another value (the second move confirms
    the first). Near misses: a page whose <code> shows only key names ("Space") gets a name typed, as a
    name field before a start button does; and no code at all: the name."""
    froggy = _code_page(["justify-content", "flex-start", "flex-end", "center", "justify-content: flex-end;"])
    typed = [w.action.text for w in ways_in(froggy) if isinstance(w.action, TypeText)]
    assert typed[:3] == ["justify-content: flex-end;", "justify-content: flex-start;", "justify-content: center;"]
    assert typed[-1] == "Player"
    keys_only = [w.action.text for w in ways_in(_code_page(["Space", "Enter"])) if isinstance(w.action, TypeText)]
    assert keys_only == ["Player"]
    assert [w.action.text for w in ways_in(_code_page([])) if isinstance(w.action, TypeText)] == ["Player"]
