"""The seeker's rules for play after entry, each with a game that needs it and a near miss that must not
trigger it, on recorded looks with the fake clock of test_units_progress (no browser):

- **steering**: "keep moving" holds the direction key that moves a drawn thing along its axis more often
  than the game moves things that way by itself, not the key the busy screen "reacted" to most;
- **a dead direction**: a hold that moved nothing along its axis on a screen whose motion the scene sees
  is dropped for another way at once (standing still loses a dodging round);
- **a round won** ("You won round 1!", "Next level") is a step forward, not a loss;
- **aiming**: with no lead to repeat, part of play clicks where a small thing that moves by itself will
  be; an aimed click that scored is repeated at whatever moves now;
- **firing**: the key after which more things are drawn (shots), more often than after other inputs,
  gets bursts in part of the varied play;
- **a level select**: a level-like number one action moves two levels at once, or one back with no
  life lost, is a selector: its rises are no progress, its values name no screen, the report omits it.
"""

from __future__ import annotations

from typing import Any

from test_units_progress import Play, hud, seeker

from pytest_gameqa.agent.actions import ClickAt, HoldKey, MovePointer, PressKey
from pytest_gameqa.agent.aim import AIM_LABEL, LEAD_S, targets
from pytest_gameqa.agent.progress import headings
from pytest_gameqa.agent.scene import Change, Scene
from pytest_gameqa.agent.seek import FIRE_BURST, KEEP_MOVING_HOLD_MS, arm_key
from pytest_gameqa.dom.detector import PageView
from pytest_gameqa.models import BoundingBox

MINER = "c1|rect:#6c5:36x50#1"
ROCK = "c1|rect:#999:32x32#1"
DRONE = "c1|rect:#e55:34x34#1"
CANVAS = BoundingBox(x=0, y=0, width=960, height=540)  # hud()'s canvas


def moved(key: str = MINER, dx: float = 0.0, dy: float = 0.0) -> Change:
    return Change(key=key, dx=dx, dy=dy, size=(36.0, 50.0))


def keep_moving_after(steps: list[tuple[Any, list[Change]]]) -> tuple[Play, Any]:
    """A first round of these steps on a rock-dodge screen, a hit, a restart: the seeker keeps moving."""
    play = Play()
    seek = seeker(play)
    screen = hud("Round 1")
    play.look(screen)
    for action, changes in steps:
        play.act(action, screen, changes=changes)
        seek.learn(action)
        play.look(screen)
    hit = MovePointer(points=[(100, 100), (300, 100)])
    play.act(hit, hud("Game over", "Try again"), changes=[moved(ROCK, dy=40)])
    seek.learn(hit)
    play.look(hud("Game over", "Try again"))
    restart = ClickAt(x=480, y=300, label="Try again")
    play.act(restart, screen)
    seek.learn(restart)
    play.look(screen)
    assert seek.approach == "keep moving"
    return play, seek


# ------------------------------------------------------------------------------------------ steering
def test_headings_name_the_ways_things_went_and_a_wrap_both_ways() -> None:
    assert headings([moved(dx=-12), moved(ROCK, dy=30)]) == {"left", "down"}
    assert headings([moved(dx=1.0)]) == set()  # sub-pixel jitter
    assert headings([moved(dx=-500)]) == {"left", "right"}  # so far it may have wrapped around
    assert headings([Change(key=MINER, kind="restyled")]) == set()


def test_keep_moving_holds_the_key_that_moves_a_thing_along_its_axis_not_the_busiest() -> None:
    # rocks fall whatever is pressed: ArrowDown "reacted" twice, as Space did; ArrowLeft moved the miner
    rocks = [moved(ROCK, dy=40)]
    _, seek = keep_moving_after(
        [
            (PressKey(key="Space", times=5), rocks),
            (PressKey(key="ArrowDown", times=5), rocks),
            (PressKey(key="ArrowDown", times=5), rocks),
            (PressKey(key="ArrowLeft", times=5), [moved(dx=-70), *rocks]),
        ]
    )
    assert seek.choose(hud("Round 1")) == HoldKey(key="ArrowLeft", ms=KEEP_MOVING_HOLD_MS)


