// Injected into every frame before the game's scripts: what the game draws, as a *scene* of things.
// Canvas 2D: each drawImage / fillRect / fillText / filled or stroked path of the latest complete frame,
// with where it was drawn (after the transform) and a small style hash. WebGL: each draw call (program,
// texture, vertex count) with the uniform values it was drawn with, and the vertex data uploaded per
// buffer folded into chunk sums (batched 2D engines move sprites in vertex data, not uniforms). DOM: the
// elements that mutated, plus small leaf elements, with their box and a signature (class, text, source).
// Boxes are in viewport CSS pixels, with the page's scroll offset beside them: the player tells a thing
// that moved with the page (Space scrolls a long page) from one the game moved.
// The player compares scenes over time: a thing that moves when a key is pressed and stays put while
// idle is the game reacting, whatever scrolls or pulses around it. Observes only: never throws into the
// page, never changes what is drawn, bounded work per call.
(() => {
  if (window.__gameqaScene) return;
  const MAX_OPS = 400; // things kept per canvas frame: enough for a screen of sprites, bounded per frame
  const MAX_UNIFORMS = 40; // numbers kept per WebGL draw: two 4x4 matrices and a few vectors
  const CHUNKS = 24; // a buffer upload is folded into this many sums: a moving sprite changes its chunk's sum
  const MAX_DOM = 300; // DOM elements per look: a board of 20x15 cells
  const MAX_QUADS = 300; // sprites read back from a batched WebGL draw per frame: a screen of sprites, bounded
  const CLIP_SPAN = 2.5; // vertex positions all within this of 0 are clip space (no pixels): no sprites
  const r1 = (v) => Math.round(v * 2) / 2;
  const hash = (s) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
    return Math.abs(h) % 9973;
  };
  let task = 0, inTask = false;
  const taskOf = () => {
    if (!inTask) { inTask = true; task++; queueMicrotask(() => { inTask = false; }); }
    return task;
  };
  // ------------------------------------------------------------------------------------------ Canvas 2D
  let nextId = 1;
  const ids = new WeakMap();
  const idOf = (obj) => {
    if (!obj || (typeof obj !== "object" && typeof obj !== "function")) return 0;
    let id = ids.get(obj);
    if (!id) { id = nextId++; ids.set(obj, id); }
    return id;
  };
  const sourceName = (img) => {
    try {
      if (img && typeof img.src === "string" && img.src) return img.src.slice(-60);
    } catch (e) { /* a cross-origin image */ }
    return "#" + idOf(img);
  };
  const canvases = new WeakMap(); // canvas -> {id, cur: [], last: null, task, area, counts}
  let canvasCount = 0;
  const stOf = (canvas) => {
    let st = canvases.get(canvas);
    if (!st) { st = { id: ++canvasCount, cur: [], last: null, task: -1, area: 0, counts: new Map(), path: null, ref: new WeakRef(canvas) }; canvases.set(canvas, st); live.push(st); }
    const current = taskOf();
    if (st.task !== current) { st.task = current; st.area = 0; st.ops = 0; }
    return st;
  };
  const live = []; // every canvas state, for the look (WeakRef: a dropped canvas is skipped)
  const repaint = (st) => { st.last = st.cur; st.cur = []; st.counts = new Map(); };
  const styleOf = (ctx, stroke) => {
    const s = stroke ? ctx.strokeStyle : ctx.fillStyle;
    return typeof s === "string" ? s : "pattern";
  };
  const box = (ctx, x, y, w, h) => {
    const m = ctx.getTransform();
    if (Math.abs(m.b) > 1e-6 || Math.abs(m.c) > 1e-6) {
      // turned (or skewed): its own size, scaled, around where its centre is drawn. The box of a turned
      // sprite grows and shrinks as it turns, which would make it another thing at every angle (a ship
      // that circles a rim facing outwards); a turn in place is no move
      const sx = Math.hypot(m.a, m.b) * w, sy = Math.hypot(m.c, m.d) * h;
      const cx = m.a * (x + w / 2) + m.c * (y + h / 2) + m.e, cy = m.b * (x + w / 2) + m.d * (y + h / 2) + m.f;
      return [cx - Math.abs(sx) / 2, cy - Math.abs(sy) / 2, Math.abs(sx), Math.abs(sy)];
    }
    const xs = [m.a * x + m.c * y + m.e, m.a * (x + w) + m.c * y + m.e, m.a * x + m.c * (y + h) + m.e, m.a * (x + w) + m.c * (y + h) + m.e];
    const ys = [m.b * x + m.d * y + m.f, m.b * (x + w) + m.d * y + m.f, m.b * x + m.d * (y + h) + m.f, m.b * (x + w) + m.d * (y + h) + m.f];
    const x0 = Math.min(...xs), y0 = Math.min(...ys);
    return [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0];
  };
  // A frame already holding MAX_OPS things skips the rest of its task before any work is done (a game
  // drawing thousands of rects a frame pays for 400); a task's first ops are always looked at, since a
  // full repaint comes first.
  const skip = (ctx) => {
    try {
      const st = stOf(ctx.canvas);
      st.ops = (st.ops || 0) + 1;
      return st.cur.length >= MAX_OPS && st.ops > 2;
    } catch (e) { return true; }
  };
  const add = (ctx, kind, ident, b, extra) => {
    try {
      const canvas = ctx.canvas;
      if (!canvas) return;
      const st = stOf(canvas);
      if (b[2] * b[3] >= 0.95 * canvas.width * canvas.height && b[0] <= 1 && b[1] <= 1) {
        // a full repaint starts a new frame (the first full cover of a task); later covers are layers
        if (st.area === 0 && st.cur.length) repaint(st);
        st.area += 1;
        return; // the backdrop itself is no "thing"
      }
      if (st.cur.length >= MAX_OPS) {
        if (st.ops > 1) return; // a full frame: the rest of this task is not recorded (bounded work)
        repaint(st); // a canvas drawn in pieces, never cleared: a new task starts a new frame
      }
      st.at = performance.now(); // when this frame was drawn: speeds are measured in the page's own time
      const key = kind + ":" + ident + ":" + Math.round(b[2] / 2) * 2 + "x" + Math.round(b[3] / 2) * 2;
      const n = (st.counts.get(key) || 0) + 1;
      st.counts.set(key, n);
      st.cur.push(["c" + st.id + "|" + key + "#" + n, [r1(b[0]), r1(b[1]), r1(b[2]), r1(b[3]), extra]]);
    } catch (e) { /* never into the page */ }
  };
  const wrap = (proto, name, before) => {
    const native = proto && proto[name];
    if (typeof native !== "function") return;
    const wrapped = { [name](...args) { before(this, args); return native.apply(this, args); } }[name];
    try { proto[name] = wrapped; } catch (e) { /* read-only: not observed */ }
  };
  const pathPoint = (ctx, x, y) => {
    const st = stOf(ctx.canvas);
    const m = ctx.getTransform();
    const px = m.a * x + m.c * y + m.e, py = m.b * x + m.d * y + m.f;
    const p = st.path || (st.path = [Infinity, Infinity, -Infinity, -Infinity]);
    p[0] = Math.min(p[0], px); p[1] = Math.min(p[1], py); p[2] = Math.max(p[2], px); p[3] = Math.max(p[3], py);
  };
  const paint = (stroke) => (ctx) => {
    try {
      if (skip(ctx)) return;
      const st = stOf(ctx.canvas);
      const p = st.path;
      if (!p || !(p[2] >= p[0])) return;
      const style = styleOf(ctx, stroke);
      add(ctx, stroke ? "stroke" : "path", style, [p[0], p[1], p[2] - p[0], p[3] - p[1]], hash(style));
    } catch (e) { /* never into the page */ }
  };
  for (const proto of [window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype,
                       window.OffscreenCanvasRenderingContext2D && OffscreenCanvasRenderingContext2D.prototype]) {
    if (!proto) continue;
    wrap(proto, "drawImage", (ctx, a) => {
      try {
        if (skip(ctx)) return;
        const img = a[0] || {};
        const iw = img.naturalWidth || img.videoWidth || img.width || 0, ih = img.naturalHeight || img.videoHeight || img.height || 0;
        let b, src = 0;
        if (a.length === 3) b = box(ctx, +a[1], +a[2], iw, ih);
        else if (a.length === 5) b = box(ctx, +a[1], +a[2], +a[3], +a[4]);
        else if (a.length === 9) { b = box(ctx, +a[5], +a[6], +a[7], +a[8]); src = (Math.round(+a[1]) * 7 + Math.round(+a[2]) * 13) % 9973; }
        else return;
        add(ctx, "img", sourceName(img), b, src);
      } catch (e) { /* never into the page */ }
    });
    wrap(proto, "fillRect", (ctx, a) => { if (!skip(ctx)) add(ctx, "rect", styleOf(ctx, false), box(ctx, +a[0], +a[1], +a[2], +a[3]), 0); });
    wrap(proto, "strokeRect", (ctx, a) => { if (!skip(ctx)) add(ctx, "srect", styleOf(ctx, true), box(ctx, +a[0], +a[1], +a[2], +a[3]), 0); });
    wrap(proto, "clearRect", (ctx, a) => {
      try {
        const b = box(ctx, +a[0], +a[1], +a[2], +a[3]), canvas = ctx.canvas;
        if (canvas && b[2] * b[3] >= 0.95 * canvas.width * canvas.height) add(ctx, "clear", "", b, 0);
      } catch (e) { /* never into the page */ }
    });
    wrap(proto, "fillText", (ctx, a) => {
      try {
        if (skip(ctx)) return;
        const text = String(a[0]).slice(0, 40);
        const w = ctx.measureText ? ctx.measureText(text).width : 10;
        const size = +(/(\d+(?:\.\d+)?)px/.exec(ctx.font || "") || [0, 10])[1];
        add(ctx, "text", text.replace(/\d+/g, "#"), box(ctx, +a[1], +a[2] - size, w, size), hash(styleOf(ctx, false) + text));
      } catch (e) { /* never into the page */ }
    });
    wrap(proto, "beginPath", (ctx) => { try { stOf(ctx.canvas).path = null; } catch (e) { /* never into the page */ } });
    wrap(proto, "moveTo", (ctx, a) => { try { pathPoint(ctx, +a[0], +a[1]); } catch (e) { /* never into the page */ } });
    wrap(proto, "lineTo", (ctx, a) => { try { pathPoint(ctx, +a[0], +a[1]); } catch (e) { /* never into the page */ } });
    wrap(proto, "rect", (ctx, a) => { try { pathPoint(ctx, +a[0], +a[1]); pathPoint(ctx, +a[0] + +a[2], +a[1] + +a[3]); } catch (e) { /* never into the page */ } });
    wrap(proto, "arc", (ctx, a) => { try { const r = +a[2]; pathPoint(ctx, +a[0] - r, +a[1] - r); pathPoint(ctx, +a[0] + r, +a[1] + r); } catch (e) { /* never into the page */ } });
    wrap(proto, "ellipse", (ctx, a) => { try { pathPoint(ctx, +a[0] - +a[2], +a[1] - +a[3]); pathPoint(ctx, +a[0] + +a[2], +a[1] + +a[3]); } catch (e) { /* never into the page */ } });
    wrap(proto, "fill", paint(false));
    wrap(proto, "stroke", paint(true));
  }
  // ------------------------------------------------------------------------------------------ WebGL
  const gls = []; // {id, cur, last, task, program, texture, uniforms: Map(program -> Map(loc -> values)), buffers}
  const glOf = (gl) => {
    let st = ids.get(gl) && glStates.get(gl);
    if (!st) { st = { id: gls.length + 1, cur: [], last: null, task: -1, program: 0, texture: 0, uniforms: new Map(), buffers: new Map(), bound: 0, counts: new Map(), layouts: new Map(), pending: null, quads: 0, ref: gl.canvas ? new WeakRef(gl.canvas) : null }; glStates.set(gl, st); idOf(gl); gls.push(st); }
    return st;
  };
  const glStates = new WeakMap();
  const glFrame = (st) => {
    const current = taskOf();
    if (st.task !== current) {
      if (st.cur.length) { st.last = st.cur; st.cur = []; st.counts = new Map(); st.quads = 0; }
      st.task = current;
    }
  };
  // A batched 2D engine (Pixi, Phaser, Hexi) uploads every sprite's corners into one vertex buffer and
  // draws them in one call: read the sprites back from the upload the draw uses (position = the buffer's
  // 2-float attribute at the lowest offset), each as a drawn thing in canvas pixels like a 2D drawImage,
  // so a hero moved by a key is told from scenery that moves by itself. `first`/`verts`: what is drawn.
  const glSprites = (st, first, verts, indexed) => {
    const p = st.pending;
    st.pending = null;
    const { f, lay, buf } = p;
    const per = lay.stride, at = lay.offset;
    const total = Math.min(Math.floor(f.length / per), first + verts);
    const q = first * per + at; // the drawn part's first quad: two triangles repeat its corners 0 and 2
    const six = !indexed && verts % 6 === 0 && total >= first + 6 && f[q + 3 * per] === f[q] && f[q + 3 * per + 1] === f[q + 1];
    const corners = indexed || !six ? 4 : 6; // indexed quads share corners; unindexed are two triangles
    const quads = [];
    let span = 0;
    for (let v = first; v + corners <= total && quads.length < MAX_QUADS - st.quads; v += corners) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let c = 0; c < corners; c++) {
        const x = f[(v + c) * per + at], y = f[(v + c) * per + at + 1];
        if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      }
      if (!(x1 - x0 >= 1 || y1 - y0 >= 1) || !isFinite(x0 + y0 + x1 + y1)) continue; // empty or clip-space
      span = Math.max(span, Math.abs(x0), Math.abs(x1), Math.abs(y0), Math.abs(y1));
      const look = per > 2 ? hash(String(Math.round(f[v * per + (at === 0 ? 2 : 0)] * 1000))) : 0; // its texture corner
      quads.push([x0, y0, x1 - x0, y1 - y0, look]);
    }
    if (span <= CLIP_SPAN) return false;
    for (const [x, y, w, h, look] of quads) {
      const key = "quad:b" + buf + ":" + Math.round(w / 2) * 2 + "x" + Math.round(h / 2) * 2;
      const n = (st.counts.get(key) || 0) + 1;
      st.counts.set(key, n);
      st.cur.push(["q|" + key + "#" + n, [x, y, w, h, look]]);
    }
    st.quads += quads.length;
    st.at = performance.now();
    return true;
  };
  const glSums = (st, f, buf) => {
    const sums = new Array(CHUNKS).fill(0);
    const step = Math.max(1, Math.ceil(f.length / CHUNKS));
    const limit = Math.min(f.length, 200000); // bounded work per upload
    for (let i = 0; i < limit; i++) { const v = f[i]; if (v === v && Math.abs(v) < 1e6) sums[(i / step) | 0] += v; }
    const key = "g" + st.id + "|buf" + buf;
    st.cur.push([key + "#" + (st.counts.get(key) || 0), sums.map((s) => Math.round(s * 10) / 10)]);
    st.counts.set(key, (st.counts.get(key) || 0) + 1);
  };
  const glDraw = (gl, count, first, indexed, instanced) => {
    try {
      const st = glOf(gl);
      glFrame(st);
      if (st.pending) {
        const p = st.pending;
        const verts = indexed ? Math.floor(count / 6) * 4 : count;
        // an instanced draw's buffer holds per-instance data, not corners: it stays folded into sums
        if (instanced || !glSprites(st, indexed ? Math.floor(first / 6) * 4 : first, verts, indexed)) {
          st.pending = null;
          glSums(st, p.f, p.buf);
        }
      }
      if (st.cur.length >= MAX_OPS) return;
      const key = "p" + st.program + "|t" + st.texture + "|n" + count;
      const n = (st.counts.get(key) || 0) + 1;
      st.counts.set(key, n);
      const values = [];
      const locs = st.uniforms.get(st.program);
      if (locs) for (const v of locs.values()) { for (const x of v) { if (values.length < MAX_UNIFORMS) values.push(Math.round(x * 1000) / 1000); } }
      st.cur.push(["g" + st.id + "|" + key + "#" + n, values]);
      st.at = performance.now();
    } catch (e) { /* never into the page */ }
  };
  const glUpload = (gl, data) => {
    try {
      if (!data || !data.buffer || data.byteLength < 16) return;
      const st = glOf(gl);
      glFrame(st);
      const f = data instanceof Float32Array ? data : (data.byteLength % 4 === 0 ? new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4) : null);
      if (!f) return;
      if (st.pending) glSums(st, st.pending.f, st.pending.buf); // uploaded, never drawn from: as before
      const lay = st.layouts.get(st.bound);
      if (lay && st.quads < MAX_QUADS) st.pending = { f, lay, buf: st.bound }; // read when drawn (glSprites)
      else glSums(st, f, st.bound);
    } catch (e) { /* never into the page */ }
  };
  for (const proto of [window.WebGLRenderingContext && WebGLRenderingContext.prototype,
                       window.WebGL2RenderingContext && WebGL2RenderingContext.prototype]) {
    if (!proto) continue;
    wrap(proto, "useProgram", (gl, a) => { try { glOf(gl).program = idOf(a[0]); } catch (e) { /* never into the page */ } });
    wrap(proto, "bindTexture", (gl, a) => { try { glOf(gl).texture = idOf(a[1]); } catch (e) { /* never into the page */ } });
    wrap(proto, "bindBuffer", (gl, a) => { try { if (a[0] === 0x8892) glOf(gl).bound = idOf(a[1]); } catch (e) { /* never into the page */ } });
    wrap(proto, "vertexAttribPointer", (gl, a) => {
      try { // the bound vertex buffer's position: a 2-float attribute, the one at the lowest offset
        const st = glOf(gl);
        if (+a[1] !== 2 || a[2] !== 0x1406 || !st.bound || +a[5] % 4 || +a[4] % 4) return;
        const lay = { stride: Math.max(2, (+a[4] || 8) / 4), offset: +a[5] / 4 };
        const old = st.layouts.get(st.bound);
        if ((!old || lay.offset < old.offset) && st.layouts.size < 64) st.layouts.set(st.bound, lay);
      } catch (e) { /* never into the page */ }
    });
    wrap(proto, "bufferData", (gl, a) => { if (a[0] === 0x8892) glUpload(gl, a[1]); });
    wrap(proto, "bufferSubData", (gl, a) => { if (a[0] === 0x8892) glUpload(gl, a[2]); });
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!/^uniform(Matrix)?[1-4]/.test(name)) continue;
      wrap(proto, name, (gl, a) => {
        try {
          const st = glOf(gl);
          let locs = st.uniforms.get(st.program);
          if (!locs) { locs = new Map(); st.uniforms.set(st.program, locs); }
          const raw = name.startsWith("uniformMatrix") ? a[2] : (name.endsWith("v") ? a[1] : Array.prototype.slice.call(a, 1));
          if (raw && (locs.size < 32 || locs.has(idOf(a[0])))) locs.set(idOf(a[0]), Array.from(raw).slice(0, 16));
        } catch (e) { /* never into the page */ }
      });
    }
    wrap(proto, "drawArrays", (gl, a) => glDraw(gl, +a[2], +a[1], false));
    wrap(proto, "drawElements", (gl, a) => glDraw(gl, +a[1], +a[3] / (a[2] === 0x1405 ? 4 : a[2] === 0x1401 ? 1 : 2), true));
    wrap(proto, "drawArraysInstanced", (gl, a) => glDraw(gl, +a[2] * 1000 + +a[3], 0, false, true));
    wrap(proto, "drawElementsInstanced", (gl, a) => glDraw(gl, +a[1] * 1000 + +a[4], 0, true, true));
  }
  // ------------------------------------------------------------------------------------------ DOM
  const mutated = new Set(); // elements that changed since load (oldest dropped past MAX_DOM)
  const note = (el) => {
    if (!el || el.nodeType !== 1) return;
    if (mutated.has(el)) mutated.delete(el);
    mutated.add(el);
    if (mutated.size > MAX_DOM) mutated.delete(mutated.values().next().value);
  };
  const watch = () => {
    try {
      new MutationObserver((records) => {
        for (const r of records) note(r.type === "characterData" ? r.target.parentElement : r.target);
      }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
    } catch (e) { /* no DOM to watch */ }
  };
  if (document.documentElement) watch(); else document.addEventListener("DOMContentLoaded", watch, { once: true });
  const domPath = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 8; node = node.parentElement) {
      if (node.id) { parts.unshift("#" + node.id); break; }
      const parent = node.parentElement;
      const i = parent ? Array.prototype.indexOf.call(parent.children, node) : 0;
      parts.unshift(node.tagName.toLowerCase() + i);
    }
    return parts.join(">");
  };
  // elements the page animates with keyframes (a flickering torch, a spinner, a pulsing title; a shake
  // that says "wrong answer", a bounce) are painted somewhere they do not stand: sampled at an animation's
  // own period a decoration looks still, then "moves" at the next look, and a shaken editor looks moved
  // by the key that shook it. While they (or an ancestor) run one, or another animation that runs for
  // ever, they are given where the layout puts them (a frog that pulses still moves when its pond's
  // layout moves it). A CSS transition is no such animation: it ends where the piece now stands.
  const decorations = () => {
    const out = new Set();
    try {
      for (const a of document.getAnimations()) {
        const target = a.effect && a.effect.target;
        if (!target || a.playState !== "running") continue;
        const keyframed = typeof CSSAnimation !== "undefined" && a instanceof CSSAnimation;
        if (keyframed || a.effect.getTiming().iterations === Infinity) out.add(target);
      }
    } catch (e) { /* no Web Animations: nothing is known to be decoration */ }
    return out;
  };
  const animated = (el) => {
    for (let node = el, depth = 0; node && depth < 12; node = node.parentElement, depth++) if (decorative.has(node)) return true;
    return false;
  };
  let decorative = new Set();
  // where an element stands in the layout, without transforms (an animation's shake or pulse moves only
  // what is painted): the offset chain, in viewport pixels like a client rect
  const layoutBox = (el) => {
    if (typeof el.offsetLeft !== "number") return null; // SVG: no layout box of its own
    let x = 0, y = 0;
    for (let n = el; n; n = n.offsetParent) { x += n.offsetLeft; y += n.offsetTop; }
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) { x -= n.scrollLeft; y -= n.scrollTop; }
    x -= scrollX; y -= scrollY;
    return { left: x, top: y, width: el.offsetWidth, height: el.offsetHeight, right: x + el.offsetWidth, bottom: y + el.offsetHeight };
  };
  // an element keeps the key it was first seen under: a piece moved to another cell (appended there, a
  // frog hopping between the pond's cells) is the same thing moved, not one gone and another new; a new
  // element takes its place's path (a board redrawn with innerHTML is matched square by square)
  const domKeys = new WeakMap();
  let usedKeys = new Set();
  const keyOf = (el) => {
    let key = domKeys.get(el);
    if (!key) { key = domPath(el); domKeys.set(el, key); }
    if (usedKeys.has(key)) key = domPath(el) + "~";
    usedKeys.add(key);
    return key;
  };
  const domThing = (el, out) => {
    const r = decorative.size && animated(el) ? layoutBox(el) : el.getBoundingClientRect();
    if (!r) return;
    if (r.width < 2 || r.height < 2 || r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) return;
    const tag = el.tagName;
    if (tag === "SCRIPT" || tag === "STYLE" || tag === "BODY" || tag === "HTML") return;
    const text = el.children.length <= 3 ? (el.textContent || "").trim().slice(0, 40) : "";
    const sig = String(el.className && el.className.baseVal !== undefined ? el.className.baseVal : el.className) + "|" + text.replace(/\d+/g, "#") +
      "|" + (el.getAttribute("src") || "") + "|" + (el.style ? el.style.cssText.slice(0, 120) : "") + "|" + (el.value || "");
    out.push(["d|" + keyOf(el), [r1(r.left), r1(r.top), r1(r.width), r1(r.height), hash(sig + text)], text]);
  };
  // ------------------------------------------------------------------------------------------ the look
  window.__gameqaScene = () => {
    const things = [];
    let frameAt = 0;
    try {
      for (const st of live) {
        const canvas = st.ref.deref();
        if (!canvas) continue;
        const frame = st.cur.length ? st.cur : (st.last || []);
        if (frame.length && st.at) frameAt = Math.max(frameAt, st.at);
        // things on a canvas on the page are given in viewport CSS pixels, like the DOM and drawn text;
        // an offscreen buffer's (blitted later) in its own pixels, under its own prefix
        let rect = null;
        if (canvas.isConnected && typeof canvas.getBoundingClientRect === "function") rect = canvas.getBoundingClientRect();
        if (rect && rect.width >= 2 && canvas.width > 0 && canvas.height > 0) {
          const sx = rect.width / canvas.width, sy = rect.height / canvas.height;
          const left = rect.left, top = rect.top;
          for (const [k, v] of frame) things.push([k, [r1(left + v[0] * sx), r1(top + v[1] * sy), r1(v[2] * sx), r1(v[3] * sy), v[4]]]);
        } else {
          for (const [k, v] of frame) things.push(["o" + k, v]);
        }
      }
      for (const st of gls) {
        const frame = st.cur.length ? st.cur : (st.last || []);
        if (frame.length && st.at) frameAt = Math.max(frameAt, st.at);
        const canvas = st.ref && st.ref.deref();
        const rect = canvas && canvas.isConnected && canvas.width > 0 && canvas.height > 0 ? canvas.getBoundingClientRect() : null;
        for (const t of frame) {
          if (!t[0].startsWith("q|")) { things.push(t); continue; }
          if (!rect || rect.width < 2) continue; // sprites of a canvas off the page: no place on screen
          const sx = rect.width / canvas.width, sy = rect.height / canvas.height, v = t[1];
          things.push(["cg" + st.id + "|" + t[0].slice(2), [r1(rect.left + v[0] * sx), r1(rect.top + v[1] * sy), r1(v[2] * sx), r1(v[3] * sy), v[4]]]);
        }
      }
      const seen = new Set();
      const dom = [];
      decorative = decorations();
      usedKeys = new Set();
      for (const el of Array.from(mutated).reverse()) { if (el.isConnected && dom.length < MAX_DOM) { seen.add(el); domThing(el, dom); } }
      const all = document.body ? document.body.getElementsByTagName("*") : [];
      for (let i = 0; i < all.length && dom.length < MAX_DOM; i++) {
        const el = all[i];
        if (!seen.has(el) && el.children.length === 0) domThing(el, dom);
      }
      for (const t of dom) things.push(t);
    } catch (e) { /* a partial scene is still a scene */ }
    const active = document.activeElement;
    const typing = !!active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA" || active.isContentEditable);
    // the time of the latest drawn frame (page clock, s): a look that answers late still dates its frame
    const at = (frameAt || performance.now()) / 1000;
    return { things: things.slice(0, 1500), pointerLock: !!document.pointerLockElement, typing, scroll: [scrollX, scrollY], at };
  };
})();
