"""The scene and the entry rule, on recorded scenes: what moved because of input, what moved by itself,
and when that makes the player *entered* (play, not menus; repeatable).

Each rule has the game that needs it and a near miss that must not trigger it. Unit tests: synthetic
scenes and page views, no browser, no subprocess, no clock (times are given).
"""

from __future__ import annotations

import itertools
import math

from pytest_gameqa.agent.entry import EntryJudge, PlayEvidence, is_play_input
from pytest_gameqa.agent.reach import ReachTracker, Sample
from pytest_gameqa.agent.reading import gate_text, is_menu, menu_items
from pytest_gameqa.agent.scene import MOVE_TOL_PX, Envelope, Scene, compare
from pytest_gameqa.dom.detector import DrawnText, PageView
from pytest_gameqa.models import BoundingBox, ObserveResult
from pytest_gameqa.monitor.pixels import Thumbnail

SHIP = "c1|img:ship.png:14x14#1"
STAR = "c1|rect:#fff:2x2#{}"


def _scene(at_s: float, things: dict[str, tuple[float, ...]], labels: dict[str, str] | None = None) -> Scene:
    return Scene(dict(things), dict(labels or {}), at_s)


def _starfield(t: float, n: int = 20, speed: float = 60.0) -> dict[str, tuple[float, ...]]:
    """Stars scrolling down by themselves at `speed` px/s (wrapping at 600)."""
    return {STAR.format(i): (40.0 * i, (30.0 * i + speed * t) % 600, 2, 2, 0) for i in range(n)}


def _learn(envelope: Envelope, scenes: list[Scene]) -> None:
    for a, b in itertools.pairwise(scenes):
        envelope.learn(a, b, fresh=a is scenes[0])


# ------------------------------------------------------------------------------------------ the envelope
def test_a_small_sprite_that_moves_4px_on_a_key_is_a_reaction_over_a_scrolling_starfield() -> None:
    idle = [_scene(t / 4, {**_starfield(t / 4), SHIP: (400, 500, 14, 14, 0)}) for t in range(6)]
    envelope = Envelope()
    _learn(envelope, idle)
    before = _scene(1.5, {**_starfield(1.5), SHIP: (400, 500, 14, 14, 0)})
    after = _scene(2.0, {**_starfield(2.0), SHIP: (396, 500, 14, 14, 0)})
    reaction = compare(before, after, envelope)
    assert reaction.moved and [c.key for c in reaction.changes] == [SHIP]
    assert reaction.changes[0].words() == "moved a drawn 14x14 sprite 4 px left"
    # near miss: the same look with the ship still: the scrolling stars are no reaction
    still = compare(before, _scene(2.0, {**_starfield(2.0), SHIP: (400, 500, 14, 14, 0)}), envelope)
    assert not still.changes and not still.switched


def test_a_move_below_the_tolerance_is_jitter_not_a_reaction() -> None:
    envelope = Envelope()
    _learn(envelope, [_scene(t / 4, {SHIP: (400, 500, 14, 14, 0)}) for t in range(4)])
    nudge = compare(_scene(1, {SHIP: (400, 500, 14, 14, 0)}), _scene(1.5, {SHIP: (401, 500, 14, 14, 0)}), envelope)
    assert MOVE_TOL_PX > 1 and not nudge.changes


def test_a_walker_that_keeps_walking_by_itself_reacts_when_it_turns() -> None:
    walker = "c1|img:walker.png:16x24#1"
    envelope = Envelope()
    _learn(envelope, [_scene(t / 4, {walker: (100 + 40 * t / 4, 300, 16, 24, 0)}) for t in range(6)])
    turned = compare(
        _scene(2.0, {walker: (180, 300, 16, 24, 0)}), _scene(2.5, {walker: (160, 300, 16, 24, 0)}), envelope
    )
    assert turned.moved
    # near miss: it walked on as it does by itself
    walked = compare(
        _scene(2.0, {walker: (180, 300, 16, 24, 0)}), _scene(2.5, {walker: (200, 300, 16, 24, 0)}), envelope
    )
    assert not walked.changes


def test_a_pulsing_title_stays_inside_its_envelope_once_a_whole_cycle_was_seen() -> None:
    title = "c1|text:GALAXY:300x40#1"
    envelope = Envelope()
    period = 2.0
    looks = [
        _scene(t / 4, {title: (490, 200, 300 + 20 * ((t / 4) % period), 40 + 4 * ((t / 4) % period), (t % 8))})
        for t in range(10)
    ]
    growth = [envelope.learn(a, b, fresh=i == 0) for i, (a, b) in enumerate(itertools.pairwise(looks))]
    assert growth[-1] == 0  # after one whole cycle the envelope stops growing: the idle looks may stop
    pressed = compare(
        _scene(3.0, {title: (490, 200, 310, 42, 3)}), _scene(3.6, {title: (490, 200, 334, 44.8, 6)}), envelope
    )
    assert not pressed.changes  # a key pressed during the pulse changed nothing the pulse does not


