"""Shared fixtures: one emulator per test session (``$MIA_EMULATOR_BIN --port 0``)
with helpers for its admin routes, and a check that the tests import the
installed wheel rather than the source tree."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import urllib.request
from typing import Any, Dict, Iterator, List, Optional

import pytest

import mapsindoors_auth

REPO = pathlib.Path(__file__).resolve().parents[2]

#: Flow vectors replayed per flavour (``test_flows``), printed in the summary.
FLOW_COUNTS: Dict[str, int] = {}

#: The hostile corpus per transport flavour (``test_hostile_corpus``): counts and figures.
HOSTILE: Dict[str, Dict[str, Any]] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for flavour, count in sorted(FLOW_COUNTS.items()):
        terminalreporter.write_line(f"flow vectors: {count} passed (python {flavour})")
    for flavour, s in HOSTILE.items():
        terminalreporter.write_line(f"hostile: {s['passed']} passed, {s['failed']} failed (python {flavour})")
        if s["rss_start"] is not None and s["rss_peak"]:
            growth = f"peak RSS growth over the corpus {s['rss_peak'] - s['rss_start']} KiB"
        else:
            growth = f"ru_maxrss growth over the corpus {s['maxrss_end'] - s['maxrss_start']} KiB"
        terminalreporter.write_line(
            f"hostile figures (python {flavour}): slowest {s['slowest_ms']:.0f} ms ({s['slowest_case']}, "
            f"deadline {s['deadline_ms']} ms); {growth}, in one case at most {s['rss_kib']} KiB "
            f"({s['rss_case']}); tracemalloc peak {s['traced_kib']} KiB ({s['traced_case']})"
        )


def pytest_configure(config: Any) -> None:
    source = REPO / "bindings-python" / "python"
    assert source not in pathlib.Path(mapsindoors_auth.__file__).resolve().parents, (
        "tests must run on the installed wheel, not the source tree"
    )


class Emulator:
    """A running emulator and its admin routes."""

    def __init__(self, proc: "subprocess.Popen[str]", url: str, banner: str) -> None:
        self.proc = proc
        self.url = url
        self.banner = banner
        m = re.search(r"client_id demo-client\s+client_secret (\S+)", banner)
        assert m, banner
        self.client_secret = m.group(1)
        self.customer_id = "demo-customer"
        self.client_id = "demo-client"
        self.username = "admin@example.com"
        self.password = "demo-password"

    def admin(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
        return json.loads(text) if text.strip() else None

    def reset(self) -> None:
        self.admin("POST", "/_emulator/reset")
        self.admin("POST", "/_emulator/propagation", {"ms": 0})
        self.admin("POST", "/_emulator/bearer-errors", {"json_body": False})  # reset keeps it

    def fault(self, route: str, action: Any, count: int = 1) -> None:
        self.admin("POST", "/_emulator/faults", {"route": route, "action": action, "count": count})

    def revoke_tokens(self) -> None:
        self.admin("POST", "/_emulator/revoke-tokens")

    def bearer_errors(self, json_body: bool) -> None:
        self.admin("POST", "/_emulator/bearer-errors", {"json_body": json_body})

    def logins(self) -> List[Dict[str, Any]]:
        """The log's POSTs to the token endpoint."""
        return [e for e in self.log() if e["method"] == "POST" and e["path"] == "/connect/token"]

    def log(self) -> List[Dict[str, Any]]:
        return self.admin("GET", "/_emulator/log")  # type: ignore[no-any-return]

    def secrets(self, customer_id: str = "demo-customer") -> List[Dict[str, Any]]:
        return self.admin("GET", f"/_emulator/secrets?customerId={customer_id}")  # type: ignore[no-any-return]

    def client_kwargs(self, **extra: Any) -> Dict[str, Any]:
        kw: Dict[str, Any] = dict(
            auth_url=self.url, customer_id=self.customer_id, client_id=self.client_id, client_secret=self.client_secret
        )
        kw.update(extra)
        return kw


@pytest.fixture(scope="session")
def emulator_session() -> Iterator[Emulator]:
    binary = os.environ.get("MIA_EMULATOR_BIN", str(REPO / "target" / "debug" / "mapsindoors-auth-emulator"))
    proc = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    m = re.match(r"listening on (http://\S+)", first)
    assert m, first
    lines = []
    while True:
        line = proc.stdout.readline()
        lines.append(line)
        if line.startswith("user ") or not line:
            break
    try:
        yield Emulator(proc, m.group(1), "".join(lines))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture()
def emulator(emulator_session: Emulator) -> Emulator:
    """The session's emulator, reset to its seed for this test."""
    emulator_session.reset()
    return emulator_session
