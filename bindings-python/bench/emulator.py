"""The local emulator the benchmark runs against: started with a seed of
many customers (one client and one known secret each), its URL and the
credentials read back. A bench helper, not a test."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from typing import Dict, List, Tuple

#: The client of the token-fetch benchmark.
BENCH_CUSTOMER = "bench-customer"
BENCH_CLIENT = "bench-client"


class Customer:
    """One customer of the seed: its client, current secret and its id."""

    __slots__ = ("id", "client_id", "secret", "secret_id")

    def __init__(self, id: str, client_id: str, secret: str, secret_id: str) -> None:
        self.id = id
        self.client_id = client_id
        self.secret = secret
        self.secret_id = secret_id


def customers(prefix: str, group: int, n: int) -> List[Customer]:
    """`n` customers named `prefix`-i, each with one secret (known id and
    value); `group` makes the ids unique across groups."""
    out = []
    for i in range(n):
        secret_id = f"{group + 1:04x}{i:020x}"  # 24 hex digits, as the API's ids
        out.append(Customer(f"{prefix}-{i}", f"{prefix}-client-{i}", os.urandom(24).hex(), secret_id))
    return out


def seed(groups: List[Customer], bench_secret: str) -> Dict[str, object]:
    """The seed file's JSON: the bench client plus every customer given."""
    def customer(c: Customer) -> Dict[str, object]:
        return {"id": c.id, "clients": [{"client_id": c.client_id, "secrets": [{"id": c.secret_id, "secret": c.secret}]}]}

    bench = Customer(BENCH_CUSTOMER, BENCH_CLIENT, bench_secret, "0" * 23 + "1")
    return {
        "customers": [customer(bench)] + [customer(c) for c in groups],
        "users": [{"username": "bench@example.com", "password": "bench-password", "customers": [BENCH_CUSTOMER]}],
    }


def start(binary: str, groups: List[Customer], *args: str) -> Tuple["subprocess.Popen[str]", str, str]:
    """Starts the emulator with these customers (and the bench client);
    returns the process, its URL and the bench client's secret."""
    bench_secret = os.urandom(24).hex()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(seed(groups, bench_secret), f)
        path = f.name
    out = tempfile.TemporaryFile("w+")  # the banner lists every secret: a file, not a pipe to drain
    proc = subprocess.Popen([binary, "--port", "0", "--seed", path, *args], stdout=out, text=True)
    deadline = time.monotonic() + 60
    text = ""
    while "\nuser " not in text:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"the emulator did not start: {text[:200]!r}")
        time.sleep(0.05)
        out.seek(0)
        text = out.read()
    os.unlink(path)
    m = re.match(r"listening on (\S+)", text)
    assert m, text[:200]
    return proc, m.group(1), bench_secret


def stop(proc: "subprocess.Popen[str]") -> None:
    proc.terminate()
    proc.wait(timeout=10)
