"""Progress signals and the seeker's action choice, on recorded screens with an injected clock (no browser).

Each screen is a PageView as the detector reports it (DOM text, canvas text, the state hook); time is
the `at_s` each look carries, so nothing sleeps.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from pytest_gameqa.agent.actions import Action, ClickAt, HoldKey, PressKey
from pytest_gameqa.agent.policy import HeuristicPolicy, Phase
from pytest_gameqa.agent.progress import ProgressTracker, readings
from pytest_gameqa.agent.reach import Reaction, Sample
from pytest_gameqa.agent.scene import Change, SceneReaction
from pytest_gameqa.agent.seek import KEEP_MOVING_HOLD_MS, Seeker, arm_key, seek_enabled
from pytest_gameqa.dom.detector import DrawnText, PageView
from pytest_gameqa.models import ActionResult, BoundingBox, ObserveResult, TestRecord


def hud(*texts: str, state: dict[str, Any] | None = None, canvas: bool = True) -> PageView:
    """A game screen: text drawn on its canvas (fillText), optionally a state hook."""
    drawn = [
        DrawnText(text=t, bbox=BoundingBox(x=10, y=10 + 30 * i, width=200, height=24)) for i, t in enumerate(texts)
    ]
    candidates = []
    if canvas:
        box = BoundingBox(x=0, y=0, width=960, height=540)
        candidates.append(ObserveResult(description="the game canvas", kind="canvas", bbox=box))
    return PageView(drawn=drawn, state=json.dumps(state) if state else None, candidates=candidates)


def title(text: str = "Press Enter to start") -> PageView:
    box = BoundingBox(x=400, y=300, width=160, height=40)
    button = ObserveResult(description=f"click {text!r}", kind="button", text=text, bbox=box)
    return PageView(screen_text=text, candidates=[button])


class Clock:
    """A fake clock: looks and actions are stamped with it; a test advances it by hand."""

    def __init__(self) -> None:
        self.t = 1.0

    def __call__(self, seconds: float = 0.0) -> float:
        self.t += seconds
        return self.t


class Play:
    """Feeds a tracker as the agent does: an idle look before each action, then the action's after look."""

    def __init__(self, tracker: ProgressTracker | None = None) -> None:
        self.tracker = tracker or ProgressTracker()
        self.clock = Clock()
        self.index = 0
        self.last: Sample | None = None

    def look(self, view: PageView, gap: float = 0.2) -> Sample:
        sample = Sample.of(view, None, self.clock(gap))
        self.tracker.observe(sample)
        self.last = sample
        return sample

    def act(
        self,
        action: Action | str,
        after: PageView,
        *,
        took: float = 1.0,
        moved: bool = True,
        entered: bool = True,
        changes: Sequence[Change] = (),
        appeared: int = 0,
    ):
        assert self.last is not None, "look first"
        self.index += 1
        name = action if isinstance(action, str) else action.describe()
        result = ActionResult(
            index=self.index,
            description=name,
            ok=True,
            at_s=self.clock(),
            before=f"{self.index:02d}-before.jpg",
            after=f"{self.index:02d}-after.jpg",
        )
        after_sample = Sample.of(after, None, self.clock(took))
        input_name = name if isinstance(action, str) else action.input_name
        scene = SceneReaction(changes=list(changes), appeared=appeared)
        gain = self.tracker.after_action(
            self.last, after_sample, result, moved=moved, entered=entered, input_name=input_name, scene=scene
        )
        self.last = after_sample
        return gain


# ------------------------------------------------------------------------------------------ readings
def test_numbers_are_named_by_the_words_beside_them() -> None:
    sample = Sample.of(hud("Level 2", "Distance: 120 m", "Time: 7", "12 coins"), None, 1.0)
    named = {name: value for name, value, _source in readings(sample).values()}
    assert named == {"level": 2, "distance": 120, "time": 7, "coins": 12}


def test_state_hook_numbers_are_read_and_prose_is_not() -> None:
    prose = "You walk into a long dark hall with 3 doors, 2 windows, 5 chairs, 4 lamps and 1 table in it"
    sample = Sample.of(hud(prose, state={"phase": "playing", "score": 30, "player": {"x": 5.5}}), None, 1.0)
    named = {name: (value, source) for name, value, source in readings(sample).values()}
    assert named == {"score": (30, "state"), "x": (5.5, "state")}


