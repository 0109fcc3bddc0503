"""The session's pytest hooks: options, the `game` marker, listeners registered, `--game-url` collection.

The core is async (Playwright's async API on pytest-asyncio's session loop); this package only wires
it to pytest. pytest-playwright's sync `page`/`browser` fixtures are never used here because they
break asyncio tests in the same run; its option group and `browser_type_launch_args` are reused.
Nothing heavy is imported here (no player, no reports): a session without game tests pays nothing.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from .. import settings as settings_mod
from . import grid, hookspecs
from .coordinator import Coordinator, is_game_item
from .stash import BASE_SETTINGS_KEY, COORDINATOR_KEY, SERVERS_KEY, TARGETS_KEY

SMOKE_MODULE = Path(__file__).with_name("smoke.py")
#: Set on the controller (or the only process): this process clears --output once game tests are collected.
CLEAN_OUTPUT_KEY = pytest.StashKey[bool]()
#: workerinput flag: the one xdist worker that clears --output (see _clear_output).
CLEAN_OUTPUT_INPUT = "gameqa_clean_output"


# ----------------------------------------------------------------------------------------- options
def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    settings_mod.add_options(parser)  # the whole settings table: every gameqa option, its ini key and help


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
    urls = config.stash[BASE_SETTINGS_KEY].get("url", [])
    targets = []
    if urls:
        from .targets import parse_target

        targets = [parse_target(raw, Path(config.invocation_params.dir)) for raw in urls]
    config.stash[TARGETS_KEY] = targets
    if targets and config.args_source != pytest.Config.ArgsSource.ARGS:
        config.args = []  # `pytest --game-url X` smoke-tests X only, not the project's test folders
    if _is_worker(config):
        config.stash[CLEAN_OUTPUT_KEY] = bool(config.workerinput.get(CLEAN_OUTPUT_INPUT))  # type: ignore[attr-defined]
    else:
        config.stash[CLEAN_OUTPUT_KEY] = True
    _register_listeners(config)


def _register_listeners(config: pytest.Config) -> None:
    """The coordinator, then everything that listens to it or to pytest (each once, in every process)."""
    from ..report import listen as report_listen
    from ..report import output_guard
    from . import contexts, guard, repro, runs, shard

    manager = config.pluginmanager
    coordinator = Coordinator(config)
    config.stash[COORDINATOR_KEY] = coordinator
    manager.register(coordinator, "gameqa-coordinator")
    if not manager.is_registered(contexts):  # after pytest-playwright: its browser_context_args
        manager.register(contexts, "gameqa-contexts")
    if not manager.is_registered(shard):  # --game-shard I/N
        manager.register(shard, "gameqa-shard")
    if not manager.is_registered(output_guard):
        manager.register(output_guard, "gameqa-output-guard")
    manager.register(report_listen.ReportListener(config), "gameqa-report")  # evidence, JUnit, HTML, results
    manager.register(guard.RunGuard(config), "gameqa-guard")  # reports written however a game test ends
    runs.configure(config)  # the run store
    manager.register(repro.ReproListener(config), "gameqa-repro")  # repro.json, --game-confirm, --game-shrink


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: the first worker clears --output; the controller collects nothing, and a replaced
    worker (a crash) must not clear what the others wrote since."""
    config = node.config
    first = config.stash.get(CLEAN_OUTPUT_KEY, False)
    node.workerinput[CLEAN_OUTPUT_INPUT] = first
    config.stash[CLEAN_OUTPUT_KEY] = False


def pytest_unconfigure(config: pytest.Config) -> None:
    from ..browser import early

    early.discard()  # a driver spawned at start-up that no game test used
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
        from . import smoke

        return smoke


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
    base = config.stash[BASE_SETTINGS_KEY]
    remote = base.get("cdp_url") or base.get("ws_endpoint")
    if remote or grid.connect_options_overridden(session):
        grid.say_how_local_builds_reach(config, session)
        return
    if config.getoption("--browser-channel"):
        return
    from ..browser.launch import BrowserMissing, check_browser_available

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
