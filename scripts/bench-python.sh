#!/usr/bin/env bash
# Builds the release (LTO) wheel, installs it into the test venv and runs
# bindings-python/bench/bench.py against a local emulator. Prints figures; not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)
export CARGO_TARGET_DIR="$MIA_TARGET/python"
VENV="$CARGO_TARGET_DIR/venv"
WHEELS="$CARGO_TARGET_DIR/wheels-release"
scripts/tools.sh python
cargo build -q -p mapsindoors-auth-emulator --target-dir "$MIA_TARGET"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -c 'import maturin, httpx' 2>/dev/null || "$VENV/bin/pip" install -q 'maturin>=1.16,<2' httpx
"$VENV/bin/python" -c 'import authlib, requests' 2>/dev/null || "$VENV/bin/pip" install -q authlib requests || echo "authlib unavailable: skipped" >&2
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --release -m bindings-python/Cargo.toml --out "$WHEELS" >&2
"$VENV/bin/pip" install -q --force-reinstall --no-deps "$WHEELS"/*.whl
cd "$(mktemp -d)"
MIA_EMULATOR_BIN="$MIA_TARGET/debug/mapsindoors-auth-emulator" "$VENV/bin/python" "$ROOT/bindings-python/bench/bench.py" --wheel "$(ls "$WHEELS"/*.whl)" "$@"
