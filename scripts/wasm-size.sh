#!/usr/bin/env bash
# `make size`: the npm package's shipped size beside its peers', measured the same way in one run.
#   ours   the web build's .wasm (after wasm-opt -Oz) and its JS as shipped (each file gzipped
#          alone), and a minimal usage (a client's token call) bundled like the peers, plus the .wasm;
#   peers  oauth4webapi, openid-client, oidc-client-ts and @azure/msal-browser, installed with npm
#          into a cache folder outside the repo and bundled with esbuild --bundle --minify
#          --format=esm: (a) the whole library, (b) a minimal token call.
# Every size is raw and gzip -9 bytes; the last column is the ratio to @azure/msal-browser's
# minimal bundle (the goal: below 1).
# Usage: scripts/wasm-size.sh [--ours | --top N] [PKG_DIR]   (default target/wasm/pkg, built if missing)
#   --ours                    our sizes only (no npm), as the tests use it
#   --top N                   instead: the N largest items of the .wasm (`twiggy top`) after
#                             wasm-opt, from a build that keeps function names
#                             (`MIA_WASM_NAMES=1 scripts/build-wasm.sh`; twiggy: scripts/tools.sh twiggy)
#   MIA_WASM_SIZE_LIMIT_KB=N  fails when our shipped gzipped total exceeds N KB
#   MIA_SIZE_CACHE=DIR        where the peers and esbuild are installed (default ~/.cache/mapsindoors-auth-size)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PEERS=1
if [ "${1:-}" = --ours ]; then PEERS=0; shift; fi
if [ "${1:-}" = --top ]; then
  NAMED="${MIA_TARGET:-target}/wasm/names/named.wasm"
  [ -f "$NAMED" ] || { echo "wasm-size: no $NAMED: run MIA_WASM_NAMES=1 scripts/build-wasm.sh" >&2; exit 1; }
  scripts/tools.sh twiggy
  # The name section is not shipped: left out of the list and the percentages.
  "${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}/twiggy/bin/twiggy" top -n 1000000 --format json "$NAMED" \
    | node -e '
      const rows = JSON.parse(require("fs").readFileSync(0, "utf8")).filter((r) => !/^"function names"/.test(r.name));
      const total = rows.reduce((a, r) => a + r.shallow_size, 0);
      console.log(`${"bytes".padStart(7)} ${"%".padStart(5)}  item (of ${total} bytes after wasm-opt, names left out)`);
      for (const r of rows.slice(0, Number(process.argv[1]))) {
        const name = r.name.replace(/\[[0-9a-f]{16}\]/g, "");
        console.log(`${String(r.shallow_size).padStart(7)} ${(100 * r.shallow_size / total).toFixed(1).padStart(5)}  ${name.length > 150 ? name.slice(0, 147) + "..." : name}`);
      }' "${2:?N}"
  exit
fi
PKG="${1:-${MIA_TARGET:-target}/wasm/pkg}"
DIR="$PKG/web"
if [ ! -f "$DIR/mapsindoors_auth_bg.wasm" ]; then
  [ -z "${1:-}" ] || { echo "wasm-size: no build in $DIR" >&2; exit 1; }
  echo "wasm-size: no build in $DIR: building it" >&2
  scripts/tools.sh wasm
  scripts/build-wasm.sh
fi
DIR="$(cd "$DIR" && pwd)"

size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
MSAL_MIN_GZ=0
row() { # name version raw gzip
  local ratio="-"
  [ "$MSAL_MIN_GZ" -gt 0 ] && ratio=$(awk -v g="$4" -v m="$MSAL_MIN_GZ" 'BEGIN { printf "%.2f", g / m }')
  awk -v n="$1" -v v="$2" -v r="$3" -v g="$4" -v x="$ratio" \
    'BEGIN { printf "%-48s %-8s %9d %9d %8.1f %7s\n", n, v, r, g, g / 1024, x }'
}

