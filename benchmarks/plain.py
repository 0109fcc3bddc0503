"""The yardsticks the harness is measured against: plain Playwright doing the least that the harness does.

    python benchmarks/plain.py load URL SECONDS   launch, load, wait SECONDS, close (harness overhead)
    python benchmarks/plain.py loop URL SECONDS   screenshot, input, screenshot, repeated (loop cost floor)

It imports nothing from pytest_gameqa, so its start-up is that of a bare Playwright script. Prints one
JSON line with its timings.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

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
    with sync_playwright() as pw:
        browser = pw.chromium.launch(headless=True, executable_path=_executable(pw.chromium.executable_path))
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url, wait_until="load")
        time.sleep(seconds)
        browser.close()
    return {}


def _shot(page: Page, cdp: Any, folder: Path, name: str) -> None:
    data = cdp.send("Page.captureScreenshot", SHOT)["data"]
    (folder / f"{name}.jpg").write_bytes(base64.b64decode(data))


def loop(url: str, seconds: float) -> dict[str, Any]:
    """Before shot, one key press (as `agent.press` does it), after shot: nothing else."""
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        browser = pw.chromium.launch(headless=True, executable_path=_executable(pw.chromium.executable_path))
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        page.goto(url, wait_until="load")
        time.sleep(1.0)
        folder = Path(tmp)
        steps: list[float] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            _shot(page, cdp, folder, f"{len(steps):03d}-before")
            page.keyboard.press("ArrowRight", delay=30)
            _shot(page, cdp, folder, f"{len(steps):03d}-after")
            steps.append(time.monotonic() - started)
        browser.close()
    return {"steps": len(steps), "step_s": sum(steps) / len(steps) if steps else None}


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
