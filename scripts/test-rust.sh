#!/usr/bin/env bash
# The Rust workspace: formatting, clippy under the workspace lints, the core
# (unit tests, vectors, rotation) and the emulator (its own tests and the core
# end to end over loopback), plus the check that the core stays IO-free.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${MIA_TARGET:-$PWD/target}"

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
scripts/check-core-io-free.sh
cargo test --locked -p mapsindoors-auth -p mapsindoors-auth-emulator -- --skip the_rotation_protocol_holds
# The flow vectors every binding replays, with their count.
cargo test --locked -q -p mapsindoors-auth --test flows -- --nocapture every_vector_replays | grep -E "^flow vectors:"
# The exhaustive model check of the rotation (small bound; `make verify` runs the large one).
cargo test --locked -p mapsindoors-auth --test model_check -- --nocapture
