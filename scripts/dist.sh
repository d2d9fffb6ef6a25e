#!/usr/bin/env bash
# `make dist`: every shipped artifact into dist/ (or DIR), each printed with its size.
#   Python  python/: abi3 wheels (manylinux2014 x86_64 and aarch64, musllinux_1_2 x86_64) and
#           the sdist, and a check that the sdist builds a wheel from source with only Rust and
#           maturin. A folder of its own: pip --find-links would take the npm .tgz for an sdist.
#   npm     mapsindoors-auth-VERSION.tgz (npm pack)
#   JVM     mapsindoors-auth-VERSION.jar with its .pom and -sources.jar
#   CLI     mapsindoors-auth (release binary for this machine's target)
#   Swift   mapsindoors-auth-swift-VERSION.tar.gz (the package with its generated sources,
#           for a machine with a Swift toolchain; see bindings-uniffi/swift/README.md)
# Each part's own script does the work (scripts/dist-*.sh); this one runs them in turn.
# Usage: scripts/dist.sh [DIR]     (MIA_DIST_SKIP_SDIST_CHECK=1 skips the from-source build)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
DIR="${1:-dist}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"
VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)"
step() { printf '\n== dist: %s\n' "$*" >&2; }
start=$(date +%s)

step "Python wheels and sdist"
scripts/dist-python.sh all "$DIR/python" >/dev/null

if [ "${MIA_DIST_SKIP_SDIST_CHECK:-0}" != 1 ]; then
  step "the sdist builds from source (a fresh venv; pip fetches only maturin)"
  check="$MIA_TARGET/python/sdist-check"
  rm -rf "$check/venv" "$check/wheel"
  python3 -m venv "$check/venv"
  # Build isolation on: pip reads the sdist's pyproject.toml and installs its build
  # requirement (maturin) into a throwaway environment, as a user's pip would.
  CARGO_TARGET_DIR="$check/target" "$check/venv/bin/pip" wheel -q --disable-pip-version-check \
    --no-deps --wheel-dir "$check/wheel" "$DIR/python/mapsindoors_auth-$VERSION.tar.gz" >&2
  "$check/venv/bin/pip" install -q --disable-pip-version-check --no-index "$check/wheel"/*.whl >&2
  (cd "$check" && venv/bin/python -c 'import mapsindoors_auth as m; m.Client' >&2)
  echo "dist: the sdist built $(basename "$check"/wheel/*.whl) and it imports" >&2
fi

step "npm tarball"
scripts/dist-npm.sh "$DIR" >/dev/null

step "Kotlin/JVM JAR"
scripts/dist-kotlin.sh "$DIR" >/dev/null

step "CLI (release)"
cargo build -q --locked --release -p mapsindoors-auth-cli --target-dir "$MIA_TARGET"
cp "$MIA_TARGET/release/mapsindoors-auth" "$DIR/mapsindoors-auth"
strip --strip-unneeded "$DIR/mapsindoors-auth"
"$DIR/mapsindoors-auth" --version >&2

step "Swift package (sources; compiled on a machine with swift)"
scripts/test-swift.sh --pack "$DIR/mapsindoors-auth-swift-$VERSION.tar.gz" >&2

step "done in $(( $(date +%s) - start )) s: $DIR"
# Only what this version's run made (an older version's files may sit beside them).
(cd "$DIR" && for f in python/mapsindoors_auth-"$VERSION"-* python/mapsindoors_auth-"$VERSION".tar.gz \
  mapsindoors-auth-"$VERSION".tgz mapsindoors-auth-"$VERSION".jar mapsindoors-auth-"$VERSION".pom \
  mapsindoors-auth-"$VERSION"-sources.jar mapsindoors-auth mapsindoors-auth-swift-"$VERSION".tar.gz; do
  [ -e "$f" ] || { echo "dist: missing $f" >&2; exit 1; }
  printf '%10s  %s\n' "$(numfmt --to=iec --suffix=B --format='%.1f' "$(stat -c %s "$f")")" "$DIR/$f"
done)
