"""Time to enter on the heavy WebGL examples: how long after the page started loading the player got in.

    python benchmarks/heavy.py [--runs 3] [--before DIR] [--games trust-heavy-loader,healthy-webgl]

Each game is played as a smoke test (`--game-duration` per game below), and the test's `reach`
(entered, entered_at_s, how) is read next to when the game was ready (`metrics.ready_s`) and when the
monitor judged its loading over (`metrics.loading.ended_at_s`): entry can only follow loading, so the
figure that says how fast the player is is `entered_at_s - loading ended`. `--before DIR` also runs a
copy of the package in DIR (first on `sys.path`), interleaved with this checkout in every round, so both
columns share the machine's load. Writes `benchmarks/heavy-results.json`; nothing here is asserted.
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

#: the play time each game needs: the heavy loader loads for ~18 s before its race (as its e2e test plays
#: it), the WebGL game enters in a few seconds
DURATIONS = {"trust-heavy-loader": 25.0, "healthy-webgl": 10.0}


def measure(game: str, work: Path, pythonpath: str | None) -> dict[str, Any]:
    env = {"PYTHONPATH": pythonpath} if pythonpath else None
    args = pytest_cmd("--game-url", str(GAMES / game), "--game-duration", str(DURATIONS.get(game, 15.0)))
    result = run(args, work, env=env, timeout=300)
    test = result.tests[0] if result.tests else {}
    reach, metrics = test.get("reach") or {}, test.get("metrics") or {}
    loading_end = (metrics.get("loading") or {}).get("ended_at_s")
    entered_at = reach.get("entered_at_s")
    return {
        "wall_s": round(result.wall_s, 2),
        "outcome": test.get("outcome"),
        "kinds": sorted({i["kind"] for i in test.get("issues", []) if i["kind"] != "warning"}),
        "entered": reach.get("entered"),
        "entered_at_s": entered_at,
        "how": reach.get("how"),
        "ready_s": metrics.get("ready_s"),
        "loading_ended_s": loading_end,
        "after_loading_s": round(entered_at - loading_end, 2) if entered_at is not None and loading_end else None,
        "actions": len(test.get("actions", [])),
        "load_avg": machine().get("loadavg"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, default=None, help="a copy of the package to time as well")
    parser.add_argument("--games", default=",".join(DURATIONS))
    parser.add_argument("--out", type=Path, default=BENCH / "heavy-results.json")
    args = parser.parse_args()
    games = [g.strip() for g in args.games.split(",") if g.strip()]
    versions: list[tuple[str, str | None]] = [("after", None)]
    if args.before is not None:
        versions.insert(0, ("before", str(args.before)))
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {g: {name: [] for name, _ in versions} for g in games}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gameqa-heavy-") as tmp:
        for i in range(args.runs):
            for game in games:
                for name, path in versions:
                    row = measure(game, Path(tmp) / f"{game}-{name}-{i}", path)
                    runs[game][name].append(row)
                    print(f"[{time.monotonic() - started:5.0f} s] {game} {name} #{i + 1}: {row}", flush=True)
    summary = {
        game: {
            name: {
                "entered": f"{sum(1 for r in rows if r['entered'])}/{len(rows)}",
                "median_entered_at_s": median([r["entered_at_s"] for r in rows if r["entered_at_s"] is not None]),
                "median_after_loading_s": median(
                    [r["after_loading_s"] for r in rows if r["after_loading_s"] is not None]
                ),
                "median_loading_ended_s": median([r["loading_ended_s"] for r in rows if r["loading_ended_s"]]),
            }
            for name, rows in by_version.items()
        }
        for game, by_version in runs.items()
    }
    out = {"machine": machine(), "durations_s": DURATIONS, "summary": summary, "runs": runs}
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
