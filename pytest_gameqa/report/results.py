"""gameqa-results.json (one merged file per session, written by the controller only) and issue text.

The coordinator gathers every record on the controller (workers ship them on the teardown report), so
the file is complete under `-n N` and is written even when tests fail or error. Issues are put into
words here for every report: the failure message, the JUnit properties.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..files import relative, write_atomic
from ..models import Issue, ResultsFile, TestRecord
from ..monitor.issuebook import MAX_ISSUES_PER_KIND

RESULTS_NAME = "gameqa-results.json"


#: characters of an issue's (first) message shown in a failure; the whole one is in evidence.json
FAILURE_MESSAGE_CHARS = 500


def format_issue(issue: Issue) -> str:
    """`[  1.20s] console-error x5,400 (1.2-14.9 s): <first message>  @ url:line:col` (a group of repeats)."""
    count = ""
    if issue.count > 1:
        count = f" x{issue.count:,}"
        if issue.last_at_s is not None:
            count += f" ({issue.at_s:.1f}-{issue.last_at_s:.1f} s)"
    message = issue.message
    if len(message) > FAILURE_MESSAGE_CHARS:
        message = message[:FAILURE_MESSAGE_CHARS] + f"... [{len(message) - FAILURE_MESSAGE_CHARS:,} more characters]"
    where = f"  @ {issue.location}" if issue.location else ""
    return f"[{issue.at_s:6.2f}s] {issue.kind.value}{count}: {message}{where}"


def issue_line(issue: Issue) -> str:
    """`page-error x3 at 2.89s: <message> @ url:line:col`: one issue as a JUnit property value."""
    count = f" x{issue.count}" if issue.count > 1 else ""
    where = f" @ {issue.location}" if issue.location else ""
    return f"{issue.kind.value}{count} at {issue.at_s:.2f}s: {issue.message}{where}"


def kind_counts(issues: Iterable[Issue]) -> dict[str, int]:
    """Distinct issues per kind (a message repeated 7 times is one issue), like the failure text counts."""
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.kind.value] = counts.get(issue.kind.value, 0) + 1
    return counts


def kinds_text(counts: Mapping[str, int], sep: str = ", ") -> str:
    return sep.join(f"{kind} x{n}" if n > 1 else kind for kind, n in counts.items()) or "no issues"


def format_dropped(kind: str, dropped: int, cap: int = MAX_ISSUES_PER_KIND) -> str:
    return f"{dropped:,} more distinct {kind} issue{'s' if dropped != 1 else ''} not kept (cap {cap})"


def format_failure(
    url: str,
    issues: list[Issue],
    evidence: str | None = None,
    dropped: Mapping[str, int] | None = None,
    *,
    cap: int = MAX_ISSUES_PER_KIND,
) -> str:
    """The failure text: one line per issue group, then, per listed kind, the distinct issues past the cap.

    `dropped` is the monitor's `issues_dropped` (kind -> distinct groups not kept); kinds that are not
    among `issues` (warnings, allowed kinds) are not mentioned.
    """
    kinds = kind_counts(issues)
    summary = kinds_text(kinds) if kinds else ""
    lines = [f"game {url} failed with {len(issues)} issue{'s' if len(issues) != 1 else ''} ({summary}):"]
    lines += ["  " + format_issue(i) for i in issues]
    for kind, count in (dropped or {}).items():
        if count and kind in kinds:
            lines.append("  " + format_dropped(kind, count, cap))
    if evidence:
        lines.append(f"  evidence: {evidence}")
    return "\n".join(lines)


def results_file(records: Iterable[TestRecord], output_dir: Path) -> ResultsFile:
    """gameqa-results.json's content: every record as it is (outcomes set by the coordinator), with paths
    relative to the file's folder."""
    return ResultsFile(tests=[record.map_paths(lambda path: relative(path, output_dir)) for record in records])


def write_results(records: Iterable[TestRecord], output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    data = results_file(records, output_dir).model_dump(mode="json")
    return write_atomic(output_dir / RESULTS_NAME, json.dumps(data, indent=2))
