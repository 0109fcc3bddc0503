"""Keys for state kept in `config.stash` / `item.stash` (pytest's typed, plugin-private storage).

Per game test: `URL_KEY` is the game's address as the user gave it (set when its settings resolve, at
setup), `AGENT_KEY` the player, `PHASES_KEY` the reports of its phases so far, `FILES_KEY` the artifacts
pytest-playwright's options kept, and `RECORD_KEY` the test's `TestRecord`, built by the coordinator once
the agent has stopped and read by every listener until the teardown report carries it away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from ..settings import BASE_SETTINGS_KEY

if TYPE_CHECKING:
    pass

__all__ = ["BASE_SETTINGS_KEY"]  # the others are defined here

TARGETS_KEY = pytest.StashKey["list[GameTarget]"]()
#: the local builds' servers, made by the first game test that needs one (fixtures.py)
SERVERS_KEY = pytest.StashKey["LocalServers"]()
#: the session's Coordinator (coordinator.py)
COORDINATOR_KEY = pytest.StashKey[Any]()
AGENT_KEY = pytest.StashKey[Any]()
URL_KEY = pytest.StashKey[str]()
RECORD_KEY = pytest.StashKey["TestRecord"]()
#: a game test's `new_context` options (browser_context_args, device), set with its settings
CONTEXT_ARGS_KEY = pytest.StashKey[dict[str, Any]]()
#: {"setup": <report>, "call": <report>, ...} of the item's current attempt (the coordinator's)
PHASES_KEY = pytest.StashKey[dict[str, Any]]()
#: Artifacts kept by report/capture.BrowserArtifacts: kind ("trace", "video", "screenshot") -> absolute path.
FILES_KEY = pytest.StashKey[dict[str, str]]()
#: set by the run guard before it reports an interrupted test's teardown
INTERRUPTED_KEY = pytest.StashKey[bool]()
