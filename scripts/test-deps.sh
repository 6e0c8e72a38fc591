#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when any is missing.
set -euo pipefail

# command-or-file  package
need=(
  "redis-server redis-server"
  "chromium chromium"
  "systemd-analyze systemd"
  "shellcheck shellcheck"
  "exiftool libimage-exiftool-perl"
  "rsync rsync"
  "sshd openssh-server"
  "/usr/sbin/sshd openssh-server"
  "ssh openssh-client"
  "pkg-config pkg-config"
  "/usr/include/gphoto2/gphoto2.h libgphoto2-dev"
  "/usr/include/jpeglib.h libjpeg62-turbo-dev"
  "jpegtran libjpeg-turbo-progs"
  "/usr/lib/python3/dist-packages/PIL python3-pil"
  "/usr/lib/python3/dist-packages/pyftpdlib python3-pyftpdlib"
  "/usr/lib/python3/dist-packages/OpenSSL python3-openssl"
  "/usr/sbin/vsftpd vsftpd"
  "openssl openssl"
  "unshare util-linux"
  "prometheus-pushgateway prometheus-pushgateway"
  "promtool prometheus"
  "npm npm"
)

missing=()
for pair in "${need[@]}"; do
  read -r probe pkg <<<"$pair"
  if ! command -v "$probe" >/dev/null 2>&1 && [ ! -e "$probe" ]; then
    case " ${missing[*]} " in *" $pkg "*) continue ;; esac
    missing+=("$pkg")
  fi
done

install_missing() {
echo "test-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "test-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The tests start their own vsftpd on a free loopback port; the package's
# service on port 21, which apt may just have started, is not theirs to keep.
case " ${missing[*]} " in
  *" vsftpd "*) $sudo systemctl disable --now vsftpd >/dev/null 2>&1 || true ;;
  *" prometheus-pushgateway "*) $sudo systemctl disable --now prometheus-pushgateway >/dev/null 2>&1 || true ;;
esac
}
if [ ${#missing[@]} -gt 0 ]; then
  install_missing
fi

# axe-core (the page-quality test's accessibility rules) from npm, unpacked
# into a cache outside the repository; the test reads axe.min.js from there.
axe_dir="${XDG_CACHE_HOME:-$HOME/.cache}/intvlm8r/axe-core"
if [ ! -s "$axe_dir/axe.min.js" ]; then
  echo "test-deps: fetching axe-core@4 from npm into $axe_dir"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent axe-core@4 >/dev/null)
  tar -xzf "$tmp"/axe-core-*.tgz -C "$tmp" package/axe.min.js package/LICENSE
  mkdir -p "$axe_dir"
  cp "$tmp/package/LICENSE" "$axe_dir/LICENSE"
  cp "$tmp/package/axe.min.js" "$axe_dir/axe.min.js.new"
  mv "$axe_dir/axe.min.js.new" "$axe_dir/axe.min.js"
fi
