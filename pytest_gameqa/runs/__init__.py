"""Batch runs: run records (RunStore, RunsPlugin) and the guard that makes every ending leave a report."""

from __future__ import annotations

import pytest

from . import plugin as _plugin
from .guard import RunGuard
from .plugin import RunsPlugin
from .store import LookupFailed, Owner, RunStore, StoreError

__all__ = ["LookupFailed", "Owner", "RunGuard", "RunStore", "RunsPlugin", "StoreError", "configure"]


def configure(config: pytest.Config) -> None:
    """Register the guard (always) and the run recorder (unless turned off); from the plugin's pytest_configure."""
    config.pluginmanager.register(RunGuard(config), "gameqa-guard")
    _plugin.configure(config)
