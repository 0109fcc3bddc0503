// Lists what a player could interact with in this frame, in this frame's viewport coordinates.
// Runs inside the game's frames: it must be cheap, read-only and never throw.
(maxItems) => {
  const out = [];
  const seen = new Set();
  const vw = window.innerWidth, vh = window.innerHeight;
  const cssPath = (el) => {
    if (el.id && document.querySelectorAll("#" + CSS.escape(el.id)).length === 1) return "#" + CSS.escape(el.id);
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && node !== document.documentElement; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id && document.querySelectorAll("#" + CSS.escape(node.id)).length === 1) {
        parts.unshift("#" + CSS.escape(node.id));
        break;
      }
      const parent = node.parentElement;
      if (parent) {
        const same = Array.from(parent.children).filter((c) => c.tagName === node.tagName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const visibleBox = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return null;
    if (r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh) return null;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none" || parseFloat(style.opacity) < 0.05) return null;
    return r;
  };
  const covered = (el, r) => {
    const x = Math.min(Math.max(r.left + r.width / 2, 0), vw - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), vh - 1);
    const hit = document.elementFromPoint(x, y);
    return !(hit && (hit === el || el.contains(hit) || hit.contains(el)));
  };
  const textOf = (el) => (el.innerText || el.value || el.getAttribute("aria-label") || el.title || el.alt || "")
    .replace(/\s+/g, " ").trim().slice(0, 80);
  // a word inside running text (a glossary term, a footnote, "click here"): clicking it reads or walks
  // menus; it is never the game's own control
  const inProse = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;  // a button (inline-block) is a control
    let block = el;
    while (block && block !== document.body && getComputedStyle(block).display === "inline") block = block.parentElement;
    if (!block || block === el) return false;
    const own = textOf(el).length;
    const around = (block.innerText || "").replace(/\s+/g, " ").trim();
    return own > 0 && around.length >= own + 40 && around.split(" ").length >= 8;
  };
  const add = (el, kind) => {
    if (seen.has(el) || out.length >= maxItems) return;
    const r = visibleBox(el);
    if (!r) return;
    seen.add(el);
    const href = el.tagName === "A" ? el.href : "";
    out.push({
      kind, tag: el.tagName.toLowerCase(), text: textOf(el), selector: cssPath(el),
      x: r.left, y: r.top, width: r.width, height: r.height,
      href, offOrigin: !!href && !href.startsWith("javascript:") && new URL(href, location.href).origin !== location.origin,
      disabled: !!el.disabled || el.getAttribute("aria-disabled") === "true",
      covered: covered(el, r),
      inProse: inProse(el),
    });
  };
  const interactive = "button, a[href], [role=button], input[type=button], input[type=submit], [onclick], summary, input:not([type=hidden]), textarea, select";
  for (const el of document.querySelectorAll(interactive)) {
    const tag = el.tagName;
    // text fields take typing; checkboxes, radios, sliders and pickers are settings ("toggle"), not ways in
    const toggle = tag === "SELECT" || (tag === "INPUT" && /^(checkbox|radio|range|color|file|date|time|number)$/.test(el.type));
    add(el, tag === "A" ? "link" : toggle ? "toggle" : (tag === "INPUT" && !/button|submit|reset|image/.test(el.type)) || tag === "TEXTAREA" ? "input" : "button");
  }
  for (const el of document.querySelectorAll("canvas")) {
    const r = el.getBoundingClientRect();
    if (r.width * r.height >= 10000) add(el, "canvas");
  }
  // elements styled as clickable (div buttons, cards, grid cells)
  const all = document.body ? document.body.getElementsByTagName("*") : [];
  for (let i = 0; i < all.length && out.length < maxItems; i++) {
    const el = all[i];
    if (seen.has(el) || el.children.length > 6) continue;
    if (getComputedStyle(el).cursor === "pointer" && (!el.parentElement || getComputedStyle(el.parentElement).cursor !== "pointer")) add(el, "button");
  }
  // text prompts: "click to start", "press enter", "game over"...
  const promptRe = /(click|tap|touch|press|hit)\b.{0,24}\b(start|play|begin|continue|enter|space|key)|game\s*over|try again|play again|you (win|lose|died)|paused/i;
  const walker = document.body ? document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT) : null;
  while (walker && walker.nextNode() && out.length < maxItems) {
    const text = walker.currentNode.nodeValue;
    if (!text || !promptRe.test(text)) continue;
    const el = walker.currentNode.parentElement;
    if (el && !seen.has(el)) add(el, "prompt");
  }
  // boards: like elements (a table's cells, or one element's children) laid out in rows and columns. Games
  // often listen with addEventListener and style no pointer, so cells are found by their layout, not by
  // their look: a tester sees a grid and clicks into it.
  const cells = [];
  const boards = [];
  const consider = (els) => {
    if (els.length < 9 || boards.length >= 3) return;
    const boxes = [];
    for (const el of els.slice(0, 400)) { const r = visibleBox(el); if (r && r.width >= 8 && r.height >= 8) boxes.push([el, r]); }
    if (boxes.length < 9) return;
    const mid = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const mw = mid(boxes.map((b) => b[1].width)), mh = mid(boxes.map((b) => b[1].height));
    const like = boxes.filter(([, r]) => Math.abs(r.width - mw) <= 0.25 * mw && Math.abs(r.height - mh) <= 0.25 * mh);
    if (like.length < 0.8 * boxes.length || mw > vw / 2 || mh > vh / 2) return;
    const tops = [...new Set(like.map(([, r]) => Math.round(r.top / (mh / 2))))].sort((a, b) => a - b);
    const lefts = [...new Set(like.map(([, r]) => Math.round(r.left / (mw / 2))))].sort((a, b) => a - b);
    if (tops.length < 2 || lefts.length < 2) return;
    boards.push(like);
    for (const [el, r] of like) {
      if (cells.length >= 160) break;
      const text = textOf(el);
      // a piece is an image, a drawing, text, or a picture in the cell's background or in a child's (a
      // sprite div inside a square)
      const pictured = (e) => (getComputedStyle(e).backgroundImage || "none") !== "none";
      const filled = !!(el.querySelector("img, svg, canvas") || text || pictured(el) ||
                        Array.from(el.querySelectorAll("*")).slice(0, 4).some(pictured));
      // its look (class, colours): an untouched square looks like the others still untouched (a hidden
      // minesweeper cell), one a move opened or took does not
      const cs = getComputedStyle(el);
      const look = String(typeof el.className === "string" ? el.className : "").slice(0, 60) + "|" + cs.backgroundColor + "|" + cs.color;
      cells.push({ board: boards.length - 1, row: tops.indexOf(Math.round(r.top / (mh / 2))), col: lefts.indexOf(Math.round(r.left / (mw / 2))),
                   text, filled, look, selector: cssPath(el), x: r.left, y: r.top, width: r.width, height: r.height });
    }
  };
  try {
    for (const table of document.querySelectorAll("table")) consider(Array.from(table.querySelectorAll("td")));
    for (let i = 0; i < all.length && boards.length < 3; i++) {
      const el = all[i];
      if (el.children.length >= 9 && el.tagName !== "TBODY" && el.tagName !== "TABLE" && el.tagName !== "TR") consider(Array.from(el.children));
    }
  } catch (e) {}
  let screenText = "";
  // lines kept: "New Game" and "High Scores" on a menu are two pieces of text, not one sentence
  try { screenText = (document.body ? document.body.innerText : "").replace(/[^\S\n]+/g, " ").replace(/\s*\n\s*/g, "\n").trim().slice(0, 1500); } catch (e) {}
  let state = null;
  try { if (typeof window.render_game_to_text === "function") state = String(window.render_game_to_text()).slice(0, 4000); } catch (e) {}
  let drawn = [];
  try { if (typeof window.__gameqaText === "function") drawn = window.__gameqaText(80); } catch (e) {}
  let scene = null;
  try { if (typeof window.__gameqaScene === "function") scene = window.__gameqaScene(); } catch (e) {}
  // code the page shows as examples (<code>): a coding puzzle's instructions name what to type
  const codes = [];
  try {
    for (const el of document.querySelectorAll("code")) {
      const t = (el.textContent || "").trim();
      if (t && t.length <= 80 && codes.length < 24 && !codes.includes(t) && visibleBox(el)) codes.push(t);
    }
  } catch (e) {}
  return { items: out, cells, codes, screenText, state, drawn, scene, hasAdvanceTime: typeof window.advanceTime === "function", origin: location.origin };
}
