"""Per-test evidence on disk (`evidence.json`, `console.log`) and the phase outcomes it needs.

`evidence.json` is the test's whole record (issues, actions, metrics, reach, ...). Written by the
process that ran the test, into the test's own folder, so it exists without pytest-html,
without the controller (xdist) and even when the session is interrupted later. Paths inside
`evidence.json` are relative to that folder: the folder can be zipped and read anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ..files import relative, write_atomic
from ..models import TestRecord
from ..record import as_record, outcome_of, record_json

EVIDENCE_NAME = "evidence.json"
CONSOLE_NAME = "console.log"

#: {"setup": "passed", "call": "failed", ...} for the item's current run.
PHASES_KEY = pytest.StashKey[dict[str, str]]()
#: Artifacts kept by capture.BrowserArtifacts: kind ("trace", "video", "screenshot") -> absolute path.
FILES_KEY = pytest.StashKey[dict[str, str]]()


def note_phase(item: pytest.Item, report: pytest.TestReport) -> None:
    """Remember each phase's outcome; a new setup (a rerun) forgets the previous attempt."""
    phases = item.stash.setdefault(PHASES_KEY, {})
    if report.when == "setup":
        phases.clear()
    phases[report.when] = report.outcome


def failed_before_teardown(item: pytest.Item) -> bool:
    """What fixture teardown knows: pytest-playwright's rule for keeping retain-on-failure artifacts."""
    phases = item.stash.get(PHASES_KEY, {})
    if "call" in phases:
        return phases["call"] == "failed"
    return phases.get("setup") != "skipped"


def outcome(item: pytest.Item, teardown: pytest.TestReport) -> str:
    """The verdict ResultsCollector derives on the controller (the same rule), known here before it."""
    return outcome_of({**item.stash.get(PHASES_KEY, {}), "teardown": teardown.outcome})


def write_evidence(
    item: pytest.Item, report: pytest.TestReport, record: TestRecord | Mapping[str, Any], console: list[str]
) -> TestRecord:
    """Fill in the outcome and kept artifacts on `record`, then write `evidence.json` and `console.log`.

    `record` (the item's TestRecord) becomes `report.gameqa`; its `files` are read by the HTML report
    and the JUnit properties, and land in gameqa-results.json relative to it.
    """
    record = as_record(record)
    record.outcome = outcome(item, report)  # type: ignore[assignment]
    files = dict(item.stash.get(FILES_KEY, {}))
    if not record.artifacts_dir:
        record.files = files
        return record
    folder = Path(record.artifacts_dir)
    console_path = folder / CONSOLE_NAME
    files = {"evidence": str(folder / EVIDENCE_NAME), "console": str(console_path), **files}
    record.files = files
    local = record.model_copy(deep=True)  # paths relative to the folder: it can be zipped and read anywhere
    for action in local.actions:
        action.before = relative(action.before, folder)
        action.after = relative(action.after, folder)
    for issue in local.issues:
        issue.screenshot = relative(issue.screenshot, folder)
    if local.reach is not None:
        local.reach.first_screenshot = relative(local.reach.first_screenshot, folder)
    local.artifacts_dir = "."
    local.files = {kind: relative(path, folder) for kind, path in files.items()}  # type: ignore[misc]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(console_path, "".join(line.rstrip("\n") + "\n" for line in console))
        write_atomic(folder / EVIDENCE_NAME, json.dumps(record_json(local), indent=2))
    except OSError as error:  # a full disk must not become an INTERNALERROR that loses the whole run
        report.sections.append(("gameqa", f"could not write the evidence to {folder}: {error}"))
    return record
