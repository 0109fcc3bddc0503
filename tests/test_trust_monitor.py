"""Trustworthy monitor verdicts: busy is not hung, a stopped timer loop is frozen, small text is not blank,
a loading burst is not a leak, and a game navigating to a broken page is a load failure, not a freeze.

Browser and subprocess tests carry the `e2e` marker; the rest are pure unit tests.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from helpers import GAMES, kinds, run_pytest

from pytest_gameqa.models import IssueKind, MetricSample, Stall
from pytest_gameqa.monitor.frozen import LoopClock, frozen_message
from pytest_gameqa.monitor.monitor import GameMonitor
from pytest_gameqa.monitor.pixels import Thumbnail, decode_png
from pytest_gameqa.settings import GameSettings

e2e = pytest.mark.e2e


# ------------------------------------------------------------------------------------------ helpers
class FakeClock:
    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.t = 0.0

    def now(self) -> float:
        return round(self.t, 3)


def _monitor(*, loaded: bool = True) -> tuple[GameMonitor, FakeClock]:
    """A monitor on a fake clock; `loaded`: the game's loading already over at 0 s (nothing said loading)."""
    clock = FakeClock()
    monitor = GameMonitor(GameSettings(url="http://127.0.0.1:1/"), clock, "http://127.0.0.1:1/")  # type: ignore[arg-type]
    if loaded:
        monitor.loading.note_look(0.0, [], None, ready_at=0.0)
    return monitor, clock


def _image(width: int, height: int, background: bytes, marks: list[tuple[int, int, int, int, bytes]]) -> Thumbnail:
    """A synthetic RGB screen: `background` with rectangles (x, y, w, h, colour)."""
    px = bytearray(background * (width * height))
    for x0, y0, w, h, colour in marks:
        for y in range(y0, min(height, y0 + h)):
            for x in range(x0, min(width, x0 + w)):
                px[(y * width + x) * 3 : (y * width + x) * 3 + 3] = colour
    return Thumbnail(width, height, 3, bytes(px))


def _text_page(width: int = 640, height: int = 360) -> Thumbnail:
    """White page full of small light-grey buttons, each with a few dark-grey strokes of 6 px "text"
    (12 px text at the detail scale of 0.5)."""
    marks = []
    for y in range(4, height - 12, 14):
        for x in range(4, width - 30, 33):
            marks.append((x, y, 29, 10, b"\xf6\xf6\xf6"))
            for k in range(5):
                marks.append((x + 3 + k * 5, y + 2, 3, 6, b"\x55\x55\x55"))
    return _image(width, height, b"\xff\xff\xff", marks)


def _png_up(thumb: Thumbnail) -> bytes:
    """Encode as Chromium does: every row with the "Up" filter."""
    stride = thumb.width * 3
    rows = b""
    prev = bytes(stride)
    for y in range(thumb.height):
        row = thumb.pixels[y * stride : (y + 1) * stride]
        rows += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(row, prev, strict=True))
        prev = row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", thumb.width, thumb.height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# ------------------------------------------------------------------------------------------ blank means blank
def test_white_page_with_small_text_is_not_flat() -> None:
    page = _text_page()
    assert not page.is_flat()
    # even with the text alone (no button backgrounds): 6 px strokes on white are content
    ink = [(x, y, 3, 6, b"\x55\x55\x55") for x in range(8, 600, 40) for y in (8, 40)]
    strokes = _image(640, 360, b"\xff\xff\xff", ink)
    assert not strokes.is_flat() and strokes.colour() == "#ffffff"


def test_pure_white_and_black_screens_are_flat() -> None:
    assert _image(640, 360, b"\xff\xff\xff", []).is_flat()
    assert _image(160, 90, b"\x00\x00\x00", []).is_flat()


def test_flat_means_nearly_every_pixel_one_colour() -> None:
    # a 3x3 cursor on a blank canvas is still blank; a line of text is not
    assert _image(640, 360, b"\x00\x00\x00", [(300, 200, 3, 3, b"\xff\xff\xff")]).is_flat()
    assert not _image(640, 360, b"\xff\xff\xff", [(10, 10, 200, 6, b"\x55\x55\x55")]).is_flat()
    # the background is the dominant colour, not whatever the top-left pixel is
    framed = _image(640, 360, b"\x10\x10\x10", [(0, 0, 2, 2, b"\xff\x00\x00")])
    assert framed.is_flat() and framed.colour() == "#101010"


