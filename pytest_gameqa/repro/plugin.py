"""pytest glue for reproductions: repro files for failing game tests, --game-confirm, --game-shrink.

- call phase of a game test that failed on issues: `repro.json` + `test_repro.py` in its evidence
  folder, a `repro:` line in the failure message, `files["repro"]` / `files["repro_test"]`;
  with `--game-confirm N` the recorded actions are replayed N times first (pytest subprocess on the
  generated file, after the test's own play) and the line says "reproduced k/N" or "k/N: flaky";
- teardown: `record["repro"]` (the ReproStatus, also in `repro-status.json`) and an HTML note;
- session end (controller): with `--game-shrink`, each failing game's actions are shrunk
  (`gameqa shrink` in a subprocess, within `--game-shrink-budget`), then a terminal section lists
  every reproduction, its count and its minimal steps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from html import escape
from pathlib import Path
from typing import Any

import pytest

from ..report.evidence import FILES_KEY
from ..stash import AGENT_KEY, RECORD_KEY, RESULTS_KEY
from .model import REPRO_NAME, REPRO_TEST_NAME, STATUS_NAME, ReproStatus

STATUS_KEY = pytest.StashKey[ReproStatus]()
DEFAULT_SHRINK_BUDGET = 180.0
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def add_options(parser: pytest.Parser) -> None:
    """Options of the repro feature (--game-confirm, --game-shrink, ...)."""
    group = parser.getgroup("gameqa")
    group.addoption(
        "--game-confirm",
        type=int,
        default=0,
        metavar="N",
        help="replay a failing game's recorded actions N times before reporting: 'reproduced k/N' (default 0: off)",
    )
    group.addoption(
        "--game-shrink",
        action="store_true",
        default=False,
        help="at the end of the run, shrink each failing game's actions to a minimal reproduction",
    )
    group.addoption(
        "--game-shrink-budget",
        type=float,
        default=DEFAULT_SHRINK_BUDGET,
        metavar="S",
        help=f"seconds --game-shrink may spend in all (default {DEFAULT_SHRINK_BUDGET:g})",
    )
    group.addoption(
        "--game-deterministic",
        default=None,
        metavar="on|off",
        help="seed the game's Math.random from --game-seed, so replays see the same random numbers "
        "(GAMEQA_DETERMINISTIC; default off)",
    )
    group.addoption(
        "--game-repeat",
        type=int,
        default=1,
        metavar="N",
        help="run each reproduction test (@pytest.mark.game_repro) N times (what gameqa replay --times uses)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "game_repro(steps, deterministic=False): a replay of recorded actions written by pytest-gameqa"
    )
    deterministic_default(config)  # a bad value stops the run at once
    if config.getoption("--game-confirm") < 0 or config.getoption("--game-repeat") < 1:
        raise pytest.UsageError("gameqa: --game-confirm must be 0 or more and --game-repeat 1 or more")
    if config.getoption("--game-shrink-budget") <= 0:
        raise pytest.UsageError("gameqa: --game-shrink-budget must be a number of seconds > 0")


def deterministic_default(config: pytest.Config) -> bool:
    raw = config.getoption("--game-deterministic")
    source = "--game-deterministic"
    if raw is None:
        raw, source = os.environ.get("GAMEQA_DETERMINISTIC", ""), "GAMEQA_DETERMINISTIC"
    value = str(raw).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise pytest.UsageError(f"gameqa: {source} must be on or off, got {raw!r}")


def is_deterministic(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("game_repro")
    if marker is not None and "deterministic" in marker.kwargs:
        return bool(marker.kwargs["deterministic"])
    return deterministic_default(item.config)


def prepare_agent(request: pytest.FixtureRequest, agent: Any) -> None:
    """Called by the game_agent fixture before the game loads: deterministic mode's init script."""
    if not is_deterministic(request.node):
        return
    from .replay import deterministic_script

    script = deterministic_script(agent.settings.seed)

    async def seed_random(context: Any) -> None:
        await context.add_init_script(script)

    agent.session.on_context.append(seed_random)