# ------------------------------------------------------------------------------------------ counters
def test_a_number_input_raises_is_progress_and_a_clock_is_not() -> None:
    play = Play()
    distance, clock = 0, 0
    play.look(hud("Distance: 0 m", "Time: 0"))
    for step in range(6):
        distance += 100
        clock += 1
        gain = play.act(HoldKey(key="ArrowRight", ms=1000), hud(f"Distance: {distance} m", f"Time: {clock}"))
        assert any(play.tracker.counters[k].name == "distance" for k in gain.rises)
        if step % 2:  # the clock also ticks while the player is not acting
            clock += 1
        play.look(hud(f"Distance: {distance} m", f"Time: {clock}"), gap=0.5)
    moved = {c.name: (c.first, c.best) for c in play.tracker.moved_counters()}
    assert moved == {"distance": (0, 600)}
    progress = play.tracker.progress
    assert [(c.name, c.first, c.best, c.first_rise_by) for c in progress.counters] == [
        ("distance", 0, 600, "hold ArrowRight 1000ms")
    ]


def test_a_number_every_input_raises_alike_is_time_passing() -> None:
    play = Play()
    play.look(hud("Ticks: 0"))
    for i, key in enumerate(["ArrowUp", "Space", "ArrowLeft", "x", "Enter", "ArrowDown"], start=1):
        play.act(PressKey(key=key), hud(f"Ticks: {i}"), took=0.5)
        play.look(hud(f"Ticks: {i}"), gap=0.1)
    assert play.tracker.moved_counters() == []


def test_a_level_rise_counts_even_between_actions_and_names_a_new_screen() -> None:
    play = Play()
    play.look(title())
    play.act(PressKey(key="Enter"), hud("Level 1", "Distance: 0 m"))  # entry: its screen is not progress
    assert play.tracker.first_progress_s is None
    play.look(hud("Level 1", "Distance: 0 m"))
    play.act(HoldKey(key="ArrowRight", ms=1000), hud("Level 1", "Distance: 420 m"))
    first = play.tracker.first_progress_s
    assert first is not None and "distance" in (play.tracker.first_progress or "")
    play.look(hud("Level 2", "Distance: 0 m"), gap=0.8)  # the next level starts by itself
    play.act(PressKey(key="ArrowRight"), hud("Level 2", "Distance: 4 m"))
    progress = play.tracker.progress
    assert [s.name for s in progress.screens] == ["Press Enter to start", "play, level 1", "play, level 2"]
    # each screen keeps the screenshot that first showed it: an action's after-shot, or (seen between
    # two actions) the next action's before-shot
    assert [(s.action, s.screenshot) for s in progress.screens] == [
        (None, "01-before.jpg"),
        ("press Enter", "01-after.jpg"),
        ("hold ArrowRight 1000ms", "03-before.jpg"),
    ]
    assert [(c.name, c.first, c.best) for c in progress.counters] == [("level", 1, 2), ("distance", 0, 420)]
    assert progress.first_progress_s == first


def test_game_over_is_a_loss_and_a_restart_a_new_round_not_progress() -> None:
    play = Play()
    play.look(hud("Time left: 6", "Lives: 2"))
    play.act(PressKey(key="Space"), hud("Time left: 5", "Lives: 1"))
    assert play.tracker.last_gain.lost  # a life went
    play.look(hud("Time left: 5", "Lives: 1"))
    gain = play.act(PressKey(key="Space"), hud("Game over", "Try again", "Time left: 4"))
    assert gain.lost and play.tracker.game_over
    play.look(hud("Game over", "Try again", "Time left: 4"))
    gain = play.act("click 'Try again'", hud("Time left: 6", "Lives: 2"))
    assert gain.rises == [] and not gain.lost  # the numbers were reset, not raised
    assert play.tracker.rounds == 2
    assert [s.name for s in play.tracker.progress.screens] == ["play", "game over"]


def test_progress_survives_the_record_and_its_path_rewrite() -> None:
    play = Play()
    play.look(hud("Score: 0"))
    play.act(PressKey(key="Space"), hud("Score: 10"))
    record = TestRecord(nodeid="t", url="u", started_at="2026-12-03T00:00:00+00:00", duration_s=1.0)
    record.progress = play.tracker.progress
    moved = TestRecord.of(record.to_json()).map_paths(lambda p: "shots/" + p)
    assert moved.progress is not None
    assert [s.screenshot for s in moved.progress.screens] == ["shots/01-before.jpg"]
    assert moved.progress.counters[0].name == "score"


