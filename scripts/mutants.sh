#!/bin/sh
# mutants: mutation testing with gremlins over the packages that hold the
# safety guards (a photo is never lost, the owner is never lied to, a stranger
# never gets in). Prints the efficacy of each package; docs/mutants.md gives
# the reason for every mutant that is known to live.
#
#   make mutants                                  every package, whole suites
#   MUTANTS_PKGS="./internal/auth" make mutants   some of them
#   MUTANTS_PLAN=scripts/mutants.plan make mutants
#                                                 the guard files of photos and
#                                                 transfer, each with the tests
#                                                 that pin it (hours, not days)
#
# Slow (each mutant runs its package's tests): not part of `make test`.
# MUTANTS_WORKERS (default 1) and MUTANTS_TIMEOUT (gremlins' timeout
# coefficient, default 10) keep it gentle on a shared or small machine.
# For one package run:
#   MUTANTS_FILES  only these files of the package are mutated ("ledger.go
#                  transfer.go"); gremlins' --exclude-files drops the others
#   MUTANTS_RUN    a `go test -run` regexp: the coverage run and every mutant
#                  run only these tests (a mutant on a line they do not reach
#                  is NOT COVERED, outside the efficacy)
#   MUTANTS_SKIP   a `go test -skip` regexp, likewise (e.g. the slow rsync subtests)
#   MUTANTS_TAGS   build tags for the coverage and mutant runs
# A plan file holds one run a line:
#   <package> <files,comma,separated|-> <run regexp|-> [<skip regexp>]
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
BASEFLAGS="${GOFLAGS:-} -count=1"
# One CPU a test run, through GOFLAGS: gremlins v0.6.0's --test-cpu passes
# "-cpu 1" to go test as ONE argument, which the test binary refuses (exit
# 2, go test 1), so every mutant was reported KILLED whatever the tests did.
BASEFLAGS="$BASEFLAGS -cpu=1"
# The end-to-end tests look for the built binaries; gremlins runs each
# package's own tests, which build what they need.
unset INTVLM8R_BIN || true
mkdir -p "$OUT"
summary=""

# one <package> <files> <run>: files and run may be "" (all of them).
one() {
	p=$1 files=$2 run=$3 skip=$4
	name=$(echo "$p" | sed 's|^\./||; s|/|-|g')
	label=$p
	set --
	if [ -n "$files" ]; then
		name="$name-$(echo "$files" | sed 's/\.go//g; s/[ ,]\{1,\}/+/g')"
		label="$p ($(echo "$files" | sed 's/,/ /g'))"
		keep=" $(echo "$files" | sed 's/,/ /g') "
		for f in "$p"/*.go; do
			f=${f##*/}
			case $f in *_test.go) continue ;; esac
			case $keep in *" $f "*) continue ;; esac
			set -- "$@" -E "^$(echo "$f" | sed 's/\./\\./g')\$"
		done
	fi
	flags=$BASEFLAGS
	[ -n "$run" ] && flags="$flags -run=$run"
	[ -n "$skip" ] && flags="$flags -skip=$skip"
	[ -n "${MUTANTS_TAGS:-}" ] && set -- "$@" --tags "$MUTANTS_TAGS"
	echo "== $label${run:+ -run $run}${skip:+ -skip $skip}"
	GOFLAGS=$flags "$BIN" unleash --workers "$WORKERS" --timeout-coefficient "$TIMEOUT" \
		-S lctkr -o "$OUT/$name.json" "$@" "$p" </dev/null 2>&1 | tee "$OUT/$name.txt"
	eff=$(sed -n 's/.*Test efficacy: *\([0-9.]*%\).*/\1/p' "$OUT/$name.txt" | tail -1)
	counts=$(sed -n 's/^\(Killed: .*\)$/\1/p' "$OUT/$name.txt" | tail -1)
	summary="$summary$(printf '%-40s efficacy %-8s %s' "$label" "${eff:-?}" "$counts")
"
}

if [ -n "${MUTANTS_PLAN:-}" ]; then
	while read -r p files run skip; do
		case $p in '' | '#'*) continue ;; esac
		[ "$files" = - ] && files=""
		[ "$run" = - ] && run=""
		one "$p" "$files" "$run" "$skip"
	done <"$MUTANTS_PLAN"
else
	for p in $PKGS; do
		one "$p" "${MUTANTS_FILES:-}" "${MUTANTS_RUN:-}" "${MUTANTS_SKIP:-}"
	done
fi
echo
echo "Gremlins efficacy per run (details in $OUT):"
printf '%s' "$summary"
