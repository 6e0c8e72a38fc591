#!/usr/bin/env bash
# Smoke test of the release archives `make dist` made, under qemu-user:
# every binary answers --version and -h; the web server, with the simulated
# Arduino and camera and a real redis-server on loopback, serves the login
# page; the worker registers with Redis and the doctor sees it. arm64 runs
# on the bookworm arm64 sysroot's libraries (libc, libgphoto2), and its
# libgphoto2 probe must print the library's version. armv6 runs with
# `qemu-arm -cpu arm1176` (the Pi Zero's core), so an ARMv7 instruction fails.
#
#   scripts/dist-smoke.sh [ARCHIVE...]     (default: every dist/*.tar.gz)
#
# Needs: qemu-user, redis-server, curl (apt); the sysroot dist.sh cached.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${INTVLM8R_CACHE:-/var/cache/intvlm8r-test}
work=$(mktemp -d /tmp/intvlm8r-dist-smoke.XXXXXX)
pids=()
failures=0
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
for t in qemu-aarch64 qemu-arm redis-server curl; do
  command -v "$t" >/dev/null || { echo "dist-smoke: $t missing (apt-get install qemu-user redis-server curl)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

if [ $# -eq 0 ]; then set -- "$root"/dist/*.tar.gz; fi
[ -e "$1" ] || { echo "dist-smoke: no archives: run make dist" >&2; exit 1; }

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --logfile "$work/redis.log" &
pids+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$rport") 2>/dev/null && break; sleep 0.1; done

for archive in "$@"; do
  name=$(basename "$archive" .tar.gz)
  echo "== $name ($(du -h "$archive" | cut -f1))"
  tar -C "$work" -xzf "$archive"
  dir=$work/$name
  case $name in
  *-linux-arm64) run=(qemu-aarch64 -L "$cache/sysroot/arm64") ;;
  *-linux-armv6) run=(qemu-arm -cpu arm1176) ;;
  *) fail "$name: unknown target"; continue ;;
  esac
  if [[ $name == *-linux-arm64 ]] && [ ! -e "$cache/sysroot/arm64/lib/ld-linux-aarch64.so.1" ]; then
    fail "$name: no arm64 sysroot in $cache/sysroot (make dist makes it)"
    continue
  fi
  for b in "$dir"/bin/intvlm8r-*; do
    n=$(basename "$b")
    if out=$("${run[@]}" "$b" --version 2>&1) && [[ $out == "$n "* ]]; then pass "$n --version: $out"; else fail "$n --version: $out"; fi
    if out=$("${run[@]}" "$b" -h 2>&1) && [[ $out == *Usage:* ]]; then pass "$n -h"; else fail "$n -h: $out"; fi
  done
  if [ -x "$dir/test/gphoto2probe" ]; then
    if out=$("${run[@]}" "$dir/test/gphoto2probe" 2>&1) && [[ $out == "libgphoto2 2."* ]]; then
      pass "linked against the target's libgphoto2: $out"
    else
      fail "gphoto2probe: $out"
    fi
  fi
  home=$work/home-$name
  mkdir -p "$home"
  port=$(free_port) lport=$(free_port)
  "${run[@]}" "$dir/bin/intvlm8r-web" --home "$home" --listen "127.0.0.1:$port" --local-listen "127.0.0.1:$lport" \
    --redis "127.0.0.1:$rport" --arduino sim --camera sim >"$work/web-$name.log" 2>&1 &
  web=$!
  pids+=("$web")
  body=""
  for _ in $(seq 300); do
    body=$(curl -fs "http://127.0.0.1:$port/login" 2>/dev/null) && break
    kill -0 "$web" 2>/dev/null || break
    sleep 0.2
  done
  if [[ $body == *'name="username"'* && $body == *'name="password"'* ]]; then
    pass "web serves the login page under qemu"
  else
    fail "web login page: $(tail -5 "$work/web-$name.log")"
  fi
  kill "$web" 2>/dev/null || true
  "${run[@]}" "$dir/bin/intvlm8r-worker" --home "$home" --redis "127.0.0.1:$rport" --arduino sim --camera sim >"$work/worker-$name.log" 2>&1 &
  worker=$!
  pids+=("$worker")
  ok=0
  for _ in $(seq 60); do
    if "${run[@]}" "$dir/bin/intvlm8r-doctor" --home "$home" --redis "127.0.0.1:$rport" --checks redis,worker >"$work/doctor-$name.log" 2>&1; then
      ok=1
      break
    fi
    sleep 0.5
  done
  if [ "$ok" -eq 1 ]; then pass "worker registers; doctor sees Redis and the worker"; else fail "worker/doctor: $(cat "$work/doctor-$name.log")"; fi
  kill "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
done

if [ "$failures" -gt 0 ]; then
  echo "dist-smoke: $failures check(s) FAILED"
  exit 1
fi
echo "dist-smoke: all checks passed"
