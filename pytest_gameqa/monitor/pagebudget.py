"""The harness side of the page's message budget (budget.js): what it dropped, said once, totalled.

The page drops console calls and uncaught errors past its per-second budget before they cross
DevTools (a flood of long messages otherwise costs the pytest process hundreds of MB and the run tens
of seconds). The probe reports the drops since its last stats record; this adds them up into
`metrics.page_budget` and keeps one warning whose message carries the running totals, so the report
says how much was dropped and that the counts of console errors are lower bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import Issue, IssueKind, PageBudget


class PageBudgetTally:
    def __init__(self, record: Callable[[IssueKind, str], Issue | None]) -> None:
        self._record = record
        self.budget: PageBudget | None = None
        self._warning: Issue | None = None

    def add(self, report: Any) -> None:
        """One probe report: `{"console": n, "pageerror": n, "limits": {...}}` dropped since the last one."""
        if not isinstance(report, dict):
            return
        try:
            console, errors = int(report.get("console") or 0), int(report.get("pageerror") or 0)
        except (TypeError, ValueError):
            return
        if console <= 0 and errors <= 0:
            return
        if self.budget is None:
            limits = report.get("limits") if isinstance(report.get("limits"), dict) else {}
            self.budget = PageBudget(
                console_errors_per_s=_int(limits.get("error")),
                console_other_per_s=_int(limits.get("other")),
                page_errors_per_s=_int(limits.get("pageerror")),
            )
        self.budget.console_dropped += max(0, console)
        self.budget.page_errors_dropped += max(0, errors)
        if self._warning is None:
            self._warning = self._record(IssueKind.WARNING, self.message())
        elif self._warning is not None:
            self._warning.message = self.message()

    def message(self) -> str:
        b = self.budget
        assert b is not None
        return (
            f"message flood: the page went over its budget ({b.console_errors_per_s} console.error, "
            f"{b.console_other_per_s} other console messages and {b.page_errors_per_s} page errors a second "
            f"per frame); {b.console_dropped:,} console messages and {b.page_errors_dropped:,} page errors "
            "were dropped in the page before they crossed, so console-error and page-error counts are lower bounds"
        )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
