"""Instruction counts under callgrind (a bench helper, not a test): the
client's user-space instructions per token fetch, and those of the import +
first fetch, for this package beside raw ``http.client``. Unlike CPU time
they do not move with the machine's load (the kernel's share, syscalls, is
not counted). Each figure is a run of N fetches minus a run of none, in
fresh interpreters under ``valgrind --tool=callgrind``.

Run as a script (by ``bench.py``) inside valgrind:
``python instructions.py CONTENDER N URL SECRET``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from typing import Callable, Dict, List, Optional

#: The contenders counted: the floor and this package, both ways.
CONTENDERS = {
    "raw http.client + json.loads (connection per fetch)": "raw",
    "raw http.client + json.loads (keep-alive)": "raw_keepalive",
    "mapsindoors_auth: fresh Client per fetch": "fresh",
    "mapsindoors_auth: one shared Client (keep-alive)": "shared",
}


def fetcher(which: str, url: str, secret: str) -> Callable[[], object]:
    """One contender's fetch (the same code as ``bench.contenders``)."""
    import http.client
    import json
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "", parts.port or 80
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": "bench-client", "client_secret": secret}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if which == "raw":
        def raw() -> object:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            try:
                conn.request("POST", "/connect/token", form, headers)
                return json.loads(conn.getresponse().read())["access_token"]
            finally:
                conn.close()
        return raw
    if which == "raw_keepalive":
        kept = http.client.HTTPConnection(host, port, timeout=30)

        def raw_keepalive() -> object:
            kept.request("POST", "/connect/token", form, headers)
            return json.loads(kept.getresponse().read())["access_token"]
        return raw_keepalive
    import mapsindoors_auth as mia

    kw = dict(auth_url=url, client_id="bench-client", client_secret=secret)
    if which == "fresh":
        def fresh() -> object:
            with mia.Client(**kw) as client:
                return client.token().access_token
        return fresh
    shared = mia.Client(**kw)
    return lambda: shared.token().access_token


def count(args: List[str], env: Optional[Dict[str, str]] = None) -> int:
    """Instructions callgrind collected running ``python *args``."""
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *args],
                         capture_output=True, text=True, env=env)
    m = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"callgrind failed: {out.stderr[-500:]}")
    return int(m.group(1))


def available() -> bool:
    return shutil.which("valgrind") is not None


def fetch_counts(url: str, secret: str, n: int) -> Dict[str, float]:
    """Instructions per fetch, per contender (a run of `n` minus one of 0,
    each after 20 warm-up fetches)."""
    me = os.path.abspath(__file__)
    out = {}
    for name, which in CONTENDERS.items():
        full = count([me, which, str(n), url, secret])
        none = count([me, which, "0", url, secret])
        out[name] = (full - none) / n
    return out


def import_counts(cases: Dict[str, str], prelude: str, env: Dict[str, str]) -> Dict[str, float]:
    """Instructions of each snippet (after `prelude`), minus the prelude alone."""
    base = count(["-c", prelude], env)
    return {name: float(count(["-c", prelude + code], env) - base) for name, code in cases.items()}


def main() -> None:
    which, n, url, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    fetch = fetcher(which, url, secret)
    for _ in range(20):
        fetch()
    for _ in range(n):
        fetch()


if __name__ == "__main__":
    main()
