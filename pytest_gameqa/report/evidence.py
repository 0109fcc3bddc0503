"""Per-test evidence on disk: `evidence.json` (the test's whole record) and `console.log`.

Written by the process that ran the test, into the test's own folder, so it exists without pytest-html,
without the controller (xdist) and even when the session is interrupted later. Paths inside
`evidence.json` are relative to that folder: the folder can be zipped and read anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..files import relative, write_atomic
from ..models import TestRecord

EVIDENCE_NAME = "evidence.json"
CONSOLE_NAME = "console.log"


def evidence_files(record: TestRecord) -> dict[str, str]:
    """Where a record's evidence goes (kind -> absolute path); nothing for a game that never had a folder."""
    if not record.artifacts_dir:
        return {}
    folder = Path(record.artifacts_dir)
    return {"evidence": str(folder / EVIDENCE_NAME), "console": str(folder / CONSOLE_NAME)}


def write_evidence(record: TestRecord, console: list[str]) -> str | None:
    """Write `evidence.json` and `console.log` into the record's folder; the problem in words when the
    disk refuses (a full disk must not become an INTERNALERROR that loses the whole run)."""
    if not record.artifacts_dir:
        return None
    folder = Path(record.artifacts_dir)
    local = record.map_paths(lambda path: relative(path, folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / CONSOLE_NAME, "".join(line.rstrip("\n") + "\n" for line in console))
        write_atomic(folder / EVIDENCE_NAME, json.dumps(local.to_json(), indent=2))
    except OSError as error:
        return f"could not write the evidence to {folder}: {error}"
    return None
