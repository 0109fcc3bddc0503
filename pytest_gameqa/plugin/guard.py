"""RunGuard: however a game test ends (time limit, Ctrl-C, SIGTERM), its evidence is written and the browser closed.

Ctrl-C: pytest normally stops a session on KeyboardInterrupt without a teardown report, so the game's
record never reaches gameqa-results.json, the HTML report or the run store. The guard runs the
teardown itself (closing the page and the browser) and reports it as an error that says the run was
interrupted, then lets the interrupt go on. SIGTERM (CI cancellation, `docker stop`) is turned into the
same interrupt.

Hard time limit: the agent stops itself when `--game-timeout` runs out; a test body stuck somewhere
that does not listen to the agent (raw Playwright calls, sleeps) is cancelled a little later.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import signal
import sys
import threading
from collections.abc import Callable, Generator
from typing import Any

import pytest

from .coordinator import coordinator_of, is_game_item
from .stash import AGENT_KEY, INTERRUPTED_KEY, RECORD_KEY, TARGETS_KEY

#: How long a test body may ignore the hard time limit before it is cancelled.
CANCEL_GRACE_S = 5.0
INTERRUPTED = "gameqa: the run was interrupted ({why}); the evidence gathered until then was written"


class RunGuard:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._setup_done: set[str] = set()
        self._previous_term: Any = None
        self.terminated = False

    # ------------------------------------------------------------------------------------------ SIGTERM
    def _install_sigterm(self) -> None:
        if self._previous_term is not None or threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return  # someone else (CI wrapper, another plugin) already decided what SIGTERM means
        self._previous_term = signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, _signum: int, _frame: Any) -> None:
        self.terminated = True
        if callable(signal.getsignal(signal.SIGINT)):
            signal.raise_signal(signal.SIGINT)  # asyncio's runner cancels the test task, as for Ctrl-C
        else:
            raise KeyboardInterrupt

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.config.stash.get(TARGETS_KEY, []):
            self._install_sigterm()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if any(is_game_item(item) for item in session.items):
            self._install_sigterm()

    def pytest_unconfigure(self) -> None:
        if self._previous_term is not None and threading.current_thread() is threading.main_thread():
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGTERM, self._previous_term)
            self._previous_term = None

    # ------------------------------------------------------------------------------------------ Ctrl-C
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup" and report.passed:
            self._setup_done.add(report.nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
        try:
            return (yield)
        except KeyboardInterrupt as error:
            if not is_game_item(item):
                raise
            interrupt = error
        try:
            self._salvage(item)  # outside the except block: the report must not chain the interrupt's traceback
        except Exception as error:  # never let saving the evidence hide the interrupt itself
            print(f"gameqa: could not save the interrupted game's report: {error}", file=sys.stderr)
        raise interrupt

    def _salvage(self, item: pytest.Item) -> None:
        """Teardown now, with a report, so the record and the evidence reach every report."""
        agent = item.stash.get(AGENT_KEY, None)
        if agent is not None:
            with contextlib.suppress(Exception):
                agent.monitor.fatal.set()  # whatever still plays stops at its next step
            if item.nodeid not in self._setup_done:
                self._stop_unfinished(item, agent)  # interrupted while loading: no finalizer will
        why = "SIGTERM" if self.terminated else "Ctrl-C / SIGINT"

        def teardown() -> None:
            item.ihook.pytest_runtest_teardown(item=item, nextitem=None)
            pytest.fail(INTERRUPTED.format(why=why), pytrace=False)

        call = pytest.CallInfo.from_call(teardown, when="teardown", reraise=(pytest.exit.Exception, KeyboardInterrupt))
        item.stash[INTERRUPTED_KEY] = True  # the coordinator marks the report: the run store says "interrupted"
        report = item.ihook.pytest_runtest_makereport(item=item, call=call)
        item.ihook.pytest_runtest_logreport(report=report)

    def _stop_unfinished(self, item: pytest.Item, agent: Any) -> None:
        loop = getattr(agent, "loop", None)
        if agent.finished or loop is None or loop.is_closed() or loop.is_running():
            return
        with contextlib.suppress(Exception):
            loop.run_until_complete(asyncio.wait_for(agent.stop(), 30))
        if RECORD_KEY not in item.stash:
            with contextlib.suppress(Exception):
                coordinator_of(item.config).build(item, agent)

    # ------------------------------------------------------------------------------------------ time limit
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, Any]:
        agent = item.stash.get(AGENT_KEY, None)
        original = getattr(item, "obj", None)
        if agent is None or not inspect.iscoroutinefunction(original):
            return (yield)
        item.obj = _cancel_on_timeout(original, agent)  # type: ignore[attr-defined]
        try:
            return (yield)
        finally:
            item.obj = original  # type: ignore[attr-defined]


def _cancel_on_timeout(func: Callable[..., Any], agent: Any) -> Callable[..., Any]:
    """The test body, cancelled CANCEL_GRACE_S after the hard limit if it is still running then."""

    @functools.wraps(func)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        from ..agent.agent import GameStopped

        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        fired = False
        handles: list[asyncio.TimerHandle] = []

        def cancel() -> None:
            nonlocal fired
            if task is not None and not task.done():
                fired = True
                task.cancel()

        def on_timeout(_issue: Any = None) -> None:
            handles.append(loop.call_later(CANCEL_GRACE_S, cancel))

        agent.on_timeout.append(on_timeout)
        if agent.timeout_issue is not None:
            on_timeout()
        try:
            return await func(*args, **kwargs)
        except asyncio.CancelledError as error:
            if not fired:
                raise
            uncancel = getattr(task, "uncancel", None)
            if uncancel is not None:
                uncancel()
            # the traceback shows where the test body was stuck when the limit ran out
            raise GameStopped(agent.timeout_issue).with_traceback(error.__traceback__) from None
        finally:
            for handle in handles:
                handle.cancel()
            with contextlib.suppress(ValueError):
                agent.on_timeout.remove(on_timeout)

    return guarded
