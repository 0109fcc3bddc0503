"""pytest glue: options, the `game` marker, `--game-url` collection, fixtures, outcomes and reports.

The core is async (Playwright's async API on pytest-asyncio's session loop); this module only wires
it to pytest. pytest-playwright's sync `page`/`browser` fixtures are never used here because they
break asyncio tests in the same run; its option group and `browser_type_launch_args` are reused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import os
import shutil
from collections.abc import AsyncIterator, Generator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Error as PlaywrightError

from . import grid, runs
from . import record as record_mod
from . import settings as settings_mod
from .agent.agent import GameAgent
from .browser.launch import BrowserMissing
from .browser.pool import BrowserPool
from .browser.remote import RemoteProblem, ServerConnection
from .browser.stall import LoopStallWatch
from .contexts import game_context
from .models import Issue, IssueKind, TestRecord
from .record import is_game_item, record_json
from .report.capture import BrowserArtifacts
from .report.evidence import note_phase, write_evidence
from .report.html import attach_html
from .report.results import ResultsCollector, format_failure
from .report.summary import junit_properties, write_summary
from .settings import GameSettings
from .stash import (
    AGENT_KEY,
    BASE_SETTINGS_KEY,
    CONTEXT_ARGS_KEY,
    RECORD_KEY,
    RESULTS_KEY,
    SERVERS_KEY,
    TARGETS_KEY,
    URL_KEY,
)
from .targets import GameTarget, LocalServers, parse_target

SMOKE_MODULE = Path(__file__).with_name("_smoke.py")
#: Set on the controller (or the only process): this process clears --output once game tests are collected.
CLEAN_OUTPUT_KEY = pytest.StashKey[bool]()
#: workerinput flag: the one xdist worker that clears --output (see _clear_output).
CLEAN_OUTPUT_INPUT = "gameqa_clean_output"


# ----------------------------------------------------------------------------------------- options
def pytest_addoption(parser: pytest.Parser) -> None:
    settings_mod.add_options(parser)  # the whole settings table, --game-runs-db and --game-no-runs included
    from .repro.plugin import add_options as add_repro_options

    add_repro_options(parser)  # --game-confirm, --game-shrink


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "game(url=None, *, duration, max_actions, seed, allow, ignore, ...): a game test; "
        "the game_agent fixture loads `url` and the smoke checks fail the test on crashes and errors",
    )
    config.stash[BASE_SETTINGS_KEY] = settings_mod.resolve_base(config)
    grid.check_endpoints(config)
    targets = [parse_target(raw, Path(config.invocation_params.dir)) for raw in config.getoption("--game-url")]
    config.stash[TARGETS_KEY] = targets
    config.stash[SERVERS_KEY] = LocalServers()
    if targets and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = []  # `pytest --game-url X` smoke-tests X only, not the project's test folders
    if _is_worker(config):
        config.stash[CLEAN_OUTPUT_KEY] = bool(config.workerinput.get(CLEAN_OUTPUT_INPUT))  # type: ignore[attr-defined]
    else:
        config.stash[CLEAN_OUTPUT_KEY] = True
        collector = ResultsCollector(Path(config.getoption("--output")).absolute())
        config.stash[RESULTS_KEY] = collector
        config.pluginmanager.register(_ResultsPlugin(collector), "gameqa-results")
    from . import contexts

    if not config.pluginmanager.is_registered(contexts):  # after pytest-playwright: its browser_context_args
        config.pluginmanager.register(contexts, "gameqa-contexts")
    from . import shard

    if not config.pluginmanager.is_registered(shard):  # --game-shard I/N
        config.pluginmanager.register(shard, "gameqa-shard")
    from .report import output_guard

    if not config.pluginmanager.is_registered(output_guard):
        config.pluginmanager.register(output_guard, "gameqa-output-guard")
    runs.configure(config)  # run records, and reports written however a game test ends (timeout, Ctrl-C)
    from .repro import plugin as repro_plugin

    if not config.pluginmanager.is_registered(repro_plugin):
        config.pluginmanager.register(repro_plugin, "gameqa-repro")  # repro.json, --game-confirm, --game-shrink


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: the first worker clears --output; the controller collects nothing, and a replaced
    worker (a crash) must not clear what the others wrote since."""
    config = node.config
    first = config.stash.get(CLEAN_OUTPUT_KEY, False)
    node.workerinput[CLEAN_OUTPUT_INPUT] = first
    config.stash[CLEAN_OUTPUT_KEY] = False


