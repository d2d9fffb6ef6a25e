#!/usr/bin/env bash
# The main job on the embedded default: builds the CLI and runs `mapsindoors-auth demo`,
# which starts the emulator in-process and rotates a secret over real loopback HTTP,
# narrating every step. Needs only cargo and crates.io.
set -euo pipefail
cd "$(dirname "$0")/.."
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY || true
export CARGO_TARGET_DIR="${MIA_TARGET:-$PWD/target}"
# Build first with cargo's progress shown (a cold build takes several minutes
# on 2 cores), then run quietly.
echo "demo: building the CLI (cold: several minutes on 2 cores; cargo shows its progress)" >&2
cargo build --locked -p mapsindoors-auth-cli
cargo run --quiet --locked -p mapsindoors-auth-cli -- demo "$@"
