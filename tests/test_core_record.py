"""The record of a game test: one outcome rule, one JSON form (xdist's wire format, evidence.json, the
run store), one place that knows its paths (`map_paths`), gameqa-results.json without the reproduction's
status. Unit tests: no browser, no subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_gameqa.files import relative, swap_prefix, write_atomic
from pytest_gameqa.models import ActionResult, Issue, IssueKind, ReproIssue, ReproStatus, TestRecord
from pytest_gameqa.plugin.coordinator import outcome_of
from pytest_gameqa.plugin.runs import _record_fields
from pytest_gameqa.report.evidence import EVIDENCE_NAME, evidence_files, write_evidence
from pytest_gameqa.report.results import write_results
from pytest_gameqa.report.summary import junit_properties


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
        repro=ReproStatus(
            repro=str(folder / "game" / "repro.json"),
            test=str(folder / "game" / "test_repro.py"),
            issue=ReproIssue(kind=IssueKind.PAGE_ERROR, message="boom", fingerprint="boom"),
            steps=2,
        ),
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
def test_one_outcome_rule_for_every_report(phases: dict[str, str], outcome: str) -> None:
    assert outcome_of(phases) == outcome


def test_the_wire_format_round_trips_and_only_the_results_file_leaves_out_repro(tmp_path: Path) -> None:
    record = _record(tmp_path)
    wire = json.loads(json.dumps(record.to_json()))  # what xdist ships
    assert wire["repro"]["steps"] == 2 and list(wire)[-1] == "repro"
    assert TestRecord.of(wire) == record and isinstance(TestRecord.of(wire).repro, ReproStatus)
    written = json.loads(write_results([TestRecord.of(wire)], tmp_path).read_text())
    assert "repro" not in written["tests"][0]
    assert written["tests"][0]["actions"][0]["after"] == "game/01-after-press-n.jpg"
    assert json.loads(_record_fields(record)["record"]) == wire


def test_evidence_json_is_the_record_with_paths_relative_to_its_folder(tmp_path: Path) -> None:
    record = _record(tmp_path)
    record.outcome = "failed"
    record.files = evidence_files(record)
    assert write_evidence(record, ["line"]) is None
    evidence = json.loads((tmp_path / "game" / EVIDENCE_NAME).read_text())
    assert evidence["outcome"] == "failed"
    assert evidence["actions"][0]["after"] == "01-after-press-n.jpg" and evidence["artifacts_dir"] == "."
    assert evidence["files"] == {"evidence": "evidence.json", "console": "console.log"}
    assert evidence["repro"]["steps"] == 2 and evidence["repro"]["repro"] == "repro.json"
    assert (tmp_path / "game" / "console.log").read_text() == "line\n"
    assert Path(record.actions[0].after or "").is_absolute()  # the live record keeps absolute paths


def test_map_paths_reaches_every_path_of_a_record_and_nothing_else(tmp_path: Path) -> None:
    record = _record(tmp_path)
    record.files = {"trace": str(tmp_path / "game" / "trace.zip")}
    moved = record.map_paths(lambda path: "X" + path)
    assert moved.actions[0].after == "X" + str(tmp_path / "game" / "01-after-press-n.jpg")
    assert moved.actions[0].before is None  # an empty path stays empty
    assert moved.artifacts_dir == "X" + str(tmp_path / "game") and moved.files["trace"].startswith("X")
    assert moved.repro is not None and moved.repro.repro.startswith("X") and moved.repro.test.startswith("X")
    assert moved.url == record.url and moved.nodeid == record.nodeid  # not paths
    assert record.artifacts_dir == str(tmp_path / "game")  # a copy: the record itself is unchanged


def test_swap_prefix_moves_only_whole_path_segments() -> None:
    assert swap_prefix("/out/a.png", "/out", "/here") == "/here/a.png"
    assert swap_prefix("/output/a.png", "/out", "/here") == "/output/a.png"
    assert swap_prefix({"u": ["http://127.0.0.1:80/f"]}, "http://127.0.0.1:80", "http://h:9", "/?#") == {
        "u": ["http://h:9/f"]
    }
    assert swap_prefix("http://127.0.0.1:8080/f", "http://127.0.0.1:80", "http://h:9", "/?#") == (
        "http://127.0.0.1:8080/f"
    )


def test_readers_take_the_model_or_its_json_alike(tmp_path: Path) -> None:
    record = _record(tmp_path)
    assert junit_properties(record) == junit_properties(record.to_json())
    assert ("gameqa_issue_1", "page-error x3 at 1.50s: boom @ a.js:1:2") in junit_properties(record)


def test_paths_and_atomic_writes(tmp_path: Path) -> None:
    assert relative(str(tmp_path / "a" / "b.jpg"), tmp_path) == "a/b.jpg"
    assert relative(None, tmp_path) is None and relative("", tmp_path) == ""
    target = write_atomic(tmp_path / "x.json", "{}")
    assert target.read_text() == "{}" and [p.name for p in tmp_path.iterdir()] == ["x.json"]
