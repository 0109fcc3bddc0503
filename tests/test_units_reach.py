"""Getting into the game, unit by unit: reading the start screen (keys it names, its gate text, the ways in
worth trying) and judging entry from what the player's input changed beyond the screen's own idle change.

Unit tests: synthetic page views and thumbnails, no browser, no subprocess.
"""

from __future__ import annotations

import pytest

from pytest_gameqa.agent.actions import ClickAt, ClickElement, PressKey
from pytest_gameqa.agent.idle import GRID_H, GRID_W, cell_mask
from pytest_gameqa.agent.policy import HeuristicPolicy
from pytest_gameqa.agent.reach import ReachTracker, Sample
from pytest_gameqa.agent.reading import gate_text, keys_named, ways_in
from pytest_gameqa.dom.detector import DrawnText, PageView
from pytest_gameqa.models import BoundingBox, ObserveResult
from pytest_gameqa.monitor.pixels import Thumbnail

# 4x4 pixels per cell of the 16x9 grid
W, H = GRID_W * 4, GRID_H * 4
CANVAS = ObserveResult(
    description="the 800x600 canvas",
    selector="#game",
    kind="canvas",
    bbox=BoundingBox(x=240, y=60, width=800, height=600),
)


# ------------------------------------------------------------------------------------------ helpers
def _button(text: str, selector: str) -> ObserveResult:
    return ObserveResult(
        description=f"click {text!r}",
        selector=selector,
        kind="button",
        text=text,
        bbox=BoundingBox(x=20, y=20, width=120, height=40),
    )


def _drawn(text: str) -> DrawnText:
    return DrawnText(text=text, bbox=BoundingBox(x=490, y=400, width=300, height=40))


def _thumb(cells: dict[tuple[int, int], int] | None = None, background: int = 20) -> Thumbnail:
    """A W x H RGB screen of one grey, with whole grid cells (gx, gy) painted another grey."""
    px = bytearray([background] * (W * H * 3))
    for (gx, gy), value in (cells or {}).items():
        for y in range(gy * 4, gy * 4 + 4):
            for x in range(gx * 4, gx * 4 + 4):
                i = (y * W + x) * 3
                px[i : i + 3] = bytes([value] * 3)
    return Thumbnail(W, H, 3, bytes(px))


def _sample(at_s: float, thumb: Thumbnail | None = None, *, gate: str | None = None, text: str = "") -> Sample:
    drawn = [_drawn(gate)] if gate else []
    return Sample.of(PageView(candidates=[CANVAS], drawn=drawn, screen_text=text), thumb or _thumb(), at_s)


def _idle(tracker: ReachTracker, start: float, looks: int, **kwargs: object) -> float:
    """`looks` idle looks half a second apart, all the same; returns the time of the last one."""
    t = start
    for i in range(looks):
        t = start + i * 0.5
        tracker.observe_idle(_sample(t, **kwargs))  # type: ignore[arg-type]
    return t


# ------------------------------------------------------------------------------------------ keys_named
@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("PRESS N TO START", ["n"]),
        ("Press fire to start playing", ["Space"]),
        ("PRESS 1 TO START", ["1"]),
        ("1 PLAYER", ["1"]),
        ("Hit Enter to begin", ["Enter"]),
        ("press the spacebar", ["Space"]),
        ("Welcome", []),
        ("Score: 120", []),
    ],
)
def test_keys_named_reads_the_key_a_start_screen_asks_for(text: str, keys: list[str]) -> None:
    assert keys_named(text) == keys


def test_any_key_is_tried_as_enter_then_space() -> None:
    assert keys_named("Press any key") == ["Enter", "Space"]


# ------------------------------------------------------------------------------------------ gate_text
def test_gate_text_from_text_drawn_on_the_canvas() -> None:
    view = PageView(candidates=[CANVAS], drawn=[_drawn("SPACE ROCKS"), _drawn("PRESS N TO START")])
    assert gate_text(view) == "PRESS N TO START"


def test_gate_text_from_a_dom_start_button() -> None:
    view = PageView(candidates=[CANVAS, _button("Play", "#play")], screen_text="Space Rocks | Play")
    assert gate_text(view) == "Play"


def test_gate_text_from_a_prompt_in_the_page_text() -> None:
    assert gate_text(PageView(screen_text="Sound on | Click to play")) == "Click to play"


def test_no_gate_on_a_screen_that_asks_for_nothing() -> None:
    assert gate_text(PageView(candidates=[CANVAS], screen_text="Welcome | Score: 0")) is None
    # a restart button is a way back, not a way in
    assert gate_text(PageView(candidates=[_button("Restart", "#restart")])) is None


