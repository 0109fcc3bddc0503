"""RunStore: one SQLite file holding every game run's status, verdict and report, for `gameqa status/history/show`.

Several processes write at once (xdist workers, parallel CI jobs sharing a checkout) and a process can
die at any moment, so: WAL mode (readers never block the writer), a busy timeout plus retries, one
short `BEGIN IMMEDIATE` transaction per change, and every row remembers which process owns it, so a
row left `running` by a killed process can be recognised and shown as `interrupted`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

#: the run store's file, relative to the rootdir, unless --game-runs-db / GAMEQA_RUNS_DB / gameqa_runs_db say otherwise
DEFAULT_DB = Path(".gameqa") / "runs.sqlite"
#: `gameqa run` names the session it starts through this variable
SESSION_ENV = "GAMEQA_SESSION_ID"
#: When set (by `gameqa run`), the session writes where its records and reports went into this file.
INFO_ENV = "GAMEQA_RUN_INFO"

T = TypeVar("T")
SCHEMA_VERSION = 2
#: Statuses a run can still leave; everything else is a final verdict.
OPEN_STATUSES = ("pending", "running")
FINAL_STATUSES = ("passed", "failed", "error", "skipped", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    exit_code INTEGER,
    host TEXT NOT NULL, pid INTEGER NOT NULL, pid_start TEXT,
    cwd TEXT, args TEXT,
    results_path TEXT, html_report TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    nodeid TEXT NOT NULL,
    url TEXT, url_key TEXT, description TEXT,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,
    duration_s REAL, seed INTEGER, worker TEXT,
    host TEXT, pid INTEGER, pid_start TEXT,
    load_s REAL, ready_s REAL, fps_avg REAL, fps_min REAL,
    issue_count INTEGER, issue_kinds TEXT, metrics TEXT, record TEXT,
    artifacts_dir TEXT, evidence_path TEXT, results_path TEXT, html_report TEXT,
    entered INTEGER, entered_at_s REAL, how TEXT,
    UNIQUE (session_id, nodeid)
);
CREATE INDEX IF NOT EXISTS runs_by_url ON runs (url_key, created_at);
CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session_id);
CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions (started_at);
"""
#: Columns added to `runs` since version 1; a writer opening an older store adds them (see RunStore._migrate).
#: Version 2, reach: entered 1/0 (NULL: not recorded), when (s since the game started loading), by which action.
_ADDED_RUN_COLUMNS = (("entered", "INTEGER"), ("entered_at_s", "REAL"), ("how", "TEXT"))

#: Columns a writer may set on a run row (guards the dynamic UPDATE below).
RUN_FIELDS = frozenset(
    {
        "url", "url_key", "description", "status", "error", "started_at", "finished_at", "duration_s", "seed",
        "worker", "host", "pid", "pid_start", "load_s", "ready_s", "fps_avg", "fps_min", "issue_count",
        "issue_kinds", "metrics", "record", "artifacts_dir", "evidence_path", "results_path", "html_report",
        "entered", "entered_at_s", "how",
    }
)  # fmt: skip


class StoreError(Exception):
    """The run store cannot be used; the message says which file and why, in one line."""


class LookupFailed(Exception):
    """An id or URL that matches no stored run (or several); the message is for the user as is."""


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def new_id() -> str:
    """12 hex digits: short enough to type, random enough that the primary key check never has to retry."""
    return uuid.uuid4().hex[:12]


def _proc_start(pid: int) -> str | None:
    """When the process started (clock ticks since boot, Linux); tells a reused pid from the original."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


@dataclass(frozen=True)
class Owner:
    """The process that writes a row; a row whose owner is gone can no longer finish."""

    host: str
    pid: int
    pid_start: str | None

    @classmethod
    def me(cls) -> Owner:
        return cls(socket.gethostname(), os.getpid(), _proc_start(os.getpid()))

    def alive(self) -> bool | None:
        """None when it cannot be known (another machine)."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # exists, belongs to someone else
        if self.pid_start is not None:
            current = _proc_start(self.pid)
            if current is not None and current != self.pid_start:
                return False
        return True


