#!/usr/bin/env bash
# Fills in the generated files of the Swift package (bindings-uniffi/swift):
# builds the cdylib and uniffi-bindgen (dev profile, into $MIA_TARGET/uniffi),
# generates the Swift bindings with bindings-uniffi/swift/uniffi-swift.toml
# on top of bindings-uniffi/uniffi.toml, and puts each file where
# Package.swift expects it:
#   Sources/MapsIndoorsAuth/MapsIndoorsAuth.swift
#   Sources/MapsIndoorsAuthFFI/MapsIndoorsAuthFFI.h
#   Sources/MapsIndoorsAuthFFI/module.modulemap   (uniffi's MapsIndoorsAuthFFI.modulemap)
#   native/libmapsindoors_auth_uniffi.{so,dylib}
# These files are git-ignored; rerun this after any change to the Rust API.
# Usage: scripts/gen-swift.sh   (MIA_TARGET: build output root, default ./target)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"
OUT="$MIA_TARGET/uniffi"
PKG="$ROOT/bindings-uniffi/swift"

# Two separate invocations on purpose (as scripts/test-uniffi.sh): built
# together, cargo unifies features differently and rebuilds uniffi_bindgen.
CARGO_TARGET_DIR="$OUT" cargo build -q -p uniffi-bindgen
CARGO_TARGET_DIR="$OUT" cargo build -q -p mapsindoors-auth-uniffi

case "$(uname -s)" in
  Darwin) LIBFILE=libmapsindoors_auth_uniffi.dylib ;;
  *) LIBFILE=libmapsindoors_auth_uniffi.so ;;
esac
GEN="$(mktemp -d)"
trap 'rm -rf "$GEN"' EXIT
# Run from the workspace: uniffi-bindgen reads `cargo metadata` for uniffi.toml.
"$OUT/debug/uniffi-bindgen" generate --no-format --config "$PKG/uniffi-swift.toml" \
  --library "$OUT/debug/$LIBFILE" --language swift --out-dir "$GEN"

mkdir -p "$PKG/Sources/MapsIndoorsAuth" "$PKG/Sources/MapsIndoorsAuthFFI"
install -m 644 "$GEN/MapsIndoorsAuth.swift" "$PKG/Sources/MapsIndoorsAuth/MapsIndoorsAuth.swift"
install -m 644 "$GEN/MapsIndoorsAuthFFI.h" "$PKG/Sources/MapsIndoorsAuthFFI/MapsIndoorsAuthFFI.h"
install -m 644 "$GEN/MapsIndoorsAuthFFI.modulemap" "$PKG/Sources/MapsIndoorsAuthFFI/module.modulemap"
mkdir -p "$PKG/native"
install -m 755 "$OUT/debug/$LIBFILE" "$PKG/native/$LIBFILE"
echo "gen-swift: generated into $PKG (Sources/MapsIndoorsAuth, Sources/MapsIndoorsAuthFFI, native/$LIBFILE)"
