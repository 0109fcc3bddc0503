"""The fixtures of a game test: the session's browsers, the game's address, its settings, the player.

`game_agent` is where a game test's life starts (the player loads the game) and where its record is
built (the coordinator, at teardown). The player, the browsers and the reports are imported when the
first game test asks for them, never when pytest starts.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from .. import settings as settings_mod
from .coordinator import coordinator_of
from .stash import AGENT_KEY, BASE_SETTINGS_KEY, CONTEXT_ARGS_KEY, SERVERS_KEY, URL_KEY

if TYPE_CHECKING:
    from ..agent.agent import GameAgent
    from ..browser.pool import BrowserPool
    from ..report.capture import BrowserArtifacts
    from ..settings import GameSettings
    from .targets import GameTarget, LocalServers


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def game_browser_pool(
    pytestconfig: pytest.Config, browser_type_launch_args: dict[str, Any], connect_options: dict[str, Any] | None
) -> AsyncIterator[BrowserPool]:
    """The session's browser(s): launched once, or reached on a grid.

    A Playwright server comes from `--game-ws-endpoint` or pytest-playwright's `connect_options` fixture;
    a DevTools endpoint from `--game-cdp-url`.
    """
    from ..browser.pool import BrowserPool
    from ..browser.remote import RemoteProblem, ServerConnection
    from ..browser.stall import LoopStallWatch

    ws_endpoint = settings_mod.session_setting(pytestconfig, "ws_endpoint")
    try:
        server = ServerConnection.from_options(connect_options, ws_endpoint)
    except RemoteProblem as problem:
        server, failure = None, str(problem)
    else:
        failure = None
    cdp_url = settings_mod.session_setting(pytestconfig, "cdp_url")
    pool = BrowserPool(browser_type_launch_args, cdp_url=cdp_url, server=server)
    if failure:
        pool.fail_with(failure)
    stall_watch = LoopStallWatch(asyncio.get_running_loop())
    stall_watch.start()
    pool.prelaunch()  # Chromium starts while the first game test's player is imported and set up
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
    from .targets import parse_target

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
    from .contexts import game_context

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
    await _import_player()
    from ..agent.agent import GameAgent
    from ..browser.launch import BrowserMissing
    from ..browser.remote import RemoteProblem
    from ..report.capture import BrowserArtifacts
    from .repro import prepare_agent

    coordinator = coordinator_of(request.config)
    url = _servers(request.config).url_for(game_target)  # a local build is served on 127.0.0.1
    failure = None
    try:
        browser = await game_browser_pool.get(expose_loopback=game_target.is_local)
    except (BrowserMissing, RemoteProblem) as error:
        failure = str(error)
    except Exception as error:
        failure = f"gameqa: could not start the browser: {(str(error).splitlines() or [type(error).__name__])[0]}"
    if failure is not None:
        coordinator.unstarted(request.node, game_target.raw, failure)
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
    prepare_agent(request, agent)  # --game-deterministic: seeded Math.random before the game's scripts
    request.node.stash[AGENT_KEY] = agent
    try:
        failure = await _start(agent, capture)
        if failure:
            pytest.fail(failure, pytrace=False)
        yield agent
    finally:
        await asyncio.shield(capture.close(agent))  # stops the agent
        coordinator.build(request.node, agent)


#: the modules a game test needs beyond the plugin's own (the player, the reports); imported on first use
PLAYER_MODULES = ("..agent.agent", "..report.capture", ".repro", "..report.evidence", "..report.html")
_player_imported = False


async def _import_player() -> None:
    """Import the player in a worker thread the first time, so the session loop meanwhile serves the
    browser launch that `prelaunch()` started (a second of Python imports no longer comes before it).

    Then everything alive is moved out of the garbage collector's sight (`gc.freeze`): modules, classes
    and pytest's own objects live until the process ends, and pytest runs a full collection five times
    at exit (and Python now and then during play) that would walk them all again.
    """
    global _player_imported
    if not _player_imported:
        await asyncio.to_thread(_import_modules, PLAYER_MODULES)
        gc.freeze()
        _player_imported = True


def _import_modules(names: tuple[str, ...]) -> None:
    import importlib

    for name in names:
        importlib.import_module(name, __package__)


def _servers(config: pytest.Config) -> LocalServers:
    """The session's servers of local builds (stopped at unconfigure)."""
    servers = config.stash.get(SERVERS_KEY, None)
    if servers is None:
        from .targets import LocalServers

        servers = config.stash[SERVERS_KEY] = LocalServers()
    return servers


async def _start(agent: GameAgent, capture: BrowserArtifacts) -> str | None:
    from playwright.async_api import Error as PlaywrightError

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


@pytest.fixture
def gameqa_repeat(request: pytest.FixtureRequest) -> int:
    """Which run of a reproduction test this is (--game-repeat N parametrizes game_repro tests 1..N)."""
    return int(getattr(request, "param", 1))