def test_up_filtered_png_decodes_exactly() -> None:
    page = _text_page(96, 40)
    assert decode_png(_png_up(page)).pixels == page.pixels


# ------------------------------------------------------------------------------------------ stalls and heap
def test_stall_is_measured_as_a_warning_with_its_phase() -> None:
    monitor, clock = _monitor()
    clock.t = 8.0
    monitor.on_probe_event({"type": "stats", "top": False, "dt": 5.5, "stalls": [{"ago": 5.1, "duration": 4.2}]})
    # the same stall seen by another frame's probe is one stall
    monitor.on_probe_event({"type": "stats", "top": False, "dt": 0.5, "stalls": [{"ago": 5.0, "duration": 4.1}]})
    (stall,) = monitor.metrics.stalls
    assert stall.duration_s == pytest.approx(4.2) and stall.at_s == pytest.approx(2.9) and stall.phase == "loading"
    (issue,) = monitor.issues
    assert issue.kind is IssueKind.WARNING
    assert issue.message == "the main thread was busy for 4.2 s at 2.9 s while loading"
    monitor.entered_at = 9.0
    clock.t = 14.0
    monitor.on_probe_event({"type": "stats", "top": False, "dt": 2.5, "stalls": [{"ago": 2.2, "duration": 1.5}]})
    assert [s.phase for s in monitor.metrics.stalls] == ["loading", "play"]
    assert not monitor.fatal.is_set()


def test_memory_growth_is_judged_on_play_not_on_the_level_load() -> None:
    monitor, _clock = _monitor()
    monitor.ready_at = 2.0
    monitor.entered_at = 4.0
    # a 5 s level load right at the way in, then ~60 MB more kept, then a flat heap
    monitor.metrics.stalls.append(Stall(at_s=4.2, duration_s=5.0, phase="play"))
    heap = [(2.5, 2.0), (3.0, 2.0), (3.5, 2.1), (4.0, 2.1), (9.5, 63.0), (10.0, 63.1), (10.5, 63.0), (11.0, 63.2)]
    heap += [(11.5 + i * 0.5, 63.1) for i in range(6)]
    for at, mb in heap:
        monitor.metrics.samples.append(MetricSample(at_s=at, heap_mb=mb))
        monitor._sample_quiet.append(at >= 3.0)
    play = monitor.play_heap_samples()
    assert play[0].at_s == 9.5
    metrics = monitor.finish_metrics()
    assert metrics.heap_growth_mb_per_s is not None and abs(metrics.heap_growth_mb_per_s) < 0.5
    assert metrics.heap_start_mb == 2.0 and metrics.heap_max_mb == 63.2  # the chart keeps everything


def test_steady_leak_still_counts() -> None:
    monitor, _clock = _monitor()
    monitor.ready_at = 1.0  # never entered: judged from ready + network quiet
    for i in range(20):
        at = 1.5 + i * 0.5
        monitor.metrics.samples.append(MetricSample(at_s=at, heap_mb=5 + 12.5 * i))
        monitor._sample_quiet.append(i >= 2)
    assert monitor.play_heap_samples()[0].at_s == 2.5
    assert monitor.finish_metrics().heap_growth_mb_per_s == pytest.approx(25.0)


# ------------------------------------------------------------------------------------------ frozen frames
def _frozen_run(
    *,
    loop_keeps_drawing: bool = False,
    static_ok: bool = False,
    timers: bool = True,
    entered: bool = False,
    ticks_per_half_s: int = 30,
    reactive: bool = True,
    loop_runs_without_draws: bool = False,
) -> GameMonitor:
    """A timer-driven game animates for 3 s, then its screen stops changing while the player acts
    (with `reactive`, an input that had changed the game before; else one that never did)."""
    monitor, clock = _monitor()
    monitor.ready_at = 0.0
    monitor.entered_at = 2.6 if entered else None
    monitor.reactive_inputs = ["ArrowLeft"]
    loop = {"timers": ticks_per_half_s, "frames": 0} if timers else {"timers": 0, "frames": 30}
    idle_loop = {**loop, "draws": 0} if loop_runs_without_draws else {"timers": 0, "frames": 0, "draws": 0}
    for step in range(40):  # 20 s in half-second steps
        clock.t = step * 0.5
        running = clock.t < 3.0 or loop_keeps_drawing
        stats = {**loop, "draws": 400} if running else idle_loop
        monitor.on_probe_event({"type": "stats", "top": False, "dt": 0.5, **stats})
        if clock.t >= 2.5:  # the title animates by itself first (changes with no input between), then play
            monitor.note_action("ArrowLeft" if reactive else "w")
        monitor.static_screen_ok = static_ok
        if step % 2 == 0:
            frame = bytes([min(int(clock.t * 10), 30)]) * 12  # changes until 3 s, then the same frame
            monitor._look(Thumbnail(2, 2, 3, frame), clock.t, flat=False)
        if monitor.fatal.is_set():
            break
    return monitor


