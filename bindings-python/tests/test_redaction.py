"""Canary redaction: a secret, password or token never shows in repr/str,
DEBUG logs, exception messages or formatted tracebacks."""

from __future__ import annotations

import json
import logging
import traceback

import pytest

import mapsindoors_auth as mia

from conftest import Emulator

CANARY = "CANARY-7f3a9c1e-do-not-print"


def texts_of(*objs: object) -> str:
    return "\n".join(f"{o!r}\n{o!s}" for o in objs)


def test_values_redact() -> None:
    client = mia.Client(auth_url="http://127.0.0.1:1", client_id="c", client_secret=CANARY)
    user = mia.Client(auth_url="http://127.0.0.1:1", username="u", password=CANARY)
    record = mia.StoreRecord(auth_url="http://127.0.0.1:1", customer_id="c", client_id="c", client_secret=CANARY)
    request = mia.Request("POST", "http://x/connect/token", [("Authorization", f"Bearer {CANARY}")], f"client_secret={CANARY}".encode())
    login = client._session.token().poll(0)  # a Send step: its body holds the secret
    text = texts_of(client, user, record, request, mia.MemoryStore(record), client._session, login)
    assert login.purpose == "login" and CANARY.encode() in login.body
    assert CANARY not in text
    assert CANARY in record.to_json()


def test_logs_errors_and_tracebacks(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mapsindoors_auth")

    def transport(request: mia.Request) -> mia.Response:
        if request.url.endswith("/connect/token"):
            body = json.dumps({"access_token": CANARY, "token_type": "Bearer", "expires_in": 3600})
            return mia.Response(200, [("Content-Type", "application/json")], body.encode())
        body = json.dumps({"id": "i", "description": None, "createdAt": "2024-05-27T14:26:36.9981013Z", "secret": CANARY})
        return mia.Response(200, [("Content-Type", "application/json")], body.encode())

    client = mia.Client(auth_url="http://127.0.0.1:1", customer_id="c", client_id="c", client_secret=CANARY, transport=transport)
    token = client.token()
    created = client.create_secret(description="d")
    assert token.access_token == CANARY and created.secret == CANARY
    assert CANARY not in texts_of(token, created)

    errors = []
    for bad in (
        lambda: mia.Client(**emulator.client_kwargs(client_secret=CANARY)).token(),
        lambda: mia.Client(auth_url=emulator.url, username=emulator.username, password=CANARY).token(),
        lambda: mia.Client(auth_url="http://127.0.0.1:9", client_id="c", client_secret=CANARY, retries=0).token(),
        lambda: mia.StoreRecord.from_json(json.dumps({"format": "mapsindoors-auth/secret-store", "version": 1, "secret": CANARY})),
    ):
        with pytest.raises(mia.MapsIndoorsAuthError) as err:
            bad()
        errors.append(err.value)
    for e in errors:
        formatted = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        assert CANARY not in formatted + repr(e.args) + str(e)
    assert "mapsindoors_auth" in caplog.text or caplog.records
    assert CANARY not in caplog.text
    assert any("connect/token" in r.getMessage() for r in caplog.records)
