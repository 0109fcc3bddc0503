"""The `gameqa` command as a release manager uses it: run two builds of a game, then find out what changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e  # every test here starts a browser or a subprocess

REPO = Path(__file__).resolve().parent.parent
GAMES = REPO / "examples" / "games"


def gameqa(cwd: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    script = shutil.which("gameqa", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if script is None:
        pytest.fail("the gameqa console script is not installed; run: pip install -e .")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "GAMEQA_RUNS_DB")}
    return subprocess.run([script, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def as_json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gameqa"), proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_run_then_status_history_and_show(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    build = tmp_path / "build"
    shutil.copytree(GAMES / "healthy-canvas", build)
    broken = GAMES / "broken-page-error"

    # build 1: the game is fine; another game fails
    first = gameqa(tmp_path, "run", "build", str(broken), "--game-duration", "6", "-p", "no:cacheprovider")
    assert first.returncode == 1, first.stdout[-3000:] + first.stderr
    assert "2 games: 1 failed, 1 passed" in first.stdout
    assert "results:     test-results/gameqa-results.json" in first.stdout
    assert (tmp_path / "test-results" / "gameqa-results.json").is_file()
    assert "html report: test-results/report.html" in first.stdout
    assert (tmp_path / "test-results" / "report.html").is_file()
    assert "run store:   .gameqa/runs.sqlite" in first.stdout
    session1 = as_json(gameqa(tmp_path, "status", "--json"))
    by_url = {r["url"]: r for r in session1["runs"]}
    assert {u: r["status"] for u, r in by_url.items()} == {"build": "passed", str(broken): "failed"}
    for run in session1["runs"]:
        assert run["id"] in first.stdout  # the ids to look up later are printed

    # build 2 of the same game now throws
    shutil.copy(broken / "index.html", build / "index.html")
    second = gameqa(tmp_path, "run", "build", "--game-duration", "6", "-p", "no:cacheprovider")
    assert second.returncode == 1, second.stdout[-3000:] + second.stderr
    assert "1 game: 1 failed" in second.stdout

    history = gameqa(tmp_path, "history", "build")
    assert history.returncode == 0, history.stderr
    newest, oldest = history.stdout.splitlines()[2:4]
    assert "FAILED" in newest and f"REGRESSION (was passed in {by_url['build']['id']})" in newest, history.stdout
    assert "new: page-error" in newest
    assert "passed" in oldest and "first run" in oldest
    runs = as_json(gameqa(tmp_path, "history", str(build), "--json"))["runs"]
    assert [r["status"] for r in runs] == ["failed", "passed"]
    assert all(r["load_s"] is not None and r["fps_avg"] is not None for r in runs)

    status = gameqa(tmp_path, "status")
    assert status.returncode == 0, status.stderr
    assert "1 game: 1 failed" in status.stdout and "earlier sessions:" in status.stdout
    assert session1["session"]["id"] in status.stdout
    listed = gameqa(tmp_path, "status", session1["session"]["id"][:8])
    assert all(r["id"] in listed.stdout for r in session1["runs"]), listed.stdout

    failed = by_url[str(broken)]
    shown = gameqa(tmp_path, "show", failed["id"])
    assert shown.returncode == 0, shown.stderr
    assert f"run {failed['id']}: failed" in shown.stdout
    assert "page-error" in shown.stdout and "actions (" in shown.stdout and "evidence.json" in shown.stdout
    record = as_json(gameqa(tmp_path, "show", failed["id"], "--json"))["record"]
    assert {i["kind"] for i in record["issues"]} >= {"page-error"}

    # mistakes get one clear line and exit code 2
    assert_one_line_error(gameqa(tmp_path, "show", "0000ffff"), "no run or session with id")
    assert_one_line_error(gameqa(tmp_path, "status", "not-an-id"), "not a run id")
    assert_one_line_error(gameqa(tmp_path, "history", "https://nowhere.example/game/"), "no runs recorded", "build")


def test_bad_invocations_get_one_line(tmp_path: Path) -> None:
    assert_one_line_error(gameqa(tmp_path, "run", "--game-duration", "3"), "at least one game")
    assert_one_line_error(gameqa(tmp_path, "run", "no-such-build"), "no such file or folder")
    assert_one_line_error(gameqa(tmp_path, "status", "--db", str(tmp_path / "none.sqlite")), "no run store")
    (tmp_path / "junk.sqlite").write_text("not a database")
    assert_one_line_error(gameqa(tmp_path, "show", "abcd", "--db", str(tmp_path / "junk.sqlite")), "not a usable")