def pytest_unconfigure(config: pytest.Config) -> None:
    servers = config.stash.get(SERVERS_KEY, None)
    if servers is not None:
        servers.stop_all()


# ----------------------------------------------------------------------------------------- collection
@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: Any, name: str, obj: object) -> Generator[None, Any, Any]:
    """Mark coroutine game tests for pytest-asyncio's session loop, so users need no asyncio marker."""
    if inspect.isfunction(obj) and _has_game_marker(collector, obj):
        if "game_agent" not in inspect.signature(obj).parameters:
            pytest.mark.usefixtures("game_agent")(obj)  # the marker alone is a complete smoke test
        marks = [m for m in getattr(obj, "pytestmark", []) if m.name == "asyncio"]
        if inspect.iscoroutinefunction(obj) and not marks and not any(collector.iter_markers("asyncio")):
            pytest.mark.asyncio(loop_scope="session")(obj)
    return (yield)


def _has_game_marker(collector: Any, obj: object) -> bool:
    if any(m.name == "game" for m in getattr(obj, "pytestmark", [])):
        return True
    return any(True for _ in collector.iter_markers("game"))


class _SmokeModule(pytest.Module):
    def _getobj(self) -> Any:
        from . import _smoke

        return _smoke


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.stash.get(TARGETS_KEY, []):
        return
    module = _SmokeModule.from_parent(session, path=SMOKE_MODULE, nodeid="gameqa")
    report = session.ihook.pytest_make_collect_report(collector=module)
    session.ihook.pytest_collectreport(report=report)  # the terminal counts them: "collected 2 items"
    if report.failed:
        raise pytest.UsageError(f"gameqa: could not build the --game-url tests: {report.longreprtext.splitlines()[-1]}")
    items[:0] = [item for item in report.result if isinstance(item, pytest.Item)]


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reports its collection: no test runs anywhere yet
def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if not any(is_game_item(item) for item in session.items):
        return
    _clear_output(config)
    if _is_worker(config):
        return
    remote = config.getoption("--game-cdp-url") or config.getoption("--game-ws-endpoint")
    if remote or grid.connect_options_overridden(session):
        grid.say_how_local_builds_reach(config, session)
        return
    if config.getoption("--browser-channel"):
        return
    from .browser.launch import check_browser_available

    try:
        check_browser_available()
    except BrowserMissing as error:
        raise pytest.UsageError(str(error)) from None


def _clear_output(config: pytest.Config) -> None:
    """Delete --output once per run, and only in a run with game tests (never for `pytest --help` or a
    suite without them). pytest-playwright deletes it in every worker's first test, racing the other
    workers' artifacts; its fixture is disabled (report/output_guard.py) and this runs instead: in the
    only process, or in the one xdist worker the controller picked, at the end of its collection. xdist
    sends no test to any worker before every worker has reported its collection, so no worker has
    written anything yet.
    """
    if not config.stash.get(CLEAN_OUTPUT_KEY, False) or getattr(config.option, "collectonly", False):
        return
    config.stash[CLEAN_OUTPUT_KEY] = False
    output = Path(config.getoption("--output"))
    if output.exists():
        shutil.rmtree(output, ignore_errors=True)


