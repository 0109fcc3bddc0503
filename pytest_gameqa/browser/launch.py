"""Finds a Chromium to drive and starts (or connects to) it.

Playwright's own browser is preferred because its version matches the driver; a system Chromium is
the fallback for machines where `playwright install` cannot download (CI images, offline boxes).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
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


def _playwright_cache_has_chromium(environ: Mapping[str, str]) -> bool:
    """Playwright's own browsers live in a cache folder; looking there is much cheaper than its driver."""
    configured = environ.get("PLAYWRIGHT_BROWSERS_PATH")
    home = Path.home()
    folders = [Path(configured)] if configured and configured != "0" else []
    folders += [home / ".cache" / "ms-playwright", home / "Library" / "Caches" / "ms-playwright"]
    if environ.get("LOCALAPPDATA"):
        folders.append(Path(environ["LOCALAPPDATA"]) / "ms-playwright")
    return any(any(folder.glob("chromium*")) for folder in folders if folder.is_dir())


def check_browser_available(environ: Mapping[str, str] | None = None) -> None:
    """Fail before any test runs when no browser can be launched (raises BrowserMissing).

    Asks Playwright's driver only when neither a system browser nor Playwright's cache has one.
    """
    environ = os.environ if environ is None else environ
    if environ.get("GAMEQA_CHROMIUM"):
        resolve_executable(None, environ)  # raises when the path it names does not exist
        return
    if find_system_chromium(environ) or _playwright_cache_has_chromium(environ):
        return
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            playwright_path = pw.chromium.executable_path
    except Exception:  # driver problems surface again, with detail, at launch
        return
    resolve_executable(playwright_path, environ)


async def open_browser(
    playwright: Playwright,
    launch_args: Mapping[str, Any],
    *,
    cdp_url: str | None = None,
) -> Browser:
    """Launch a local browser, or connect to one over DevTools (a Playwright server: browser/remote.py)."""
    if cdp_url:
        return await playwright.chromium.connect_over_cdp(cdp_url, timeout=30_000)
    options: dict[str, Any] = {"headless": True, **dict(launch_args)}
    # not --use-angle=swiftshader: it quiets SwiftShader's console chatter (filtered anyway) but halves
    # the frame rate of 2D canvas games (measured in benchmarks/)
    options["args"] = [*GAME_ARGS, *options.get("args", [])]
    if not options.get("channel") and not options.get("executable_path"):
        executable = resolve_executable(playwright.chromium.executable_path)
        if executable:
            options["executable_path"] = executable
    return await playwright.chromium.launch(**options)
