"""LoopStallWatch: says so, with every thread's stack, when the event loop stops turning.

Every page call is bounded by asyncio timeouts, which only fire while the loop runs. Something that
blocks the loop's thread itself (a synchronous call that never returns) would hang the run silently;
this turns that into a report on stderr that names the blocking call.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import sys
import threading
import time


class LoopStallWatch:
    def __init__(self, loop: asyncio.AbstractEventLoop, limit_s: float = 60.0) -> None:
        self.loop = loop
        self.limit_s = limit_s
        self.last_beat = time.monotonic()
        self.reported = False
        self._stop = threading.Event()
        self._beat_task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._watch, name="gameqa-stall-watch", daemon=True)

    def start(self) -> None:
        self._beat_task = self.loop.create_task(self._beat())
        self._thread.start()

    async def _beat(self) -> None:
        while True:
            self.last_beat = time.monotonic()
            await asyncio.sleep(1.0)

    def _watch(self) -> None:
        while not self._stop.wait(2.0):
            # between tests pytest runs synchronous code and the loop is legitimately idle: not a stall
            stalled = self.loop.is_running() and time.monotonic() - self.last_beat > self.limit_s
            if stalled and not self.reported:
                self.reported = True
                stream = sys.__stderr__ or sys.stderr
                with contextlib.suppress(Exception):
                    stream.write(
                        f"\ngameqa: the event loop has not run for {self.limit_s:g} s; something blocks it. "
                        "Stacks of every thread follow (please report them):\n"
                    )
                    stream.flush()
                    faulthandler.dump_traceback(file=stream, all_threads=True)
            elif not stalled:
                self.reported = False

    def stop(self) -> None:
        self._stop.set()
        if self._beat_task is not None:
            self._beat_task.cancel()
