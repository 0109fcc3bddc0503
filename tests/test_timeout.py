"""Every way a game test can end leaves its report and no browser behind: time limit, Ctrl-C, SIGTERM,
a browser that dies, a process killed hard.

Real pytest subprocesses, real Chromium. Processes are only ever inspected or signalled when they
descend from the subprocess the test started itself: other people run Chromium on the same machine.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import descendants

pytestmark = pytest.mark.e2e  # every test here starts a browser or a subprocess

REPO = Path(__file__).resolve().parent.parent
GAMES = REPO / "examples" / "games"
HEALTHY = GAMES / "healthy-canvas"


# ------------------------------------------------------------------------------------------------ helpers
def alive(pids: dict[int, str]) -> dict[int, str]:
    """Those still running (a zombie has no cmdline left and counts as gone)."""
    still = {}
    for pid, cmd in pids.items():
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes():
                still[pid] = cmd
        except OSError:
            pass
    return still


def start_pytest(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # the rootdir: keeps the repo's config out
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--output", str(tmp_path / "out"), *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, like a job in a terminal
    )


def wait_until_playing(proc: subprocess.Popen[str], out: Path, timeout: float = 90) -> dict[int, str]:
    """Block until the agent has finished an action (evidence exists), then list the run's processes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"pytest ended before the game was played:\n{proc.stdout.read() if proc.stdout else ''}")
        if list(out.glob("*/01-after-*")):
            return descendants(proc.pid)
        time.sleep(0.2)
    proc.kill()
    pytest.fail("the game never got as far as its first action")


def finish(proc: subprocess.Popen[str], timeout: float = 90) -> str:
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f"pytest did not end within {timeout} s of being stopped:\n{output[-3000:]}")
    return output


