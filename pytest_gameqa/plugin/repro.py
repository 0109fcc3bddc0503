"""The reproductions' listener: repro files for failing game tests, --game-confirm, --game-shrink.

- a game test failed on its issues (`pytest_gameqa_game_failed`): `repro.json` + `test_repro.py` in
  its evidence folder and a `repro:` line in the failure message; with `--game-confirm N` the recorded
  actions are replayed N times first (pytest subprocess on the generated file, after the test's own
  play) and the line says "reproduced k/N" or "k/N: flaky";
- its record (`pytest_gameqa_record_built`): `record.repro` (the ReproStatus, also in
  `repro-status.json`) and `files["repro"]`, `files["repro_test"]`, `files["repro_status"]`; an HTML note;
- session end (controller, `pytest_gameqa_session_finishing`): with `--game-shrink`, each failing game's
  actions are shrunk (`gameqa shrink` in a subprocess, within `--game-shrink-budget`), then a terminal
  section lists every reproduction, its count and its minimal steps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..settings import session_setting

if TYPE_CHECKING:
    from ..models import ReproStatus, TestRecord

STATUS_KEY = pytest.StashKey["ReproStatus"]()


def deterministic_default(config: pytest.Config) -> bool:
    return bool(session_setting(config, "deterministic"))


def is_deterministic(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("game_repro")
    if marker is not None and "deterministic" in marker.kwargs:
        return bool(marker.kwargs["deterministic"])
    return deterministic_default(item.config)


def prepare_agent(request: pytest.FixtureRequest, agent: Any) -> None:
    """Called by the game_agent fixture before the game loads: deterministic mode's init script."""
    if not is_deterministic(request.node):
        return
    from ..repro.replay import deterministic_script

    script = deterministic_script(agent.settings.seed)

    async def seed_random(context: Any) -> None:
        await context.add_init_script(script)

    agent.session.on_context.append(seed_random)


def _on_failed_call(item: pytest.Item, agent: Any, report: pytest.TestReport) -> None:
    if item.get_closest_marker("game_repro") is not None:
        return  # a replay of a reproduction does not write a reproduction of itself
    from ..browser.session import origin_of
    from ..repro import record as record_mod
    from ..repro.model import REPRO_NAME, REPRO_TEST_NAME, STATUS_NAME
    from .runs import url_of

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
    from ..models import ReproStatus

    status = ReproStatus(
        repro=str(json_path),
        test=str(test_path),
        issue=repro.issue,
        steps=len(repro.steps),
        run=f"pytest {_rel(test_path)}",
    )
    confirm = int(session_setting(item.config, "confirm"))
    if confirm:
        status = _confirm(agent, repro, test_path, confirm, status)
    (folder / STATUS_NAME).write_text(json.dumps(status.model_dump(mode="json"), indent=2), encoding="utf-8")
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
    from ..repro.runner import replay_file

    left = agent.settings.hard_timeout - agent.clock.now() - 15.0
    if left < 20:
        return status.model_copy(update={"confirmed": "not confirmed: the test's time limit is used up"})
    from ..repro.runner import ReplayError

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


def _shrink_one(status: ReproStatus, budget: float) -> ReproStatus | None:
    """`gameqa shrink` in a subprocess (a crash there never breaks the session); the sidecar holds the answer."""
    from ..models import ReproStatus
    from ..repro.model import STATUS_NAME
    from ..repro.runner import child_env

    repro = Path(status.repro)
    cmd = [sys.executable, "-m", "pytest_gameqa.cli", "shrink", str(repro), "--budget", f"{max(10.0, budget):.0f}"]
    try:
        subprocess.run(
            cmd, env=child_env(), capture_output=True, text=True, timeout=budget + 120, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return None
    try:
        return ReproStatus.model_validate_json((repro.parent / STATUS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class ReproListener:
    """Registered once per session by the plugin; see the module docstring."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.statuses: dict[str, ReproStatus] = {}
        config.addinivalue_line(
            "markers", "game_repro(steps, deterministic=False): a replay of recorded actions written by pytest-gameqa"
        )

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """--game-repeat N: each reproduction test runs N times."""
        times = int(session_setting(metafunc.config, "repeat"))
        if times > 1 and metafunc.definition.get_closest_marker("game_repro") is not None:
            metafunc.fixturenames.append("gameqa_repeat")
            metafunc.parametrize(
                "gameqa_repeat", range(1, times + 1), indirect=True, ids=[f"run{i}" for i in range(1, times + 1)]
            )

    @pytest.hookimpl
    def pytest_gameqa_game_failed(self, item: pytest.Item, agent: Any, report: pytest.TestReport) -> None:
        try:
            _on_failed_call(item, agent, report)
        except Exception as error:  # a reproduction is a help, never a reason for an INTERNALERROR
            report.sections.append(("gameqa repro", f"could not write the reproduction: {error}"))

    @pytest.hookimpl
    def pytest_gameqa_record_built(self, record: TestRecord, item: pytest.Item) -> None:
        status = item.stash.get(STATUS_KEY, None)
        if status is None:
            return
        from ..repro.model import STATUS_NAME

        record.repro = status  # evidence.json, the run store, xdist (not gameqa-results.json)
        record.files.update(
            repro=status.repro, repro_test=status.test, repro_status=str(Path(status.repro).with_name(STATUS_NAME))
        )

    @pytest.hookimpl
    def pytest_gameqa_test_finished(self, item: pytest.Item, report: pytest.TestReport) -> None:
        _attach_html(item, report)

    @pytest.hookimpl
    def pytest_gameqa_session_finishing(self, records: dict[str, TestRecord], config: pytest.Config) -> None:
        """--game-shrink: each failing game's reproduction cut down, within the budget, before the reports."""
        self.statuses = {nodeid: r.repro for nodeid, r in records.items() if r.repro is not None}
        if not self.statuses or not session_setting(config, "shrink"):
            return
        budget = float(session_setting(config, "shrink_budget"))
        left = list(self.statuses)
        for n, nodeid in enumerate(left):
            share = budget / (len(left) - n)
            started = time.monotonic()
            status = _shrink_one(self.statuses[nodeid], share)
            budget -= time.monotonic() - started
            if status is not None:
                self.statuses[nodeid] = status
                record = records[nodeid]
                record.repro = status
                if status.repro_min:
                    record.files["repro_min"] = status.repro_min
                if status.test_min:
                    record.files["repro_min_test"] = status.test_min
            if budget <= 5:
                break

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.statuses:
            return
        terminalreporter.section("gameqa: reproductions")
        for nodeid, status in self.statuses.items():
            count = f"  {status.confirmed}" if status.confirmed else ""
            message = " ".join(status.issue.message.split())[:100]
            terminalreporter.write_line(f"{nodeid}  {status.issue.kind.value}: {message}{count}")
            terminalreporter.write_line(f"  run:     {status.run}")
            if status.min_line and status.test_min:
                terminalreporter.write_line(f"  minimal: {status.min_line}")
                terminalreporter.write_line(f"           pytest {_rel(Path(status.test_min))}")


def _rel(path: Path) -> str:
    try:
        text = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if text.startswith("..") else text
