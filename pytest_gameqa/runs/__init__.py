"""The run store: one row per game test of every session (store.py) and how commands show them (views.py).

The pytest side that writes the rows is plugin/runs.py; the guard that makes every ending leave a
report is plugin/guard.py.
"""

from __future__ import annotations

from .store import DEFAULT_DB, INFO_ENV, SESSION_ENV, LookupFailed, Owner, RunStore, StoreError

__all__ = ["DEFAULT_DB", "INFO_ENV", "SESSION_ENV", "LookupFailed", "Owner", "RunStore", "StoreError"]
