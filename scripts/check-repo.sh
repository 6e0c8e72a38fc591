#!/usr/bin/env bash
# No built binary is tracked, and .gitignore covers what a build leaves:
# `go build ./cmd/NAME` at the root (./NAME), and intvlm8r-* copies.
set -euo pipefail
cd "$(dirname "$0")/.."
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "check-repo: not a git checkout, skipped"; exit 0; }
bad=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = 177ELF ]; then
    echo "check-repo: built binary tracked: $f (git rm --cached it)"
    bad=1
  fi
done < <(git ls-files -z)
for d in cmd/*/; do
  n=$(basename "$d")
  for p in "$n" "intvlm8r-$n" "bin/intvlm8r-$n" "$n.test"; do
    git check-ignore -q --no-index "$p" || { echo "check-repo: .gitignore does not cover $p"; bad=1; }
  done
done
[ "$bad" -eq 0 ] && echo "check-repo: no binaries tracked, build outputs ignored"
exit "$bad"
