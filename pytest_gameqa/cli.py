"""`gameqa`: run game smoke tests unattended and look up what happened later.

    gameqa run URL_OR_PATH... [pytest args]   smoke-test games, print where the reports are (exit code as pytest)
    gameqa status [ID]                         the latest session, or one session / run
    gameqa history URL_OR_PATH                 recent verdicts, metrics and reach of one game, changes highlighted
    gameqa show ID                             a run's stored report (issues, actions, metrics, files)
    gameqa replay PATH|RUN_ID [--times N]      replay a failure's recorded actions: did the same issue come back?
    gameqa shrink PATH|RUN_ID [--budget S]     cut a failure's actions to a minimal reproduction
    gameqa merge DIR... [--into DIR]           combine the shards of a run (--game-shard I/N): results, store, index

`run` is pytest underneath (so every pytest and gameqa option works after the URLs); the other
commands read the run store (.gameqa/runs.sqlite, found from the current folder upwards).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .runs import views
from .runs.store import DEFAULT_DB, INFO_ENV, SESSION_ENV, LookupFailed, RunStore, StoreError, new_id

USAGE_ERROR = 2
RUN_USAGE = """usage: gameqa run URL_OR_PATH... [pytest options]

Smoke-tests each game (an http(s) URL, a build folder or an .html file) with pytest and prints the
verdicts and where the reports are. Everything after the first option goes to pytest, e.g.
  gameqa run build/ https://staging.example.com/game/ -n 2 --game-duration 120 --output reports
The exit code is pytest's (0 all passed, 1 some failed, 2 interrupted, 4 bad pytest options);
a mistake in the gameqa part of the line exits with 2 before anything runs."""


class CliError(Exception):
    """One line for the user; exit code 2."""


# ------------------------------------------------------------------------------------------------ run
def _split_run_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """URLs come first; the first option (or `--`) starts pytest's arguments."""
    targets: list[str] = []
    rest = list(argv)
    while rest and not rest[0].startswith("-"):
        targets.append(rest.pop(0))
    if rest and rest[0] == "--":
        rest.pop(0)
    return targets, rest


def _option_value(args: Sequence[str], name: str) -> str | None:
    value = None
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _has_html_plugin() -> bool:
    try:
        import pytest_html  # noqa: F401
    except ImportError:
        return False
    return True


