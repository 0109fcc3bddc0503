"""Plain-text views of stored runs for the `gameqa` command: tables a person scans, and what changed between builds.

Kept free of pytest and Playwright imports so `gameqa status` answers instantly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Sequence
from typing import Any


def when(iso: str | None) -> str:
    """Local time, to the second; the store keeps UTC."""
    if not iso:
        return "-"
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def num(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def kinds_text(raw: str | None) -> str:
    kinds = json.loads(raw) if raw else {}
    if not kinds:
        return "-" if raw is None else "none"
    return ", ".join(f"{k} x{n}" if n > 1 else k for k, n in sorted(kinds.items()))


def rel(path: str | None) -> str:
    """Relative to where the user stands when that is shorter: paths they can paste."""
    if not path:
        return "-"
    try:
        short = os.path.relpath(path)
    except ValueError:
        return path
    return short if len(short) < len(path) and not short.startswith("../../..") else path


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], limits: dict[int, int] | None = None) -> str:
    limits = limits or {}
    cells = [[_cut(str(c), limits.get(i)) for i, c in enumerate(row)] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _cut(text: str, limit: int | None) -> str:
    text = text.replace("\n", " ")
    if limit and len(text) > limit:
        return "..." + text[-(limit - 3) :]  # the end of a path or URL says the most
    return text


def first_line(text: str | None, limit: int = 100) -> str:
    if not text:
        return ""
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def reach_of(run: dict[str, Any]) -> dict[str, Any] | None:
    """{entered, entered_at_s, how} of a stored run: its columns, else the stored record (a store not yet
    migrated, read as is), else None (recorded before reach existed, or the game never reached teardown)."""
    if run.get("entered") is not None:
        return {"entered": bool(run["entered"]), "entered_at_s": run.get("entered_at_s"), "how": run.get("how")}
    try:
        record = json.loads(run["record"]) if run.get("record") else None
    except ValueError:
        return None
    reach = record.get("reach") if isinstance(record, dict) else None
    if not isinstance(reach, dict):
        return None
    return {"entered": bool(reach.get("entered")), "entered_at_s": reach.get("entered_at_s"), "how": reach.get("how")}


def entered_text(run: dict[str, Any], limit: int = 30) -> str:
    """`2.3s press N`, `NO`, or `-` when not recorded; the action cut at its end, where it matters least."""
    reach = reach_of(run)
    if reach is None:
        return "-"
    if not reach["entered"]:
        return "NO"
    at = reach.get("entered_at_s")
    text = "yes" if at is None else f"{at:.1f}s"
    if reach.get("how"):
        text += " " + " ".join(str(reach["how"]).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def verdict_counts(statuses: str | None) -> str:
    if not statuses:
        return "-"
    counts: dict[str, int] = {}
    for status in statuses.split(","):
        counts[status] = counts.get(status, 0) + 1
    order = ["failed", "error", "interrupted", "running", "pending", "passed", "skipped"]
    return ", ".join(f"{counts[s]} {s}" for s in order if s in counts)


# ---------------------------------------------------------------------------------------------- screens
def runs_table(runs: list[dict[str, Any]]) -> str:
    rows = [
        [
            r["id"],
            r["status"].upper() if r["status"] in ("failed", "error", "interrupted") else r["status"],
            r["url"] or r["nodeid"],
            kinds_text(r["issue_kinds"]),
            num(r["duration_s"], " s"),
            entered_text(r),
            first_line(r["error"], 60) if r["status"] != "passed" and r["issue_count"] in (None, 0) else "",
        ]
        for r in runs
    ]
    return table(["RUN", "STATUS", "GAME", "ISSUES", "TIME", "ENTERED", "WHY"], rows, {2: 60})


def sessions_table(sessions: list[dict[str, Any]]) -> str:
    rows = [
        [s["id"], when(s["started_at"]), s["status"], str(s["games"]), verdict_counts(s["statuses"])] for s in sessions
    ]
    return table(["SESSION", "STARTED", "STATUS", "GAMES", "VERDICTS"], rows)


def session_header(session: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    verdicts = verdict_counts(",".join(r["status"] for r in runs))
    ended = f", ended {when(session['finished_at'])}" if session.get("finished_at") else ""
    code = f", exit code {session['exit_code']}" if session.get("exit_code") is not None else ""
    return (
        f"session {session['id']}: {session['status']}, started {when(session['started_at'])}{ended}{code}\n"
        f"{len(runs)} game{'s' if len(runs) != 1 else ''}: {verdicts}"
    )


def run_detail(run: dict[str, Any]) -> str:
    lines = [
        f"run {run['id']}: {run['status']}",
        f"  game:        {run['url'] or '-'}",
        f"  test:        {run['nodeid']}",
        f"  description: {run['description'] or '-'}",
        f"  session:     {run['session_id']}" + (f" (worker {run['worker']})" if run.get("worker") else ""),
        f"  created:     {when(run['created_at'])}   started: {when(run['started_at'])}   "
        f"finished: {when(run['finished_at'])}",
        f"  duration:    {num(run['duration_s'], ' s')}   seed: {run['seed'] if run['seed'] is not None else '-'}",
        f"  load:        {num(run['load_s'], ' s', 2)}   ready: {num(run['ready_s'], ' s', 2)}   "
        f"fps avg/min: {num(run['fps_avg'])}/{num(run['fps_min'])}",
        f"  issues:      {kinds_text(run['issue_kinds'])}",
        f"  entered:     {entered_text(run, limit=200)}",
    ]
    if run["error"] and run["status"] != "passed":
        lines.append("  error:       " + "\n               ".join(run["error"].splitlines()[:12]))
    lines += [
        f"  evidence:    {rel(run['evidence_path'] or run['artifacts_dir'])}",
        f"  results:     {rel(run['results_path'])}",
    ]
    if run.get("html_report"):
        lines.append(f"  html report: {rel(run['html_report'])}")
    return "\n".join(lines)


def run_report(run: dict[str, Any]) -> str:
    """`gameqa show`: the stored report itself, readable without the files it points to."""
    out = [run_detail(run)]
    record = json.loads(run["record"]) if run.get("record") else None
    if record is None:
        out.append("\n(no report stored: the game never got as far as its teardown)")
        return "\n".join(out)
    viewport = record.get("viewport")
    if record.get("device") or viewport:
        size = f"{viewport[0]}x{viewport[1]}" if isinstance(viewport, list) and len(viewport) == 2 else "-"
        touch = ", touch" if record.get("touch") else ""
        out.append(f"  screen:      {record.get('device') or 'desktop'} ({size}{touch})")
    issues = record.get("issues", [])
    out.append(f"\nissues ({len(issues)}):")
    for issue in issues:
        count = f" x{issue['count']}" if issue.get("count", 1) > 1 else ""
        where = f"  @ {issue['location']}" if issue.get("location") else ""
        out.append(f"  [{issue['at_s']:7.2f}s] {issue['kind']}{count}: {first_line(issue['message'], 160)}{where}")
        if issue.get("screenshot"):
            out.append(f"             screenshot: {rel(issue['screenshot'])}")
    out += _reach_lines(record.get("reach"))
    out += _progress_lines(record.get("progress"))
    out += _repro_lines(record.get("repro"))
    actions = record.get("actions", [])
    out.append(f"\nactions ({len(actions)}):")
    for action in actions:
        mark = "ok" if action.get("ok") else "FAILED"
        out.append(f"  {action['index']:>3}. [{action['at_s']:7.2f}s] {action['description']} ({mark})")
    metrics = {k: v for k, v in (record.get("metrics") or {}).items() if k != "samples" and v not in (None, 0, [])}
    if metrics:
        out.append("\nmetrics: " + ", ".join(f"{k}={v}" for k, v in metrics.items()))
    return "\n".join(out)


def _repro_lines(repro: Any) -> list[str]:
    """`gameqa show`: how to run the failure again, how often it came back, and its minimal steps."""
    if not isinstance(repro, dict) or not repro.get("test"):
        return []
    out = [f"\nrepro: pytest {rel(repro['test'])}"]
    if repro.get("confirmed"):
        out.append(f"  confirmed: {repro['confirmed']}")
    if repro.get("min_line"):
        out.append(f"  minimal: {repro['min_line']}")
    if repro.get("test_min"):
        out.append(f"  minimal test: pytest {rel(repro['test_min'])}")
    return out


def _reach_lines(reach: Any) -> list[str]:
    """`gameqa show`: how the player got in (or what it tried), beyond the one-line `entered:` above."""
    if not isinstance(reach, dict):
        return []
    lines = ["\nreach:"]
    if reach.get("evidence"):
        lines.append(f"  evidence:    {first_line(reach['evidence'], 200)}")
    if reach.get("start_text"):
        lines.append(f"  start text:  {first_line(' '.join(str(reach['start_text']).split()), 120)}")
    if reach.get("menus"):
        lines.append(f"  menus:       {first_line(' > '.join(map(str, reach['menus'])), 200)}")
    by_screen = reach.get("tried_by_screen") or {}
    if isinstance(by_screen, dict) and len(by_screen) > 1:
        for screen, ways in list(by_screen.items())[:6]:
            lines.append(f"  tried on {first_line(str(screen), 40)!r}: {first_line(', '.join(map(str, ways)), 160)}")
    elif reach.get("tried"):
        lines.append(f"  tried:       {first_line(', '.join(map(str, reach['tried'])), 200)}")
    if reach.get("reactive_inputs"):
        lines.append(f"  reacted to:  {first_line(', '.join(map(str, reach['reactive_inputs'])), 200)}")
    lines.append(f"  screens:     {reach.get('screens', 0)} distinct")
    if reach.get("first_screenshot"):
        lines.append(f"  in-game:     {rel(reach['first_screenshot'])}")
    return lines


def _progress_lines(progress: Any) -> list[str]:
    """`gameqa show`: how far the player got: the numbers it moved and the screens it reached, in order."""
    if not isinstance(progress, dict):
        return []
    lines = ["\nprogress:"]
    counters = [
        f"{c.get('name')} {c.get('first', 0):g} -> {c.get('best', 0):g}"
        for c in progress.get("counters") or []
        if isinstance(c, dict)
    ]
    lines.append(f"  numbers:     {', '.join(counters) if counters else 'none moved'}")
    if progress.get("first_progress_s") is not None:
        lines.append(
            f"  first:       {progress['first_progress_s']:.1f} s: {first_line(progress.get('first_progress'), 150)}"
        )
    if (progress.get("rounds") or 1) > 1:
        lines.append(f"  rounds:      {progress['rounds']}")
    screens = [s for s in progress.get("screens") or [] if isinstance(s, dict)]
    lines.append(f"  screens:     {len(screens)}, in the order reached:")
    for screen in screens:
        how = f"after {screen['action']}" if screen.get("action") else "first screen"
        shot = f"  {rel(screen['screenshot'])}" if screen.get("screenshot") else ""
        name = first_line(screen.get("name"), 60)
        lines.append(f"    {screen.get('index', '?')}. {name} ({how}, {screen.get('at_s', 0):.1f} s){shot}")
    return lines


def progress_of(run: dict[str, Any]) -> dict[str, Any] | None:
    """The stored record's progress, or None (recorded before progress existed, or no record)."""
    try:
        record = json.loads(run["record"]) if run.get("record") else None
    except ValueError:
        return None
    progress = record.get("progress") if isinstance(record, dict) else None
    return progress if isinstance(progress, dict) else None


