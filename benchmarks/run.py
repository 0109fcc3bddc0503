"""Benchmark of the harness itself: what it costs next to plain Playwright, how fast it notices faults,
how it scales and whether it stays flat over many games.

    python benchmarks/run.py            full run (~25 min, reach ~13 of them), writes benchmarks/results.json
    python benchmarks/run.py --quick    one trial of everything, short games (~3 min), results-quick.json
    python benchmarks/run.py --only overhead,latency
    python benchmarks/run.py --only reach         how often and how fast the player gets into a game

With --only, the measured sections replace their own entries in an existing results file and the
others are kept (--fresh starts the file over).

Figures depend on the machine and on what else runs on it: the load average before and after is
recorded with them. Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import (
    BENCH,
    GAMES,
    REPO,
    BenchServer,
    Run,
    installed_plugins,
    machine,
    median,
    only_installed_plugins,
    precompile,
    pytest_cmd,
    run,
)

MEASUREMENTS = ("overhead", "loop", "latency", "scaling", "stability", "reach")
#: issue kind each benchmark fault must produce
FAULT_KIND = {"hang": "freeze", "throw": "page-error", "reject": "page-error", "console": "console-error"}
#: the monitor counts the main thread as hung after `--game-hang-timeout` (default 7 s) of one busy
#: stretch, so a hang is on record about 8 s after it starts: 9 s leaves a second for a busy machine.
HANG_TIMEOUT_S = 7.0
TARGETS = {"overhead": 1.05, "loop": 1.3, "hang": 9.0, "crash": 1.0, "errors": 1.0}
#: the reach kit beside the project (third-party games, run in place, never copied into the project)
REACH_KIT = REPO.parent / "shared" / "reach" / "reach.py"
#: example games whose way in is text the player has to read: drawn with fillText (3), and a bitmap
#: font drawn with fillRect that only OCR can read
TEXT_GATES = ("gate-canvas-letter", "gate-enter-key", "gate-dblclick-drag")
BITMAP_GATE = "gate-digit-menu"


class Bench:
    def __init__(self, quick: bool, work: Path, plugins: str = "installed", before: Path | None = None) -> None:
        self.quick = quick
        self.plugins = plugins
        self.before = before
        self.games: list[str] = []
        self.work = work
        self.server = BenchServer()
        self.trials = 1 if quick else 3
        self.rows: list[tuple[str, str, str, str]] = []

    def _dir(self, name: str) -> Path:
        path = self.work / f"{name}-{uuid.uuid4().hex[:6]}"
        path.mkdir(parents=True)
        return path

    def _check(self, result: Run, what: str) -> None:
        if result.results is None:
            raise RuntimeError(f"{what}: no gameqa-results.json\n{result.tail()}")

    # --------------------------------------------------------------------------------- overhead
    def overhead(self) -> dict[str, Any]:
        """Wall time of a one-game pytest run (plain and with `--html`, the README's first command) next
        to a Playwright script that only loads and waits; all variants interleaved within each trial.

        With `--plugins installed` (the default) pytest loads only the plugins `pip install
        pytest-gameqa[html]` brings; `--plugins all` loads every plugin of this environment too (dev tools
        such as hypothesis add seconds to every pytest start on a busy machine). With `--before DIR`, the
        same runs are made with the package imported from DIR too (a copy of an earlier version).
        """
        duration = 3.0 if self.quick else 10.0
        games = ["healthy-canvas"] if self.quick else ["healthy-canvas", "healthy-webgl", "healthy-turn-based"]
        games = self.games or games
        plugin_args, plugin_env = ([], {})
        if self.plugins == "installed":
            plugin_args, plugin_env = only_installed_plugins(installed_plugins())
        versions = [("gameqa", {})]
        if self.before is not None:
            versions.insert(0, ("before", {"PYTHONPATH": str(self.before)}))
        for _, env in versions:
            precompile(env)
        variants = [(f"{name}{html}", env, html) for name, env in versions for html in ("", " --html")]
        out: dict[str, Any] = {"duration_s": duration, "plugins": self.plugins, "plugin_args": plugin_args, "games": {}}
        for game in games:
            walls: dict[str, list[float]] = {"plain": [], **{name: [] for name, _, _ in variants}}
            inside: dict[str, list[float]] = {name: [] for name, _, _ in variants}
            url = self.server.url(f"examples/games/{game}/index.html")
            for _ in range(self.trials):  # interleaved, so drifting machine load hits all alike
                p = run([sys.executable, str(BENCH / "plain.py"), "load", url, str(duration)], self._dir("plain"))
                if p.returncode:
                    raise RuntimeError(f"plain Playwright script failed\n{p.tail()}")
                walls["plain"].append(p.wall_s)
                for name, env, html in variants:
                    extra = ("--html=report.html",) if html else ()
                    args = (*plugin_args, "--game-url", str(GAMES / game), "--game-duration", str(duration), *extra)
                    h = run(pytest_cmd(*args), self._dir("oh"), env={**plugin_env, **env})
                    self._check(h, f"overhead {game} ({name})")
                    walls[name].append(h.wall_s)
                    inside[name].append(h.tests[0]["duration_s"])
            p_wall = median(walls["plain"])
            assert p_wall is not None
            record: dict[str, Any] = {"plain_wall_s": walls["plain"], "plain_overhead_s": round(p_wall - duration, 2)}
            for name, _, _ in variants:
                h_wall = median(walls[name])
                assert h_wall is not None
                record[name] = {
                    "wall_s": walls[name],
                    "test_duration_s": inside[name],
                    "overhead_s": round(h_wall - duration, 2),
                    "ratio": round(h_wall / p_wall, 3),
                }
                self.rows.append(
                    (
                        f"overhead {game} (D={duration:g} s) {name}",
                        f"pytest {h_wall:.2f} s (D + {h_wall - duration:.2f}; test {median(inside[name]):.1f} s)",
                        f"plain {p_wall:.2f} s (D + {p_wall - duration:.2f})",
                        f"{h_wall / p_wall:.3f} (<= {TARGETS['overhead']})",
                    )
                )
            record["ratio"] = record["gameqa"]["ratio"]
            out["games"][game] = record
        return out

    # --------------------------------------------------------------------------------- loop cost
    def loop(self) -> dict[str, Any]:
        """The autonomous loop's pace, and one scripted key press against the same press done by hand."""
        duration = 6.0 if self.quick else 20.0
        game = "healthy-canvas"
        args = ("--game-url", str(GAMES / game), "--game-duration", str(duration), "--game-max-actions", "100000")
        h = run(pytest_cmd(*args), self._dir("loop"))
        self._check(h, "loop")
        actions = h.tests[0]["actions"]
        if len(actions) < 2:
            raise RuntimeError(f"loop: only {len(actions)} actions\n{h.tail()}")
        span = actions[-1]["at_s"] + actions[-1]["duration_s"] - actions[0]["at_s"]
        auto = {
            "actions": len(actions),
            "actions_per_s": round(len(actions) / span, 3),
            "step_s": round(span / len(actions), 4),
            "action_s": round(sum(a["duration_s"] for a in actions) / len(actions), 4),
        }
        self.rows.append(
            (
                f"loop {game}, autonomous (mixed inputs)",
                f"{auto['actions_per_s']:.2f} actions/s, {auto['step_s'] * 1000:.0f} ms per action",
                "inputs include key runs and holds",
                "-",
            )
        )
        url = self.server.url(f"examples/games/{game}/index.html")
        env = {"GAMEQA_BENCH_URL": url, "GAMEQA_BENCH_SECONDS": str(duration / self.trials)}
        press_steps, floor_steps, press_count, floor_count = [], [], 0, 0
        for _ in range(self.trials):  # interleaved, so drifting machine load hits both alike
            s = run(pytest_cmd(str(BENCH / "scripted" / "test_press_loop.py")), self._dir("press"), env=env)
            self._check(s, "press loop")
            presses = [a for a in s.tests[0]["actions"] if a["description"].startswith("press")]
            if len(presses) < 2:
                raise RuntimeError(f"press loop: only {len(presses)} presses\n{s.tail()}")
            span = presses[-1]["at_s"] + presses[-1]["duration_s"] - presses[0]["at_s"]
            press_steps.append(span / len(presses))
            press_count += len(presses)
            cmd = [sys.executable, str(BENCH / "plain.py"), "loop", url, str(duration / self.trials)]
            p = run(cmd, self._dir("floor"))
            if p.returncode:
                raise RuntimeError(f"plain loop failed\n{p.tail()}")
            floor = json.loads(p.stdout.strip().splitlines()[-1])
            floor_steps.append(floor["step_s"])
            floor_count += floor["steps"]
        per_press, floor_s = median(press_steps), median(floor_steps)
        assert per_press is not None and floor_s is not None
        ratio = per_press / floor_s
        self.rows.append(
            (
                f"loop {game}, one key press per action",
                f"{1 / per_press:.2f} actions/s, {per_press * 1000:.0f} ms per action",
                f"2 shots + press {floor_s * 1000:.0f} ms",
                f"{ratio:.2f} (<= {TARGETS['loop']})",
            )
        )
        return {
            "game": game,
            "duration_s": duration,
            "autonomous": auto,
            "press": {"actions": press_count, "actions_per_s": round(1 / per_press, 3), "step_s": round(per_press, 4)},
            "floor": {"steps": floor_count, "step_s": round(floor_s, 4)},
            "trials": {"press_step_s": press_steps, "floor_step_s": floor_steps},
            "ratio": round(ratio, 2),
        }

    # --------------------------------------------------------------------------------- latency
    def latency(self) -> dict[str, Any]:
        """From the fault (as the page or test recorded it) to the issue being recorded."""
        out: dict[str, list[float]] = {}
        for fault, kind in FAULT_KIND.items():
            for _ in range(self.trials):
                out.setdefault(fault, []).append(self._page_fault(fault, kind))
        for _ in range(self.trials):
            out.setdefault("crash", []).append(self._crash())
        for fault, values in out.items():
            target = TARGETS["hang" if fault == "hang" else "crash" if fault == "crash" else "errors"]
            worst = max(values)
            self.rows.append(
                (
                    f"detect {fault} -> {FAULT_KIND.get(fault, 'crash')}",
                    f"median {median(values):.2f} s, worst {worst:.2f} s",
                    f"{len(values)} trial(s)",
                    f"{'ok' if worst <= target else 'MISSED'} (<= {target:g} s)",
                )
            )
        return {fault: [round(v, 3) for v in values] for fault, values in out.items()}

    def _detected_after(self, result: Run, kind: str, fault_unix: float) -> float:
        self._check(result, kind)
        test = result.tests[0]
        issue = next((i for i in test["issues"] if i["kind"] == kind), None)
        if issue is None:
            raise RuntimeError(f"no {kind} issue recorded: {test['issues']}\n{result.tail()}")
        return test["metrics"]["t0_unix_s"] + issue["at_s"] - fault_unix

    def _page_fault(self, fault: str, kind: str) -> float:
        run_id = uuid.uuid4().hex
        after = 2.5
        # a hang shows only after the hang threshold: play on well past it
        play = after + (HANG_TIMEOUT_S + 4.0 if fault == "hang" else 2.5)
        url = self.server.url(f"benchmarks/games/fault.html?fault={fault}&after={after}&run={run_id}")
        result = run(pytest_cmd("--game-url", url, "--game-duration", str(play)), self._dir(fault))
        mark = self.server.mark(run_id)
        if mark is None:
            raise RuntimeError(f"{fault}: the page never reported its fault\n{result.tail()}")
        return self._detected_after(result, kind, float(mark["t"]) / 1000)

    def _crash(self) -> float:
        cwd = self._dir("crash")
        mark = cwd / "mark.txt"
        env = {
            "GAMEQA_BENCH_URL": self.server.url("benchmarks/games/fault.html?fault=none"),
            "GAMEQA_BENCH_MARK": str(mark),
        }
        result = run(pytest_cmd(str(BENCH / "scripted" / "test_crash.py")), cwd, env=env)
        if not mark.exists():
            raise RuntimeError(f"crash: the test never crashed the page\n{result.tail()}")
        return self._detected_after(result, "crash", float(mark.read_text()))

    # --------------------------------------------------------------------------------- scaling
    def scaling(self) -> dict[str, Any]:
        """The same four games with one and with two xdist workers."""
        duration = 3.0 if self.quick else 5.0
        games = ["healthy-canvas", "healthy-webgl", "healthy-turn-based", "healthy-slow-loading"]
        urls = [a for g in games for a in ("--game-url", str(GAMES / g))]
        out: dict[str, Any] = {"games": games, "duration_s": duration}
        for workers in (1, 2):
            r = run(pytest_cmd(*urls, "--game-duration", str(duration), "-n", str(workers)), self._dir(f"n{workers}"))
            self._check(r, f"scaling -n {workers}")
            out[f"n{workers}"] = {
                "wall_s": round(r.wall_s, 2),
                "games": len(r.tests),
                "sum_test_s": round(sum(t["duration_s"] for t in r.tests), 2),
                "outcomes": [t["outcome"] for t in r.tests],
            }
        speedup = out["n1"]["wall_s"] / out["n2"]["wall_s"]
        out["speedup"] = round(speedup, 2)
        self.rows.append(
            (
                f"scaling {len(games)} games (D={duration:g} s)",
                f"-n 1 {out['n1']['wall_s']:.1f} s",
                f"-n 2 {out['n2']['wall_s']:.1f} s",
                f"speedup {speedup:.2f}x",
            )
        )
        return out

    # --------------------------------------------------------------------------------- stability
    def stability(self) -> dict[str, Any]:
        """Many games in one session: memory of the pytest process, and Chromium processes left over."""
        count = 5 if self.quick else 20
        duration = 2.0 if self.quick else 3.0
        cycle = ["healthy-canvas", "healthy-webgl", "healthy-turn-based", "broken-page-error", "broken-hang"]
        games = [cycle[i % len(cycle)] for i in range(count)]
        urls = [a for g in games for a in ("--game-url", str(GAMES / g))]
        r = run(pytest_cmd(*urls, "--game-duration", str(duration)), self._dir("stability"), sample=True)
        self._check(r, "stability")
        tests = r.tests
        ends = [t["metrics"]["t0_unix_s"] + t["duration_s"] for t in tests if t["metrics"].get("t0_unix_s")]

        def rss_at(unix: float) -> float | None:
            before = [rss for at, rss in r.rss_timeline if at <= unix + 0.5]
            return round(before[-1], 1) if before else None

        out = {
            "games": len(tests),
            "duration_s": duration,
            "wall_s": round(r.wall_s, 2),
            "outcomes": {o: sum(1 for t in tests if t["outcome"] == o) for o in ("passed", "failed", "error")},
            "peak_rss_mb": round(r.peak_rss_mb or 0, 1),
            "rss_after_first_game_mb": rss_at(ends[0]) if ends else None,
            "rss_after_last_game_mb": rss_at(ends[-1]) if ends else None,
            "peak_chromium_processes": r.peak_chromium_procs,
            "peak_chromium_rss_mb": round(r.peak_chromium_rss_mb, 1),
            "chromium_left": r.chromium_left,
            "other_processes_left": r.others_left,
            "first_game_s": tests[0]["duration_s"] if tests else None,
            "last_game_s": tests[-1]["duration_s"] if tests else None,
        }
        self.rows.append(
            (
                f"stability {len(tests)} games in a row",
                f"pytest peak RSS {out['peak_rss_mb']:.0f} MB "
                f"({out['rss_after_first_game_mb']} -> {out['rss_after_last_game_mb']} MB first->last game)",
                f"Chromium: peak {r.peak_chromium_procs} procs / {r.peak_chromium_rss_mb:.0f} MB",
                f"{r.chromium_left} Chromium processes left",
            )
        )
        return out

    # --------------------------------------------------------------------------------- reach
    def reach(self) -> dict[str, Any]:
        """Does the player get into the game, how fast, and what reading text costs."""
        return {"gates": self._reach_gates(), "kit": self._reach_kit(), "text": self._reach_text()}

    def _game_run(self, game: str, duration: float, *extra: str) -> dict[str, Any]:
        """One example game through pytest: the player's reach next to what the game itself says."""
        args = ("--game-url", str(GAMES / game), "--game-duration", f"{duration:g}", *extra)
        r = run(pytest_cmd(*args), self._dir(game))
        self._check(r, game)
        test = r.tests[0]
        reach = test.get("reach") or {}
        issues = test.get("issues") or []
        return {
            "entered": bool(reach.get("entered")),
            "entered_at_s": reach.get("entered_at_s"),
            "how": reach.get("how"),
            "evidence": reach.get("evidence"),
            # the gate games throw "gate reached: ..." once they are in play: the ground truth
            "gate_reached": any("gate reached" in str(i.get("message", "")) for i in issues),
            "outcome": test["outcome"],
            "kinds": sorted({i["kind"] for i in issues}),
            "actions": len(test.get("actions") or []),
            "test_s": test["duration_s"],
            "wall_s": round(r.wall_s, 2),
        }

    def _reach_gates(self) -> dict[str, Any]:
        catalog = json.loads((GAMES / "catalog.json").read_text())
        gates = {name: bool(entry.get("entered")) for name, entry in catalog.items() if name.startswith("gate-")}
        duration = 15.0
        if self.quick:
            duration = 10.0
            gates = {n: e for n, e in gates.items() if n in ("gate-dom-button", BITMAP_GATE, "gate-unmarked-key")}
        games = {}
        for name, expected in gates.items():
            games[name] = {"expected": expected, **self._game_run(name, duration)}
            g = games[name]
            print(f"  {name}: entered={g['entered']} t={g['entered_at_s']} how={g['how']!r} gate={g['gate_reached']}")
        should = [n for n, g in games.items() if g["expected"]]
        entered = [n for n in should if games[n]["entered"]]
        times = [games[n]["entered_at_s"] for n in entered if games[n]["entered_at_s"] is not None]
        out = {
            "duration_s": duration,
            "games": games,
            "expected_entered": len(should),
            "entered": len(entered),
            "entered_share": round(len(entered) / len(should), 3) if should else None,
            "median_entered_at_s": median(times),
            "agree_with_catalog": sum(1 for g in games.values() if g["entered"] == g["expected"]),
            # the game says it was reached but the player did not see it, and the other way round
            "missed_by_reach": sorted(n for n, g in games.items() if g["gate_reached"] and not g["entered"]),
            "entered_without_gate": sorted(n for n, g in games.items() if g["entered"] and not g["gate_reached"]),
            "entered_unexpectedly": sorted(n for n, g in games.items() if g["entered"] and not g["expected"]),
        }
        med = out["median_entered_at_s"]
        self.rows.append(
            (
                f"reach example gates ({len(games)}, D={duration:g} s)",
                f"entered {len(entered)}/{len(should)}, median {med:.1f} s to enter" if med is not None else "-",
                f"catalog agrees on {out['agree_with_catalog']}/{len(games)}",
                f"{out['entered_share']:.0%} entered" if should else "-",
            )
        )
        return out

    def _reach_kit(self) -> dict[str, Any]:
        if not REACH_KIT.exists():
            self.rows.append(("reach kit (../shared/reach)", "skipped: not found", "-", "-"))
            return {"skipped": f"{REACH_KIT} not found"}
        duration = 10.0 if self.quick else 20.0
        cwd = self._dir("kit")
        cmd = [sys.executable, str(REACH_KIT), "--duration", f"{duration:g}", "--json", str(cwd / "reach.json")]
        if self.quick:
            cmd += ["--games", "breakout"]
        r = run(cmd, cwd, timeout=1800)
        if r.returncode or not (cwd / "reach.json").exists():
            raise RuntimeError(f"reach kit failed (exit {r.returncode})\n{r.tail()}")
        data = json.loads((cwd / "reach.json").read_text())
        summary = data["summary"]
        keep = ("reached", "t_reach_s", "outcome", "kinds", "actions", "wall_s", "expect")
        out = {
            "command": " ".join(["python", "../shared/reach/reach.py", *cmd[2:4]]),
            "duration_s": duration,
            "n": summary["n"],
            "entered": summary["entered"],
            "entered_games": summary["entered_games"],
            "median_t_enter_s": summary["median_t_enter_s"],
            "silent_passes": summary["silent_passes"],
            "false_alarms": summary["false_alarms"],
            "kit_wall_s": summary["wall_s"],
            "line": summary["line"],
            "games": {g["name"]: {k: g.get(k) for k in keep} for g in data["results"]},
        }
        med = out["median_t_enter_s"]
        self.rows.append(
            (
                f"reach kit, {out['n']} third-party games (D={duration:g} s)",
                f"entered {out['entered']}/{out['n']}, median {med:.1f} s to enter" if med is not None else "-",
                f"silent passes {len(out['silent_passes'])}, false alarms {len(out['false_alarms'])}",
                f"{out['entered'] / out['n']:.0%} entered" if out["n"] else "-",
            )
        )
        return out

    def _reach_text(self) -> dict[str, Any]:
        """The same games with `--game-ocr off` and `auto`, interleaved; OCR time per frame, install size."""
        duration = 10.0 if self.quick else 15.0
        games = [*TEXT_GATES[: 1 if self.quick else 3], BITMAP_GATE]
        runs: dict[str, dict[str, Any]] = {}
        for game in games:
            runs[game] = {mode: self._game_run(game, duration, "--game-ocr", mode) for mode in ("off", "auto")}
            for mode, g in runs[game].items():
                at = f"{g['entered_at_s']:.1f} s" if g["entered"] and g["entered_at_s"] is not None else "not entered"
                truth = "game says reached" if g["gate_reached"] else "game says not reached"
                self.rows.append((f"text {game} --game-ocr {mode}", f"{g['actions']} actions, {at}", truth, "-"))
        url = self.server.url(f"examples/games/{BITMAP_GATE}/index.html")
        p = run([sys.executable, str(BENCH / "ocr_cost.py"), url, "3"], self._dir("ocr"))
        if p.returncode:
            raise RuntimeError(f"ocr_cost.py failed\n{p.tail()}")
        cost = json.loads(p.stdout.strip().splitlines()[-1])
        install = cost["install"]
        if cost.get("available"):
            self.rows.append(
                (
                    f"OCR one {cost['viewport']} PNG of {BITMAP_GATE}",
                    f"median {cost['median_s']:.2f} s per frame ({', '.join(f'{t:.2f}' for t in cost['runs_s'])})",
                    f"warm-up {cost['warmup_s']:.1f} s; read {cost['texts']}",
                    f"ocr extra {install['total_mb']:.0f} MB installed",
                )
            )
        else:
            self.rows.append(("OCR per frame", "ocr extra not installed", "-", "-"))
        return {"duration_s": duration, "games": runs, "ocr": cost}


def table(rows: list[tuple[str, str, str, str]]) -> str:
    head = ("measurement", "gameqa", "reference", "ratio / verdict")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*head), line, *(fmt.format(*r) for r in rows)])


