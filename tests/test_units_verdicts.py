"""End-of-test verdicts on plain data: what a user reads as the reason a game test failed."""

from __future__ import annotations

from typing import Any

from pytest_gameqa.agent.verdicts import Finding, few_tries_hint, metric_verdicts, reach_verdict
from pytest_gameqa.models import GameMetrics, Issue, IssueKind, MetricSample
from pytest_gameqa.settings import GameSettings

NOT_IN = "never got past the start screen in 12 s: 'PRESS START' still shown; tried: press Enter"


def _reach(**overrides: Any) -> Finding | None:
    facts: dict[str, Any] = {
        "entered": False,
        "asked_to_get_in": True,
        "issues": [],
        "not_entered_message": NOT_IN,
        "touch_only_page": False,
        "actions": 12,
        "played_s": 12.0,
    }
    return reach_verdict(**(facts | overrides))


def test_a_game_never_entered_fails_not_entered_with_what_was_tried() -> None:
    assert _reach() == Finding(IssueKind.NOT_ENTERED, NOT_IN)


def test_an_entered_game_or_a_test_that_never_asked_to_get_in_has_no_reach_verdict() -> None:
    assert _reach(entered=True) is None
    assert _reach(asked_to_get_in=False) is None  # a scripted look at the title screen


def test_a_crash_or_a_blank_screen_is_the_one_reason_given() -> None:
    for kind in (IssueKind.CRASH, IssueKind.BLANK_SCREEN, IssueKind.TIMEOUT):
        assert _reach(issues=[Issue(kind=kind, message="x", at_s=1.0)]) is None
    assert _reach(issues=[Issue(kind=IssueKind.WARNING, message="x", at_s=1.0)]) is not None


def test_a_touch_only_page_says_which_device_to_try() -> None:
    found = _reach(touch_only_page=True)
    assert found is not None and found.message.endswith("try a touch device (--device 'Pixel 7')")


def test_not_entered_on_a_slow_machine_says_the_time_ran_out_before_the_later_ways_in() -> None:
    # 8 browsers on 2 cores: four key presses took 11 s and the clicks never came
    assert few_tries_hint(4, 11.0) == (
        "; only 4 tries in 11 s (2.8 s each: a slow or busy machine): more play time (--game-duration) "
        "or fewer parallel browsers may get in"
    )
    assert few_tries_hint(20, 11.0) == ""  # the player went through its ways in: the verdict stands alone
    assert few_tries_hint(5, 3.0) == ""  # quick tries: a short run, not a slow machine
    # loading and the idle looks took the whole play time: a pass here would be a silent one
    assert (
        few_tries_hint(0, 3.2) == "; play time ran out after 3 s before the first try: give it more (--game-duration)"
    )
    found = _reach(actions=0, played_s=3.2)
    assert found is not None and found.message.endswith("give it more (--game-duration)")


def test_a_frame_rate_below_the_limit_is_low_fps() -> None:
    metrics = GameMetrics(fps_avg=22.5, fps_min=9.0, fps_p5=12.0)
    (found,) = metric_verdicts(metrics, GameSettings(url="x", min_fps=30), [])
    assert found.kind is IssueKind.LOW_FPS
    assert found.message == "frame rate averaged 22.5 fps (lowest 9, 5th percentile 12), below --game-min-fps 30"
    assert metric_verdicts(metrics, GameSettings(url="x", min_fps=20), []) == []
    assert metric_verdicts(metrics, GameSettings(url="x"), []) == []  # no limit set: not judged


def test_a_slow_way_to_ready_is_a_load_failure_naming_its_timings() -> None:
    metrics = GameMetrics(ready_s=9.24, load_s=2.0)
    (found,) = metric_verdicts(metrics, GameSettings(url="x", max_load_time=5), [])
    assert found.kind is IssueKind.LOAD_FAILURE
    assert "took 9.2 s from navigation to ready to play (load event 2.0 s, first frame unknown)" in found.message
    assert metric_verdicts(GameMetrics(ready_s=4.0), GameSettings(url="x", max_load_time=5), []) == []


def _heap(mb_per_s: float, seconds: int) -> list[MetricSample]:
    return [MetricSample(at_s=float(t), heap_mb=20.0 + mb_per_s * t) for t in range(seconds + 1)]


def test_a_heap_that_keeps_growing_is_memory_growth() -> None:
    settings = GameSettings(url="x", max_heap_growth=5.0)
    (found,) = metric_verdicts(GameMetrics(heap_growth_mb_per_s=8.0), settings, _heap(8.0, 20))
    assert found.kind is IssueKind.MEMORY_GROWTH
    assert found.message.startswith("the JS heap kept growing 8.0 MB/s (20 -> 180 MB in 20 s of play)")


def test_a_short_run_s_garbage_collection_sawtooth_is_no_memory_growth() -> None:
    # a fast rate over 2 s adds up to 16 MB: below the total a leak must reach
    settings = GameSettings(url="x", max_heap_growth=5.0)
    assert metric_verdicts(GameMetrics(heap_growth_mb_per_s=8.0), settings, _heap(8.0, 2)) == []
    assert metric_verdicts(GameMetrics(heap_growth_mb_per_s=2.0), settings, _heap(2.0, 60)) == []
