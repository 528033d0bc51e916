#!/usr/bin/env bash
# Runs the whole test suite: unit/property tests and the real-desktop tests (Xvfb, openbox,
# AT-SPI bus, GTK apps, XTest input), which start their own virtual desktops.
# The last line printed is the totals: "N passed, N failed[, N skipped]".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

"$ROOT/scripts/install-desktop-packages.sh" || { echo "0 passed, 1 failed"; exit 1; }

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
dotnet build "$ROOT/Understudy.slnx" -c Release --nologo -v quiet || status=1
if [[ $status -eq 0 ]]; then
  for project in "$ROOT"/tests/*/*.csproj; do
    name="$(basename "$project" .csproj)"
    dotnet test "$project" -c Release --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=1
  done
fi

# Totals come from the TRX files, one per test project.
passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  p="$(get passed)"; f="$(get failed)"; e="$(get error)"; t="$(get total)"; x="$(get executed)"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
  skipped=$((skipped + ${t:-0} - ${x:-0}))
done
if [[ $files -eq 0 || ( $status -ne 0 && $failed -eq 0 ) ]]; then
  # The build or the test host failed before reporting: count it as a failure, never as green.
  failed=$((failed + 1))
fi
if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed -eq 0 ]]
