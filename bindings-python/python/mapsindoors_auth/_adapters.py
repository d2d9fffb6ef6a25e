"""Adapters of other HTTP libraries to the transport protocol: the default
async transport on httpx (``HttpxTransport``), a user's ``httpx.Client``
and a user's ``requests.Session``. Each follows no redirect whatever the
library's setting, reads the raw body capped, and keeps the request's
deadline (for the sync ones, with a watchdog on the socket). The libraries
are imported only when used.
"""

from __future__ import annotations

from ._deadline import Deadline, of
from ._http import MAX_BODY_BYTES, Response, capped, identity

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, List, Optional

    from ._http import Request

__all__ = ["HttpxTransport"]


#: Per httpx client and event loop, the semaphore its requests through any
#: ``HttpxTransport`` wait on (see ``_pool_gate``).
_GATES: Any = None


def _pool_size(client: Any) -> Optional[int]:
    """The most connections the client's own pool opens (httpcore's
    ``AsyncConnectionPool``), or None if unknown or unlimited."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    size = getattr(pool, "_max_connections", None)
    return size if isinstance(size, int) and size > 0 else None


def _pool_gate(client: Any) -> Any:
    """A semaphore as wide as the client's pool, shared by every transport
    over that client on this event loop, or None.

    httpcore's pool matches every queued request against every connection
    each time a request starts or ends: with hundreds of requests queued on
    a 100-connection pool, a process spends most of its CPU there, the event
    loop starves, and requests time out or meet connections the server has
    dropped meanwhile (``httpx.ReadError``). Waiting here instead, in
    arrival order, keeps that queue no longer than the pool."""
    global _GATES
    import asyncio

    size = _pool_size(client)
    if size is None:
        return None
    if _GATES is None:
        import weakref

        _GATES = weakref.WeakKeyDictionary()
    loop = asyncio.get_running_loop()
    try:
        gates = _GATES.setdefault(client, {})
    except TypeError:  # not weakly referenceable
        return None
    gate = gates.get(loop)
    if gate is None:
        for old in [k for k in gates if k.is_closed()]:
            del gates[old]
        gate = gates[loop] = asyncio.Semaphore(size)
    return gate


class HttpxTransport:
    """The default async transport when httpx is installed.

    Wraps an ``httpx.AsyncClient`` (yours, or one it owns and closes); follows
    no redirects even if your client would, never raises on an HTTP status,
    reads at most ``MAX_BODY_BYTES`` undecoded, and ends the whole request at
    its deadline. Requests beyond the client's connection limit wait their
    turn here, not in httpx's pool (see ``_pool_gate``).
    """

    #: The whole request ends at its deadline: the drive loop need not bound it again.
    keeps_deadline = True

    def __init__(self, client: Any = None, *, timeout_ms: Optional[int] = 30_000) -> None:
        import httpx

        self._owned = client is None
        timeout = None if timeout_ms is None else timeout_ms / 1000
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self.timeout_ms = timeout_ms

    async def __call__(self, request: Request) -> Response:
        import asyncio

        deadline = of(request, self.timeout_ms)
        try:
            left = deadline.remaining()
            timeout = getattr(asyncio, "timeout", None)  # 3.11+: no task of its own, unlike wait_for
            if timeout is None:
                return await asyncio.wait_for(self._gated(request, deadline), left)
            async with timeout(left):
                return await self._gated(request, deadline)
        except BaseException as exc:
            error = deadline.failure(exc)
            if error is exc:
                raise exc  # afresh: a bare raise would bring the frames below back on Python < 3.11
            raise error from None

    async def _gated(self, request: Request, deadline: Deadline) -> Response:
        gate = _pool_gate(self._client)
        if gate is None:
            return await self._send(request, deadline)
        async with gate:
            return await self._send(request, deadline)

    async def _send(self, request: Request, deadline: Deadline) -> Response:
        req = self._client.build_request(
            request.method, request.url, headers=identity(request.headers), content=request.body,
            timeout=deadline.remaining(),
        )
        resp = await self._client.send(req, stream=True, follow_redirects=False)
        try:
            parts: List[bytes] = []
            size = 0
            async for chunk in resp.aiter_raw():
                parts.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY_BYTES:
                    break
            return Response(resp.status_code, resp.headers.multi_items(), b"".join(parts)[:MAX_BODY_BYTES])
        finally:
            await resp.aclose()

    async def aclose(self) -> None:
        """Closes the httpx client if this transport created it."""
        if self._owned:
            await self._client.aclose()


class _HttpxSyncTransport:
    """Adapts a user's ``httpx.Client`` to the sync transport protocol: never
    follows a redirect (whatever the client's ``follow_redirects``), reads the
    raw body capped, and ends the whole request at its deadline (a watchdog on
    each new connection's socket; a reused connection's reads are bounded by
    the time left when they begin)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __call__(self, request: Request) -> Response:
        deadline = of(request, None)
        deadline.arm()
        try:
            req = self._client.build_request(
                request.method, request.url, headers=identity(request.headers), content=request.body,
                timeout=deadline.remaining(), extensions={"trace": deadline.httpcore_trace},
            )
            resp = self._client.send(req, stream=True, follow_redirects=False)
            try:
                stream = resp.extensions.get("network_stream")
                if stream is not None:
                    deadline.watch(stream.get_extra_info("socket"))
                body = capped(resp.iter_raw(), deadline)
            finally:
                resp.close()
            return Response(resp.status_code, resp.headers.multi_items(), body)
        except BaseException as exc:
            error = deadline.failure(exc)
            if error is exc:
                raise exc  # afresh: a bare raise would bring the frames below back on Python < 3.11
            raise error from None
        finally:
            deadline.close()


class _RequestsTransport:
    """Adapts a user's ``requests.Session`` to the sync transport protocol: no
    redirects, the raw body capped, the deadline kept between reads and (by a
    watchdog on the socket) during the body; the headers' reads are bounded
    by the time left when the request begins."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def __call__(self, request: Request) -> Response:
        deadline = of(request, None)
        deadline.arm()
        try:
            left = deadline.remaining()
            resp = self._session.request(
                request.method, request.url, headers=dict(identity(request.headers)), data=request.body,
                timeout=None if left is None else (left, left), allow_redirects=False, stream=True,
            )
            try:
                sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
                if sock is not None:
                    deadline.watch(sock)
                body = capped(iter(lambda: resp.raw.read1(65536, decode_content=False) if hasattr(resp.raw, "read1")
                                    else resp.raw.read(65536, decode_content=False), b""), deadline)
            finally:
                resp.close()
            return Response(resp.status_code, list(resp.headers.items()), body)
        except BaseException as exc:
            error = deadline.failure(exc)
            if error is exc:
                raise exc  # afresh: a bare raise would bring the frames below back on Python < 3.11
            raise error from None
        finally:
            deadline.close()
