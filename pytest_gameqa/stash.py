"""Keys for state kept in `config.stash` / `item.stash` (pytest's typed, plugin-private storage)."""

from __future__ import annotations

from typing import Any

import pytest

from .targets import GameTarget, LocalServers

TARGETS_KEY = pytest.StashKey[list[GameTarget]]()
BASE_SETTINGS_KEY = pytest.StashKey[dict[str, Any]]()
SERVERS_KEY = pytest.StashKey[LocalServers]()
AGENT_KEY = pytest.StashKey[Any]()
RECORD_KEY = pytest.StashKey[dict[str, Any]]()
RESULTS_KEY = pytest.StashKey[Any]()
