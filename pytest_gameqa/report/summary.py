"""Terminal summary and JUnit properties: what a CI log or a JUnit viewer shows without opening the report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..files import relative_to_cwd
from ..models import Reach, ResultsFile, TestRecord
from .results import issue_line, kind_counts, kinds_text
from .storyboard import append_step_summary, progress_short

__all__ = [
    "device_text",
    "junit_properties",
    "kind_counts",
    "kinds_text",
    "reach_long",
    "reach_short",
    "summary_line",
]

#: JUnit viewers show properties as a flat list; past this many issues the rest is only counted.
MAX_ISSUE_PROPERTIES = 20
_MARKUP = {"passed": {"green": True}, "failed": {"red": True}, "error": {"red": True}, "skipped": {"yellow": True}}


def _fmt(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def _clip(text: Any, limit: int) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _entered(reach: Reach) -> str:
    at = reach.entered_at_s
    text = "entered" + (f" at {at:.1f} s" if at is not None else "")
    return text + (f" by {_clip(reach.how, 60)}" if reach.how else "")


def _as_reach(reach: Reach | Mapping[str, Any] | None) -> Reach | None:
    if reach is None or isinstance(reach, Reach):
        return reach
    return Reach.model_validate(reach)


def reach_short(reach: Reach | Mapping[str, Any] | None) -> str | None:
    """`entered at 2.3 s by press N` / `NOT entered` for the terminal line; None when not recorded."""
    data = _as_reach(reach)
    if data is None:
        return None
    return _entered(data) if data.entered else "NOT entered"


def reach_long(reach: Reach | Mapping[str, Any] | None, max_tried: int = 8) -> str | None:
    """The report's sentence: how the player got in and what showed it, or what it tried and saw instead."""
    data = _as_reach(reach)
    if data is None:
        return None
    if data.entered:
        text = "E" + _entered(data)[1:]
        if data.evidence:
            text += f" \N{EM DASH} evidence: {_clip(data.evidence, 300)}"
        return text
    details = []
    if data.evidence:
        details.append(_clip(data.evidence, 300))
    if data.start_text:
        details.append(f"start screen '{_clip(data.start_text, 80)}'")
    if data.menus:
        details.append("menus passed: " + " > ".join(f"'{_clip(m, 40)}'" for m in data.menus[-4:]))
    by_screen = data.tried_by_screen
    if len(by_screen) > 1:  # what was tried where: the screen the player stopped on says why
        for screen, ways in list(by_screen.items())[:4]:
            more = f" and {len(ways) - 4} more" if len(ways) > 4 else ""
            details.append(f"tried on '{_clip(screen, 40)}': " + ", ".join(_clip(t, 50) for t in ways[:4]) + more)
        return "Not entered" + (": " + "; ".join(details) if details else "")
    tried = [str(t) for t in data.tried]
    if tried:
        more = f" and {len(tried) - max_tried} more" if len(tried) > max_tried else ""
        details.append("tried: " + ", ".join(_clip(t, 60) for t in tried[:max_tried]) + more)
    return "Not entered" + (": " + "; ".join(details) if details else "")


def device_text(record: TestRecord) -> str | None:
    """`Pixel 7 (412x839, touch)` for a game played on an emulated device or a touch screen; None for a
    plain desktop browser (the default needs no mention)."""
    if record.device is None and not record.touch:
        return None
    details = [f"{record.viewport[0]}x{record.viewport[1]}"] if record.viewport else []
    if record.touch:
        details.append("touch")
    name = record.device or "custom context"
    return name + (f" ({', '.join(details)})" if details else "")


def junit_properties(record: TestRecord | Mapping[str, Any]) -> list[tuple[str, str]]:
    """Key facts of one game as JUnit <property> pairs, so CI dashboards can chart them without the JSON."""
    record = TestRecord.of(record)
    issues = record.issues
    metrics = record.metrics
    props: list[tuple[str, str]] = [
        ("gameqa_verdict", str(record.outcome)),
        ("gameqa_url", record.url),
        ("gameqa_actions", str(len(record.actions))),
        ("gameqa_duration_s", f"{record.duration_s:g}"),
        ("gameqa_issues", ",".join(f"{k}:{n}" for k, n in kind_counts(issues).items()) or "none"),
    ]
    if record.device:
        props.append(("gameqa_device", record.device))
    if record.touch:
        props.append(("gameqa_touch", "true"))
    if record.viewport:
        props.append(("gameqa_viewport", f"{record.viewport[0]}x{record.viewport[1]}"))
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
        value = _fmt(getattr(metrics, key))
        if value is not None:
            props.append((f"gameqa_{key}", value))
    reach = record.reach
    if reach is not None:
        props.append(("gameqa_entered", "true" if reach.entered else "false"))
        if reach.entered_at_s is not None:
            props.append(("gameqa_entered_at_s", f"{reach.entered_at_s:g}"))
        if reach.how:
            props.append(("gameqa_entered_by", reach.how[:1000]))
    progress = progress_short(record.progress)
    if progress:
        props.append(("gameqa_progress", progress[:1000]))
    if record.pairs_dropped:
        props.append(("gameqa_pairs_dropped", str(record.pairs_dropped)))
    llm = record.llm
    if llm.calls:
        props.append(("gameqa_llm_calls", str(llm.calls)))
        props.append(("gameqa_llm_tokens", str(llm.tokens)))
        if llm.cost_usd is not None:
            props.append(("gameqa_llm_cost_usd", f"{llm.cost_usd:g}"))
    if record.artifacts_dir:
        props.append(("gameqa_evidence", relative_to_cwd(record.artifacts_dir)))
    for kind, path in record.files.items():
        if kind in ("trace", "video", "screenshot"):  # evidence.json and console.log sit in gameqa_evidence
            props.append((f"gameqa_{kind}", relative_to_cwd(path)))
    return props


def summary_line(record: TestRecord) -> tuple[str, str]:
    """(verdict, rest) for one game: `FAILED`, `nodeid  4 actions  page-error x2  6.3 s  on Pixel 7 (412x839,
    touch)  NOT entered` (the device only when there is one)."""
    verdict = str(record.outcome).upper()
    parts = [
        record.nodeid,
        f"{len(record.actions)} action{'s' if len(record.actions) != 1 else ''}",
        kinds_text(kind_counts(record.issues)),
        f"{record.duration_s:.1f} s",
    ]
    if record.metrics.fps_avg is not None:
        parts.append(f"{record.metrics.fps_avg:g} fps")
    device = device_text(record)
    if device:
        parts.append(f"on {device}")
    entered = reach_short(record.reach)
    if entered:
        parts.append(entered)
    if record.progress is not None and record.progress.counters:
        parts.append((progress_short(record.progress) or "").split(";")[0])  # the numbers moved, not the screens
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
        terminalreporter.write_line(f"gameqa results: {relative_to_cwd(results_path)}")
    config = getattr(terminalreporter, "config", None)  # a reporter stand-in may have none
    html = getattr(getattr(config, "option", None), "htmlpath", None)
    problem = append_step_summary(
        results.tests,
        html_report=relative_to_cwd(html) if html else None,
        results=relative_to_cwd(results_path) if results_path else None,
    )
    if problem:
        terminalreporter.write_line(problem, yellow=True)
