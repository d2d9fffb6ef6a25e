"""Benchmark (a script, not a test), against local emulators, every figure
beside its baseline measured in the same run:

1. token fetches: fetches/s and client CPU µs per fetch (``time.process_time``
   of this process only), medians of interleaved rounds, for raw
   ``http.client`` + ``json.loads`` (the floor, a connection per fetch), raw
   ``http.client`` keep-alive, raw urllib, raw httpx, raw requests, this
   package (a fresh ``Client`` per fetch; one shared ``Client``), authlib and
   msal, with ratios to the floor; and, with valgrind, user-space
   instructions per fetch (``instructions.py``), which load does not move.
   The emulator issues tokens with ``expires_in`` 0 here, so a shared
   client fetches at every ``token()``;
2. import time: ``import mapsindoors_auth``, and import + first fetch, beside
   the same with raw ``http.client``, in fresh interpreters (CPU and wall
   time, ``-X importtime``, instructions);
3. at scale (``scale.py``): N rotations in one asyncio process beside the
   same four calls with raw httpx.

Usage: python bench.py [--emulator BIN] [--wheel PATH] [--rounds 9] [--n 300]
                       [--scale-n 1000] [--concurrency 200] [--scale-rounds 3]
                       [--stress-concurrency 1000] [--only fetch|import|scale] [--no-callgrind]
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, List, Tuple

import emulator
import instructions
import scale

FLOOR = "raw http.client + json.loads (connection per fetch)"


def interleaved(contenders: Dict[str, Callable[[], object]], n: int, rounds: int) -> Dict[str, Tuple[float, float]]:
    """(fetches/s, client CPU µs per fetch) per contender: medians over
    rounds; within a round every contender runs `n` fetches, starting each
    round one contender later, so that load drift hits all alike."""
    walls: Dict[str, List[float]] = {name: [] for name in contenders}
    cpus: Dict[str, List[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for fn in contenders.values():
        for _ in range(5):
            fn()  # warm up
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = contenders[name]
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for _ in range(n):
                fn()
            cpu1, wall1 = time.process_time(), time.perf_counter()
            walls[name].append(n / (wall1 - wall0))
            cpus[name].append((cpu1 - cpu0) / n * 1e6)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in names}


def contenders(url: str, secret: str) -> Tuple[Dict[str, Callable[[], object]], List[str], List[Callable[[], None]]]:
    """The token-fetch contenders (each call: one uncached fetch), the
    names of those that could not be set up, and what to close."""
    import mapsindoors_auth as mia

    token_url = url + "/connect/token"
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "", parts.port or 80
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": emulator.BENCH_CLIENT, "client_secret": secret}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    kw = dict(auth_url=url, client_id=emulator.BENCH_CLIENT, client_secret=secret)
    out: Dict[str, Callable[[], object]] = {}
    missing: List[str] = []
    closers: List[Callable[[], None]] = []

    def raw_http_client() -> object:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request("POST", "/connect/token", form, headers)
            return json.loads(conn.getresponse().read())["access_token"]
        finally:
            conn.close()

    kept = http.client.HTTPConnection(host, port, timeout=30)
    closers.append(kept.close)

    def raw_http_client_keepalive() -> object:
        kept.request("POST", "/connect/token", form, headers)
        return json.loads(kept.getresponse().read())["access_token"]

    def raw_urllib() -> object:
        req = urllib.request.Request(token_url, data=form, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())["access_token"]

    def ours_fresh() -> object:
        with mia.Client(**kw) as client:  # a fresh client: no cache, a new connection
            return client.token().access_token

    shared = mia.Client(**kw)
    closers.append(shared.close)

    def ours_shared() -> object:
        return shared.token().access_token  # expires_in 0: fetched every time, on a kept-alive connection

    out[FLOOR] = raw_http_client
    out["raw http.client + json.loads (keep-alive)"] = raw_http_client_keepalive
    out["raw urllib urlopen + json.loads"] = raw_urllib
    try:
        import httpx

        hc = httpx.Client(timeout=30)
        closers.append(hc.close)

        def raw_httpx() -> object:
            return json.loads(hc.post(token_url, content=form, headers=headers).content)["access_token"]

        out["raw httpx.Client + json.loads (keep-alive)"] = raw_httpx
    except ImportError:
        missing.append("raw httpx")
    try:
        import requests

        rs = requests.Session()
        closers.append(rs.close)

        def raw_requests() -> object:
            return json.loads(rs.post(token_url, data=form, headers=headers, timeout=30).content)["access_token"]

        out["raw requests.Session + json.loads (keep-alive)"] = raw_requests
    except ImportError:
        missing.append("raw requests")
    out["mapsindoors_auth: fresh Client per fetch"] = ours_fresh
    out["mapsindoors_auth: one shared Client (keep-alive)"] = ours_shared
    try:
        from authlib.integrations.requests_client import OAuth2Session  # type: ignore[import-not-found]

        session = OAuth2Session(emulator.BENCH_CLIENT, secret, token_endpoint_auth_method="client_secret_post")
        closers.append(session.close)

        def authlib_fetch() -> object:
            return session.fetch_token(token_url, grant_type="client_credentials")["access_token"]

        out["authlib OAuth2Session.fetch_token (keep-alive)"] = authlib_fetch
    except ImportError:
        missing.append("authlib")
    try:
        out["msal acquire_token_for_client (keep-alive)"] = msal_contender(token_url, secret, closers)
    except Exception as exc:  # not installed, or this msal cannot be pointed at the emulator
        missing.append(f"msal ({type(exc).__name__}: {exc})")
    return out, missing, closers


def msal_contender(token_url: str, secret: str, closers: List[Callable[[], None]]) -> Callable[[], object]:
    """msal's client-credentials fetch against the emulator. msal reads an
    authority's OpenID configuration first, and wants https URLs; its
    ``http_client`` hook answers that one GET here and sends the token POST
    to the emulator's (plain http, loopback) token endpoint with a
    ``requests.Session``. Tokens with ``expires_in`` 0 are never served from
    msal's cache."""
    import msal  # type: ignore[import-not-found]
    import requests

    authority = "https://login.bench.invalid/bench-tenant"
    named = authority + "/oauth2/v2.0/token"
    config = json.dumps({
        "issuer": authority + "/v2.0", "token_endpoint": named,
        "authorization_endpoint": authority + "/oauth2/v2.0/authorize",
    })

    class Discovered:
        status_code = 200
        headers: Dict[str, str] = {"Content-Type": "application/json"}
        text = config

        def raise_for_status(self) -> None:
            pass

    class Http:
        def __init__(self) -> None:
            self.session = requests.Session()

        def get(self, url: str, **kwargs: Any) -> Any:
            if "openid-configuration" in url:
                return Discovered()
            return self.session.get(url, **kwargs)

        def post(self, url: str, **kwargs: Any) -> Any:
            return self.session.post(token_url if url == named else url, **kwargs)

        def close(self) -> None:
            self.session.close()

    http_client = Http()
    closers.append(http_client.close)
    app = msal.ConfidentialClientApplication(
        emulator.BENCH_CLIENT, client_credential=secret, authority=authority, http_client=http_client,
        validate_authority=False, instance_discovery=False,
    )

    def fetch() -> object:
        result = app.acquire_token_for_client(scopes=["mapsindoors.auth"])
        if "access_token" not in result:
            raise RuntimeError(f"msal: {result.get('error')}: {result.get('error_description')}")
        return result["access_token"]

    fetch()
    return fetch


