"""`gameqa merge DIR...`: the shards of one run (`--game-shard I/N` jobs of a CI matrix) as one run again.

Each DIR is what one shard left: its `--output` folder (`gameqa-results.json`, the per-test evidence
folders, maybe `report.html`), or a folder holding it together with the shard's run store (a CI
artifact with `test-results/` and `.gameqa/runs.sqlite`). The merge writes into `--into`:

- `gameqa-results.json`: every game, in the contract's shape, paths rewritten relative to it;
- `index.html`: every game with its verdict and links to its evidence and its shard's own report;
- a run store (`.gameqa/runs.sqlite`, or `--db`) with one session holding every shard's runs, so
  `gameqa status` shows the whole run and `gameqa history` each game; their stored paths point at
  the shard folders given here (the machine that ran them had other paths).

A game (test id) found in several shards, e.g. a rerun job, is taken from the run that started last;
the others are dropped, and the summary says so. The files are not copied: keep the shard folders
next to the merged one (the index links into them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from ..files import relative, swap_prefix, write_atomic
from ..models import ResultsFile, TestRecord
from ..runs.store import Owner, RunStore, StoreError, now_iso
from .results import RESULTS_NAME, kind_counts, kinds_text
from .summary import summary_line

STORE_NAME = Path(".gameqa") / "runs.sqlite"
INDEX_NAME = "index.html"
FAILING = ("failed", "error")


class MergeError(Exception):
    """Bad input: one line naming the fix; `gameqa merge` exits with 2."""


class Shard(BaseModel):
    """One DIR as found on disk: its results, and its run store's session when it has one."""

    label: str
    folder: Path
    output_dir: Path
    results: ResultsFile
    report_html: Path | None = None
    store_path: Path | None = None
    session: dict[str, Any] | None = None
    runs: list[dict[str, Any]] = []


class MergedGame(BaseModel):
    """A game of the merged run: its record (paths relative to the merged file) and where it came from."""

    record: TestRecord
    shard: str
    shard_report: str | None = None


class MergeResult(BaseModel):
    results_path: Path
    index_path: Path
    store_path: Path | None = None
    session_id: str | None = None
    shards: list[Shard]
    games: list[MergedGame]
    notes: list[str] = []

    @property
    def failed(self) -> bool:
        return any(g.record.outcome in FAILING for g in self.games)


# ---------------------------------------------------------------------------------------------- reading
def find_shard(raw: str) -> Shard:
    """DIR -> its results file (in DIR, or the one below it) and the run store that recorded that run."""
    folder = Path(raw).expanduser()
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "does not exist"
        raise MergeError(f"gameqa merge: {raw} {what}; give each shard's --output folder (or its downloaded artifact)")
    if (folder / RESULTS_NAME).is_file():
        results_path = folder / RESULTS_NAME
    else:
        found = sorted(folder.rglob(RESULTS_NAME))
        if not found:
            raise MergeError(
                f"gameqa merge: {raw} has no {RESULTS_NAME}; give the folder a shard wrote with --output "
                "(a shard with no games writes none: leave it out)"
            )
        if len(found) > 1:
            names = ", ".join(str(p.parent) for p in found[:3])
            raise MergeError(f"gameqa merge: {raw} holds {len(found)} results files ({names}); name each folder")
        results_path = found[0]
    try:
        results = ResultsFile.model_validate_json(results_path.read_bytes())
    except (OSError, ValidationError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MergeError(f"gameqa merge: {results_path} is not a gameqa results file ({first})") from None
    output_dir = results_path.parent.resolve()
    shard = Shard(label=raw, folder=folder.resolve(), output_dir=output_dir, results=results)
    shard.report_html = next(
        (p for p in (output_dir / "report.html", shard.folder / "report.html") if p.is_file()), None
    )
    _attach_store(shard, results_path.resolve())
    return shard


def _is_run_store(path: Path) -> bool:
    """Looked at read-only: opening another tool's SQLite file as a store would add our tables to it."""
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return {"sessions", "runs"} <= tables


def _attach_store(shard: Shard, results_path: Path) -> None:
    """The shard's session: in a store inside DIR, the newest session with its games (a CI artifact has
    other paths); in a store above DIR (shards run in one checkout share it), only the session that
    wrote this very results file."""
    inside = [shard.folder / STORE_NAME, shard.output_dir / STORE_NAME, *sorted(shard.folder.rglob("*.sqlite"))]
    inside = list(dict.fromkeys(p.resolve() for p in inside))  # --game-runs-db may have named it anything
    above = [folder / STORE_NAME for folder in shard.folder.parents]
    nodeids = {t.nodeid for t in shard.results.tests}
    for path, exact in [*((p, False) for p in inside), *((p, True) for p in above)]:
        if not _is_run_store(path):
            continue
        try:
            store = RunStore(path).open(create=False)
            try:
                sessions = store.sessions(limit=200)  # newest first
                mine = [s for s in sessions if s.get("results_path") and Path(s["results_path"]) == results_path]
                for session in mine + ([] if exact else sessions):
                    runs = store.runs_of(session["id"])
                    if session in mine or nodeids & {r["nodeid"] for r in runs}:
                        shard.store_path, shard.session, shard.runs = path.resolve(), session, runs
                        return
            finally:
                store.close()
        except (StoreError, sqlite3.Error):
            continue  # not a run store (another tool's SQLite file): look further


# ---------------------------------------------------------------------------------------------- merging
def _started(record: TestRecord) -> dt.datetime:
    try:
        stamp = dt.datetime.fromisoformat(record.started_at)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)