def test_a_screen_switch_is_not_a_thing_moving() -> None:
    envelope = Envelope()
    title = {f"c1|text:MENU{i}:100x20#1": (500, 100 + 30 * i, 100, 20, 1) for i in range(4)}
    _learn(envelope, [_scene(t / 4, title) for t in range(4)])
    game = {f"c1|img:tile{i}.png:32x32#1": (32 * i, 400, 32, 32, 0) for i in range(6)}
    reaction = compare(_scene(1, title), _scene(1.5, game), envelope)
    assert reaction.switched and not reaction.moved


def test_a_dom_cell_whose_class_changed_after_a_click_is_a_change() -> None:
    cell = "d|#board>div12"
    envelope = Envelope()
    _learn(envelope, [_scene(t / 4, {cell: (100, 100, 40, 40, 17)}) for t in range(4)])
    clicked = compare(_scene(1, {cell: (100, 100, 40, 40, 17)}), _scene(1.5, {cell: (100, 100, 40, 40, 912)}), envelope)
    assert clicked.moved and clicked.changes[0].kind == "changed"


# ------------------------------------------------------------------------------------------ menus and gates
def _segments_view(lines: list[str], candidates: list[ObserveResult] | None = None) -> PageView:
    return PageView(screen_text="\n".join(lines), candidates=candidates or [])


def test_permanent_controls_are_no_gate_and_no_menu() -> None:
    board = _segments_view(["New Game", "Help", "Moves: 3"])
    assert gate_text(board) is None and not is_menu(board)  # a game with a toolbar
    # near miss: a title page that lists ways forward is a menu
    title = _segments_view(["GALAXY", "Play", "Options", "Credits"])
    assert is_menu(title) and menu_items(title) == ["Play", "Options", "Credits"]


def test_help_credits_options_is_a_menu_even_without_a_way_in() -> None:
    assert is_menu(_segments_view(["Help", "Credits", "Options"]))


def test_menu_clicks_and_hover_are_not_play_input() -> None:
    assert is_play_input("ArrowLeft") and is_play_input("click canvas") and is_play_input("move pointer")
    assert is_play_input("click board")
    assert not is_play_input("click 'Options'") and not is_play_input("hover") and not is_play_input("Escape")


# ------------------------------------------------------------------------------------------ the entry rule
def test_two_reactions_confirm_each_other_only_by_the_same_input_or_the_same_thing() -> None:
    judge = EntryJudge()
    assert judge.add(PlayEvidence("ArrowLeft", "press ArrowLeft", 1.0, frozenset({SHIP}), "w")) is None
    assert judge.add(PlayEvidence("Space", "press Space", 2.0, frozenset({"c1|img:b.png:4x4#1"}), "w")) is None
    pair = judge.add(PlayEvidence("ArrowRight", "press ArrowRight", 3.0, frozenset({SHIP}), "w"))
    assert pair is not None and pair[0].input_name == "ArrowLeft"


def _look(at_s: float, things: dict[str, tuple[float, ...]], *, lines: list[str] | None = None) -> Sample:
    view = PageView(
        screen_text="\n".join(lines or []),
        candidates=[
            ObserveResult(description="the canvas", kind="canvas", bbox=BoundingBox(x=0, y=0, width=800, height=600))
        ],
        drawn=[
            DrawnText(text=t, bbox=BoundingBox(x=300, y=100 + 40 * i, width=200, height=30))
            for i, t in enumerate(lines or [])
        ],
        scene=[[k, list(v)] for k, v in things.items()],
    )
    return Sample.of(view, None, at_s)


def test_a_title_then_a_sprite_that_moves_twice_is_entered_with_words_a_person_can_check() -> None:
    tracker = ReachTracker()
    title = {"c1|text:GALAXY:200x40#1": (300, 40, 200, 40, 5)}
    for i in range(5):
        tracker.observe_idle(_look(i / 4, title, lines=["PRESS ENTER TO START"]))
    before = _look(1.25, title, lines=["PRESS ENTER TO START"])
    tracker.observe_idle(before)
    game = {**_starfield(1.5), SHIP: (400, 500, 14, 14, 0)}
    tracker.after_action(before, _look(1.5, game), "Enter", "press Enter")
    assert not tracker.reach.entered  # the menu went away: progress through menus, not yet play
    t, x = 1.5, 400
    steps = 0
    for _ in range(4):
        steps += 1
        for _ in range(2):  # idle looks between actions: the stars scroll, the ship stays
            t += 0.25
            tracker.observe_idle(_look(t, {**_starfield(t), SHIP: (x, 500, 14, 14, 0)}))
        before = _look(t, {**_starfield(t), SHIP: (x, 500, 14, 14, 0)})
        tracker.observe_idle(before)
        t += 0.4
        x -= 4
        tracker.after_action(
            before, _look(t, {**_starfield(t), SHIP: (x, 500, 14, 14, 0)}), "ArrowLeft", "press ArrowLeft"
        )
        if tracker.reach.entered:
            break
    reach = tracker.reach
    assert reach.entered and reach.how == "press Enter" and steps == 2
    assert reach.evidence == (
        "ArrowLeft moved a drawn 14x14 sprite 4 px left, twice; idle envelope 0 px; "
        "menus passed: 'PRESS ENTER TO START'"
    )
    assert reach.menus == ["PRESS ENTER TO START"]