# ------------------------------------------------------------------------------------------ the seeker
def seeker(play: Play, seed: int = 3) -> Seeker:
    return Seeker(seed, play.tracker)


def test_the_input_that_scored_is_repeated_most_of_the_time() -> None:
    play = Play()
    seek = seeker(play)
    score = 0
    play.look(hud("Score: 0"))
    for key in ("ArrowLeft", "Space", "ArrowUp"):
        score += 10 if key == "Space" else 0
        action = PressKey(key=key, times=3)
        play.act(action, hud(f"Score: {score}"))
        seek.learn(action)
        play.look(hud(f"Score: {score}"))
    choices = [seek.choose(hud(f"Score: {score}")) for _ in range(40)]
    repeats = [c for c in choices if c == PressKey(key="Space", times=3)]
    assert 25 <= len(repeats) <= 36  # about 1 - EXPLORE_SHARE: the rest is left to the varied play
    assert all(c is None or c in repeats for c in choices)


def test_the_same_seed_and_screens_give_the_same_choices() -> None:
    def run(seed: int) -> list[str]:
        play = Play()
        seek = seeker(play, seed)
        play.look(hud("Score: 0"))
        play.act(PressKey(key="Space"), hud("Score: 10"))
        seek.learn(PressKey(key="Space"))
        play.look(hud("Score: 10"))
        return [str(seek.choose(hud("Score: 10"))) for _ in range(30)]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_a_direction_is_held_while_the_distance_keeps_rising_then_let_go() -> None:
    play = Play()
    seek = seeker(play)
    play.look(hud("Distance: 0 m"))
    play.act(PressKey(key="ArrowRight", times=5), hud("Distance: 20 m"))
    seek.learn(PressKey(key="ArrowRight", times=5))
    play.look(hud("Distance: 20 m"))
    held = seek.choose(hud("Distance: 20 m"))
    assert held == HoldKey(key="ArrowRight", ms=1000)
    play.act(held, hud("Distance: 120 m"))
    seek.learn(held)
    play.look(hud("Distance: 120 m"))
    assert seek.choose(hud("Distance: 120 m")) == held  # still rising: keep holding
    play.act(held, hud("Distance: 120 m"), moved=False)  # a wall: nothing rose
    seek.learn(held)
    assert seek.holding is None


def test_a_direction_that_only_runs_the_clock_is_not_held() -> None:
    play = Play()
    seek = seeker(play)
    play.look(hud("Time: 0"))
    for i, key in enumerate(["Space", "ArrowUp", "Enter", "x"], start=1):  # time passes with any input
        play.act(PressKey(key=key), hud(f"Time: {i}"))
        seek.learn(PressKey(key=key))
        play.look(hud(f"Time: {i}"))
    assert seek.choose(hud("Time: 4")) is None  # neither held nor repeated: it raised only the time
    assert seek.holding is None


def test_after_a_round_that_went_nowhere_it_keeps_moving_and_turns_at_a_wall() -> None:
    play = Play()
    seek = seeker(play)
    play.look(hud("Round 1"))
    for key in ("ArrowLeft", "Space"):  # round 1: it moves left once, then stands and is hit
        action = PressKey(key=key, times=3)
        over = key == "Space"
        play.act(action, hud("Game over", "Round 1") if over else hud("Round 1"), moved=True)
        seek.learn(action)
        play.look(hud("Game over", "Round 1") if over else hud("Round 1"))
    assert seek.choose(hud("Game over", "Round 1")) is None  # the policy restarts
    restart = ClickAt(x=480, y=300, label="Try again")
    play.act(restart, hud("Round 1"))
    seek.learn(restart)
    assert seek.approach == "keep moving"
    play.look(hud("Round 1"))
    first = seek.choose(hud("Round 1"))
    assert first == HoldKey(key="ArrowLeft", ms=KEEP_MOVING_HOLD_MS)  # the direction that moved the game
    play.act(first, hud("Round 1"), moved=False)  # nothing seen to move: maybe hidden by the rocks
    seek.learn(first)
    play.look(hud("Round 1"))
    assert seek.choose(hud("Round 1")) == first  # keep going
    play.act(first, hud("Round 1"), moved=False)
    seek.learn(first)
    play.look(hud("Round 1"))
    assert seek.choose(hud("Round 1")) == first  # and once more (STILL_LIMIT)
    play.act(first, hud("Round 1"), moved=False)  # still nothing: a wall
    seek.learn(first)
    play.look(hud("Round 1"))
    assert seek.choose(hud("Round 1")) == HoldKey(key="ArrowRight", ms=KEEP_MOVING_HOLD_MS)  # turned around