# Ours, as shipped: the .wasm and every JS file of web/.
wasm_raw=$(size "$DIR/mapsindoors_auth_bg.wasm"); wasm_gz=$(gz "$DIR/mapsindoors_auth_bg.wasm")
js_raw=0 js_gz=0 js_n=0
while IFS= read -r f; do
  js_raw=$((js_raw + $(size "$f"))); js_gz=$((js_gz + $(gz "$f"))); js_n=$((js_n + 1))
done < <(find "$DIR" -name '*.js' | sort)
total_raw=$((wasm_raw + js_raw)) total_gz=$((wasm_gz + js_gz))

declare -a PEER_ROWS=()
if [ "$PEERS" = 1 ]; then
  CACHE="${MIA_SIZE_CACHE:-$HOME/.cache/mapsindoors-auth-size}"
  WANT="oauth4webapi@3 openid-client@6 oidc-client-ts@3 @azure/msal-browser@5 esbuild@0"
  mkdir -p "$CACHE"
  if [ "$(cat "$CACHE/.installed" 2>/dev/null)" != "$WANT" ]; then
    echo "wasm-size: npm install $WANT into $CACHE" >&2
    [ -f "$CACHE/package.json" ] || echo '{"private":true}' > "$CACHE/package.json"
    # shellcheck disable=SC2086
    (cd "$CACHE" && npm install -s --no-audit --no-fund $WANT >/dev/null)
    echo "$WANT" > "$CACHE/.installed"
  fi
  WORK="$CACHE/work"
  rm -rf "$WORK" && mkdir -p "$WORK"
  cp -r "$ROOT/bindings-wasm/js/size-entries/." "$WORK/"
  ln -s "$DIR" "$WORK/mapsindoors-auth-web"
  bundle() { # entry -> prints "raw gz"
    (cd "$WORK" && NODE_PATH="$CACHE/node_modules" "$CACHE/node_modules/.bin/esbuild" "$1" --bundle --minify \
      --format=esm --platform=browser --log-level=error --external:'*.wasm' --outfile="out/$1")
    echo "$(size "$WORK/out/$1") $(gz "$WORK/out/$1")"
  }
  version() { node -p "require('$CACHE/node_modules/$1/package.json').version"; }
  read -r ours_min_raw ours_min_gz < <(bundle mapsindoors-auth.minimal.js)
  for peer in oauth4webapi openid-client oidc-client-ts @azure/msal-browser; do
    v=$(version "$peer")
    for kind in whole minimal; do
      read -r r g < <(bundle "${peer#@azure/}.$kind.js")
      PEER_ROWS+=("$peer ($kind)|$v|$r|$g")
      [ "$peer/$kind" = "@azure/msal-browser/minimal" ] && MSAL_MIN_GZ=$g
    done
  done
fi

echo "make size: $(date -u '+%Y-%m-%d %H:%M UTC'), load$(uptime | sed 's/.*load average://')"
printf '%-48s %-8s %9s %9s %8s %7s\n' bundle version "raw B" "gzip B" "gzip KB" "/msal"
row "mapsindoors-auth .wasm" 0.1.0 "$wasm_raw" "$wasm_gz"
row "mapsindoors-auth JS as shipped ($js_n files)" 0.1.0 "$js_raw" "$js_gz"
row "mapsindoors-auth .wasm + JS as shipped" 0.1.0 "$total_raw" "$total_gz"
if [ "$PEERS" = 1 ]; then
  row "mapsindoors-auth .wasm + minimal usage bundled" 0.1.0 $((wasm_raw + ours_min_raw)) $((wasm_gz + ours_min_gz))
  for line in "${PEER_ROWS[@]}"; do
    IFS='|' read -r n v r g <<< "$line"
    row "$n" "$v" "$r" "$g"
  done
fi
if [ -n "${MIA_WASM_SIZE_LIMIT_KB:-}" ] && [ "$total_gz" -gt $((MIA_WASM_SIZE_LIMIT_KB * 1024)) ]; then
  echo "wasm-size: gzipped total $total_gz B exceeds ${MIA_WASM_SIZE_LIMIT_KB} KB" >&2
  exit 1
fi
