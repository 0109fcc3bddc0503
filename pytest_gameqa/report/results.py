"""gameqa-results.json: one merged file per session, written by the controller process only.

Workers attach each test's record to its teardown report (xdist ships report attributes to the
controller), so the file is complete under `-n N` and is written even when tests fail or error.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
    kinds: dict[str, int] = {}
    for issue in issues:
        kinds[issue.kind.value] = kinds.get(issue.kind.value, 0) + 1
    summary = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in kinds.items())
    lines = [f"game {url} failed with {len(issues)} issue{'s' if len(issues) != 1 else ''} ({summary}):"]
    lines += ["  " + format_issue(i) for i in issues]
    for kind, count in (dropped or {}).items():
        if count and kind in kinds:
            lines.append("  " + format_dropped(kind, count, cap))
    if evidence:
        lines.append(f"  evidence: {evidence}")
    return "\n".join(lines)


class ResultsCollector:
    """Gathers records and phase outcomes from (possibly remote) test reports."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.records: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, str] = {}

    def on_report(self, report: Any) -> None:
        nodeid = report.nodeid
        record = getattr(report, "gameqa", None)
        if record is not None:
            self.records[nodeid] = record
        previous = self.outcomes.get(nodeid, "passed")
        if report.skipped and report.when in ("setup", "call"):
            outcome = "skipped"
        elif report.failed:
            outcome = "failed" if report.when == "call" else "error"
        else:
            outcome = previous
        if previous in ("failed", "error") and outcome != previous:
            outcome = previous
        self.outcomes[nodeid] = outcome

    def results(self) -> ResultsFile:
        tests = []
        for nodeid, raw in self.records.items():
            record = TestRecord.model_validate(raw)
            record.outcome = self.outcomes.get(nodeid, record.outcome)  # type: ignore[assignment]
            for action in record.actions:
                action.before = self._relative(action.before)
                action.after = self._relative(action.after)
            for issue in record.issues:
                issue.screenshot = self._relative(issue.screenshot)
            if record.reach is not None:
                record.reach.first_screenshot = self._relative(record.reach.first_screenshot)
            record.artifacts_dir = self._relative(record.artifacts_dir)
            record.files = {kind: self._relative(path) or path for kind, path in record.files.items()}
            tests.append(record)
        return ResultsFile(tests=tests)

    def _relative(self, path: str | None) -> str | None:
        if not path:
            return path
        try:
            return Path(os.path.relpath(path, self.output_dir)).as_posix()
        except ValueError:
            return path

    def write(self) -> Path:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        target = self.output_dir / RESULTS_NAME
        data = self.results().model_dump(mode="json")
        fd, tmp = tempfile.mkstemp(dir=self.output_dir, prefix=".gameqa-results-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        os.replace(tmp, target)
        return target
