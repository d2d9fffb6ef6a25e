"""Crash safety: a Python process is SIGKILLed mid-rotation (after the pending
secret is saved, or after the server created a secret the store never saw);
the next rotation recovers with no secret lost and no orphan left."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mapsindoors_auth as mia

from conftest import Emulator
from test_e2e_sync import client_secrets, make_store

CRASHER = textwrap.dedent(
    """
    import os, signal, sys
    import mapsindoors_auth as mia

    path, where = sys.argv[1], sys.argv[2]

    class KillingStore:
        def __init__(self):
            self.inner = mia.FileStore(path)
        def load(self):
            return self.inner.load()
        def lock(self):
            return self.inner.lock()
        def save(self, record, expected_generation):
            self.inner.save(record, expected_generation)
            if where == "after_pending_saved" and record.has_pending:
                os.kill(os.getpid(), signal.SIGKILL)

    def transport(request):
        response = send(request)
        if where == "after_create_response" and request.method == "POST" and "clientcredentials" in request.url:
            os.kill(os.getpid(), signal.SIGKILL)
        return response

    send = mia.UrllibTransport()
    store = KillingStore()
    client = mia.Client.from_store(store, transport=transport)
    client.rotate()
    print("not killed")
    """
)


@pytest.mark.parametrize("where", ["after_pending_saved", "after_create_response"])
def test_kill_mid_rotation_then_recover(emulator: Emulator, tmp_path: Path, where: str) -> None:
    store = make_store(emulator, tmp_path)
    (original,) = client_secrets(emulator)
    proc = subprocess.run([sys.executable, "-c", CRASHER, str(tmp_path / "store.json"), where], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stdout + proc.stderr
    assert len(client_secrets(emulator)) == 2  # the old one and the one created before the kill
    crashed = store.load()
    assert crashed.has_unfinished_rotation
    assert crashed.has_pending == (where == "after_pending_saved")

    # The stored secret still works, then a fresh run finishes or cleans up.
    with mia.Client.from_store(store) as client:
        assert client.token().access_token
        report = client.rotate(store)
    assert report.resumed or where == "after_create_response"
    record = store.load()
    assert not record.has_unfinished_rotation
    remaining = [s["id"] for s in client_secrets(emulator)]
    assert remaining == [record.current_id], f"orphans left: {remaining}"
    assert original["id"] not in remaining
    assert mia.Client.from_store(store).token().access_token  # no secret lost
    assert os.stat(tmp_path / "store.json").st_mode & 0o077 == 0
