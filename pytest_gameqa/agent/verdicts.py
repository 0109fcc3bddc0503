"""Verdicts at the end of a game test: what the gathered facts say is wrong, as issues to record.

Pure functions of plain data (the metrics, the settings, the heap samples of play, the reach facts):
no browser, no clock, no agent; the agent records what they return. Unit-tested in the fast tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..models import FATAL_KINDS, NEVER_FAILS, GameMetrics, Issue, IssueKind, MetricSample
from ..settings import GameSettings

#: memory-growth also needs this much growth in total, so short runs' GC sawtooth never trips it.
MIN_HEAP_GROWTH_MB = 30.0
#: fewer actions than this before play time ran out: the player may not have reached its later ways in
FEW_TRIES = 8


@dataclass(frozen=True)
class Finding:
    """One issue a verdict asks to record."""

    kind: IssueKind
    message: str


def few_tries_hint(actions: int, played_s: float) -> str:
    """Why a slow machine can fail a game it would enter: every try took seconds, and the time ran out
    before the clicks and sweeps that come after the keys (measured: 8 browsers on 2 cores, 4 tries in 11 s)."""
    if actions == 0:
        return f"; play time ran out after {played_s:.0f} s before the first try: give it more (--game-duration)"
    if actions >= FEW_TRIES or played_s / actions < 1.0:
        return ""
    return (
        f"; only {actions} tries in {played_s:.0f} s ({played_s / actions:.1f} s each: a slow or busy machine): "
        "more play time (--game-duration) or fewer parallel browsers may get in"
    )


def reach_verdict(
    *,
    entered: bool,
    asked_to_get_in: bool,
    issues: Sequence[Issue],
    not_entered_message: str,
    touch_only_page: bool,
    actions: int,
    played_s: float,
) -> Finding | None:
    """No silent pass: a game the player never got into fails with not-entered.

    Not when something fatal or a blank screen already says why (one defect, one issue), and not in
    a scripted test that never asked the player to play or to get in (`play()`, `--game-start`): a
    test that checks the title screen is not a smoke test of the game; its reach is still recorded.
    """
    if entered or not asked_to_get_in:
        return None
    # a lost WebGL context draws nothing more: nothing can show play after it (one defect, one issue)
    explained = (IssueKind.BLANK_SCREEN, IssueKind.TIMEOUT, IssueKind.WEBGL_CONTEXT_LOST)
    if any(i.kind in FATAL_KINDS or i.kind in explained for i in issues):
        return None
    message = not_entered_message
    if touch_only_page:
        message += "; the page listens to touch input only: try a touch device (--device 'Pixel 7')"
    return Finding(IssueKind.NOT_ENTERED, message + few_tries_hint(actions, played_s))


def metric_verdicts(metrics: GameMetrics, settings: GameSettings, heap: Sequence[MetricSample]) -> list[Finding]:
    """Frame rate, time to ready and heap growth against their limits; `heap` = the samples of play."""
    s = settings
    found: list[Finding] = []
    if s.min_fps and metrics.fps_avg is not None and metrics.fps_avg < s.min_fps:
        found.append(
            Finding(
                IssueKind.LOW_FPS,
                f"frame rate averaged {metrics.fps_avg:g} fps (lowest {metrics.fps_min:g}, 5th percentile "
                f"{metrics.fps_p5:g}), below --game-min-fps {s.min_fps:g}",
            )
        )
    # what a player waits for: from navigation until the game can be played, not just the load event
    if s.max_load_time and metrics.ready_s is not None and metrics.ready_s > s.max_load_time:
        found.append(
            Finding(
                IssueKind.LOAD_FAILURE,
                f"the game took {metrics.ready_s:.1f} s from navigation to ready to play (load event "
                f"{_secs(metrics.load_s)}, first frame {_secs(metrics.first_frame_s)}), "
                f"more than --game-max-load-time {s.max_load_time:g} s",
            )
        )
    growth = metrics.heap_growth_mb_per_s  # judged on play: after the way in and the network going quiet
    total = growth * (heap[-1].at_s - heap[0].at_s) if growth is not None and len(heap) >= 2 else 0.0
    # a rate alone would flag a short run's garbage-collection sawtooth: it must also add up
    if growth is not None and growth > s.max_heap_growth and total > MIN_HEAP_GROWTH_MB:
        found.append(
            Finding(
                IssueKind.MEMORY_GROWTH,
                f"the JS heap kept growing {growth:.1f} MB/s ({heap[0].heap_mb:.0f} -> "
                f"{heap[-1].heap_mb:.0f} MB in {heap[-1].at_s - heap[0].at_s:.0f} s of play), "
                f"above --game-max-heap-growth {s.max_heap_growth:g} MB/s",
            )
        )
    return found


def _secs(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f} s"


def failing_issues(issues: Sequence[Issue], settings: GameSettings) -> list[Issue]:
    """The issues that fail the test: not those that never fail, nor the kinds `--game-allow` lets pass."""
    allowed = set(settings.allow)
    if settings.model and settings.ai_verdict == "warn":
        allowed.add(IssueKind.AI_FINDING)  # a model's opinion reports, but fails only under "fail"
    return [i for i in issues if i.kind not in NEVER_FAILS and i.kind not in allowed]


def timeout_message(hard_timeout: float) -> str:
    """The timeout issue of a game test stopped at `--game-timeout`."""
    return f"the game test ran into its hard time limit of {hard_timeout:g} s (--game-timeout) and was stopped"
