#!/usr/bin/env bash
# The core beside oauth2-rs (bench/, its own workspace): on the same inputs,
# checked equal first, instructions per operation under callgrind and
# criterion medians, ratio = ours / peer. Prints figures; not a test.
# Needs valgrind; when it is missing it is installed with apt-get (root).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)
export CARGO_TARGET_DIR="$MIA_TARGET/bench"
OUT="$CARGO_TARGET_DIR/out"
LOG="$OUT/bench-core.log"

if ! command -v valgrind >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench-core: valgrind is missing; installing it needs root (apt-get install valgrind)" >&2
    exit 1
  fi
  echo "bench-core: apt: installing valgrind" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi

cargo build -q --locked --release --manifest-path bench/Cargo.toml
mkdir -p "$OUT"
start="$(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
# The binary's stderr (progress, criterion's report) goes to the log; stdout is the table.
if ! table="$(MIA_BENCH_OUT="$OUT" "$CARGO_TARGET_DIR/release/mia-bench" table 2>"$LOG")"; then
  tail -n 20 "$LOG" >&2
  echo "bench-core: failed (log: $LOG)" >&2
  exit 1
fi
echo "core vs oauth2-rs: started $start; ended with load $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo "$table"
echo "(criterion's report: $LOG)"
