#!/usr/bin/env bash
# Token fetches from Node against the emulator: this project's npm package
# (nodejs build of the wasm) beside a raw fetch POST + response.json()
# (bindings-wasm/bench/token-bench.mjs). Prints figures; not a test.
# Builds the package first (scripts/build-wasm.sh; cargo skips what is up to date),
# or, with MIA_BENCH_NO_BUILD=1, uses the one already built when there is one.
#   scripts/bench-node.sh [--n 300] [--rounds 9] [--warmup 1000] [--only WORD]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)
step() { printf '== %s\n' "$*" >&2; }

PKG="${MIA_WASM_TARGET_DIR:-$MIA_TARGET/wasm}/pkg"
if [ -z "${MIA_BENCH_NO_BUILD:-}" ] || [ ! -f "$PKG/node/index.js" ]; then
  step "tools and the wasm package (scripts/build-wasm.sh)"
  scripts/tools.sh wasm
  scripts/build-wasm.sh
fi
export MIA_WASM_PKG="$PKG"

if [ -z "${MIA_EMULATOR_BIN:-}" ] || [ ! -x "$MIA_EMULATOR_BIN" ]; then
  step "build the emulator (shared target/)"
  CARGO_TARGET_DIR="$MIA_TARGET" cargo build -q -p mapsindoors-auth-emulator
  export MIA_EMULATOR_BIN="$MIA_TARGET/debug/mapsindoors-auth-emulator"
fi

echo "bench-node: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
node bindings-wasm/bench/token-bench.mjs "$@"
echo "bench-node: done $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