def test_in_game_hud_text_is_not_a_gate() -> None:
    """After Start, a game draws "Level 1" and a score: that is play, not a screen asking for a way in."""
    view = PageView(candidates=[CANVAS], drawn=[_drawn("Level 1"), _drawn("Score: 120")])
    assert gate_text(view) is None


# ------------------------------------------------------------------------------------------ ways in
def _start_screen() -> PageView:
    return PageView(
        candidates=[
            CANVAS,
            _button("Sound: on", "#sound"),
            _button("Music", "#music"),
            _button("Restart", "#restart"),
            _button("Quit", "#quit"),
        ],
        drawn=[_drawn("PRESS N TO START")],
        screen_text="Sound: on | Music | Restart | Quit",
    )


def test_ways_in_start_with_the_key_the_screen_names() -> None:
    ways = ways_in(_start_screen())
    assert ways[0].action == PressKey(key="n")
    assert "PRESS N TO START" in ways[0].reason


def test_the_player_tries_the_named_key_before_generic_ways_and_never_sound_or_restart() -> None:
    policy = HeuristicPolicy(seed=1, viewport=(1280, 720))
    view = _start_screen()
    tried = [policy.next_action(view) for _ in range(25)]
    described = [a.describe() for a in tried]
    assert described[0] == "press n", described
    assert described.index("press n") < described.index("press Enter") < described.index("press Space")
    for action in tried:
        if isinstance(action, ClickElement):
            assert action.target.text not in ("Sound: on", "Music", "Restart", "Quit"), described
        if isinstance(action, ClickAt):
            assert "Sound" not in action.label and "Restart" not in action.label, described


def test_a_dom_start_button_comes_first_and_side_controls_are_left_alone() -> None:
    view = PageView(
        candidates=[CANVAS, _button("Mute", "#mute"), _button("Options", "#options"), _button("Play", "#play")],
        screen_text="Space Rocks | Mute | Options | Play",
    )
    ways = ways_in(view)
    assert isinstance(ways[0].action, ClickElement) and ways[0].action.target.text == "Play"
    texts = {w.action.target.text for w in ways if isinstance(w.action, ClickElement)}
    assert not texts & {"Mute", "Options"}


# ------------------------------------------------------------------------------------------ cell_mask
def test_cell_mask_of_identical_screens_is_empty() -> None:
    assert cell_mask(_thumb({(3, 2): 200}), _thumb({(3, 2): 200})) == frozenset()


def test_cell_mask_names_the_cells_that_changed() -> None:
    changed = cell_mask(_thumb(), _thumb({(0, 0): 200, (5, 4): 200, (15, 8): 200}))
    assert changed == {0, 4 * GRID_W + 5, 8 * GRID_W + 15}


def test_cell_mask_ignores_changes_too_faint_to_see() -> None:
    assert cell_mask(_thumb(background=20), _thumb(background=25)) == frozenset()
    assert len(cell_mask(_thumb(background=20), _thumb(background=60))) == GRID_W * GRID_H


def test_screens_of_different_sizes_count_as_all_changed() -> None:
    small = Thumbnail(GRID_W * 2, GRID_H * 2, 3, bytes(GRID_W * 2 * GRID_H * 2 * 3))
    assert cell_mask(_thumb(), small) == frozenset(range(GRID_W * GRID_H))


# ------------------------------------------------------------------------------------------ ReachTracker
def test_a_gate_that_goes_away_is_a_menu_passed_not_yet_play() -> None:
    """The start text going away says the player left the title, not that the game responds to play (a
    help page or a story comes next as often): entry needs play evidence (tests/test_units_scene.py)."""
    tracker = ReachTracker()
    t = _idle(tracker, 0.0, 5, gate="PRESS N TO START")
    before = _sample(t + 0.5, gate="PRESS N TO START")
    tracker.observe_idle(before)
    reaction = tracker.after_action(before, _sample(t + 1.0, _thumb({(4, 4): 220})), "n", "press n")
    assert reaction.gate_gone == "PRESS N TO START"
    tracker.observe_idle(_sample(t + 1.5, _thumb({(4, 4): 220})))
    tracker.finish()
    reach = tracker.reach
    assert not reach.entered and reach.menus == ["PRESS N TO START"]
    assert reach.start_text == "PRESS N TO START"


def test_a_gate_that_comes_back_after_the_action_is_not_entered() -> None:
    tracker = ReachTracker()
    t = _idle(tracker, 0.0, 5, gate="PRESS N TO START")
    before = _sample(t + 0.5, gate="PRESS N TO START")
    tracker.observe_idle(before)
    tracker.after_action(before, _sample(t + 1.0), "Space", "press Space")
    tracker.observe_idle(_sample(t + 1.5, gate="PRESS N TO START"))
    tracker.finish()
    assert not tracker.reach.entered


