#!/usr/bin/env bash
# make build: what the camera-capable build needs (cgo: gcc, pkg-config,
# libgphoto2-dev, libjpeg62-turbo-dev). Missing ones are installed with apt
# when we are root (or have sudo without a password); otherwise the build
# falls back to pure Go binaries without libgphoto2 and libjpeg (tag
# nogphoto2: the simulated camera and every page work, a real camera does
# not), and says so. Prints the build tags on standard output, messages on
# standard error. TAGS=... (make build TAGS=nogphoto2) skips all this.
set -euo pipefail

need=(
  "gcc gcc"
  "pkg-config pkg-config"
  "/usr/include/gphoto2/gphoto2.h libgphoto2-dev"
  "/usr/include/jpeglib.h libjpeg62-turbo-dev"
)
missing=()
for pair in "${need[@]}"; do
  read -r probe pkg <<<"$pair"
  command -v "$probe" >/dev/null 2>&1 || [ -e "$probe" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
fi
if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
  echo "build-deps: installing ${missing[*]} (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086 # $sudo is empty or "sudo -n"
  if { $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; } >&2; then
    exit 0
  fi
  echo "build-deps: apt could not install ${missing[*]}" >&2
fi
cat >&2 <<MSG
build-deps: ${missing[*]} missing, and I cannot install them (not root, no sudo).
build-deps: building pure Go binaries without libgphoto2 (tag nogphoto2): the simulated
build-deps: camera and every page work; a real camera needs: sudo apt-get install ${missing[*]}
MSG
echo nogphoto2