@pytest.mark.parametrize("timers", [True, False], ids=["setTimeout-loop", "raf-loop"])
def test_loop_that_stops_is_frozen_whatever_drives_it(timers: bool) -> None:
    monitor = _frozen_run(timers=timers)
    (freeze,) = [i for i in monitor.issues if i.kind is IssueKind.FREEZE]
    assert 8.0 <= freeze.at_s <= 10.0
    # what stopped and when, and how many inputs since changed nothing
    assert freeze.message.startswith("the game stopped drawing at 2.5 s; "), freeze.message  # its last draws
    assert re.search(r"; \d+ inputs since changed nothing", freeze.message)


def test_slow_timer_loop_that_stops_is_frozen() -> None:
    """A snake ticking every 220 ms (2 timer callbacks a half second) is a loop too."""
    monitor = _frozen_run(ticks_per_half_s=2)
    (freeze,) = [i for i in monitor.issues if i.kind is IssueKind.FREEZE]
    assert "stopped drawing at 2.5 s" in freeze.message


def test_a_last_draw_heard_late_is_still_a_loop_that_stopped_drawing() -> None:
    """A snake's setTimeout chain stopped: its last tick drew at 7.7 s, but a busy machine delivered the
    probe's stats 1.5 s late, so the last draw was heard at 9.2 s, after the last change the looks saw.
    It stopped drawing. Near miss: a loop that still draws the same picture every frame kept redrawing."""
    late = LoopClock(last_timer_at=9.2, last_draw_at=9.2, seen=True, drew=True)
    common = {
        "now": 12.8,
        "last_change_at": 7.7,
        "busy_until": 0.0,
        "action_times": [8, 9, 10, 11, 12],
        "entered": True,
    }
    message = frozen_message(**common, loop=late, reactive_times=[3.0, 4.0, 8.5, 9.5, 10.5])
    assert message is not None and message.startswith("the game stopped drawing at 7.7 s; 5 inputs since")
    redrawing = LoopClock(last_frame_at=12.8, last_draw_at=12.8, seen=True, drew=True)
    message = frozen_message(**common, loop=redrawing, reactive_times=[3.0, 4.0, 8.5, 9.5, 10.5])
    assert message is not None and "stopped changing at 7.7 s while its loop kept redrawing" in message


def test_loop_redrawing_a_static_screen_is_not_frozen() -> None:
    """Before input has changed anything, a loop redrawing one picture is a still title or a board."""
    assert not _frozen_run(loop_keeps_drawing=True).fatal.is_set()


def test_loop_redrawing_one_picture_after_input_worked_is_frozen() -> None:
    """Once input had changed the game, a loop that still runs but whose picture no longer changes,
    whatever the player does, has stopped as a person sees it."""
    monitor = _frozen_run(loop_keeps_drawing=True, entered=True)
    (freeze,) = [i for i in monitor.issues if i.kind is IssueKind.FREEZE]
    assert "stopped changing at 3.0 s while its loop kept redrawing the same picture" in freeze.message
    assert "inputs that had changed the game before" in freeze.message


def test_loop_redrawing_one_picture_is_not_frozen_while_only_inputs_that_never_worked_go_on() -> None:
    """Near miss: a turn-based canvas board whose engine redraws every frame; clicks changed it, keys
    never did. Keys going on changing nothing is no freeze."""
    monitor = _frozen_run(loop_keeps_drawing=True, entered=True, reactive=False)
    assert not monitor.fatal.is_set()


