"""BrowserPool: one browser per pytest process (xdist worker), launched as the first game test is set up.

Every game test gets its own browser context from this one browser (browser/session.py opens it), so a
session of N games pays Chromium's start-up once, not N times.

A game can take its browser down with it (a GPU-process crash, a remote grid dropping the socket), so
`get()` relaunches a browser that is no longer connected instead of failing every later game.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from playwright.async_api import Browser, Playwright
from playwright.async_api import Error as PlaywrightError

from . import early
from .launch import GAME_ARGS, open_browser
from .remote import RemoteProblem, ServerConnection, explain_connect_error

#: how long closing waits for a launch still under way (a slow one takes seconds on a busy machine)
#: before cutting it short; bounded so a wedged driver cannot hold up the end of the session
LAUNCH_WAIT_S = 30.0


class BrowserPool:
    """`get(expose_loopback=True)` for a game served on 127.0.0.1: a Playwright server connection is
    (re)opened with `expose_network="<loopback>"`, and only then, so a server never reaches this
    machine's loopback for games that do not need it."""

    def __init__(
        self,
        launch_args: Mapping[str, Any],
        *,
        cdp_url: str | None = None,
        server: ServerConnection | None = None,
    ) -> None:
        self.launch_args = dict(launch_args)
        self.cdp_url = cdp_url
        self.server = server
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._exposed = False
        self._failure: str | None = None
        self._lock = asyncio.Lock()
        #: the launch started by `prelaunch()`, awaited (through the lock) by the first `get()`
        self._early: asyncio.Task[Browser] | None = None
        #: set the first time loopback is exposed, so the plugin can say so once
        self.exposed_once = False

    def fail_with(self, message: str) -> None:
        """Every game of this session fails with `message` (a remote option that cannot work)."""
        self._failure = message

    @property
    def remote(self) -> bool:
        return bool(self.cdp_url or self.server)

    @property
    def ws_endpoint(self) -> str | None:
        return self.server.ws_endpoint if self.server else None

    def prelaunch(self) -> None:
        """Start launching the local browser now, on the running loop, and return at once.

        The first game test's setup (importing the player, resolving its settings) then overlaps the
        Playwright driver's and Chromium's start-up instead of preceding it; `get()` waits for the launch.
        A failed launch is not remembered: `get()` launches again and reports the error then. A remote
        browser is reached when first asked for (whether loopback is exposed depends on the game).
        """
        if self.remote or self._failure is not None or self._browser is not None or self._early is not None:
            return
        self._early = asyncio.get_running_loop().create_task(self.get())
        self._early.add_done_callback(lambda task: task.cancelled() or task.exception())  # get() says it again

    async def get(self, expose_loopback: bool = False) -> Browser:
        """The process's browser; raises RemoteProblem (one line) when a remote one cannot be reached.

        A failed connection is remembered: every later game fails at once with the same line instead of
        waiting out the connect timeout again.
        """
        async with self._lock:
            if self._failure is not None:
                raise RemoteProblem(self._failure)
            expose = expose_loopback and self.server is not None and not self.server.exposes_loopback
            if self._browser is not None and self._browser.is_connected() and (self._exposed or not expose):
                return self._browser
            if self._browser is not None:
                with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                    await asyncio.wait_for(self._browser.close(), 10)
                self._browser = None
            if self._playwright is None:
                self._playwright = await early.start_playwright()  # the driver spawned at start-up, if any
            if self.server is None:
                self._browser = await open_browser(self._playwright, self.launch_args, cdp_url=self.cdp_url)
                return self._browser
            kwargs = self.server.connect_kwargs(self.launch_args, GAME_ARGS, expose)
            try:
                self._browser = await self._playwright.chromium.connect(**kwargs)
            except (PlaywrightError, asyncio.TimeoutError, OSError) as error:
                self._failure = explain_connect_error(error, self.server.ws_endpoint)
                raise RemoteProblem(self._failure) from None
            self._exposed = expose
            self.exposed_once = self.exposed_once or expose
            return self._browser

    async def close(self) -> None:
        if self._early is not None and not self._early.done():  # a session that ended before its first game
            await asyncio.wait({self._early}, timeout=LAUNCH_WAIT_S)  # a launch cut short could orphan Chromium
            self._early.cancel()
        if self._browser is not None and self.remote:  # a remote browser: disconnect, the grid owns it
            with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                await asyncio.wait_for(self._browser.close(), 15)
        # a local one is closed by its driver as Playwright stops (the driver closes every browser it
        # launched, gracefully, before it exits; its exit handler kills what is left): one wait, not two
        self._browser = None
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._playwright.stop(), 15)
            self._playwright = None