def test_arms_are_per_screen_and_per_kind_of_input() -> None:
    assert arm_key(PressKey(key="Space", times=2)) == arm_key(PressKey(key="Space", times=5)) == "press Space"
    assert arm_key(HoldKey(key="Space", ms=200)) != arm_key(PressKey(key="Space"))
    assert arm_key(ClickAt(x=10, y=10)) == arm_key(ClickAt(x=100, y=150)) != arm_key(ClickAt(x=900, y=10))


@pytest.mark.parametrize(("value", "on"), [(None, True), ("on", True), ("off", False), ("0", False), ("No", False)])
def test_seeking_can_be_turned_off_for_a_before_and_after(value: str | None, on: bool) -> None:
    assert seek_enabled({} if value is None else {"GAMEQA_SEEK": value}) is on


def test_the_policy_asks_the_seeker_once_in_and_tells_it_each_outcome() -> None:
    play = Play()
    policy = HeuristicPolicy(seed=1, viewport=(1280, 720))
    policy.seek = seeker(play)
    policy.entered, policy.phase = True, Phase.PLAY
    screen = hud("Distance: 0 m")
    play.look(screen)
    first = policy.next_action(screen)  # the usual sweep: nothing known yet
    assert isinstance(first, PressKey) and first.key in ("ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "Space")
    walked = first.key == "ArrowRight"
    after = hud("Distance: 20 m" if walked else "Distance: 0 m")
    play.act(first, after)
    policy.feedback(first, Reaction(texts=["distance: # m"] if walked else []), entered=True, hover_hits=[])
    play.look(after)
    second = policy.next_action(after)
    if walked:
        assert second == HoldKey(key="ArrowRight", ms=1000)
        assert "hold" in policy.last_reason
    else:
        assert isinstance(second, PressKey)  # the sweep goes on


def test_a_round_that_lasted_longer_keeps_its_approach_and_a_shorter_one_changes_it() -> None:
    play = Play()
    seek = seeker(play)

    def round_lasting(seconds: float, key: str) -> None:
        play.look(hud("Round 1"))
        action = HoldKey(key=key, ms=1000)
        play.act(action, hud("Round 1"), took=seconds - 0.5)
        seek.learn(action)
        play.look(hud("Round 1"))
        play.act(PressKey(key="Space"), hud("Game over"), took=0.5)
        seek.learn(PressKey(key="Space"))
        play.look(hud("Game over"))
        restart = ClickAt(x=480, y=300, label="Try again")
        play.act(restart, hud("Round 1"))
        seek.learn(restart)

    round_lasting(2.0, "ArrowUp")  # the first round went nowhere: another approach
    assert seek.approach == "keep moving"
    round_lasting(5.0, "ArrowLeft")  # as far, for longer: keep it
    assert seek.approach == "keep moving"
    round_lasting(3.0, "ArrowLeft")  # shorter than the best: next approach
    assert seek.approach == "explore"
    assert [n.split(";")[1].strip() for n in seek.notes] == ["next: keep moving", "next: keep moving", "next: explore"]


def test_the_model_player_reads_how_far_it_got() -> None:
    from pytest_gameqa.llm.policy import LLMPolicy
    from pytest_gameqa.llm.schema import Shot

    play = Play()
    play.look(title())
    play.act(PressKey(key="Enter"), hud("Level 1", "Distance: 0 m"))
    play.look(hud("Level 1", "Distance: 0 m"))
    play.act(HoldKey(key="ArrowRight", ms=1000), hud("Level 1", "Distance: 120 m"))
    facts = play.tracker.facts()
    assert "distance 0 -> 120" in facts and "'play, level 1'" in facts
    policy = LLMPolicy(client=None, goal="play")  # type: ignore[arg-type]  # the brief needs no client
    policy.progress_facts = facts
    shot = Shot(data=b"", width=640, height=360, scale=0.5, at_s=3.0)
    brief = policy._brief("play", hud("Level 1"), shot, [], True)
    assert "How far you got" in brief and "distance 0 -> 120" in brief
