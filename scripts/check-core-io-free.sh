#!/usr/bin/env bash
# Fails if the core (normal dependencies) pulls in an IO, runtime or binding crate,
# or if its source touches the clock, files or sockets.
set -euo pipefail
cd "$(dirname "$0")/.."

deps=$(cargo tree -p mapsindoors-auth -e normal --prefix none --locked | awk '{print $1}' | sort -u)
bad=$(printf '%s\n' "$deps" | grep -xE 'tokio|reqwest|ureq|hyper|async-std|gloo-net|pyo3|uniffi|wasm-bindgen|mio|socket2|rustls|getrandom|rand' || true)
if [ -n "$bad" ]; then
  echo "core depends on IO crates: $bad" >&2
  exit 1
fi
if grep -rnE 'std::(fs|net|thread)|SystemTime::now|Instant::now' core/src; then
  echo "core/src touches the clock, files or sockets" >&2
  exit 1
fi
echo "core is IO-free: $(printf '%s\n' "$deps" | wc -l) crates in its normal dependency tree, none of them IO"