#: the counter names that say how deep a run got (the same words as agent/progress.py's LEVEL_WORDS)
_LEVEL_WORDS = re.compile(r"\b(level|lvl|stage|world|round|wave|area|zone|floor|chapter|act|mission)\b", re.I)


def depth_changes(run: dict[str, Any], before: dict[str, Any]) -> list[str]:
    """A regression of depth: screens or levels the previous run reached that this one did not."""
    now, was = progress_of(run), progress_of(before)
    if now is None or was is None:
        return []
    notes = []
    reached = {s.get("name") for s in now.get("screens") or [] if isinstance(s, dict)}
    lost = [s.get("name") for s in was.get("screens") or [] if isinstance(s, dict) and s.get("name") not in reached]
    if lost:
        more = f" and {len(lost) - 2} more" if len(lost) > 2 else ""
        notes.append(f"no longer reaches {', '.join(repr(str(n)[:40]) for n in lost[:2])}{more}")
    best_now = {c.get("name"): c.get("best") for c in now.get("counters") or [] if isinstance(c, dict)}
    for counter in was.get("counters") or []:
        name, best = counter.get("name"), counter.get("best")
        if not isinstance(name, str) or not _LEVEL_WORDS.search(name) or not isinstance(best, (int, float)):
            continue
        if best > (best_now.get(name) or 0):
            reached_now = best_now.get(name)
            notes.append(f"{name} {'-' if reached_now is None else f'{reached_now:g}'} (was {best:g})")
    return notes


