"""Shrinking and replay figures for the repro-* example games (issue 12).

For each game: a 15 s autonomous run (pytest, in a subprocess) that fails and writes repro.json; then
`gameqa shrink` (wall time, replays, replays per minute, steps before -> after); then the minimal
reproduction replayed N times with deterministic mode off and on (`gameqa replay --times N`).

    python benchmarks/shrink.py            # N = 10 (~10 min on 2 cores)
    python benchmarks/shrink.py --times 3  # quicker
Prints a table and writes benchmarks/shrink-results.json.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GAMES = ["repro-key-sequence", "repro-restart", "repro-crash-freeze"]


def run(cmd: list[str], cwd: Path, timeout: float = 600) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - started


def replay_count(folder: Path, name: str, times: int) -> tuple[str, float]:
    proc, seconds = run(
        [sys.executable, "-m", "pytest_gameqa.cli", "replay", str(folder / name), "--times", str(times)], folder
    )
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr.strip(), seconds


def bench(game: str, times: int, work: Path) -> dict[str, object]:
    tmp = work / game
    tmp.mkdir(parents=True)
    (tmp / "pytest.ini").write_text("[pytest]\n")
    cmd = [sys.executable, "-m", "pytest", "-c", "pytest.ini", "-p", "no:cacheprovider", "-q", "--output", "out"]
    _proc, run_s = run([*cmd, f"--game-url={REPO / 'examples' / 'games' / game}", "--game-duration", "15"], tmp)
    results = json.loads((tmp / "out" / "gameqa-results.json").read_text())["tests"][0]
    folder = tmp / "out" / results["artifacts_dir"]
    shrink, shrink_s = run(
        [sys.executable, "-m", "pytest_gameqa.cli", "shrink", str(folder), "--budget", "300"], folder
    )
    match = re.search(r"minimal: (\d+) of (\d+) actions \((\d+) replays", shrink.stdout)
    steps_after, steps_before, replays = (int(g) for g in match.groups()) if match else (None, None, None)
    minimal_line = next((line for line in shrink.stdout.splitlines() if "→" in line), "")
    off, off_s = replay_count(folder, "repro-min.json", times)
    # deterministic mode: the same minimal steps with Math.random seeded from the seed
    det = json.loads((folder / "repro-min.json").read_text())
    det["deterministic"] = True
    det_folder = folder / "deterministic"
    det_folder.mkdir()
    (det_folder / "repro.json").write_text(json.dumps(det))
    on, on_s = replay_count(det_folder, "repro.json", times)
    return {
        "game": game,
        "autonomous_run_s": round(run_s, 1),
        "steps_before": steps_before,
        "steps_after": steps_after,
        "minimal": minimal_line,
        "shrink_s": round(shrink_s, 1),
        "shrink_replays": replays,
        "replays_per_min": round(replays / shrink_s * 60, 1) if replays else None,
        f"replay_x{times}_off": off,
        f"replay_x{times}_off_s": round(off_s, 1),
        f"replay_x{times}_deterministic": on,
        f"replay_x{times}_deterministic_s": round(on_s, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--games", nargs="*", default=GAMES)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gameqa-bench-shrink-") as work:
        for game in args.games:
            row = bench(game, args.times, Path(work))
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print(
        f"{'game':22} {'steps':>9} {'shrink s':>9} {'replays':>8} {'/min':>6}  replay x{args.times} off / deterministic"
    )
    for r in rows:
        steps = f"{r['steps_before']}->{r['steps_after']}"
        print(
            f"{r['game']:22} {steps:>9} {r['shrink_s']:>9} {r['shrink_replays']!s:>8} {r['replays_per_min']!s:>6}  "
            f"{r[f'replay_x{args.times}_off']} / {r[f'replay_x{args.times}_deterministic']}"
        )
    (REPO / "benchmarks" / "shrink-results.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
