#!/usr/bin/env bash
# make dist: release archives for the Raspberry Pi.
#
#   dist/intvlm8r-<version>-linux-arm64.tar.gz   Pi 3/4/5/Zero 2 W, 64-bit Raspberry Pi OS
#   dist/intvlm8r-<version>-linux-armv6.tar.gz   Pi Zero W / Pi 1 (and any Pi), 32-bit Raspberry Pi OS
#
# arm64: every binary is built with cgo by Debian's aarch64 cross compiler
# against a Debian bookworm arm64 sysroot (libc6-dev, libgphoto2-dev,
# libjpeg62-turbo-dev),
# unpacked by mmdebstrap without touching the host's dpkg. Raspberry Pi OS
# 64-bit is Debian arm64, so the binaries load its own libgphoto2.so.6
# and libjpeg.so.62.
#
# armv6: Debian has no ARMv6 hard-float port. Its armhf libraries, crt files
# and dynamic loader are ARMv7 Thumb-2 code: a cgo binary linked against them
# dies with SIGILL on a Pi Zero (qemu-arm -cpu arm1176 shows it; see
# scripts/README.md). Raspbian's ARMv6 libraries are not available here. So
# the armv6 archive carries pure-Go binaries (GOARM=6, CGO_ENABLED=0, build
# tag nogphoto2: everything but the real camera works at once) and the source
# with its modules vendored; install.sh builds the camera-capable binaries on
# the device against Raspberry Pi OS's own libgphoto2 (install.sh --build).
#
# Environment: DIST_DIR (default ./dist), INTVLM8R_CACHE (sysroots; default
# /var/cache/intvlm8r-test), VERSION, DIST_TARGETS (default "arm64 armv6").
# Needs: go, git, gcc-aarch64-linux-gnu, mmdebstrap (apt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${DIST_DIR:-$root/dist}
cache=${INTVLM8R_CACHE:-/var/cache/intvlm8r-test}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
targets=${DIST_TARGETS:-arm64 armv6}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ldflags="-s -w -X github.com/intvlm8r/intvlm8r-go/internal/buildinfo.Version=$version"
mapfile -t cmds < <(find cmd -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "dist: $1 is missing (apt-get install $2)" >&2
    exit 1
  fi
}

# sysroot ARCH: a Debian bookworm root for ARCH holding libc6-dev,
# libgphoto2-dev and libjpeg62-turbo-dev, unpacked once and kept in the
# cache (and again when a cached one lacks a library added since).
sysroot() {
  local arch=$1 dir="$cache/sysroot/$1"
  if [ ! -e "$dir/usr/include/gphoto2/gphoto2.h" ] || [ ! -e "$dir/usr/include/jpeglib.h" ]; then
    need mmdebstrap mmdebstrap
    mkdir -p "$cache/sysroot"
    rm -rf "$dir.tmp" "$dir"
    echo "dist: unpacking a bookworm $arch sysroot into $dir" >&2
    mmdebstrap --quiet --variant=extract --architectures="$arch" \
      --include=libc6-dev,libgphoto2-dev,libjpeg62-turbo-dev bookworm "$dir.tmp" "$mirror" >&2
    mv "$dir.tmp" "$dir"
  fi
  printf '%s\n' "$dir"
}

# stage NAME: the archive's folder, with the installer and its files.
stage() {
  local dir="$out/stage/intvlm8r-$version-linux-$1"
  rm -rf "$dir"
  mkdir -p "$dir/bin" "$dir/systemd" "$dir/share"
  cp scripts/install.sh "$dir/install.sh"
  cp -r scripts/systemd/. "$dir/systemd/"
  cp -r scripts/install/. "$dir/share/"
  cp -r scripts/prometheus "$dir/share/prometheus" # alert rules for fleets (README)
  cp README.md LICENSE "$dir/" 2>/dev/null || true
  printf '%s\n' "$dir"
}

build() { # dir goarch goarm cgo tags cc
  local dir=$1 goarch=$2 goarm=$3 cgo=$4 tags=$5 cc=$6
  for c in "${cmds[@]}"; do
    echo "dist: $(basename "$dir"): intvlm8r-$c" >&2
    GOOS=linux GOARCH=$goarch GOARM=$goarm CGO_ENABLED=$cgo CC=$cc \
      go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$dir/bin/intvlm8r-$c" "./cmd/$c"
  done
}

pack() { # dir
  local dir=$1 name
  name=$(basename "$dir")
  tar -C "$(dirname "$dir")" --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
  echo "dist: $out/$name.tar.gz $(du -h "$out/$name.tar.gz" | cut -f1)"
}

need go golang
need git git
# Only this version's archives: the smoke test checks every one in $out.
rm -f "$out"/intvlm8r-*.tar.gz
mkdir -p "$out"
for t in $targets; do
  case $t in
  arm64)
    need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
    sr=$(sysroot arm64)
    dir=$(stage arm64)
    export PKG_CONFIG_SYSROOT_DIR=$sr
    export PKG_CONFIG_LIBDIR=$sr/usr/lib/aarch64-linux-gnu/pkgconfig:$sr/usr/share/pkgconfig
    cc="aarch64-linux-gnu-gcc --sysroot=$sr"
    gpver=$(pkg-config --modversion libgphoto2)
    build "$dir" arm64 "" 1 "" "$cc"
    # The probe proves this toolchain links and runs against libgphoto2
    # (dist-smoke.sh runs it); it is not installed.
    mkdir -p "$dir/test"
    GOOS=linux GOARCH=arm64 CGO_ENABLED=1 CC=$cc go build -trimpath -tags gphoto2probe \
      -o "$dir/test/gphoto2probe" ./scripts/gphoto2probe
    unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
    cat >"$dir/BUILDINFO" <<EOF
version=$version
target=linux/arm64
cgo=yes
gphoto2=yes
built_against=Debian bookworm arm64 libgphoto2 $gpver
EOF
    pack "$dir"
    ;;
  armv6)
    dir=$(stage armv6)
    build "$dir" arm 6 0 nogphoto2 ""
    # The source, its modules vendored, for the on-device build.
    mkdir -p "$dir/src"
    git ls-files -z --cached --others --exclude-standard | grep -zv '^dist/' |
      tar --null -T - -cf - | tar -C "$dir/src" -xf -
    (cd "$dir/src" && go mod vendor)
    cat >"$dir/BUILDINFO" <<EOF
version=$version
target=linux/arm GOARM=6
cgo=no
gphoto2=no
go=$(sed -n 's/^go //p' go.mod)
note=pure-Go binaries; install.sh --build makes the camera-capable ones on the device from src/
EOF
    pack "$dir"
    ;;
  *)
    echo "dist: unknown target $t (have arm64, armv6)" >&2
    exit 2
    ;;
  esac
done
