"""Benchmark (a script, not a test): uncached token fetches/s through our
client against raw urllib (the floor), httpx and authlib, against one local
emulator; `import mapsindoors_auth` time; wheel size.

Usage: python bench.py [--emulator BIN] [--wheel PATH] [--rounds 5] [--n 200]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from typing import Callable, Dict, List, Optional


def start_emulator(binary: str) -> "tuple[subprocess.Popen[str], str, str]":
    proc = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = re.match(r"listening on (\S+)", proc.stdout.readline()).group(1)  # type: ignore[union-attr]
    secret = ""
    for line in proc.stdout:
        m = re.search(r"client_id demo-client\s+client_secret (\S+)", line)
        if m:
            secret = m.group(1)
        if line.startswith("user "):
            break
    return proc, url, secret


def rates(contenders: Dict[str, Callable[[], object]], n: int, rounds: int) -> Dict[str, float]:
    """Fetches/s per contender: the median over rounds, contenders interleaved
    within each round so that load drift on a shared machine hits all alike."""
    samples: Dict[str, List[float]] = {name: [] for name in contenders}
    for fn in contenders.values():
        fn()  # warm up
    for _ in range(rounds):
        for name, fn in contenders.items():
            started = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append(n / (time.perf_counter() - started))
    return {name: statistics.median(values) for name, values in samples.items()}


def import_time_ms(runs: int = 9) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import mapsindoors_auth"], capture_output=True, text=True, check=True
        ).stderr
        for line in out.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2] == "mapsindoors_auth":
                samples.append(int(parts[1]) / 1000)
    return statistics.median(samples)


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser()
    ap.add_argument("--emulator", default=os.environ.get("MIA_EMULATOR_BIN", os.path.join(repo, "target/debug/mapsindoors-auth-emulator")))
    ap.add_argument("--wheel", default=None)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()

    import mapsindoors_auth as mia

    proc, url, secret = start_emulator(args.emulator)
    try:
        token_url = url + "/connect/token"
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": secret}).encode()
        kw = dict(auth_url=url, client_id="demo-client", client_secret=secret)

        def raw_urllib() -> object:
            req = urllib.request.Request(token_url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read())["access_token"]

        def ours() -> object:
            return mia.Client(**kw).token().access_token  # a fresh client: no cache hit

        shared = mia.UrllibTransport()

        def ours_shared_transport() -> object:
            return mia.Client(**kw, transport=shared).token().access_token

        contenders: Dict[str, Callable[[], object]] = {}
        contenders["raw urllib POST + json.loads (floor)"] = raw_urllib
        contenders["mapsindoors_auth Client (urllib, fresh client per fetch)"] = ours
        contenders["mapsindoors_auth Client (shared UrllibTransport)"] = ours_shared_transport
        try:
            import httpx

            hc = httpx.Client()

            def raw_httpx() -> object:
                r = hc.post(token_url, content=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
                return json.loads(r.content)["access_token"]

            def ours_httpx() -> object:
                return mia.Client(**kw, transport=hc).token().access_token

            contenders["raw httpx.Client POST + json.loads (keep-alive)"] = raw_httpx
            contenders["mapsindoors_auth Client (transport=httpx.Client)"] = ours_httpx
        except ImportError:
            print("httpx not installed: skipped")
        try:
            from authlib.integrations.requests_client import OAuth2Session  # type: ignore[import-not-found]

            def authlib_fetch() -> object:
                s = OAuth2Session("demo-client", secret, token_endpoint_auth_method="client_secret_post")
                return s.fetch_token(token_url, grant_type="client_credentials")["access_token"]

            contenders["authlib OAuth2Session.fetch_token"] = authlib_fetch
        except ImportError:
            print("authlib not installed: skipped")
        rows = rates(contenders, args.n, args.rounds)

        print(f"\ntoken fetches/s (median of {args.rounds} rounds x {args.n}), emulator at {url}:")
        floor = rows["raw urllib POST + json.loads (floor)"]
        for name, value in rows.items():
            print(f"  {value:9.1f}/s  {value / floor:5.2f}x floor  {name}")
        if "raw httpx.Client POST + json.loads (keep-alive)" in rows:
            ratio = rows["mapsindoors_auth Client (transport=httpx.Client)"] / rows["raw httpx.Client POST + json.loads (keep-alive)"]
            print(f"  ours over httpx vs raw httpx: {ratio:.2f}x")
    finally:
        proc.terminate()
        proc.wait()

    print(f"\nimport mapsindoors_auth: {import_time_ms():.1f} ms (median of 9 fresh interpreters, -X importtime cumulative)")
    wheels: List[str] = [args.wheel] if args.wheel else sorted(glob.glob(os.path.join(repo, "target/python/wheels-release/*.whl")))
    for w in wheels:
        print(f"wheel {os.path.basename(w)}: {os.path.getsize(w) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
