"""Where the seconds of one `pytest --game-url GAME --game-duration D` run go: a timeline of its phases.

    python benchmarks/timeline.py [--game healthy-canvas] [--duration 10] [--html] [--runs 1]

Runs the overhead benchmark's command (only the plugins `pytest-gameqa[html]` installs) with
`timeline_probe.py` loaded, which wraps the harness's phases by name, and prints each phase's start and
end in seconds since the process was started, then the process's exit. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import BENCH, GAMES, BenchServer, installed_plugins, only_installed_plugins, pytest_cmd, run


def one(game: str, duration: float, html: bool, work: Path, more: list[str]) -> dict[str, object]:
    plugin_args, plugin_env = only_installed_plugins(installed_plugins())
    extra = ["--html=report.html", *more] if html else more
    args = pytest_cmd(
        "-p", "timeline_probe", *plugin_args, "--game-url", str(GAMES / game), "--game-duration", str(duration), *extra
    )
    target = work / "timeline.json"
    python_path = os.pathsep.join(p for p in (str(BENCH), os.environ.get("PYTHONPATH", "")) if p)
    env = {**plugin_env, "PYTHONPATH": python_path, "GAMEQA_TIMELINE": str(target), "GAMEQA_T0": repr(time.time())}
    result = run(args, work, env=env)
    data = json.loads(target.read_text()) if target.exists() else {"events": [], "notes": ["no timeline written"]}
    data["wall_s"] = round(result.wall_s, 3)
    data["returncode"] = result.returncode
    return data


def show(data: dict[str, object]) -> None:
    events = sorted(data["events"], key=lambda e: e[1])  # type: ignore[index]
    for name, start, end in events:
        span = f"{start:7.3f} - {end:7.3f}  ({end - start:6.3f} s)" if end is not None else f"{start:7.3f}"
        print(f"  {span:36} {name}")
    print(f"  process exit {data['wall_s']:.3f} s (rc {data['returncode']}); notes: {data['notes']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--game", default="healthy-canvas")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--html", action="store_true")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--plain", action="store_true", help="also time plain.py load, before each run")
    parser.add_argument("--extra", default="", help="more pytest arguments, space-separated")
    args = parser.parse_args()
    server = BenchServer()
    try:
        with tempfile.TemporaryDirectory(prefix="gameqa-timeline-") as tmp:
            for i in range(args.runs):
                if args.plain:
                    url = server.url(f"examples/games/{args.game}/index.html")
                    plain_cmd = [sys.executable, str(BENCH / "plain.py"), "load", url, str(args.duration)]
                    p = run(plain_cmd, Path(tmp) / f"p{i}", env={"GAMEQA_T0": repr(time.time())})
                    ok = p.returncode == 0
                    marks = json.loads(p.stdout.strip().splitlines()[-1]).get("marks") if ok else p.tail()
                    print(f"plain: {p.wall_s:.3f} s {marks}")
                print(f"run {i + 1}: load {os.getloadavg()[0]:.1f}")
                show(one(args.game, args.duration, args.html, Path(tmp) / str(i), args.extra.split()))
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
