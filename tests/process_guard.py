"""The fast tier stays fast and honest: a test not marked `e2e` that starts a subprocess or a browser fails.

`-m "not e2e"` promises tests that need no Chromium and no child process. Without a guard, one such test
slips in unnoticed (a `subprocess.run` in a helper, a fixture that launches Playwright) and the tier
gets slow and machine-dependent again. Loaded by tests/conftest.py (and with `-p process_guard` in its
own tests); the guard covers every phase of an unmarked test, its fixtures' setup and teardown too.

Guarded: `subprocess.Popen` (so `subprocess.run`, `check_output` and asyncio's subprocesses, which
Playwright's driver is), `os.system`, `os.posix_spawn[p]`, `os.fork`, and Playwright's own browser
starts (`launch`, `launch_persistent_context`, `connect`, `connect_over_cdp`) and new contexts/pages
on a browser another test left running.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

MARKER = "e2e"
_VIOLATIONS = pytest.StashKey[list[str]]()


class ProcessRefused(RuntimeError):
    """An ordinary exception, so an event loop that runs the refused call (Playwright's driver start)
    fails its task and shuts down cleanly; a test that swallows it still fails (see makereport)."""


def message(what: str, nodeid: str) -> str:
    return (
        f"{nodeid} is not marked e2e but {what}: mark it `@pytest.mark.e2e` (or `pytestmark = pytest.mark.e2e`), "
        'or keep the fast tier (-m "not e2e") free of subprocesses and browsers'
    )


def _targets() -> list[tuple[Any, str, str]]:
    """(owner, attribute, what it does) for everything that starts a process or a browser."""
    targets: list[tuple[Any, str, str]] = [
        (subprocess.Popen, "__init__", "started a subprocess (subprocess.Popen)"),
        (os, "system", "started a subprocess (os.system)"),
    ]
    for name in ("posix_spawn", "posix_spawnp", "fork"):
        if hasattr(os, name):
            targets.append((os, name, f"started a subprocess (os.{name})"))
    try:  # Playwright's implementation classes: both its sync and async APIs go through them
        from playwright._impl.browser import Browser
        from playwright._impl.browser_type import BrowserType
    except ImportError:  # pragma: no cover - Playwright is a dependency of the project
        return targets
    for name in ("launch", "launch_persistent_context", "connect", "connect_over_cdp"):
        targets.append((BrowserType, name, f"started a browser (Playwright BrowserType.{name})"))
    for name in ("new_context", "new_page"):
        targets.append((Browser, name, f"opened a browser page (Playwright Browser.{name})"))
    return targets


@contextmanager
def guarding(item: pytest.Item) -> Iterator[None]:
    """Replace every target by one that records the violation on the item and fails at once."""
    found = item.stash.setdefault(_VIOLATIONS, [])
    saved: list[tuple[Any, str, Any]] = []

    def refuse(what: str) -> Callable[..., Any]:
        def refused(*_args: Any, **_kwargs: Any) -> Any:
            text = message(what, item.nodeid)
            found.append(text)
            raise ProcessRefused(text)

        return refused

    for owner, name, what in _targets():
        saved.append((owner, name, owner.__dict__.get(name, getattr(owner, name))))
        setattr(owner, name, refuse(what))
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def _unmarked(item: pytest.Item) -> bool:
    return item.get_closest_marker(MARKER) is None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    if not _unmarked(item):
        return (yield)
    with guarding(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    if not _unmarked(item):
        return (yield)
    with guarding(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    if not _unmarked(item):
        return (yield)
    with guarding(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """A test that caught the failure (`except BaseException`) and passed anyway still fails."""
    report: pytest.TestReport = yield
    violations = item.stash.get(_VIOLATIONS, [])
    if violations and report.passed and report.when == "call":
        report.outcome = "failed"
        report.longrepr = violations[0]
    return report
