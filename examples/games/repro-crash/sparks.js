// The spark simulation of Firework Fiesta, in a worker so the page stays smooth.
// REPRO: the n-th burst has 12 / n sparks: 12, 6, 4, 3, then 2.4. The loop below runs
// `while (burst.length !== count)`, which a fractional count never meets, and every spark keeps a
// trail of 1M positions (a plain array of doubles, 8 MB, on the worker's JS heap). So the 5th burst
// fills the heap in a few seconds until V8 runs out of memory, which takes the whole renderer process
// down ("Aw, Snap!"). The page's main thread keeps answering until then: a crash, not a freeze.
const TRAIL = 1 << 20;
onmessage = (event) => {
  const shot = event.data.shot;
  const count = 12 / shot;
  const burst = [];
  while (burst.length !== count) {
    const angle = burst.length * 0.7;
    burst.push({ angle, trail: new Array(TRAIL).fill(angle) });
  }
  postMessage({ shot, angles: burst.map(s => s.angle) });
};