def test_a_sound_toggle_that_changes_its_text_is_not_entry() -> None:
    tracker = ReachTracker()
    lines_on, lines_off = ["Help", "Credits", "Sound: ON"], ["Help", "Credits", "Sound: OFF"]
    for i in range(5):
        tracker.observe_idle(_look(i / 4, {}, lines=lines_on))
    for n in range(4):
        before = _look(2 + n, {}, lines=lines_on if n % 2 == 0 else lines_off)
        tracker.observe_idle(before)
        after = _look(2.5 + n, {}, lines=lines_off if n % 2 == 0 else lines_on)
        tracker.after_action(before, after, "click canvas", "click canvas")
    assert not tracker.reach.entered


def test_a_steady_scroll_stops_growing_the_envelope_so_the_idle_looks_can_stop() -> None:
    """Stars that scroll at one speed reach new positions every look; only a thing that swings back and
    forth is bounded by its positions, so the scroll's envelope (its speed) is complete after two looks."""
    envelope = Envelope()
    looks = [_scene(t / 4, {STAR.format(0): (100, 10 + 60 * t / 4, 2, 2, 0)}) for t in range(6)]
    growth = [envelope.learn(a, b, fresh=i == 0) for i, (a, b) in enumerate(itertools.pairwise(looks))]
    assert growth[1:] == [0.0, 0.0, 0.0, 0.0]


def test_an_erratic_thing_is_no_evidence_either_way() -> None:
    """A shape that jumps about by itself (a repeated building window drawn only sometimes takes another's
    place in the draw order) says nothing about input: moved or not, it is not judged."""
    window = "c1|path:#ff0:92x92#3"
    envelope = Envelope()
    ys = [100, 400, 160, 220, 90]  # other shapes take its place: jumps of every size
    _learn(envelope, [_scene(i / 4, {window: (500, y, 92, 92, 0)}) for i, y in enumerate(ys)])
    pressed = compare(
        _scene(2, {window: (500, 100, 92, 92, 0)}), _scene(2.5, {window: (500, 170, 92, 92, 0)}), envelope
    )
    assert not pressed.changes


def test_a_walker_that_wrapped_around_while_idle_is_still_judged_when_it_turns() -> None:
    walker = "c1|img:walker.png:16x24#1"
    xs = [820, 838, 856, 10, 28, 46]  # 70 px/s, wrapping at 900 during the idle looks
    envelope = Envelope()
    _learn(envelope, [_scene(i / 4, {walker: (x, 300, 16, 24, 0)}) for i, x in enumerate(xs)])
    turned = compare(_scene(2.0, {walker: (80, 300, 16, 24, 0)}), _scene(2.5, {walker: (45, 300, 16, 24, 0)}), envelope)
    assert turned.moved and turned.changes[0].dx == -35
    wrapped = compare(
        _scene(2.0, {walker: (880, 300, 16, 24, 0)}), _scene(2.5, {walker: (15, 300, 16, 24, 0)}), envelope
    )
    assert not wrapped.changes  # near miss: it wrapped again by itself


def test_the_page_scrolling_moves_no_thing_of_the_game() -> None:
    """Space scrolls a long page: what moved on screen by exactly the scroll moved with the page."""
    cell, fixed = "d|#board>div3", "c1|path:#333:92x92#1"
    envelope = Envelope()
    _learn(envelope, [_scene(t / 4, {cell: (100, 300, 40, 40, 1), fixed: (0, 500, 92, 92, 0)}) for t in range(4)])
    before = Scene({cell: (100, 300, 40, 40, 1), fixed: (0, 500, 92, 92, 0)}, {}, 1.0, (0, 0))
    after = Scene({cell: (100, 230, 40, 40, 1), fixed: (0, 500, 92, 92, 0)}, {}, 1.5, (0, 70))
    assert not compare(before, after, envelope).changes
    moved = Scene({cell: (140, 230, 40, 40, 1), fixed: (0, 500, 92, 92, 0)}, {}, 1.5, (0, 70))
    assert [c.dx for c in compare(before, moved, envelope).changes] == [40]  # near miss: it moved too


def test_a_hero_that_jumps_by_itself_is_still_judged_left_and_right() -> None:
    """Its speeds up and down spread wide (a jump), its speed sideways is steady: a turn is a reaction."""
    hero = "c1|rect:#d8463a:20x18#1"
    looks = [(100 + 70 * i / 4, 300 - (0, 80, 100, 60, 0)[i]) for i in range(5)]
    envelope = Envelope()
    _learn(envelope, [_scene(i / 4, {hero: (x, y, 20, 18, 0)}) for i, (x, y) in enumerate(looks)])
    turned = compare(_scene(2.0, {hero: (240, 300, 20, 18, 0)}), _scene(2.5, {hero: (205, 300, 20, 18, 0)}), envelope)
    assert turned.moved and turned.changes[0].dx == -35 and turned.changes[0].dy == 0


