"""Shrinking and replay figures for the repro-* example games (issue 12).

For each game: a 15 s autonomous run (pytest, in a subprocess) that fails and writes repro.json; then
`gameqa shrink` (wall time, replays, replays per minute, steps before -> after, and whether the
minimal list is at most 3 steps that start with the way in and end with the trigger); then the
minimal reproduction replayed N times with deterministic mode off and on (`gameqa replay --times N`).

    python benchmarks/shrink.py            # N = 10 (~25 min on 2 cores)
    python benchmarks/shrink.py --times 3  # quicker
    python benchmarks/shrink.py --games repro-crash --no-deterministic
Prints a table and writes benchmarks/shrink-results.json (the games measured replace their own rows).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "shrink-results.json"
#: game -> (the way in, the trigger): words the first and the last minimal step must hold
GAMES: dict[str, tuple[str, str]] = {
    "repro-key-sequence": ("press Enter", "press ArrowLeft x5"),
    "repro-restart": ("Start", "Try again"),
    "repro-crash-freeze": ("Start", "press Space x2"),
    "repro-crash": ("press n", "press Space x5"),
}
SHRINK_BUDGET_S = 300


def run(cmd: list[str], cwd: Path, timeout: float = 1200) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    return proc, time.monotonic() - started


def replay_count(folder: Path, name: str, times: int) -> tuple[str, float]:
    """`gameqa replay` of one reproduction file: its last line ("reproduced 10/10") and wall time."""
    proc, seconds = run(
        [sys.executable, "-m", "pytest_gameqa.cli", "replay", str(folder / name), "--times", str(times)], folder
    )
    lines = (proc.stdout.strip() or proc.stderr.strip() or f"exit code {proc.returncode}").splitlines()
    return lines[-1], round(seconds, 1)


def loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def bench(game: str, times: int, work: Path, deterministic: bool) -> dict[str, Any]:
    way_in, trigger = GAMES.get(game, ("", ""))
    row: dict[str, Any] = {"game": game, "load_before": loadavg()}
    tmp = work / game
    tmp.mkdir(parents=True)
    (tmp / "pytest.ini").write_text("[pytest]\n")
    cmd = [sys.executable, "-m", "pytest", "-c", "pytest.ini", "-p", "no:cacheprovider", "-q", "--output", "out"]
    proc, run_s = run([*cmd, f"--game-url={REPO / 'examples' / 'games' / game}", "--game-duration", "15"], tmp)
    row["autonomous_run_s"] = round(run_s, 1)
    results_file = tmp / "out" / "gameqa-results.json"
    tests = json.loads(results_file.read_text())["tests"] if results_file.is_file() else []
    folder = tmp / "out" / tests[0]["artifacts_dir"] if tests else tmp
    if not (folder / "repro.json").is_file():
        row["error"] = f"the autonomous run left no repro.json (pytest exit code {proc.returncode})"
        return row
    recorded = json.loads((folder / "repro.json").read_text())
    row["issue"] = f"{recorded['issue']['kind']}: {recorded['issue']['message'][:80]}"
    row["steps_before"] = len(recorded["steps"])
    shrink, shrink_s = run(
        [sys.executable, "-m", "pytest_gameqa.cli", "shrink", str(folder), "--budget", str(SHRINK_BUDGET_S)], folder
    )
    row["shrink_s"] = round(shrink_s, 1)
    row["shrink_exit"] = shrink.returncode
    match = re.search(r"minimal: (\d+) of (\d+) actions \((\d+) replays", shrink.stdout)
    if match is None or not (folder / "repro-min.json").is_file():
        row["error"] = "shrink found no minimal list: " + " | ".join(shrink.stdout.strip().splitlines()[-3:])
        return row
    replays = int(match.group(3))
    minimal = json.loads((folder / "repro-min.json").read_text())
    labels = [step["description"] for step in minimal["steps"]]
    row.update(
        steps_after=len(labels),
        minimal=labels,
        shrink_replays=replays,
        replays_per_min=round(replays / shrink_s * 60, 1),
        # the must-show: at most 3 actions, the way in first and the trigger last
        minimal_ok=bool(labels) and len(labels) <= 3 and way_in in labels[0] and trigger in labels[-1],
    )
    row[f"replay_x{times}"], row[f"replay_x{times}_s"] = replay_count(folder, "repro-min.json", times)
    if deterministic:  # the same minimal steps with Math.random seeded from the seed
        minimal["deterministic"] = True
        det_folder = folder / "deterministic"
        det_folder.mkdir()
        (det_folder / "repro.json").write_text(json.dumps(minimal))
        on, on_s = replay_count(det_folder, "repro.json", times)
        row[f"replay_x{times}_deterministic"], row[f"replay_x{times}_deterministic_s"] = on, round(on_s, 1)
    row["load_after"] = loadavg()
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--times", type=int, default=10, help="replays of each minimal reproduction (default 10)")
    parser.add_argument("--games", nargs="*", default=list(GAMES))
    parser.add_argument("--no-deterministic", action="store_true", help="skip the deterministic-mode replays")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gameqa-bench-shrink-") as work:
        for game in args.games:
            row = bench(game, args.times, Path(work), not args.no_deterministic)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    n = args.times
    head = f"{'game':20} {'steps':>7} {'shrink s':>9} {'replays':>8} {'/min':>6} {'<=3 ok':>6}"
    print(f"{head}  replay x{n} (deterministic)")
    for r in rows:
        if "error" in r:
            print(f"{r['game']:20} {r['error']}")
            continue
        det = f" ({r[f'replay_x{n}_deterministic']})" if f"replay_x{n}_deterministic" in r else ""
        print(
            f"{r['game']:20} {r['steps_before']:>3}->{r['steps_after']:<3} {r['shrink_s']:>9} {r['shrink_replays']:>8} "
            f"{r['replays_per_min']:>6} {r['minimal_ok']!s:>6}  {r[f'replay_x{n}']}{det}"
        )
        print(f"{'':20} minimal: {', '.join(r['minimal'])}")
    done = [r for r in rows if "error" not in r]
    if done:
        total_s = sum(r["shrink_s"] for r in done)
        total_replays = sum(r["shrink_replays"] for r in done)
        print(f"all shrinking: {total_s:.0f} s, {total_replays} replays, {total_replays / total_s * 60:.1f} a minute")
    kept = json.loads(RESULTS.read_text()) if RESULTS.is_file() else []
    measured = {r["game"] for r in rows}
    kept = [r for r in kept if isinstance(r, dict) and r.get("game") not in measured]
    stamp = time.strftime("%Y-%m-%d %H:%M")
    RESULTS.write_text(json.dumps([*kept, *({**r, "measured": stamp, "cpus": os.cpu_count()} for r in rows)], indent=2))
    return 0 if all(r.get("minimal_ok") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
