// Transfer page: show/hide by copy day, method and the Pi's wake hour; change
// tracking and the Apply / Copy now / Transfer now interlocks; the rename
// example. The server checks everything again.
'use strict';

const COPY_BITS = 65536 | 131072 | 262144 | 524288 | 1048576;
const UPLOAD_BITS = 65535; // bits 1 … 32768

// renameExample fills the pattern's tokens the way the copy does, from the
// browser's clock at page load, for the sample IMG_001.JPG.
function renameExample(pattern, when) {
  if (pattern === '') return 'IMG_001.JPG';
  const two = (n) => String(n).padStart(2, '0');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const tokens = {
    F: 'IMG_001', Y: String(when.getFullYear()), m: two(when.getMonth() + 1), b: months[when.getMonth()],
    d: two(when.getDate()), a: days[when.getDay()], H: two(when.getHours()), M: two(when.getMinutes()), S: two(when.getSeconds()),
  };
  let out = pattern;
  for (const k of ['F', 'Y', 'm', 'b', 'd', 'a', 'H', 'M', 'S']) out = out.split('%' + k).join(tokens[k]);
  return out + '.JPG';
}

function dayPhrase(day) { return day === 'Daily' ? 'every day' : 'every ' + day; }

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('transferForm');
  if (!form) return; // camera USB off: no form
  const $ = (id) => document.getElementById(id);
  const wake = form.dataset.wake;
  const alwaysOn = wake === '25';
  // A form the server refused comes back as typed: nothing of it is saved yet.
  const rejected = form.dataset.rejected === 'true';
  const loadedAt = new Date();
  const tracked = Array.from(form.querySelectorAll('[data-bit]'));
  const initial = new Map(tracked.map((el) => [el, el.type === 'checkbox' ? el.checked : el.value]));
  const show = (el, on) => { if (el) el.classList.toggle('hidden', !on); };

  function changes() {
    let mask = 0;
    for (const el of tracked) {
      const now = el.type === 'checkbox' ? el.checked : el.value;
      // A password field counts as changed once anything is typed in it.
      const changed = el.type === 'password' ? el.value !== '' : now !== initial.get(el);
      if (changed) mask |= Number(el.dataset.bit);
    }
    return mask;
  }

  // blankMandatory marks every blank mandatory field red and says whether
  // the selected method (or the rename pattern) has one.
  function blankMandatory(method) {
    let blank = false;
    for (const el of form.querySelectorAll('[data-mandatory]')) {
      const empty = el.value.trim() === '';
      el.classList.toggle('redborder', empty);
      if (empty && el.dataset.mandatory === method.toLowerCase()) blank = true;
    }
    const rs = $('renameString');
    const renameBlank = $('renameOnCopy').checked && rs.value.trim() === '';
    rs.classList.toggle('redborder', renameBlank);
    return blank || renameBlank;
  }

  function refresh() {
    const copyOff = $('copyDay').value === 'Off';
    const method = $('tfrMethod').value;
    const tday = $('transferDay').value;
    for (const m of ['ftp', 'sftp', 'dropbox', 'rsync']) {
      show($(m), !copyOff && method.toLowerCase() === m);
    }
    show($('sshkey'), !copyOff && (method === 'SFTP' || method === 'rsync'));
    show($('showHideFtpInsecure'), $('ftpTls').checked);
    show($('transfer'), !copyOff && method !== 'Off');
    show($('tfrTrNow'), !copyOff && method !== 'Off');
    show($('showHideCopyHour'), !copyOff && alwaysOn);
    show($('showHideCopyHrMsg'), !copyOff && !alwaysOn);
    show($('showHideTrnHour'), !copyOff && alwaysOn && tday !== 'afterCopy');
    show($('showHideTrnHrMsg'), !copyOff && (!alwaysOn || tday === 'afterCopy'));
    show($('showHideTrnMethod'), !copyOff);
    show($('showHideTrnWarning'), copyOff);
    show($('showHideRenameOnCopyCbx'), !copyOff);
    show($('showHideCopyOnBootup'), !copyOff);
    show($('showHideRename'), !copyOff && $('renameOnCopy').checked);

    const cday = $('copyDay').value;
    $('copyHourMsg').textContent = 'A copy runs ' + dayPhrase(cday) + ' at ' + wake + ':00, when the Pi starts.';
    $('transferHourMsg').textContent = tday === 'afterCopy' ? 'An upload follows every copy.'
      : tday === '' ? 'Choose a transfer day.'
        : 'An upload runs ' + dayPhrase(tday) + ' at ' + wake + ':00, when the Pi starts.';

    const mask = changes();
    const blank = blankMandatory(method);
    $('apply').disabled = (mask === 0 && !rejected) || blank;
    const rename = $('renameOnCopy').checked && $('renameString').value.trim() === '';
    $('copyNow').disabled = (mask & COPY_BITS) !== 0 || rejected || copyOff || rename;
    // Upload what is saved: apply first, then transfer.
    $('tfrTrNow').disabled = (mask & (UPLOAD_BITS | COPY_BITS)) !== 0 || rejected;
    const start = $('dbxStart');
    if (start && !start.title) start.disabled = (mask & 512) !== 0;
  }

  function renameInput() {
    const rs = $('renameString');
    const clean = rs.value.replace(/[ ,]/g, '');
    if (clean !== rs.value) rs.value = clean;
    $('exampleString').textContent = renameExample(clean, loadedAt);
  }

  for (const el of tracked) {
    el.addEventListener(el.tagName === 'SELECT' || el.type === 'checkbox' ? 'change' : 'input', refresh);
  }
  // Remote folders: backslashes become slashes, runs of slashes one, as saved.
  for (const el of form.querySelectorAll('input.folder')) {
    el.addEventListener('change', () => { el.value = el.value.replace(/\\/g, '/').replace(/\/{2,}/g, '/'); refresh(); });
  }
  $('renameString').addEventListener('input', () => { renameInput(); refresh(); });
  $('copyNow').addEventListener('click', () => { $('copyNow').disabled = true; postUrl('/trnCopyNow'); });
  $('tfrTrNow').addEventListener('click', () => { $('tfrTrNow').disabled = true; postUrl('/trnTrNow'); });
  renameInput();
  refresh();
});
