"""gameqa's own hooks: the life of one game test, announced by the coordinator (coordinator.py).

Registered with `pluginmanager.add_hookspecs` (as pytest-html does), so any plugin or conftest can
listen: the evidence files, gameqa-results.json, the run store, the HTML extras and the reproductions
are such listeners (report/listen.py, plugin/runs.py, plugin/repro.py). No listener sets an outcome or
depends on another listener's order: the coordinator settles everything a hook's arguments hold before
it calls the hook. Implementations may take any subset of the arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..models import TestRecord


def pytest_gameqa_record_built(record: TestRecord, item: pytest.Item) -> None:
    """A game test's record was built (its player stopped, at fixture teardown), before its teardown report.

    Listeners may add to it: kept files (`record.files`), the reproduction (`record.repro`). Called in
    the process that runs the test. A record may be built again (an interrupted test): keep it idempotent.
    """


def pytest_gameqa_game_failed(item: pytest.Item, agent: Any, report: pytest.TestReport) -> None:
    """A game test's call failed on the game's issues (`agent.failing_issues()`): the call report is made.

    Listeners may add lines to the failure (`report.longrepr` is a string) or report sections, and write
    files next to the evidence (a reproduction).
    """


def pytest_gameqa_test_finished(
    record: TestRecord | None,
    item: pytest.Item,
    report: pytest.TestReport,
    outcome: str,
    reports: dict[str, pytest.TestReport],
) -> None:
    """A game test's teardown report is made; `outcome` (also `record.outcome`) is final.

    `record` is None for a game test that failed before it had a player (a bad marker argument);
    `reports` holds the reports of its phases. Listeners write (evidence.json, the run store row) and
    decorate the teardown `report` (JUnit properties, HTML extras). Called in the process that ran the
    test (an xdist worker); the record then travels to the controller as `report.gameqa`.
    """


def pytest_gameqa_session_finishing(records: dict[str, TestRecord], config: pytest.Config) -> None:
    """The controller (or the only process) has every game's record: the last moment to add to them
    (the reproductions shrunk by --game-shrink). Records are keyed by node id."""


def pytest_gameqa_session_finished(records: dict[str, TestRecord], config: pytest.Config) -> None:
    """The records are final: listeners write what covers the whole session (gameqa-results.json, the
    run store's copy of what session_finishing changed). Controller or only process."""
