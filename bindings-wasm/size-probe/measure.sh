#!/usr/bin/env bash
# What each dependency of the core costs in a wasm module, after wasm-opt -Oz:
# builds this probe once per feature (same flags as scripts/build-wasm.sh) and
# prints raw and gzipped sizes. Takes a few minutes. Usage: bindings-wasm/size-probe/measure.sh
set -euo pipefail
cd "$(dirname "$0")"
TOOLS="${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}"
export CARGO_TARGET_DIR="${MIA_PROBE_TARGET_DIR:-$PWD/../../target/wasm/size-probe}"
printf '%-10s %9s %9s\n' variant raw gzip
for f in none fmt url json time httpdate; do
  feat=(); [ "$f" = none ] || feat=(--features "$f")
  env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
    RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none -Clinker=/usr/lib/llvm-22/bin/wasm-ld" \
    /usr/bin/cargo build -q -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size \
    --target wasm32-unknown-unknown --release "${feat[@]}"
  out="$CARGO_TARGET_DIR/probe-$f.wasm"
  "$TOOLS/node/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/mia_size_probe.wasm" -o "$out"
  printf '%-10s %9s %9s\n' "$f" "$(stat -c %s "$out")" "$(gzip -9 -c "$out" | wc -c)"
done