# ----------------------------------------------------------------------------------------- fixtures
@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def game_browser_pool(
    pytestconfig: pytest.Config, browser_type_launch_args: dict[str, Any], connect_options: dict[str, Any] | None
) -> AsyncIterator[BrowserPool]:
    """The session's browser(s): launched once, or reached on a grid.

    A Playwright server comes from `--game-ws-endpoint` or pytest-playwright's `connect_options` fixture;
    a DevTools endpoint from `--game-cdp-url`.
    """
    try:
        server = ServerConnection.from_options(connect_options, pytestconfig.getoption("--game-ws-endpoint"))
    except RemoteProblem as problem:
        server, failure = None, str(problem)
    else:
        failure = None
    pool = BrowserPool(browser_type_launch_args, cdp_url=pytestconfig.getoption("--game-cdp-url"), server=server)
    if failure:
        pool.fail_with(failure)
    stall_watch = LoopStallWatch(asyncio.get_running_loop())
    stall_watch.start()
    try:
        yield pool
    finally:
        stall_watch.stop()
        await pool.close()


@pytest.fixture(scope="session")
def gameqa_browser_pool(game_browser_pool: BrowserPool) -> BrowserPool:
    """Deprecated name of `game_browser_pool`."""
    settings_mod.deprecated("gameqa: the gameqa_browser_pool fixture is deprecated; use game_browser_pool", 2)
    return game_browser_pool


@pytest.fixture
def game_url(request: pytest.FixtureRequest) -> str | None:
    """The game's address; override this fixture, or give it to the marker, or use --game-url."""
    marker = request.node.get_closest_marker("game")
    if marker is not None:
        if marker.args:
            return str(marker.args[0])
        if "url" in marker.kwargs:
            return str(marker.kwargs["url"])
    return None


@pytest.fixture
def game_target(request: pytest.FixtureRequest, game_url: str | None) -> GameTarget:
    """The game to load, parsed from `game_url` (a `--game-url` test is parametrized with it instead)."""
    if not game_url:
        pytest.fail(
            f"gameqa: {request.node.nodeid} has no game URL; use @pytest.mark.game('http://...') "
            "or override the game_url fixture",
            pytrace=False,
        )
    try:
        return parse_target(
            game_url, Path(str(request.node.path)).parent, source=f"the game URL of {request.node.name}"
        )
    except settings_mod.SettingError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)  # one line naming the fix: outside `except`, so no chained report


@pytest.fixture
def game_settings(
    request: pytest.FixtureRequest, game_target: GameTarget, browser_context_args: dict[str, Any]
) -> GameSettings:
    """The test's resolved settings (marker > command line > environment > ini); never changed afterwards.

    The viewport is the one the game really gets: a device's or `browser_context_args`' when given.
    """
    marker = request.node.get_closest_marker("game")
    kwargs = dict(marker.kwargs) if marker is not None else {}
    request.node.stash[URL_KEY] = game_target.raw  # what the reports call the game
    try:
        settings = settings_mod.resolve(request.config.stash[BASE_SETTINGS_KEY], kwargs, request.node.nodeid)
    except settings_mod.SettingError as error:
        message = str(error)
    else:
        cli_device = request.config.getoption("--device", None)
        context_args, settings = game_context(browser_context_args, settings, cli_device)
        request.node.stash[CONTEXT_ARGS_KEY] = context_args
        return settings
    pytest.fail(message, pytrace=False)


@pytest_asyncio.fixture(loop_scope="session")
async def game_agent(
    request: pytest.FixtureRequest,
    game_settings: GameSettings,
    game_target: GameTarget,
    game_browser_pool: BrowserPool,
    output_path: str,
) -> AsyncIterator[GameAgent]:
    """A player with the game loaded and monitored; issues it sees fail the test."""
    url = request.config.stash[SERVERS_KEY].url_for(game_target)  # a local build is served on 127.0.0.1
    failure = None
    try:
        browser = await game_browser_pool.get(expose_loopback=game_target.is_local)
    except (BrowserMissing, RemoteProblem) as error:
        failure = str(error)
    except Exception as error:
        failure = f"gameqa: could not start the browser: {(str(error).splitlines() or [type(error).__name__])[0]}"
    if failure is not None:
        _record_unstarted(request.node, game_target, failure)
        pytest.fail(failure, pytrace=False)
    capture = BrowserArtifacts(request, Path(output_path))  # --tracing / --video / --screenshot
    context_args = {**request.node.stash.get(CONTEXT_ARGS_KEY, {}), **(capture.context_args() or {})}
    agent = GameAgent(
        settings=game_settings,
        browser=browser,
        url=url,
        artifacts_dir=Path(output_path),
        context_args=context_args,
    )
    capture.install(agent)
    from .repro.plugin import prepare_agent

    prepare_agent(request, agent)  # --game-deterministic: seeded Math.random before the game's scripts
    request.node.stash[AGENT_KEY] = agent
    try:
        failure = await _start(agent, capture)
        if failure:
            pytest.fail(failure, pytrace=False)
        yield agent
    finally:
        await asyncio.shield(capture.close(agent))  # stops the agent
        record_mod.build(request.node, agent)


