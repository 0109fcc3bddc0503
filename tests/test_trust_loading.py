"""Loading is not play: a heavy loader's stillness, busy chunks and allocations are judged against the
game's own readiness (loading text gone, main thread free), and the record says when and why.

The judging (monitor/loading.py) runs in the fast tier; the example games in real Chromium (e2e).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import GAMES, kinds, run_pytest

from pytest_gameqa.models import IssueKind, MetricSample
from pytest_gameqa.monitor.loading import ENTRY_LOOK_S, LOADING_HANG_S, LOADING_MAX_S, LoadingJudge, texts_of
from pytest_gameqa.monitor.monitor import GameMonitor
from pytest_gameqa.settings import GameSettings


class FakeClock:
    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.t = 0.0

    def now(self) -> float:
        return round(self.t, 3)


def _monitor() -> tuple[GameMonitor, FakeClock]:
    clock = FakeClock()
    return GameMonitor(GameSettings(url="http://127.0.0.1:1/"), clock, "http://127.0.0.1:1/"), clock  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ the judge
def test_loading_ends_when_its_text_is_gone_and_the_main_thread_is_free() -> None:
    judge = LoadingJudge()
    for step in range(40):  # 20 s of "Compiling shaders... NN%" in busy chunks, ready (the cap) at 15 s
        now = step * 0.5
        judge.note_frames(now, 450.0)
        judge.note_look(now, ["Track Day", f"Compiling shaders... {step * 5 // 2}%"], None, 15.0 if now >= 15 else None)
    assert judge.loading
    judge.note_frames(20.0, 16.0)
    judge.note_look(20.0, ["Lap 1 - arrows steer"], None, 15.0)  # the text went, the thread calms down
    assert judge.loading  # calm for less than a second so far
    judge.note_look(20.5, ["Lap 1 - arrows steer"], None, 15.0)
    assert not judge.loading and judge.ended_at == 20.0  # the first look that said nothing about loading
    record = judge.record()
    assert record.ended_at_s == 20.0
    assert record.why == (
        "'Compiling shaders... 97%' gone from the screen (last seen at 19.5 s), "
        "the main thread free again (its last long frame at 19.5 s)"
    )


def test_a_game_that_never_said_loading_is_loaded_when_ready() -> None:
    judge = LoadingJudge()
    judge.note_look(1.2, ["Skyhopper", "Start Game"], None, 1.0)
    assert judge.ended_at == 1.2 and "nothing on screen saying it was loading" in (judge.why or "")


@pytest.mark.parametrize(
    ("texts", "state", "loading"),
    [
        (["Downloading level 3"], None, True),
        (["Initialising physics"], None, True),
        (["Score 3"], '{"phase": "loading", "score": 0}', True),
        (["HP 80%", "Score 12"], '{"phase": "playing"}', False),  # a HUD percentage is not loading
        (["Level 1"], None, False),
    ],
)
def test_what_says_loading(texts: list[str], state: str | None, loading: bool) -> None:
    judge = LoadingJudge()
    judge.note_look(3.0, texts, state, ready_at=2.0)
    assert judge.loading is loading


def test_getting_in_or_a_word_that_never_goes_away_ends_loading() -> None:
    judge = LoadingJudge()
    judge.note_look(3.0, ["Loading music"], None, 2.0)
    judge.note_entered(9.5)
    judge.note_look(10.0, ["Loading music"], None, 2.0)  # still said on screen: the entry ended loading
    assert judge.ended_at == 9.5 and "the player got in at 9.5 s: its input" in (judge.why or "")
    busy = LoadingJudge()  # the page too busy for a look after the entry: the entry ended loading
    busy.note_look(3.0, ["Loading music"], None, 2.0)
    busy.note_entered(9.5)
    busy.note_time(9.5 + ENTRY_LOOK_S - 0.1, 2.0)
    assert busy.loading
    busy.note_time(9.5 + ENTRY_LOOK_S, 2.0)
    assert busy.ended_at == 9.5 and "its input changed the game" in (busy.why or "")
    stuck = LoadingJudge()
    stuck.note_look(3.0, ["Loading music"], None, 2.0)
    stuck.note_time(2.0 + LOADING_MAX_S - 1, 2.0)
    assert stuck.loading
    stuck.note_time(2.0 + LOADING_MAX_S, 2.0)
    assert not stuck.loading and "'Loading music'" in (stuck.why or "")


def test_an_entry_just_after_the_loader_went_credits_the_loader_going() -> None:
    """The loader was seen gone at 19.5 s and the player got in at 20.5 s, before `CALM_S` of calm had passed:
    loading ended when its text went (the entry only confirms it), not at the entry."""
    judge = LoadingJudge()
    judge.note_frames(18.8, 450.0)
    judge.note_look(18.8, ["Streaming track... 99%"], None, 15.0)
    judge.note_look(19.5, ["Lap 1"], None, 15.0)
    assert judge.loading  # calm for less than CALM_S
    judge.note_entered(20.5)
    judge.note_look(20.8, ["Lap 1"], None, 15.0)
    assert judge.ended_at == 19.5
    assert "'Streaming track... 99%' gone from the screen" in (judge.why or "")
    assert "main thread free again" in (judge.why or "") and "the player got in at 20.5 s" in (judge.why or "")
    late = LoadingJudge()  # no look between the loader going and the entry: the look after it says why
    late.note_look(18.8, ["Streaming track... 99%"], None, 15.0)
    late.note_entered(19.4)
    late.note_look(19.9, ["Lap 1"], None, 15.0)
    assert late.ended_at == 19.4 and "gone from the screen" in (late.why or "")


def test_malformed_reads_are_nothing() -> None:
    assert texts_of(None) == ([], None)
    assert texts_of({"dom": "A\n\nLoading\n", "drawn": ["PRESS N", None], "state": None}) == (
        ["A", "Loading", "PRESS N"],
        None,
    )


# ------------------------------------------------------------------------------------------ the monitor
def test_while_loading_no_frozen_frames_longer_hang_and_no_heap_judged() -> None:
    monitor, clock = _monitor()
    monitor.ready_at = 15.0
    monitor.loading.note_look(15.0, ["Streaming track... 70%"], None, 15.0)
    assert monitor._hang_limit() == max(LOADING_HANG_S, monitor.settings.hang_timeout)
    monitor._animated = True
    monitor.last_change_at = 1.0
    monitor.action_times = [16.0, 17.0, 18.0, 19.0]
    clock.t = 20.0
    monitor._check_frozen_frames(20.0)
    assert not monitor.fatal.is_set()
    for i in range(10):  # the track streams in: 15 MB/s while loading
        monitor.metrics.samples.append(MetricSample(at_s=15.0 + i * 0.5, heap_mb=50 + 7.5 * i))
        monitor._sample_quiet.append(True)
    assert monitor.play_heap_samples() == []
    assert monitor.finish_metrics().heap_growth_mb_per_s is None
    assert monitor.finish_metrics().loading.ended_at_s is None  # type: ignore[union-attr]


def test_after_loading_a_leak_counts_and_a_hang_has_its_usual_limit() -> None:
    """The near miss: loading over, the same growth is judged, and frozen frames are again."""
    monitor, clock = _monitor()
    monitor.ready_at = 4.0
    monitor.loading.note_look(4.5, ["Level 1"], None, 4.0)
    assert monitor.loading.ended_at == 4.5
    assert monitor._hang_limit() == monitor.settings.hang_timeout
    for i in range(20):
        at = 4.0 + i * 0.5
        monitor.metrics.samples.append(MetricSample(at_s=at, heap_mb=40 + 6 * i))
        monitor._sample_quiet.append(True)
    play = monitor.play_heap_samples()
    assert play[0].at_s == 4.5
    metrics = monitor.finish_metrics()
    assert metrics.heap_growth_mb_per_s == pytest.approx(12.0)
    assert metrics.loading is not None and metrics.loading.ended_at_s == 4.5
    monitor._animated = True
    monitor.last_change_at = 5.0
    monitor.action_times = [6.0, 7.0, 8.0, 9.0]
    monitor.loop.note(5.0, 0.5, 30, 0, 100)
    clock.t = 11.0
    monitor._check_frozen_frames(11.0)
    assert any(i.kind is IssueKind.FREEZE for i in monitor.issues)


def test_a_stall_while_loading_is_a_loading_stall_even_after_entry() -> None:
    monitor, clock = _monitor()
    monitor.ready_at = 2.0
    monitor.loading.note_look(2.5, ["Loading level"], None, 2.0)
    monitor.entered_at = None
    clock.t = 8.0
    monitor._note_stall(4.0, 2.0)
    assert monitor.metrics.stalls[0].phase == "loading"


# ------------------------------------------------------------------------------------------ example games
def _run(name: str, tmp_path: Path, duration: str) -> tuple[str, dict]:
    proc, results = run_pytest(["--game-url", str(GAMES / name), "--game-duration", duration], tmp_path, timeout=240)
    assert results is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    (test,) = results["tests"]
    return proc.stdout, test


@pytest.mark.e2e
def test_heavy_loader_with_a_long_shader_and_streaming_stall_passes(tmp_path: Path) -> None:
    """~18 s of shader compiles and track streaming in busy chunks (~90 MB kept), then a race."""
    out, test = _run("trust-heavy-loader", tmp_path, "25")
    assert kinds(test) == set() and test["outcome"] == "passed", out[-3000:]
    loading = test["metrics"]["loading"]
    assert loading["ended_at_s"] is not None and loading["ended_at_s"] >= 15.0, loading
    assert "gone from the screen" in loading["why"] and "main thread free" in loading["why"], loading
    # loading took longer than the readiness cap: the player started before it ended
    assert test["metrics"]["ready_s"] < loading["ended_at_s"]
    assert test["metrics"]["heap_max_mb"] - test["metrics"]["heap_start_mb"] > 30  # it did load a lot


@pytest.mark.e2e
def test_leak_after_a_short_load_is_still_memory_growth(tmp_path: Path) -> None:
    """The near miss: loading ends after ~4 s, then the race keeps ~12 MB/s: memory-growth."""
    out, test = _run("trust-loader-leak", tmp_path, "15")
    assert "memory-growth" in kinds(test), out[-3000:]
    loading = test["metrics"]["loading"]
    assert loading["ended_at_s"] is not None and loading["ended_at_s"] < 12, loading