def cmd_run(argv: Sequence[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(RUN_USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else USAGE_ERROR
    targets, extra = _split_run_args(argv)
    if not targets:
        raise CliError("gameqa run: give at least one game URL or build folder before the pytest options")
    from .plugin.targets import parse_target
    from .settings import SettingError

    for raw in targets:
        try:
            parse_target(raw, Path.cwd(), source="game")
        except SettingError as error:
            raise CliError(str(error)) from None
    output = _option_value(extra, "--output") or "test-results"
    if _option_value(extra, "--html") is None and _has_html_plugin():
        extra = [*extra, f"--html={Path(output) / 'report.html'}"]
    # `--game-url=X`, not `--game-url X`: pytest would take a bare X for a test path and pick its rootdir
    cmd = [sys.executable, "-m", "pytest", *(f"--game-url={t}" for t in targets), *extra]
    session_id = new_id()
    fd, info_path = tempfile.mkstemp(prefix="gameqa-run-", suffix=".json")
    os.close(fd)
    env = {**os.environ, SESSION_ENV: session_id, INFO_ENV: info_path}
    try:
        code = _run_child(cmd, env)
        info = _read_info(info_path)
    finally:
        Path(info_path).unlink(missing_ok=True)
    _print_run_summary(info, code)
    return code


def _run_child(cmd: list[str], env: dict[str, str]) -> int:
    """pytest gets Ctrl-C too (same terminal); wait for it to write its reports instead of abandoning it."""
    proc = subprocess.Popen(cmd, env=env)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)


def _read_info(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
        return json.loads(text) if text.strip() else {}
    except (OSError, json.JSONDecodeError):
        return {}


def _print_run_summary(info: dict[str, Any], code: int) -> None:
    if not info:
        print(f"gameqa: pytest exited with code {code} before any game ran", file=sys.stderr)
        return
    print()
    session_id, db = info.get("session_id"), info.get("db")
    if session_id and db and Path(db).is_file():
        store = RunStore(db).open(create=False)
        try:
            session = store.session(session_id)
            runs = store.runs_of(session_id)
        finally:
            store.close()
        if session is not None:
            print(views.session_header(session, runs))
            print(views.runs_table(runs))
    results = info.get("results")
    if results and Path(results).is_file():
        print(f"results:     {views.rel(results)}")
    html = info.get("html_report")
    if html and Path(html).is_file():
        print(f"html report: {views.rel(html)}")
    if session_id and db:
        print(f"run store:   {views.rel(db)}  (gameqa show RUN for one game's report)")


# ------------------------------------------------------------------------------------------------ store
def find_db(explicit: str | None) -> Path:
    """The run store: --db > GAMEQA_RUNS_DB > gameqa_runs_db in the ini file pytest would read here (the
    settings table's order, as pytest itself resolves it) > .gameqa/runs.sqlite here or in a parent."""
    from .settings import SettingError, resolve_outside_pytest

    try:
        raw, source, base = resolve_outside_pytest("runs_db", cli=explicit or None, cli_name="--db")
    except SettingError as error:
        raise CliError(str(error)) from None
    if raw is not None:
        path = Path(raw).expanduser()
        path = path if path.is_absolute() or source == "--db" else base / path
        if not path.is_file():
            hint = "; check --db" if source == "--db" else f" (from {source})"
            raise CliError(f"gameqa: no run store at {path}{hint}")
        return path
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_DB
        if candidate.is_file():
            return candidate
    raise CliError(
        f"gameqa: no run store found ({DEFAULT_DB} in {here} or above); run games first (gameqa run ...) "
        "or pass --db PATH"
    )


def _open(args: argparse.Namespace) -> RunStore:
    store = RunStore(find_db(args.db)).open(create=False)
    try:
        store.reap()  # a run whose process was killed shows as interrupted, not running forever
    except sqlite3.Error:
        pass  # a read-only copy of the store: show it as it is
    return store


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, default=str) if args.json else text)


def _with_record(run: dict[str, Any]) -> dict[str, Any]:
    data = dict(run)
    for key in ("record", "metrics", "issue_kinds"):
        if data.get(key):
            data[key] = json.loads(data[key])
    reach = views.reach_of(run)  # true/false/null; also for a store written before the reach columns existed
    data.update(reach or {"entered": None, "entered_at_s": None, "how": None})
    return data


def cmd_status(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        if args.id:
            kind, ident = store.resolve(args.id)
            if kind == "run":
                run = store.run(ident)
                assert run is not None
                _emit(args, _with_record(run), views.run_detail(run))
                return 0
            session_id = ident
        else:
            latest = store.latest_session()
            if latest is None:
                raise CliError(f"gameqa: the run store {views.rel(str(store.path))} has no runs yet")
            session_id = latest
        session = store.session(session_id)
        assert session is not None
        runs = store.runs_of(session_id)
        text = views.session_header(session, runs) + "\n" + views.runs_table(runs)
        if not args.id:
            earlier = [s for s in store.sessions(args.limit + 1) if s["id"] != session_id][: args.limit]
            if earlier:
                text += "\n\nearlier sessions:\n" + views.sessions_table(earlier)
        _emit(args, {"session": session, "runs": [_with_record(r) for r in runs]}, text)
    finally:
        store.close()
    return 0


def url_key_for(store: RunStore, raw: str) -> str:
    """The stored key of a game: a build folder's absolute path (as pytest resolved it) or the URL."""
    known = store.known_urls()
    candidates = [raw.strip()]
    path = Path(raw).expanduser()
    if path.exists():
        candidates.insert(0, str(path.resolve()))
    for candidate in candidates:
        if candidate in known:
            return candidate
    partial = sorted({k for k in known if raw.strip() and raw.strip() in k})
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        raise LookupFailed(f"gameqa: {raw!r} matches {len(partial)} games ({', '.join(partial[:4])}); be more precise")
    hint = f"; known games: {', '.join(known[:5])}" + (" ..." if len(known) > 5 else "") if known else ""
    raise LookupFailed(f"gameqa: no runs recorded for {raw!r}{hint}")


def cmd_history(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        key = url_key_for(store, args.url)
        runs = store.history(key, args.limit)
    finally:
        store.close()
    header = f"history of {key} ({len(runs)} run{'s' if len(runs) != 1 else ''}, newest first)"
    _emit(args, {"url": key, "runs": [_with_record(r) for r in runs]}, header + "\n" + views.history_table(runs))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        kind, ident = store.resolve(args.id)
        if kind == "run":
            found = store.run(ident)
            runs = [found] if found is not None else []
        else:
            runs = store.runs_of(ident)
    finally:
        store.close()
    text = "\n\n".join(views.run_report(r) for r in runs) or f"session {ident} has no game runs"
    data: Any = _with_record(runs[0]) if kind == "run" else [_with_record(r) for r in runs]
    _emit(args, data, text)
    return 0


# ------------------------------------------------------------------------------------------------ repro
def _repro_json(args: argparse.Namespace) -> Path:
    """PATH (a repro JSON, its folder or its test file) or a run id from the run store -> repro.json."""
    from .repro.model import REPRO_NAME
    from .repro.service import locate

    raw = str(args.target)
    path = Path(raw).expanduser()
    if path.exists():
        return locate(path)
    if os.sep in raw or raw.endswith((".json", ".py")) or not raw.strip():
        raise CliError(f"gameqa: no reproduction at {raw}: no such file or folder")
    try:
        store = _open(args)
    except CliError:
        raise CliError(
            f"gameqa: {raw!r} is neither a reproduction (file or folder) nor a run id (no run store)"
        ) from None
    try:
        kind, ident = store.resolve(raw)
        run = store.run(ident) if kind == "run" else None
    finally:
        store.close()
    if run is None:
        raise CliError(f"gameqa: {raw!r} is a session; give one of its run ids (gameqa status {raw})")
    record = json.loads(run["record"]) if run.get("record") else {}
    files = record.get("files") or {}
    candidates = [files.get("repro"), run.get("artifacts_dir") and str(Path(run["artifacts_dir"]) / REPRO_NAME)]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise CliError(
        f"gameqa: run {ident} has no reproduction (status {run.get('status')}; only failing games leave one)"
    )


def cmd_replay(args: argparse.Namespace) -> int:
    from .repro import service

    if args.times < 1:
        raise CliError("gameqa: --times must be 1 or more")
    try:
        json_path = _repro_json(args)
        repro, test = service.open_repro(json_path)
    except service.NoRepro as error:
        raise CliError(str(error)) from None
    print(
        f"replaying {service.rel(test)} ({len(repro.steps)} actions) {args.times} time{'s' if args.times != 1 else ''}"
    )
    print(f"  looking for {repro.issue.line()}")
    try:
        count = service.replay(json_path, args.times)
    except service.ReplayError as error:
        raise CliError(str(error)) from None
    print(count.label)
    return 0 if count.reproduced == count.runs else 1


def cmd_shrink(args: argparse.Namespace) -> int:
    from .repro import service

    if args.budget <= 0:
        raise CliError("gameqa: --budget must be a number of seconds > 0")
    try:
        json_path = _repro_json(args)
        repro, _test = service.open_repro(json_path)
    except service.NoRepro as error:
        raise CliError(str(error)) from None
    print(f"shrinking {len(repro.steps)} actions of {service.rel(json_path)} (budget {args.budget:g} s)")
    print(f"  looking for {repro.issue.line()}")
    outcome = service.shrink(json_path, args.budget, log=lambda line: print(line, flush=True))
    if outcome.minimal is None:
        replays = f"{outcome.replays} replay{'s' if outcome.replays != 1 else ''}"
        print(f"the issue did not come back when replaying the recorded actions ({replays}): nothing to shrink")
        return 1
    minimal = outcome.minimal
    print(
        f"minimal: {len(minimal.steps)} of {outcome.steps_before} actions ({outcome.replays} replays, "
        f"{outcome.seconds:.0f} s{'' if outcome.verified else '; NOT confirmed by the final replay'})"
    )
    print(minimal.steps_line())
    print(f"wrote {service.rel(outcome.json_path or '')} and {service.rel(outcome.test_path or '')}")
    return 0 if outcome.verified else 1


# ------------------------------------------------------------------------------------------------ merge
def cmd_merge(args: argparse.Namespace) -> int:
    """Exit code as `gameqa run`'s verdict: 0 every game passed, 1 some failed, 2 bad input."""
    from .report.merge import MergeError, merge, summary_text

    try:
        result = merge(args.dirs, Path(args.into), Path(args.db) if args.db else None)
    except MergeError as error:
        raise CliError(str(error)) from None
    print(summary_text(result))
    return 1 if result.failed else 0


# ------------------------------------------------------------------------------------------------ main
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gameqa", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", metavar="{run,status,history,show,replay,shrink,merge}")
    sub.add_parser("run", help="smoke-test games: gameqa run URL_OR_PATH... [pytest options]", add_help=False)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="the run store (default: .gameqa/runs.sqlite here or in a parent folder)")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("--limit", type=int, default=10, help="how many sessions / runs to list (default 10)")
    status = sub.add_parser("status", parents=[common], help="the latest session, or one session or run")
    status.add_argument("id", nargs="?", help="session or run id (a unique prefix is enough)")
    history = sub.add_parser("history", parents=[common], help="recent verdicts and metrics of one game")
    history.add_argument("url", help="the game's URL or build folder, as given to --game-url")
    show = sub.add_parser("show", parents=[common], help="a run's stored report")
    show.add_argument("id", help="run id (or session id: all its runs)")
    store_only = argparse.ArgumentParser(add_help=False)
    store_only.add_argument("--db", help="the run store, for a RUN_ID (default: .gameqa/runs.sqlite here or above)")
    replay = sub.add_parser(
        "replay", parents=[store_only], help="replay a failure's recorded actions; says whether the issue came back"
    )
    replay.add_argument("target", metavar="PATH|RUN_ID", help="repro.json, its folder, or a run id")
    replay.add_argument("--times", type=int, default=1, help="how many replays (default 1)")
    shrink = sub.add_parser("shrink", parents=[store_only], help="cut a failure's actions to a minimal reproduction")
    shrink.add_argument("target", metavar="PATH|RUN_ID", help="repro.json, its folder, or a run id")
    shrink.add_argument("--budget", type=float, default=300.0, help="seconds to spend at most (default 300)")
    merge = sub.add_parser("merge", help="combine shards' results and run stores into one (exit 1 if a game failed)")
    merge.add_argument("dirs", nargs="+", metavar="DIR", help="a shard's --output folder, or its downloaded artifact")
    merge.add_argument("--into", default="gameqa-merged", help="where to write (default gameqa-merged)")
    merge.add_argument("--db", help="the run store to merge into (default: INTO/.gameqa/runs.sqlite)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "run":
            return cmd_run(argv[1:])
        args = _parser().parse_args(argv)
        if args.command is None:
            _parser().print_help()
            return USAGE_ERROR
        if getattr(args, "limit", 1) < 1:
            raise CliError("gameqa: --limit must be 1 or more")
        commands = {"status": cmd_status, "history": cmd_history, "show": cmd_show}
        commands.update(replay=cmd_replay, shrink=cmd_shrink, merge=cmd_merge)
        return commands[args.command](args)
    except (CliError, LookupFailed, StoreError) as error:
        print(str(error), file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # `gameqa status | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
