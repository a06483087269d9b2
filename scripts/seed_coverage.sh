#!/usr/bin/env bash
# Lists every call of the seed API page (../shared/seed/connection-api.txt, or the file given)
# with the public header that declares it and the test files that call it, as a Markdown table.
# A call with no declaration or no test is marked MISSING; the exit status is the number of
# such calls (capped at 100), so the script can gate a release.
#
#   scripts/seed_coverage.sh [SEED_FILE]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seed="${1:-$root/../shared/seed/connection-api.txt}"
if [[ ! -r "$seed" ]]; then
  echo "seed_coverage: cannot read $seed" >&2
  exit 2
fi

# The Rust constructor `new(mode)` is the C++ constructor `Connection(Mode)`.
declared_name() {
  case "$1" in
    new) echo "Connection(Mode" ;;
    *) echo "$1(" ;;
  esac
}
called_pattern() {
  case "$1" in
    new) echo 'Connection\(Mode::|Connection [a-z_]+[({]Mode' ;;
    *) echo "[.>:]$1(<[^>]*>)?\(" ;;
  esac
}

missing=0
echo "| seed call | declared in | tests that call it |"
echo "|---|---|---|"
while read -r name; do
  decl="$(grep -lF -- "$(declared_name "$name")" "$root"/include/snr/*.hpp 2>/dev/null |
    xargs -r -n1 basename | paste -sd, - || true)"
  tests="$(grep -rlE -- "$(called_pattern "$name")" "$root/tests" --include='*.cpp' 2>/dev/null |
    sed "s|$root/||" | sort | head -n 3 | paste -sd' ' - || true)"
  if [[ -z "$decl" || -z "$tests" ]]; then
    missing=$((missing + 1))
    [[ -z "$decl" ]] && decl="MISSING"
    [[ -z "$tests" ]] && tests="MISSING"
  fi
  echo "| \`$name\` | $decl | $tests |"
done < <(grep -oE '^pub (unsafe )?fn [a-z_0-9]+' "$seed" | awk '{print $NF}' | awk '!seen[$0]++')
echo
echo "seed calls without a declaration or a test: $missing"
exit $((missing > 100 ? 100 : missing))
