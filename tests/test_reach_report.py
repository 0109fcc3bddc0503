"""Reach is a result: whether the player got into the game shows in evidence.json, the terminal line, the JUnit
properties, the HTML report and the run store (`gameqa status/history/show`), and old records without it still
render. Unit tests: no browser, no subprocess."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pytest_gameqa import cli
from pytest_gameqa.models import ActionResult, Reach, ResultsFile, TestRecord
from pytest_gameqa.plugin.runs import _record_fields
from pytest_gameqa.report.evidence import EVIDENCE_NAME, write_evidence
from pytest_gameqa.report.html import Media, render
from pytest_gameqa.report.summary import junit_properties, summary_line, write_summary
from pytest_gameqa.runs import views
from pytest_gameqa.runs.store import SCHEMA_VERSION, RunStore

URL = "examples/games/press-n"
ENTERED_LINE = "Entered at 2.3 s by press N \N{EM DASH} evidence: start text gone; ArrowLeft moved the screen"

#: The run store's schema as version 1 wrote it (before the reach columns), copied verbatim.
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    exit_code INTEGER,
    host TEXT NOT NULL, pid INTEGER NOT NULL, pid_start TEXT,
    cwd TEXT, args TEXT,
    results_path TEXT, html_report TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    nodeid TEXT NOT NULL,
    url TEXT, url_key TEXT, description TEXT,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
    duration_s REAL, seed INTEGER, worker TEXT,
    host TEXT, pid INTEGER, pid_start TEXT,
    load_s REAL, ready_s REAL, fps_avg REAL, fps_min REAL,
    issue_count INTEGER, issue_kinds TEXT, metrics TEXT, record TEXT,
    artifacts_dir TEXT, evidence_path TEXT, results_path TEXT, html_report TEXT,
    UNIQUE (session_id, nodeid)
);
CREATE INDEX IF NOT EXISTS runs_by_url ON runs (url_key, created_at);
CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session_id);
CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions (started_at);
INSERT INTO meta (key, value) VALUES ('schema', '1');
"""