def test_a_blinking_gate_is_not_entered_by_one_absent_look() -> None:
    tracker = ReachTracker()
    for i in range(8):  # "PRESS START" blinks: shown, hidden, shown...
        tracker.observe_idle(_sample(i * 0.5, gate="PRESS START" if i % 2 == 0 else None))
    before = _sample(4.0, gate="PRESS START")
    tracker.observe_idle(before)
    tracker.after_action(before, _sample(4.5), "Space", "press Space")
    tracker.observe_idle(_sample(5.0))  # hidden half a second later: just a blink
    assert not tracker.reach.entered
    tracker.observe_idle(_sample(5.5, gate="PRESS START"))  # and back
    tracker.observe_idle(_sample(6.0))
    tracker.finish()
    assert not tracker.reach.entered


def test_pixel_only_reactions_need_to_be_seen_twice() -> None:
    tracker = ReachTracker()
    t = _idle(tracker, 0.0, 6)  # no start screen, no text: a still picture while idle
    left = _thumb({(x, 4): 230 for x in range(2, 6)})  # the ship after a move, four cells wide
    right = _thumb({(x, 4): 230 for x in range(10, 14)})
    before = _sample(t + 0.5)
    tracker.observe_idle(before)
    first = tracker.after_action(before, _sample(t + 1.0, left), "ArrowLeft", "press ArrowLeft")
    assert first.pixels and not tracker.reach.entered  # one changed frame could be luck
    before = _sample(t + 1.5, left)  # the ship stays where it went
    tracker.observe_idle(before)
    tracker.after_action(before, _sample(t + 2.0, right), "ArrowRight", "press ArrowRight")
    reach = tracker.reach  # the same cells changed again (the ship): the two confirm each other
    assert reach.entered and reach.how == "press ArrowLeft" and reach.entered_at_s == t + 2.0
    assert reach.evidence == (
        "ArrowLeft changed the screen beyond its idle change (4 cells); "
        "ArrowRight changed the screen beyond its idle change (8 cells)"
    )
    assert reach.reactive_inputs == ["ArrowLeft", "ArrowRight"]


def test_an_idle_animated_screen_that_ignores_input_is_never_entered() -> None:
    tracker = ReachTracker()
    sky = [
        {(x, y): (x * 13 + y * 7 + frame * 50) % 200 + 40 for x in range(GRID_W) for y in range(3)} for frame in (0, 1)
    ]
    t = 0.0
    for i in range(8):  # the sky (top three rows) scrolls on its own
        t = i * 0.5
        tracker.observe_idle(_sample(t, _thumb(sky[i % 2]), text="Score: 0"))
    for n in range(6):  # every action lands while the sky keeps scrolling; nothing else changes
        start = t + 0.5 + n
        before = _sample(start, _thumb(sky[n % 2]), text="Score: 0")
        tracker.observe_idle(before)
        after = _sample(start + 0.5, _thumb(sky[(n + 1) % 2]), text="Score: 0")
        reaction = tracker.after_action(before, after, "ArrowLeft", "press ArrowLeft")
        assert not reaction.reacted
    tracker.finish()
    assert not tracker.reach.entered and tracker.reach.reactive_inputs == []


def test_not_entered_message_quotes_the_start_text_and_what_was_tried() -> None:
    tracker = ReachTracker()
    _idle(tracker, 0.0, 3, gate="PRESS X TO START")
    for tried in ("click 'Start'", "press Space", "press Enter", "press Space"):
        tracker.note_tried(tried)
    message = tracker.not_entered_message(12.2)
    assert message == (
        "never got past the start screen in 12 s: 'PRESS X TO START' still shown; "
        "tried: click 'Start', press Space, press Enter"
    )


def test_not_entered_message_without_a_start_screen_says_no_input_mattered() -> None:
    tracker = ReachTracker()
    _idle(tracker, 0.0, 3)
    tracker.note_tried("press Enter")
    message = tracker.not_entered_message(8)
    assert "no play input moved or changed anything the game draws beyond its own animation in 8 s" in message
    assert message.endswith("tried: press Enter")


