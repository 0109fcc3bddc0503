"""dom/scene.js in real Chromium: where the page's scene puts its DOM things.

A decoration the page animates for ever (a flickering torch: an infinite CSS animation) is painted where
it does not stand: sampled at its own period it looks still, then "moves" at the next look (a text
adventure was "entered" by Space that way, under load); so is an editor shaken by a wrong answer (a code
puzzle was "entered" by typing a name the game rejected). Both are given where the layout puts them. The
near misses: a piece the player moved with a CSS transition moved, and so did a pulsing frog its pond's
layout moved. A piece appended to another square (a frog hopping between cells) keeps its key: it moved.
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
  @keyframes shake { 0%, 100% { transform: translateX(0); } 50% { transform: translateX(10px); } }
  .shake { animation: shake 0.6s 1; }
  #editor { position: absolute; left: 300px; top: 100px; width: 200px; }
  .sq { width: 50px; height: 50px; } .hopper { width: 20px; height: 20px; }
  #piece { position: absolute; left: 100px; top: 200px; width: 40px; height: 40px; background: #6f6;
           transition: left 0.1s; }
</style></head><body>
  <span class="torch" id="torch"></span>
  <div id="piece"></div>
  <div id="editor"><pre id="code">a: b;</pre></div>
  <div id="board" style="position: absolute; left: 0; top: 520px; display: flex;">
    <div class="sq"><div class="hopper"></div></div>
    <div class="sq"></div>
  </div>
  <div id="pond" style="position: absolute; left: 0; top: 400px; width: 600px; display: flex;">
    <div class="frog" style="width: 40px; height: 40px;"><div id="frog" class="torch"></div></div>
  </div>
</body></html>"""


def test_animated_decorations_stand_where_the_layout_puts_them_and_a_transitioned_piece_moves() -> None:
    async def run() -> tuple[dict[str, list[float]], ...]:
        async with async_playwright() as pw:
            browser = await open_browser(pw, {})
            try:
                context = await browser.new_context()
                await context.add_init_script(INIT_JS)
                page = await context.new_page()
                await page.set_content(PAGE)
                await page.wait_for_timeout(200)
                before = await asyncio.wait_for(page.evaluate("() => window.__gameqaScene().things"), 10)
                await page.evaluate(
                    "() => { document.getElementById('piece').style.left = '160px';"
                    " document.getElementById('pond').style.justifyContent = 'flex-end';"
                    " document.querySelectorAll('.sq')[1].appendChild(document.querySelector('.hopper')); }"
                )
                await page.wait_for_timeout(300)  # the transition ran out: a finite animation, done
                after = await asyncio.wait_for(page.evaluate("() => window.__gameqaScene().things"), 10)
                # a wrong answer shakes the editor (finite keyframes): its lines are not where they stand
                await page.evaluate("() => document.getElementById('editor').classList.add('shake')")
                await page.wait_for_timeout(150)
                shaking = await asyncio.wait_for(page.evaluate("() => window.__gameqaScene().things"), 10)
                await page.wait_for_timeout(800)
                settled = await asyncio.wait_for(page.evaluate("() => window.__gameqaScene().things"), 10)
                return (
                    {t[0]: t[1] for t in before},
                    {t[0]: t[1] for t in after},
                    {t[0]: t[1] for t in shaking},
                    {t[0]: t[1] for t in settled},
                )
            finally:
                await browser.close()

    before, after, shaking, settled = asyncio.run(run())
    assert after["d|#torch"] == before["d|#torch"], "a flicker is no move: it is given where the layout puts it"
    assert before["d|#piece"][0] == 100 and after["d|#piece"][0] == 160
    assert shaking["d|#code"][:4] == before["d|#code"][:4], "a shaken editor's lines stand where they stood"
    assert settled["d|#code"][:4] == before["d|#code"][:4]
    assert before["d|#frog"][0] != after["d|#frog"][0], "a pulsing frog the layout moved moved"
    # a piece appended to another square keeps its key: moved 50 px, not one gone and one new
    hopper = "d|#board>div0>div0"
    assert after[hopper][0] - before[hopper][0] == 50 and "d|#board>div1>div0" not in after, sorted(after)