def _shot(folder: Path, name: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    return str(path)


def _entered(folder: Path) -> Reach:
    return Reach(
        entered=True,
        entered_at_s=2.3,
        how="press N",
        evidence="start text gone; ArrowLeft moved the screen",
        screens=7,
        reactive_inputs=["ArrowLeft", "ArrowRight", "Space"],
        start_text="PRESS N TO START",
        tried=["press Space", "press N"],
        first_screenshot=_shot(folder, "02-after-press-n.jpg"),
    )


def _not_entered() -> Reach:
    return Reach(
        entered=False,
        screens=1,
        start_text="PRESS X TO START",
        tried=["click 'Start'", "press Space", "press Enter"],
    )


def _record(folder: Path, reach: Reach | None, outcome: str = "passed") -> TestRecord:
    return TestRecord(
        nodeid=f"gameqa::test_game[{URL}]",
        url=URL,
        outcome=outcome,  # type: ignore[arg-type]
        started_at="2026-12-01T10:00:00+00:00",
        duration_s=9.8,
        seed=20261201,
        actions=[
            ActionResult(
                index=1,
                description="press N",
                ok=True,
                at_s=2.1,
                before=_shot(folder, "01-before-press-n.jpg"),
                after=_shot(folder, "01-after-press-n.jpg"),
                changed=True,
            )
        ],
        artifacts_dir=str(folder),
        reach=reach,
    )


# ------------------------------------------------------------------------------------------------ evidence.json
def _write_evidence(record: dict[str, Any]) -> dict[str, Any]:
    assert write_evidence(TestRecord.of(record), ["[  0.10s] log: hello"]) is None
    return json.loads((Path(record["artifacts_dir"]) / EVIDENCE_NAME).read_text(encoding="utf-8"))


def test_evidence_json_has_reach_with_a_relative_screenshot(tmp_path: Path) -> None:
    record = _record(tmp_path, _entered(tmp_path)).model_dump(mode="json")
    evidence = _write_evidence(record)
    assert evidence["reach"] == {
        "entered": True,
        "entered_at_s": 2.3,
        "how": "press N",
        "evidence": "start text gone; ArrowLeft moved the screen",
        "screens": 7,
        "reactive_inputs": ["ArrowLeft", "ArrowRight", "Space"],
        "start_text": "PRESS N TO START",
        "tried": ["press Space", "press N"],
        "tried_by_screen": {},
        "menus": [],
        "first_screenshot": "02-after-press-n.jpg",  # relative to the evidence folder, like the actions' pairs
    }
    assert Path(record["reach"]["first_screenshot"]).is_absolute()  # the live record keeps it for the report


def test_evidence_json_of_an_old_record_says_reach_null(tmp_path: Path) -> None:
    record = _record(tmp_path, None).model_dump(mode="json")
    del record["reach"]  # a record made before the field existed
    assert _write_evidence(record)["reach"] is None


# ------------------------------------------------------------------------------------------------ terminal
def test_summary_line_says_how_the_game_was_entered(tmp_path: Path) -> None:
    _, entered = summary_line(_record(tmp_path, _entered(tmp_path)))
    assert entered.endswith("  entered at 2.3 s by press N")
    _, not_entered = summary_line(_record(tmp_path, _not_entered(), outcome="failed"))
    assert not_entered.endswith("  NOT entered")
    _, unknown = summary_line(_record(tmp_path, None))
    assert "entered" not in unknown.lower() and unknown.endswith("9.8 s")


def test_write_summary_appends_reach_to_each_game(tmp_path: Path) -> None:
    lines: list[str] = []

    class Reporter:
        def write_sep(self, sep: str, title: str) -> None:
            lines.append(title)

        def write(self, text: str, **markup: Any) -> None:
            lines.append(text)

        def write_line(self, text: str, **markup: Any) -> None:
            lines[-1] += text

    entered = _record(tmp_path, _entered(tmp_path))
    blocked = _record(tmp_path, _not_entered(), outcome="failed").model_copy(update={"nodeid": "gameqa::blocked"})
    write_summary(Reporter(), ResultsFile(tests=[entered, blocked]), None)
    assert lines[0] == "gameqa: 2 games"
    assert lines[1].startswith("PASSED") and lines[1].endswith("entered at 2.3 s by press N")
    assert lines[2].startswith("FAILED") and "gameqa::blocked" in lines[2] and lines[2].endswith("NOT entered")


# ------------------------------------------------------------------------------------------------ JUnit
def test_junit_properties_carry_reach(tmp_path: Path) -> None:
    props = dict(junit_properties(_record(tmp_path, _entered(tmp_path)).model_dump(mode="json")))
    assert props["gameqa_entered"] == "true"
    assert props["gameqa_entered_at_s"] == "2.3"
    assert props["gameqa_entered_by"] == "press N"

    props = dict(junit_properties(_record(tmp_path, _not_entered()).model_dump(mode="json")))
    assert props["gameqa_entered"] == "false"
    assert "gameqa_entered_at_s" not in props and "gameqa_entered_by" not in props

    old = _record(tmp_path, None).model_dump(mode="json")
    del old["reach"]
    assert not any(name.startswith("gameqa_entered") for name, _ in junit_properties(old))


# ------------------------------------------------------------------------------------------------ HTML
def test_html_shows_the_reach_line_and_the_first_in_game_screenshot(tmp_path: Path) -> None:
    folder = tmp_path / "test-results" / "game"
    record = _record(folder, _entered(folder)).model_dump(mode="json")
    html = render(record, Media(tmp_path, self_contained=False))
    assert 'class="gq-reach gq-reach-yes"' in html
    assert ENTERED_LINE in html
    assert "7 distinct screens seen; inputs that changed the game: ArrowLeft, ArrowRight, Space" in html
    assert 'src="test-results/game/02-after-press-n.jpg" alt="first in-game screenshot"' in html
    # the reach line comes right after the header, before the issues
    assert html.index('class="gq-head"') < html.index("gq-reach") < html.index("<h4>Issues")

    embedded = render(record, Media(tmp_path, self_contained=True))
    assert 'alt="first in-game screenshot"' in embedded and "data:image/jpeg;base64," in embedded


def test_html_says_what_was_tried_when_not_entered(tmp_path: Path) -> None:
    reach = _not_entered()
    reach.tried.append("<script>alert(1)</script>")
    html = render(_record(tmp_path, reach, outcome="failed").model_dump(mode="json"), Media(tmp_path, False))
    assert "gq-reach-no" in html
    assert (
        "Not entered: start screen &#x27;PRESS X TO START&#x27;; "
        "tried: click &#x27;Start&#x27;, press Space, press Enter, &lt;script&gt;" in html
    )
    assert "<script>alert" not in html
    assert "first in-game screenshot" not in html


def test_a_not_entered_verdict_names_the_menus_passed_and_what_was_tried_on_each_screen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past the menus, the person reading a not-entered verdict sees which pages were passed and what was
    tried on each (issue 19.6): in the HTML report and in `gameqa show`."""
    reach = Reach(
        entered=False,
        menus=["PRESS ENTER", "CHOOSE YOUR HERO"],
        tried=["press Enter", "click 'Knight'", "press Space", "press ArrowLeft x5"],
        tried_by_screen={
            "PRESS ENTER": ["press Enter"],
            "CHOOSE YOUR HERO": ["click 'Knight'"],
            "the game screen": ["press Space", "press ArrowLeft x5"],
        },
    )
    html = render(_record(tmp_path, reach, outcome="failed").model_dump(mode="json"), Media(tmp_path, False))
    assert "menus passed: &#x27;PRESS ENTER&#x27; &gt; &#x27;CHOOSE YOUR HERO&#x27;" in html
    assert "tried on &#x27;the game screen&#x27;: press Space, press ArrowLeft x5" in html
    db = tmp_path / "runs.sqlite"
    _old_store(db, _record(tmp_path, None).model_dump(mode="json"))
    blocked = _record(tmp_path, reach, outcome="failed").model_dump(mode="json")
    run_id = _add_run(db, "eeee00000001", blocked, "failed", "2026-12-02T10:00:01+00:00")
    assert cli.main(["show", "--db", str(db), run_id]) == 0
    shown = capsys.readouterr().out
    assert "  menus:       PRESS ENTER > CHOOSE YOUR HERO" in shown
    assert "  tried on 'CHOOSE YOUR HERO': click 'Knight'" in shown


def test_html_of_an_old_record_renders_without_reach(tmp_path: Path) -> None:
    record = _record(tmp_path, None).model_dump(mode="json")
    del record["reach"]
    html = render(record, Media(tmp_path, False))
    assert "gq-reach" not in html and "ntered" not in html
    assert "<h4>Issues</h4>" in html


# ------------------------------------------------------------------------------------------------ run store
def _old_store(db: Path, record: dict[str, Any]) -> None:
    """A store as version 1 left it: one finished session with one run, no reach columns."""
    conn = sqlite3.connect(db)
    conn.executescript(OLD_SCHEMA)
    conn.execute(
        "INSERT INTO sessions (id, status, started_at, finished_at, exit_code, host, pid) "
        "VALUES ('aaaa00000001', 'finished', '2026-11-20T10:00:00+00:00', '2026-11-20T10:01:00+00:00', 0, 'ci', 1)"
    )
    conn.execute(
        "INSERT INTO runs (id, session_id, nodeid, url, url_key, status, created_at, duration_s, load_s, fps_avg, "
        "fps_min, issue_count, issue_kinds, record) VALUES ('bbbb00000001', 'aaaa00000001', ?, ?, ?, 'passed', "
        "'2026-11-20T10:00:01+00:00', 9.0, 0.5, 60.0, 58.0, 0, '{}', ?)",
        (record["nodeid"], URL, URL, json.dumps(record)),
    )
    conn.commit()
    conn.close()


def _add_run(db: Path, session: str, record: dict[str, Any], status: str, created: str) -> str:
    store = RunStore(db).open()
    try:
        store.conn.execute(
            "INSERT INTO sessions (id, status, started_at, host, pid) VALUES (?, 'finished', ?, 'ci', 1)",
            (session, created),
        )
        run_id = store.update_run(
            session, record["nodeid"], status=status, url=URL, url_key=URL, **_record_fields(record)
        )
        store.conn.execute("UPDATE runs SET created_at = ? WHERE id = ?", (created, run_id))
    finally:
        store.close()
    return run_id


def _columns(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
    finally:
        conn.close()


def test_store_from_the_previous_version_gains_reach_columns(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    old = _record(tmp_path, None).model_dump(mode="json")
    del old["reach"]
    _old_store(db, old)
    assert "entered" not in _columns(db)

    entered = _record(tmp_path, _entered(tmp_path)).model_dump(mode="json")
    new_id = _add_run(db, "cccc00000002", entered, "passed", "2026-12-01T10:00:01+00:00")
    assert {"entered", "entered_at_s", "how"} <= _columns(db)

    store = RunStore(db).open()  # a second writer opening the migrated store changes nothing
    try:
        assert store.conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == str(SCHEMA_VERSION)
        rows = {r["id"]: r for r in store.history(URL)}
    finally:
        store.close()
    assert (rows[new_id]["entered"], rows[new_id]["entered_at_s"], rows[new_id]["how"]) == (1, 2.3, "press N")
    assert (rows["bbbb00000001"]["entered"], rows["bbbb00000001"]["how"]) == (None, None)  # old row: unknown
    assert views.entered_text(rows[new_id]) == "2.3s press N"
    assert views.entered_text(rows["bbbb00000001"]) == "-"


def test_a_new_store_has_the_reach_columns_and_not_entered_is_zero(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    blocked = _record(tmp_path, _not_entered(), outcome="failed").model_dump(mode="json")
    run_id = _add_run(db, "dddd00000001", blocked, "failed", "2026-12-01T10:00:01+00:00")
    store = RunStore(db).open(create=False)
    try:
        run = store.run(run_id)
    finally:
        store.close()
    assert run is not None and (run["entered"], run["entered_at_s"], run["how"]) == (0, None, None)
    assert views.entered_text(run) == "NO"


def test_gameqa_history_status_and_show_print_entered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "runs.sqlite"
    old = _record(tmp_path, None).model_dump(mode="json")
    del old["reach"]
    _old_store(db, old)
    entered = _record(tmp_path, _entered(tmp_path)).model_dump(mode="json")
    first = _add_run(db, "cccc00000002", entered, "passed", "2026-12-01T10:00:01+00:00")
    blocked = _record(tmp_path, _not_entered(), outcome="failed").model_dump(mode="json")
    latest = _add_run(db, "dddd00000003", blocked, "failed", "2026-12-02T10:00:01+00:00")

    assert cli.main(["history", "--db", str(db), URL]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()[1:]
    assert "ENTERED" in header.split()
    by_id = {row.split()[0]: row for row in rows}
    assert "  NO  " in by_id[latest] and "no longer enters the game" in by_id[latest]
    assert by_id[first].endswith("  2.3s press N")  # nothing changed since the run before
    assert re.split(r"\s{2,}", by_id["bbbb00000001"])[-3:] == ["none", "-", "first run"]  # no reach yet: unknown

    assert cli.main(["history", "--db", str(db), URL, "--json"]) == 0
    runs = {r["id"]: r for r in json.loads(capsys.readouterr().out)["runs"]}
    assert (runs[first]["entered"], runs[first]["entered_at_s"], runs[first]["how"]) == (True, 2.3, "press N")
    assert runs[latest]["entered"] is False and runs["bbbb00000001"]["entered"] is None

    assert cli.main(["status", "--db", str(db)]) == 0
    status = capsys.readouterr().out
    assert "ENTERED" in status and "  NO" in status

    assert cli.main(["show", "--db", str(db), first]) == 0
    shown = capsys.readouterr().out
    assert "  entered:     2.3s press N" in shown
    assert "  evidence:    start text gone; ArrowLeft moved the screen" in shown
    assert "  reacted to:  ArrowLeft, ArrowRight, Space" in shown
    assert "02-after-press-n.jpg" in shown

    assert cli.main(["show", "--db", str(db), latest]) == 0
    shown = capsys.readouterr().out
    assert "  entered:     NO" in shown and "  tried:       click 'Start', press Space, press Enter" in shown


def test_gameqa_history_reads_an_unmigrated_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run store from the previous version, e.g. a CI artifact: read as is, reach unknown (or from the record)."""
    db = tmp_path / "runs.sqlite"
    record = _record(tmp_path, _entered(tmp_path)).model_dump(mode="json")
    _old_store(db, record)  # a record with reach in a store without the columns (a writer of the old schema)
    db.chmod(0o444)
    try:
        assert cli.main(["history", "--db", str(db), URL]) == 0
        out = capsys.readouterr().out
        assert "ENTERED" in out and "2.3s press N" in out
        assert cli.main(["status", "--db", str(db), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["runs"][0]["entered"] is True
    finally:
        db.chmod(0o644)
    assert "entered" not in _columns(db)


def test_show_prints_how_to_run_the_repro_and_its_minimal_steps() -> None:
    from pytest_gameqa.runs.views import _repro_lines

    lines = _repro_lines(
        {
            "test": "/tmp/x/test_repro.py",
            "confirmed": "2/3: flaky",
            "min_line": "1. press Enter  2. press ArrowLeft x5  → page-error: boom",
            "test_min": "/tmp/x/test_repro_min.py",
        }
    )
    text = "\n".join(lines)
    assert "repro: pytest" in text and "test_repro.py" in text
    assert "confirmed: 2/3: flaky" in text and "minimal: 1. press Enter" in text and "test_repro_min.py" in text
    assert _repro_lines(None) == [] and _repro_lines({}) == []