def test_near_miss_a_key_that_moves_things_its_way_while_nothing_else_does_steers() -> None:
    # a climber: only ArrowUp moves anything vertically; the down of a rock after Space is not its doing
    _, seek = keep_moving_after(
        [
            (PressKey(key="Space", times=5), []),
            (PressKey(key="ArrowUp", times=5), [moved(dy=-60)]),
            (PressKey(key="ArrowRight", times=5), []),
        ]
    )
    assert seek.choose(hud("Round 1")) == HoldKey(key="ArrowUp", ms=KEEP_MOVING_HOLD_MS)


def test_a_hold_that_moved_nothing_its_way_on_a_seen_screen_turns_to_another_way_at_once() -> None:
    play, seek = keep_moving_after([(PressKey(key="Space", times=5), [moved(ROCK, dy=40)])])
    screen = hud("Round 1")
    first = seek.choose(screen)
    assert first == HoldKey(key="ArrowRight", ms=KEEP_MOVING_HOLD_MS)  # no lead yet: the usual way
    play.act(first, screen, changes=[moved(ROCK, dy=40)])  # only the rocks moved
    seek.learn(first)
    play.look(screen)
    assert seek.choose(screen) == HoldKey(key="ArrowLeft", ms=KEEP_MOVING_HOLD_MS)


def test_near_miss_a_hold_that_wrapped_around_the_screen_is_kept() -> None:
    play, seek = keep_moving_after([(PressKey(key="Space", times=5), [moved(ROCK, dy=40)])])
    screen = hud("Round 1")
    first = seek.choose(screen)
    assert first == HoldKey(key="ArrowRight", ms=KEEP_MOVING_HOLD_MS)
    play.act(first, screen, changes=[moved(dx=-140)])  # 760 px right on a 900 px ring: seen 140 px left
    seek.learn(first)
    play.look(screen)
    assert seek.choose(screen) == first


# ------------------------------------------------------------------------------------------ a round won
def test_a_round_won_is_a_step_forward_not_a_loss() -> None:
    play = Play()
    seek = seeker(play)
    play.look(hud("Round 1"))
    hold = HoldKey(key="ArrowLeft", ms=2000)
    for _ in range(2):
        play.act(hold, hud("Round 1"))
        seek.learn(hold)
        play.look(hud("Round 1"))
    gain = play.act(hold, hud("You won round 1!", "Next round", "Round 1"))
    seek.learn(hold)
    assert not gain.lost and gain.new_screen
    assert play.tracker.first_progress is not None and "won" in play.tracker.first_progress


def test_near_miss_a_round_lost_is_a_loss() -> None:
    play = Play()
    play.look(hud("Round 1"))
    play.act(HoldKey(key="ArrowLeft", ms=2000), hud("Round 1"))
    play.look(hud("Round 1"))
    gain = play.act(HoldKey(key="ArrowLeft", ms=2000), hud("You lose!", "Try again", "Round 1"))
    assert gain.lost and not play.tracker.first_progress


# ------------------------------------------------------------------------------------------ aiming
def drawn(things: dict[str, tuple[float, ...]], at_s: float) -> Scene:
    return Scene(things={k: (*v, 0.0) for k, v in things.items()}, at_s=at_s)


