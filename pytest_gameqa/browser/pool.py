"""BrowserPool: one browser per pytest process (xdist worker), launched on first use.

A game can take its browser down with it (a GPU-process crash, a remote grid dropping the socket), so
`get()` relaunches a browser that is no longer connected instead of failing every later game.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from .launch import open_browser


class BrowserPool:
    def __init__(
        self,
        launch_args: Mapping[str, Any],
        *,
        cdp_url: str | None = None,
        ws_endpoint: str | None = None,
    ) -> None:
        self.launch_args = dict(launch_args)
        self.cdp_url = cdp_url
        self.ws_endpoint = ws_endpoint
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._lock = asyncio.Lock()

    @property
    def remote(self) -> bool:
        return bool(self.cdp_url or self.ws_endpoint)

    async def get(self) -> Browser:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._browser is not None:
                with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                    await asyncio.wait_for(self._browser.close(), 10)
            if self._playwright is None:
                self._playwright = await async_playwright().start()
            self._browser = await open_browser(
                self._playwright, self.launch_args, cdp_url=self.cdp_url, ws_endpoint=self.ws_endpoint
            )
            return self._browser

    async def close(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(PlaywrightError, asyncio.TimeoutError):
                await asyncio.wait_for(self._browser.close(), 15)
            self._browser = None
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._playwright.stop(), 15)
            self._playwright = None
