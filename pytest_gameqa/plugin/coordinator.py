"""The coordinator: one per session, the only owner of a game test's phases, its record and its outcome.

The life of one game test, and what is announced (hookspecs.py) at each step:

    setup     fixtures.py resolves the settings and starts the player on the loaded game
    call      the test body; a body that did not play gets the whole smoke loop; the game's issues
              fail the call                                  -> pytest_gameqa_game_failed (reproduction)
    teardown  the player stops; its record is built          -> pytest_gameqa_record_built (files, repro)
              the teardown report: the outcome is set here   -> pytest_gameqa_test_finished (evidence,
              and nowhere else                                  JUnit, HTML extras, run store row)
    session   the controller gathers the records             -> pytest_gameqa_session_finishing (shrink)
                                                             -> pytest_gameqa_session_finished (results
                                                                file, run store)

Records travel from an xdist worker to the controller as plain JSON on the teardown report
(`report.gameqa`); the only process reads its own reports the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from .stash import AGENT_KEY, COORDINATOR_KEY, FILES_KEY, INTERRUPTED_KEY, PHASES_KEY, RECORD_KEY, URL_KEY

if TYPE_CHECKING:
    from ..models import Issue, Outcome, TestRecord

PHASES = ("setup", "call", "teardown")


def is_game_item(item: pytest.Item) -> bool:
    return item.get_closest_marker("game") is not None or "game_agent" in getattr(item, "fixturenames", ())


# ------------------------------------------------------------------------------------------ the outcome rule
def failing_phase(phases: Mapping[str, str]) -> str | None:
    """The first phase that failed (`phases`: "setup"/"call"/"teardown" -> "passed"/"failed"/"skipped")."""
    return next((when for when in PHASES if phases.get(when) == "failed"), None)


def outcome_of(phases: Mapping[str, str]) -> Outcome:
    """A game's verdict: the first failure decides (in setup or teardown an error, in the call a failure);
    else skipped when setup or call skipped; else passed."""
    failed = failing_phase(phases)
    if failed is not None:
        return "failed" if failed == "call" else "error"
    if "skipped" in (phases.get("setup"), phases.get("call")):
        return "skipped"
    return "passed"


def phase_outcomes(item: pytest.Item) -> dict[str, str]:
    return {when: report.outcome for when, report in item.stash.get(PHASES_KEY, {}).items()}


def failed_before_teardown(item: pytest.Item) -> bool:
    """What fixture teardown knows: pytest-playwright's rule for keeping retain-on-failure artifacts."""
    phases = phase_outcomes(item)
    if "call" in phases:
        return phases["call"] == "failed"
    return phases.get("setup") != "skipped"


def nearest_screenshot(actions: list[Any], issue: Issue) -> str | None:
    """The before/after screenshot taken closest in time to the issue."""
    shots = [(a.at_s, a.before) for a in actions if a.before]
    shots += [(a.at_s + a.duration_s, a.after) for a in actions if a.after]
    if not shots:
        return None
    return min(shots, key=lambda s: abs(s[0] - issue.at_s))[1]


def coordinator_of(config: pytest.Config) -> Coordinator:
    return config.stash[COORDINATOR_KEY]


