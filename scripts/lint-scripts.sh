#!/usr/bin/env bash
# Runs ShellCheck on every shell script under scripts/ (found by name or shebang).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
command -v shellcheck >/dev/null || { echo "lint-scripts: apt-get install shellcheck" >&2; exit 1; }
mapfile -t files < <(cd "$here" && find scripts -type f \( -name '*.sh' -o -perm -u+x \) ! -path '*/testdata/*' |
  while read -r f; do head -c 64 "$f" | grep -qE '^#!.*\b(ba)?sh\b' && printf '%s\n' "$f"; done | sort)
cd "$here"
shellcheck "${files[@]}"
echo "lint-scripts: ${#files[@]} scripts clean: ${files[*]}"
