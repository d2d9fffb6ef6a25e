#!/usr/bin/env bash
# Runs every part's tests in turn, keeps going after a failure, and prints one
# summary line. Exit status is non-zero if any part failed.
set -uo pipefail
cd "$(dirname "$0")/.."

parts=(rust cli python wasm uniffi swift examples)
passed=0
failed=0
failed_parts=()
for part in "${parts[@]}"; do
  echo "=== test-$part ==="
  start=$(date +%s)
  if "scripts/test-$part.sh"; then
    passed=$((passed + 1))
    # The workspace-wide clippy in test-rust covered every crate: parts skip their own.
    [ "$part" = rust ] && export MIA_SKIP_CLIPPY=1
    echo "=== test-$part: ok ($(( $(date +%s) - start )) s) ==="
  else
    failed=$((failed + 1))
    failed_parts+=("$part")
    echo "=== test-$part: FAILED ($(( $(date +%s) - start )) s) ==="
  fi
done
[ "$failed" -gt 0 ] && echo "failed parts: ${failed_parts[*]}"
echo "parts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
