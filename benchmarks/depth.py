"""Depth: does the built-in player find bugs that live past the first screen? Before vs after seeking.

For each `examples/games/depth-*` game (a level that ends after a long walk, a score to build, a round
to survive) and each seed, one smoke run of `--game-duration 30` (benchmarks/scripted/test_depth_find.py:
the run ends at the defect's page error), with the seeker on ("after") and off (`GAMEQA_SEEK=off`,
"before": the player as it was), interleaved so machine load hits both alike. A run *finds* the
defect when its page error is in the results; the time to find is that error's `at_s` (seconds since
the game started loading). Writes benchmarks/depth-results.json and prints a table.

    python benchmarks/depth.py                 # 3 games x 10 seeds x before/after: ~25 min on 2 cores
    python benchmarks/depth.py --runs 2 --games depth-walk
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import BENCH, GAMES, machine, median, pytest_cmd, run

GAMES_DEPTH = ("depth-walk", "depth-score", "depth-rounds", "depth-aim", "depth-fire", "depth-skip")
#: the smoke test's play time the issue asks about: found within 30 s
DURATION_S = 30
MODES = {"before": {"GAMEQA_SEEK": "off"}, "after": {"GAMEQA_SEEK": "on"}}


def one(game: str, seed: int, mode: str, work: Path) -> dict[str, Any]:
    cwd = work / f"{game}-{mode}-{seed}"
    cwd.mkdir(parents=True, exist_ok=True)
    (cwd / "pytest.ini").write_text("[pytest]\n")
    env = {**MODES[mode], "GAMEQA_DEPTH_URL": str(GAMES / game)}
    args = pytest_cmd(
        "-c",
        "pytest.ini",
        "-p",
        "no:randomly",
        str(BENCH / "scripted" / "test_depth_find.py"),
        "--game-duration",
        str(DURATION_S),
        "--game-seed",
        str(seed),
    )
    done = run(args, cwd, env=env, timeout=DURATION_S * 4)
    test = done.tests[0] if done.tests else {}
    errors = [i for i in test.get("issues", []) if i["kind"] == "page-error"]
    progress = test.get("progress") or {}
    reach = test.get("reach") or {}
    return {
        "game": game,
        "mode": mode,
        "seed": seed,
        "found": bool(errors),
        "found_at_s": errors[0]["at_s"] if errors else None,
        "entered_at_s": reach.get("entered_at_s"),
        "actions": len(test.get("actions", [])),
        "screens": len(progress.get("screens", [])),
        "counters": [f"{c['name']} {c['first']:g}->{c['best']:g}" for c in progress.get("counters", [])],
        "rounds": progress.get("rounds"),
        "wall_s": round(done.wall_s, 1),
        "ok": bool(test),
        "tail": "" if test else done.tail()[-600:],
    }


def table(rows: list[dict[str, Any]], games: list[str]) -> str:
    lines = [
        "| game | before: found / runs | before: median (max) s to find | after: found / runs | "
        "after: median (max) s to find |",
        "|---|---|---|---|---|",
    ]
    for game in games:
        cells = [game]
        for mode in MODES:
            runs = [r for r in rows if r["game"] == game and r["mode"] == mode and r["ok"]]
            times = [r["found_at_s"] for r in runs if r["found"]]
            found = f"{len(times)}/{len(runs)}"
            when = f"{median(times):.1f} ({max(times):.1f})" if times else "-"
            cells += [found, when]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="seeds per game and mode")
    parser.add_argument("--games", default=",".join(GAMES_DEPTH))
    parser.add_argument("--modes", default=",".join(MODES), help="before,after (before: GAMEQA_SEEK=off)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--out", default=str(BENCH / "depth-results.json"))
    args = parser.parse_args()
    games = [g for g in args.games.split(",") if g]
    unknown = [g for g in games if not (GAMES / g).is_dir()]
    if unknown:
        sys.exit(f"no such example game: {', '.join(unknown)} (see examples/games/)")
    rows: list[dict[str, Any]] = []
    started = time.time()
    before = machine()
    with tempfile.TemporaryDirectory(prefix="gameqa-depth-") as tmp:
        for seed in range(args.first_seed, args.first_seed + args.runs):
            for game in games:
                for mode in [m for m in MODES if m in args.modes.split(",")]:
                    row = one(game, seed, mode, Path(tmp))
                    rows.append(row)
                    when = f"{row['found_at_s']:.1f} s" if row["found"] else "not found"
                    print(f"{game:13} {mode:6} seed {seed:2}: {when:10} {row['counters']} rounds {row['rounds']}")
    print()
    print(table(rows, games))
    data = {
        "machine_before": before,
        "machine_after": machine(),
        "minutes": round((time.time() - started) / 60, 1),
        "duration_s": DURATION_S,
        "rows": rows,
        "table": table(rows, games),
    }
    Path(args.out).write_text(json.dumps(data, indent=1))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
