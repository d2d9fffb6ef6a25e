#!/usr/bin/env bash
# Builds the Python wheel (pyo3 + maturin, dev profile), installs it into a venv,
# and runs the pytest suite (vectors, emulator end-to-end, single flight, crash,
# redaction, the hostile corpus per transport) plus mypy.stubtest from OUTSIDE the source tree.
# Prints the flow-vector and `hostile: N passed, 0 failed (python <flavour>)` lines. Non-zero on any failure.
# Usage: scripts/test-python.sh            (from the repo root; CI=true friendly)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)
export CARGO_TARGET_DIR="$MIA_TARGET/python"
VENV="$CARGO_TARGET_DIR/venv"
WHEELS="$CARGO_TARGET_DIR/wheels"

scripts/tools.sh python

echo "[python] building the emulator" >&2
cargo build -q -p mapsindoors-auth-emulator --target-dir "$MIA_TARGET"
export MIA_EMULATOR_BIN="${MIA_EMULATOR_BIN:-$MIA_TARGET/debug/mapsindoors-auth-emulator}"

echo "[python] clippy + fmt check" >&2
cargo fmt -p mapsindoors-auth-python --check
# A separate target dir: maturin builds with other PYO3_* settings, which would rebuild pyo3 each time.
# Skipped when the workspace-wide clippy already ran (make test).
[ -n "${MIA_SKIP_CLIPPY:-}" ] || CARGO_TARGET_DIR="$MIA_TARGET/python/clippy" cargo clippy -q -p mapsindoors-auth-python --all-targets -- -D warnings

if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -c 'import maturin, pytest, mypy, httpx, requests' 2>/dev/null ||
  "$VENV/bin/pip" install -q --disable-pip-version-check 'maturin>=1.16,<2' pytest mypy httpx requests

echo "[python] building the wheel" >&2
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --profile dev -m bindings-python/Cargo.toml --out "$WHEELS" >&2
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/*.whl

RUN_DIR="$(mktemp -d)"
trap 'rm -rf "$RUN_DIR"' EXIT
cd "$RUN_DIR"   # outside the source tree: imports resolve to the installed wheel

echo "[python] pytest" >&2
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/bindings-python/tests" 2>&1 | tee "$RUN_DIR/pytest.log"
# The flow vectors and the hostile corpus (tests/hostile/cases.json) print their counts per flavour:
# they must have run, every hostile flavour with 0 failed.
grep -E '^(flow vectors: [0-9]+ passed|hostile( figures)?[: ])' "$RUN_DIR/pytest.log"
[ "$(grep -cE '^hostile: [0-9]+ passed, 0 failed \(python ' "$RUN_DIR/pytest.log")" -eq 6 ] ||
  { echo "[python] the hostile corpus did not pass in all 6 flavours" >&2; exit 1; }

echo "[python] stubtest" >&2
"$VENV/bin/python" -m mypy.stubtest mapsindoors_auth --allowlist "$ROOT/bindings-python/stubtest-allowlist.txt"
"$VENV/bin/python" -m mypy --strict --no-incremental -p mapsindoors_auth
echo "[python] all passed" >&2
