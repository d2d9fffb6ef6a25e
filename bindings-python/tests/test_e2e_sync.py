"""End-to-end tests of the blocking ``Client`` against the emulator over
loopback HTTP: token, list, create, delete, rotate, rotate at login, faults
and retries, propagation delay, refusals."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import mapsindoors_auth as mia

from conftest import Emulator


def client_secrets(emulator: Emulator) -> list:
    return [s for s in emulator.secrets() if s["client_id"] == emulator.client_id]


def make_store(emulator: Emulator, tmp_path: Path, with_id: bool = True) -> mia.FileStore:
    (initial,) = client_secrets(emulator)
    store = mia.FileStore(tmp_path / "store.json")
    store.create(
        mia.StoreRecord(
            auth_url=emulator.url, customer_id=emulator.customer_id, client_id=emulator.client_id,
            client_secret=emulator.client_secret, secret_id=initial["id"] if with_id else None,
        )
    )
    return store


def token_requests(emulator: Emulator) -> list:
    return [e for e in emulator.log() if e["route"] == "token"]


def test_token_list_create_delete(emulator: Emulator) -> None:
    with mia.Client(**emulator.client_kwargs()) as client:
        token = client.token()
        assert token.token_type.lower() == "bearer" and token.expires_in == 3600 and token.access_token
        assert client.token() is not None
        assert len(token_requests(emulator)) == 1  # cached
        created = client.create_secret(description="py e2e")
        assert created.description == "py e2e" and len(created.secret) == 96
        listed = {s.id: s for s in client.list_secrets()}
        assert created.id in listed and listed[created.id].client_id == emulator.client_id
        assert abs(listed[created.id].created_at_ms - created.created_at_ms) < 1000
        other = mia.Client(auth_url=emulator.url, client_id=emulator.client_id, client_secret=created.secret)
        assert other.token().access_token
        client.delete_secret(created.id)
        assert created.id not in {s.id for s in client.list_secrets()}
        with pytest.raises(mia.NotFoundError) as err:
            client.delete_secret(created.id)
        assert err.value.status == 404


def test_password_grant_and_refusals(emulator: Emulator) -> None:
    user = mia.Client(auth_url=emulator.url, customer_id=emulator.customer_id, username=emulator.username, password=emulator.password)
    assert user.list_secrets()
    with pytest.raises(mia.InvalidGrantError) as err:
        mia.Client(auth_url=emulator.url, username=emulator.username, password="wrong").token()
    assert err.value.oauth_error == "invalid_grant" and err.value.status == 400
    with pytest.raises(mia.InvalidClientError) as err2:
        mia.Client(auth_url=emulator.url, client_id=emulator.client_id, client_secret="nope").token()
    assert err2.value.oauth_error == "invalid_client"
    with pytest.raises(mia.ForbiddenError) as err3:
        mia.Client(**emulator.client_kwargs(customer_id="other-customer")).list_secrets()
    assert err3.value.status == 403
    with pytest.raises(mia.InvalidInputError):
        mia.Client(auth_url="http://example.com", client_id="a", client_secret="b")


def test_a_user_creates_a_secret_for_a_named_client(emulator: Emulator) -> None:
    user = mia.Client(auth_url=emulator.url, customer_id=emulator.customer_id, username=emulator.username,
                      password=emulator.password)
    created = user.create_secret("for the job", client_id="demo-client")
    listed = {s.id: s for s in user.list_secrets()}
    assert listed[created.id].client_id == "demo-client" and listed[created.id].description == "for the job"
    assert {s["id"]: s["client_id"] for s in emulator.secrets()}[created.id] == "demo-client"
    assert mia.Client(auth_url=emulator.url, client_id="demo-client", client_secret=created.secret).token()
    create = [e for e in emulator.log() if e["route"] == "create"]
    assert create and "clientId=" in (create[-1]["query"] or ""), create


def test_retries_then_success_and_give_up(emulator: Emulator) -> None:
    emulator.fault("token", {"status": {"code": 503, "retry_after": "0"}}, count=2)
    client = mia.Client(**emulator.client_kwargs())
    assert client.token().access_token
    assert [e["status"] for e in token_requests(emulator)] == [503, 503, 200]

    emulator.reset()
    emulator.fault("token", {"status": {"code": 503}}, count=10)
    with pytest.raises(mia.ServerError) as err:
        mia.Client(**emulator.client_kwargs(retries=2)).token()
    assert err.value.status == 503 and len(token_requests(emulator)) == 3


def test_rate_limit_honours_retry_after(emulator: Emulator) -> None:
    emulator.fault("list", {"status": {"code": 429, "retry_after": "1"}}, count=1)
    client = mia.Client(**emulator.client_kwargs())
    client.token()
    started = time.monotonic()
    client.list_secrets()
    assert time.monotonic() - started >= 0.95
    emulator.fault("list", {"status": {"code": 429, "retry_after": "7"}}, count=1)
    with pytest.raises(mia.RateLimitedError) as err:
        mia.Client(**emulator.client_kwargs(retries=0)).list_secrets()
    assert err.value.retry_after == 7.0 and err.value.status == 429


def test_create_is_never_retried(emulator: Emulator) -> None:
    emulator.fault("create", {"status": {"code": 503}}, count=1)
    with pytest.raises(mia.ServerError):
        mia.Client(**emulator.client_kwargs()).create_secret(description="x")
    assert len([e for e in emulator.log() if e["route"] == "create"]) == 1


def test_transport_error_keeps_cause(emulator: Emulator) -> None:
    emulator.fault("token", "drop_before", count=5)
    with pytest.raises(mia.TransportError) as err:
        mia.Client(**emulator.client_kwargs(retries=1)).token()
    assert err.value.__cause__ is not None
    assert err.value.transport_kind in ("interrupted", "connect", "other")
    assert len(token_requests(emulator)) == 2
    with pytest.raises(mia.TransportError) as err2:
        mia.Client(auth_url="http://127.0.0.1:9", client_id="a", client_secret="b", retries=0).token()
    assert err2.value.transport_kind == "connect" and err2.value.__cause__ is not None


def test_timeout_is_a_transport_error(emulator: Emulator) -> None:
    emulator.fault("token", {"delay_ms": 1500}, count=1)
    with pytest.raises(mia.TransportError) as err:
        mia.Client(**emulator.client_kwargs(retries=0, timeout_ms=300)).token()
    assert err.value.transport_kind == "timeout"


@pytest.mark.parametrize("with_id", [True, False])
def test_rotate_with_file_store(emulator: Emulator, tmp_path: Path, with_id: bool) -> None:
    store = make_store(emulator, tmp_path, with_id)
    (old,) = client_secrets(emulator)
    with mia.Client.from_store(store, description="nightly") as client:
        report = client.rotate()
        assert report.rotated and not report.resumed
        assert report.new_id and report.new_id != old["id"]
        if with_id:  # named, so claimed: deleted once replaced
            assert report.deleted == [old["id"]] and report.kept == []
            assert [s["id"] for s in client_secrets(emulator)] == [report.new_id]
        else:  # unknown id, not provably the store's own: kept, with advice
            assert report.deleted == [] and len(report.kept) == 1
            assert report.kept[0].id is None and "unknown" in report.kept[0].advice
            assert sorted(s["id"] for s in client_secrets(emulator)) == sorted([old["id"], report.new_id])
        record = store.load()
        assert record is not None
        assert record.current_id == report.new_id and record.current_owned and not record.has_unfinished_rotation
        assert client.list_secrets()  # the client switched to the new secret
    if with_id:
        with pytest.raises(mia.InvalidClientError):
            mia.Client(**emulator.client_kwargs()).token()
    else:
        assert mia.Client(**emulator.client_kwargs()).token().access_token
    assert mia.Client.from_store(store).token().access_token


def test_login_and_rotate_every_run(emulator: Emulator, tmp_path: Path) -> None:
    store = make_store(emulator, tmp_path)
    ids = []
    for _ in range(3):
        with mia.Client.from_store(store) as client:
            token = client.login_and_rotate()
            assert token.access_token
            ids.append(store.load().current_id)
    assert len(set(ids)) == 3
    assert [s["id"] for s in client_secrets(emulator)] == [ids[-1]]


def test_rotate_waits_for_propagation(emulator: Emulator, tmp_path: Path) -> None:
    store = make_store(emulator, tmp_path)
    emulator.admin("POST", "/_emulator/propagation", {"ms": 700})
    report = mia.Client.from_store(store).rotate()
    assert report.rotated
    refused = [e for e in token_requests(emulator) if e["status"] == 400]
    assert refused, "the new secret should have been refused while propagating"
    assert [s["id"] for s in client_secrets(emulator)] == [report.new_id]


def test_rotate_gives_up_on_propagation_safely(emulator: Emulator, tmp_path: Path) -> None:
    store = make_store(emulator, tmp_path)
    before = store.load().current_id
    emulator.admin("POST", "/_emulator/propagation", {"ms": 60_000})
    with pytest.raises(mia.RotationIncompleteError) as err:
        mia.Client.from_store(store, propagation_wait_ms=500).rotate()
    assert err.value.stage == "verify"
    assert store.load().current_id == before
    assert mia.Client.from_store(store).token().access_token  # the old secret still works


def test_single_flight_across_threads(emulator: Emulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    emulator.fault("token", {"delay_ms": 200}, count=1)
    client = mia.Client(**emulator.client_kwargs())
    with ThreadPoolExecutor(max_workers=16) as pool:
        tokens = list(pool.map(lambda _: client.token(), range(50)))
    assert len({t.access_token for t in tokens}) == 1
    assert len(token_requests(emulator)) == 1


@pytest.mark.parametrize("json_body", [False, True], ids=["header-only-401", "json-body-401"])
def test_revoked_token_costs_exactly_one_login(emulator: Emulator, json_body: bool) -> None:
    emulator.bearer_errors(json_body)
    with mia.Client(**emulator.client_kwargs()) as client:
        revoked = client.token().access_token
        assert len(emulator.logins()) == 1
        emulator.revoke_tokens()
        seen = len(emulator.log())

        assert client.list_secrets()
        after = emulator.log()[seen:]
        assert [(e["path"], e["status"]) for e in after if e["route"] == "list"] == [
            ("/api/clientcredentials", 401), ("/api/clientcredentials", 200)
        ]
        assert [e["status"] for e in after if e["method"] == "POST" and e["path"] == "/connect/token"] == [200]

        fresh = client.token().access_token
        assert fresh and fresh != revoked
        assert len(emulator.logins()) == 2  # no further login
        assert client.list_secrets()
        assert len(emulator.logins()) == 2
