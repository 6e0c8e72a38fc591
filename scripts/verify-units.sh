#!/usr/bin/env bash
# Checks every systemd unit in scripts/systemd with systemd-analyze verify,
# pointing ExecStart at the freshly built binaries.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin="${INTVLM8R_BIN:-$here/bin}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for unit in "$here"/scripts/systemd/*.service "$here"/scripts/systemd/*.timer; do
  sed "s#/usr/local/bin/#$bin/#g" "$unit" >"$tmp/$(basename "$unit")"
done
# The units name the services they follow; verify needs them to exist.
for dep in redis-server.service nginx.service; do
  printf '[Unit]\nDescription=stand-in for %s\n[Service]\nExecStart=/bin/true\n' "$dep" >"$tmp/$dep"
done
cd "$tmp"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./*.service ./*.timer 2>&1 || true)
# Lines about the host's own units are not ours to fix.
ours=$(printf '%s\n' "$out" | grep -E "$tmp|intvlm8r|heartbeat" || true)
if [ -n "$ours" ]; then
  printf '%s\n' "$ours" >&2
  echo "verify-units: FAIL" >&2
  exit 1
fi
echo "verify-units: $(find "$tmp" -maxdepth 1 -type f | wc -l) units OK"