# ---------------------------------------------------------------------------------------------- history
def changes(run: dict[str, Any], before: dict[str, Any] | None) -> str:
    """What a release manager should notice compared with the previous run of the same game."""
    if before is None:
        return "first run"
    notes = []
    was, now = before["status"], run["status"]
    if was == "passed" and now in ("failed", "error"):
        notes.append(f"REGRESSION (was passed in {before['id']})")
    elif was in ("failed", "error") and now == "passed":
        notes.append("fixed")
    if run["load_s"] and before["load_s"] and run["load_s"] > before["load_s"] * 1.5 and run["load_s"] > 0.5:
        notes.append(f"load {run['load_s'] / before['load_s']:.1f}x slower")
    if run["fps_avg"] and before["fps_avg"] and run["fps_avg"] < before["fps_avg"] * 0.8:
        notes.append(f"fps -{(1 - run['fps_avg'] / before['fps_avg']) * 100:.0f}%")
    now_in, was_in = reach_of(run), reach_of(before)
    if now_in is not None and was_in is not None and was_in["entered"] and not now_in["entered"]:
        notes.append("no longer enters the game")
    elif now_in is None or now_in["entered"]:
        depth = depth_changes(run, before)
        if depth:
            notes.append(f"DEPTH: {'; '.join(depth)} (in {before['id']})")
    new_kinds = set(json.loads(run["issue_kinds"] or "{}")) - set(json.loads(before["issue_kinds"] or "{}"))
    if new_kinds:
        notes.append("new: " + ", ".join(sorted(new_kinds)))
    return "; ".join(notes)


def history_table(runs: list[dict[str, Any]]) -> str:
    """Newest first; each row compared with the next older finished run."""
    finished = [r for r in runs if r["status"] in ("passed", "failed", "error")]
    rows = []
    for index, run in enumerate(runs):
        previous = next((r for r in runs[index + 1 :] if r in finished), None)
        note = changes(run, previous) if run in finished else first_line(run["error"], 50)
        rows.append(
            [
                run["id"],
                when(run["created_at"]),
                run["status"].upper() if run["status"] in ("failed", "error") else run["status"],
                num(run["load_s"], " s", 2),
                f"{num(run['fps_avg'])}/{num(run['fps_min'])}",
                kinds_text(run["issue_kinds"]),
                entered_text(run),
                note,
            ]
        )
    return table(["RUN", "STARTED", "VERDICT", "LOAD", "FPS AVG/MIN", "ISSUES", "ENTERED", "CHANGE"], rows)
