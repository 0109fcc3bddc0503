"""The yardsticks the harness is measured against: plain Playwright doing the least that the harness does.

    python benchmarks/plain.py load URL SECONDS   launch, load, wait SECONDS, close (harness overhead)
    python benchmarks/plain.py loop URL SECONDS   screenshot, key press, screenshot, repeated (loop cost floor)

`load` imports nothing from pytest_gameqa and launches Playwright's default headless Chromium, so its
cost is that of a bare script; `loop` launches the browser exactly as the harness does. Prints one JSON
line with its timings.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

T0 = float(os.environ.get("GAMEQA_T0") or time.time())  # the runner sets it at spawn: imports are timed too

from playwright.sync_api import sync_playwright  # noqa: E402

#: the harness's own screenshot settings (browser/session.py) and viewport, for a like-for-like floor
VIEWPORT = {"width": 1280, "height": 720}
SHOT = {
    "format": "jpeg",
    "quality": 70,
    "captureBeyondViewport": False,
    "optimizeForSpeed": True,
    "clip": {"x": 0, "y": 0, "width": 1280, "height": 720, "scale": 1},
}


def _executable(default: str) -> str | None:
    """Same browser the harness finds: Playwright's own when installed, else the system Chromium."""
    if os.environ.get("GAMEQA_CHROMIUM"):
        return os.environ["GAMEQA_CHROMIUM"]
    if default and os.path.exists(default):
        return None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def load(url: str, seconds: float) -> dict[str, Any]:
    """Returns when each step ended, in seconds since the process started (`GAMEQA_T0`, else import)."""
    marks: dict[str, float] = {"imported": _since_start()}
    with sync_playwright() as pw:
        marks["driver"] = _since_start()
        browser = pw.chromium.launch(headless=True, executable_path=_executable(pw.chromium.executable_path))
        marks["launched"] = _since_start()
        page = browser.new_page(viewport=VIEWPORT)
        marks["page"] = _since_start()
        page.goto(url, wait_until="load")
        marks["loaded"] = _since_start()
        time.sleep(seconds)
        browser.close()
        marks["closed"] = _since_start()
    marks["stopped"] = _since_start()
    return {"marks": marks}


def _since_start() -> float:
    return round(time.time() - T0, 3)


async def _loop(url: str, seconds: float) -> dict[str, Any]:
    # the harness's own browser launch (flags included), so the ratio isolates the loop, not the flags
    from playwright.async_api import async_playwright

    from pytest_gameqa.browser.launch import open_browser

    async with async_playwright() as pw:
        browser = await open_browser(pw, {})
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        await page.goto(url, wait_until="load")
        await asyncio.sleep(1.0)
        steps: list[float] = []
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                started = time.monotonic()
                for phase in ("before", "after"):
                    data = (await cdp.send("Page.captureScreenshot", SHOT))["data"]
                    (folder / f"{len(steps):03d}-{phase}.jpg").write_bytes(base64.b64decode(data))
                    if phase == "before":
                        await page.keyboard.press("ArrowRight", delay=30)
                steps.append(time.monotonic() - started)
        await browser.close()
    return {"steps": len(steps), "step_s": sum(steps) / len(steps) if steps else None}


def loop(url: str, seconds: float) -> dict[str, Any]:
    """Before shot, one key press (as `agent.press` does it), after shot: nothing else."""
    return asyncio.run(_loop(url, seconds))


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("load", "loop"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, url, seconds = argv[0], argv[1], float(argv[2])
    started = time.monotonic()
    result = (load if mode == "load" else loop)(url, seconds)
    result["wall_s"] = time.monotonic() - started
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
