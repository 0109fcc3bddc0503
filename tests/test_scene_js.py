"""dom/scene.js in real Chromium: what the page's scene reports of its DOM things.

A decoration the page animates for ever (a flickering torch: an infinite CSS animation) is no thing of
the game: sampled at its own period it looks still, then "moves" at the next look (a text adventure was
"entered" by Space that way, under load). The near miss: a piece the player moved with a CSS transition
(finite) is reported, moved.
"""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import async_playwright

from pytest_gameqa.browser.launch import open_browser
from pytest_gameqa.browser.session import INIT_JS

pytestmark = pytest.mark.e2e

PAGE = """<!DOCTYPE html><html><head><style>
  .torch { display: inline-block; width: 18px; height: 30px; background: #f93;
           animation: flicker 0.35s infinite alternate; }
  @keyframes flicker { from { transform: scale(1, 1) rotate(-4deg); } to { transform: scale(1.15, 1.3) rotate(5deg); } }
  #piece { position: absolute; left: 100px; top: 200px; width: 40px; height: 40px; background: #6f6;
           transition: left 0.1s; }
</style></head><body>
  <span class="torch" id="torch"></span>
  <div id="piece"></div>
</body></html>"""


def test_scene_leaves_out_infinite_animations_and_keeps_a_transitioned_piece() -> None:
    async def run() -> tuple[dict[str, list[float]], dict[str, list[float]]]:
        async with async_playwright() as pw:
            browser = await open_browser(pw, {})
            try:
                context = await browser.new_context()
                await context.add_init_script(INIT_JS)
                page = await context.new_page()
                await page.set_content(PAGE)
                await page.wait_for_timeout(200)
                before = await asyncio.wait_for(page.evaluate("() => window.__gameqaScene().things"), 10)
                await page.evaluate("() => { document.getElementById('piece').style.left = '160px'; }")
                await page.wait_for_timeout(300)  # the transition ran out: a finite animation, done
                after = await asyncio.wait_for(page.evaluate("() => window.__gameqaScene().things"), 10)
                return {t[0]: t[1] for t in before}, {t[0]: t[1] for t in after}
            finally:
                await browser.close()

    before, after = asyncio.run(run())
    assert not any("torch" in key for key in before | after), sorted(before)
    assert before["d|#piece"][0] == 100 and after["d|#piece"][0] == 160
