"""End-to-end tests of ``AsyncClient`` against the emulator: the default
httpx transport and the urllib-in-a-thread fallback, single flight under
``asyncio.gather``, rotation, faults and retries."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

import mapsindoors_auth as mia

from conftest import Emulator
from test_e2e_sync import client_secrets, make_store, token_requests


def test_token_list_create_delete(emulator: Emulator) -> None:
    async def main() -> None:
        async with mia.AsyncClient(**emulator.client_kwargs()) as client:
            try:
                import httpx  # noqa: F401
            except ImportError:
                pass
            else:
                assert isinstance(client._transport, mia.HttpxTransport)
            token = await client.token()
            assert token.access_token
            created = await client.create_secret(description="async")
            assert created.id in {s.id for s in await client.list_secrets()}
            await client.delete_secret(created.id)
            assert created.id not in {s.id for s in await client.list_secrets()}

    asyncio.run(main())
    assert len(token_requests(emulator)) == 1


def test_a_user_creates_a_secret_for_a_named_client(emulator: Emulator) -> None:
    async def main() -> str:
        async with mia.AsyncClient(auth_url=emulator.url, customer_id=emulator.customer_id,
                                   username=emulator.username, password=emulator.password) as user:
            created = await user.create_secret(client_id="demo-client")
            listed = {s.id: s.client_id for s in await user.list_secrets()}
            assert listed[created.id] == "demo-client"
            return created.id

    created_id = asyncio.run(main())
    assert {s["id"]: s["client_id"] for s in emulator.secrets()}[created_id] == "demo-client"


def test_single_flight_100_gathered_calls(emulator: Emulator) -> None:
    emulator.fault("token", {"delay_ms": 200}, count=1)

    async def main() -> list:
        async with mia.AsyncClient(**emulator.client_kwargs()) as client:
            return await asyncio.gather(*(client.token() for _ in range(100)))

    tokens = asyncio.run(main())
    assert len({t.access_token for t in tokens}) == 1
    assert len(token_requests(emulator)) == 1


def test_single_flight_after_a_failed_login(emulator: Emulator) -> None:
    """A failed login fails its own caller and releases the waiters, who share one more login."""
    emulator.fault("token", {"status": {"code": 400, "body": "{\"error\":\"invalid_client\"}"}}, count=1)
    emulator.fault("token", {"delay_ms": 200}, count=1)

    async def main() -> list:
        async with mia.AsyncClient(**emulator.client_kwargs()) as client:
            return await asyncio.gather(*(client.token() for _ in range(20)), return_exceptions=True)

    results = asyncio.run(main())
    assert isinstance(results[0], mia.InvalidClientError)
    assert len({r.access_token for r in results[1:]}) == 1
    assert [e["status"] for e in token_requests(emulator)] == [400, 200]


def test_event_loop_is_never_blocked(emulator: Emulator) -> None:
    emulator.fault("token", {"delay_ms": 500}, count=1)

    async def main() -> float:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        task = asyncio.create_task(ticker())
        async with mia.AsyncClient(**emulator.client_kwargs()) as client:
            await client.token()
        task.cancel()
        return ticks

    assert asyncio.run(main()) >= 10


def test_fallback_without_httpx(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)

    async def main() -> None:
        client = mia.AsyncClient(**emulator.client_kwargs())
        assert not isinstance(client._transport, mia.HttpxTransport)
        assert (await client.token()).access_token
        assert await client.list_secrets()
        await client.aclose()

    asyncio.run(main())


def test_retries_and_transport_cause(emulator: Emulator) -> None:
    emulator.fault("list", {"status": {"code": 503, "retry_after": "0"}}, count=2)
    emulator.fault("token", "drop_before", count=3)

    async def main() -> None:
        async with mia.AsyncClient(**emulator.client_kwargs()) as client:
            assert await client.list_secrets()
        with pytest.raises(mia.ServerError):
            emulator.fault("create", {"status": {"code": 502}}, count=1)
            async with mia.AsyncClient(**emulator.client_kwargs()) as client:
                await client.create_secret()

    asyncio.run(main())
    assert [e["status"] for e in emulator.log() if e["route"] == "list"] == [503, 503, 200]

    emulator.reset()
    emulator.fault("token", "drop_before", count=5)

    async def fail() -> None:
        async with mia.AsyncClient(**emulator.client_kwargs(retries=1)) as client:
            await client.token()

    with pytest.raises(mia.TransportError) as err:
        asyncio.run(fail())
    assert err.value.__cause__ is not None


def test_rotate_and_login_and_rotate(emulator: Emulator, tmp_path: Path) -> None:
    store = make_store(emulator, tmp_path)
    emulator.admin("POST", "/_emulator/propagation", {"ms": 300})

    async def main() -> None:
        client = await mia.AsyncClient.from_store(store)
        async with client:
            report = await client.rotate(store)
            assert report.rotated and [s["id"] for s in client_secrets(emulator)] == [report.new_id]
            token = await client.login_and_rotate(store)
            assert token.access_token
            assert [s["id"] for s in client_secrets(emulator)] == [store.load().current_id]
            assert await client.list_secrets()

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("json_body", [False, True], ids=["header-only-401", "json-body-401"])
@pytest.mark.parametrize("transport", ["default", "no-httpx"])
def test_revoked_token_costs_exactly_one_login(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, json_body: bool, transport: str
) -> None:
    if transport == "no-httpx":
        monkeypatch.setitem(sys.modules, "httpx", None)
    emulator.bearer_errors(json_body)

    async def main() -> None:
        async with mia.AsyncClient(**emulator.client_kwargs()) as client:
            revoked = (await client.token()).access_token
            assert len(emulator.logins()) == 1
            emulator.revoke_tokens()
            seen = len(emulator.log())

            assert await client.list_secrets()
            after = emulator.log()[seen:]
            assert [(e["path"], e["status"]) for e in after if e["route"] == "list"] == [
                ("/api/clientcredentials", 401), ("/api/clientcredentials", 200)
            ]
            assert [e["status"] for e in after if e["method"] == "POST" and e["path"] == "/connect/token"] == [200]

            fresh = (await client.token()).access_token
            assert fresh and fresh != revoked
            assert len(emulator.logins()) == 2  # no further login
            assert await client.list_secrets()
            assert len(emulator.logins()) == 2

    asyncio.run(main())