def test_targets_are_small_canvas_things_that_moved_by_themselves_led_by_their_speed() -> None:
    a = drawn(
        {
            DRONE: (100, 100, 34, 34),
            "c1|rect:#e55:34x34#2": (500, 200, 34, 34),  # a drone at rest: no speed to tell it by
            "c1|rect:#1d4250:900x300#1": (0, 240, 900, 300),  # a scrolling layer: scenery
            "c1|text:Score 0:80x20#1": (10, 10, 80, 20),  # words: a HUD, a credits line
            "c1|rect:#fff:2x2#1": (300, 300, 2, 2),  # a spark
            "c1|rect:#0f0:20x20#1": (50, 50, 20, 20),  # wraps around below
            "c1|rect:#00f:20x20#1": (900, 50, 20, 20),  # leaves the canvas
            "d|div#hud": (100, 100, 34, 34),  # a DOM element: not drawn on the canvas
            "c1|rect:#aaa:20x20#1": (200, 300, 20, 20),  # hovers: 3 px/s of jitter
        },
        1.0,
    )
    b = drawn(
        {
            DRONE: (120, 100, 34, 34),
            "c1|rect:#e55:34x34#2": (500, 200, 34, 34),
            "c1|rect:#1d4250:900x300#1": (-30, 240, 900, 300),
            "c1|text:Score 0:80x20#1": (10, 20, 80, 20),
            "c1|rect:#fff:2x2#1": (310, 300, 2, 2),
            "c1|rect:#0f0:20x20#1": (850, 50, 20, 20),
            "c1|rect:#00f:20x20#1": (1000, 50, 20, 20),
            "d|div#hud": (140, 100, 34, 34),
            "c1|rect:#aaa:20x20#1": (201.5, 300, 20, 20),
        },
        1.5,
    )
    found = targets(a, b, CANVAS)
    assert [t.key for t in found] == [DRONE]
    assert (found[0].x, found[0].y) == (round(120 + 17 + 40 * LEAD_S), 117)  # 40 px/s, led


def gallery(x: float, at_s: float, score: int = 0) -> PageView:
    view = hud(f"Score: {score}")
    view.scene = [[DRONE, [x, 100, 34, 34, 0]], ["c1|rect:#9cd:40x24#1", [430, 466, 40, 24, 0]]]
    view.scene_at = at_s
    return view


def test_with_no_lead_part_of_play_aims_at_a_thing_moving_by_itself() -> None:
    play = Play()
    seek = seeker(play)
    play.look(gallery(100, 1.0))
    play.look(gallery(120, 1.5))
    choices = [seek.choose(gallery(120, 1.5)) for _ in range(60)]
    aimed = [c for c in choices if c is not None]
    assert all(isinstance(c, ClickAt) and c.label == AIM_LABEL and c.y == 117 for c in aimed)
    assert 0.15 < len(aimed) / len(choices) < 0.55  # AIM_SHARE of the varied play, seeded
    assert arm_key(aimed[0]) == "aim"


def test_near_miss_nothing_moving_by_itself_means_no_aim() -> None:
    play = Play()
    seek = seeker(play)
    play.look(gallery(100, 1.0))
    play.look(gallery(100, 1.5))  # the drone hovers in place; the gun never moves
    assert all(seek.choose(gallery(100, 1.5)) is None for _ in range(40))


def test_an_aimed_click_that_scored_is_repeated_at_where_the_thing_is_now() -> None:
    play = Play()
    seek = seeker(play)
    x, t = 100.0, 1.0
    play.look(gallery(x, t))
    score = 0
    for _ in range(3):  # three aimed clicks, each downs a drone
        x, t = x + 20, t + 0.5
        play.look(gallery(x, t, score))
        shot = ClickAt(x=x + 17, y=117, label=AIM_LABEL)
        score += 1
        play.act(shot, gallery(x, t + 0.2, score))
        seek.learn(shot)
    play.look(gallery(600, t + 1.0, score))
    play.look(gallery(640, t + 1.5, score))  # the next drone, far from the last shot
    choices = [c for c in (seek.choose(gallery(640, t + 1.5, score)) for _ in range(20)) if c is not None]
    assert len(choices) >= 12  # the lead, most of the time
    assert all(isinstance(c, ClickAt) and c.x > 600 for c in choices)