def test_space_scrolling_a_page_is_no_pixel_evidence() -> None:
    """A long page with a canvas the scene sees nothing drawn on: Space scrolls it twice, and every pixel
    row moves. That is the page, not the game. Near miss: the same pixels changing with the page where it
    was is play."""

    def run(scroll_step: float) -> ReachTracker:
        tracker = ReachTracker()
        for i in range(5):
            tracker.observe_idle(_sample(i * 0.5))
        y, shown = 0.0, _thumb()
        for n in range(2):
            start = 3.0 + n
            before = Sample.of(PageView(scroll=(0.0, y), candidates=[CANVAS]), shown, start)
            tracker.observe_idle(before)
            y += scroll_step
            shown = _thumb({(x, 5 + n): 200 for x in range(8)})  # a row of the page moved where it was not
            after = Sample.of(PageView(scroll=(0.0, y), candidates=[CANVAS]), shown, start + 0.5)
            tracker.after_action(before, after, "Space", "press Space")
        return tracker

    assert not run(120.0).reach.entered
    assert run(0.0).reach.entered


def test_pixels_of_a_page_without_a_canvas_are_no_evidence() -> None:
    """Battleboat's class: a DOM page (no canvas), whose elements the scene sees; a "Rotate Ship" control
    repaints itself on each click (pixels change twice) while no element of the game moves. No entry.
    Near miss: the same pixels over a canvas the scene is blind to (putImageData) are play."""

    def run(candidates: list[ObserveResult]) -> ReachTracker:
        tracker = ReachTracker()
        for i in range(5):
            tracker.observe_idle(Sample.of(PageView(candidates=candidates), _thumb(), i * 0.5))
        shown = _thumb()
        for n in range(2):
            before = Sample.of(PageView(candidates=candidates), shown, 3.0 + n)
            tracker.observe_idle(before)
            shown = _thumb({(x, 5): 100 + 100 * n for x in range(8)})  # the control, repainted
            after = Sample.of(PageView(candidates=candidates), shown, 3.5 + n)
            tracker.after_action(before, after, "click Rotate Ship", "click 'Rotate Ship'")
        return tracker

    assert not run([]).reach.entered
    assert run([CANVAS]).reach.entered


def test_a_countdown_first_seen_on_a_new_screen_is_no_number_the_player_moved() -> None:
    """Gate-restart's class: Start opens a round with a countdown ("1.8 s") never seen while idle; each key
    pressed during it sees the number change. That is the clock, not the player. Near miss: a score seen
    standing still across idle looks, then moved by the same key twice, is play."""

    def run(first_idle: str, counting: bool) -> ReachTracker:
        tracker = ReachTracker()
        _idle(tracker, 0.0, 5, text=first_idle)
        before = _sample(3.0, text="1.8 s" if counting else "0 s")
        tracker.observe_idle(before)
        for n in range(2):  # the same key again at once, from the last look (the confirming try)
            after = _sample(3.4 + 0.4 * n, text=f"{1.4 - 0.4 * n:.1f} s" if counting else f"{10 * n + 10} s")
            tracker.after_action(before, after, "ArrowUp", "press ArrowUp")
            before = after
        return tracker

    assert not run("Short Round", counting=True).reach.entered
    assert run("0 s", counting=False).reach.entered


def test_a_key_that_moves_a_level_number_selects_a_level_it_does_not_play() -> None:
    """ "Level: 1" -> 2 -> 3 on ArrowRight twice: a level select on the title. Near miss: "Score: 10" -> 20
    -> 30 on the same key is play."""

    def run(label: str) -> ReachTracker:
        tracker = ReachTracker()
        _idle(tracker, 0.0, 5, text=f"{label}: 1")
        for n in range(2):
            before = _sample(3.0 + n, text=f"{label}: {n + 1}")
            tracker.observe_idle(before)
            tracker.after_action(before, _sample(3.5 + n, text=f"{label}: {n + 2}"), "ArrowRight", "press ArrowRight")
        return tracker

    assert not run("Level").reach.entered
    assert run("Score").reach.entered


def test_a_state_hook_flag_that_says_playing_enters_at_the_start_click() -> None:
    """A game whose render_game_to_text says {"playing": true} after Start is played: its own word, the
    most trusted evidence (ai-steering waited for two confirming moves under load). Near miss: the
    flag still false after the click is no entry."""

    def run(after_flag: str) -> ReachTracker:
        tracker = ReachTracker()
        for i in range(5):
            tracker.observe_idle(Sample.of(PageView(state='{"playing": false, "x": 300}'), _thumb(), i * 0.5))
        before = Sample.of(PageView(state='{"playing": false, "x": 300}'), _thumb(), 2.5)
        tracker.observe_idle(before)
        after = Sample.of(PageView(state=f'{{"playing": {after_flag}, "x": 300}}'), _thumb(), 3.0)
        tracker.after_action(before, after, "click Start", "click 'Start'")
        return tracker

    entered = run("true").reach
    assert entered.entered and "state hook says playing=True" in (entered.evidence or "")
    assert not run("false").reach.entered
