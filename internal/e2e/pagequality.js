// The page-quality checks of TestBrowserPageQuality, run in the page. It
// returns {height, problems: [{rule, what}]}; the Go side reports them.
//
// Rules (minTarget is 44 at phone width, 24 — WCAG 2.2's 2.5.8 — at desktop):
//  overflow  the page scrolls sideways.
//  target    a visible a/button/input/select/textarea/summary, or a label of a
//            checkbox or radio, is smaller than minTarget × minTarget and not
//            excused by WCAG 2.2's exceptions: spacing (a circle of diameter
//            minTarget centred on it meets no other target nor another small
//            target's circle; a control and its labels are one target) or
//            inline (a link inside a sentence of its parent's text).
//  text      visible text computed smaller than 12 CSS px (SVG text scaled by
//            the chart's viewBox).
//  overlap   the line boxes of two different visible text nodes intersect.
//  row       (desktop) a table row's cells, or a cell's label and value
//            (.alignleft / .alignright), are not side by side on one line.
// scope is the part of the page checked: the open menu covers the rest.
(function (minTarget, desktop, scope) {
  const root = document.querySelector(scope);
  const problems = [];
  const add = (rule, what) => problems.push({ rule, what });
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const text = (el.innerText || el.textContent || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ");
    if (text) s += ' "' + text.slice(0, 40) + '"';
    return s;
  };
  const fmt = (r) => `${Math.round(r.width)}×${Math.round(r.height)} at (${Math.round(r.left)},${Math.round(r.top)})`;

  // visible: rendered, not hidden, and not clipped away by an ancestor
  // (the closed menu is a 0-px-high box with overflow hidden).
  function visible(el) {
    if (!el.getClientRects().length) return false;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || cs.opacity === "0") return false;
    let r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflow !== "visible" || s.position === "fixed") {
        const c = a.getBoundingClientRect();
        if (s.overflow !== "visible" && (r.right <= c.left || r.left >= c.right || r.bottom <= c.top || r.top >= c.bottom)) return false;
      }
    }
    return true;
  }

  // overflow
  const sw = document.scrollingElement.scrollWidth;
  if (sw > innerWidth) add("overflow", `scrollWidth ${sw} > innerWidth ${innerWidth}`);

  // targets: group a control with its labels.
  const groups = new Map();
  const sel = "a[href], button, input:not([type=hidden]), select, textarea, summary, label[for]";
  for (const el of root.querySelectorAll(sel)) {
    let key = el;
    if (el.tagName === "LABEL") {
      const c = document.getElementById(el.htmlFor);
      if (!c || !(c.type === "checkbox" || c.type === "radio")) continue;
      key = c;
    } else if (el.tagName === "INPUT" && (el.type === "checkbox" || el.type === "radio") && el.closest("label")) {
      key = el; // wrapped in its label: the label's box is its target
      if (!visible(el)) continue;
      const lab = el.closest("label");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push({ el: lab, r: lab.getBoundingClientRect() });
      continue;
    }
    if (!visible(el)) continue;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ el, r: el.getBoundingClientRect() });
  }
  const all = [];
  for (const [key, members] of groups) for (const m of members) all.push({ key, ...m });
  const big = (r) => r.width >= minTarget - 0.5 && r.height >= minTarget - 0.5;
  const inline = (el) => el.tagName === "A" && Array.from(el.parentElement.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim().length > 1);
  const circleMeetsRect = (cx, cy, rad, r) => {
    const dx = Math.max(r.left - cx, 0, cx - r.right), dy = Math.max(r.top - cy, 0, cy - r.bottom);
    return dx * dx + dy * dy < rad * rad - 0.5;
  };
  for (const t of all) {
    if (big(t.r) || inline(t.el)) continue;
    // A small member of a group that holds a big member (a checkbox with its
    // 44-px label) still needs spacing: a tap beside it must not hit another.
    const cx = t.r.left + t.r.width / 2, cy = t.r.top + t.r.height / 2, rad = minTarget / 2;
    let hit = null;
    for (const o of all) {
      if (o.key === t.key) continue;
      if (big(o.r) || inline(o.el)) {
        if (circleMeetsRect(cx, cy, rad, o.r)) { hit = o; break; }
      } else {
        const ox = o.r.left + o.r.width / 2, oy = o.r.top + o.r.height / 2;
        if (Math.hypot(cx - ox, cy - oy) < 2 * rad - 0.5) { hit = o; break; }
      }
    }
    if (hit) add("target", `${name(t.el)} is ${fmt(t.r)}, closer than ${minTarget / 2}px to ${name(hit.el)}`);
  }

  // text nodes and their line boxes
  const texts = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const p = n.parentElement;
    if (!p || p.closest("script, style, option, select, title, noscript, textarea")) continue;
    if (!visible(p)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const rects = Array.from(range.getClientRects()).filter((r) => r.width >= 1 && r.height >= 1);
    if (!rects.length) continue;
    let size = parseFloat(getComputedStyle(p).fontSize);
    const svg = p.closest("svg");
    if (svg && svg.getScreenCTM()) size *= svg.getScreenCTM().a;
    texts.push({ n, p, rects, size });
  }
  for (const t of texts) {
    if (t.size < 11.95) add("text", `${name(t.p)}: ${t.size.toFixed(1)}px "${t.n.textContent.trim().slice(0, 30)}"`);
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      let found = false;
      for (const ra of a.rects) {
        for (const rb of b.rects) {
          const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (w > 1 && h > 1) {
            add("overlap", `"${a.n.textContent.trim().slice(0, 30)}" ${fmt(ra)} and "${b.n.textContent.trim().slice(0, 30)}" ${fmt(rb)}`);
            found = true;
            break;
          }
        }
        if (found) break;
      }
    }
  }

  // rows on one line (desktop)
  if (desktop) {
    const lines = (el) => {
      const tops = new Set();
      for (const t of texts) if (el.contains(t.n)) for (const r of t.rects) tops.add(Math.round(r.top / 4));
      return tops.size;
    };
    const side = (a, b) => {
      const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
      return Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top) > Math.min(ra.height, rb.height) / 2;
    };
    for (const tr of root.querySelectorAll("tr")) {
      if (!visible(tr)) continue;
      const cells = Array.from(tr.children).filter((c) => c.tagName === "TD" && visible(c));
      if (cells.length >= 2) {
        for (let i = 1; i < cells.length; i++) if (!side(cells[0], cells[i])) add("row", `cells of ${name(tr)} not side by side`);
        for (const c of cells) if (lines(c) > 1) add("row", `${name(c)} takes ${lines(c)} lines`);
      }
      for (const c of cells) {
        const l = c.querySelector(":scope > .alignleft"), r = c.querySelector(":scope > .alignright");
        if (l && r && visible(l) && visible(r)) {
          if (!side(l, r)) add("row", `label and value of ${name(c)} not on one line`);
        }
      }
    }
  }

  return { height: document.scrollingElement.scrollHeight, problems };
})
