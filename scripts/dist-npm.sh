#!/usr/bin/env bash
# Builds the npm package (scripts/build-wasm.sh) and packs it with `npm pack` into DIR,
# then checks the tarball's file list: both builds' .wasm, JS entries and .d.ts, the README
# and package.json, and nothing else (no tests, no Rust sources, no source maps).
# Prints the tarball's path on stdout (everything else goes to stderr).
# Usage: scripts/dist-npm.sh [--no-build] DIR   (--no-build: pack the package already in
#        $MIA_TARGET/wasm/pkg, as scripts/test-wasm.sh does right after its own build)
set -euo pipefail
BUILD=1
if [ "${1:-}" = --no-build ]; then BUILD=0; shift; fi
DIR="${1:?usage: scripts/dist-npm.sh [--no-build] DIR}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"   # relative to where it was called from
cd "$(dirname "$0")/.."
PKG="${MIA_WASM_TARGET_DIR:-${MIA_TARGET:-$PWD/target}/wasm}/pkg"
[ "$BUILD" = 0 ] || scripts/build-wasm.sh
[ -f "$PKG/package.json" ] || { echo "dist-npm: no package in $PKG (run scripts/build-wasm.sh)" >&2; exit 1; }

# npm pack --json lists the files it packed; the check reads that list.
LIST="$(mktemp)"
trap 'rm -f "$LIST"' EXIT
(cd "$PKG" && npm pack --json --loglevel=warn --pack-destination "$DIR") > "$LIST"
TARBALL="$DIR/$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[0].filename' "$LIST")"
node - "$LIST" "$TARBALL" <<'JS'
const fs = require("fs");
const [list, tarball] = process.argv.slice(2);
const [pack] = JSON.parse(fs.readFileSync(list, "utf8"));
const files = pack.files.map((f) => f.path).sort();
const want = ["package.json", "README.md", "web/index.js", "web/index.d.ts", "web/manual.js", "web/manual.d.ts",
  "web/mapsindoors_auth.js", "web/mapsindoors_auth.d.ts", "web/mapsindoors_auth_bg.wasm",
  "node/index.js", "node/index.d.ts", "node/mapsindoors_auth.js", "node/mapsindoors_auth_bg.wasm", "node/package.json"];
const allowed = /^(package\.json|README\.md|(web|node)\/(index|manual|mapsindoors_auth)(\.d\.ts|\.js)|(web|node)\/mapsindoors_auth_bg\.wasm(\.d\.ts)?|node\/package\.json|(web|node)\/snippets\/[^/]+\/js\/errors\.(js|d\.ts))$/;
const problems = [
  ...want.filter((f) => !files.includes(f)).map((f) => `missing ${f}`),
  ...files.filter((f) => !allowed.test(f)).map((f) => `unexpected ${f}`),
  ...["web", "node"].filter((t) => !files.some((f) => f.startsWith(`${t}/snippets/`) && f.endsWith("errors.js"))).map((t) => `missing ${t}/snippets/…/errors.js`),
];
if (problems.length) {
  fs.rmSync(tarball, { force: true });
  console.error(`dist-npm: the tarball's file list is wrong:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.error(`dist-npm: ${pack.filename}: ${files.length} files, ${(pack.size / 1024).toFixed(1)} KB packed, ${(pack.unpackedSize / 1024).toFixed(1)} KB unpacked`);
JS
echo "$TARBALL"
