"""What a flood of long console messages costs the run: wall time, pytest's peak memory, artifact size.

    python benchmarks/flood.py                        this checkout only
    python benchmarks/flood.py --before aea1b90       and a revision before the in-page budget, side by side

The game is `examples/games/trust-long-flood` (200 `console.error` lines of ~2 KB every frame, from
load). `--before REV` checks REV out into a temporary git worktree and runs the same command with that
package first on `sys.path`, so both columns are the same machine, game and command. Figures go to
`benchmarks/flood-results.json`; nothing here is asserted by the suite (tests/test_trust_flood.py is).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import BENCH, GAMES, REPO, installed_plugins, machine, only_installed_plugins, pytest_cmd, run

GAME = GAMES / "trust-long-flood"
CE = "console-error"
#: the issue's scenario: 15 s of play
DURATION_S = 15
#: OCR's model alone takes ~350 MB of the pytest process whenever the player reads pixels, flood or not:
#: off in both columns, so they compare what the flood costs
OCR_OFF = ("--game-ocr", "off")


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6 if path.exists() else 0.0


def measure(label: str, work: Path, pythonpath: str | None) -> dict[str, Any]:
    # only the plugins pytest-gameqa[html] brings, as a user has them: this machine's dev tools add
    # seconds (hypothesis imports itself in its terminal summary: 1-4 s at load 20, after the game)
    plugin_args, plugin_env = only_installed_plugins(installed_plugins())
    env = {**plugin_env, **({"PYTHONPATH": pythonpath} if pythonpath else {})}
    work.mkdir(parents=True, exist_ok=True)
    (work / "pytest.ini").write_text("[pytest]\n")
    result = run(
        pytest_cmd(
            *plugin_args,
            "-c",
            "pytest.ini",
            "--game-url",
            str(GAME),
            "--game-duration",
            str(DURATION_S),
            "--html=report.html",
            *OCR_OFF,
        ),
        work,
        env=env,
        sample=True,
        timeout=300,
    )
    test = result.tests[0] if result.tests else {}
    metrics = test.get("metrics") or {}
    row = {
        "label": label,
        "wall_s": round(result.wall_s, 1),
        "pytest_peak_rss_mb": round(result.peak_rss_mb or 0.0, 1),
        "chromium_peak_rss_mb": round(result.peak_chromium_rss_mb, 1),
        "artifacts_mb": round(_size_mb(work / "out") + _size_mb(work / "report.html"), 2),
        "outcome": test.get("outcome"),
        "kinds": sorted({i["kind"] for i in test.get("issues", []) if i["kind"] != "warning"}),
        "console_errors_counted": sum(i.get("count", 1) for i in test.get("issues", []) if i["kind"] == CE),
        "dropped_in_page": metrics.get("page_budget"),
    }
    if not result.tests:
        row["tail"] = result.tail()
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", metavar="REV", help="also measure this git revision (a temporary worktree)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gameqa-flood-") as tmp:
        tmp_path = Path(tmp)
        if args.before:
            tree = tmp_path / "before-tree"
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.before], cwd=REPO, check=True)
            try:
                rows.append(measure(f"before ({args.before})", tmp_path / "before", str(tree)))
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
        rows.append(measure("after (this checkout)", tmp_path / "after", None))
    out = {"machine": machine(), "game": "examples/games/trust-long-flood", "duration_s": DURATION_S, "runs": rows}
    (BENCH / "flood-results.json").write_text(json.dumps(out, indent=2) + "\n")
    keys = ("wall_s", "pytest_peak_rss_mb", "chromium_peak_rss_mb", "artifacts_mb", "console_errors_counted")
    print(f"{'':24}" + "".join(f"{k:>24}" for k in keys))
    for row in rows:
        print(f"{row['label']:24}" + "".join(f"{row[k]!s:>24}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
