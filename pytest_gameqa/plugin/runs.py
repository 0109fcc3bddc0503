"""RunsPlugin: writes a run record per game test as it goes (pending -> running -> verdict) into the RunStore.

It takes the verdict and the record from the coordinator (`pytest_gameqa_test_finished`), and the
reproductions shrunk at the end of the session from `pytest_gameqa_session_finished`.

Whichever process runs a test writes its row (the only process, or each xdist worker), so a worker's
rows are current even if the controller dies; the controller (or the only process) closes the session.
The store file is created only when a session really has game tests, never for other test suites.
A broken store never fails a test: the first error is reported once and recording stops.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..runs.store import DEFAULT_DB, INFO_ENV, SESSION_ENV, Owner, RunStore, new_id, now_iso
from ..settings import DEFAULT_SEED, SettingError, resolve_option
from .coordinator import failing_phase, is_game_item
from .stash import BASE_SETTINGS_KEY, URL_KEY

if TYPE_CHECKING:
    from ..models import TestRecord

__all__ = ["DEFAULT_DB", "INFO_ENV", "SESSION_ENV", "RunsPlugin", "configure", "is_game_item", "resolve_db", "url_of"]

_ID = re.compile(r"[0-9a-f]{4,32}")


def resolve_db(config: pytest.Config, environ: dict[str, str] | None = None) -> Path | None:
    """The store's path, or None when recording is off; the settings table's order (command line >
    GAMEQA_* environment > ini) for `no_runs` and `runs_db`."""
    no_runs, _ = resolve_option(config, "no_runs", environ)
    if no_runs:
        return None
    raw, source = resolve_option(config, "runs_db", environ)
    path = Path(raw).expanduser() if raw is not None else DEFAULT_DB
    path = path if path.is_absolute() else config.rootpath / path
    if path.is_dir():
        raise SettingError(f"gameqa: {source} {raw} is a folder; give a file path such as {path / 'runs.sqlite'}")
    return path


def url_of(item: pytest.Item) -> tuple[str | None, str | None]:
    """(as given, stable key): a local build's key is its absolute path, so history survives new ports."""
    from .targets import parse_target

    callspec = getattr(item, "callspec", None)
    target = callspec.params.get("game_target") if callspec is not None else None
    raw: str | None = target.raw if target is not None else None
    if raw is None:
        marker = item.get_closest_marker("game")
        if marker is not None and (marker.args or "url" in marker.kwargs):
            raw = str(marker.args[0] if marker.args else marker.kwargs["url"])
    if raw is None:
        raw = item.stash.get(URL_KEY, None)  # the game_url fixture's answer, once its setup ran
    if raw is None:
        return None, None
    if target is None:
        try:
            target = parse_target(raw, Path(str(item.path)).parent)
        except Exception:
            return raw, raw
    return raw, str(target.entry) if target.entry is not None else target.url


def _description(item: pytest.Item, raw_url: str | None) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "game_target" in callspec.params:
        return f"smoke test of {raw_url}"
    doc = (getattr(getattr(item, "obj", None), "__doc__", None) or "").strip()
    return doc.splitlines()[0][:200] if doc else item.name


def _results_paths(config: pytest.Config) -> tuple[str, str | None]:
    from ..report.results import RESULTS_NAME

    results = str(Path(config.getoption("--output")).absolute() / RESULTS_NAME)
    html = getattr(config.option, "htmlpath", None)
    html_path = str((Path(config.invocation_params.dir) / os.path.expandvars(html)).resolve()) if html else None
    return results, html_path


