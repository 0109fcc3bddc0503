"""Run records: one row per game test, pending -> running -> verdict, safe with several writers at once,
the same verdicts serial and under xdist, and ids that never collide."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_gameqa.runs.store import Owner, RunStore

pytestmark = pytest.mark.e2e  # every test here starts a browser or a subprocess

REPO = Path(__file__).resolve().parent.parent
GAMES = REPO / "examples" / "games"
HEALTHY = GAMES / "healthy-canvas"
BROKEN = GAMES / "broken-page-error"


def _pytest(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    (cwd / "pytest.ini").write_text("[pytest]\n")  # the rootdir, where .gameqa/ goes by default
    full_env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        env={**full_env, **(env or {})},
    )


def _rows(db: Path, sql: str = "SELECT * FROM runs ORDER BY created_at, rowid") -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------------ store
WRITER = textwrap.dedent(
    """
    import sys, time
    from pytest_gameqa.runs.store import Owner, RunStore
    db, session = sys.argv[1], sys.argv[2]
    index, writers, start_at = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    nodeids = [f"test_game[{n}]" for n in range(40)]
    store = RunStore(db)
    while time.time() < start_at:
        time.sleep(0.001)
    store.open()
    me = Owner.me()
    # like an xdist worker: every worker records the whole collection, then runs its share
    store.add_pending(session, [{"nodeid": n, "url": f"http://game/{n}", "url_key": n} for n in nodeids])
    for nodeid in nodeids[index::writers]:
        store.update_run(session, nodeid, status="running", host=me.host, pid=me.pid, pid_start=me.pid_start)
        store.update_run(session, nodeid, status="passed", finished_at="2026-01-01T00:00:00+00:00", worker=f"gw{index}")
    print(me.pid)
    """
)


def test_several_processes_write_the_store_at_once(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    writers = 4
    start_at = time.time() + 1.5  # all of them start writing in the same instant
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), "abcd1234", str(i), str(writers), str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(writers)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    rows = _rows(db)
    assert len(rows) == 40
    assert len({r["id"] for r in rows}) == 40
    assert {r["status"] for r in rows} == {"passed"}
    pids = {int(out) for out, _ in outputs}
    assert {r["pid"] for r in rows} == pids, "each row should belong to the process that ran it"
    assert _rows(db, "PRAGMA journal_mode")[0]["journal_mode"] == "wal"


def test_rows_of_dead_processes_become_interrupted(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    script = (
        "import sys\nfrom pytest_gameqa.runs.store import Owner, RunStore\n"
        "me = Owner.me(); store = RunStore(sys.argv[1]).open()\n"
        "store.start_session('dead0001', owner=me, cwd='.', args=[], results_path=None, html_report=None)\n"
        "store.update_run('dead0001', 'test_a', status='running', host=me.host, pid=me.pid, pid_start=me.pid_start)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True, timeout=60)  # exits without finishing
    store = RunStore(db).open()
    me = Owner.me()
    store.start_session("a11e0001", owner=me, cwd=".", args=[], results_path=None, html_report=None)
    store.update_run("a11e0001", "test_b", status="running", host=me.host, pid=me.pid, pid_start=me.pid_start)
    assert store.reap() == 1
    statuses = {r["nodeid"]: r["status"] for r in _rows(db)}
    assert statuses == {"test_a": "interrupted", "test_b": "running"}  # this process is alive: untouched
    assert store.session("dead0001")["status"] == "interrupted"  # type: ignore[index]
    assert store.reap() == 0
    # a reused pid is not mistaken for the original owner
    assert Owner(socket.gethostname(), os.getpid(), "not-my-start-time").alive() is False
    assert Owner("another-machine", 1, None).alive() is None
    store.close()


# ------------------------------------------------------------------------------------------------ pytest
def test_serial_and_parallel_runs_record_the_same_verdicts(tmp_path: Path) -> None:
    # both games start at a "Start Game" button: given, so each has its play time to show play in
    games = [f"--game-url={HEALTHY}", f"--game-url={BROKEN}", "--game-start", "click Start Game"]
    # 8 s: the verdicts compared must not hang on how fast a loaded machine gets a 5 s run's moves in
    serial = _pytest(tmp_path, *games, "--game-duration", "8", "--output", "serial")
    assert serial.returncode == 1, serial.stdout[-3000:]
    parallel = _pytest(tmp_path, "-n", "2", *games, "--game-duration", "8", "--output", "parallel")
    assert parallel.returncode == 1, parallel.stdout[-3000:]

    db = tmp_path / ".gameqa" / "runs.sqlite"
    assert db.is_file(), "the default store belongs in the rootdir's .gameqa/"
    rows = _rows(db)
    sessions = _rows(db, "SELECT * FROM sessions ORDER BY started_at, rowid")
    assert len(sessions) == 2 and len(rows) == 4
    assert len({r["id"] for r in rows} | {s["id"] for s in sessions}) == 6, "ids collided"
    assert [s["status"] for s in sessions] == ["finished", "finished"] and [s["exit_code"] for s in sessions] == [1, 1]

    def verdicts(session_id: str) -> dict[str, tuple[str, str]]:
        """Status and kinds; how many times a repeating error fired in 3 s depends on the machine's load."""
        return {
            r["url_key"]: (r["status"], json.dumps(sorted(json.loads(r["issue_kinds"]))))
            for r in rows
            if r["session_id"] == session_id
        }

    assert (
        verdicts(sessions[0]["id"])
        == verdicts(sessions[1]["id"])
        == {
            str(HEALTHY): ("passed", "[]"),
            str(BROKEN): ("failed", json.dumps(["page-error"])),
        }
    )
    for folder in ("serial", "parallel"):
        results = json.loads((tmp_path / folder / "gameqa-results.json").read_text())
        assert {t["url"]: t["outcome"] for t in results["tests"]} == {str(HEALTHY): "passed", str(BROKEN): "failed"}

    first, second = (r for r in rows if r["session_id"] == sessions[0]["id"])
    assert second["created_at"] <= first["started_at"], "games should be recorded as pending at collection"
    for row in rows:
        assert row["started_at"] <= row["finished_at"]
        assert row["description"].startswith("smoke test of ") and row["seed"] is not None
        assert row["load_s"] is not None and row["fps_avg"] is not None
        assert Path(row["evidence_path"]).is_file() and Path(row["results_path"]).is_file()
        assert json.loads(row["record"])["actions"], "the stored report has no actions"
    broken = [r for r in rows if r["url_key"] == str(BROKEN)]
    assert all("page-error" in r["error"] for r in broken)

    in_parallel = [r for r in rows if r["session_id"] == sessions[1]["id"]]
    assert {r["worker"] for r in in_parallel} == {"gw0", "gw1"}, "the games did not run on separate workers"
    assert len({r["pid"] for r in in_parallel}) == 2


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), {"GAMEQA_NO_RUNS": "maybe"}, "gameqa: GAMEQA_NO_RUNS must be true or false, got 'maybe'"),
        (("--game-runs-db", "."), {}, "is a folder; give a file path"),
        (("--game-runs-db", ""), {}, "gameqa: --game-runs-db is empty"),
    ],
)
def test_bad_run_store_options_fail_in_one_line(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    proc = _pytest(tmp_path, "--co", *args, env=env)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / ".gameqa").exists()
