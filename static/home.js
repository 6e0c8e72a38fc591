// Home refreshes its clock, shots and the box's state while it is open,
// from the Pi's event stream, and follows any background task that starts.
// Without it (or without EventSource) a reload shows the same.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  if (!window.EventSource) return;
  const es = new EventSource('/events/home');
  es.addEventListener('home', (e) => {
    liveNote('');
    const h = JSON.parse(e.data);
    for (const row of (h.System || []).concat(h.Box || [])) showRow(row);
    const stale = document.getElementById('arduinoStale');
    const staleRow = document.getElementById('arduinoStaleRow');
    if (stale && staleRow) {
      stale.textContent = h.Stale || '';
      staleRow.classList.toggle('hidden', !h.Stale);
    }
  });
  es.addEventListener('task', (e) => follow(JSON.parse(e.data).id));
  es.onerror = () => {
    liveNote(es.readyState === EventSource.CLOSED
      ? 'Live updates stopped (logged out?): reload the page.'
      : 'Connection to the Pi lost; reconnecting…');
  };
});
