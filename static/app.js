// intvlm8r-go page script: the menu, background tasks followed live by
// Server-Sent Events (polling /backgroundStatus only where EventSource is
// missing), the "do it now" buttons and the submit notices. Loaded for
// logged-in users; without it every page still works by reloading.
'use strict';

const POLL_MS = 2000;

function csrfToken() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.content : '';
}

// updateColouring gives el exactly one of the status colours (none if unknown).
function updateColouring(el, colour) {
  for (const c of ['red', 'orange', 'white', 'green']) {
    el.classList.toggle(c, c === colour);
  }
}

function statusCell() { return document.getElementById('taskStatus'); }

function showStatus(text, colour) {
  const cell = statusCell();
  if (!cell) return;
  cell.textContent = text; // never innerHTML: a status can carry an error's text
  updateColouring(cell.parentElement, colour);
}

// liveNote says, quietly, that the live connection dropped ("" hides it).
function liveNote(text) {
  const n = document.getElementById('liveNote');
  if (!n) return;
  n.textContent = text;
  n.hidden = !text;
}

// showRow puts a newer value into a row the page drew (a result, a Home
// fact): the element with the row's ID, and its row's colour.
function showRow(row) {
  if (!row || !row.ID) return;
  const el = document.getElementById(row.ID);
  if (!el) return;
  el.textContent = row.Value;
  const tr = document.getElementById('row-' + row.ID);
  if (tr) updateColouring(tr, row.Colour || '');
}

// progressText adds the bytes to a copy's or upload's "i of n".
function progressText(v) {
  let t = v.status || '';
  if (v.totalBytes > 0) t += ' (' + mb(v.bytes || 0) + ' of ' + mb(v.totalBytes) + ' MB)';
  return t;
}

function mb(n) { return (n / 1e6).toFixed(1); }

// taskEnded is called with the last task's result when a chain has ended.
// The results stay on screen; only pages whose body a task changes reload
// (their result rows come back from the Pi's record of it).
function taskEnded(v) {
  const p = location.pathname;
  if (v.state === 'SUCCESS' && v.kind === 'thumbnails' && p === '/thumbnails') {
    location.reload();
  }
}

let following = '';

// follow streams task id's progress, then its chain's next tasks, until the
// chain ends. EventSource reconnects by itself after a drop (resuming at the
// task it was on); the page says the connection dropped meanwhile.
function follow(id) {
  if (!id || id === following) return;
  if (!window.EventSource) { pollStatus(id); return; }
  following = id;
  const es = new EventSource('/events/task/' + encodeURIComponent(id));
  es.addEventListener('progress', (e) => {
    liveNote('');
    const v = JSON.parse(e.data);
    showStatus(progressText(v), v.statusColour || '');
  });
  es.addEventListener('result', (e) => {
    liveNote('');
    const v = JSON.parse(e.data);
    showStatus(v.status || '', v.statusColour || '');
    showRow(v.result);
    for (const [fid, text] of Object.entries(v.fields || {})) {
      const el = document.getElementById(fid);
      if (el) el.textContent = text;
    }
    if (!v.next) taskEnded(v);
  });
  es.addEventListener('end', () => { es.close(); following = ''; });
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      following = '';
      liveNote('Live updates stopped (logged out?): reload the page.');
    } else {
      liveNote('Connection to the Pi lost; reconnecting…');
    }
  };
}

// pollStatus follows a task by polling, for browsers without EventSource.
async function pollStatus(id) {
  if (!id) return;
  let resp;
  try {
    resp = await fetch('/backgroundStatus/' + encodeURIComponent(id), {headers: {'Accept': 'application/json'}});
  } catch (e) {
    showStatus('The Pi did not respond while checking the background task.', 'orange');
    return;
  }
  if (resp.status === 401) {
    showStatus('Your session has ended: log in again to follow the background task.', 'orange');
    return;
  }
  if (!resp.ok) {
    showStatus('The Pi returned an error (' + resp.status + ') while checking the background task.', 'orange');
    return;
  }
  let v;
  try { v = await resp.json(); } catch (e) {
    showStatus('The Pi sent an unreadable task status.', 'orange');
    return;
  }
  showStatus(progressText(v), v.statusColour || '');
  if (v.state === 'PENDING' || v.state === 'PROGRESS') {
    setTimeout(() => pollStatus(id), POLL_MS);
    return;
  }
  if (v.next) {
    setTimeout(() => pollStatus(v.next), 200);
    return;
  }
  taskEnded(v);
}

// postUrl starts a background task and follows it.
async function postUrl(url) {
  let resp;
  try {
    resp = await fetch(url, {method: 'POST', headers: {'X-CSRF-Token': csrfToken(), 'Accept': 'application/json'}});
  } catch (e) {
    showStatus('The Pi did not respond.', 'orange');
    return;
  }
  if (resp.status === 202) {
    const loc = resp.headers.get('Location') || '';
    const id = decodeURIComponent(loc.split('/').pop());
    showStatus('Task queued', 'white');
    follow(id);
    return;
  }
  let msg = 'The Pi refused: ' + resp.status;
  try { const j = await resp.json(); if (j.message) msg = j.message; } catch (e) { /* keep the status code */ }
  showStatus(msg, resp.status >= 500 ? 'red' : 'orange');
}

// userFeedback tells the user what the pressed submit button is doing.
function userFeedback(ev) {
  const b = ev.submitter;
  const notices = {
    preview: 'Preview photo requested…', Reboot: 'Reboot requested…', hbnow: 'Starting the heartbeat…',
    wake: 'Trying to wake the camera…', tfrClear: 'Clearing the log…',
  };
  showStatus((b && notices[b.value]) || 'Applying the changed settings…', 'white');
}

function setupMenu() {
  const menu = document.getElementById('menu');
  const open = document.getElementById('menuOpen');
  const close = document.getElementById('menuClose');
  if (!menu || !open || !close) return;
  open.addEventListener('click', () => { menu.classList.add('open'); open.setAttribute('aria-expanded', 'true'); });
  close.addEventListener('click', () => { menu.classList.remove('open'); open.setAttribute('aria-expanded', 'false'); });
}

document.addEventListener('DOMContentLoaded', () => {
  setupMenu();
  for (const f of document.querySelectorAll('form[method="post"]')) {
    if (f.id !== 'loginForm') f.addEventListener('submit', userFeedback);
  }
  const cell = statusCell();
  if (cell && cell.dataset.task) follow(cell.dataset.task);
});