def fetch_table(binary: str, n: int, rounds: int, callgrind: bool) -> None:
    proc, url, secret = emulator.start(binary, [], "--token-lifetime", "0")
    try:
        fns, missing, closers = contenders(url, secret)
        rows = interleaved(fns, n, rounds)
        for close in closers:
            close()
        counted = instructions.fetch_counts(url, secret, 200) if callgrind else {}
    finally:
        emulator.stop(proc)
    floor_rate, floor_cpu = rows[FLOOR]
    floor_ir = counted.get(FLOOR)
    print(f"\ntoken fetches against the emulator ({url}), medians of {rounds} interleaved rounds x {n} fetches;")
    print("client CPU = time.process_time of this process per fetch; instructions = user-space instructions per")
    print("fetch under callgrind (200 fetches minus none; not moved by load); ratios to the floor (first row):\n")
    print(f"| {'contender':<52} | {'fetches/s':>9} | {'x floor':>7} | {'CPU us/fetch':>12} | {'x floor':>7} "
          f"| {'instr/fetch':>11} | {'x floor':>7} |")
    print(f"|{'-' * 54}|{'-' * 10}:|{'-' * 8}:|{'-' * 13}:|{'-' * 8}:|{'-' * 12}:|{'-' * 8}:|")
    for name, (rate, cpu) in rows.items():
        ir = counted.get(name)
        irs = f"{ir:11,.0f} | {ir / floor_ir:7.2f}" if ir is not None and floor_ir else f"{'':>11} | {'':>7}"
        print(f"| {name:<52} | {rate:9.0f} | {rate / floor_rate:7.2f} | {cpu:12.1f} | {cpu / floor_cpu:7.2f} | {irs} |")
    for name in missing:
        print(f"| {name:<52} | unavailable |")
    keep = "raw http.client + json.loads (keep-alive)"
    fresh, shared = "mapsindoors_auth: fresh Client per fetch", "mapsindoors_auth: one shared Client (keep-alive)"
    print(f"\nclient CPU, this package / raw http.client: fresh client {rows[fresh][1] / floor_cpu:.2f}x the floor "
          f"(a connection each); shared client {rows[shared][1] / rows[keep][1]:.2f}x raw keep-alive (goal: <= 1.1x)")
    if counted:
        print(f"instructions, same: fresh {counted[fresh] / counted[FLOOR]:.2f}x, "
              f"shared {counted[shared] / counted[keep]:.2f}x")


