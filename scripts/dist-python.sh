#!/usr/bin/env bash
# Builds the Python package's shipped artifacts (bindings-python) into OUT:
#   manylinux-x86_64    abi3 wheel for glibc >= 2.17 (manylinux2014), linked by zig
#   manylinux-aarch64   the same for 64-bit ARM (Debian's arm64 std, cross-linked by zig)
#   musllinux-x86_64    abi3 wheel for musl >= 1.2 (Alpine), std built from source
#   sdist               the source archive: builds with only Rust and maturin
#   all                 every one above
# Each wheel is a release (LTO) build. The build tools (maturin, ziglang,
# auditwheel) live in a venv of their own under the build folder; nothing goes
# into the system Python. apt (root) is used only by manylinux-aarch64, to fetch
# Debian's arm64 std of the same version as /usr/bin/rustc, once.
# Usage: scripts/dist-python.sh WHAT... OUT      (e.g. scripts/dist-python.sh all dist)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
[ "$#" -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
OUT="${*: -1}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"
TOOLS="${MIA_TOOLS:-$HOME/.cache/mapsindoors-auth-tools}"
BUILD_VENV="$MIA_TARGET/python/build-venv"
MANIFEST=bindings-python/Cargo.toml
log() { printf '[dist-python] %s\n' "$*" >&2; }

build_venv() {
  [ -x "$BUILD_VENV/bin/python" ] || python3 -m venv "$BUILD_VENV"
  "$BUILD_VENV/bin/python" -c 'import maturin, ziglang, auditwheel' 2>/dev/null ||
    "$BUILD_VENV/bin/pip" install -q --disable-pip-version-check 'maturin>=1.16,<2' 'ziglang>=0.13,<0.16' 'auditwheel>=6'
  # maturin --zig finds `python -m ziglang` through the venv's bin on PATH.
  export PATH="$BUILD_VENV/bin:$PATH"
}

# maturin prints the wheel it built ("📦 Built wheel ... to PATH"); the last .whl
# it names is the one just made.
maturin_build() { # target-dir maturin-args...
  local log_file
  log_file="$(mktemp)"
  if ! CARGO_TARGET_DIR="$1" maturin build --release --zig -m "$MANIFEST" --out "$OUT" "${@:2}" 2>&1 | tee "$log_file" >&2; then
    rm -f "$log_file"
    log "maturin failed"
    return 1
  fi
  grep -oE '[^ ]+\.whl' "$log_file" | tail -n1
  rm -f "$log_file"
}

# auditwheel reads the wheel's ELF and says which policy it really meets: the
# file name must not claim more than that.
check_tag() { # wheel expected-policy
  local shown
  shown="$(auditwheel show "$1" 2>&1)" || { echo "$shown" >&2; exit 1; }
  echo "$shown" >&2
  grep -q "\"$2\"" <<<"$shown" || { log "auditwheel does not confirm $2 for $1"; exit 1; }
}

manylinux_x86_64() {
  local whl
  whl="$(maturin_build "$MIA_TARGET/python/zig" --compatibility manylinux2014)" || exit 1
  check_tag "$whl" manylinux_2_17_x86_64
  echo "$whl"
}

# Debian's arm64 std of rustc-web, unpacked once into a sysroot for /usr/bin/rustc;
# sets SYSROOT. Needs root the first time (dpkg --add-architecture, apt-get);
# the arm64 architecture is removed again however the download ends.
aarch64_sysroot() {
  local version root debs found
  version="$(dpkg-query -W -f '${Version}' libstd-rust-web-dev)"
  root="$TOOLS/rust-sysroot-aarch64-$version"
  SYSROOT="$root"
  [ -d "$root/lib/rustlib/aarch64-unknown-linux-gnu" ] && return 0
  [ "$(id -u)" = 0 ] || { log "the aarch64 wheel needs Debian's arm64 Rust std once: run as root (apt-get download)"; exit 1; }
  log "apt: Debian's arm64 Rust std $version (download only, not installed; needs root)"
  debs="$(mktemp -d)"
  dpkg --add-architecture arm64
  trap 'dpkg --remove-architecture arm64 2>/dev/null; apt-get update -qq || true' EXIT
  apt-get update -qq
  (cd "$debs" && apt-get download -qq "libstd-rust-web-dev:arm64=$version" "$(dpkg-query -W -f '${Depends}' libstd-rust-web-dev | grep -oE 'libstd-rust-web-[0-9.]+' | head -n1):arm64=$version")
  dpkg --remove-architecture arm64
  apt-get update -qq
  trap - EXIT
  rm -rf "$root" "$root.tmp" && mkdir -p "$root.tmp/lib/rustlib" "$debs/x"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$debs/x"; done
  found="$(find "$debs/x" -type d -path '*/rustlib/aarch64-unknown-linux-gnu' | head -n1)"
  [ -n "$found" ] || { log "no aarch64 std in the downloaded packages"; rm -rf "$debs" "$root.tmp"; exit 1; }
  mv "$found" "$root.tmp/lib/rustlib/"
  ln -s /usr/lib/rustlib/x86_64-unknown-linux-gnu "$root.tmp/lib/rustlib/x86_64-unknown-linux-gnu"
  rm -rf "$debs" && mv "$root.tmp" "$root"
}

manylinux_aarch64() {
  local sysroot whl
  scripts/tools.sh apt >/dev/null   # Debian's rustc (rustc-web)
  aarch64_sysroot   # not in $(...): a failure there must stop the script
  sysroot="$SYSROOT"
  whl="$(RUSTC=/usr/bin/rustc CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="--sysroot=$sysroot" \
    maturin_build "$MIA_TARGET/python/zig-aarch64" --target aarch64-unknown-linux-gnu --compatibility manylinux2014)" || exit 1
  check_tag "$whl" manylinux_2_17_aarch64
  echo "$whl"
}

# No Debian package ships a musl std: Debian's rustc builds it from rust-web-src.
# auditwheel cannot judge a musl wheel on a glibc host (zig names musl's libc
# `libc.so`); maturin's own policy check passes, and the linked libraries are
# checked here instead: musl's libc only.
musllinux_x86_64() {
  local whl
  scripts/tools.sh apt >/dev/null   # Debian's rustc and its std source (rust-web-src)
  whl="$(RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    maturin_build "$MIA_TARGET/python/zig-musl" --target x86_64-unknown-linux-musl --compatibility musllinux_1_2)" || exit 1
  local needed
  needed="$(python3 - "$whl" <<'PY'
import sys, zipfile, subprocess, tempfile, os
with zipfile.ZipFile(sys.argv[1]) as z, tempfile.TemporaryDirectory() as d:
    so = [n for n in z.namelist() if n.endswith(".so")][0]
    path = z.extract(so, d)
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
    print(" ".join(sorted(l.split("[")[1].rstrip("]") for l in out.splitlines() if "(NEEDED)" in l)))
PY
)"
  log "musllinux wheel links: $needed"
  [ "$needed" = "libc.so" ] || { log "the musl wheel links more than musl's libc: $needed"; exit 1; }
  echo "$whl"
}

sdist() {
  local log_file
  log_file="$(mktemp)"
  maturin sdist -m "$MANIFEST" --out "$OUT" 2>&1 | tee "$log_file" >&2 || { rm -f "$log_file"; log "maturin sdist failed"; return 1; }
  grep -oE '[^ ]+\.tar\.gz' "$log_file" | tail -n1
  rm -f "$log_file"
}

build_venv
for what in "${@:1:$#-1}"; do
  case "$what" in
    manylinux-x86_64) manylinux_x86_64 ;;
    manylinux-aarch64) manylinux_aarch64 ;;
    musllinux-x86_64) musllinux_x86_64 ;;
    sdist) sdist ;;
    all) manylinux_x86_64; manylinux_aarch64; musllinux_x86_64; sdist ;;
    *) log "unknown: $what"; exit 2 ;;
  esac
done
