#!/bin/sh
# mutants: mutation testing with gremlins over the packages that hold the
# safety guards (a photo is never lost, the owner is never lied to, a stranger
# never gets in). Prints the efficacy of each package; docs/mutants.md gives
# the reason for every mutant that is known to live.
#
#   make mutants                                  every package
#   MUTANTS_PKGS="./internal/auth" make mutants   some of them
#
# Slow (each mutant runs its package's tests): not part of `make test`.
# MUTANTS_WORKERS (default 1) and MUTANTS_TIMEOUT (gremlins' timeout
# coefficient, default 10) keep it gentle on a shared or small machine.
set -eu
GO=${GO:-go}
VERSION=v0.6.0
BIN=$($GO env GOPATH)/bin/gremlins
PKGS=${MUTANTS_PKGS:-"./internal/fileutil ./internal/auth ./internal/heartbeat ./cmd/web ./cmd/heartbeat ./internal/web ./internal/photos ./internal/transfer"}
WORKERS=${MUTANTS_WORKERS:-1}
TIMEOUT=${MUTANTS_TIMEOUT:-10}
OUT=${MUTANTS_OUT:-$(mktemp -d /tmp/mutants.XXXXXX)}

if ! $GO version -m "$BIN" 2>/dev/null | grep -q "gremlins[[:space:]]*$VERSION"; then
	echo "installing gremlins $VERSION"
	$GO install github.com/go-gremlins/gremlins/cmd/gremlins@$VERSION
fi
# gremlins times each mutant against its coverage run: a coverage run
# answered from the test cache would make every mutant time out.
GOFLAGS="${GOFLAGS:-} -count=1"
export GOFLAGS
# The end-to-end tests look for the built binaries; gremlins runs each
# package's own tests, which build what they need.
unset INTVLM8R_BIN || true
mkdir -p "$OUT"
summary=""
for p in $PKGS; do
	name=$(echo "$p" | sed 's|^\./||; s|/|-|g')
	echo "== $p"
	"$BIN" unleash --workers "$WORKERS" --test-cpu 1 --timeout-coefficient "$TIMEOUT" \
		-S lctr -o "$OUT/$name.json" "$p" 2>&1 | tee "$OUT/$name.txt"
	eff=$(sed -n 's/.*Test efficacy: *\([0-9.]*%\).*/\1/p' "$OUT/$name.txt" | tail -1)
	counts=$(sed -n 's/^\(Killed: .*\)$/\1/p' "$OUT/$name.txt" | tail -1)
	summary="$summary$(printf '%-22s efficacy %-8s %s' "$p" "${eff:-?}" "$counts")
"
done
echo
echo "Gremlins efficacy per package (details in $OUT):"
printf '%s' "$summary"