def assert_no_browser_left(before: dict[int, str]) -> None:
    browsers = {pid: cmd for pid, cmd in before.items() if "chrom" in cmd}
    assert browsers, f"no Chromium found under the pytest process: {before}"
    deadline = time.monotonic() + 10
    while alive(browsers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = alive(browsers)
    for pid in left:  # ours (descendants of our own subprocess): do not leave them to others
        os.kill(pid, signal.SIGKILL)
    assert not left, f"Chromium processes left running: {sorted(left)}"


def results(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "out" / "gameqa-results.json"
    assert path.is_file(), "gameqa-results.json was not written"
    return json.loads(path.read_text())


def run_rows(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY created_at, rowid")]
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------------ tests
def test_hard_time_limit_stops_the_game_and_keeps_the_evidence(tmp_path: Path) -> None:
    """A game that would play 60 s and a test body stuck in a sleep both stop at --game-timeout."""
    (tmp_path / "test_stuck.py").write_text(
        "import asyncio\nimport pytest\n\n"
        f"@pytest.mark.game({str(HEALTHY)!r})\n"
        "async def test_stuck(game_agent):\n"
        "    await game_agent.press('ArrowRight')\n"
        "    await asyncio.sleep(600)  # never listens to the agent again\n"
    )
    started = time.monotonic()
    proc = start_pytest(
        tmp_path,
        "test_stuck.py",
        f"--game-url={HEALTHY}",
        "--game-duration",
        "60",
        "--game-timeout",
        "10",
        "--game-no-runs",
        "--html",
        str(tmp_path / "out" / "report.html"),
    )
    output = finish(proc, timeout=150)
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, output[-3000:]
    assert elapsed < 60 + 30, f"the time limit did not stop the run ({elapsed:.0f} s)"
    tests = {t["nodeid"]: t for t in results(tmp_path)["tests"]}
    assert len(tests) == 2, tests.keys()
    for test in tests.values():
        assert test["outcome"] == "failed"
        timeouts = [i for i in test["issues"] if i["kind"] == "timeout"]
        assert len(timeouts) == 1 and "10 s" in timeouts[0]["message"], test["issues"]
        assert 9.5 <= timeouts[0]["at_s"] <= 25, timeouts
        assert test["actions"], "the actions played before the limit were lost"
        folder = tmp_path / "out" / test["artifacts_dir"]
        first = test["actions"][0]
        assert (tmp_path / "out" / first["before"]).is_file() and (tmp_path / "out" / first["after"]).is_file()
        assert (folder / "evidence.json").is_file()
    assert tests["test_stuck.py::test_stuck"]["duration_s"] < 45, "the stuck test body was never cancelled"
    assert "timeout" in output and "hard time limit of 10 s" in output
    assert (tmp_path / "out" / "report.html").is_file(), "the HTML report was not written"
    assert not (tmp_path / ".gameqa").exists(), "--game-no-runs still created a run store"


@pytest.mark.parametrize(
    "how",
    [
        pytest.param("ctrl-c", id="ctrl-c-to-the-process-group"),
        pytest.param("sigterm", id="sigterm-to-pytest"),
    ],
)
def test_interrupted_run_writes_its_report_and_closes_the_browser(tmp_path: Path, how: str) -> None:
    db = tmp_path / "runs.sqlite"
    proc = start_pytest(tmp_path, f"--game-url={HEALTHY}", "--game-duration", "60", "--game-runs-db", str(db))
    processes = wait_until_playing(proc, tmp_path / "out")
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: pytest, its driver and browser all get it
    else:
        os.kill(proc.pid, signal.SIGTERM)  # what CI does when a job is cancelled
    output = finish(proc)
    assert proc.returncode == 2, output[-3000:]
    assert "the run was interrupted" in output
    (test,) = results(tmp_path)["tests"]
    assert test["outcome"] == "error"
    assert test["actions"], "the actions played before the interrupt were lost"
    assert (tmp_path / "out" / test["actions"][0]["after"]).is_file()
    (row,) = run_rows(db)
    assert row["status"] == "interrupted", row
    assert json.loads(row["record"])["actions"], "the run record lost the evidence"
    assert_no_browser_left(processes)


def test_browser_that_dies_fails_the_game_with_its_evidence(tmp_path: Path) -> None:
    proc = start_pytest(tmp_path, f"--game-url={HEALTHY}", "--game-duration", "60", "--game-no-runs")
    processes = wait_until_playing(proc, tmp_path / "out")
    browser = [pid for pid, cmd in processes.items() if "chrom" in cmd and "--type=" not in cmd]
    assert len(browser) == 1, processes
    os.kill(browser[0], signal.SIGKILL)
    output = finish(proc)
    assert proc.returncode == 1, output[-3000:]
    (test,) = results(tmp_path)["tests"]
    assert test["outcome"] == "failed"
    crashes = [i for i in test["issues"] if i["kind"] == "crash"]
    assert len(crashes) == 1, crashes  # page closed + browser gone: one defect, reported once
    assert test["actions"] and (tmp_path / "out" / test["actions"][0]["before"]).is_file()
    assert_no_browser_left(processes)


def test_run_killed_hard_shows_as_interrupted_not_running(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    proc = start_pytest(tmp_path, f"--game-url={HEALTHY}", "--game-duration", "60", "--game-runs-db", str(db))
    processes = wait_until_playing(proc, tmp_path / "out")
    assert [r["status"] for r in run_rows(db)] == ["running"]
    os.kill(proc.pid, signal.SIGKILL)  # no handler runs: the row stays `running` in the file
    finish(proc)
    assert [r["status"] for r in run_rows(db)] == ["running"]
    status = subprocess.run(
        [sys.executable, "-m", "pytest_gameqa.cli", "status", "--db", str(db)], capture_output=True, text=True
    )
    assert status.returncode == 0, status.stderr
    assert "INTERRUPTED" in status.stdout and "killed" in status.stdout, status.stdout
    assert [r["status"] for r in run_rows(db)] == ["interrupted"], "the verdict was not written back"
    assert_no_browser_left(processes)


def test_a_finished_run_with_a_failing_game_leaves_no_browser(tmp_path: Path) -> None:
    broken = GAMES / "broken-page-error"
    proc = start_pytest(
        tmp_path, f"--game-url={HEALTHY}", f"--game-url={broken}", "--game-duration", "3", "--game-no-runs"
    )
    processes = wait_until_playing(proc, tmp_path / "out")
    output = finish(proc)
    assert proc.returncode == 1, output[-3000:]
    assert [t["outcome"] for t in results(tmp_path)["tests"]] == ["passed", "failed"]
    assert_no_browser_left(processes)
