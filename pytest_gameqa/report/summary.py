"""Terminal summary and JUnit properties for game tests (owned by the report work; see issue 4)."""

from __future__ import annotations

from typing import Any

from ..models import ResultsFile


def junit_properties(record: dict[str, Any]) -> list[tuple[str, str]]:
    """Key facts of one game as JUnit <property> pairs."""
    return []


def write_summary(terminalreporter: Any, results: ResultsFile, results_path: str | None) -> None:
    """One line per game: verdict, actions, issues by kind, duration."""
    return None
