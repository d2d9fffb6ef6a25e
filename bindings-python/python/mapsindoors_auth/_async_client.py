"""``AsyncClient``: the asyncio client. All waiting is on the event loop
(transport, sleeps) or in worker threads (sync stores); concurrent
``await token()`` calls share one fetch through one ``asyncio.Future``."""

from __future__ import annotations

import os
TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, List, Optional, Tuple, Type, Union

from . import _store_access as access
from ._client import DEFAULT_AUTH_URL
from ._drive import call_store, now_ms, run_async
from ._errors import StoreConflictError
from ._http import async_transport
from ._native import CreatedSecret, RotationReport, SecretInfo, StoreRecord, Token, _Core

if TYPE_CHECKING:
    import asyncio

    from .stores import AsyncStore, Store

__all__ = ["AsyncClient"]


class AsyncClient:
    """An asyncio client for the MapsIndoors auth API.

    Takes the same keyword arguments as ``Client``. ``transport`` is an async
    callable ``(Request) -> Response``, an object with an async ``send``, or
    an ``httpx.AsyncClient``; the default uses httpx when installed, else the
    urllib transport in a worker thread. Use ``async with`` or ``aclose()``.
    """

    def __init__(
        self,
        *,
        auth_url: str = DEFAULT_AUTH_URL,
        customer_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        transport: Any = None,
        timeout: Optional[float] = 30.0,
        retries: int = 3,
    ) -> None:
        core = _Core(
            auth_url=auth_url, customer_id=customer_id, client_id=client_id, client_secret=client_secret,
            username=username, password=password, retries=retries,
        )
        self._init(core, transport, timeout)

    def _init(self, core: _Core, transport: Any, timeout: Optional[float]) -> None:
        self._core = core
        self._send, self._owned = async_transport(transport, timeout)
        self._timeout = timeout
        self._inflight: "Optional[asyncio.Future[Optional[Token]]]" = None
        self._rotating: "Optional[Tuple[asyncio.AbstractEventLoop, asyncio.Lock]]" = None

    def _rotation_lock(self) -> "asyncio.Lock":
        """One rotation, seed or claim of this client at a time (per event loop)."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._rotating is None or self._rotating[0] is not loop:
            self._rotating = (loop, asyncio.Lock())
        return self._rotating[1]

    @classmethod
    async def from_store(
        cls,
        store: Union[Store, AsyncStore],
        *,
        auth_url: str = DEFAULT_AUTH_URL,
        customer_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        secret_id: Optional[str] = None,
        claim: bool = False,
        description: Optional[str] = None,
        transport: Any = None,
        timeout: Optional[float] = 30.0,
        retries: int = 3,
    ) -> "AsyncClient":
        """A client that logs in with the current secret in `store`, seeding
        an empty store first; see ``Client.from_store``."""
        record = await access.aload(store)
        if record is not None:
            self = cls.__new__(cls)
            self._init(_Core.from_record(record, retries=retries), transport, timeout)
            return self
        if client_secret is None:
            raise access.empty("logging in from it")
        self = cls(
            auth_url=auth_url, customer_id=customer_id, client_id=client_id, client_secret=client_secret,
            transport=transport, timeout=timeout, retries=retries,
        )
        await self.seed(store, secret_id=secret_id, claim=claim, description=description)
        return self

    def __repr__(self) -> str:
        return (
            f"AsyncClient(auth_url={self._core.auth_url!r}, customer_id={self._core.customer_id!r}, "
            f"client_id={self._core.client_id!r})"
        )

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the transport if the client created it."""
        if self._owned is not None:
            await self._owned.aclose()

    async def token(self) -> Token:
        """A valid access token: cached, or fetched once for all concurrent callers."""
        import asyncio

        while True:
            kind, token, ticket = self._core.lookup(now_ms())
            if kind == "hit" and token is not None:
                return token
            if kind == "wait":
                inflight = self._inflight
                if inflight is None:
                    await asyncio.sleep(0.01)
                    continue
                result = await asyncio.shield(inflight)
                if result is not None:
                    return result
                continue
            assert ticket is not None
            return await self._fetch(ticket)

    async def _fetch(self, ticket: int) -> Token:
        import asyncio

        future: "asyncio.Future[Optional[Token]]" = asyncio.get_running_loop().create_future()
        # Mark a failure as retrieved when nobody was waiting for it.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._inflight = future
        token: Optional[Token] = None
        try:
            token = await run_async(self._core.token_flow(), self._send, self._timeout)
            assert token is not None
            return token
        except Exception as e:
            if not future.done():
                future.set_exception(e)
            raise
        finally:
            self._core.complete(ticket, token, now_ms())
            if self._inflight is future:
                self._inflight = None
            if not future.done():
                future.set_result(token)

    async def _call(self, operation: str, argument: Optional[str]) -> Any:
        self._core.check_call(operation, argument)
        token = await self.token()
        flow = self._core.api_flow(operation, argument, token)
        value, new_token = await run_async(flow, self._send, self._timeout)
        if new_token is not None:
            self._core.insert(new_token, now_ms())
        return value

    async def list_secrets(self) -> List[SecretInfo]:
        """The customer's secrets (metadata only; values are never listed)."""
        return await self._call("list", None)  # type: ignore[no-any-return]

    async def create_secret(self, description: Optional[str] = None) -> CreatedSecret:
        """Creates a secret. Its value is in the result, this once."""
        return await self._call("create", description)  # type: ignore[no-any-return]

    async def delete_secret(self, id: str) -> None:
        """Deletes a secret by id."""
        await self._call("delete", id)

    async def seed(
        self,
        store: Union[Store, AsyncStore],
        *,
        secret_id: Optional[str] = None,
        claim: bool = False,
        description: Optional[str] = None,
    ) -> StoreRecord:
        """Seeds an empty `store` with this client's secret; see ``Client.seed``."""
        async with self._rotation_lock(), await access.alock(store):
            held = await access.aload(store)
            if held is not None:
                raise StoreConflictError(
                    f"store error (conflict): the store holds a record already (generation {held.generation}); not seeded"
                )
            flow = self._core.seed_flow(secret_id=secret_id, claim=claim, description=description)
            record, token = await run_async(flow, self._send, self._timeout, store)
        self._core.insert(token, now_ms())
        return record  # type: ignore[no-any-return]

    async def claim(self, store: Union[Store, AsyncStore], id: str) -> StoreRecord:
        """Claims the secret `id` as the store's own; see ``Client.claim``."""
        async with self._rotation_lock(), await access.alock(store):
            record = await access.aload(store)
            if record is None:
                raise access.empty("claiming a secret")
            claimed = record.claim(id, now_ms())
            await call_store(store.save, claimed, record.generation)
        return claimed

    async def rotate(
        self,
        store: Union[Store, AsyncStore],
        *,
        description: Optional[str] = None,
        max_propagation_wait: Optional[float] = None,
    ) -> RotationReport:
        """Replaces the secret in `store` with a new one, crash-safely; see
        ``Client.rotate``. Rotations of one client are serialised by an
        asyncio lock, and the store's lock (if any) is awaited on the event
        loop, or held from one worker thread if it is a sync lock."""
        wait_ms = None if max_propagation_wait is None else int(max_propagation_wait * 1000)
        async with self._rotation_lock(), await access.alock(store):
            record = await access.aload(store)
            if record is None:
                raise access.empty("rotating it")
            flow = self._core.rotation_flow(record, description, os.urandom(8), now_ms(), wait_ms)
            try:
                report: RotationReport = await run_async(flow, self._send, self._timeout, store)
            except BaseException:
                # A failed run may still have promoted a new secret: switch to it.
                self._core.rotation_done(flow, None, now_ms())
                raise
        self._core.rotation_done(flow, report.token, now_ms())
        return report

    async def login_and_rotate(self, store: Union[Store, AsyncStore], *, description: Optional[str] = None) -> Token:
        """Rotate-at-every-login: rotates and returns a token from the new secret."""
        report = await self.rotate(store, description=description)
        token = report.token
        return token if token is not None else await self.token()
