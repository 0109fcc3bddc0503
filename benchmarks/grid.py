"""Games per minute through one Playwright server with `-n 1/2/4/8` (pytest-xdist workers).

With a grid the browsers run elsewhere, so `-n` may exceed the local cores. Here the server runs on this
machine (`playwright run-server --unsafe` on 127.0.0.1, the browsers it launches share our 2 cores), so
the table shows what the client side costs and where one small machine saturates; the verdicts of
every run are compared too (a loaded machine must not change them).

    python benchmarks/grid.py [--duration 10] [--workers 1,2,4,8] [--json benchmarks/grid.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GAMES = REPO / "examples" / "games"
PICK = (
    "healthy-canvas",
    "healthy-turn-based",
    "healthy-webgl",
    "healthy-slow-loading",
    "gate-enter-key",
    "gate-dom-button",
    "gate-canvas-click",
    "broken-page-error",
)
CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {{**browser_type_launch_args, "executable_path": {chromium!r}}}
"""


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1", "--port", "0", "--unsafe"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("Listening on "):
        raise SystemExit(f"playwright run-server did not start: {line!r}")
    return proc, line.removeprefix("Listening on ")


def run(workers: int, endpoint: str, duration: float, chromium: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="gameqa-grid-") as tmp:
        cwd = Path(tmp)
        (cwd / "pytest.ini").write_text("[pytest]\n")
        (cwd / "conftest.py").write_text(CONFTEST.format(chromium=chromium))
        args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--output", str(cwd / "out")]
        args += ["-n", str(workers), "--game-ws-endpoint", endpoint, "--game-duration", str(duration), "--game-no-runs"]
        for name in PICK:
            args += ["--game-url", str(GAMES / name)]
        env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
        start = time.monotonic()
        proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=1800)
        wall = time.monotonic() - start
        results = json.loads((cwd / "out" / "gameqa-results.json").read_text())
    verdicts = {
        Path(t["url"]).name: sorted({i["kind"] for i in t["issues"] if i["kind"] != "warning"})
        for t in results["tests"]
    }
    return {
        "workers": workers,
        "games": len(results["tests"]),
        "wall_s": round(wall, 1),
        "games_per_min": round(len(results["tests"]) * 60 / wall, 2),
        "exit_code": proc.returncode,
        "verdicts": verdicts,
        "load_after": os.getloadavg()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", default="1,2,4,8")
    parser.add_argument("--json", default=str(REPO / "benchmarks" / "grid.json"))
    options = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    server, endpoint = start_server()
    rows = []
    try:
        for workers in (int(n) for n in options.workers.split(",")):
            row = run(workers, endpoint, options.duration, chromium)
            rows.append(row)
            print(f"-n {workers}: {row['games']} games in {row['wall_s']} s = {row['games_per_min']} games/min")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    base = rows[0]["games_per_min"]
    print("\n| -n | wall s | games/min | vs -n 1 | same verdicts |\n|---|---|---|---|---|")
    for row in rows:
        same = row["verdicts"] == rows[0]["verdicts"]
        print(
            f"| {row['workers']} | {row['wall_s']} | {row['games_per_min']} | "
            f"{row['games_per_min'] / base:.2f}x | {'yes' if same else 'no'} |"
        )
    Path(options.json).write_text(
        json.dumps({"cpus": os.cpu_count(), "duration": options.duration, "games": list(PICK), "rows": rows}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
