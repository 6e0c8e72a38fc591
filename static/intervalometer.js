// Intervalometer page: Apply only when something changed and the choice is
// valid, the interval's colour and warning, and the shots/days figures.
'use strict';

// shotsPerDay follows the firmware's rule: codes above 60 are seconds.
function shotsPerDay(start, end, code) {
  if (isNaN(start) || isNaN(end) || isNaN(code) || code <= 0) return NaN;
  const perHour = code > 60 ? 3600 / (code - 60) : 60 / code;
  let hours = end - start;
  if (hours < 0) hours += 24; // the window runs through midnight
  return hours * perHour;
}

// daysFloor is the server's rounding (Python's round(v - 0.5), halves to
// even), so the figures do not change when the script takes over.
function daysFloor(v) {
  const x = v - 0.5;
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

// daysLeft is a whole number of days, or a text saying why there is none.
function daysLeft(shots, perDay) {
  if (!/^\d+$/.test(shots)) return {text: shots || 'Unknown'};
  if (isNaN(perDay)) return {text: 'Unknown'};
  if (perDay === 0) return {text: 'n/a'};
  const n = daysFloor(Number(shots) / perDay);
  return {text: n === 0 ? '< 1' : String(n), days: n};
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('intervalometerForm');
  if (!form) return;
  const days = Array.from(form.querySelectorAll('input[name="shootDays"]'));
  const start = document.getElementById('startHour');
  const end = document.getElementById('endHour');
  const interval = document.getElementById('interval');
  const apply = document.getElementById('apply');
  const warning = document.getElementById('shootFastWarning');
  const warn = Number(form.dataset.warn), alarm = Number(form.dataset.alarm);
  // What the page loaded with: a control counts as changed while it differs.
  const loaded = {
    days: days.map((d) => d.checked),
    start: start.value, end: end.value, interval: interval.value,
  };

  function colourRow(row, r) {
    row.classList.remove('red', 'orange');
    if (r.days === undefined) return;
    if (r.days < alarm) row.classList.add('red');
    else if (r.days < warn) row.classList.add('orange');
  }

  function figures() {
    const perDay = shotsPerDay(parseInt(start.value, 10), parseInt(end.value, 10), parseInt(interval.value, 10));
    document.getElementById('shotsperday').textContent = isNaN(perDay) ? 'Unknown' : String(perDay);
    const cam = daysLeft(form.dataset.cameraShots, perDay);
    const pi = daysLeft(form.dataset.piShots, perDay);
    document.getElementById('daysincamera').textContent = cam.text;
    document.getElementById('daysinpi').textContent = pi.text;
    colourRow(document.getElementById('cameraDaysRow'), cam);
    colourRow(document.getElementById('piDaysRow'), pi);
  }

  function refresh() {
    // A refused form comes back as typed: none of it is saved yet.
    const changed = document.querySelector('main').dataset.rejected === 'true' ||
      days.some((d, i) => d.checked !== loaded.days[i]) ||
      start.value !== loaded.start || end.value !== loaded.end || interval.value !== loaded.interval;
    const anyDay = days.some((d) => d.checked);
    const sameHours = start.value !== '' && start.value === end.value;
    start.classList.toggle('redborder', sameHours);
    end.classList.toggle('redborder', sameHours);
    const complete = start.value !== '' && end.value !== '' && interval.value !== '';
    apply.disabled = !changed || !anyDay || sameHours || !complete;
    const fast = parseInt(interval.value, 10) > 60;
    interval.classList.toggle('orange', fast);
    interval.classList.toggle('white', !fast);
    warning.classList.toggle('hidden', !fast);
    figures();
  }

  for (const d of days) d.addEventListener('change', refresh);
  for (const s of [start, end, interval]) s.addEventListener('change', refresh);
  refresh();
});