#: first words of each measurement's table rows, to sort the rows of a results file written before
#: rows were kept per measurement
ROW_PREFIX = {
    "overhead": ("overhead",),
    "loop": ("loop",),
    "latency": ("detect",),
    "scaling": ("scaling",),
    "stability": ("stability",),
    "reach": ("reach", "text", "OCR"),
}


def previous_sections(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The figures and per-measurement records (rows, load) of an existing results file."""
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}, {}
    figures = {name: old[name] for name in MEASUREMENTS if name in old}
    meta: dict[str, dict[str, Any]] = old.get("sections") or {}
    if not meta:  # older file: one table, one load average for the whole run
        rows = [tuple(re.split(r"\s{2,}", line.strip(), maxsplit=3)) for line in old.get("table", "").splitlines()[2:]]
        for name in figures:
            meta[name] = {
                "mode": old.get("mode"),
                "loadavg_before": (old.get("machine_before") or {}).get("loadavg"),
                "loadavg_after": (old.get("machine_after") or {}).get("loadavg"),
                "rows": [list(r) for r in rows if len(r) == 4 and r[0].startswith(ROW_PREFIX[name])],
            }
    return figures, meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one trial, short games: checks the benchmark works")
    parser.add_argument("--only", default=",".join(MEASUREMENTS), help="comma-separated: " + ", ".join(MEASUREMENTS))
    parser.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/results[-quick].json)")
    parser.add_argument("--fresh", action="store_true", help="with --only: start the results file over")
    parser.add_argument(
        "--plugins",
        choices=("installed", "all"),
        default="installed",
        help="overhead: only the pytest plugins pytest-gameqa[html] installs (default), or all installed here",
    )
    parser.add_argument("--before", type=Path, default=None, help="overhead: also time the package copied into DIR")
    parser.add_argument("--games", default="", help="overhead: comma-separated example games instead of the three")
    args = parser.parse_args(argv)
    only = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = sorted(set(only) - set(MEASUREMENTS))
    if unknown:
        parser.error(f"unknown measurement(s) {', '.join(unknown)}; choose from {', '.join(MEASUREMENTS)}")
    out_file = args.out or BENCH / ("results-quick.json" if args.quick else "results.json")
    mode = "quick" if args.quick else "full"
    keep = set(only) != set(MEASUREMENTS) and not args.fresh
    figures, sections = previous_sections(out_file) if keep else ({}, {})
    for name in only:
        figures.pop(name, None)
        sections.pop(name, None)
    report: dict[str, Any] = {"mode": mode, "machine_before": machine()}

    def write() -> None:
        ordered = {name: figures[name] for name in MEASUREMENTS if name in figures}
        out_file.write_text(json.dumps({**report, **ordered, "sections": sections}, indent=2) + "\n")

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gameqa-bench-") as tmp:
        bench = Bench(args.quick, Path(tmp), args.plugins, args.before)
        bench.games = [g.strip() for g in args.games.split(",") if g.strip()]
        try:
            for name in only:
                print(f"[{time.monotonic() - started:6.0f} s] {name} ...", flush=True)
                first_row, load_before = len(bench.rows), machine().get("loadavg")
                try:
                    figures[name] = getattr(bench, name)()
                except Exception as error:  # one broken measurement must not cost the others' figures
                    first = str(error).splitlines()[0] if str(error) else type(error).__name__
                    figures[name] = {"error": str(error)[-3000:]}
                    bench.rows.append((name, f"FAILED: {first[:100]}", "-", "-"))
                    print(f"  {name} failed: {first}", flush=True)
                sections[name] = {
                    "mode": mode,
                    "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "loadavg_before": load_before,
                    "loadavg_after": machine().get("loadavg"),
                    "rows": [list(r) for r in bench.rows[first_row:]],
                }
                write()  # partial results survive a crash
        finally:
            bench.server.close()
    report["machine_after"] = machine()
    report["wall_s"] = round(time.monotonic() - started, 1)
    rows = [tuple(r) for name in MEASUREMENTS for r in (sections.get(name) or {}).get("rows", [])]
    report["table"] = table(rows)  # type: ignore[arg-type]
    write()
    print()
    print(table(bench.rows))
    load = (report["machine_before"].get("loadavg") or [None])[0], (report["machine_after"].get("loadavg") or [None])[0]
    kept = sorted(set(figures) - set(only))
    print(
        f"\n{report['machine_before']['cpus']} CPUs, load average {load[0]} before / {load[1]} after; wrote {out_file}"
        + (f" (kept earlier figures of {', '.join(kept)})" if kept else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
