#!/usr/bin/env bash
# Builds the shipped Python wheel (abi3, manylinux2014 x86_64, release; the
# same build as `make dist`, scripts/dist-python.sh) and checks its tag with
# auditwheel, installs it into fresh venvs on the oldest and newest CPython
# supported (3.9 and 3.13 by default) and runs the pytest suite in each
# (vectors, emulator end-to-end, single flight, crash, redaction, the hostile
# corpus per transport) from OUTSIDE the source tree, against the installed
# copy; then mypy.stubtest and mypy --strict on the newest.
# Prints the flow-vector and `hostile: N passed, 0 failed (python <flavour>)`
# lines per CPython. Non-zero on any failure.
# Usage: scripts/test-python.sh            (from the repo root; CI=true friendly)
#        MIA_PYTHONS="3.9 3.12" scripts/test-python.sh   (other CPython versions: on PATH or pyenv's)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export MIA_TARGET="${MIA_TARGET:-$ROOT/target}"   # build output root (CI points it at a cache)
export CARGO_TARGET_DIR="$MIA_TARGET/python"
WHEELS="$CARGO_TARGET_DIR/wheels"
read -r -a PYTHONS <<<"${MIA_PYTHONS:-3.9 3.13}"

scripts/tools.sh python

# A CPython of version $1: pythonX.Y on PATH if it runs, else pyenv's newest X.Y.
find_python() {
  if "python$1" -c '' 2>/dev/null; then command -v "python$1"; return; fi
  local root candidate=""
  root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
  for p in "$root"/versions/"$1".*/bin/"python$1"; do [ -x "$p" ] && candidate="$p"; done
  [ -n "$candidate" ] || { echo "[python] CPython $1 not found (on PATH as python$1, or under $root/versions); set MIA_PYTHONS" >&2; return 1; }
  echo "$candidate"
}
INTERPRETERS=()
for v in "${PYTHONS[@]}"; do INTERPRETERS+=("$(find_python "$v")"); done

echo "[python] building the emulator" >&2
cargo build -q -p mapsindoors-auth-emulator --target-dir "$MIA_TARGET"
export MIA_EMULATOR_BIN="${MIA_EMULATOR_BIN:-$MIA_TARGET/debug/mapsindoors-auth-emulator}"

echo "[python] clippy + fmt check" >&2
cargo fmt -p mapsindoors-auth-python --check
# A separate target dir: maturin builds with other PYO3_* settings, which would rebuild pyo3 each time.
# Skipped when the workspace-wide clippy already ran (make test).
[ -n "${MIA_SKIP_CLIPPY:-}" ] || CARGO_TARGET_DIR="$MIA_TARGET/python/clippy" cargo clippy -q -p mapsindoors-auth-python --all-targets -- -D warnings

echo "[python] building the wheel (as make dist does)" >&2
rm -rf "$WHEELS"
WHEEL="$(scripts/dist-python.sh manylinux-x86_64 "$WHEELS")"

RUN_DIR="$(mktemp -d)"
trap 'rm -rf "$RUN_DIR"' EXIT
cd "$RUN_DIR"   # outside the source tree: imports resolve to the installed wheel

# Fresh venvs, the wheel installed as a user would (pip, from the file).
for i in "${!PYTHONS[@]}"; do
  venv="$CARGO_TARGET_DIR/venv-${PYTHONS[$i]}"
  rm -rf "$venv"
  "${INTERPRETERS[$i]}" -m venv "$venv"
  extra=(); [ "$i" -eq $((${#PYTHONS[@]} - 1)) ] && extra=(mypy)
  "$venv/bin/pip" install -q --disable-pip-version-check pytest httpx requests "${extra[@]}"
  "$venv/bin/pip" install -q --disable-pip-version-check "$WHEEL"
  echo "[python] $("$venv/bin/python" -VV | head -n1): $(basename "$WHEEL") installed" >&2
done

# The suites wait on sockets far more than they compute: run them side by side.
echo "[python] pytest on ${PYTHONS[*]}" >&2
pids=()
for v in "${PYTHONS[@]}"; do
  "$CARGO_TARGET_DIR/venv-$v/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/bindings-python/tests" >"$RUN_DIR/pytest-$v.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!PYTHONS[@]}"; do
  v="${PYTHONS[$i]}"
  wait "${pids[$i]}" || status=1
  echo "---- pytest, CPython $v: $(tail -n 1 "$RUN_DIR/pytest-$v.log")"
  [ "$status" -eq 0 ] || { cat "$RUN_DIR/pytest-$v.log"; exit 1; }
  # The flow vectors and the hostile corpus (tests/hostile/cases.json) print their counts per flavour:
  # they must have run, every hostile flavour with 0 failed.
  grep -E '^(flow vectors: [0-9]+ passed|hostile( figures)?[: ])' "$RUN_DIR/pytest-$v.log"
  [ "$(grep -cE '^hostile: [0-9]+ passed, 0 failed \(python ' "$RUN_DIR/pytest-$v.log")" -eq 6 ] ||
    { echo "[python] the hostile corpus did not pass in all 6 flavours on CPython $v" >&2; exit 1; }
done

NEWEST="$CARGO_TARGET_DIR/venv-${PYTHONS[-1]}"
echo "[python] stubtest and mypy --strict (CPython ${PYTHONS[-1]})" >&2
"$NEWEST/bin/python" -m mypy.stubtest mapsindoors_auth --allowlist "$ROOT/bindings-python/stubtest-allowlist.txt"
"$NEWEST/bin/python" -m mypy --strict --no-incremental -p mapsindoors_auth
echo "[python] all passed on ${PYTHONS[*]}" >&2
