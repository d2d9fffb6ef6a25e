#!/usr/bin/env bash
# Runs each fuzz target for RUNS executions (default 1,000,000) with cargo-fuzz on nightly.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
RUNS="${RUNS:-1000000}"
TOOLS="${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}"
if ! command -v cargo-fuzz >/dev/null && [ ! -x "$TOOLS/cargo-fuzz/bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --root "$TOOLS/cargo-fuzz"
fi
export PATH="$TOOLS/cargo-fuzz/bin:$PATH"
for target in parsers record; do
  cargo +nightly fuzz run "$target" -- -runs="$RUNS" 2>&1 | tail -n 3
done
