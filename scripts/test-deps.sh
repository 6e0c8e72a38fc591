#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when any is missing.
set -euo pipefail

# command-or-file  package
need=(
  "redis-server redis-server"
  "chromium chromium"
  "systemd-analyze systemd"
)

missing=()
for pair in "${need[@]}"; do
  read -r probe pkg <<<"$pair"
  if ! command -v "$probe" >/dev/null 2>&1 && [ ! -e "$probe" ]; then
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
