"""TaskScope: every task a game test starts, raced against the game's death and cancelled with it.

A crash or a hang sets the monitor's `fatal` event; whatever the player was doing then (an action, a
look, a model call) is abandoned at once instead of waiting out its timeout. When the test ends, every
task still running is cancelled and awaited, bounded: a task that swallows its cancellation delays the
end by the bound at most, never hangs it, and no request outlives the test that made it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from ..models import Issue

T = TypeVar("T")
#: how long a race waits for its tasks to end after cancelling them (a cancellation can be swallowed)
RACE_CANCEL_S = 10.0
#: how long cancel_all() waits, in all, for the tasks of the scope to end once cancelled
TASKS_CANCEL_S = 5.0


class GameStopped(Exception):
    """The game can no longer be played (crash, hang, failed load); carries the fatal issue."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(f"{issue.kind.value}: {issue.message}")
        self.issue = issue


class TaskScope:
    """The tasks one game test owns, and the event that abandons them (the monitor's `fatal`)."""

    def __init__(self, fatal: asyncio.Event, *, race_cancel_s: float = RACE_CANCEL_S) -> None:
        self.fatal = fatal
        self.race_cancel_s = race_cancel_s
        self.tasks: set[asyncio.Future[Any]] = set()

    def track(self, aw: Awaitable[T]) -> asyncio.Future[T]:
        """Start `aw` as a task of the scope: kept until done, cancelled by `cancel_all()`."""
        task = asyncio.ensure_future(aw)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def background(self, aw: Awaitable[Any]) -> asyncio.Future[Any]:
        """`track()` for work nobody awaits (a dialog answered, a popup closed): its error is retrieved."""
        task = self.track(aw)
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return task

    def pending(self) -> list[asyncio.Future[Any]]:
        return [t for t in self.tasks if not t.done()]

    async def race(self, aw: Awaitable[T]) -> T | None:
        """Run `aw` unless/until the fatal event is set; then cancel it and return None.

        When the caller itself is cancelled (the hard time limit's grace ran out, Ctrl-C), both tasks are
        cancelled and awaited (bounded) before the cancellation goes on: an action or a model call never
        outlives the step that started it (nor keeps a paid request open).
        """
        task = self.track(aw)
        fatal = self.track(self.fatal.wait())
        try:
            await asyncio.wait({task, fatal}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            await cancel_and_wait({task, fatal}, self.race_cancel_s)
            raise
        finally:
            fatal.cancel()
        if task.done():
            return task.result()
        await cancel_and_wait({task}, self.race_cancel_s)  # the step is abandoned, its error does not matter
        return None

    async def cancel_all(self, timeout: float = TASKS_CANCEL_S) -> None:
        """Cancel every task of the scope that still runs and wait for them, `timeout` s at most in all."""
        current = asyncio.current_task()
        await cancel_and_wait({t for t in self.tasks if t is not current}, timeout)


async def cancel_and_wait(tasks: set[asyncio.Future[Any]], timeout: float) -> None:
    """Cancel `tasks` and wait for them to end, `timeout` s at most (a cancellation can be swallowed)."""
    pending = {t for t in tasks if not t.done()}
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=timeout)
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: an abandoned task's error does not matter
