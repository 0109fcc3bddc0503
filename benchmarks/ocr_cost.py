"""What reading text from pixels costs: OCR time per frame, and the install size of the `ocr` extra.

    python benchmarks/ocr_cost.py URL [RUNS]

Takes one PNG screenshot of URL (the harness's viewport, its browser launch), then times
`pytest_gameqa.agent.ocr.read_image` on it RUNS times (default 3) after one warm-up call, which also
loads the models. Prints one JSON line. Run by benchmarks/run.py in its own process, so the OCR
models' memory stays out of the benchmark's. Without the extra it prints `{"available": false}`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

#: the packages the `ocr` extra adds whose folders are counted (runtime libraries bundled next to
#: them, such as opencv's `*.libs`, are reported apart)
OCR_PACKAGES = ("rapidocr", "onnxruntime", "cv2")
VIEWPORT = {"width": 1280, "height": 720}


def folder_mb(path: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).lstat().st_size
            except OSError:
                pass
    return total / 1e6


def install_size() -> dict[str, Any]:
    """MB (10^6 bytes) of each installed package folder, and of the shared-library folders wheels ship."""
    sizes: dict[str, float | None] = {}
    site = None
    for name in OCR_PACKAGES:
        spec = importlib.util.find_spec(name)
        where = list(spec.submodule_search_locations or []) if spec else []
        sizes[name] = round(folder_mb(Path(where[0])), 1) if where else None
        if where:
            site = Path(where[0]).parent
    extra = {}
    if site is not None:
        for libs in sorted(site.glob("*.libs")):
            if any(key in libs.name for key in ("opencv", "onnx", "rapidocr")):
                extra[libs.name] = round(folder_mb(libs), 1)
    known = [v for v in sizes.values() if v is not None]
    return {
        "packages_mb": sizes,
        "total_mb": round(sum(known), 1),
        "bundled_libs_mb": extra,
        "site_packages": str(site) if site else None,
    }


async def screenshot(url: str) -> bytes:
    from playwright.async_api import async_playwright

    from pytest_gameqa.browser.launch import open_browser

    async with async_playwright() as pw:
        browser = await open_browser(pw, {})
        context = await browser.new_context(viewport=VIEWPORT)
        page = await context.new_page()
        await page.goto(url, wait_until="load")
        await asyncio.sleep(2.0)  # the menu is drawn and its blinking arrows have had a cycle
        image = await page.screenshot(type="png")
        await browser.close()
    return image


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    url, runs = argv[0], int(argv[1]) if len(argv) > 1 else 3
    from pytest_gameqa.agent import ocr

    out: dict[str, Any] = {"available": ocr.available(), "install": install_size()}
    if not out["available"]:
        print(json.dumps(out))
        return 0
    image = asyncio.run(screenshot(url))
    started = time.monotonic()
    ocr.read_image(image)  # warm-up: imports rapidocr and loads its models
    out["warmup_s"] = round(time.monotonic() - started, 3)
    times, texts = [], []
    for _ in range(runs):
        started = time.monotonic()
        texts = ocr.read_image(image)
        times.append(round(time.monotonic() - started, 3))
    out.update(
        {
            "image_bytes": len(image),
            "viewport": f"{VIEWPORT['width']}x{VIEWPORT['height']}",
            "runs_s": times,
            "median_s": sorted(times)[len(times) // 2],
            "texts": [t.text for t in texts],
        }
    )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
