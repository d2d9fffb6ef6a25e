#!/usr/bin/env bash
# Builds the npm package of bindings-wasm into target/wasm/pkg:
#   web/   ESM for pages and bundlers (`--target web`)
#   node/  for Node 20 (`--target experimental-nodejs-module`, ESM)
# web/index.js instantiates the .wasm on import; web/manual.js leaves init() to the caller
# (bindings-wasm/js/package.mjs writes the entries and package.json; scripts/dist-npm.sh packs it).
# Each .wasm goes through wasm-opt -Oz; the build fails if it imports from "env".
# Usage: scripts/build-wasm.sh            (installs what is missing first: scripts/tools.sh wasm)
#        MIA_WASM_PROFILE=speed scripts/build-wasm.sh   (opt-level 3 instead of "z", for size comparisons)
#        MIA_WASM_NAMES=1 scripts/build-wasm.sh   (also $CARGO_TARGET_DIR/names/: the web .wasm with
#                                                  its function names, for `scripts/wasm-size.sh --top`)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
TOOLS="${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}"
BINDGEN="$TOOLS/wasm-bindgen/bin/wasm-bindgen"
WASM_OPT="$TOOLS/node/node_modules/.bin/wasm-opt"
export CARGO_TARGET_DIR="${MIA_WASM_TARGET_DIR:-${MIA_TARGET:-$ROOT/target}/wasm}"
PKG="$CARGO_TARGET_DIR/pkg"
scripts/tools.sh wasm   # cheap when everything is installed
OPT_LEVEL='"z"'
[ "${MIA_WASM_PROFILE:-size}" = speed ] && OPT_LEVEL=3

# wasm-bindgen and its CLI must be one version: the lock file's against the CLI's.
LOCKED=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/, ""); print}' Cargo.lock)
CLI_VERSION=$("$BINDGEN" --version | awk '{print $2}')
if [ "$LOCKED" != "$CLI_VERSION" ]; then
  echo "build-wasm: Cargo.lock has wasm-bindgen $LOCKED but the CLI is $CLI_VERSION (scripts/tools.sh)" >&2
  exit 1
fi

# Debian's rustc-web builds wasm32 (rustup here has no wasm32 std); std is rebuilt
# for size (gzipped savings on the .wasm, measured one at a time on 2026-12-02):
#   -Cpanic=immediate-abort    panics abort at once: no panic-formatting machinery;
#   -Zlocation-detail=none     no file names and lines for panics that cannot print
#                              (with -Zfmt-debug=none: 3.0 KB gzipped);
#   -Zfmt-debug=none           `Debug` prints nothing: nothing in the package shows
#                              `Debug` output (messages use `Display`);
#   optimize_for_size          std's smaller algorithms (sort, ...): 2.9 KB gzipped.
env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
  /usr/bin/cargo build -q -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size \
  --target wasm32-unknown-unknown --release \
  -p mapsindoors-auth-wasm \
  --config "profile.release.opt-level=$OPT_LEVEL" --config 'profile.release.lto=true'

RAW="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/mapsindoors_auth_wasm.wasm"
wasm_opt() { # in out [flags]: the shipped optimisation
  "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue "${@:3}" "$1" -o "$2"
}
rm -rf "$PKG"
mkdir -p "$PKG"
for target in web node; do
  mode=$target; [ "$target" = node ] && mode=experimental-nodejs-module
  "$BINDGEN" --target "$mode" --out-dir "$PKG/$target" --out-name mapsindoors_auth \
    --remove-name-section --remove-producers-section "$RAW"
  wasm="$PKG/$target/mapsindoors_auth_bg.wasm"
  wasm_opt "$wasm" "$wasm.opt"
  mv "$wasm.opt" "$wasm"
  # The error classes live in a snippet; re-export them next to the generated API.
  snippet=$(cd "$PKG/$target" && find snippets -name errors.js | head -n1)
  [ -n "$snippet" ] || { echo "build-wasm: errors.js snippet missing" >&2; exit 1; }
  node "$ROOT/bindings-wasm/js/package.mjs" entry "$PKG/$target" "./$snippet"
done
if [ -n "${MIA_WASM_NAMES:-}" ]; then
  NAMES="$CARGO_TARGET_DIR/names"
  rm -rf "$NAMES"
  "$BINDGEN" --target web --out-dir "$NAMES" --out-name mapsindoors_auth --remove-producers-section "$RAW"
  wasm_opt "$NAMES/mapsindoors_auth_bg.wasm" "$NAMES/named.wasm" -g
fi
node "$ROOT/bindings-wasm/js/package.mjs" check-imports "$PKG/web/mapsindoors_auth_bg.wasm"
node "$ROOT/bindings-wasm/js/package.mjs" manifest "$PKG" "$ROOT/bindings-wasm/README.md"
echo "build-wasm: package at $PKG" >&2