def test_loop_that_runs_with_nothing_to_draw_is_not_frozen() -> None:
    """A same-game board whose engine draws only what changed: after the clicks that cleared tiles its loop
    keeps ticking and draws nothing while other inputs change nothing: idle by design, not frozen. Near
    miss: the loop itself stopping (a snake's timer) is frozen."""
    assert not _frozen_run(entered=True, loop_runs_without_draws=True).fatal.is_set()
    assert _frozen_run(entered=True).fatal.is_set()


def test_game_that_never_animated_by_itself_is_never_frozen() -> None:
    """A turn-based game draws on input only: still after input stops is not frozen."""
    monitor, clock = _monitor()
    monitor.ready_at = 0.0
    monitor.entered_at = 1.0
    for step in range(40):
        clock.t = step * 0.5
        monitor.on_probe_event({"type": "stats", "top": False, "dt": 0.5, "timers": 0, "frames": 0, "draws": 0})
        if clock.t >= 1.0:
            monitor.action_times.append(clock.t)  # inputs that change nothing
        if step % 2 == 0:
            monitor._look(Thumbnail(2, 2, 3, bytes([7]) * 12), clock.t, flat=False)
    assert not monitor.fatal.is_set()


def test_static_screen_the_player_recognised_is_not_frozen() -> None:
    assert not _frozen_run(static_ok=True).fatal.is_set()


def test_stall_is_not_frozen_frames() -> None:
    monitor, clock = _monitor()
    monitor.ready_at = 0.0
    monitor._animated = True
    monitor.last_change_at = 1.0
    monitor.action_times = [2.0, 3.0, 4.0, 5.0, 6.5, 6.7]
    monitor._busy_until = 6.4  # the page did not answer until 6.4 s
    clock.t = 7.0
    monitor._check_frozen_frames(7.0)
    assert not monitor.fatal.is_set()


# ------------------------------------------------------------------------------------------ example games
# trust-stall-loader (a stall, not a freeze), trust-timeout-loop (what stopped, when), broken-hang (within
# 10 s of the click), trust-nav-404 (names the page), healthy-turn-based (a still board is not frozen) and
# trust-light-menu (not blank) are checked on the example matrix's runs of them: tests/test_examples.py, MORE
def _run(name: str, tmp_path: Path, duration: str) -> tuple[str, dict]:
    proc, results = run_pytest(["--game-url", str(GAMES / name), "--game-duration", duration], tmp_path)
    assert results is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    (test,) = results["tests"]
    return proc.stdout, test


@e2e
def test_snake_whose_timer_loop_stops_after_the_first_arrow_is_frozen(tmp_path: Path) -> None:
    """A snake ticking every 220 ms on setTimeout stops 4 s after the first arrow key; the page answers."""
    out, test = _run("trust-snake-stops", tmp_path, "25")
    assert kinds(test) == {"freeze"}, out[-3000:]
    (freeze,) = [i for i in test["issues"] if i["kind"] == "freeze"]
    match = re.match(r"the game stopped drawing at ([\d.]+) s; (\d+) inputs since changed nothing", freeze["message"])
    assert match, freeze["message"]
    first_arrow = next(a["at_s"] for a in test["actions"] if "Arrow" in a["description"])
    assert first_arrow + 3.0 <= float(match.group(1)) <= first_arrow + 6.0, (first_arrow, freeze["message"])
    assert int(match.group(2)) >= 3


# ------------------------------------------------------------------------------------------ console
class _Console:
    """The three fields of Playwright's ConsoleMessage the monitor reads."""

    def __init__(self, type_: str, text: str) -> None:
        self.type, self.text, self.location = type_, text, {"url": "http://127.0.0.1:1/game.js", "lineNumber": 9}


def test_a_browser_intervention_on_touch_is_a_warning_not_the_games_console_error() -> None:
    monitor, _ = _monitor()
    intervention = (
        "[Intervention] Ignored attempt to cancel a touchstart event with cancelable=false, for example "
        "because scrolling is in progress and cannot be interrupted."
    )
    monitor._on_console(_Console("error", intervention))  # type: ignore[arg-type]
    monitor._on_console(_Console("error", "lane 3 has no speed"))  # type: ignore[arg-type]
    by_kind = {issue.kind: issue.message for issue in monitor.issues}
    assert by_kind[IssueKind.WARNING].startswith("browser intervention: [Intervention] Ignored attempt")
    assert by_kind[IssueKind.CONSOLE_ERROR] == "lane 3 has no speed"
