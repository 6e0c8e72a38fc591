// Camera page: change tracking, the Preview/Apply interlock, the USB switch.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('cameraForm');
  const usb = document.getElementById('enableCameraUsb');
  const toggled = document.getElementById('cameraUsbToggled');
  const warning = document.getElementById('usbWarning');
  const preview = document.getElementById('camPreview');
  const apply = document.getElementById('camApply');
  const selects = Array.from(document.querySelectorAll('select.camsetting'));
  const tables = Array.from(document.querySelectorAll('.cameraTables'));
  const usbAtLoad = usb.checked;
  const connected = form.dataset.connected === 'true';
  const previewBlocked = form.dataset.previewBlocked === 'true';
  const loaded = new Map(selects.map((s) => [s, s.value]));
  const USB_BIT = 64;

  // A control's bit is set while its value differs from the value at load.
  function changes() {
    let mask = 0;
    for (const s of selects) if (s.value !== loaded.get(s)) mask |= Number(s.dataset.bit);
    if (usb.checked !== usbAtLoad) mask |= USB_BIT;
    return mask;
  }

  function whiteBalance() {
    const wb = document.getElementById('wb');
    const rowEl = document.getElementById('wbRow');
    if (!wb || !rowEl) return;
    rowEl.classList.toggle('red', wb.value === 'Auto');
    rowEl.classList.toggle('grey', wb.value === 'n/a');
  }

  function refresh() {
    const mask = changes();
    const usbChanged = (mask & USB_BIT) !== 0;
    toggled.value = usbChanged ? 'true' : 'false';
    warning.classList.toggle('hidden', usb.checked);
    for (const t of tables) t.classList.toggle('hidden', usbChanged || !usbAtLoad);
    if (!connected && mask !== USB_BIT) {
      preview.disabled = true;
      apply.disabled = true;
    } else if (mask === 0) {
      apply.disabled = true;
      preview.disabled = previewBlocked;
    } else {
      preview.disabled = true;
      apply.disabled = false;
    }
    whiteBalance();
  }

  usb.addEventListener('change', refresh);
  for (const s of selects) s.addEventListener('change', refresh);
  refresh();
});
