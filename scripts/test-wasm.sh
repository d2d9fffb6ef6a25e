#!/usr/bin/env bash
# Everything for the npm package (bindings-wasm), from the repo root:
# tools, emulator, wasm build, clippy, .d.ts check (tsc), conformance vectors and
# the admin page in headless Chromium (Playwright), Node 20 tests, then the npm tarball
# (scripts/dist-npm.sh) installed into the consumer projects of tests/consumers/ (a Vite
# and esbuild build of the admin page in Chromium, and a Node project), size check.
# Each test starts its own emulator on port 0. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)
TOOLS="${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}"
export MIA_TOOLS="$TOOLS"
log() { printf '\n== %s\n' "$*" >&2; }

log "tools"
scripts/tools.sh wasm

log "emulator"
CARGO_TARGET_DIR="$MIA_TARGET" cargo build -q -p mapsindoors-auth-emulator
export MIA_EMULATOR_BIN="${MIA_EMULATOR_BIN:-$MIA_TARGET/debug/mapsindoors-auth-emulator}"

log "clippy (native) and fmt"
[ -n "${MIA_SKIP_CLIPPY:-}" ] || CARGO_TARGET_DIR="$MIA_TARGET/wasm" cargo clippy -q -p mapsindoors-auth-wasm --all-targets -- -D warnings
cargo fmt -p mapsindoors-auth-wasm --check

log "wasm build"
scripts/build-wasm.sh
PKG="$MIA_TARGET/wasm/pkg"
export MIA_WASM_PKG="$PKG"

log "typescript: .d.ts has no any, and a typed usage file compiles"
if grep -nE '\bany\b' "$PKG/web/mapsindoors_auth.d.ts" | grep -vE '^[0-9]+:\s*(readonly [A-Za-z_0-9]+: \(|export type InitInput|\* )'; then
  echo "the public .d.ts mentions any (above)" >&2
  exit 1
fi
TSDIR="$MIA_TARGET/wasm/tsc"
rm -rf "$TSDIR" && mkdir -p "$TSDIR/node_modules"
ln -s "$PKG" "$TSDIR/node_modules/mapsindoors-auth"
cp bindings-wasm/tests/typed-usage.ts "$TSDIR/"
cat > "$TSDIR/tsconfig.json" <<'JSON'
{ "compilerOptions": { "target": "es2022", "module": "esnext", "moduleResolution": "bundler", "strict": true,
  "noEmit": true, "lib": ["es2022", "esnext.disposable", "dom"], "skipLibCheck": false, "types": [] }, "files": ["typed-usage.ts"] }
JSON
(cd "$TSDIR" && "$TOOLS/node/node_modules/.bin/tsc" -p tsconfig.json)

LOGS="$MIA_TARGET/wasm/logs"
mkdir -p "$LOGS"

log "browser: conformance vectors, the admin page and the hostile corpus in headless Chromium"
node bindings-wasm/tests/e2e.mjs | tee "$LOGS/e2e.log"

log "node: the nodejs build against the emulator"
node --test --test-reporter=spec bindings-wasm/tests/node.test.mjs

log "node: the package's fetch against hostile servers on 127.0.0.1 (redirects, deadline, body cap)"
node --test --test-reporter=spec bindings-wasm/tests/hostile.test.mjs

log "node: the hostile corpus (tests/hostile/cases.json) through the nodejs build's fetch"
node --test --test-reporter=spec bindings-wasm/tests/hostile-corpus.test.mjs | tee "$LOGS/hostile-node.log"

log "hostile corpus: per flavour"
grep -hoE 'hostile: (slowest .*|[0-9]+ passed, [0-9]+ failed) \((node|chromium)\)' "$LOGS/e2e.log" "$LOGS/hostile-node.log"

log "npm tarball: npm pack and its file list (scripts/dist-npm.sh)"
TARBALL=$(scripts/dist-npm.sh --no-build "$MIA_TARGET/wasm/dist")

# consumer NAME [PAGE]: copies tests/consumers/NAME out of the clone, to
# $MIA_TARGET/wasm/consumers/NAME (PAGE, a folder of the repo, into its page/ with the
# import map that serves it unbundled taken out: the bundler resolves the package),
# installs the tarball there as a user would (skipped when the tarball, package.json
# and lock are those of the last install) and runs its tests with node's test runner.
consumer() {
  local src="tests/consumers/$1" dest="$MIA_TARGET/wasm/consumers/$1" stamp
  mkdir -p "$dest"
  rm -rf "$dest/test" "$dest/page"
  cp -r "$src/." "$dest/"
  if [ -n "${2:-}" ]; then
    cp -r "$2" "$dest/page"
    sed -i '/<script type="importmap">/d' "$dest/page/index.html"
  fi
  stamp=$(cat "$TARBALL" "$src"/package*.json | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$dest/.installed" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$dest/node_modules/mapsindoors-auth"
    (cd "$dest" && npm install --no-save --no-audit --no-fund --prefer-offline --loglevel=error "$TARBALL")
    echo "$stamp" > "$dest/.installed"
  fi
  (cd "$dest" && MIA_REPO="$ROOT" node --test --test-reporter=spec test/*.test.mjs)
}

log "npm consumer: a Node project imports the installed tarball by name"
consumer npm-node

log "npm consumer: Vite (build and dev server) and esbuild bundle the admin page; Chromium runs it"
consumer npm-vite bindings-wasm/example

log "size (make size also prints the peers)"
# 152 KB gzipped: 143.4 KB before issue 14; its rotate-when-due, status and
# step events measured 149.4 KB (the core's part +3.8 KB; the binding's +2.2 KB
# net, after stripping the JS glue's JSDoc saved 2.7 KB); more fails here.
MIA_WASM_SIZE_LIMIT_KB="${MIA_WASM_SIZE_LIMIT_KB:-152}" scripts/wasm-size.sh --ours