class RunsPlugin:
    def __init__(self, config: pytest.Config, db: Path) -> None:
        self.config = config
        self.store = RunStore(db)
        self.worker = getattr(config, "workerinput", None)
        self.owner = Owner.me()
        self.broken = False
        self.results_path, self.html_report = _results_paths(config)
        if self.worker is not None:
            self.session_id = str(self.worker.get("gameqa_session_id") or new_id())
            self.session_owner = Owner(*self.worker.get("gameqa_session_owner", (self.owner.host, os.getppid(), None)))
        else:
            self.session_id = self._session_id_from_env()
            self.session_owner = self.owner
        self.session_created = False
        self.interrupted = False
        self._items: dict[str, pytest.Item] = {}

    def _session_id_from_env(self) -> str:
        """`gameqa run` names the session it starts; a stale or reused name never merges two sessions."""
        given = os.environ.get(SESSION_ENV, "").strip().lower()
        if not _ID.fullmatch(given):
            return new_id()
        if self.store.path.is_file():
            try:
                taken = self.store.open(create=False).session(given) is not None
            except Exception:
                taken = True
            finally:
                self.store.close()
            if taken:
                return new_id()
        return given

    # ------------------------------------------------------------------------------------------ safety
    def _safely(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self.broken:
            return None
        try:
            return fn(*args, **kwargs)
        except Exception as error:  # the store is a record of the run, never a reason for it to fail
            self.broken = True
            message = f"gameqa: run records disabled for this session ({what} failed: {error})"
            warnings.warn(pytest.PytestWarning(message), stacklevel=1)
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(message, yellow=True)
            return None

    def _ensure_session(self) -> None:
        if self.session_created:
            return
        self.store.open()
        args = [str(a) for a in self.config.invocation_params.args]
        try:
            self.store.start_session(
                self.session_id,
                owner=self.session_owner,
                cwd=str(self.config.invocation_params.dir),
                args=args,
                results_path=self.results_path,
                html_report=self.html_report,
            )
        except Exception as error:
            if "UNIQUE" not in str(error):  # another worker created it first
                raise
        self.session_created = True

    # ------------------------------------------------------------------------------------------ xdist
    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["gameqa_session_id"] = self.session_id
        node.workerinput["gameqa_session_owner"] = (self.owner.host, self.owner.pid, self.owner.pid_start)

    # ------------------------------------------------------------------------------------------ collection
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        games = [item for item in session.items if is_game_item(item)]
        if not games:
            return
        seed = self.config.stash.get(BASE_SETTINGS_KEY, {}).get("seed", DEFAULT_SEED)
        pending = []
        for item in games:
            raw, key = url_of(item)
            pending.append(
                {
                    "nodeid": item.nodeid,
                    "url": raw,
                    "url_key": key,
                    "description": _description(item, raw),
                    "seed": seed,
                }
            )
        self._safely("recording the collected games", self._add_pending, pending)

    def _add_pending(self, pending: list[dict[str, Any]]) -> None:
        self._ensure_session()
        self.store.add_pending(self.session_id, pending)

    # ------------------------------------------------------------------------------------------ running
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Any:
        if is_game_item(item):
            self._items[item.nodeid] = item
            raw, key = url_of(item)
            worker = self.worker.get("workerid") if self.worker else None
            self._safely(
                "marking a game running",
                self._update,
                item.nodeid,
                status="running",
                started_at=now_iso(),
                url=raw,
                url_key=key,
                description=_description(item, raw),
                worker=worker,
                host=self.owner.host,
                pid=self.owner.pid,
                pid_start=self.owner.pid_start,
            )
        return (yield)

    def _update(self, nodeid: str, **fields: Any) -> str:
        self._ensure_session()
        return self.store.update_run(self.session_id, nodeid, **fields)

    @pytest.hookimpl
    def pytest_gameqa_test_finished(
        self, record: TestRecord | None, item: pytest.Item, report: Any, outcome: str, reports: dict[str, Any]
    ) -> None:
        self._safely("recording a verdict", self._finish, item, record, report, outcome, reports)
        self._items.pop(item.nodeid, None)

    def _finish(
        self, item: pytest.Item, record: TestRecord | None, teardown: Any, outcome: str, reports: dict[str, Any]
    ) -> None:
        failed = failing_phase({when: r.outcome for when, r in reports.items()})
        status = "interrupted" if getattr(teardown, "gameqa_interrupted", False) else outcome
        fields: dict[str, Any] = {
            "status": status,
            "finished_at": now_iso(),
            "error": _error_text(reports[failed]) if failed is not None else None,
            "results_path": self.results_path,
            "html_report": self.html_report,
        }
        if record is not None:
            fields.update(_record_fields(record))
        else:
            raw, key = url_of(item)
            if raw:
                fields.update(url=raw, url_key=key)
        self._update(item.nodeid, **fields)

    @pytest.hookimpl
    def pytest_gameqa_session_finished(self, records: dict[str, TestRecord]) -> None:
        """Records the session added to after their tests (a shrunk reproduction) are stored again."""
        changed = {nodeid: r for nodeid, r in records.items() if r.repro is not None and r.repro.repro_min}
        if changed and not self.broken and self.store.path.is_file():
            self._safely("recording the minimal reproductions", self._store_records, changed)

    def _store_records(self, records: dict[str, TestRecord]) -> None:
        self.store.open(create=False)
        if self.store.session(self.session_id) is None:
            return
        for nodeid, record in records.items():
            self.store.update_run(self.session_id, nodeid, record=json.dumps(record.to_json()))

    # ------------------------------------------------------------------------------------------ the end
    def pytest_keyboard_interrupt(self) -> None:
        self.interrupted = True

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        interrupted = self.interrupted or int(exitstatus) == int(pytest.ExitCode.INTERRUPTED)
        if self.worker is None:
            if self.session_created or (not self.broken and self.store.path.is_file()):
                self._safely("closing the session", self._close_session, int(exitstatus), interrupted)
        elif self.session_created:
            message = "the run was interrupted before it finished"
            for nodeid in list(self._items):  # started here, never got a verdict
                self._safely("recording an interruption", self._update, nodeid, status="interrupted", error=message)
        self._write_info()
        self.store.close()

    def _close_session(self, exit_code: int, interrupted: bool) -> None:
        self.store.open(create=False)
        if self.store.session(self.session_id) is not None:
            self.session_created = True
            self.store.finish_session(self.session_id, exit_code=exit_code, interrupted=interrupted)

    def _write_info(self) -> None:
        target = os.environ.get(INFO_ENV)
        if not target or self.worker is not None:
            return
        info = {
            "session_id": self.session_id if self.session_created else None,
            "db": str(self.store.path),
            "results": self.results_path,
            "html_report": self.html_report,
        }
        try:
            Path(target).write_text(json.dumps(info), encoding="utf-8")
        except OSError:
            pass


def _error_text(report: Any, limit: int = 4000) -> str:
    text = (getattr(report, "longreprtext", "") or "").strip()
    return text[:limit] if text else f"{report.when} failed"


def _record_fields(record: TestRecord | Mapping[str, Any]) -> dict[str, Any]:
    """The run row's columns from a game's record (the whole record as JSON in `record`)."""
    from ..models import TestRecord

    record = TestRecord.of(record)
    metrics = record.metrics.model_dump(mode="json")
    metrics.pop("samples", None)
    kinds = Counter(i.kind.value for i in record.issues if i.kind.value != "warning")
    reach = record.reach
    return {
        "duration_s": record.duration_s,
        "seed": record.seed,
        "load_s": metrics.get("load_s"),
        "ready_s": metrics.get("ready_s"),
        "fps_avg": metrics.get("fps_avg"),
        "fps_min": metrics.get("fps_min"),
        "issue_count": sum(kinds.values()),
        "issue_kinds": json.dumps(dict(kinds)),
        "metrics": json.dumps(metrics),
        "record": json.dumps(record.to_json()),
        "artifacts_dir": record.artifacts_dir,
        "evidence_path": record.files.get("evidence"),
        "entered": None if reach is None else int(reach.entered),
        "entered_at_s": None if reach is None else reach.entered_at_s,
        "how": None if reach is None else reach.how,
    }


def configure(config: pytest.Config) -> None:
    """Called from the plugin's pytest_configure: registers the recorder unless turned off."""
    db = resolve_db(config)  # validated even when nothing is recorded: a typo shows up at once
    if db is None or getattr(config.option, "collectonly", False) or config.option.help:
        return
    config.pluginmanager.register(RunsPlugin(config, db), "gameqa-runs")