#: Read by every import snippet first (not counted): the emulator's address and credentials.
IMPORT_PRELUDE = (
    "import os, sys, time\n"
    "URL, ID, SECRET = os.environ['B_URL'], os.environ['B_ID'], os.environ['B_SECRET']\n"
    "HOST, PORT = os.environ['B_HOST'], int(os.environ['B_PORT'])\n"
    "FORM = os.environ['B_FORM'].encode()\n"
)

#: What each fresh interpreter runs, by case: the imports (timed with
#: ``-X importtime``, after the marker) and the first fetch.
IMPORT_CASES = {
    "import mapsindoors_auth": "import mapsindoors_auth",
    "import mapsindoors_auth + first fetch": (
        "import mapsindoors_auth\n"
        "with mapsindoors_auth.Client(auth_url=URL, client_id=ID, client_secret=SECRET) as c:\n"
        "    c.token()"
    ),
    "raw: import http.client, json + first fetch": (
        "import http.client, json\n"
        "c = http.client.HTTPConnection(HOST, PORT, timeout=30)\n"
        "c.request('POST', '/connect/token', FORM, {'Content-Type': 'application/x-www-form-urlencoded'})\n"
        "json.loads(c.getresponse().read())['access_token']\n"
        "c.close()"
    ),
}


def import_ms(code: str, env: Dict[str, str]) -> Tuple[float, float, float, List[str]]:
    """In one fresh interpreter: (ms importing, by ``-X importtime``: the
    top-level imports' cumulative wall time; CPU ms of the whole snippet;
    its wall ms; the notable modules it imported)."""
    prelude = (
        IMPORT_PRELUDE +
        "before = set(sys.modules)\n"
        "sys.stderr.write('@@start\\n'); sys.stderr.flush()\n"
        "c0, t0 = time.process_time(), time.perf_counter()\n"
    )
    epilogue = (
        "\nc1, t1 = time.process_time(), time.perf_counter()\n"
        "sys.stderr.write('@@end\\n')\n"
        "print((c1 - c0) * 1000, (t1 - t0) * 1000)\n"
        f"print(' '.join(sorted(m for m in set(sys.modules) - before if m in {NOTABLE!r})))\n"
    )
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", prelude + code + epilogue],
                         capture_output=True, text=True, env=env, check=True)
    err = out.stderr.split("@@start\n", 1)[1].split("@@end\n", 1)[0]
    total = 0
    for line in err.splitlines():
        fields = line.split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[1].strip().isdigit() \
                and not fields[2].startswith("  "):
            total += int(fields[1])  # a top-level import's cumulative µs
    times, mods = (out.stdout.splitlines() + [""])[:2]
    cpu, wall = (float(x) for x in times.split())
    return total / 1000, cpu, wall, mods.split()


