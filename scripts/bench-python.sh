#!/usr/bin/env bash
# Builds the release (LTO) wheel and a release emulator (a debug one, not
# the client, would be the bottleneck at scale), installs the wheel into the
# Python venv with the contenders (httpx, requests, authlib, msal; one that
# cannot be installed is printed as "unavailable") and valgrind (apt, as
# bench-core.sh; without it the instruction counts are skipped), and runs
# bindings-python/bench/bench.py: token fetches beside raw http.client (the
# floor), import time, and rotations at scale beside raw httpx. Prints
# figures; not a test.
#   scripts/bench-python.sh [bench.py args: --rounds 9 --n 300 --scale-n 1000 --concurrency 200 ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)
export CARGO_TARGET_DIR="$MIA_TARGET/python"
VENV="$CARGO_TARGET_DIR/venv"
WHEELS="$CARGO_TARGET_DIR/wheels-release"
scripts/tools.sh python
if ! command -v valgrind >/dev/null && [ "$(id -u)" -eq 0 ]; then
  echo "bench-python: apt: installing valgrind" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null ||
    echo "bench-python: valgrind unavailable: instruction counts skipped" >&2
fi
cargo build -q --release -p mapsindoors-auth-emulator --target-dir "$MIA_TARGET"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -c 'import maturin, httpx, requests' 2>/dev/null ||
  "$VENV/bin/pip" install -q --disable-pip-version-check 'maturin>=1.16,<2' httpx requests
for peer in authlib msal; do
  "$VENV/bin/python" -c "import $peer" 2>/dev/null ||
    "$VENV/bin/pip" install -q --disable-pip-version-check "$peer" || echo "$peer: cannot be installed (printed as unavailable)" >&2
done
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --release -m bindings-python/Cargo.toml --out "$WHEELS" >&2
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$WHEELS"/*.whl
cd "$(mktemp -d)"
echo "python bench: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $("$VENV/bin/python" -V)"
# The scale run holds a few thousand sockets (client and emulator, TIME_WAIT aside).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
MIA_EMULATOR_BIN="$MIA_TARGET/release/mapsindoors-auth-emulator" "$VENV/bin/python" "$ROOT/bindings-python/bench/bench.py" --wheel "$(ls "$WHEELS"/*.whl)" "$@"
