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
