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
)

missing=()
for pair in "${need[@]}"; do
  read -r probe pkg <<<"$pair"
  if ! command -v "$probe" >/dev/null 2>&1 && [ ! -e "$probe" ]; then
    case " ${missing[*]} " in *" $pkg "*) continue ;; esac
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

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
