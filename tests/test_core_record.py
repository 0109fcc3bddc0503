"""The record of a game test: one outcome rule, one JSON form (xdist's wire format, evidence.json, the
run store), gameqa-results.json without the reproduction's status. Unit tests: no browser, no subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from pytest_gameqa.files import relative, write_atomic
from pytest_gameqa.models import ActionResult, Issue, IssueKind, TestRecord
from pytest_gameqa.record import as_record, outcome_of, record_json
from pytest_gameqa.report.evidence import EVIDENCE_NAME, PHASES_KEY, write_evidence
from pytest_gameqa.report.results import ResultsCollector
from pytest_gameqa.report.summary import junit_properties
from pytest_gameqa.runs.plugin import _record_fields, _verdict


def _record(folder: Path) -> TestRecord:
    shot = str(folder / "game" / "01-after-press-n.jpg")
    return TestRecord(
        nodeid="gameqa::g",
        url="examples/games/x",
        started_at="2026-12-01T10:00:00+00:00",
        duration_s=3.0,
        issues=[Issue(kind=IssueKind.PAGE_ERROR, message="boom", at_s=1.5, count=3, location="a.js:1:2")],
        actions=[ActionResult(index=1, description="press n", ok=True, at_s=1.0, after=shot)],
        artifacts_dir=str(folder / "game"),
        repro={"steps": 2, "repro": str(folder / "game" / "repro.json")},
    )


@pytest.mark.parametrize(
    ("phases", "outcome"),
    [
        ({"setup": "passed", "call": "passed", "teardown": "passed"}, "passed"),
        ({"setup": "passed", "call": "failed", "teardown": "passed"}, "failed"),
        ({"setup": "failed", "teardown": "passed"}, "error"),
        ({"setup": "passed", "call": "passed", "teardown": "failed"}, "error"),
        ({"setup": "passed", "call": "failed", "teardown": "failed"}, "failed"),
        ({"setup": "skipped", "teardown": "passed"}, "skipped"),
        ({"setup": "skipped", "teardown": "failed"}, "error"),  # the first failure decides, everywhere
        ({"setup": "passed", "call": "skipped", "teardown": "passed"}, "skipped"),
    ],
)
def test_one_outcome_rule_for_every_report(tmp_path: Path, phases: dict[str, str], outcome: str) -> None:
    assert outcome_of(phases) == outcome
    collector = ResultsCollector(tmp_path)
    for when, result in phases.items():
        report = SimpleNamespace(
            nodeid="gameqa::g", when=when, failed=result == "failed", skipped=result == "skipped", outcome=result
        )
        if when == "teardown":
            report.gameqa = record_json(_record(tmp_path))
        collector.on_report(report)
    assert collector.results().tests[0].outcome == outcome
    reports = {when: SimpleNamespace(when=when, outcome=result) for when, result in phases.items()}
    status, failing = _verdict(reports)
    assert status == outcome and (failing is None) == (outcome in ("passed", "skipped"))


def test_the_wire_format_round_trips_and_only_the_results_file_leaves_out_repro(tmp_path: Path) -> None:
    record = _record(tmp_path)
    wire = json.loads(json.dumps(record_json(record)))  # what xdist ships
    assert wire["repro"]["steps"] == 2 and list(wire)[-1] == "repro"
    assert as_record(wire) == record
    collector = ResultsCollector(tmp_path)
    collector.on_report(SimpleNamespace(nodeid="gameqa::g", when="teardown", failed=False, skipped=False, gameqa=wire))
    written = json.loads(collector.write().read_text())
    assert "repro" not in written["tests"][0]
    assert written["tests"][0]["actions"][0]["after"] == "game/01-after-press-n.jpg"
    assert json.loads(_record_fields(record)["record"]) == wire


def test_evidence_json_is_the_record_with_paths_relative_to_its_folder(tmp_path: Path) -> None:
    record = _record(tmp_path)
    item = SimpleNamespace(stash=pytest.Stash())
    item.stash[PHASES_KEY] = {"setup": "passed", "call": "failed"}
    write_evidence(item, SimpleNamespace(outcome="passed", sections=[]), record, ["line"])  # type: ignore[arg-type]
    evidence = json.loads((tmp_path / "game" / EVIDENCE_NAME).read_text())
    assert record.outcome == "failed" and evidence["outcome"] == "failed"
    assert evidence["actions"][0]["after"] == "01-after-press-n.jpg" and evidence["artifacts_dir"] == "."
    assert evidence["files"] == {"evidence": "evidence.json", "console": "console.log"}
    assert evidence["repro"]["steps"] == 2
    assert Path(record.actions[0].after or "").is_absolute()  # the live record keeps absolute paths


def test_readers_take_the_model_or_its_json_alike(tmp_path: Path) -> None:
    record = _record(tmp_path)
    assert junit_properties(record) == junit_properties(record_json(record))
    assert ("gameqa_issue_1", "page-error x3 at 1.50s: boom @ a.js:1:2") in junit_properties(record)


def test_paths_and_atomic_writes(tmp_path: Path) -> None:
    assert relative(str(tmp_path / "a" / "b.jpg"), tmp_path) == "a/b.jpg"
    assert relative(None, tmp_path) is None and relative("", tmp_path) == ""
    target = write_atomic(tmp_path / "x.json", "{}")
    assert target.read_text() == "{}" and [p.name for p in tmp_path.iterdir()] == ["x.json"]
