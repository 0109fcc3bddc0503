"""What one game measured, summed up: the heap of play (not of loading), the document's load marks, the
metrics of the record. A part of GameMonitor (its base class), kept apart so each file stays readable.
"""

from __future__ import annotations

import math
from typing import Any

from ..models import GameMetrics, MetricSample
from .loading import LoadingJudge
from .pagebudget import PageBudgetTally

#: a stall this soon after the way in is the level loading (its allocations are not a leak)
ENTRY_GRACE_S = 2.0


class Summary:
    """Heap samples of play, document marks and the finished metrics (mixed into GameMonitor)."""

    metrics: GameMetrics
    entered_at: float | None
    ready_at: float | None
    loading: LoadingJudge
    session: Any
    _sample_quiet: list[bool]
    _t0_unix: float
    _doc_origin: float | None
    _nav_at: float | None
    _doc_marks: dict[str, float]
    _page_budget: PageBudgetTally

    def _sync_loading(self) -> None:
        raise NotImplementedError  # GameMonitor._sync_loading

    def play_heap_samples(self) -> list[MetricSample]:
        """Heap samples of play: after the way in (or ready, if never entered), once the network went
        quiet, and after a level load the way in started (its stall and allocations are loading)."""
        start = self.entered_at if self.entered_at is not None else self.ready_at
        self._sync_loading()
        if start is None or self.loading.ended_at is None:
            return []  # still loading: its allocations are not a leak
        start = max(start, self.loading.ended_at)
        for stall in self.metrics.stalls:
            if stall.at_s <= start + ENTRY_GRACE_S or stall.phase == "loading":
                start = max(start, stall.at_s + stall.duration_s)
        samples = self.metrics.samples
        quiet = zip(samples, self._sample_quiet, strict=False)
        quiet_from = next((s.at_s for s, q in quiet if q and s.at_s >= start), None)
        if quiet_from is None:
            return []
        return [s for s in samples if s.at_s >= quiet_from and s.heap_mb is not None]

    def _note_document(self, event: dict[str, Any], now: float) -> None:
        """Place the game document's navigation start on our clock; keep its paint and load marks.

        `now - page_now` overestimates the start by the binding's delivery delay, so the smallest
        value seen is the best. A new document (retry, redirect) replaces the marks until the game
        is ready; later navigations (links, returns to the game) are not its loading.
        """
        origin, page_now = event.get("origin"), event.get("now")
        url = str(event.get("url") or "")
        if origin is None or page_now is None or url.startswith(("about:", "chrome-error:")):
            return
        if origin != self._doc_origin:
            if self.ready_at is not None and self._doc_origin is not None:
                return  # the game's first document can report after ready (a start screen shows at once)
            self._doc_origin, self._nav_at, self._doc_marks = origin, None, {}
        start = now - float(page_now) / 1000
        self._nav_at = start if self._nav_at is None else min(self._nav_at, start)
        for key in ("fcp", "loadEnd"):
            if event.get(key) is not None:
                self._doc_marks[key] = float(event[key])

    def finish_metrics(self) -> GameMetrics:
        m = self.metrics
        m.t0_unix_s = round(self._t0_unix, 3)
        m.page_budget = self._page_budget.budget
        self._sync_loading()
        m.loading = self.loading.record() if self.ready_at is not None else None
        nav = self._nav_at
        m.navigation_s = round(nav, 3) if nav is not None else None
        since_nav = (lambda t: round(max(0.0, t - nav), 3)) if nav is not None else (lambda t: t)
        if "loadEnd" in self._doc_marks:
            m.load_s = round(self._doc_marks["loadEnd"] / 1000, 3)
        elif self.session is not None and self.session.load_s is not None:
            m.load_s = since_nav(self.session.load_s)
        if "fcp" in self._doc_marks:
            m.first_frame_s = round(self._doc_marks["fcp"] / 1000, 3)
        m.ready_s = since_nav(self.ready_at) if self.ready_at is not None else None
        fps = sorted(s.fps for s in m.samples if s.fps is not None)
        if fps:
            m.fps_avg = round(sum(fps) / len(fps), 1)
            m.fps_min = fps[0]
            m.fps_p5 = fps[max(0, math.ceil(len(fps) * 0.05) - 1)]  # nearest rank
        heap = [(s.at_s, mb) for s in m.samples if (mb := s.heap_mb) is not None]
        if len(heap) >= 2:
            m.heap_start_mb, m.heap_end_mb = heap[0][1], heap[-1][1]
            m.heap_max_mb = max(v for _, v in heap)
        # growth is judged on play, not on loading bursts (see play_heap_samples)
        play = [(s.at_s, s.heap_mb) for s in self.play_heap_samples() if s.heap_mb is not None]
        m.heap_growth_mb_per_s = _slope(play) if len(play) >= 2 else None
        return m


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares MB/s: one garbage collection at either end cannot fake or hide a trend."""
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var <= 0:
        return None
    return round(sum((t - mean_t) * (v - mean_v) for t, v in points) / var, 3)