class RunStore:
    def __init__(self, path: Path | str, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._conn: sqlite3.Connection | None = None

    # ------------------------------------------------------------------------------------------ plumbing
    def open(self, *, create: bool = True) -> RunStore:
        if self._conn is not None:
            return self
        if not create and not self.path.is_file():
            raise StoreError(f"gameqa: no run records at {self.path}")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"gameqa: cannot open the run store {self.path}: {error}") from None
        conn.row_factory = sqlite3.Row
        self._conn = conn
        try:
            self._retry(lambda: conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}"))
            tables = {r[0] for r in self._retry(lambda: conn.execute("SELECT name FROM sqlite_master").fetchall())}
            if not create and {"sessions", "runs"} <= tables:
                return self  # reading (gameqa status...): works on a read-only copy from a CI artifact too
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._write() as c:
                for statement in _SCHEMA.split(";"):  # not executescript(): it would commit mid-transaction
                    if statement.strip():
                        c.execute(statement)
                c.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                self._migrate(c)
        except sqlite3.DatabaseError as error:
            self.close()
            raise StoreError(f"gameqa: {self.path} is not a usable run store: {error}") from None
        return self

    @staticmethod
    def _migrate(c: sqlite3.Connection) -> None:
        """Bring a store written by an older version up to date, inside the opening write transaction.

        Only ever adds nullable columns, so older versions still running against the same file keep
        working (they name their columns); rows they wrote read as "not recorded" (NULL).
        """
        present = {row[1] for row in c.execute("PRAGMA table_info(runs)").fetchall()}
        for name, kind in _ADDED_RUN_COLUMNS:
            if name not in present:
                c.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
        c.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema' AND CAST(value AS INTEGER) < ?",
            (str(SCHEMA_VERSION), SCHEMA_VERSION),
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self.open()
        assert self._conn is not None
        return self._conn

    def _retry(self, fn: Callable[[], T], attempts: int = 8) -> T:
        """busy_timeout covers ordinary waits; this covers the locks SQLite reports without waiting."""
        for attempt in range(attempts):
            try:
                return fn()
            except sqlite3.OperationalError as error:
                if ("locked" not in str(error) and "busy" not in str(error)) or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        self._retry(lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self._retry(lambda: self.conn.execute(sql, tuple(params)).fetchall())]

    # ------------------------------------------------------------------------------------------ sessions
    def start_session(
        self,
        session_id: str,
        *,
        owner: Owner,
        cwd: str,
        args: list[str],
        results_path: str | None,
        html_report: str | None,
    ) -> None:
        with self._write() as c:
            c.execute(
                "INSERT INTO sessions (id, status, started_at, host, pid, pid_start, cwd, args, results_path, "
                "html_report) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, now_iso(), owner.host, owner.pid, owner.pid_start, cwd, json.dumps(args),
                 results_path, html_report),
            )  # fmt: skip

    def finish_session(self, session_id: str, *, exit_code: int, interrupted: bool) -> None:
        """Closes the session and every run in it that never got a verdict."""
        leftover = "interrupted" if interrupted else "skipped"
        with self._write() as c:
            c.execute(
                "UPDATE sessions SET status = ?, finished_at = ?, exit_code = ? WHERE id = ?",
                ("interrupted" if interrupted else "finished", now_iso(), exit_code, session_id),
            )
            c.execute(
                "UPDATE runs SET status = 'interrupted', finished_at = ?, "
                "error = COALESCE(error, 'the run was interrupted before it finished') "
                "WHERE session_id = ? AND status = 'running'",
                (now_iso(), session_id),
            )
            c.execute(
                "UPDATE runs SET status = ?, finished_at = ?, error = COALESCE(error, ?) "
                "WHERE session_id = ? AND status = 'pending'",
                (leftover, now_iso(), "never started: the session ended first", session_id),
            )

    # ------------------------------------------------------------------------------------------ runs
    def add_pending(self, session_id: str, runs: list[dict[str, Any]]) -> None:
        """Rows for collected game tests; xdist workers all collect everything, the first insert wins."""
        created = now_iso()
        with self._write() as c:
            for run in runs:
                fields = {k: v for k, v in run.items() if k in RUN_FIELDS and k != "status"}
                self._insert(c, session_id, run["nodeid"], "pending", created, fields)

    def _insert(
        self, c: sqlite3.Connection, session_id: str, nodeid: str, status: str, created: str, fields: dict[str, Any]
    ) -> None:
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        sql = (
            f"INSERT INTO runs (id, session_id, nodeid, status, created_at{', ' + names if names else ''}) "
            f"VALUES (?, ?, ?, ?, ?{', ' + marks if marks else ''}) ON CONFLICT (session_id, nodeid) DO NOTHING"
        )
        for attempt in range(5):
            try:
                c.execute(sql, (new_id(), session_id, nodeid, status, created, *fields.values()))
                return
            except sqlite3.IntegrityError:  # the random id itself collided: draw again
                if attempt == 4:
                    raise

    def update_run(self, session_id: str, nodeid: str, **fields: Any) -> str:
        """Set fields on the run (creating it if collection did not), and return its id."""
        unknown = set(fields) - RUN_FIELDS
        if unknown:
            raise ValueError(f"unknown run fields: {sorted(unknown)}")
        with self._write() as c:
            self._insert(c, session_id, nodeid, fields.get("status", "pending"), now_iso(), {})
            if fields:
                assignments = ", ".join(f"{name} = ?" for name in fields)
                c.execute(
                    f"UPDATE runs SET {assignments} WHERE session_id = ? AND nodeid = ?",
                    (*fields.values(), session_id, nodeid),
                )
            row = c.execute("SELECT id FROM runs WHERE session_id = ? AND nodeid = ?", (session_id, nodeid)).fetchone()
        return str(row["id"])

    def reap(self) -> int:
        """Rows whose process died without finishing them become `interrupted` (and stay that way)."""
        changed = 0
        stamp = now_iso()
        running = self._rows("SELECT id, host, pid, pid_start FROM runs WHERE status = 'running'")
        dead_runs = [r["id"] for r in running if Owner(r["host"] or "", r["pid"] or 0, r["pid_start"]).alive() is False]
        sessions = self._rows("SELECT id, host, pid, pid_start FROM sessions WHERE status = 'running'")
        dead_sessions = [s["id"] for s in sessions if Owner(s["host"], s["pid"], s["pid_start"]).alive() is False]
        if not dead_runs and not dead_sessions:
            return 0
        message = "the process running it was killed before the run finished"
        with self._write() as c:
            for run_id in dead_runs:
                changed += c.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = ?, error = COALESCE(error, ?) "
                    "WHERE id = ? AND status = 'running'",
                    (stamp, message, run_id),
                ).rowcount
            for session_id in dead_sessions:
                c.execute(
                    "UPDATE sessions SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE id = ?",
                    (stamp, session_id),
                )
                changed += c.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = ?, error = COALESCE(error, ?) "
                    "WHERE session_id = ? AND status IN ('pending', 'running')",
                    (stamp, message, session_id),
                ).rowcount
        return changed

    def add_merged_session(self, session: dict[str, Any], runs: list[dict[str, Any]]) -> str:
        """`gameqa merge`: one finished session holding the shards' runs, in one transaction; returns its id.

        A session already stored under the same id (the same shards merged again) is replaced, so a merge
        can be rerun. A run keeps its id (the one its shard's log printed) unless another session's run
        has it. A run its shard left open (its process died) is stored as `interrupted`.
        """
        fields = ("status", "started_at", "finished_at", "exit_code", "host", "pid", "pid_start", "cwd", "args",
                  "results_path", "html_report")  # fmt: skip
        with self._write() as c:
            c.execute("DELETE FROM runs WHERE session_id = ?", (session["id"],))
            c.execute("DELETE FROM sessions WHERE id = ?", (session["id"],))
            c.execute(
                f"INSERT INTO sessions (id, {', '.join(fields)}) VALUES (?{', ?' * len(fields)})",
                (session["id"], *(session.get(name) for name in fields)),
            )
            for run in runs:
                values = {k: v for k, v in run.items() if k in RUN_FIELDS or k in ("nodeid", "created_at")}
                if values.get("status") in OPEN_STATUSES:
                    values["status"] = "interrupted"
                    values["error"] = values.get("error") or "the shard ended before this run finished"
                run_id = run.get("id") or new_id()
                while c.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
                    run_id = new_id()
                names = ", ".join(values)
                c.execute(
                    f"INSERT INTO runs (id, session_id, {names}) VALUES (?, ?{', ?' * len(values)})",
                    (run_id, session["id"], *values.values()),
                )
        return str(session["id"])

    # ------------------------------------------------------------------------------------------ reading
    def sessions(self, limit: int = 20) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT s.*, (SELECT COUNT(*) FROM runs r WHERE r.session_id = s.id) AS games, "
            "(SELECT GROUP_CONCAT(status) FROM runs r WHERE r.session_id = s.id) AS statuses "
            "FROM sessions s ORDER BY s.started_at DESC, s.rowid DESC LIMIT ?",
            (limit,),
        )

    def session(self, session_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return rows[0] if rows else None

    def runs_of(self, session_id: str) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM runs WHERE session_id = ? ORDER BY created_at, rowid", (session_id,))

    def run(self, run_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM runs WHERE id = ?", (run_id,))
        return rows[0] if rows else None

    def resolve(self, ident: str) -> tuple[str, str]:
        """("session" | "run", full id) for an id or a unique prefix of one (at least 4 characters)."""
        text = ident.strip().lower()
        if len(text) < 4 or not all(ch in "0123456789abcdef" for ch in text):
            raise LookupFailed(f"gameqa: {ident!r} is not a run id (ids are hex, as printed by `gameqa status`)")
        found = [("session", r["id"]) for r in self._rows("SELECT id FROM sessions WHERE id LIKE ?", (text + "%",))]
        found += [("run", r["id"]) for r in self._rows("SELECT id FROM runs WHERE id LIKE ?", (text + "%",))]
        if not found:
            raise LookupFailed(f"gameqa: no run or session with id {ident!r} in {self.path}; see `gameqa status`")
        if len(found) > 1:
            raise LookupFailed(f"gameqa: id {ident!r} is ambiguous ({len(found)} matches); give more characters")
        return found[0]

    def latest_session(self) -> str | None:
        rows = self._rows("SELECT id FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT 1")
        return rows[0]["id"] if rows else None

    def known_urls(self) -> list[str]:
        return [r["url_key"] for r in self._rows("SELECT DISTINCT url_key FROM runs WHERE url_key IS NOT NULL")]

    def history(self, url_key: str, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first: the verdicts and key metrics of one game across sessions (builds)."""
        return self._rows(
            "SELECT * FROM runs WHERE url_key = ? ORDER BY created_at DESC, rowid DESC LIMIT ?", (url_key, limit)
        )
