#!/usr/bin/env bash
# Installs the toolchains the tests need, each only when missing or at the wrong version.
# Usage: scripts/tools.sh [apt|wasm|node|python|kotlin|all|twiggy]...   (idempotent; safe to re-run)
#        kotlin is a JDK and Maven (Maven fetches the rest).
#        twiggy (the wasm size profiler, for `scripts/wasm-size.sh --top`) is not part of all.
set -euo pipefail

TOOLS="${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}"
WASM_BINDGEN_VERSION="0.2.130"   # must equal the wasm-bindgen version in Cargo.lock
BINARYEN_VERSION="132.0.0"
PLAYWRIGHT_VERSION="1.65.1"      # playwright-core only: it drives Debian's /usr/bin/chromium
TYPESCRIPT_VERSION="5.9.3"
mkdir -p "$TOOLS"

log() { printf '[tools] %s\n' "$*" >&2; }

apt_pkgs() {
  local want=(rustc-web cargo-web rust-web-src lld-22 chromium chromium-driver)
  local missing=()
  for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

wasm_bindgen() {
  local bin="$TOOLS/wasm-bindgen/bin/wasm-bindgen"
  if [ -x "$bin" ] && "$bin" --version | grep -q " $WASM_BINDGEN_VERSION"; then return; fi
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 7 min cold)"
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS/wasm-bindgen"
}

twiggy() {
  [ -x "$TOOLS/twiggy/bin/twiggy" ] && return
  log "cargo install twiggy (a few minutes cold)"
  cargo install -q twiggy --root "$TOOLS/twiggy"
}

node_tools() {
  local dir="$TOOLS/node"
  mkdir -p "$dir"
  local stamp="$dir/.ok-$BINARYEN_VERSION-$PLAYWRIGHT_VERSION-$TYPESCRIPT_VERSION"
  if [ ! -f "$stamp" ]; then
    log "npm: binaryen, playwright-core, typescript"
    (cd "$dir" && [ -f package.json ] || echo '{"private":true}' > "$dir/package.json")
    (cd "$dir" && npm install -s --no-audit --no-fund --save-exact "binaryen@$BINARYEN_VERSION" \
      "playwright-core@$PLAYWRIGHT_VERSION" "typescript@$TYPESCRIPT_VERSION" >/dev/null)
    touch "$stamp"
  fi
}

maven_tools() {
  # Kotlin/JVM (scripts/test-uniffi.sh): a JDK (17 or newer) and Maven; Maven
  # itself fetches the Kotlin compiler, JNA, coroutines and JUnit from Maven
  # Central into ~/.m2 on first use. From apt (needs root) only when missing.
  local missing=()
  command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt: ${missing[*]} (needs root)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

python_tools() {
  # Python packages go into each script's own venv (test-python.sh,
  # bench-python.sh): nothing is installed into, or upgraded in, the
  # system Python. All it needs is the venv module with pip.
  python3 -c 'import venv, ensurepip' 2>/dev/null && return
  log "apt: python3-venv (python3 has no venv module with pip; needs root)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
}

for what in "${@:-all}"; do
  case "$what" in
    apt) apt_pkgs ;;
    wasm) apt_pkgs; wasm_bindgen; node_tools ;;
    node) node_tools ;;
    kotlin) maven_tools ;;
    python) python_tools ;;
    all) apt_pkgs; python_tools; node_tools; maven_tools; wasm_bindgen ;;
    twiggy) twiggy ;;
    *) echo "unknown: $what" >&2; exit 2 ;;
  esac
done
