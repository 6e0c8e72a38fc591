#!/usr/bin/env bash
# build-deps.sh (make build) on a machine without the C toolchain, as a user
# who cannot install it: it must not fail, but choose the nogphoto2 build and
# say why. (As root it installs them with apt: what make test and CI do.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
# A PATH with only what the script needs besides the missing tools.
mkdir "$tmp/path"
for c in id cat; do ln -s "$(command -v "$c")" "$tmp/path/$c"; done
cp "$here/build-deps.sh" "$tmp/build-deps.sh"
chmod 755 "$tmp" "$tmp/path" "$tmp/build-deps.sh"
run=(env -i PATH="$tmp/path" /bin/bash "$tmp/build-deps.sh")
if [ "$(id -u)" -eq 0 ]; then run=(setpriv --reuid=65534 --regid=65534 --clear-groups "${run[@]}"); fi
out=$("${run[@]}" 2>"$tmp/err") || { echo "FAIL  build-deps.sh exited $?"; cat "$tmp/err"; exit 1; }
[ "$out" = nogphoto2 ] || { echo "FAIL  build-deps.sh chose tags '$out', want nogphoto2"; exit 1; }
if ! grep -q 'gcc pkg-config' "$tmp/err" || ! grep -q 'sudo apt-get install' "$tmp/err"; then
  echo "FAIL  build-deps.sh did not say what is missing:"; cat "$tmp/err"; exit 1
fi
echo "test-build-deps: without gcc and pkg-config, and no way to install them, make build falls back to nogphoto2 and says so"
