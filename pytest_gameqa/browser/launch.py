"""Finds a Chromium to drive and starts (or connects to) it.

Playwright's own browser is preferred because its version matches the driver; a system Chromium is
the fallback for machines where `playwright install` cannot download (CI images, offline boxes).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Any

from playwright.async_api import Browser, Playwright

INSTALL_HINT = "python -m playwright install chromium (or install Chromium/Chrome, e.g. apt-get install chromium)"

SYSTEM_CANDIDATES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "/usr/bin/chromium",
    "/usr/lib/chromium/chromium",
    "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)

#: Flags that keep a headless game close to a player's browser and quiet on closed networks.
GAME_ARGS = (
    "--autoplay-policy=no-user-gesture-required",
    "--enable-unsafe-swiftshader",
    "--enable-precise-memory-info",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
)


class BrowserMissing(Exception):
    """No browser could be found; the message names the install command."""


def find_system_chromium(environ: Mapping[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    explicit = environ.get("GAMEQA_CHROMIUM")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name) if not os.path.isabs(name) else (name if os.path.exists(name) else None)
        if found:
            return found
    return None


def resolve_executable(playwright_path: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """None means "Playwright's own browser"; a path means a system browser; raises when neither exists."""
    environ = os.environ if environ is None else environ
    if environ.get("GAMEQA_CHROMIUM"):
        found = find_system_chromium(environ)
        if not found:
            raise BrowserMissing(
                f"gameqa: GAMEQA_CHROMIUM={environ['GAMEQA_CHROMIUM']} does not exist; "
                f"fix it or install: {INSTALL_HINT}"
            )
        return found
    if playwright_path and os.path.exists(playwright_path):
        return None
    found = find_system_chromium(environ)
    if found:
        return found
    raise BrowserMissing(f"gameqa: no Chromium found for the game tests; install one with: {INSTALL_HINT}")


async def open_browser(
    playwright: Playwright,
    launch_args: Mapping[str, Any],
    *,
    cdp_url: str | None = None,
    ws_endpoint: str | None = None,
) -> Browser:
    """Launch a local browser, or connect to one elsewhere (grid, browserless, another machine)."""
    if cdp_url:
        return await playwright.chromium.connect_over_cdp(cdp_url, timeout=30_000)
    if ws_endpoint:
        return await playwright.chromium.connect(ws_endpoint, timeout=30_000)
    options: dict[str, Any] = {"headless": True, **dict(launch_args)}
    headless_args = ["--use-angle=swiftshader"] if options.get("headless", True) else []  # no GPU-stall chatter
    options["args"] = [*GAME_ARGS, *headless_args, *options.get("args", [])]
    if not options.get("channel") and not options.get("executable_path"):
        executable = resolve_executable(playwright.chromium.executable_path)
        if executable:
            options["executable_path"] = executable
    return await playwright.chromium.launch(**options)
