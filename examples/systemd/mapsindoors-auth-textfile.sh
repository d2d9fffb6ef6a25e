#!/bin/sh
# mapsindoors-auth-textfile STORE: writes `mapsindoors-auth status --prometheus`
# for STORE into node-exporter's textfile directory, atomically: the metrics go
# to a temp file in that directory (node-exporter reads only *.prom files) and
# are renamed to mapsindoors-auth.prom, so a scrape sees the old file or the new
# one, never half of one. Installed as /usr/local/libexec/mapsindoors-auth-textfile
# and run by mapsindoors-auth-status.service (examples/README.md).
#
# Environment: TEXTFILE_DIR (default /var/lib/prometheus/node-exporter),
# MAX_AGE (default 32d: two days past the rotation's 30d, so a rotation that
# is merely waiting for the next daily run is not reported as due),
# MAPSINDOORS_AUTH_BIN (default /usr/local/bin/mapsindoors-auth).
#
# Exit status: the CLI's when it printed nothing (the old file is left, and
# grows stale: alert on node_textfile_mtime_seconds), else 0 (the health is in
# the metrics: mapsindoors_auth_health).
set -u
store=${1:?usage: mapsindoors-auth-textfile STORE}
dir=${TEXTFILE_DIR:-/var/lib/prometheus/node-exporter}
bin=${MAPSINDOORS_AUTH_BIN:-/usr/local/bin/mapsindoors-auth}
max_age=${MAX_AGE:-32d}

tmp=$(mktemp "$dir/.mapsindoors-auth.prom.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
"$bin" --store "$store" status --prometheus --max-age "$max_age" >"$tmp"
rc=$?
if [ ! -s "$tmp" ]; then
    echo "mapsindoors-auth status --prometheus printed nothing (exit $rc); $dir/mapsindoors-auth.prom left as it was" >&2
    exit "$rc"
fi
# The status exit code (1 warning, 2 critical) is already in the metrics.
chmod 0644 "$tmp" && mv -f "$tmp" "$dir/mapsindoors-auth.prom"