def _move(path: str, source: Path, into: Path) -> str | None:
    """A path relative to the shard's results file -> relative to the merged one (absolute stays)."""
    if Path(path).is_absolute():
        return path
    return relative(str(source / path), into)


def _relocate(record: TestRecord, source: Path, into: Path) -> TestRecord:
    return record.map_paths(lambda path: _move(path, source, into))


def _rebase(record_json: str, old: str, new: str) -> str:
    """A stored record whose paths were under `old` (the shard machine's output folder), now under `new`."""
    data = json.loads(record_json)
    try:
        record = TestRecord.of(data)
    except ValidationError:  # a row another version wrote: every string under `old` moves
        return json.dumps(swap_prefix(data, old, new))
    return json.dumps(record.map_paths(lambda path: swap_prefix(path, old, new)).to_json())


def _store_runs(shard: Shard, results_path: Path, html_report: Path) -> list[dict[str, Any]]:
    old = str(Path(shard.session["results_path"]).parent) if shard.session and shard.session["results_path"] else ""
    runs = []
    for row in shard.runs:
        run = dict(row)
        if old:
            for key in ("artifacts_dir", "evidence_path"):
                run[key] = swap_prefix(run.get(key), old, str(shard.output_dir))
            if run.get("record"):
                run["record"] = _rebase(run["record"], old, str(shard.output_dir))
        run["results_path"] = str(results_path)
        run["html_report"] = str(shard.report_html) if shard.report_html else str(html_report)
        runs.append(run)
    return runs


def merge(dirs: list[str], into: Path, db: Path | None = None) -> MergeResult:
    shards: list[Shard] = []
    for raw in dirs:
        shard = find_shard(raw)
        if not any(s.output_dir == shard.output_dir for s in shards):  # the same folder named twice
            shards.append(shard)
    into = into.expanduser().resolve()
    if into.exists() and not into.is_dir():
        raise MergeError(f"gameqa merge: --into {into} is a file; give a folder")
    if any(s.output_dir == into for s in shards):
        raise MergeError("gameqa merge: --into must not be a shard's own folder (its results would be overwritten)")
    db = (db if db is not None else into / STORE_NAME).expanduser().resolve()
    if any(s.store_path == db for s in shards):
        raise MergeError(f"gameqa merge: {db} is the run store a shard ran in (its games are there); give another --db")
    results_path, index_path = into / RESULTS_NAME, into / INDEX_NAME
    winners: dict[str, tuple[TestRecord, Shard]] = {}
    notes: list[str] = []
    for shard in shards:  # latest start wins; on a tie, the later DIR on the command line
        for record in shard.results.tests:
            kept = winners.get(record.nodeid)
            if kept is not None:
                newer = _started(record) >= _started(kept[0])
                winner = shard if newer else kept[1]
                notes.append(f"{record.nodeid} ran in {kept[1].label} and {shard.label}: kept {winner.label}'s (later)")
                if not newer:
                    continue
            winners[record.nodeid] = (record, shard)
    games = [
        MergedGame(
            record=_relocate(record, shard.output_dir, into),
            shard=shard.label,
            shard_report=relative(str(shard.report_html), into) if shard.report_html else None,
        )
        for record, shard in winners.values()
    ]
    into.mkdir(parents=True, exist_ok=True)
    merged = ResultsFile(tests=[g.record for g in games])
    write_atomic(results_path, json.dumps(merged.model_dump(mode="json"), indent=2))
    result = MergeResult(results_path=results_path, index_path=index_path, shards=shards, games=games, notes=notes)
    _merge_stores(result, winners, db)
    write_atomic(index_path, index_html(result))
    return result