# ----------------------------------------------------------------------------------------- --game-repeat
@pytest.fixture
def gameqa_repeat(request: pytest.FixtureRequest) -> int:
    return int(getattr(request, "param", 1))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    times = metafunc.config.getoption("--game-repeat")
    if times > 1 and metafunc.definition.get_closest_marker("game_repro") is not None:
        metafunc.fixturenames.append("gameqa_repeat")
        metafunc.parametrize(
            "gameqa_repeat", range(1, times + 1), indirect=True, ids=[f"run{i}" for i in range(1, times + 1)]
        )


# ----------------------------------------------------------------------------------------- the test's phases
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    try:
        if report.when == "call" and report.failed:
            _on_failed_call(item, report)
        elif report.when == "teardown":
            _attach_html(item, report)
    except Exception as error:  # a reproduction is a help, never a reason for an INTERNALERROR
        report.sections.append(("gameqa repro", f"could not write the reproduction: {error}"))
    return report


def _on_failed_call(item: pytest.Item, report: pytest.TestReport) -> None:
    agent = item.stash.get(AGENT_KEY, None)
    if agent is None or not agent.failing_issues() or item.get_closest_marker("game_repro") is not None:
        return  # a replay of a reproduction does not write a reproduction of itself
    from ..browser.session import origin_of
    from ..runs.plugin import url_of
    from . import record as record_mod

    raw, key = url_of(item)
    repro = record_mod.build(
        nodeid=item.nodeid,
        url=raw or agent.url,
        target=key or agent.url,
        origin=origin_of(agent.url),
        settings=agent.settings,
        actions=agent.actions,
        issues=agent.failing_issues(),
        deterministic=is_deterministic(item),
        in_flight=getattr(agent, "in_flight", None),
    )
    if repro is None:
        return
    folder = Path(agent.artifacts_dir)
    json_path, test_path = record_mod.write(repro, folder, REPRO_NAME, REPRO_TEST_NAME)
    files = item.stash.setdefault(FILES_KEY, {})
    files["repro"], files["repro_test"] = str(json_path), str(test_path)
    status = ReproStatus(
        repro=str(json_path),
        test=str(test_path),
        issue=repro.issue,
        steps=len(repro.steps),
        run=f"pytest {_rel(test_path)}",
    )
    confirm = item.config.getoption("--game-confirm")
    if confirm:
        status = _confirm(agent, repro, test_path, confirm, status)
    (folder / STATUS_NAME).write_text(json.dumps(status.model_dump(mode="json"), indent=2), encoding="utf-8")
    files["repro_status"] = str(folder / STATUS_NAME)
    item.stash[STATUS_KEY] = status
    line = f"  repro: {status.run}  (or: gameqa replay {_rel(folder)} --times 3)"
    if status.confirmed:
        line += f"\n  confirmation: {status.confirmed} replays of the recorded actions"
    if isinstance(report.longrepr, str):
        report.longrepr = report.longrepr + "\n" + line
    else:
        report.sections.append(("gameqa repro", line.strip()))


