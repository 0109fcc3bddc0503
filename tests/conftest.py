"""Test-suite setup: the fast tier's guard (see process_guard.py) is active for every test here."""

from __future__ import annotations

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
