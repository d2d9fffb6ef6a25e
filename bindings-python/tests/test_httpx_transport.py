"""A user's httpx client as the transport: whatever httpx raises (a read
error, a dropped connection, a pool or connect timeout, a refused connect)
reaches the caller as a typed ``TransportError`` with the httpx exception
as ``__cause__``, never raw; and many more concurrent calls than the
client's pool has connections all complete (they queue in
``HttpxTransport``, as wide as the pool, not in httpx's pool)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, List

import pytest

import mapsindoors_auth as mia

from conftest import Emulator

httpx = pytest.importorskip("httpx")

RAISED: List[Callable[[Any], BaseException]] = [
    lambda req: httpx.ReadError("reset by peer", request=req),
    lambda req: httpx.RemoteProtocolError("Server disconnected without sending a response.", request=req),
    lambda req: httpx.PoolTimeout("no connection in time", request=req),
    lambda req: httpx.ConnectTimeout("connect timed out", request=req),
    lambda req: httpx.ConnectError("[Errno 111] Connection refused", request=req),
]
KINDS = ["interrupted", "interrupted", "timeout", "timeout", "connect"]


def kw() -> dict:
    return dict(auth_url="http://127.0.0.1:9", client_id="c", client_secret="s", retries=0)


@pytest.mark.parametrize(("raise_", "kind"), list(zip(RAISED, KINDS)), ids=[
    "ReadError", "RemoteProtocolError", "PoolTimeout", "ConnectTimeout", "ConnectError"])
def test_httpx_errors_are_typed(raise_: Callable[[Any], BaseException], kind: str) -> None:
    def handler(request: Any) -> Any:
        raise raise_(request)

    async def run_async() -> BaseException:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            async with mia.AsyncClient(transport=http, **kw()) as client:
                with pytest.raises(mia.TransportError) as err:
                    await client.token()
        return err.value

    for error in (asyncio.run(run_async()), sync_error(handler)):
        assert error.transport_kind == kind, error
        assert type(error.__cause__).__module__.startswith("httpx"), repr(error.__cause__)


def sync_error(handler: Callable[[Any], Any]) -> BaseException:
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        with mia.Client(transport=http, **kw()) as client:
            with pytest.raises(mia.TransportError) as err:
                client.token()
    return err.value


def test_many_more_calls_than_connections_all_complete(emulator: Emulator) -> None:
    """200 clients at once over a pool of 4 connections (each login waits
    20 ms at the server)."""
    emulator.fault("token", {"delay_ms": 20}, count=200)

    async def main() -> List[Any]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=4)) as http:
            async def one() -> Any:
                async with mia.AsyncClient(transport=http, **emulator.client_kwargs()) as client:
                    return await client.token()

            return await asyncio.gather(*(one() for _ in range(200)), return_exceptions=True)

    results = asyncio.run(main())
    failed = [r for r in results if isinstance(r, BaseException)]
    assert not failed, failed[:3]
