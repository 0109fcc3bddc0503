"""The reports' listener: evidence files, JUnit properties, HTML extras, gameqa-results.json, the terminal summary.

It only listens to the coordinator (plugin/hookspecs.py): by the time it is called the record holds its
outcome, its kept files and its reproduction. The writers are imported by the first game test's record.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..models import TestRecord


class ReportListener:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.output_dir = Path(config.getoption("--output")).absolute()
        self.records: dict[str, TestRecord] = {}
        self.path: Path | None = None

    @pytest.hookimpl
    def pytest_gameqa_record_built(self, record: TestRecord) -> None:
        from .evidence import evidence_files

        record.files = {**evidence_files(record), **record.files}

    @pytest.hookimpl
    def pytest_gameqa_test_finished(self, record: TestRecord | None, item: pytest.Item, report: Any) -> None:
        if record is None:
            return
        from ..plugin.stash import AGENT_KEY
        from .evidence import write_evidence
        from .html import attach_html
        from .summary import junit_properties

        agent = item.stash.get(AGENT_KEY, None)
        problem = write_evidence(record, agent.monitor.console_log if agent is not None else [])
        if problem is not None:
            report.sections.append(("gameqa", problem))
        report.user_properties.extend(junit_properties(record))
        attach_html(report, record, self.config)

    @pytest.hookimpl
    def pytest_gameqa_session_finished(self, records: dict[str, TestRecord]) -> None:
        """Controller (or the only process): one results file for every game of the session."""
        from .results import write_results

        self.records = records
        self.path = write_results(records.values(), self.output_dir)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.records:
            from .results import results_file
            from .summary import write_summary

            path = str(self.path) if self.path is not None else None
            write_summary(terminalreporter, results_file(self.records.values(), self.output_dir), path)