# ------------------------------------------------------------------------------------------ firing
def fire_screen(steps: list[tuple[Any, int]]) -> Any:
    """A turret screen after these inputs, each with how many more things it left drawn."""
    play = Play()
    seek = seeker(play)
    screen = hud("Score: 0")
    play.look(screen)
    for action, appeared in steps:
        play.act(action, screen, appeared=appeared)
        seek.learn(action)
        play.look(screen)
    return seek


def test_the_key_after_which_new_things_appear_gets_bursts() -> None:
    # Space leaves shells in the air; the turns redraw the barrel (one gone, one new: no more things)
    seek = fire_screen(
        [
            (PressKey(key="ArrowRight", times=5), 0),
            (PressKey(key="Space", times=5), 3),
            (PressKey(key="ArrowLeft", times=5), 0),
            (MovePointer(points=[(100, 100), (300, 100)]), 0),
        ]
    )
    choices = [seek.choose(hud("Score: 0")) for _ in range(60)]
    bursts = [c for c in choices if isinstance(c, PressKey)]
    assert bursts and all(c == PressKey(key="Space", times=FIRE_BURST) for c in bursts)
    assert 0.1 < len(bursts) / len(choices) < 0.45  # FIRE_SHARE of the varied play


def test_near_miss_things_that_appear_after_any_input_are_the_game_spawning() -> None:
    seek = fire_screen(
        [
            (PressKey(key="ArrowRight", times=5), 2),
            (PressKey(key="Space", times=5), 2),
            (ClickAt(x=300, y=200, label="canvas"), 1),
            (MovePointer(points=[(100, 100), (300, 100)]), 2),
        ]
    )
    assert all(seek.choose(hud("Score: 0")) is None for _ in range(40))


# ------------------------------------------------------------------------------------------ level select
def test_a_level_one_action_skips_through_is_a_level_select_not_progress() -> None:
    play = Play()
    seek = seeker(play)
    play.look(hud("Level 1", "Score: 0"))
    skip = PressKey(key="ArrowRight", times=3)
    gain = play.act(skip, hud("Level 4", "Score: 0"))  # three levels in one action
    seek.learn(skip)
    assert gain.rises == [] and play.tracker.first_progress is None
    play.look(hud("Level 4", "Score: 0"))
    drum = PressKey(key="Space", times=5)
    gain = play.act(drum, hud("Level 4", "Score: 50"))
    seek.learn(drum)
    assert [play.tracker.counters[k].name for k in gain.rises] == ["score"]
    play.look(hud("Level 4", "Score: 50"))
    back = PressKey(key="ArrowLeft")
    play.act(back, hud("Level 3", "Score: 0"))  # one back: a select, whatever it did before
    seek.learn(back)
    assert seek.best_arm(play.tracker.acted_on) is not None
    assert seek.best_arm(play.tracker.acted_on).action == drum  # the lead is drumming, not picking levels
    assert [c.name for c in play.tracker.progress.counters] == ["score"]  # no "level 1 -> 4" in the report
    assert [s.name for s in play.tracker.progress.screens] == ["play, level 1", "play"]


def test_near_miss_a_level_played_through_and_one_lost_with_a_life_stay_levels() -> None:
    play = Play()
    play.look(hud("Level 1", "Lives: 3"))
    gain = play.act(HoldKey(key="ArrowRight", ms=1000), hud("Level 2", "Lives: 3"))  # the exit reached
    assert [play.tracker.counters[k].name for k in gain.rises] == ["level"]
    play.look(hud("Level 2", "Lives: 3"))
    gain = play.act(PressKey(key="Space"), hud("Level 1", "Lives: 2"))  # died: back to the start
    assert gain.lost
    play.look(hud("Level 1", "Lives: 2"))
    gain = play.act(HoldKey(key="ArrowRight", ms=1000), hud("Level 2", "Lives: 2"))
    assert [play.tracker.counters[k].name for k in gain.rises] == ["level"]
