"""The record of one game test (`TestRecord`): built here, and nowhere else, from a stopped agent.

Used by the plugin (at the game_agent fixture's teardown) and by the run guard (a game interrupted
while loading), so neither imports the other. Also the one outcome rule (which phase decides a test's
verdict) and the one JSON form of a record: what xdist ships to the controller as `report.gameqa`,
what `evidence.json` and the run store hold. gameqa-results.json is `ResultsFile.model_dump` (no
`repro`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

from .models import Issue, Outcome, TestRecord
from .stash import RECORD_KEY, URL_KEY

PHASES = ("setup", "call", "teardown")


def is_game_item(item: pytest.Item) -> bool:
    return item.get_closest_marker("game") is not None or "game_agent" in getattr(item, "fixturenames", ())


def build(item: pytest.Item, agent: Any) -> TestRecord:
    """The record of `item`'s game from its (stopped) agent, kept in the item's stash for the reports."""
    duration = round(time.monotonic() - agent.clock.t0, 2)
    issues = agent.issues
    for issue in issues:
        issue.screenshot = nearest_screenshot(agent.actions, issue)
    record = TestRecord(
        nodeid=item.nodeid,
        url=item.stash.get(URL_KEY, agent.url),
        started_at=agent.started_at,
        duration_s=duration,
        seed=agent.settings.seed,
        device=agent.settings.device,
        touch=bool(getattr(agent, "touch", False)),
        viewport=agent.settings.viewport,
        issues=issues,
        actions=agent.actions,
        metrics=agent.metrics,
        artifacts_dir=str(agent.artifacts_dir),
        pairs_dropped=agent.pairs_dropped,
        llm=agent.llm_usage,
        reach=agent.reach,
        issues_dropped=dict(getattr(agent.monitor, "issues_dropped", {}) or {}),
        console_dropped=int(getattr(agent.monitor, "console_dropped", 0) or 0),
    )
    item.stash[RECORD_KEY] = record
    return record


def nearest_screenshot(actions: list[Any], issue: Issue) -> str | None:
    """The before/after screenshot taken closest in time to the issue."""
    shots = [(a.at_s, a.before) for a in actions if a.before]
    shots += [(a.at_s + a.duration_s, a.after) for a in actions if a.after]
    if not shots:
        return None
    return min(shots, key=lambda s: abs(s[0] - issue.at_s))[1]


# ------------------------------------------------------------------------------------------ the outcome rule
def failing_phase(phases: Mapping[str, str]) -> str | None:
    """The first phase that failed (`phases`: "setup"/"call"/"teardown" -> "passed"/"failed"/"skipped")."""
    return next((when for when in PHASES if phases.get(when) == "failed"), None)


def outcome_of(phases: Mapping[str, str]) -> Outcome:
    """A game's verdict, in every report: the first failure decides (in setup or teardown an error, in the
    call a failure); else skipped when setup or call skipped; else passed."""
    failed = failing_phase(phases)
    if failed is not None:
        return "failed" if failed == "call" else "error"
    if "skipped" in (phases.get("setup"), phases.get("call")):
        return "skipped"
    return "passed"


# ------------------------------------------------------------------------------------------ JSON form
def record_json(record: TestRecord) -> dict[str, Any]:
    """The record as JSON data: `report.gameqa` (xdist's wire format), evidence.json, the run store."""
    data = record.model_dump(mode="json")
    if record.repro is not None:
        data["repro"] = record.repro
    return data


def as_record(value: TestRecord | Mapping[str, Any]) -> TestRecord:
    """A record from its JSON form (the controller's side of xdist, a stored record); a record as is."""
    return value if isinstance(value, TestRecord) else TestRecord.model_validate(value)
