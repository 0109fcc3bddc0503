"""Per-test evidence on disk (`evidence.json`, `console.log`) and the phase outcomes it needs.

`evidence.json` is the test's whole record (issues, actions, metrics, reach, ...). Written by the
process that ran the test, into the test's own folder, so it exists without pytest-html,
without the controller (xdist) and even when the session is interrupted later. Paths inside
`evidence.json` are relative to that folder: the folder can be zipped and read anywhere.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

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
    """The same verdict ResultsCollector derives on the controller, known here before it."""
    phases = dict(item.stash.get(PHASES_KEY, {}))
    phases["teardown"] = teardown.outcome
    if phases.get("setup") == "failed":
        return "error"
    if "skipped" in (phases.get("setup"), phases.get("call")):
        return "skipped"
    if phases.get("call") == "failed":
        return "failed"
    if phases["teardown"] == "failed":
        return "error"
    return "passed"


def _relative_to(path: str | None, folder: Path) -> str | None:
    if not path:
        return path
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:
        return path


def _write_atomic(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, target)


def write_evidence(item: pytest.Item, report: pytest.TestReport, record: dict[str, Any], console: list[str]) -> None:
    """Fill in the outcome and kept artifacts on `record`, then write `evidence.json` and `console.log`.

    `record` is the dict that becomes `report.gameqa`; its `files` entry is read by the HTML report
    and the JUnit properties, and lands in gameqa-results.json relative to it.
    """
    record["outcome"] = outcome(item, report)
    files = dict(item.stash.get(FILES_KEY, {}))
    folder_raw = record.get("artifacts_dir")
    if not folder_raw:
        record["files"] = files
        return
    folder = Path(folder_raw)
    console_path = folder / CONSOLE_NAME
    files = {"evidence": str(folder / EVIDENCE_NAME), "console": str(console_path), **files}
    record["files"] = files
    local = json.loads(json.dumps(record))
    for action in local.get("actions", []):
        action["before"] = _relative_to(action.get("before"), folder)
        action["after"] = _relative_to(action.get("after"), folder)
    for issue in local.get("issues", []):
        issue["screenshot"] = _relative_to(issue.get("screenshot"), folder)
    reach = local.setdefault("reach", None)  # None: the player recorded nothing (an old or aborted record)
    if isinstance(reach, dict):
        reach["first_screenshot"] = _relative_to(reach.get("first_screenshot"), folder)
    local["artifacts_dir"] = "."
    local["files"] = {kind: _relative_to(path, folder) for kind, path in files.items()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(console_path, "".join(line.rstrip("\n") + "\n" for line in console))
        _write_atomic(folder / EVIDENCE_NAME, json.dumps(local, indent=2))
    except OSError as error:  # a full disk must not become an INTERNALERROR that loses the whole run
        report.sections.append(("gameqa", f"could not write the evidence to {folder}: {error}"))
