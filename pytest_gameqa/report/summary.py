"""Terminal summary and JUnit properties: what a CI log or a JUnit viewer shows without opening the report."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from ..models import Issue, ResultsFile

#: JUnit viewers show properties as a flat list; past this many issues the rest is only counted.
MAX_ISSUE_PROPERTIES = 20
_MARKUP = {"passed": {"green": True}, "failed": {"red": True}, "error": {"red": True}, "skipped": {"yellow": True}}


def _kind(issue: Issue | Mapping[str, Any]) -> str:
    if isinstance(issue, Issue):
        return issue.kind.value
    return str(issue.get("kind"))


def kind_counts(issues: Iterable[Issue | Mapping[str, Any]]) -> dict[str, int]:
    """Distinct issues per kind (a message repeated 7 times is one issue), like the failure text counts."""
    counts: dict[str, int] = {}
    for issue in issues:
        kind = _kind(issue)
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def kinds_text(counts: Mapping[str, int], sep: str = ", ") -> str:
    return sep.join(f"{kind} x{n}" if n > 1 else kind for kind, n in counts.items()) or "no issues"


def issue_line(issue: Mapping[str, Any]) -> str:
    count = f" x{issue['count']}" if issue.get("count", 1) > 1 else ""
    where = f" @ {issue['location']}" if issue.get("location") else ""
    return f"{issue['kind']}{count} at {issue.get('at_s', 0):.2f}s: {issue.get('message', '')}{where}"


def _fmt(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def junit_properties(record: dict[str, Any]) -> list[tuple[str, str]]:
    """Key facts of one game as JUnit <property> pairs, so CI dashboards can chart them without the JSON."""
    issues = record.get("issues", [])
    metrics = record.get("metrics", {}) or {}
    props: list[tuple[str, str]] = [
        ("gameqa_verdict", str(record.get("outcome", "passed"))),
        ("gameqa_url", str(record.get("url", ""))),
        ("gameqa_actions", str(len(record.get("actions", [])))),
        ("gameqa_duration_s", f"{record.get('duration_s', 0):g}"),
        ("gameqa_issues", ",".join(f"{k}:{n}" for k, n in kind_counts(issues).items()) or "none"),
    ]
    for index, issue in enumerate(issues[:MAX_ISSUE_PROPERTIES], start=1):
        props.append((f"gameqa_issue_{index}", issue_line(issue)[:1000]))
    if len(issues) > MAX_ISSUE_PROPERTIES:
        props.append(("gameqa_issues_not_listed", str(len(issues) - MAX_ISSUE_PROPERTIES)))
    for key in (
        "load_s",
        "first_frame_s",
        "ready_s",
        "fps_avg",
        "fps_min",
        "long_frames",
        "heap_end_mb",
        "heap_growth_mb_per_s",
    ):
        value = _fmt(metrics.get(key))
        if value is not None:
            props.append((f"gameqa_{key}", value))
    if record.get("pairs_dropped"):
        props.append(("gameqa_pairs_dropped", str(record["pairs_dropped"])))
    llm = record.get("llm") or {}
    if llm.get("calls"):
        props.append(("gameqa_llm_calls", str(llm["calls"])))
        props.append(("gameqa_llm_tokens", str(llm.get("tokens", 0))))
        if llm.get("cost_usd") is not None:
            props.append(("gameqa_llm_cost_usd", f"{llm['cost_usd']:g}"))
    if record.get("artifacts_dir"):
        props.append(("gameqa_evidence", _relative(record["artifacts_dir"])))
    for kind, path in (record.get("files") or {}).items():
        if kind in ("trace", "video", "screenshot"):  # evidence.json and console.log sit in gameqa_evidence
            props.append((f"gameqa_{kind}", _relative(path)))
    return props


def _relative(path: str) -> str:
    """Relative to where pytest runs when inside it, so the value means the same on any CI machine."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def summary_line(record: Any) -> tuple[str, str]:
    """(verdict, rest) for one game: `FAILED`, `nodeid  4 actions  page-error x2  6.3 s`."""
    verdict = str(record.outcome).upper()
    parts = [
        record.nodeid,
        f"{len(record.actions)} action{'s' if len(record.actions) != 1 else ''}",
        kinds_text(kind_counts(record.issues)),
        f"{record.duration_s:.1f} s",
    ]
    if record.metrics.fps_avg is not None:
        parts.append(f"{record.metrics.fps_avg:g} fps")
    if record.pairs_dropped:
        parts.append(f"{record.pairs_dropped} screenshot pairs dropped")
    llm = record.llm
    if llm.calls or llm.cache_hits:
        cost = "cost unknown" if llm.cost_usd is None else f"${llm.cost_usd:.4f}"
        parts.append(f"model {llm.calls} calls, {llm.tokens} tokens, {cost}")
    return verdict, "  ".join(parts)


def write_summary(terminalreporter: Any, results: ResultsFile, results_path: str | None) -> None:
    """One line per game: verdict, actions, issues by kind, duration; then where the results file is."""
    if not results.tests:
        return
    count = len(results.tests)
    terminalreporter.write_sep("=", f"gameqa: {count} game{'s' if count != 1 else ''}")
    for record in results.tests:
        verdict, rest = summary_line(record)
        terminalreporter.write(f"{verdict:<7}", **_MARKUP.get(record.outcome, {}))
        terminalreporter.write_line(f" {rest}")
    if results_path:
        terminalreporter.write_line(f"gameqa results: {_relative(results_path)}")
