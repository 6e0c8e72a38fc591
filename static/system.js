// System page: each form's button is enabled only while its form differs
// from what the page loaded; the browser's clock (plus the chosen offset)
// is what the Set date & time button sends.
'use strict';

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n) { return String(n).padStart(2, '0'); }

// shown is "2019 Mar 08 13:06:03"; wall is "20190308130603". Both read the
// Date's UTC fields, so an offset can be added without the browser's zone.
function shown(d) {
  return d.getUTCFullYear() + ' ' + SHORT_MONTHS[d.getUTCMonth()] + ' ' + two(d.getUTCDate()) + ' ' +
    two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ':' + two(d.getUTCSeconds());
}
function wall(d) {
  return d.getUTCFullYear() + two(d.getUTCMonth() + 1) + two(d.getUTCDate()) +
    two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds());
}

// loadedValue is a control's value as the page loaded it.
function loadedSelect(sel) {
  for (const o of sel.options) if (o.defaultSelected) return o.value;
  return '';
}

document.addEventListener('DOMContentLoaded', () => {
  const byId = (id) => document.getElementById(id);

  const name = byId('newName');
  name.addEventListener('input', () => { byId('submitLocation').disabled = name.value === name.dataset.loaded; });

  const thumbs = byId('thumbsCount');
  const thumbsLoaded = loadedSelect(thumbs);
  thumbs.addEventListener('change', () => { byId('submitThumbsCount').disabled = thumbs.value === thumbsLoaded; });

  const hour = byId('wakePiTime'), mins = byId('wakePiDuration');
  const hourLoaded = loadedSelect(hour), minsLoaded = loadedSelect(mins);
  function wakeChanged() {
    const always = hour.value === '25';
    byId('piMinutes').classList.toggle('hidden', always);
    const sd = byId('piShutdown');
    if (sd && hour.value !== hourLoaded) sd.classList.add('hidden');
    const changed = hour.value !== hourLoaded || mins.value !== minsLoaded;
    // A chosen hour needs a duration unless the Pi is always on.
    byId('submitWakePi').disabled = !changed || hour.value === '' || (!always && mins.value === '');
  }
  hour.addEventListener('change', wakeChanged);
  mins.addEventListener('change', wakeChanged);

  const boxes = ['setArduinoTime', 'setPiTime', 'setCameraTime'].map(byId);
  const setButton = byId('setDateTimeButton');
  const camBox = byId('setCameraTime');
  function boxesChanged() {
    byId('altCameraTime').classList.toggle('hidden', !camBox.checked);
    setButton.disabled = !boxes.some((b) => b.checked && !b.disabled);
  }
  for (const b of boxes) b.addEventListener('change', boxesChanged);

  const offset = byId('tzOffsetValue');
  function tick() {
    const now = new Date();
    // The PC's own wall clock, shown in its zone.
    const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
    byId('now').textContent = shown(local);
    // The offset is from the PC's local time, as the original's.
    const adjusted = new Date(local.getTime() + Number(offset.value) * 3600000);
    byId('adjustedTime').textContent = shown(adjusted);
    setButton.value = wall(adjusted);
  }
  offset.addEventListener('change', tick);
  tick();
  setInterval(tick, 1000);

  const reboot = byId('rebootString');
  reboot.addEventListener('input', () => { byId('submitReboot').disabled = reboot.value !== reboot.dataset.word; });
});
