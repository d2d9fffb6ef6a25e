#!/usr/bin/env bash
# Issue 3: the file store (store/) and the `mapsindoors-auth` CLI (cli/).
# Runs fmt check, clippy and every store and CLI test (crash matrix, concurrency,
# bad input, canary, exit codes, demo, a revoked token) against in-process
# emulators over loopback, and replays every flow vector (tests/flows/*.json)
# through the CLI's driver, printing `flow vectors: N passed (cli)`, then the
# hostile corpus (tests/hostile/cases.json): `hostile: N passed, 0 failed (cli)`.
# Usage: scripts/test-cli.sh   (from the repo root; needs only cargo and crates.io)
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${MIA_TARGET:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Loopback tests must not go through a proxy.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY || true
# This part needs no toolchain beyond cargo; scripts/tools.sh has nothing for it.

pkgs=(-p mapsindoors-auth-store -p mapsindoors-auth-cli)

echo "== fmt"
cargo fmt "${pkgs[@]}" -- --check
echo "== clippy"
[ -n "${MIA_SKIP_CLIPPY:-}" ] || cargo clippy "${pkgs[@]}" --all-targets -- -D warnings
echo "== tests"
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test "${pkgs[@]}" -- --nocapture --test-threads 2 2>&1 | tee "$log"
echo "== store + cli tests passed in $(( $(date +%s) - start )) s"
# The flow-vector replay (cli/tests/flows.rs) prints its count; it must have run.
grep -o -m1 'flow vectors: [0-9]* passed (cli)' "$log"
# The hostile corpus (cli/tests/hostile_corpus.rs) prints its count and figures.
grep -m3 '^hostile: ' "$log"
grep -q '^hostile: [0-9]* passed, 0 failed (cli)' "$log"
