#!/usr/bin/env bash
# `make bench`: every benchmark, each printing its figures beside a baseline
# measured in the same run. Prints figures; not a test. Keeps going after a
# part fails and says which.
#   scripts/bench.sh [core|python|kotlin|node ...]   (default: all four)
set -uo pipefail
cd "$(dirname "$0")/.."
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(core python kotlin node)
echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
failed=()
for part in "${parts[@]}"; do
  echo "=== bench-$part ==="
  "scripts/bench-$part.sh" || failed+=("$part")
done
[ ${#failed[@]} -eq 0 ] || { echo "bench: failed parts: ${failed[*]}" >&2; exit 1; }