def _confirm(agent: Any, repro: Any, test_path: Path, times: int, status: ReproStatus) -> ReproStatus:
    """Replay the recorded actions `times` times (pytest subprocess), within what the test's time limit leaves."""
    from .runner import replay_file

    left = agent.settings.hard_timeout - agent.clock.now() - 15.0
    if left < 20:
        return status.model_copy(update={"confirmed": "not confirmed: the test's time limit is used up"})
    from .runner import ReplayError

    try:
        count = replay_file(test_path, repro, times, timeout_s=left)
    except ReplayError as error:
        return status.model_copy(update={"confirmed": f"not confirmed: {error}"})
    return status.model_copy(
        update={
            "confirmed": count.label,
            "reproduced": count.reproduced,
            "runs": count.runs,
            "flaky": 0 < count.reproduced < count.runs,
        }
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    result = yield
    status = item.stash.get(STATUS_KEY, None)
    record = item.stash.get(RECORD_KEY, None)
    if status is not None:  # capture.BrowserArtifacts sets the kept files anew at teardown: add ours again
        files = item.stash.setdefault(FILES_KEY, {})
        files.update(repro=status.repro, repro_test=status.test)
        files["repro_status"] = str(Path(status.repro).with_name(STATUS_NAME))
    if status is not None and record is not None:  # the record of the test, as built at fixture teardown
        data = status.model_dump(mode="json")
        if isinstance(record, dict):
            record["repro"] = data
        else:
            record.repro = data  # TestRecord.repro: evidence.json, the run store, xdist (not gameqa-results.json)
    return result


def _attach_html(item: pytest.Item, report: pytest.TestReport) -> None:
    status = item.stash.get(STATUS_KEY, None)
    if status is None or not getattr(item.config.option, "htmlpath", None):
        return
    try:
        from pytest_html import extras
    except ImportError:
        return
    count = f" ({escape(status.confirmed)})" if status.confirmed else ""
    html = (
        f'<div class="gq-repro"><h4>Reproduce</h4><p>{escape(status.issue.line(200))}{count}: '
        f"<code>{escape(status.run)}</code> replays the {status.steps} recorded actions and fails while the bug "
        f"is there; <code>gameqa shrink {escape(_rel(Path(status.repro).parent))}</code> cuts them to a minimal "
        "list.</p></div>"
    )
    report.extras = [*getattr(report, "extras", []), extras.html(html)]


# ----------------------------------------------------------------------------------------- session end
_STATUSES: dict[str, dict[str, Any]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    record = getattr(report, "gameqa", None)
    if report.when == "teardown" and isinstance(record, dict) and isinstance(record.get("repro"), dict):
        _STATUSES[report.nodeid] = record["repro"]


def pytest_sessionstart(session: pytest.Session) -> None:
    _STATUSES.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput") or not config.getoption("--game-shrink") or not _STATUSES:
        return
    budget = float(config.getoption("--game-shrink-budget"))
    left = list(_STATUSES)
    for n, nodeid in enumerate(left):
        share = budget / (len(left) - n)
        started = time.monotonic()
        status = _shrink_one(_STATUSES[nodeid], share)
        budget -= time.monotonic() - started
        if status is not None:
            _STATUSES[nodeid] = status
            _update_records(config, nodeid, status)
        if budget <= 5:
            break


def _shrink_one(status: dict[str, Any], budget: float) -> dict[str, Any] | None:
    """`gameqa shrink` in a subprocess (a crash there never breaks the session); the sidecar holds the answer."""
    from .runner import child_env

    repro = Path(status["repro"])
    cmd = [sys.executable, "-m", "pytest_gameqa.cli", "shrink", str(repro), "--budget", f"{max(10.0, budget):.0f}"]
    try:
        subprocess.run(
            cmd, env=child_env(), capture_output=True, text=True, timeout=budget + 120, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return None
    try:
        return json.loads((repro.parent / STATUS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _update_records(config: pytest.Config, nodeid: str, status: dict[str, Any]) -> None:
    """The results file (written after this hook) and the run store get the minimal reproduction too."""
    extra = {k: status[k] for k in ("repro_min", "test_min") if status.get(k)}
    names = {"repro_min": "repro_min", "test_min": "repro_min_test"}
    collector = config.stash.get(RESULTS_KEY, None)
    record = collector.records.get(nodeid) if collector is not None else None
    if record is None:
        return
    if isinstance(record, dict):
        record.setdefault("files", {}).update({names[k]: v for k, v in extra.items()})
        record["repro"] = status
        data = record
    else:
        record.files.update({names[k]: v for k, v in extra.items()})
        record.repro = status
        from ..record import record_json

        data = record_json(record)
    runs = config.pluginmanager.get_plugin("gameqa-runs")
    if runs is None or not getattr(runs, "session_created", False):
        return
    try:
        runs.store.update_run(runs.session_id, nodeid, record=json.dumps(data))
    except Exception:
        pass  # the store is a record of the run, never a reason for it to fail


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _STATUSES or hasattr(terminalreporter.config, "workerinput"):
        return
    terminalreporter.section("gameqa: reproductions")
    for nodeid, status in _STATUSES.items():
        count = f"  {status['confirmed']}" if status.get("confirmed") else ""
        issue = status.get("issue") or {}
        message = " ".join(str(issue.get("message", "")).split())[:100]
        terminalreporter.write_line(f"{nodeid}  {issue.get('kind')}: {message}{count}")
        terminalreporter.write_line(f"  run:     {status.get('run')}")
        if status.get("min_line"):
            terminalreporter.write_line(f"  minimal: {status['min_line']}")
            terminalreporter.write_line(f"           pytest {_rel(Path(status['test_min']))}")


def _rel(path: Path) -> str:
    try:
        text = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if text.startswith("..") else text
