"""What importing the plugin adds to a pytest start, side by side with what any Playwright suite imports.

    python benchmarks/import_time.py [--rounds 7] [--source DIR]

Each round is one fresh `python -X importtime` process that imports `pytest`, `playwright.async_api`
and `pydantic` first and `pytest_gameqa.plugin` (the pytest11 entry point) last, so the plugin's
cumulative time is exactly what it adds on top of them. Medians over the rounds; `--source DIR` puts
another checkout of the package first on the path (to measure an older commit, e.g. a `git worktree`).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

#: imported in this order in every round; the plugin last
MODULES = ("pytest", "playwright.async_api", "pydantic", "pytest_gameqa.plugin")
#: what the plugin may add (issue 23): under a tenth of a second
BUDGET_S = 0.1
_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| (\S+)$")


def one_round(source: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = source + os.pathsep + env.get("PYTHONPATH", "")
    code = "; ".join(f"import {name}" for name in MODULES)
    with tempfile.TemporaryDirectory() as empty:  # `-c` puts the current folder first on the path: an empty one
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=empty,
        )
    seconds = dict.fromkeys(MODULES, 0.0)
    after_base = False
    for line in done.stderr.splitlines():
        match = _LINE.match(line)  # top level only: no indentation before the name
        if not match:
            continue
        cumulative, name = int(match.group(1)) / 1e6, match.group(2)
        if name in MODULES[:-1]:
            seconds[name] = cumulative
            after_base = name == MODULES[-2]
        elif after_base:  # whatever the plugin pulls in at the top level (its package first) is its cost
            seconds[MODULES[-1]] += cumulative
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--source", default=None, help="a checkout whose pytest_gameqa is measured instead")
    args = parser.parse_args()
    rounds = [one_round(args.source) for _ in range(args.rounds)]
    medians = {name: statistics.median(r.get(name, 0.0) for r in rounds) for name in MODULES}
    base = sum(medians[name] for name in MODULES[:-1])
    plugin = medians[MODULES[-1]]
    print(f"| module | median s ({args.rounds} rounds) |")
    print("|---|---|")
    for name in MODULES[:-1]:
        print(f"| `{name}` | {medians[name]:.3f} |")
    print(f"| pytest + Playwright + pydantic | **{base:.3f}** |")
    print(f"| `pytest_gameqa.plugin` on top | **{plugin:.3f}** ({plugin / base:.0%} more) |")
    verdict = "within" if plugin < BUDGET_S else "OVER"
    print(f"\nthe plugin adds {plugin:.3f} s: {verdict} the {BUDGET_S:g} s budget")
    return 0 if plugin < BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
