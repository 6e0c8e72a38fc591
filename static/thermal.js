// Thermal page: a units radio keeps the choice in the thermalUnits cookie
// (a year) and reloads the page through the form, which redraws the charts
// in the new unit on the server.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('thermalForm');
  if (!form) return;
  for (const r of form.querySelectorAll('input[name="thermalUnits"]')) {
    r.addEventListener('change', () => {
      document.cookie = 'thermalUnits=' + encodeURIComponent(r.value) + '; path=/; max-age=' + (365 * 24 * 3600) + '; samesite=lax';
      if (typeof showStatus === 'function') showStatus('Changing the units…', 'white');
      form.submit();
    });
  }
});

// The charts: scale labels that would touch the one below are thinned out,
// and a tap, a click or the arrow keys pick an hour, whose reading is shown
// under the chart (a touch screen never shows a hover tooltip).
function thinScale(svg) {
  const labels = Array.from(svg.querySelectorAll('text.scale:not(.limit)'));
  labels.forEach(t => t.classList.remove('thinned'));
  // Freezing keeps its label; the others, from the bottom up, give way.
  const kept = labels.filter(t => t.classList.contains('freezing')).map(t => t.getBBox());
  const rest = labels.filter(t => !t.classList.contains('freezing'));
  rest.sort((a, b) => b.getBBox().y - a.getBBox().y);
  for (const t of rest) {
    const b = t.getBBox();
    if (kept.some(k => b.y < k.y + k.height + 1 && k.y < b.y + b.height + 1)) {
      t.classList.add('thinned');
      continue;
    }
    kept.push(b);
  }
}

function chartPicker(svg) {
  const grid = svg.querySelector('line');
  if (!grid) return;
  const left = parseFloat(grid.getAttribute('x1'));
  const right = parseFloat(grid.getAttribute('x2'));
  const colW = (right - left) / 24;
  const readings = new Array(24).fill('');
  for (const bar of svg.querySelectorAll('rect.bar')) {
    const x = parseFloat(bar.getAttribute('x'));
    const hour = Math.floor((x - left) / colW);
    const title = bar.querySelector('title');
    if (hour >= 0 && hour < 24 && title) readings[hour] = title.textContent;
  }
  const vb = svg.viewBox.baseVal;
  // The picked hour's column, behind the bars (a path: the bars are the rects).
  const mark = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  mark.setAttribute('class', 'hour-col hidden');
  svg.insertBefore(mark, svg.firstChild);
  const detail = document.createElement('p');
  detail.className = 'chartdetail';
  detail.id = svg.id + 'Detail';
  detail.setAttribute('aria-live', 'polite');
  detail.textContent = 'Tap the chart, or focus it and use the arrow keys, for an hour\u2019s reading.';
  svg.after(detail);
  svg.setAttribute('tabindex', '0');
  svg.setAttribute('aria-describedby', detail.id);
  let picked = -1;
  const pick = hour => {
    picked = Math.max(0, Math.min(23, hour));
    mark.setAttribute('d', 'M' + (left + picked * colW) + ' ' + vb.y + 'h' + colW + 'v' + vb.height + 'h' + (-colW) + 'z');
    mark.classList.remove('hidden');
    mark.classList.add('picked');
    detail.textContent = readings[picked] || (String(picked).padStart(2, '0') + ':00 no reading');
  };
  svg.addEventListener('click', ev => {
    const pt = svg.createSVGPoint();
    pt.x = ev.clientX;
    pt.y = ev.clientY;
    const p = pt.matrixTransform(svg.getScreenCTM().inverse());
    if (p.x >= left && p.x < right) pick(Math.floor((p.x - left) / colW));
  });
  svg.addEventListener('keydown', ev => {
    if (ev.key === 'ArrowRight') pick(picked + 1);
    else if (ev.key === 'ArrowLeft') pick(picked < 0 ? 23 : picked - 1);
    else if (ev.key === 'Home') pick(0);
    else if (ev.key === 'End') pick(23);
    else return;
    ev.preventDefault();
  });
  svg.addEventListener('focus', () => { if (picked < 0) pick(new Date().getHours()); });
}

document.addEventListener('DOMContentLoaded', () => {
  const charts = document.querySelectorAll('svg.chart');
  for (const svg of charts) {
    // Limit labels (VHi, VLo) are drawn over the bars, not under them.
    for (const t of svg.querySelectorAll('text.limit')) svg.appendChild(t);
    thinScale(svg);
    chartPicker(svg);
  }
  window.addEventListener('resize', () => charts.forEach(thinScale));
});
