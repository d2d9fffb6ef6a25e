#!/usr/bin/env bash
# Prints the shipped sizes of the npm package's web build (after wasm-opt -Oz),
# raw and gzipped: the .wasm, the JS glue, and the total.
# Usage: scripts/wasm-size.sh [PKG_DIR]   (default target/wasm/pkg; build first with scripts/build-wasm.sh)
#        MIA_WASM_SIZE_LIMIT_KB=N fails when the gzipped total exceeds N KB.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG="${1:-${MIA_TARGET:-target}/wasm/pkg}"
DIR="$PKG/web"
[ -f "$DIR/mapsindoors_auth_bg.wasm" ] || { echo "wasm-size: no build in $DIR (run scripts/build-wasm.sh)" >&2; exit 1; }
js_files=$(cd "$DIR" && find . -name '*.js' | sort)
row() { printf '%-46s %9s %9s\n' "$1" "$2" "$3"; }
size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
row file raw gzip
total_raw=0 total_gz=0
for f in mapsindoors_auth_bg.wasm $js_files; do
  f="${f#./}"
  r=$(size "$DIR/$f"); g=$(gz "$DIR/$f")
  total_raw=$((total_raw + r)); total_gz=$((total_gz + g))
  row "$f" "$r" "$g"
done
row "total" "$total_raw" "$total_gz"
awk -v r="$total_raw" -v g="$total_gz" 'BEGIN { printf "total: %.1f KB raw, %.1f KB gzipped (each file gzipped alone)\n", r / 1024, g / 1024 }'
if [ -n "${MIA_WASM_SIZE_LIMIT_KB:-}" ] && [ "$total_gz" -gt $((MIA_WASM_SIZE_LIMIT_KB * 1024)) ]; then
  echo "wasm-size: gzipped total $total_gz B exceeds ${MIA_WASM_SIZE_LIMIT_KB} KB" >&2
  exit 1
fi