def test_two_surprises_of_a_thing_that_moves_by_itself_are_no_entry() -> None:
    """A ball flew up-right in every idle look; during two key presses it bounced (down-right): each is a
    change its envelope does not explain, but nothing at rest moved. Near miss: a paddle at rest moved."""
    ball, paddle = "c1|path:#fff:16x16#1", "c1|rect:#0af:80x12#1"
    tracker = ReachTracker()
    t = 0.0
    pos = {ball: (100.0, 400.0), paddle: (360.0, 560.0)}

    def look(at: float) -> Sample:
        things = {k: (x, y, 16 if k == ball else 80, 16 if k == ball else 12, 0) for k, (x, y) in pos.items()}
        return _look(at, things)

    for _ in range(5):
        tracker.observe_idle(look(t))
        t += 0.25
        pos[ball] = (pos[ball][0] + 20, pos[ball][1] - 20)
    for _ in range(2):
        before = look(t)
        tracker.observe_idle(before)
        t += 0.5
        pos[ball] = (pos[ball][0] + 40, pos[ball][1] + 40)  # a bounce the idle looks never showed
        tracker.after_action(before, look(t), "s", "press s")
    assert not tracker.reach.entered
    before = look(t)
    tracker.observe_idle(before)
    t += 0.5
    pos[paddle] = (pos[paddle][0] - 24, pos[paddle][1])
    pos[ball] = (pos[ball][0] + 40, pos[ball][1] + 40)
    tracker.after_action(before, look(t), "s", "press s")
    assert tracker.reach.entered  # the paddle at rest moved on the same input


def test_a_game_whose_hook_says_playing_from_load_is_entered_by_the_first_input_that_changes_its_state() -> None:
    tracker = ReachTracker()

    def look(at: float, board: str) -> Sample:
        view = PageView(state=f'{{"phase": "playing", "board": "{board}"}}')
        return Sample.of(view, None, at)

    for i in range(5):
        tracker.observe_idle(look(i / 4, "........."))
    before = look(1.25, ".........")
    tracker.observe_idle(before)
    tracker.after_action(before, look(1.75, "....X...O"), "Escape", "press Escape")
    assert not tracker.reach.entered  # near miss: no play input
    tracker.after_action(before, look(1.75, "....X...O"), "click board", "click board 1 cell r2 c2")
    assert tracker.reach.entered and "phase=playing" in (tracker.reach.evidence or "")


def test_new_things_alone_are_no_evidence_of_play() -> None:
    """A shot fired is a new sprite, but so is a help panel's shape or a lit window: things that appear
    count for nothing (APPEARED_KEPT = 0), and a pulsing title at a size its idle looks never showed is
    not a thing that moved either. A thing at rest that moves is what counts."""
    envelope = Envelope()
    title = "c1|text:GALAXY:{}x40#1"
    looks = [
        _scene(t / 4, {title.format(300 + 2 * (t % 3)): (490, 200, 300, 40, 0), SHIP: (400, 500, 14, 14, 0)})
        for t in range(6)
    ]
    _learn(envelope, looks)
    before = _scene(2.0, {title.format(300): (490, 200, 300, 40, 0), SHIP: (400, 500, 14, 14, 0)})
    pulse = _scene(2.5, {title.format(310): (490, 200, 310, 40, 0), SHIP: (400, 500, 14, 14, 0)})
    assert not compare(before, pulse, envelope).changes
    shot = "c1|img:bullet.png:4x10#1"
    things = {title.format(300): (490, 200, 300, 40, 0), SHIP: (400, 500, 14, 14, 0), shot: (405, 480, 4, 10, 0)}
    fired = compare(before, _scene(2.5, things), envelope)
    assert fired.appeared == 1 and not fired.moved
    moved = compare(before, _scene(2.5, {**things, SHIP: (396, 500, 14, 14, 0)}), envelope)
    assert moved.moved and moved.changes[0].words() == "moved a drawn 14x14 sprite 4 px left"


def test_a_blinking_prompt_is_still_a_gate_in_its_dark_half() -> None:
    """'PRESS ENTER' blinks; a look while it is hidden is still the title: a highlight that moves there
    is no play, and the title is not a menu passed when it shows again."""
    tracker = ReachTracker()
    cursor = "c1|rect:#ff0:6x8#1"
    t = 0.0
    for i in range(6):
        tracker.observe_idle(_look(t, {cursor: (500, 300, 6, 8, 0)}, lines=["PRESS ENTER"] if i % 2 == 0 else []))
        t += 0.25
    for n in range(3):  # every action lands in the prompt's dark half; the cursor moves 40 px each time
        before = _look(t, {cursor: (500 + 40 * n, 300, 6, 8, 0)})
        tracker.observe_idle(before)
        t += 0.4
        tracker.after_action(before, _look(t, {cursor: (540 + 40 * n, 300, 6, 8, 0)}), "ArrowRight", "press ArrowRight")
        t += 0.25
        tracker.observe_idle(_look(t, {cursor: (540 + 40 * n, 300, 6, 8, 0)}, lines=["PRESS ENTER"]))
    tracker.finish()
    assert not tracker.reach.entered and tracker.reach.menus == []


