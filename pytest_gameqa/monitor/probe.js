// Injected into every frame before the game's own scripts. It counts the game's animation frames,
// timer callbacks and canvas draw calls, measures main-thread stalls, watches WebGL contexts and the
// JS heap, and pushes a small stats record twice a second through the `__gameqa_emit` binding, so the
// harness never has to poll a page whose thread may be hung.
(() => {
  if (window.__gameqa) return;
  const emit = (event) => {
    try {
      if (typeof window.__gameqa_emit === "function") window.__gameqa_emit(event);
    } catch (e) { /* the harness may be gone */ }
  };
  const state = { frames: 0, lastTs: -1, inFrame: -1, requestedIn: -2, loopFrames: 0, activeMs: 0,
                  fcp: null, longFrames: 0, longestMs: 0, webgl: 0, timers: 0, draws: 0, stalls: [] };
  // The probe's own timer must not count as the game's: keep the native functions before wrapping.
  const nativeSetInterval = window.setInterval;
  // The game's own scheduled callbacks (setTimeout/setInterval; rAF is counted below): a loop driven
  // by timers stops as visibly as an rAF loop, and a static screen schedules nothing at a loop's rate.
  for (const name of ["setTimeout", "setInterval"]) {
    const native = window[name];
    if (typeof native !== "function") continue;
    window[name] = function (handler, ...rest) {
      // the harness's own waits (a page.evaluate runs inside Playwright's UtilityScript) are not the game's
      if (typeof handler === "function" && !/UtilityScript/.test(new Error().stack || "")) {
        const callback = handler;
        handler = function () { state.timers++; return callback.apply(this, arguments); };
      }
      return native.call(window, handler, ...rest);
    };
    try { Object.defineProperty(window[name], "name", { value: name }); } catch (e) { /* cosmetic */ }
  }
  // Draw calls tell "the loop redraws the same static screen" from "the loop stopped": a counter each.
  const countDraws = (proto, names) => {
    if (!proto) return;
    for (const name of names) {
      const native = proto[name];
      if (typeof native !== "function") continue;
      proto[name] = function () { state.draws++; return native.apply(this, arguments); };
    }
  };
  countDraws(window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype,
             ["fillRect", "strokeRect", "clearRect", "fill", "stroke", "drawImage", "fillText", "strokeText",
              "putImageData"]);
  countDraws(window.OffscreenCanvasRenderingContext2D && OffscreenCanvasRenderingContext2D.prototype,
             ["fillRect", "strokeRect", "clearRect", "fill", "stroke", "drawImage", "fillText", "strokeText",
              "putImageData"]);
  for (const gl of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    countDraws(gl && gl.prototype, ["drawArrays", "drawElements", "drawArraysInstanced", "drawElementsInstanced",
                                    "drawRangeElements", "clear"]);
  }
  const nativeRaf = window.requestAnimationFrame && window.requestAnimationFrame.bind(window);
  if (nativeRaf) {
    // Frame rate counts only the time a game spends in its animation loop (a frame requested from
    // inside a frame): a turn-based game that draws once per click has no frame rate, not 2 fps,
    // while a main thread blocked with a frame pending counts in full, as the player sees it.
    window.requestAnimationFrame = function requestAnimationFrame(callback) {
      if (state.inFrame >= 0) state.requestedIn = state.inFrame;
      return nativeRaf(function (ts) {
        if (ts !== state.lastTs) {
          if (state.lastTs >= 0 && state.requestedIn === state.lastTs) {
            state.loopFrames++;
            state.activeMs += ts - state.lastTs;
          }
          state.lastTs = ts;
          state.frames++;
        }
        state.inFrame = ts;
        try { return callback(ts); } finally { state.inFrame = -1; }
      });
    };
  }
  if (window === window.top) {
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (entry.name === "first-contentful-paint") state.fcp = entry.startTime;
        }
      }).observe({ type: "paint", buffered: true });
    } catch (e) { /* no paint timing: first_frame_s stays unknown */ }
  }
  const watch = (canvas, type) => {
    if (!/webgl/i.test(String(type)) || canvas.__gameqaWatched) return;
    canvas.__gameqaWatched = true;
    state.webgl++;
    canvas.addEventListener("webglcontextlost", () => {
      emit({ type: "webgl-context-lost", url: location.href, id: canvas.id || "" });
    });
  };
  for (const proto of [window.HTMLCanvasElement && HTMLCanvasElement.prototype,
                       window.OffscreenCanvas && OffscreenCanvas.prototype]) {
    if (!proto || !proto.getContext) continue;
    const native = proto.getContext;
    proto.getContext = function getContext(type, ...rest) {
      const ctx = native.call(this, type, ...rest);
      if (ctx && this.addEventListener) watch(this, type);
      return ctx;
    };
  }
  for (const type of ["long-animation-frame", "longtask"]) {
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          state.longFrames++;
          state.longestMs = Math.max(state.longestMs, entry.duration);
          // a stall that ended: when it began (page clock) and how long the main thread was busy
          if (entry.duration >= 1000 && state.stalls.length < 20) {
            state.stalls.push({ start: entry.startTime, duration: entry.duration });
          }
        }
      }).observe({ type, buffered: false });
      state.stallTiming = type;
      break;
    } catch (e) { /* not supported: try the next */ }
  }
  let last = performance.now();
  const budget = window.__gameqa_budget || null;
  nativeSetInterval.call(window, () => {
    const now = performance.now();
    const memory = performance.memory;
    const nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    emit({
      type: "stats",
      top: window === window.top,
      url: location.href,
      dt: (now - last) / 1000,
      frames: state.frames,
      loop: state.loopFrames,
      active: state.activeMs / 1000,
      long: state.longFrames,
      longest: state.longestMs,
      heap: memory ? memory.usedJSHeapSize : null,
      webgl: state.webgl,
      timers: state.timers,
      draws: state.draws,
      // seconds before this record each stall began, so the harness needs no clock mapping
      stallTiming: state.stallTiming || null,
      stalls: state.stalls.map((s) => ({ ago: (now - s.start) / 1000, duration: s.duration / 1000 })),
      // messages the page's budget (budget.js) dropped since the last record, before they crossed
      budget: budget ? { console: budget.dropped.console, pageerror: budget.dropped.pageerror,
                         limits: budget.limits } : null,
      // page-clock marks (ms since this document's navigation began); `now` places them on the harness clock
      now,
      origin: performance.timeOrigin,
      fcp: state.fcp,
      loadEnd: nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : null,
    });
    state.frames = 0;
    state.loopFrames = 0;
    state.activeMs = 0;
    state.longFrames = 0;
    state.longestMs = 0;
    state.timers = 0;
    state.draws = 0;
    state.stalls = [];
    if (budget) budget.dropped.console = budget.dropped.pageerror = 0;
    last = now;
  }, 500);
  // the harness waits for frames with the native function, so its own waits never count as the game's frames
  window.__gameqa = { state, raf: nativeRaf };
})();
