// Injected first into every frame, before the game's own scripts: a per-second budget on what the page
// sends out through its console and its uncaught errors. Every console call crosses DevTools, the
// Playwright driver and the pytest process as JSON with its arguments; a game printing 200 messages of
// 2 KB a frame sends ~24 MB a second, which costs the run memory and wall time whatever the harness
// keeps. Past the budget a call is dropped here, before the browser reports it, and only counted.
//
// The console methods become getters that hand out the page's own (bound) function while the second's
// budget lasts and a no-op after it. No wrapper function runs between the game's call and the browser's
// console, so the message's location stays the game's own line (a wrapper frame would replace it with
// ours). That is also why a message's length is not cut here: cutting needs a wrapper. The budget bounds
// the bytes to budget x message size, and the harness cuts each kept message when it arrives.
(() => {
  if (window.__gameqa_budget) return;
  // messages a second, per frame: console.error; every other console method together; uncaught errors
  // and unhandled rejections (a stack each). 100 a second is more than anyone reads, and enough to
  // show a repeating error's rate; the counts in the report are lower bounds past it.
  const LIMITS = { error: 100, other: 100, pageerror: 50 };
  const budget = {
    limits: LIMITS,
    used: { error: 0, other: 0, pageerror: 0 },
    // dropped since the probe last reported (it resets them), and in all
    dropped: { console: 0, pageerror: 0 },
    total: { console: 0, pageerror: 0 },
    windowStart: -1e9,
  };
  const now = () => (window.performance && performance.now ? performance.now() : Date.now());
  const spend = (pool) => {
    const t = now();
    if (t - budget.windowStart >= 1000) {
      budget.windowStart = t;
      budget.used.error = 0;
      budget.used.other = 0;
      budget.used.pageerror = 0;
    }
    if (budget.used[pool] >= LIMITS[pool]) return false;
    budget.used[pool]++;
    return true;
  };
  const drop = (what) => {
    budget.dropped[what]++;
    budget.total[what]++;
  };
  const noop = function () {};
  const con = window.console;
  if (con) {
    const methods = ["error", "warn", "log", "info", "debug", "trace", "dir", "dirxml", "table", "assert",
                     "count", "timeLog", "group", "groupCollapsed"];
    for (const name of methods) {
      const native = con[name];
      if (typeof native !== "function") continue;
      let current = native.bind(con);  // what the page's own `console.x = fn` replaced it with, if it did
      const pool = name === "error" ? "error" : "other";
      try {
        Object.defineProperty(con, name, {
          configurable: true,
          enumerable: true,
          get() {
            if (spend(pool)) return current;
            drop("console");
            return noop;
          },
          set(value) { current = value; },
        });
      } catch (e) { /* a frozen console: no budget, the harness's own flood gate still holds */ }
    }
  }
  // Uncaught errors: cancelling the error event keeps the browser from reporting it (no
  // Runtime.exceptionThrown, so no page error crosses). The page's own handlers still run.
  window.addEventListener("error", (event) => {
    if (!(event instanceof ErrorEvent) || event.target !== window) return;  // a failed <img>: not ours
    if (!spend("pageerror")) {
      drop("pageerror");
      event.preventDefault();
    }
  }, true);
  window.addEventListener("unhandledrejection", (event) => {
    if (!spend("pageerror")) {
      drop("pageerror");
      event.preventDefault();
    }
  }, true);
  Object.defineProperty(window, "__gameqa_budget", { value: budget, enumerable: false });
})();
