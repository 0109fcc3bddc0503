"""Test-suite setup: the fast tier's guard (see process_guard.py) is active for every test here, and
the e2e tier is scheduled for `-n 3 --dist loadgroup` (see pytest_collection_modifyitems)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from process_guard import (  # noqa: F401 - hooks, registered by being names in this conftest
    pytest_runtest_call,
    pytest_runtest_makereport,
    pytest_runtest_setup,
    pytest_runtest_teardown,
)

#: plugins a machine may have installed that this suite's in-process pytester sessions must not load:
#: pytest-benchmark runs `git rev-parse` (a subprocess) each time a session registers its options
FOREIGN_PLUGINS = "-p no:benchmark"


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester clears PYTEST_ADDOPTS when it starts; its inner sessions get ours."""
    monkeypatch.setenv("PYTEST_ADDOPTS", FOREIGN_PLUGINS)
    return pytester


#: measured seconds (one worker, `-n 3` on a busy 2-core machine) of the scopes that take longest, by the
#: start of the xdist group's name or of the test's node id (first match wins); a scope not named here is
#: estimated by its tier (E2E_DEFAULT_S, or 0 for the fast tier). Only the order depends on these
#: numbers: a stale one makes the run's tail longer, never a test wrong.
SCOPE_SECONDS: dict[str, float] = {
    "tests/test_llm.py::run": 280,
    "tests/test_repro.py::key_min": 190,
    "tests/test_depth.py::depth_run": 150,
    "tests/test_repro.py::test_restart_repro": 125,
    "tests/test_report.py::xdist_run": 90,
    "tests/test_touch.py::run": 80,
    "examples-gate-dblclick-drag": 70,
    "tests/test_agent.py::test_same_seed": 68,
    "entries-entry-intro-story": 66,
    "tests/test_agent.py::test_per_game": 64,
    "examples-broken-console-error": 60,
    "examples-ai-steering": 59,
    "examples-gate-canvas-letter": 58,
    "entries-": 55,
    "tests/test_repro.py::test_freeze_repro": 55,
    "examples-gate-iframe": 54,
    "examples-healthy-slow-loading": 54,
    "tests/test_runs.py::test_serial_and_parallel": 53,
    "tests/test_trust_loading.py::test_heavy_loader": 53,
    "tests/test_performance.py::test_max_load_time": 52,
    "tests/test_grid.py::test_local_builds_through": 50,
    "tests/test_performance.py::healthy_run": 48,
    "examples-gate-no-title": 47,
    "tests/test_cli.py::test_run_then": 46,
    "tests/test_report.py::linked_run": 45,
    "tests/test_performance.py::test_memory_growth": 44,
    "tests/test_reach.py::test_a_": 42,
    "tests/test_core_output.py::test_a_run_with_game_tests": 39,
    "tests/test_performance.py::test_low_fps": 38,
    "examples-broken-frozen-frames": 37,
    "tests/test_repro.py::test_a_crash": 36,
    "tests/test_contexts.py": 35,
    "tests/test_timeout.py::test_hard_time_limit": 35,
    "examples-gate-digit-menu": 35,
    "examples-gate-unmarked-key": 34,
    "tests/test_core_cancel.py": 33,
    "tests/test_grid.py::test_connect_options": 33,
    "examples-repro-crash": 32,
    "tests/test_report.py::plain_run": 31,
    "tests/test_shard.py::test_ordinary_tests": 31,
    "examples-": 28,
}
E2E_DEFAULT_S = 10.0


def _shared_fixtures(item: pytest.Item) -> set[str]:
    """Fixtures above function scope defined in the item's own test file: a run shared by its tests."""
    info = getattr(item, "_fixtureinfo", None)
    module = item.nodeid.split("::", 1)[0]
    found: set[str] = set()
    for name, defs in info.name2fixturedefs.items() if info else ():
        fixture = defs[-1]
        if fixture.scope != "function" and fixture.baseid.split("::", 1)[0] == module:
            found.add(name)
    return found


def _group_shared_runs(items: Iterable[pytest.Item]) -> None:
    """Tests that share a module-scoped run (one game session, several assertions) go to one xdist worker.

    `--dist loadgroup` sends every test without an `xdist_group` on its own; a module-scoped fixture is
    then set up once per worker that gets one of its tests, so a 2-minute shared run would be played up
    to three times. Tests linked through such fixtures (also indirectly: a fixture using another) get
    one group, named after the file and the first fixture; tests that name their group keep it.
    """
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    used: dict[int, list[str]] = {}
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        module = item.nodeid.split("::", 1)[0]
        keys = sorted(f"{module}::{name}" for name in _shared_fixtures(item))
        if keys:
            used[id(item)] = keys
            for key in keys[1:]:
                parent[find(key)] = find(keys[0])
    for item in items:
        if id(item) in used:
            item.add_marker(pytest.mark.xdist_group(find(used[id(item)][0])))


def _scope(item: pytest.Item) -> str:
    mark = item.get_closest_marker("xdist_group")
    return str(mark.args[0]) if mark and mark.args else item.nodeid


def _scope_seconds(scope: str, items: list[pytest.Item]) -> float:
    """A scope's measured seconds, or its tier's estimate (a little more for each test it holds)."""
    for prefix, seconds in SCOPE_SECONDS.items():
        if scope.startswith(prefix) or items[0].nodeid.startswith(prefix):
            return seconds
    e2e = any(item.get_closest_marker("e2e") for item in items)
    return (E2E_DEFAULT_S if e2e else 0.0) + 0.1 * len(items)


@pytest.hookimpl(tryfirst=True)  # before xdist names each item's group in its node id
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group shared runs, then order scopes longest first (the fast tier last, to fill the tail).

    Every worker collects the same order (it depends only on the collected items), and conftest's
    pytest_configure turns off xdist's own reordering (by number of tests in a scope, not by time).
    """
    _group_shared_runs(items)
    scopes: dict[str, list[pytest.Item]] = {}
    for item in items:
        scopes.setdefault(_scope(item), []).append(item)
    ordered = sorted(scopes.items(), key=lambda kv: -_scope_seconds(*kv))  # stable: ties keep file order
    items[:] = [item for _, members in ordered for item in members]


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # the order above is by time; xdist's is by test count
