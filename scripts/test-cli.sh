#!/usr/bin/env bash
# Issue 3: the file store (store/) and the `mapsindoors-auth` CLI (cli/).
# Runs fmt check, clippy and every store and CLI test (crash matrix, concurrency,
# bad input, canary, exit codes, demo) against in-process emulators over loopback.
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
cargo test "${pkgs[@]}" -- --nocapture --test-threads 2
echo "== store + cli tests passed in $(( $(date +%s) - start )) s"
