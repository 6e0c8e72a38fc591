// Monitoring page: the heartbeat form's rules (../shared/spec/heartbeat.md).
'use strict';

// validHeartbeatURL is the same rule as heartbeat.ValidateURL on the server:
// any absolute http(s) URL with a host, private and loopback hosts included.
function validHeartbeatURL(s) {
  if (s === '' || s.trim() !== s || /\s/.test(s)) return false;
  if (!/^https?:\/\//i.test(s)) return false;
  let u;
  try { u = new URL(s); } catch (e) { return false; }
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('monitoringForm');
  const freq = document.getElementById('hbFreq');
  const url = document.getElementById('hbUrl');
  const apply = document.getElementById('apply');
  const now = document.getElementById('hbnow');
  const urlRow = document.getElementById('showHideHbUrl');
  const resultRow = document.getElementById('showHideHeartbeatResult');
  const savedFreq = form.dataset.savedFreq;
  const savedURL = form.dataset.savedUrl;
  const rejected = document.querySelector('main').dataset.rejected === 'true';

  function refresh() {
    const off = freq.value === 'Off';
    urlRow.classList.toggle('hidden', off);
    resultRow.classList.toggle('hidden', off);
    // Other settings on the form: changed when they differ from what the page showed.
    const others = Array.from(form.querySelectorAll('.tracked')).some(el =>
      el.type === 'checkbox' ? el.checked !== el.defaultChecked : el.value !== el.defaultValue);
    // A refused form comes back as typed: none of it is saved yet.
    const changed = freq.value !== savedFreq || url.value !== savedURL || others || rejected;
    // Empty is fine only with the heartbeat off; anything typed must be
    // valid. The saved URL, untouched, is left as it is (the server checks
    // only what changes) unless heartbeats are being switched on.
    const switchingOn = savedFreq === 'Off' && !off;
    let urlOK = url.value === '' ? off : validHeartbeatURL(url.value);
    if (url.value === savedURL && !switchingOn) urlOK = true;
    url.classList.toggle('redborder', !urlOK);
    apply.disabled = !changed || !urlOK;
    // Test what is saved: apply first, then test.
    now.disabled = !urlOK || changed || savedFreq === 'Off' || !validHeartbeatURL(savedURL);
  }
  freq.addEventListener('change', refresh);
  url.addEventListener('input', refresh);
  form.querySelectorAll('.tracked').forEach(el => {
    el.addEventListener('input', refresh);
    el.addEventListener('change', refresh);
  });
  now.addEventListener('click', () => { now.disabled = true; postUrl('/monHbNow'); });
  refresh();
});
