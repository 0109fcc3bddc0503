"""Repository-level pytest setup: the plugin's own tests drive pytest in subprocesses via pytester."""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the marks into the node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`, the tests that share a module-scoped run (a whole pytest session of
    games, 30-80 s) go to one xdist worker, so that run happens once instead of once per worker; and
    those long chains start first, so they never make the last worker's tail."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        shared = [
            name
            for name in info.names_closure
            if (defs := info.name2fixturedefs.get(name)) and defs[-1].scope == "module" and name != "event_loop"
        ]
        if shared and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if item.module else shared[0]))
    items.sort(key=_start_order)  # stable: the order within each rank is kept


#: modules whose single tests run a minute or more (a run, a shrink and replays): they start early too
_LONG = ("test_repro", "test_agent", "test_timeout")


def _start_order(item: pytest.Item) -> int:
    if item.get_closest_marker("xdist_group"):
        return 0
    return 1 if getattr(item.module, "__name__", "") in _LONG else 2