#: Modules worth naming when a snippet imports them.
NOTABLE = ("urllib.request", "ssl", "http.client", "email.parser", "threading", "typing", "logging", "asyncio", "json")


def import_table(binary: str, runs: int, callgrind: bool) -> None:
    proc, url, secret = emulator.start(binary, [])
    try:
        parts = urllib.parse.urlsplit(url)
        env = dict(os.environ, B_URL=url, B_ID=emulator.BENCH_CLIENT, B_SECRET=secret, B_HOST=parts.hostname or "",
                   B_PORT=str(parts.port), B_FORM=urllib.parse.urlencode({
                       "grant_type": "client_credentials", "client_id": emulator.BENCH_CLIENT, "client_secret": secret}))
        results: Dict[str, List[Tuple[float, float, float, List[str]]]] = {name: [] for name in IMPORT_CASES}
        for _ in range(runs):
            for name, code in IMPORT_CASES.items():
                results[name].append(import_ms(code, env))
        counted = instructions.import_counts(IMPORT_CASES, IMPORT_PRELUDE, env) if callgrind else {}
    finally:
        emulator.stop(proc)
    print(f"\nimport time in fresh interpreters (median of {runs}): the snippet's CPU time (time.process_time) and wall time,")
    print("and the imports' own wall time (-X importtime, top-level imports' cumulative):\n")
    print(f"| {'case':<44} | {'CPU ms':>6} | {'wall ms':>7} | {'importing ms':>12} | {'instructions':>13} | modules it imported |")
    print(f"|{'-' * 46}|{'-' * 7}:|{'-' * 8}:|{'-' * 13}:|{'-' * 14}:|---|")
    for name, samples in results.items():
        imp = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        wall = statistics.median(s[2] for s in samples)
        ir = f"{counted[name]:13,.0f}" if name in counted else f"{'':>13}"
        print(f"| {name:<44} | {cpu:6.1f} | {wall:7.1f} | {imp:12.1f} | {ir} | {', '.join(samples[-1][3]) or '-'} |")
    print("(instructions: callgrind, the snippet minus the interpreter's start; the goal is 20 ms of imports in all)")


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser()
    ap.add_argument("--emulator", default=os.environ.get("MIA_EMULATOR_BIN", os.path.join(repo, "target/debug/mapsindoors-auth-emulator")))
    ap.add_argument("--wheel", default=None)
    ap.add_argument("--rounds", type=int, default=9, help="interleaved rounds of the token-fetch table")
    ap.add_argument("--n", type=int, default=300, help="fetches per contender per round")
    ap.add_argument("--import-runs", type=int, default=9)
    ap.add_argument("--scale-n", type=int, default=1000, help="clients (customers) rotated at scale")
    ap.add_argument("--concurrency", type=int, default=200, help="rotations in flight at scale")
    ap.add_argument("--scale-rounds", type=int, default=3)
    ap.add_argument("--stress-concurrency", type=int, default=1000, help="then one run at this concurrency (0: skip)")
    ap.add_argument("--only", choices=["fetch", "import", "scale"], action="append")
    ap.add_argument("--no-callgrind", action="store_true", help="skip the instruction counts (valgrind)")
    args = ap.parse_args()
    callgrind = not args.no_callgrind and instructions.available()
    if not callgrind:
        print("instruction counts: skipped (" + ("--no-callgrind" if args.no_callgrind else "no valgrind") + ")")
    only = set(args.only or ["fetch", "import", "scale"])

    if "fetch" in only:
        fetch_table(args.emulator, args.n, args.rounds, callgrind)
    if "import" in only:
        import_table(args.emulator, args.import_runs, callgrind)
        wheels: List[str] = [args.wheel] if args.wheel else sorted(glob.glob(os.path.join(repo, "target/python/wheels-release/*.whl")))
        for w in wheels:
            print(f"\nwheel {os.path.basename(w)}: {os.path.getsize(w) / 1024:.0f} KiB")
    if "scale" in only:
        scale.run(args.emulator, args.scale_n, args.concurrency, args.scale_rounds, args.stress_concurrency)


if __name__ == "__main__":
    main()
