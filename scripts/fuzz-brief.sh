#!/usr/bin/env bash
# Runs every Go fuzz target briefly (FUZZTIME each, default 10000x): the seeds
# run in every `go test`; this looks a little past them. A crash fails the
# run, and Go saves the input under the package's testdata/fuzz for a test.
set -euo pipefail
cd "$(dirname "$0")/.."
# A count, not a duration: a duration ends with a deadline that a slow
# target (one that asks Python, say) can overrun and fail on.
fuzztime=${FUZZTIME:-10000x}
n=0
while read -r file name; do
  pkg=./$(dirname "$file")
  echo "fuzz: $pkg $name ($fuzztime)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/fuzz-$$.log 2>&1 || {
    cat /tmp/fuzz-$$.log
    rm -f /tmp/fuzz-$$.log
    echo "fuzz: $name in $pkg FAILED" >&2
    exit 1
  }
  n=$((n + 1))
done < <(git ls-files '*_test.go' | xargs grep -H '^func Fuzz' | sed -E 's/^([^:]+):func (Fuzz[A-Za-z0-9_]*).*/\1 \2/' | sort)
rm -f /tmp/fuzz-$$.log
echo "fuzz: $n fuzz targets ran $fuzztime each, no failure"
