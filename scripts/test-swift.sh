#!/usr/bin/env bash
# Builds, checks and, where Swift exists, tests the SwiftPM package in
# bindings-uniffi/swift:
# 1. in the repository with cargo: scripts/gen-swift.sh (cdylib, uniffi-bindgen, the generated
#    Swift, header, modulemap and library into the package) and the emulator;
#    elsewhere (a Swift machine with no Rust): the generated files and
#    native/ already in the package are used, as --pack carried them;
# 2. bindings-uniffi/swift/check_package.py: paths, module and library names,
#    every header function exported by the library, the hand-written Swift's
#    names, labels and protocol conformances against the generated API, and
#    tree-sitter-swift syntax (tree-sitter from PyPI in a venv under MIA_TOOLS);
# 3. with `swift` on the PATH: `swift build` and `swift test` (vectors, flow
#    vectors, the emulator suite and the hostile corpus); otherwise it says
#    plainly that it skipped them and exits 0.
# Usage: scripts/test-swift.sh [--pack FILE.tar.gz]
#   --pack: also writes a tarball (the package with its generated files and
#   native library, the emulator, the test data and these scripts) to unpack
#   and run `scripts/test-swift.sh` on a machine that has Swift but no Rust.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)
TOOLS="${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}"
PKG="$ROOT/bindings-uniffi/swift"
PACK=""
if [ "${1:-}" = "--pack" ]; then
  PACK="${2:?--pack needs a file name}"
  case "$PACK" in /*) ;; *) PACK="$ROOT/$PACK" ;; esac
fi
step() { printf '\n== %s\n' "$*" >&2; }

if [ -f Cargo.toml ] && command -v cargo >/dev/null 2>&1; then
  step "generate the Swift package's files (cdylib and uniffi-bindgen in $MIA_TARGET/uniffi)"
  scripts/gen-swift.sh
  if [ -z "${MIA_EMULATOR_BIN:-}" ] || [ ! -x "$MIA_EMULATOR_BIN" ]; then
    step "build the emulator"
    CARGO_TARGET_DIR="$MIA_TARGET" cargo build -q -p mapsindoors-auth-emulator
    export MIA_EMULATOR_BIN="$MIA_TARGET/debug/mapsindoors-auth-emulator"
  fi
  install -m 755 "$MIA_EMULATOR_BIN" "$PKG/native/mapsindoors-auth-emulator"
else
  step "no Rust workspace or no cargo: using the generated files and native/ already in $PKG"
  export MIA_EMULATOR_BIN="${MIA_EMULATOR_BIN:-$PKG/native/mapsindoors-auth-emulator}"
fi

step "check the package (layout, symbols, names, labels, conformances, syntax)"
VENV="$TOOLS/swift-check-venv"
PY=python3
if "$VENV/bin/python" -c 'import tree_sitter, tree_sitter_swift' 2>/dev/null; then
  PY="$VENV/bin/python"
elif python3 -m venv "$VENV" >/dev/null 2>&1 \
  && "$VENV/bin/pip" install -q --disable-pip-version-check tree-sitter==0.26.1 tree-sitter-swift==0.7.4; then
  PY="$VENV/bin/python"
else
  echo "test-swift: tree-sitter-swift could not be installed; the syntax check is skipped" >&2
fi
"$PY" "$PKG/check_package.py" "$PKG"

if [ -n "$PACK" ]; then
  step "pack the package for a Swift machine: $PACK"
  tar -czf "$PACK" --exclude=.build --exclude=.swiftpm -C "$ROOT" \
    bindings-uniffi/swift tests/vectors tests/flows tests/hostile scripts/test-swift.sh scripts/gen-swift.sh
  ls -l "$PACK" >&2
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "test-swift: skipped: no swift on PATH (the package was generated at $PKG; compile it on a machine with Swift 5.9+)"
  exit 0
fi

if [ "$(uname -s)" != Darwin ]; then
  # uniffi's modulemap says `use "Darwin"`, a module Linux has not got; a
  # `use` only restricts what the module may import, so dropping it is safe.
  sed -i '/use "Darwin"/d' "$PKG/Sources/MapsIndoorsAuthFFI/module.modulemap"
fi
swift --version >&2
export MIA_VECTORS_DIR="$ROOT/tests/vectors" MIA_FLOWS_DIR="$ROOT/tests/flows" MIA_HOSTILE_DIR="$ROOT/tests/hostile"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
step "swift build and swift test (XCTest: vectors, flow vectors, emulator suite, hostile corpus)"
(cd "$PKG" && swift build --build-tests && swift test 2>&1) | tee "$LOG"
grep -o 'vectors: [0-9]* cases, 0 failed' "$LOG"
grep -o 'flow vectors: [0-9]* passed (swift)' "$LOG"
grep -o 'hostile: slowest .*' "$LOG"
grep -o 'hostile: [0-9]* passed, 0 failed (swift)' "$LOG"