class Coordinator:
    """Registered once per session (plugin name "gameqa-coordinator"); see the module docstring."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.is_worker = hasattr(config, "workerinput")
        #: the controller's (or the only process's) records, by node id, from the teardown reports
        self.records: dict[str, TestRecord] = {}

    # ------------------------------------------------------------------------------------------ records
    def build(self, item: pytest.Item, agent: Any) -> TestRecord:
        """The record of `item`'s game from its (stopped) agent."""
        from ..models import TestRecord

        issues = agent.issues
        for issue in issues:
            issue.screenshot = nearest_screenshot(agent.actions, issue)
        record = TestRecord(
            nodeid=item.nodeid,
            url=item.stash.get(URL_KEY, agent.url),
            started_at=agent.started_at,
            duration_s=round(time.monotonic() - agent.clock.t0, 2),
            seed=agent.settings.seed,
            device=agent.settings.device,
            touch=bool(getattr(agent, "touch", False)),
            viewport=agent.settings.viewport,
            issues=issues,
            actions=agent.actions,
            metrics=agent.metrics,
            artifacts_dir=str(agent.artifacts_dir),
            files=dict(item.stash.get(FILES_KEY, {})),
            pairs_dropped=agent.pairs_dropped,
            llm=agent.llm_usage,
            reach=agent.reach,
            progress=getattr(agent, "progress", None),
            issues_dropped=dict(getattr(agent.monitor, "issues_dropped", {}) or {}),
            console_dropped=int(getattr(agent.monitor, "console_dropped", 0) or 0),
        )
        return self._built(item, record)

    def unstarted(self, item: pytest.Item, url: str, failure: str) -> TestRecord:
        """A game that never got a browser is still reported (outcome error, the reason as its issue)."""
        from ..models import Issue, IssueKind, TestRecord

        issue = Issue(kind=IssueKind.LOAD_FAILURE, message=failure, at_s=0.0, fatal=True)
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        record = TestRecord(nodeid=item.nodeid, url=url, started_at=started, duration_s=0.0, issues=[issue])
        return self._built(item, record)

    def _built(self, item: pytest.Item, record: TestRecord) -> TestRecord:
        item.stash[RECORD_KEY] = record
        item.ihook.pytest_gameqa_record_built(record=record, item=item)
        return record

    # ------------------------------------------------------------------------------------------ phases
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """A rerun (pytest-rerunfailures) starts without the previous attempt's record."""
        for key in (RECORD_KEY, INTERRUPTED_KEY):
            if key in item.stash:
                del item.stash[key]

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Generator[None, Any, Any]:
        """A game test whose body did not play (just `pass`) gets the full smoke loop after its body."""
        result = yield
        agent = pyfuncitem.stash.get(AGENT_KEY, None)
        if agent is not None and agent.loop is not None and not agent.played and not agent.actions:
            agent.loop.run_until_complete(agent.play())
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Game issues fail the test in its call phase, with the issue list as the whole message."""
        try:
            result = yield
        except BaseException:
            agent = item.stash.get(AGENT_KEY, None)
            if agent is not None and agent.failing_issues():
                item.add_report_section("call", "gameqa", _failure_text(item, agent))
            raise
        agent = item.stash.get(AGENT_KEY, None)
        if agent is not None:
            agent.conclude()
            if agent.failing_issues():
                pytest.fail(_failure_text(item, agent), pytrace=False)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        if not is_game_item(item):
            return report
        phases = item.stash.setdefault(PHASES_KEY, {})
        if report.when == "setup":
            phases.clear()  # a rerun starts over
        previous = phases.get(report.when)
        if previous is None or not previous.failed:  # a phase reported twice (an interrupt's teardown): a failure stays
            phases[report.when] = report
        if report.when == "call" and report.failed:
            agent = item.stash.get(AGENT_KEY, None)
            if agent is not None and agent.failing_issues():
                item.ihook.pytest_gameqa_game_failed(item=item, agent=agent, report=report)
        elif report.when == "teardown":
            self._finish(item, report, phases)
        return report

    def _finish(self, item: pytest.Item, report: pytest.TestReport, phases: dict[str, Any]) -> None:
        outcome = outcome_of({when: r.outcome for when, r in phases.items()})
        record = item.stash.get(RECORD_KEY, None)
        if record is not None:
            record.outcome = outcome
        if item.stash.get(INTERRUPTED_KEY, False):
            report.gameqa_interrupted = True  # type: ignore[attr-defined]
        item.ihook.pytest_gameqa_test_finished(
            record=record, item=item, report=report, outcome=outcome, reports=dict(phases)
        )
        if record is not None:
            report.gameqa = record.to_json()  # type: ignore[attr-defined]  # the wire format: plain JSON data

    # ------------------------------------------------------------------------------------------ the session
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "gameqa", None)
        if report.when == "teardown" and data is not None and not self.is_worker:
            from ..models import TestRecord

            self.records[report.nodeid] = TestRecord.of(data)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker or not self.records:
            return
        hook = self.config.hook
        hook.pytest_gameqa_session_finishing(records=self.records, config=self.config)
        hook.pytest_gameqa_session_finished(records=self.records, config=self.config)


def _failure_text(item: pytest.Item, agent: Any) -> str:
    from ..report.results import format_failure

    url = item.stash.get(URL_KEY, agent.url)
    evidence = os.path.relpath(agent.artifacts_dir) if agent.artifacts_dir.exists() else None
    return format_failure(url, agent.failing_issues(), evidence, agent.monitor.issues_dropped)
