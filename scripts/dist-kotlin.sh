#!/usr/bin/env bash
# Builds the Kotlin/JVM artifact for shipping into DIR: the release cdylib
# (cargo, into $MIA_TARGET/uniffi), Kotlin generated from it, and the Maven
# JAR of bindings-uniffi/kotlin/pom.xml (tests skipped: scripts/test-uniffi.sh
# runs them), with its POM and a sources JAR of the generated Kotlin beside it:
#   mapsindoors-auth-VERSION.jar          classes + linux-x86-64/libmapsindoors_auth_uniffi.so
#   mapsindoors-auth-VERSION.pom          for `mvn install:install-file -DpomFile=...` (dependencies)
#   mapsindoors-auth-VERSION-sources.jar  the generated Kotlin
# Prints their paths on stdout (everything else goes to stderr).
# Usage: scripts/dist-kotlin.sh DIR
set -euo pipefail
DIR="${1:?usage: scripts/dist-kotlin.sh DIR}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"   # relative to where it was called from
cd "$(dirname "$0")/.."
export MIA_TARGET="${MIA_TARGET:-$PWD/target}"
OUT="$MIA_TARGET/uniffi"
export CARGO_TARGET_DIR="$OUT"
POM=bindings-uniffi/kotlin/pom.xml
step() { printf '== %s\n' "$*" >&2; }

# The artifact's version is the workspace's.
VERSION="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$POM")"
CRATE_VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)"
[ "$VERSION" = "$CRATE_VERSION" ] || { echo "dist-kotlin: $POM has $VERSION, Cargo.toml $CRATE_VERSION" >&2; exit 1; }

scripts/tools.sh kotlin >&2

step "build uniffi-bindgen (dev) and the cdylib (release, $OUT)"
# Two separate invocations, as in test-uniffi.sh: built together, cargo
# unifies features differently and rebuilds uniffi_bindgen.
cargo build -q -p uniffi-bindgen >&2
cargo build -q --release -p mapsindoors-auth-uniffi >&2

step "generate Kotlin from the release library"
GEN="$OUT/dist/kotlin"
rm -rf "$GEN"
"$OUT/debug/uniffi-bindgen" generate --no-format --library "$OUT/release/libmapsindoors_auth_uniffi.so" \
  --language kotlin --out-dir "$GEN" >&2

# The symbol table is not needed (uniffi's entry points are in the dynamic
# one): stripped, the library is about 280 KB smaller.
NATIVE="$OUT/dist/native"
mkdir -p "$NATIVE"
strip --strip-unneeded -o "$NATIVE/libmapsindoors_auth_uniffi.so" "$OUT/release/libmapsindoors_auth_uniffi.so"

step "mvn package (tests skipped)"
rm -rf "$OUT/dist/maven"
mvn -B -ntp -q -f "$POM" -Dmia.repo="$PWD" -Dmia.generated="$GEN" -Dmia.libdir="$NATIVE" \
  -Dmia.build="$OUT/dist/maven" -Dmaven.test.skip=true package >&2

NAME="mapsindoors-auth-$VERSION"
cp "$OUT/dist/maven/$NAME.jar" "$DIR/$NAME.jar"
cp "$POM" "$DIR/$NAME.pom"
rm -f "$DIR/$NAME-sources.jar"
jar --create --file "$DIR/$NAME-sources.jar" -C "$GEN" .
# The JAR must hold the library where JNA looks for it.
jar --list --file "$DIR/$NAME.jar" | grep -qx 'linux-x86-64/libmapsindoors_auth_uniffi.so' \
  || { echo "dist-kotlin: no linux-x86-64/libmapsindoors_auth_uniffi.so in $NAME.jar" >&2; exit 1; }
printf '%s\n' "$DIR/$NAME.jar" "$DIR/$NAME.pom" "$DIR/$NAME-sources.jar"
