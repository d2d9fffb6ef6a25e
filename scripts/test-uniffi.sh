#!/usr/bin/env bash
# Builds and tests the Kotlin/Swift bindings (bindings-uniffi): the cdylib and
# uniffi-bindgen, generated Kotlin + Swift, the Kotlin JUnit suite compiled with
# the real kotlinc and run on the JVM with JNA against the emulator (the hostile
# corpus too: tests/hostile/), and a check
# that the Swift API names match the Kotlin ones. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)

scripts/tools.sh apt kotlin

TOOLS="${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}"
KOTLIN="$TOOLS/node/node_modules/kotlin-compiler"
OUT="$MIA_TARGET/uniffi"
export CARGO_TARGET_DIR="$OUT"
step() { printf '\n== %s\n' "$*" >&2; }

if [ -n "${MIA_EMULATOR_BIN:-}" ] && [ -x "$MIA_EMULATOR_BIN" ]; then
  step "using the emulator at $MIA_EMULATOR_BIN"
else
  step "build the emulator (shared target/)"
  CARGO_TARGET_DIR="$MIA_TARGET" cargo build -q -p mapsindoors-auth-emulator
  export MIA_EMULATOR_BIN="$MIA_TARGET/debug/mapsindoors-auth-emulator"
fi

step "build uniffi-bindgen and the cdylib (dev profile, $OUT)"
# Two separate invocations on purpose: built together, cargo unifies features
# differently and rebuilds uniffi_bindgen (minutes on 2 cores).
cargo build -q -p uniffi-bindgen
cargo build -q -p mapsindoors-auth-uniffi
step "rust unit tests"
cargo test -q -p mapsindoors-auth-uniffi --lib

LIB="$OUT/debug/libmapsindoors_auth_uniffi.so"
step "generate Kotlin and Swift"
rm -rf "$OUT/kotlin" "$OUT/swift"
"$OUT/debug/uniffi-bindgen" generate --no-format --library "$LIB" --language kotlin --out-dir "$OUT/kotlin"
"$OUT/debug/uniffi-bindgen" generate --no-format --library "$LIB" --language swift --out-dir "$OUT/swift"

step "check the Swift API names against the Kotlin ones"
python3 bindings-uniffi/check_api_names.py "$OUT/kotlin" "$OUT/swift"

CP="/usr/share/java/jna.jar:$KOTLIN/lib/kotlinx-coroutines-core-jvm.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar"
step "kotlinc the generated code and the tests"
rm -rf "$OUT/kotlin-classes"
start=$(date +%s)
JAVA_OPTS="-Xmx1g" "$KOTLIN/bin/kotlinc" -nowarn -cp "$CP" -d "$OUT/kotlin-classes" \
  $(find "$OUT/kotlin" -name '*.kt') bindings-uniffi/tests/kotlin/*.kt
echo "kotlinc: $(( $(date +%s) - start )) s" >&2

step "JUnit on the JVM (JNA): flow vectors, request vectors, then e2e against the emulator"
MIA_VECTORS_DIR="$ROOT/tests/vectors" MIA_FLOWS_DIR="$ROOT/tests/flows" MIA_HOSTILE_DIR="$ROOT/tests/hostile" java -Djna.library.path="$OUT/debug" \
  -cp "$OUT/kotlin-classes:$CP:$KOTLIN/lib/kotlin-stdlib.jar" \
  org.junit.runner.JUnitCore com.mapsindoors.auth.test.FlowsTest com.mapsindoors.auth.test.VectorsTest com.mapsindoors.auth.test.ClientTest \
  com.mapsindoors.auth.test.HostileCorpusTest \
  | tee "$OUT/junit.log"
grep -q '^OK (' "$OUT/junit.log"
grep -o 'flow vectors: [0-9]* passed (kotlin)' "$OUT/junit.log"
# The hostile corpus (tests/hostile/): its slowest case, then its one line.
grep -o 'hostile: slowest .*' "$OUT/junit.log"
grep -o 'hostile: [0-9]* passed, 0 failed (kotlin)' "$OUT/junit.log"

if [ -z "${MIA_SKIP_CLIPPY:-}" ]; then
  step "clippy (own target dir; cold it rebuilds uniffi_bindgen in check mode, minutes on 2 cores)"
  CARGO_TARGET_DIR="$OUT/check" cargo clippy -q -p mapsindoors-auth-uniffi -p uniffi-bindgen --all-targets -- -D warnings
fi
