"""pytest-gameqa's pytest glue, and its `pytest11` entry point (`pytest_gameqa.plugin`).

hooks.py        options (the settings table), the `game` marker, listeners registered, --game-url collection
fixtures.py     game_browser_pool, game_url, game_target, game_settings, game_agent, game_page
coordinator.py  one per session: each game test's phases, record and outcome, announced through
hookspecs.py    gameqa's own hooks (record built, game failed, test finished, session finished)
runs.py, repro.py, guard.py   listeners: the run store, reproductions, reports however a test ends
contexts.py, grid.py, shard.py, targets.py, smoke.py, stash.py   devices, remote browsers, --game-shard,
                what a --game-url is, the test behind it, the stash keys
"""

import sys

from ..browser import early

early.spawn(sys.argv)  # Playwright's driver boots while pytest starts (browser/early.py)

from .fixtures import (  # noqa: E402
    game_agent,
    game_browser_pool,
    game_page,
    game_settings,
    game_target,
    game_url,
    gameqa_browser_pool,
    gameqa_repeat,
)
from .hooks import (  # noqa: E402
    pytest_addhooks,
    pytest_addoption,
    pytest_collection_finish,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_configure_node,
    pytest_pycollect_makeitem,
    pytest_unconfigure,
)

__all__ = [
    "game_agent",
    "game_browser_pool",
    "game_page",
    "game_settings",
    "game_target",
    "game_url",
    "gameqa_browser_pool",
    "gameqa_repeat",
    "pytest_addhooks",
    "pytest_addoption",
    "pytest_collection_finish",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_configure_node",
    "pytest_pycollect_makeitem",
    "pytest_unconfigure",
]
