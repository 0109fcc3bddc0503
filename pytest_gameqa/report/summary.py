"""Terminal summary and JUnit properties: what a CI log or a JUnit viewer shows without opening the report."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from ..models import Issue, Reach, ResultsFile

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


def reach_dict(reach: Reach | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A record's `reach` as a plain dict (from the model or from its JSON), None when not recorded."""
    if reach is None:
        return None
    if isinstance(reach, Reach):
        return reach.model_dump(mode="json")
    return dict(reach) if isinstance(reach, Mapping) else None


def _clip(text: Any, limit: int) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _entered(data: Mapping[str, Any]) -> str:
    at = data.get("entered_at_s")
    text = "entered" + (f" at {at:.1f} s" if at is not None else "")
    return text + (f" by {_clip(data['how'], 60)}" if data.get("how") else "")


def reach_short(reach: Reach | Mapping[str, Any] | None) -> str | None:
    """`entered at 2.3 s by press N` / `NOT entered` for the terminal line; None when not recorded."""
    data = reach_dict(reach)
    if data is None:
        return None
    return _entered(data) if data.get("entered") else "NOT entered"


def reach_long(reach: Reach | Mapping[str, Any] | None, max_tried: int = 8) -> str | None:
    """The report's sentence: how the player got in and what showed it, or what it tried and saw instead."""
    data = reach_dict(reach)
    if data is None:
        return None
    if data.get("entered"):
        text = "E" + _entered(data)[1:]
        if data.get("evidence"):
            text += f" \N{EM DASH} evidence: {_clip(data['evidence'], 300)}"
        return text
    details = []
    if data.get("evidence"):
        details.append(_clip(data["evidence"], 300))
    if data.get("start_text"):
        details.append(f"start screen '{_clip(data['start_text'], 80)}'")
    tried = [str(t) for t in data.get("tried") or []]
    if tried:
        more = f" and {len(tried) - max_tried} more" if len(tried) > max_tried else ""
        details.append("tried: " + ", ".join(_clip(t, 60) for t in tried[:max_tried]) + more)
    return "Not entered" + (": " + "; ".join(details) if details else "")


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
    reach = reach_dict(record.get("reach"))
    if reach is not None:
        props.append(("gameqa_entered", "true" if reach.get("entered") else "false"))
        if reach.get("entered_at_s") is not None:
            props.append(("gameqa_entered_at_s", f"{reach['entered_at_s']:g}"))
        if reach.get("how"):
            props.append(("gameqa_entered_by", str(reach["how"])[:1000]))
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
    """(verdict, rest) for one game: `FAILED`, `nodeid  4 actions  page-error x2  6.3 s  NOT entered`."""
    verdict = str(record.outcome).upper()
    parts = [
        record.nodeid,
        f"{len(record.actions)} action{'s' if len(record.actions) != 1 else ''}",
        kinds_text(kind_counts(record.issues)),
        f"{record.duration_s:.1f} s",
    ]
    if record.metrics.fps_avg is not None:
        parts.append(f"{record.metrics.fps_avg:g} fps")
    entered = reach_short(getattr(record, "reach", None))
    if entered:
        parts.append(entered)
    if record.pairs_dropped:
        parts.append(f"{record.pairs_dropped} screenshot pairs dropped")
    llm = record.llm
    if llm.calls or llm.cache_hits:
        cost = "cost unknown" if llm.cost_usd is None else f"${llm.cost_usd:.4f}"
        parts.append(f"model {llm.calls} calls, {llm.tokens} tokens, {cost}")
    return verdict, "  ".join(parts)


def write_summary(terminalreporter: Any, results: ResultsFile, results_path: str | None) -> None:
    """One line per game: verdict, actions, issues by kind, duration, reach; then where the results file is."""
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
