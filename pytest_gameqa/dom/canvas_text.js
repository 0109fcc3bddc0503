// Injected into every frame before the game's scripts: remembers the text a game draws on 2D canvases
// (fillText/strokeText), where, and on which "frame" of that canvas, so the player can read a prompt
// such as "PRESS N TO START" or click a word drawn as a button without looking at pixels.
// A canvas "frame" ends when the game clears or covers the whole canvas: text drawn before that is gone
// from the screen, so a blinking prompt is seen only while it is shown, and a title drawn once stays.
// Observes only: never throws into the page, never changes what is drawn.
(() => {
  if (window.__gameqaText) return;
  const MAX = 400;
  const entries = new Map(); // key -> {text, canvas, size, width, t, x0, y0, x1, y1}
  const canvases = new WeakMap(); // canvas -> {task, area, taskStart, repaintStart}
  const now = () => performance.now();
  // A "task" is one synchronous run of drawing (a frame callback, a timer, an event handler): it ends at
  // the next microtask checkpoint. A task that paints (nearly) the whole canvas is a repaint: text drawn
  // before the latest repaint is gone from the screen, so a blinking prompt is seen only while shown and a
  // title drawn once stays. Games that repaint in pieces (two half-screen blits) still add up to a repaint.
  let task = 0, inTask = false;
  const taskOf = () => {
    if (!inTask) {
      inTask = true;
      task++;
      queueMicrotask(() => { inTask = false; });
    }
    return task;
  };
  const stateOf = (canvas) => {
    let st = canvases.get(canvas);
    if (!st) { st = { task: -1, area: 0, taskStart: 0, repaintStart: -1 }; canvases.set(canvas, st); }
    const current = taskOf();
    if (st.task !== current) { st.task = current; st.area = 0; st.taskStart = now(); }
    return st;
  };
  const painted = (ctx, x, y, w, h) => {
    try {
      const canvas = ctx.canvas;
      if (!canvas || !(w > 0) || !(h > 0)) return;
      const m = ctx.getTransform();
      if (m.b !== 0 || m.c !== 0) return;
      const left = Math.max(0, m.a * x + m.e), top = Math.max(0, m.d * y + m.f);
      const right = Math.min(canvas.width, m.a * (x + w) + m.e), bottom = Math.min(canvas.height, m.d * (y + h) + m.f);
      if (right <= left || bottom <= top) return;
      const st = stateOf(canvas);
      st.area += (right - left) * (bottom - top);
      if (st.area >= 0.95 * canvas.width * canvas.height) st.repaintStart = st.taskStart;
    } catch (e) { /* never into the page */ }
  };
  const sizeOf = (font) => {
    const match = /(\d+(?:\.\d+)?)px/.exec(font || "");
    return match ? parseFloat(match[1]) : 10;
  };
  const note = (ctx, args) => {
    try {
      const raw = args[0];
      if (typeof raw !== "string" && typeof raw !== "number") return;
      const text = String(raw).replace(/\s+/g, " ").trim();
      if (!text || text.length > 160) return;
      const canvas = ctx.canvas;
      if (!canvas || typeof canvas.getBoundingClientRect !== "function") return;
      const x = +args[1] || 0, y = +args[2] || 0;
      const size = sizeOf(ctx.font);
      let width = args[3] !== undefined ? +args[3] : NaN;
      const key = text + "|" + Math.round(x) + "," + Math.round(y);
      const old = entries.get(key);
      if (!(width > 0)) width = old && old.text === text && old.size === size ? old.width : ctx.measureText(text).width;
      const align = ctx.textAlign, base = ctx.textBaseline;
      let left = x;
      if (align === "center") left = x - width / 2;
      else if (align === "right" || align === "end") left = x - width;
      let top = y - size * 0.8;
      if (base === "top" || base === "hanging") top = y;
      else if (base === "middle") top = y - size / 2;
      else if (base === "bottom" || base === "ideographic") top = y - size;
      const m = ctx.getTransform();
      const corners = [[left, top], [left + width, top], [left, top + size], [left + width, top + size]]
        .map(([px, py]) => [m.a * px + m.c * py + m.e, m.b * px + m.d * py + m.f]);
      const xs = corners.map((c) => c[0]), ys = corners.map((c) => c[1]);
      if (entries.size >= MAX && !old) {
        let oldestKey = null, oldest = Infinity;
        for (const [k, v] of entries) if (v.t < oldest) { oldest = v.t; oldestKey = k; }
        if (oldestKey !== null) entries.delete(oldestKey);
      }
      stateOf(canvas);
      entries.set(key, {
        text, canvas, size, width, t: now(),
        x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys),
      });
    } catch (e) { /* never into the page */ }
  };
  const wrap = (proto, name, before) => {
    const native = proto && proto[name];
    if (typeof native !== "function") return;
    const wrapped = {
      [name](...args) {
        before(this, args);
        return native.apply(this, args);
      },
    }[name];
    try { proto[name] = wrapped; } catch (e) { /* read-only: text stays unread */ }
  };
  for (const proto of [window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype,
                       window.OffscreenCanvasRenderingContext2D && OffscreenCanvasRenderingContext2D.prototype]) {
    if (!proto) continue;
    wrap(proto, "fillText", note);
    wrap(proto, "strokeText", note);
    wrap(proto, "clearRect", (ctx, a) => painted(ctx, +a[0], +a[1], +a[2], +a[3]));
    wrap(proto, "fillRect", (ctx, a) => painted(ctx, +a[0], +a[1], +a[2], +a[3]));
    wrap(proto, "drawImage", (ctx, a) => {
      const img = a[0] || {};
      if (a.length === 3) painted(ctx, +a[1], +a[2], img.naturalWidth || img.videoWidth || img.width, img.naturalHeight || img.videoHeight || img.height);
      else if (a.length === 5) painted(ctx, +a[1], +a[2], +a[3], +a[4]);
      else if (a.length === 9) painted(ctx, +a[5], +a[6], +a[7], +a[8]);
    });
  }
  // Text on screen now, in this frame's viewport CSS pixels: what was drawn since its canvas's latest repaint.
  window.__gameqaText = (max) => {
    const out = [];
    const rects = new Map();
    for (const entry of entries.values()) {
      const canvas = entry.canvas;
      const st = canvases.get(canvas);
      if (st && entry.t < st.repaintStart - 8) continue;
      if (!canvas.isConnected) continue;
      let rect = rects.get(canvas);
      if (rect === undefined) {
        const r = canvas.getBoundingClientRect();
        const style = getComputedStyle(canvas);
        rect = r.width < 2 || r.height < 2 || style.visibility === "hidden" || style.display === "none" ? null : r;
        rects.set(canvas, rect);
      }
      if (!rect) continue;
      const sx = rect.width / (canvas.width || rect.width), sy = rect.height / (canvas.height || rect.height);
      const x = rect.left + entry.x0 * sx, y = rect.top + entry.y0 * sy;
      const width = (entry.x1 - entry.x0) * sx, height = (entry.y1 - entry.y0) * sy;
      if (x + width <= 0 || y + height <= 0 || x >= innerWidth || y >= innerHeight) continue;
      out.push({ text: entry.text, x, y, width, height, t: entry.t });
      if (out.length >= (max || 80)) break;
    }
    out.sort((a, b) => a.y - b.y || a.x - b.x);
    return out;
  };
})();
