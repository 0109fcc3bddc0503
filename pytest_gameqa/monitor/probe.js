// Injected into every frame before the game's own scripts. It counts the game's animation frames,
// watches WebGL contexts and the JS heap, and pushes a small stats record twice a second through
// the `__gameqa_emit` binding, so the harness never has to poll a page whose thread may be hung.
(() => {
  if (window.__gameqa) return;
  const emit = (event) => {
    try {
      if (typeof window.__gameqa_emit === "function") window.__gameqa_emit(event);
    } catch (e) { /* the harness may be gone */ }
  };
  const state = { frames: 0, lastTs: -1, longFrames: 0, longestMs: 0, webgl: 0 };
  const nativeRaf = window.requestAnimationFrame && window.requestAnimationFrame.bind(window);
  if (nativeRaf) {
    window.requestAnimationFrame = function requestAnimationFrame(callback) {
      return nativeRaf(function (ts) {
        if (ts !== state.lastTs) { state.lastTs = ts; state.frames++; }
        return callback(ts);
      });
    };
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
        }
      }).observe({ type, buffered: false });
      break;
    } catch (e) { /* not supported: try the next */ }
  }
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const memory = performance.memory;
    emit({
      type: "stats",
      top: window === window.top,
      url: location.href,
      dt: (now - last) / 1000,
      frames: state.frames,
      long: state.longFrames,
      longest: state.longestMs,
      heap: memory ? memory.usedJSHeapSize : null,
      webgl: state.webgl,
    });
    state.frames = 0;
    state.longFrames = 0;
    state.longestMs = 0;
    last = now;
  }, 500);
  window.__gameqa = { state };
})();