def _merge_stores(result: MergeResult, winners: dict[str, tuple[TestRecord, Shard]], db: Path) -> None:
    with_store = [s for s in result.shards if s.session is not None]
    for shard in result.shards:
        if shard.session is None:
            result.notes.append(
                f"{shard.label} has no run store with its games: they are in the results file, not in the store "
                "(keep .gameqa/runs.sqlite with each shard's output)"
            )
    if not with_store:
        return
    candidates: dict[str, list[tuple[dict[str, Any], Shard]]] = {}
    for shard in with_store:
        for run in _store_runs(shard, result.results_path, result.index_path):
            candidates.setdefault(run["nodeid"], []).append((run, shard))
    chosen = []
    for nodeid, found in candidates.items():
        winner = winners.get(nodeid)
        own = [run for run, shard in found if winner is not None and shard is winner[1]]
        latest = max(enumerate(found), key=lambda c: (c[1][0].get("started_at") or c[1][0]["created_at"] or "", c[0]))
        chosen.append(own[0] if own else latest[1][0])  # the results file's winner, else the run that started last
    sessions = list({s.session["id"]: s.session for s in with_store if s.session is not None}.values())
    digest = hashlib.sha256("merge:".join(sorted(s["id"] for s in sessions)).encode()).hexdigest()[:12]
    owner = Owner.me()
    session = {
        "id": digest,
        "status": "interrupted" if any(s["status"] == "interrupted" for s in sessions) else "finished",
        "started_at": min(s["started_at"] for s in sessions),
        "finished_at": max((s["finished_at"] or now_iso()) for s in sessions),
        "exit_code": 1 if result.failed else 0,
        "host": owner.host, "pid": owner.pid, "pid_start": owner.pid_start,
        "cwd": str(Path.cwd()),
        "args": json.dumps(["gameqa", "merge", *(s.label for s in result.shards)]),
        "results_path": str(result.results_path),
        "html_report": str(result.index_path),
    }  # fmt: skip
    try:
        store = RunStore(db).open()
        try:
            result.session_id = store.add_merged_session(session, chosen)
        finally:
            store.close()
    except (StoreError, sqlite3.Error) as error:
        raise MergeError(f"gameqa merge: cannot write the run store {db}: {str(error).splitlines()[0]}") from None
    result.store_path = db.resolve()


# ---------------------------------------------------------------------------------------------- output
def summary_text(result: MergeResult) -> str:
    """What the merge job's log shows: the combined verdict, each game as in pytest's summary, the files."""
    counts: dict[str, int] = {}
    kinds: dict[str, int] = {}
    for game in result.games:
        counts[game.record.outcome] = counts.get(game.record.outcome, 0) + 1
        for kind, n in kind_counts(i for i in game.record.issues if i.kind.value != "warning").items():
            kinds[kind] = kinds.get(kind, 0) + n
    verdicts = ", ".join(f"{counts[o]} {o}" for o in ("failed", "error", "passed", "skipped") if o in counts)
    n, k = len(result.games), len(result.shards)
    lines = [
        f"gameqa merge: {n} game{'s' if n != 1 else ''} from {k} shard{'s' if k != 1 else ''}: {verdicts or 'none'}"
    ]
    lines.append(f"issues: {kinds_text(kinds)}")
    for game in result.games:
        verdict, rest = summary_line(game.record)
        lines.append(f"{verdict:<7} {rest}  [{game.shard}]")
    lines += [f"note: {note}" for note in result.notes]
    lines.append(f"results:   {os.path.relpath(result.results_path)}")
    lines.append(f"index:     {os.path.relpath(result.index_path)}")
    if result.store_path is not None:
        db = os.path.relpath(result.store_path)
        lines.append(f"run store: {db}  (session {result.session_id}: gameqa status --db {db})")
    return "\n".join(lines)


def _link(path: str | None, text: str) -> str:
    if not path:
        return ""
    return f'<a href="{html.escape(quote(path, safe="/:.-_~"))}">{html.escape(text)}</a>'


def index_html(result: MergeResult) -> str:
    """One static page: every game, its verdict, issues, and links into its shard's evidence and report."""
    rows = []
    for game in result.games:
        record = game.record
        evidence = _link(record.artifacts_dir, "folder") + " " + _link(record.files.get("evidence"), "evidence.json")
        rows.append(
            f'<tr class="{html.escape(record.outcome)}"><td>{html.escape(record.outcome.upper())}</td>'
            f"<td>{html.escape(record.url)}<br><small>{html.escape(record.nodeid)}</small></td>"
            f"<td>{html.escape(kinds_text(kind_counts(record.issues)))}</td><td>{record.duration_s:.1f} s</td>"
            f"<td>{_link(game.shard_report, game.shard) or html.escape(game.shard)}</td><td>{evidence}</td></tr>"
        )
    shards, here = [], result.index_path.parent
    for shard in result.shards:
        count = sum(1 for g in result.games if g.shard == shard.label)
        report = _link(relative(str(shard.report_html), here), "report") if shard.report_html else ""
        results = _link(relative(str(shard.output_dir / RESULTS_NAME), here), RESULTS_NAME)
        label = f"{html.escape(shard.label)}: {count} game{'s' if count != 1 else ''}"
        shards.append(f"<li>{label} {report} {results}</li>")
    title = summary_text(result).splitlines()[0]
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:left;vertical-align:top}tr.failed td:first-child,tr.error td:first-child"
        "{color:#b00;font-weight:bold}tr.passed td:first-child{color:#070}"
    )
    return (
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>\n<h1>{html.escape(title)}</h1>\n"
        f"<p>{_link(RESULTS_NAME, RESULTS_NAME)}</p>\n<table><tr><th>verdict</th><th>game</th><th>issues</th>"
        "<th>time</th><th>shard report</th><th>evidence</th></tr>\n" + "\n".join(rows) + "\n</table>\n"
        "<h2>shards</h2><ul>" + "".join(shards) + "</ul></body></html>\n"
    )
