"""A pytest plugin for `benchmarks/timeline.py`: wraps the harness's phases and writes when each began/ended.

Loaded with `-p timeline_probe` (benchmarks/ on PYTHONPATH). Times are seconds since `GAMEQA_T0` (the
Unix time the runner started the process). Patching is by name, so a renamed function is skipped with a
note instead of breaking the run. Written to `$GAMEQA_TIMELINE` at exit.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import importlib.abc
import importlib.util
import inspect
import json
import os
import resource
import sys
import time
from typing import Any

import pytest

T0 = float(os.environ.get("GAMEQA_T0", time.time()))
EVENTS: list[tuple[str, float, float | None]] = []
NOTES: list[str] = []


def _now() -> float:
    return round(time.time() - T0, 3)


def mark(name: str) -> None:
    EVENTS.append((name, _now(), None))


EVENTS.append(("probe imported (plugins loading)", _now(), None))

#: (module, attribute path) of each phase worth timing; imported when the first game test needs them
TARGETS = (
    ("pytest_gameqa.browser.pool", "BrowserPool.prelaunch"),
    ("pytest_gameqa.browser.pool", "BrowserPool.get"),
    ("pytest_gameqa.browser.pool", "BrowserPool.close"),
    ("pytest_gameqa.browser.launch", "open_browser"),
    ("pytest_gameqa.browser.early", "start_playwright"),
    ("pytest_gameqa.browser.early", "spawn"),
    ("pytest_gameqa.browser.early", "_adopt"),
    ("pytest_gameqa.browser.early", "discard"),
    ("pytest_gameqa.browser.early", "_process"),
    ("pytest_gameqa.plugin.fixtures", "_import_player"),
    ("pytest_gameqa.browser.session", "GameSession.open"),
    ("pytest_gameqa.browser.session", "GameSession.load"),
    ("pytest_gameqa.browser.session", "GameSession.close"),
    ("pytest_gameqa.agent.readiness", "wait_until_ready"),
    ("pytest_gameqa.agent.sampling", "Sampler.learn_idle"),
    ("pytest_gameqa.agent.agent", "GameAgent.start"),
    ("pytest_gameqa.agent.agent", "GameAgent.play"),
    ("pytest_gameqa.agent.agent", "GameAgent.stop"),
    ("pytest_gameqa.report.capture", "BrowserArtifacts.close"),
    ("pytest_gameqa.plugin.coordinator", "Coordinator.build"),
    ("pytest_gameqa.report.listen", "ReportListener.pytest_gameqa_test_finished"),
    ("pytest_gameqa.report.listen", "ReportListener.pytest_gameqa_session_finished"),
    ("pytest_gameqa.report.listen", "ReportListener.pytest_terminal_summary"),
)


def _wrap(label: str, func: Any) -> Any:
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            start = _now()
            try:
                return await func(*args, **kwargs)
            finally:
                EVENTS.append((label, start, _now()))

        return timed_async

    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = _now()
        try:
            return func(*args, **kwargs)
        finally:
            EVENTS.append((label, start, _now()))

    return timed


def _patch(module: Any) -> None:
    for module_name, path in TARGETS:
        if module_name != module.__name__:
            continue
        try:
            owner: Any = module
            parts = path.split(".")
            for part in parts[:-1]:
                owner = getattr(owner, part)
            original = getattr(owner, parts[-1])
            wrapped = _wrap(path, original)
            setattr(owner, parts[-1], wrapped)
            if parts[-1] == "open_browser":  # pool.py imports it by name
                PATCHED_OPEN.append(wrapped)
            if module_name.endswith(".pool") and PATCHED_OPEN:
                module.open_browser = PATCHED_OPEN[0]
        except Exception as error:  # a renamed phase: noted, not fatal
            NOTES.append(f"{module_name}:{path}: {error}")


PATCHED_OPEN: list[Any] = []


class _AfterImport(importlib.abc.MetaPathFinder):
    """Patches a target module right after it is first imported, wherever (a thread, a fixture) that is,
    so the probe moves no import earlier than the harness does it."""

    names = {name for name, _ in TARGETS}

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in self.names:
            return None
        self.names.discard(fullname)  # the real finders below do the finding
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return None
        run = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            _patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, _AfterImport())
for _name in list(_AfterImport.names):
    if _name in sys.modules:
        _patch(sys.modules[_name])
        _AfterImport.names.discard(_name)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    mark("pytest_configure")


def pytest_sessionstart(session: pytest.Session) -> None:
    mark("sessionstart")


def pytest_collection_finish(session: pytest.Session) -> None:
    mark("collection finished")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    mark("runtest_setup")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    mark(f"logreport {report.when}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    mark("sessionfinish (last)")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    mark("unconfigure (last)")


@atexit.register
def _dump() -> None:
    mark("atexit")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    NOTES.append(f"pytest process CPU: {usage.ru_utime:.2f} s user, {usage.ru_stime:.2f} s sys")
    target = os.environ.get("GAMEQA_TIMELINE")
    if target:
        with open(target, "w") as out:
            json.dump({"events": EVENTS, "notes": NOTES}, out, indent=1)
