"""Keys for state kept in `config.stash` / `item.stash` (pytest's typed, plugin-private storage).

Per game test: `URL_KEY` is the game's address as the user gave it (set when its settings resolve, at
setup), `AGENT_KEY` the player, and `RECORD_KEY` the test's `TestRecord`, built once the agent has
stopped (see record.py) and read by every report until the teardown report carries it away.
"""

from __future__ import annotations

from typing import Any

import pytest

from .models import TestRecord
from .targets import GameTarget, LocalServers

TARGETS_KEY = pytest.StashKey[list[GameTarget]]()
BASE_SETTINGS_KEY = pytest.StashKey[dict[str, Any]]()
SERVERS_KEY = pytest.StashKey[LocalServers]()
AGENT_KEY = pytest.StashKey[Any]()
URL_KEY = pytest.StashKey[str]()
RECORD_KEY = pytest.StashKey[TestRecord]()
#: a game test's `new_context` options (browser_context_args, device), set with its settings
CONTEXT_ARGS_KEY = pytest.StashKey[dict[str, Any]]()
RESULTS_KEY = pytest.StashKey[Any]()