def _record_unstarted(item: pytest.Item, target: GameTarget, failure: str) -> None:
    """A game that never got a browser is still in the results (outcome error, the reason as its issue)."""
    issue = Issue(kind=IssueKind.LOAD_FAILURE, message=failure, at_s=0.0, fatal=True)
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    item.stash[RECORD_KEY] = TestRecord(
        nodeid=item.nodeid, url=target.raw, started_at=started, duration_s=0.0, issues=[issue]
    )


async def _start(agent: GameAgent, capture: BrowserArtifacts) -> str | None:
    try:
        await agent.start()
    except PlaywrightError as error:
        message = capture.explain_start_failure(error)
        if message is None:
            raise
        return message
    return None


@pytest.fixture
def game_page(game_agent: GameAgent) -> Any:
    """The loaded, monitored Playwright page (async API) for teams that want raw Playwright."""
    return game_agent.page


# ----------------------------------------------------------------------------------------- outcomes
@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, Any]:
    """A game test whose body did not play (just `pass`) gets the full smoke loop after its body."""
    result = yield
    agent = pyfuncitem.stash.get(AGENT_KEY, None)
    if agent is not None and agent.loop is not None and not agent.played and not agent.actions:
        agent.loop.run_until_complete(agent.play())
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Game issues fail the test in its call phase, with the issue list as the whole message."""
    try:
        result = yield
    except BaseException:
        agent = item.stash.get(AGENT_KEY, None)
        if agent is not None and agent.failing_issues():
            item.add_report_section("call", "gameqa", _failure_text(item, agent))
        raise
    agent = item.stash.get(AGENT_KEY, None)
    if agent is not None:
        agent.conclude()
        failing = agent.failing_issues()
        if failing:
            pytest.fail(_failure_text(item, agent), pytrace=False)
    return result


def _failure_text(item: pytest.Item, agent: GameAgent) -> str:
    url = item.stash.get(URL_KEY, agent.url)
    evidence = os.path.relpath(agent.artifacts_dir) if agent.artifacts_dir.exists() else None
    return format_failure(url, agent.failing_issues(), evidence, agent.monitor.issues_dropped)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A rerun (pytest-rerunfailures) starts without the previous attempt's record."""
    if RECORD_KEY in item.stash:
        del item.stash[RECORD_KEY]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """The teardown report carries the game's record: evidence.json, JUnit properties, HTML, and (as JSON)
    to the xdist controller for gameqa-results.json and the run store."""
    report = yield
    note_phase(item, report)
    if report.when == "teardown":
        record = item.stash.get(RECORD_KEY, None)
        if record is not None:
            agent = item.stash.get(AGENT_KEY, None)
            write_evidence(item, report, record, agent.monitor.console_log if agent is not None else [])
            report.gameqa = record_json(record)  # the wire format: plain JSON data
            report.user_properties.extend(junit_properties(record))
            attach_html(report, record, item.config)
    return report


class _ResultsPlugin:
    """Lives on the controller (or the only process): merges records and writes the results file."""

    def __init__(self, collector: ResultsCollector) -> None:
        self.collector = collector

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.collector.on_report(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.collector.records:
            self.path = self.collector.write()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.collector.records:
            write_summary(terminalreporter, self.collector.results(), str(getattr(self, "path", "")) or None)
