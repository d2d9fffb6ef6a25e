#!/usr/bin/env bash
# Token fetches from Kotlin (JVM) against the emulator: this project's
# AuthClient over uniffi + JNA beside a raw java.net.http.HttpClient POST
# (bindings-uniffi/bench/TokenBench.kt). Prints figures; not a test.
# Built like the shipped JAR (scripts/dist-kotlin.sh): the release cdylib,
# Kotlin generated from it and Maven's `bench` profile of
# bindings-uniffi/kotlin/pom.xml, which compiles the bench with the tests
# (for their JdkHttpTransport); the library is loaded from the JAR. The
# output has folders of its own ($MIA_TARGET/uniffi/bench).
#   scripts/bench-kotlin.sh [--n 300] [--rounds 9] [--warmup 1000] [--only WORD]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)

scripts/tools.sh kotlin

OUT="$MIA_TARGET/uniffi"
BENCH="$OUT/bench"
export CARGO_TARGET_DIR="$OUT"
step() { printf '== %s\n' "$*" >&2; }

if [ -n "${MIA_EMULATOR_BIN:-}" ] && [ -x "$MIA_EMULATOR_BIN" ]; then
  step "using the emulator at $MIA_EMULATOR_BIN"
else
  step "build the emulator (shared target/)"
  CARGO_TARGET_DIR="$MIA_TARGET" cargo build -q -p mapsindoors-auth-emulator
  MIA_EMULATOR_BIN="$MIA_TARGET/debug/mapsindoors-auth-emulator"
fi

step "build uniffi-bindgen (dev) and the cdylib (release, $OUT)"
# Two separate invocations, as in test-uniffi.sh: built together, cargo
# unifies features differently and rebuilds uniffi_bindgen.
cargo build -q -p uniffi-bindgen
cargo build -q --release -p mapsindoors-auth-uniffi
LIBDIR="$OUT/release"

step "generate Kotlin from the release library; mvn -Pbench package (tests compiled, not run)"
rm -rf "$BENCH"
mkdir -p "$BENCH"
"$OUT/debug/uniffi-bindgen" generate --no-format --library "$LIBDIR/libmapsindoors_auth_uniffi.so" \
  --language kotlin --out-dir "$BENCH/kotlin"
# dependency:build-classpath writes the runtime class path (stdlib, coroutines, JNA).
mvn -B -ntp -q -f bindings-uniffi/kotlin/pom.xml -Pbench -Dmia.repo="$ROOT" -Dmia.generated="$BENCH/kotlin" \
  -Dmia.libdir="$LIBDIR" -Dmia.build="$BENCH/maven" -DskipTests \
  package dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$BENCH/classpath.txt" >&2
CP="$BENCH/maven/mapsindoors-auth-0.1.0.jar:$BENCH/maven/test-classes:$(cat "$BENCH/classpath.txt")"

step "start the emulator (token lifetime 0: a shared client fetches on every call)"
EMU_OUT="$BENCH/emulator.out"
"$MIA_EMULATOR_BIN" --port 0 --token-lifetime 0 > "$EMU_OUT" &
EMU_PID=$!
trap 'kill "$EMU_PID" 2>/dev/null || true' EXIT
for _ in $(seq 200); do grep -q '^user ' "$EMU_OUT" && break; sleep 0.1; done
URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$EMU_OUT")
SECRET=$(sed -n 's/.*client_id demo-client  *client_secret \([^ ]*\).*/\1/p' "$EMU_OUT" | head -n1)
[ -n "$URL" ] && [ -n "$SECRET" ] || { echo "bench-kotlin: the emulator did not start" >&2; exit 1; }

echo "bench-kotlin: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
MIA_BENCH_URL="$URL" MIA_BENCH_SECRET="$SECRET" java -cp "$CP" com.mapsindoors.auth.bench.TokenBenchKt "$@"
echo "bench-kotlin: done $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