def test_a_shine_drawn_like_a_tile_does_not_make_the_tiles_seem_to_jump() -> None:
    """Tiles are keyed by draw order; a shine drawn as one more tile-sized rect before them shifts every
    key by one. Matched by position, no tile moved. Near miss: a tile that really moved still does."""
    tile = "c1|rect:#58f:120x120#{}"
    grid = [(72 + 134 * (i % 5), 60 + 134 * (i // 5)) for i in range(10)]

    def frame(at: float, shine: bool, moved: int | None = None) -> Scene:
        spots = ([(300.0, 200.0)] if shine else []) + [
            (x + (30 if i == moved else 0), y) for i, (x, y) in enumerate(grid)
        ]
        return _scene(at, {tile.format(n + 1): (x, y, 120, 120, 0) for n, (x, y) in enumerate(spots)})

    envelope = Envelope()
    _learn(envelope, [frame(t / 4, False) for t in range(4)])
    assert not compare(frame(1.0, False), frame(1.5, True), envelope).changes
    moved = compare(frame(1.0, False), frame(1.5, False, moved=3), envelope)
    assert [round(c.dx) for c in moved.changes] == [30]


def test_a_bobbing_hero_moved_past_its_whole_swing_is_a_thing_at_rest_moved() -> None:
    """It bobs 4 px either way by itself; a key moves it 100 px: outside its whole swing, proof by
    itself (a ball that bounced, moving steadily until then, is not)."""
    hero = "c1|rect:#6f6:40x40#1"
    envelope = Envelope()
    _learn(envelope, [_scene(t / 4, {hero: (280 + 4 * ((-1) ** t), 200, 40, 40, 0)}) for t in range(6)])
    pushed = compare(_scene(2.0, {hero: (276, 200, 40, 40, 0)}), _scene(2.5, {hero: (176, 200, 40, 40, 0)}), envelope)
    assert pushed.moved and pushed.changes[0].from_still


def test_a_slow_orbit_seen_from_one_end_only_is_no_thing_at_rest() -> None:
    """Leaves orbit a title once in 16 s; 1.5 s of idle looks see a leaf turn once (one end of its swing).
    Near miss of the bobbing hero above: where it goes next is past the range seen, by itself; that is
    no proof a key moved it (gate-unmarked-key was "entered" by Space this way)."""
    leaf = "c1|path:#6b4:28x14#1"

    def at(t: float) -> Scene:
        a = -0.3 + 0.4 * t  # x turns once (at a = 0) in the idle looks, gently enough to be judged
        return _scene(t, {leaf: (400 + 260 * math.cos(a), 300 + 200 * math.sin(a), 28, 14, 0)})

    envelope = Envelope()
    _learn(envelope, [at(t / 4) for t in range(7)])
    later = compare(at(2.0), at(2.5), envelope)
    assert later.changes, "it went past its range seen: a change (just no proof of a thing at rest)"
    assert not any(c.from_still for c in later.changes), [c.words() for c in later.changes]


def test_a_gate_word_the_game_keeps_on_screen_after_it_was_used_is_a_control_not_a_gate() -> None:
    """'Next' beside a puzzle: clicked, the puzzle changed and 'Next' is still there. It is a control
    the game keeps: play on that screen counts. Near miss: a lone 'SELECT' label is no gate at all."""
    assert gate_text(_segments_view(["SELECT", "START"])) is not None  # START asks; SELECT alone would not
    assert gate_text(_segments_view(["SELECT"])) is None
    tracker = ReachTracker()
    nxt = ObserveResult(
        description="click 'Next'", kind="button", text="Next", bbox=BoundingBox(x=10, y=10, width=60, height=30)
    )
    frog = "d|#pond>div0"

    def look(at: float, x: float) -> Sample:
        return Sample.of(PageView(candidates=[nxt], scene=[[frog, [x, 300, 40, 40, 1]]]), None, at)

    for i in range(5):
        tracker.observe_idle(look(i / 4, 100))
    before = look(1.25, 100)
    tracker.observe_idle(before)
    tracker.after_action(before, look(1.75, 140), "click Next", "click 'Next'")
    assert "Next" in tracker.permanent
    x = 140
    for n in range(2):
        before = look(2.0 + n, x)
        tracker.observe_idle(before)
        x += 40
        tracker.after_action(before, look(2.5 + n, x), "type text", "type 'justify-content: end'")
    assert tracker.reach.entered


def test_a_key_s_reaction_the_run_ended_before_the_player_could_repeat_counts_a_click_s_does_not() -> None:
    """A short smoke test: past the menu, ArrowLeft moved the ship at rest, then time ran out: entered,
    said so. Near misses: the same reaction to a click (a ball launched) is named, not entered; a
    reaction the player did try again, in vain, is no entry."""

    def run(repeat: bool, input_name: str = "ArrowLeft") -> ReachTracker:
        tracker = ReachTracker()
        for i in range(5):
            tracker.observe_idle(_look(i / 4, {SHIP: (400, 500, 14, 14, 0)}))
        before = _look(1.25, {SHIP: (400, 500, 14, 14, 0)})
        tracker.observe_idle(before)
        tracker.after_action(before, _look(1.75, {SHIP: (396, 500, 14, 14, 0)}), input_name, "press it")
        if repeat:
            before = _look(2.0, {SHIP: (396, 500, 14, 14, 0)})
            tracker.observe_idle(before)
            tracker.after_action(before, _look(2.5, {SHIP: (396, 500, 14, 14, 0)}), input_name, "press it")
        tracker.finish()
        return tracker

    once = run(repeat=False).reach
    assert once.entered and (once.evidence or "").endswith("(once: the run ended before the same input again)")
    assert not run(repeat=True).reach.entered
    # near miss: a pointer move that only changed the canvas element's style (a hover cursor) once
    hover = ReachTracker()
    canvas = "d|#game"
    for i in range(5):
        hover.observe_idle(_look(i / 4, {canvas: (276, 86, 728, 548, 1)}))
    before = _look(1.25, {canvas: (276, 86, 728, 548, 1)})
    hover.observe_idle(before)
    hover.after_action(before, _look(1.75, {canvas: (276, 86, 728, 548, 2)}), "move pointer", "move the pointer")
    hover.finish()
    assert not hover.reach.entered
    clicked = run(repeat=False, input_name="click canvas")
    assert not clicked.reach.entered
    message = clicked.not_entered_message(20)
    assert (
        message.startswith("only one reaction to play input in 20 s (click canvas moved") and "never again" in message
    )


def test_a_word_of_the_rules_that_shows_its_explanation_is_reading_not_play() -> None:
    """A glossary word clicked twice fills the explanation box twice: no entry. Near miss: a word hunt,
    where the clicked word moves a number the game keeps ("Found: 1 of 4"), is entered."""
    tip = "d|#tip"

    def run(lines: list[str]) -> ReachTracker:
        tracker = ReachTracker()
        for i in range(5):
            tracker.observe_idle(_look(i / 4, {tip: (600, 300, 580, 120, 1)}, lines=[lines[0]]))
        for n in range(2):
            before = _look(1.25 + n, {tip: (600, 300, 580, 120, 1 + n)}, lines=[lines[n]])
            tracker.observe_idle(before)
            after = _look(1.75 + n, {tip: (600, 300, 580, 120, 2 + n)}, lines=[lines[n + 1]])
            tracker.after_action(before, after, "click the word cell", "click 'cell'")
        return tracker

    assert not run(["Click a word", "Click a word", "Click a word"]).reach.entered
    # ... nor when all it shows is pixels (an explanation painted where the scene sees no thing)
    painted = ReachTracker()
    plain, marked = Thumbnail(32, 18, 3, bytes(32 * 18 * 3)), Thumbnail(32, 18, 3, bytes([200]) * (32 * 18 * 3))
    for i in range(5):
        painted.observe_idle(Sample.of(PageView(), plain, i / 4))
    for n in range(2):
        before = Sample.of(PageView(), plain, 1.25 + n)
        painted.observe_idle(before)
        painted.after_action(before, Sample.of(PageView(), marked, 1.5 + n), "click the word cell", "click 'cell'")
    assert not painted.reach.entered and not painted.judge.evidence
    hunt = run(["Found: 0 of 4", "Found: 1 of 4", "Found: 2 of 4"]).reach
    assert hunt.entered and "changed the number in 'found: # of #'" in (hunt.evidence or "")


def test_a_board_pushed_down_by_a_message_line_is_the_page_not_play() -> None:
    """A click shows a message above a 10x10 board: its 100 cells move 21 px down together (a layout
    shift). Near miss: a tetromino of four elements falling one cell is a move of the game."""
    cells = {f"d|#b>div{i}": (100 + 40 * (i % 10), 200 + 40 * (i // 10), 40, 40, 1) for i in range(100)}
    envelope = Envelope()
    _learn(envelope, [_scene(t / 4, cells) for t in range(4)])
    pushed = {k: (v[0], v[1] + 21, *v[2:]) for k, v in cells.items()}
    assert not compare(_scene(1.0, cells), _scene(1.5, pushed), envelope).changes
    piece = {f"d|#p>div{i}": (300 + 40 * i, 100, 40, 40, 2) for i in range(4)}
    envelope = Envelope()
    _learn(envelope, [_scene(t / 4, {**cells, **piece}) for t in range(4)])
    fallen = {k: (v[0], v[1] + 40, *v[2:]) for k, v in piece.items()}
    moved = compare(_scene(1.0, {**cells, **piece}), _scene(1.5, {**cells, **fallen}), envelope)
    assert len(moved.changes) == 4 and all(c.dy == 40 for c in moved.changes)


def test_a_shine_sweeping_a_board_of_tiles_moves_no_tile() -> None:
    """20 tiles keep their boxes; the lit colour passes from one tile to the next (the thing known by that
    colour "moves" 135 px): the layout stayed, nothing moved. Near miss: a player square stepping from one
    empty spot to another moved."""
    pitch, tiles = 135, [(100 + 135 * (i % 5), 60 + 135 * (i // 5)) for i in range(20)]

    def board(lit: int, player: tuple[float, float] | None = None) -> dict[str, tuple[float, ...]]:
        things: dict[str, tuple[float, ...]] = {}
        for i, (x, y) in enumerate(tiles):
            key = "c1|rect:#ffe066:120x120#1" if i == lit else f"c1|rect:#2a2f55:120x120#{i + 1}"
            things[key] = (x, y, 120, 120, 0)
        if player is not None:
            things[SHIP] = (*player, 14, 14, 0)
        return things

    envelope = Envelope()
    _learn(envelope, [_scene(t / 4, board(0, (20, 20))) for t in range(5)])
    swept = compare(_scene(2.0, board(0, (20, 20))), _scene(2.4, board(1, (20, 20))), envelope)
    assert not [c for c in swept.changes if c.kind == "moved" and abs(c.dx) == pitch]
    stepped = compare(_scene(2.0, board(0, (20, 20))), _scene(2.4, board(0, (20, 40))), envelope)
    assert [c.dy for c in stepped.changes if c.kind == "moved"] == [20]


def test_clicks_that_clear_groups_of_tiles_are_play_a_blink_is_not() -> None:
    """A same-game board: each click takes a group of crates away (drawn things there through every idle
    look). Twice: entered. Near miss: a blinking prompt that is gone after each click came and went while
    idle: no entry."""
    crates = {
        f"c1|img:crate.png:40x40#{i + 1}": (100 + 40 * (i % 10), 100 + 40 * (i // 10), 40, 40, 0) for i in range(40)
    }

    def run(gone_after_click: list[list[str]], blink: bool) -> ReachTracker:
        tracker = ReachTracker()
        prompt = {"c1|text:CLICK A GROUP:200x20#1": (300, 20, 200, 20, 0)}
        for i in range(6):
            shown = {**crates, **(prompt if not blink or i % 2 else {})}
            tracker.observe_idle(_look(i / 4, shown))
        left = dict(crates)
        for n, keys in enumerate(gone_after_click):
            before = _look(2.0 + n, {**left, **prompt})
            tracker.observe_idle(before)
            left = {k: v for k, v in left.items() if k not in keys}
            tracker.after_action(before, _look(2.5 + n, left), "click canvas", "click the 800x640 canvas")
        return tracker

    cleared = run(
        [[f"c1|img:crate.png:40x40#{i}" for i in (12, 13)], [f"c1|img:crate.png:40x40#{i}" for i in (30, 31, 32)]],
        False,
    )
    assert cleared.reach.entered and "click canvas removed a drawn 40x40" in (cleared.reach.evidence or "")
    assert not run([[], []], True).reach.entered


def test_two_clicks_confirm_each_other_only_when_each_changed_a_thing_at_rest() -> None:
    """A breakout launched by a click: the first click changed the still batch buffer (the ball set off),
    the second click's look sees the ball moving by itself, beyond the envelope learned while it sat. No
    entry (the paddle follows the mouse: that is the play to find). Near miss: two clicks that each flip
    a board cell at rest are entered."""
    judge = EntryJudge()
    launch = PlayEvidence("click canvas", "click the canvas", 1.0, frozenset({"g|buf0"}), "launched", still=True)
    later = PlayEvidence("click canvas", "click the canvas", 2.0, frozenset({"g|buf0"}), "moving", still=False)
    assert judge.add(launch) is None and judge.add(later) is None
    cells = EntryJudge()
    flip = PlayEvidence("click board", "click board 1 cell r2 c2", 1.0, frozenset({"d|#b>div4"}), "flipped")
    again = PlayEvidence("click board", "click board 1 cell r3 c1", 2.0, frozenset({"d|#b>div6"}), "flipped")
    assert cells.add(flip) is None and cells.add(again) == (flip, again)
    # a key's pair keeps the old rule: one of the two at rest is enough (a paddle moved, then moving on)
    keys = EntryJudge()
    push = PlayEvidence("ArrowLeft", "press ArrowLeft", 1.0, frozenset({SHIP}), "moved", still=True)
    push2 = PlayEvidence("ArrowLeft", "press ArrowLeft", 2.0, frozenset({SHIP}), "moved", still=False)
    assert keys.add(push) is None and keys.add(push2) == (push, push2)


def test_a_crowd_of_like_stars_that_wraps_is_no_evidence_but_a_lone_sprite_over_it_is() -> None:
    """Stars of one look fall at different speeds and wrap; after a long action (a busy machine) the nearest
    star of the kind is another one, which seems to move sideways from rest (gate-canvas-letter was
    "entered" by ArrowUp that way). Stars are a crowd that moves by itself: their members are no evidence.
    Near misses: the lone ship over them moved by a key is; a board of like tiles at rest keeps its
    evidence (scene tests above)."""

    def sky(t: float, ship_x: float) -> Scene:
        stars = {STAR.format(i): (40.0 * (i % 10), (60.0 * i + (30 + 12 * i) * t) % 600, 2, 2, 0) for i in range(20)}
        return _scene(t, {**stars, SHIP: (ship_x, 500, 14, 14, 0)})

    envelope = Envelope()
    _learn(envelope, [sky(t / 4, 400) for t in range(7)])
    later = compare(sky(2.0, 400), sky(4.0, 400), envelope)
    assert not later.changes, [c.words() for c in later.changes]
    moved = compare(sky(2.0, 400), sky(2.5, 392), envelope)
    assert [c.key for c in moved.changes] == [SHIP]


BATCH = "g1|buf7#0"  # a batched WebGL vertex buffer: every sprite of the screen in one upload


def test_a_batched_webgl_buffer_is_confirmed_only_by_the_same_input_each_moving_its_still_part() -> None:
    """A Pixi title and game draw every sprite through one vertex buffer: a Go button's hover, a pillar
    scrolling in and the fairy respawning all change "the same thing". Two different inputs that changed
    the buffer prove nothing, nor does the same key twice when one look only saw things moving by
    themselves. Near misses: the same key twice, each moving a part that stood still (a hero in the
    batch), is entered; two inputs moving one canvas sprite still confirm each other."""
    judge = EntryJudge()
    go = PlayEvidence("click canvas", "click the canvas", 1.0, frozenset({BATCH}), "buffer", still=True)
    key = PlayEvidence("a", "press a", 2.0, frozenset({BATCH}), "buffer", still=True)
    assert judge.add(go) is None and judge.add(key) is None
    drift = PlayEvidence("ArrowUp", "press ArrowUp", 3.0, frozenset({BATCH}), "buffer", still=False)
    assert judge.add(drift) is None
    again = PlayEvidence("ArrowUp", "press ArrowUp", 4.0, frozenset({BATCH}), "buffer", still=True)
    assert judge.add(again) is None
    hero = EntryJudge()
    left = PlayEvidence("ArrowLeft", "press ArrowLeft", 1.0, frozenset({BATCH}), "buffer", still=True)
    left2 = PlayEvidence("ArrowLeft", "press ArrowLeft", 2.0, frozenset({BATCH}), "buffer", still=True)
    assert hero.add(left) is None and hero.add(left2) == (left, left2)
    sprite = EntryJudge()
    first = PlayEvidence("ArrowLeft", "press ArrowLeft", 1.0, frozenset({SHIP}), "moved", still=True)
    other = PlayEvidence("a", "press a", 2.0, frozenset({SHIP}), "moved", still=False)
    assert sprite.add(first) is None and sprite.add(other) == (first, other)


def _gl_look(at_s: float, sums: tuple[float, ...], *, ocr_gate: str | None = None, source: str = "ocr") -> Sample:
    box = BoundingBox(x=600, y=540, width=80, height=40)
    drawn = [DrawnText(text=ocr_gate, bbox=box, source=source)] if ocr_gate else []
    view = PageView(
        candidates=[
            ObserveResult(description="the canvas", kind="canvas", bbox=BoundingBox(x=0, y=0, width=1280, height=720))
        ],
        drawn=drawn,
        scene=[[BATCH, list(sums)]],
    )
    return Sample.of(view, None, at_s)


def test_a_gate_read_from_pixels_before_the_click_is_not_made_a_control_the_game_keeps() -> None:
    """An image 'START' button read by OCR: the reading joins the looks until a re-read, so right after the
    click it still seems shown. That is no proof the game keeps it (it may be gone already): it stays a
    gate, and what the click changed is no play. Near miss: 'START' drawn by fillText, seen after the click
    in a fresh look, is a control the game keeps."""
    for source, kept in (("ocr", False), ("canvas", True)):
        tracker = ReachTracker()
        title = (10.0, 20.0, 30.0)
        for i in range(5):
            tracker.observe_idle(_gl_look(i / 4, title, ocr_gate="START", source=source))
        before = _gl_look(1.25, title, ocr_gate="START", source=source)
        tracker.observe_idle(before)
        tracker.after_action(
            before,
            _gl_look(1.6, (10.0, 26.0, 30.0), ocr_gate="START", source=source),
            "click START",
            "click START (640,564)",
        )
        assert ("START" in tracker.permanent) is kept, source
        assert not tracker.judge.evidence  # "click START" starts the game: a menu click, never play


def test_a_new_screen_is_judged_against_its_own_idle_change_not_the_title_s() -> None:
    """A WebGL game keeps its buffer from the title into play: on the title the batch stood still, in play
    its sprites move by themselves. Once the gate is gone (a menu passed), the title's envelope and the
    title's reactions no longer count: play is judged on the game's own idle looks. Near miss: the same
    game whose key moves a still part of the batch twice in play is entered."""

    def play(tracker: ReachTracker, moves: bool) -> None:
        t, drift = 1.25, 0.0
        for i in range(5):
            tracker.observe_idle(_gl_look(i / 4, (10.0, 20.0, 30.0), ocr_gate="Go!"))
        before = _gl_look(t, (10.0, 20.0, 30.0), ocr_gate="Go!")
        tracker.observe_idle(before)
        tracker.gate_gone_from_pixels("click Go! (640,564)", 1.6, "Go!", None)  # the re-read: gone
        hero = 50.0
        for _ in range(4):
            for _ in range(3):  # idle looks of the game: the scenery part drifts by itself, the hero stands
                t += 0.25
                drift += 5
                tracker.observe_idle(_gl_look(t, (drift, hero, 30.0)))
            before = _gl_look(t, (drift, hero, 30.0))
            t += 0.4
            drift += 8
            hero += 12 if moves else 0
            tracker.after_action(
                before, _gl_look(t, (drift, hero, 30.0 + (7 if not moves else 0))), "ArrowUp", "press ArrowUp"
            )

    still_game = ReachTracker()
    play(still_game, moves=False)
    assert not still_game.reach.entered  # a part it never saw still in play moved: no proof
    steered = ReachTracker()
    play(steered, moves=True)
    assert steered.reach.entered and steered.reach.menus == ["Go!"]
