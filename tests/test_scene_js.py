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


def _scene_of(html: str, script: str = "") -> list[dict[str, list[float]]]:
    """Scenes of a page: one after load, one after `script` (if any) and two frames."""

    async def run() -> list[dict[str, list[float]]]:
        async with async_playwright() as pw:
            browser = await open_browser(pw, {})
            try:
                context = await browser.new_context(viewport={"width": 1280, "height": 720})
                await context.add_init_script(INIT_JS)
                page = await context.new_page()
                await page.set_content(html)
                await page.wait_for_timeout(300)
                looks = [await asyncio.wait_for(page.evaluate("() => window.__gameqaScene().things"), 10)]
                if script:
                    await page.evaluate(script)
                    await page.wait_for_timeout(200)
                    looks.append(await asyncio.wait_for(page.evaluate("() => window.__gameqaScene().things"), 10))
                return [{t[0]: t[1] for t in look} for look in looks]
            finally:
                await browser.close()

    return asyncio.run(run())


#: a batched 2D WebGL renderer in miniature: every sprite's corners (x, y, u, v: 16 bytes a corner) in
#: one buffer, one drawElements; or (CLIP) the same quads given in clip space, as 3D engines give meshes
BATCH = """<!DOCTYPE html><html><body style="margin:0"><canvas id="c" width="400" height="300"
  style="position:absolute; left:100px; top:50px; width:800px; height:600px"></canvas><script>
  const CLIP = %s, INSTANCED = %s;
  const gl = document.getElementById("c").getContext(INSTANCED ? "webgl2" : "webgl");
  const sh = (t, s) => { const o = gl.createShader(t); gl.shaderSource(o, s); gl.compileShader(o); return o; };
  const p = gl.createProgram();
  gl.attachShader(p, sh(gl.VERTEX_SHADER,
    "attribute vec2 a; attribute vec2 uv; void main() { gl_Position = vec4(a * 0.001, 0.0, 1.0); }"));
  gl.attachShader(p, sh(gl.FRAGMENT_SHADER, "void main() { gl_FragColor = vec4(1.0); }"));
  gl.linkProgram(p); gl.useProgram(p);
  window.hero = [300, 200];
  const quads = () => [[20, 30, 40, 20], [100, 30, 40, 20], [hero[0], hero[1], 12, 12]];
  const buf = gl.createBuffer(); gl.bindBuffer(gl.ARRAY_BUFFER, buf);
  gl.vertexAttribPointer(gl.getAttribLocation(p, "a"), 2, gl.FLOAT, false, 16, 0);
  gl.vertexAttribPointer(gl.getAttribLocation(p, "uv"), 2, gl.FLOAT, false, 16, 8);
  const idx = new Uint16Array(18); for (let i = 0; i < 3; i++) idx.set([0, 1, 2, 0, 2, 3].map(k => k + 4 * i), 6 * i);
  gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, gl.createBuffer());
  gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, idx, gl.STATIC_DRAW);
  requestAnimationFrame(function frame() {
    const f = new Float32Array(48);
    quads().forEach(([x, y, w, h], i) => [[x, y], [x + w, y], [x + w, y + h], [x, y + h]].forEach(([a, b], k) => {
      f.set(CLIP ? [a / 400 - 0.5, b / 300 - 0.5, 0, 0] : [a, b, 0, 0], (4 * i + k) * 4); }));
    gl.bindBuffer(gl.ARRAY_BUFFER, buf); gl.bufferData(gl.ARRAY_BUFFER, f, gl.DYNAMIC_DRAW);
    if (INSTANCED) gl.drawElementsInstanced(gl.TRIANGLES, 18, gl.UNSIGNED_SHORT, 0, 1);
    else gl.drawElements(gl.TRIANGLES, 18, gl.UNSIGNED_SHORT, 0);
    requestAnimationFrame(frame);
  });
</script></body></html>"""


def test_sprites_of_a_batched_webgl_draw_are_things_in_viewport_pixels() -> None:
    """Pixi, Phaser and Hexi draw every sprite from one vertex buffer: each sprite is read back as a drawn
    thing where it shows on the page (the 400x300 canvas is shown at 800x600 from (100,50)), and the hero
    a key moves moved by itself alone. Near miss: a buffer in clip space (a 3D mesh) has no pixels to
    give, nor has an instanced draw's: each stays one WebGL buffer, folded into sums."""
    before, after = _scene_of(BATCH % ("false", "false"), "() => { window.hero = [304, 200]; }")
    sprites = {k: v for k, v in before.items() if "|quad:" in k}
    assert len(sprites) == 3 and all(k.startswith("cg1|quad:") for k in sprites), sorted(before)
    hero = next(k for k in sprites if ":12x12#" in k)
    assert before[hero][:4] == [700, 450, 24, 24], before[hero]  # 100 + 300*2, 50 + 200*2, 12*2
    assert after[hero][0] - before[hero][0] == 8  # 4 canvas px, shown at twice the size
    clouds = sorted(k for k in sprites if k != hero)
    assert [after[k][:4] for k in clouds] == [before[k][:4] for k in clouds]
    (clip,) = _scene_of(BATCH % ("true", "false"))
    assert not any("|quad:" in k for k in clip) and any("|buf" in k for k in clip), sorted(clip)
    # nor does an instanced draw: its buffer holds what each instance varies, not a sprite's corners
    (instanced,) = _scene_of(BATCH % ("false", "true"))
    assert not any("|quad:" in k for k in instanced) and any("|buf" in k for k in instanced), sorted(instanced)


TURNED = """<!DOCTYPE html><html><body style="margin:0"><canvas id="c" width="400" height="400"></canvas><script>
  const ctx = document.getElementById("c").getContext("2d");
  const img = document.createElement("canvas"); img.width = 20; img.height = 50;
  img.getContext("2d").fillRect(0, 0, 20, 50);
  window.angle = 0; window.spin = 0;
  requestAnimationFrame(function frame() {
    ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.clearRect(0, 0, 400, 400);
    const x = 200 + 150 * Math.cos(angle), y = 200 + 150 * Math.sin(angle);  // on the rim, facing out
    const a = angle + spin;
    ctx.setTransform(Math.cos(a), Math.sin(a), -Math.sin(a), Math.cos(a), x, y);
    ctx.drawImage(img, -10, -25);
    requestAnimationFrame(frame);
  });
</script></body></html>"""


def test_a_turned_sprite_keeps_its_own_size_and_stands_where_its_centre_is() -> None:
    """A ship that circles a rim facing outwards is drawn turned: its box grows and shrinks with the angle,
    which made it a new thing at every angle (a mouse-steered ship was never seen to move). Its own size
    is kept and its box stands around its centre: it moved. Near miss: turned in place, it stands still."""
    before, after = _scene_of(TURNED, "() => { window.angle = Math.PI / 3; }")
    (key,) = [k for k in before if "|img:" in k]
    assert key.endswith(":20x50#1") and key in after, (sorted(before), sorted(after))
    assert before[key][:4] == [340, 175, 20, 50]  # centre (350, 200)
    assert abs(after[key][0] + 10 - (200 + 75)) < 1 and abs(after[key][1] + 25 - (200 + 129.9)) < 1
    turned, spun = _scene_of(TURNED, "() => { window.spin = 1.1; }")
    assert spun[key][:4] == turned[key][:4]  # a turn in place is no move
