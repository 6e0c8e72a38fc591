// intvlm8r-go page script: the menu, background-task status polling, the
// "do it now" buttons and the submit notices. Loaded for logged-in users.
'use strict';

const POLL_MS = 2000;

function csrfToken() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.content : '';
}

// updateColouring gives el exactly one of the status colours (none if unknown).
function updateColouring(el, colour) {
  for (const c of ['red', 'orange', 'white']) {
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

// pollStatus follows a task until it ends, then follows the chain's next task.
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
  showStatus(v.status || '', v.statusColour || '');
  if (v.state === 'PENDING' || v.state === 'PROGRESS') {
    setTimeout(() => pollStatus(id), POLL_MS);
    return;
  }
  if (v.next) {
    setTimeout(() => pollStatus(v.next), 200);
    return;
  }
  const s = (v.status || '').toLowerCase();
  if (v.state === 'SUCCESS' && (s.includes('heartbeat') || s.includes('thumbnail images ok'))) {
    location.reload();
  }
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
    pollStatus(id);
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
  if (cell && cell.dataset.task) pollStatus(cell.dataset.task);
});
