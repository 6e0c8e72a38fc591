#!/usr/bin/env bash
# Tests scripts/install/config-txt.awk (install.sh's config.txt step) on the
# stock Raspberry Pi OS Bookworm config.txt and variants of it. For each case
# an independent reading of the result, board by board (as the firmware reads
# its [filter] sections), must give I2C on at 40 kHz and both GPIO overlays;
# every line of the input is kept in order; a second pass changes nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
awkf=$here/install/config-txt.awk
fx=$here/testdata/config-txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# effective BOARD FILE: "i2c_arm=on baud=N shutdown=0|1 poweroff=0|1" as
# the firmware of BOARD (pi4, cm4, cm5, pi5, ...) would apply FILE: a line
# counts before the first filter, under [all], and under [BOARD].
effective() {
  awk -v board="$1" -f "$fx/effective.awk" "$2"
}

want="i2c_arm=on baud=40000 shutdown=1 poweroff=1"

# case NAME INPUT [EXPECT_UNCHANGED]
case_() {
  local name=$1 in=$2 unchanged=${3:-} out=$tmp/$1.out out2=$tmp/$1.out2 b got
  awk -f "$awkf" "$in" >"$out"
  for b in pi3 pi4 pi5 cm4 cm5 pi0w; do
    got=$(effective "$b" "$out")
    if [ "$got" = "$want" ]; then pass "$name: [$b] $got"; else fail "$name: [$b] got '$got', want '$want'"; fi
  done
  # Every input line is still there, in order (lines are only added, or a
  # plain i2c_arm / a baud rate line gains 40 kHz).
  if diff <(sed -E 's/(i2c_arm=on),i2c_arm_baudrate=[0-9]+/\1/; s/i2c_arm_baudrate=[0-9]+/i2c_arm_baudrate=N/' "$in") \
    <(sed -E 's/(i2c_arm=on),i2c_arm_baudrate=[0-9]+/\1/; s/i2c_arm_baudrate=[0-9]+/i2c_arm_baudrate=N/' "$out") |
    grep -q '^<'; then
    fail "$name: a line of the input was lost or changed"
    diff "$in" "$out" | head -20
  else
    pass "$name: every input line kept"
  fi
  awk -f "$awkf" "$out" >"$out2"
  if cmp -s "$out" "$out2"; then pass "$name: a second pass changes nothing"; else fail "$name: a second pass changed it"; diff "$out" "$out2"; fi
  if [ -n "$unchanged" ]; then
    if cmp -s "$in" "$out"; then pass "$name: left as it was"; else fail "$name: changed"; diff "$in" "$out"; fi
  fi
}

# 1. Stock Bookworm: its commented #dtparam=i2c_arm=on is not I2C on; ours
#    lands under its trailing [all]; the comment stays a comment.
case_ stock "$fx/stock-bookworm.txt"
if grep -qx '#dtparam=i2c_arm=on' "$tmp/stock.out"; then pass "stock: the comment stays"; else fail "stock: the comment was changed"; fi
if [ "$(grep -c '^\[all\]' "$tmp/stock.out")" = 1 ]; then pass "stock: no second [all]"; else fail "stock: [all] doubled"; fi
if awk '/^\[all\]/ { a = 1 } a && /^dtparam=i2c_arm=on,i2c_arm_baudrate=40000$/ { f = 1 } END { exit !f }' "$tmp/stock.out"; then
  pass "stock: I2C at 40 kHz after [all]"
else
  fail "stock: I2C at 40 kHz not under [all]"
fi

# 2. The file ends inside a filter section: an [all] header is added first.
sed '/^\[all\]$/d' "$fx/stock-bookworm.txt" >"$tmp/ends-cm5.txt"
case_ ends-in-cm5 "$tmp/ends-cm5.txt"
if [ "$(tail -5 "$tmp/ends-in-cm5.out" | grep -c '^\[all\]')" = 1 ]; then pass "ends-in-cm5: [all] appended"; else fail "ends-in-cm5: no [all] appended"; fi

# 3. I2C on only for [cm4] (and a [pi4] section) is not on for every board.
{ cat "$fx/stock-bookworm.txt"; printf '[pi4]\ndtparam=i2c_arm=on\n[cm4]\ndtparam=i2c_arm=on,i2c_arm_baudrate=40000\n'; } >"$tmp/cm4-only.txt"
case_ cm4-only "$tmp/cm4-only.txt"

# 4. What the original's setup.sh left (I2C at 40 kHz in the common part,
#    the overlays after [all], trailing spaces): nothing to change.
case_ original "$fx/after-original-setup.txt" unchanged

# 5. A plain dtparam=i2c_arm=on for every board gains the bus speed in place.
sed 's/^#dtparam=i2c_arm=on$/dtparam=i2c_arm=on/' "$fx/stock-bookworm.txt" >"$tmp/plain.txt"
case_ plain "$tmp/plain.txt"
if [ "$(grep -c 'i2c_arm' "$tmp/plain.out")" = 1 ]; then pass "plain: rewritten in place, not added again"; else fail "plain: I2C line doubled"; fi

# 6. Another bus speed for every board becomes 40 kHz; i2c_arm with other
#    parameters on one line counts as on.
sed 's/^#dtparam=i2c_arm=on$/dtparam=spi=on,i2c_arm=on\ndtparam=i2c_arm_baudrate=100000/' "$fx/stock-bookworm.txt" >"$tmp/fast.txt"
case_ fast-bus "$tmp/fast.txt"
if ! grep -q '100000' "$tmp/fast-bus.out"; then pass "fast-bus: 100 kHz gone"; else fail "fast-bus: 100 kHz kept"; fi

# 7. I2C switched off again later for every board is off.
{ cat "$fx/after-original-setup.txt"; printf 'dtparam=i2c_arm=off\n'; } >"$tmp/off.txt"
case_ switched-off "$tmp/off.txt"

# 8. An empty file, and CRLF line ends.
: >"$tmp/empty.txt"
case_ empty "$tmp/empty.txt"
sed 's/$/\r/' "$fx/stock-bookworm.txt" >"$tmp/crlf.txt"
case_ crlf "$tmp/crlf.txt"

if [ "$failures" -gt 0 ]; then
  echo "test-config-txt: $failures FAILED"
  exit 1
fi
echo "test-config-txt: all passed"
