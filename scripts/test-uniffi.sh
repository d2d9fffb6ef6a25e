#!/usr/bin/env bash
# Builds and tests the Kotlin/Swift bindings (bindings-uniffi): the cdylib and
# uniffi-bindgen, generated Kotlin + Swift, a check that the Swift API names
# match the Kotlin ones, then the Maven artifact (bindings-uniffi/kotlin): its
# JUnit suite under Surefire with JNA loading the library from the JAR,
# against the emulator (the hostile corpus too: tests/hostile/), `mvn install`,
# and a consumer project that depends on the installed artifact only
# (tests/consumers/maven). Exits non-zero on any failure.
#   scripts/test-uniffi.sh      (MIA_MAVEN_ARGS: extra mvn words, e.g. -Dmaven.repo.local=DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)

scripts/tools.sh kotlin

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

# Maven (bindings-uniffi/kotlin/pom.xml) compiles the generated Kotlin and
# the tests, packs the JAR (the .so under linux-x86-64/), runs the JUnit
# suite under Surefire against that JAR, and installs it into the local
# repository (~/.m2, or -Dmaven.repo.local in MIA_MAVEN_ARGS). Maven's
# own output goes to $OUT/maven and $OUT/consumer-maven.
# shellcheck disable=SC2206   # MIA_MAVEN_ARGS: extra words for mvn, split on purpose
MVN=(mvn -B -ntp ${MIA_MAVEN_ARGS:-})
step "mvn install: the JAR, then JUnit under Surefire on it (flow vectors, request vectors, e2e against the emulator, hostile corpus)"
start=$(date +%s)
"${MVN[@]}" -f bindings-uniffi/kotlin/pom.xml -Dmia.repo="$ROOT" -Dmia.generated="$OUT/kotlin" \
  -Dmia.libdir="$OUT/debug" -Dmia.build="$OUT/maven" install | tee "$OUT/maven.log"
echo "mvn install: $(( $(date +%s) - start )) s" >&2
# Surefire's summary (the line without "Time elapsed" is the whole run's).
grep -E '^\[INFO\] Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: 0$' "$OUT/maven.log"
grep -o 'flow vectors: [0-9]* passed (kotlin)' "$OUT/maven.log"
# The hostile corpus (tests/hostile/): its slowest case, then its one line.
grep -o 'hostile: slowest .*' "$OUT/maven.log"
grep -o 'hostile: [0-9]* passed, 0 failed (kotlin)' "$OUT/maven.log"

step "a consumer project (tests/consumers/maven) on the installed artifact: token, list, rotate against the emulator"
start=$(date +%s)
"${MVN[@]}" -f tests/consumers/maven/pom.xml -Dmia.build="$OUT/consumer-maven" test | tee "$OUT/consumer-maven.log"
echo "consumer: $(( $(date +%s) - start )) s" >&2
grep -E '^\[INFO\] Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: 0$' "$OUT/consumer-maven.log"

if [ -z "${MIA_SKIP_CLIPPY:-}" ]; then
  step "clippy (own target dir; cold it rebuilds uniffi_bindgen in check mode, minutes on 2 cores)"
  CARGO_TARGET_DIR="$OUT/check" cargo clippy -q -p mapsindoors-auth-uniffi -p uniffi-bindgen --all-targets -- -D warnings
fi
