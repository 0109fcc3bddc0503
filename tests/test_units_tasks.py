"""TaskScope: the player's work is abandoned the moment the game dies, and nothing it started outlives it.

Synchronised by events, not sleeps: each scenario waits for the work to have started before it acts.
"""

from __future__ import annotations

import asyncio
import time

from pytest_gameqa.agent.tasks import TaskScope, cancel_and_wait


async def _forever(started: asyncio.Event) -> None:
    started.set()
    await asyncio.Event().wait()


def test_race_returns_the_work_s_result_while_the_game_lives() -> None:
    async def scenario() -> tuple[int | None, int]:
        scope = TaskScope(asyncio.Event())

        async def work() -> int:
            return 42

        result = await scope.race(work())
        await asyncio.sleep(0)  # one loop step: the cancelled watch on the fatal event ends
        return result, len(scope.pending())

    assert asyncio.run(scenario()) == (42, 0)


def test_race_returns_none_and_cancels_the_work_when_the_game_dies() -> None:
    async def scenario() -> tuple[object, bool, int]:
        scope = TaskScope(asyncio.Event())
        started = asyncio.Event()
        work = asyncio.ensure_future(_forever(started))

        async def die() -> None:
            await started.wait()
            scope.fatal.set()

        dying = asyncio.ensure_future(die())
        result = await scope.race(work)
        await dying
        return result, work.cancelled(), len(scope.pending())

    assert asyncio.run(scenario()) == (None, True, 0)


def test_race_cancels_and_awaits_its_work_when_its_caller_is_cancelled() -> None:
    async def scenario() -> list[str]:
        scope = TaskScope(asyncio.Event())
        events: list[str] = []
        started = asyncio.Event()

        async def model_call() -> None:
            try:
                await _forever(started)
            except asyncio.CancelledError:
                await asyncio.sleep(0)  # closing the connection takes a step of the loop
                events.append("work cancelled and cleaned up")
                raise

        caller = asyncio.ensure_future(scope.race(model_call()))
        await started.wait()
        caller.cancel()
        try:
            await caller
        except asyncio.CancelledError:
            events.append("the caller's cancellation went on")
        events.append(f"tasks left: {len(scope.pending())}")
        return events

    assert asyncio.run(scenario()) == [
        "work cancelled and cleaned up",
        "the caller's cancellation went on",
        "tasks left: 0",
    ]


def test_a_swallowed_cancellation_delays_a_race_by_its_bound_not_forever() -> None:
    async def scenario() -> tuple[object, float]:
        scope = TaskScope(asyncio.Event(), race_cancel_s=0.2)
        started, released = asyncio.Event(), asyncio.Event()

        async def deaf() -> None:
            started.set()
            while not released.is_set():
                try:
                    await released.wait()
                except asyncio.CancelledError:
                    continue  # ignores every cancellation until released

        async def die() -> None:
            await started.wait()
            scope.fatal.set()

        dying = asyncio.ensure_future(die())
        began = time.monotonic()
        result = await scope.race(deaf())
        took = time.monotonic() - began
        released.set()
        await dying
        return result, took

    result, took = asyncio.run(asyncio.wait_for(scenario(), 5))
    assert result is None and took < 1.0


def test_cancel_all_cancels_every_tracked_task_and_waits_no_longer_than_its_bound() -> None:
    async def scenario() -> tuple[bool, int, float]:
        scope = TaskScope(asyncio.Event())
        polite_started, deaf_started = asyncio.Event(), asyncio.Event()

        async def deaf() -> None:
            try:
                await _forever(deaf_started)
            except asyncio.CancelledError:
                await released.wait()  # ignores the cancellation until released

        released = asyncio.Event()
        polite = scope.track(_forever(polite_started))
        stubborn = scope.track(deaf())
        await polite_started.wait()
        await deaf_started.wait()
        began = time.monotonic()
        await scope.cancel_all(timeout=0.3)
        took = time.monotonic() - began
        left = len(scope.pending())
        released.set()
        await stubborn
        return polite.cancelled(), left, took

    polite_cancelled, left, took = asyncio.run(scenario())
    assert polite_cancelled and left == 1 and 0.25 < took < 0.9


def test_cancel_and_wait_retrieves_the_errors_of_abandoned_tasks() -> None:
    unretrieved: list[dict[str, object]] = []

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: unretrieved.append(context))

        async def broken() -> None:
            raise RuntimeError("the page went away")

        task = asyncio.ensure_future(broken())
        await asyncio.wait({task})
        await cancel_and_wait({task}, 0.1)
        del task

    asyncio.run(scenario())
    assert unretrieved == []


def test_background_work_that_fails_is_not_reported_as_unretrieved() -> None:
    unretrieved: list[dict[str, object]] = []

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: unretrieved.append(context))
        scope = TaskScope(asyncio.Event())

        async def broken() -> None:
            raise RuntimeError("the dialog was already closed")

        task = scope.background(broken())
        await asyncio.wait({task})
        del task

    asyncio.run(scenario())
    assert unretrieved == []
