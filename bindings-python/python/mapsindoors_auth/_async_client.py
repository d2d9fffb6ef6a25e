"""``AsyncClient``: the asyncio client. All waiting is on the event loop
(transport, sleeps) or in worker threads (sync stores); concurrent
``await token()`` calls share one fetch through one ``asyncio.Future``."""

from __future__ import annotations

import os
TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, List, Optional, Type

from ._client import DEFAULT_AUTH_URL
from ._drive import call_store, now_ms, run_async
from ._http import async_transport
from ._native import CreatedSecret, RotationReport, SecretInfo, StoreRecord, Token, _Core
from .stores import Store

if TYPE_CHECKING:
    import asyncio

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

    @classmethod
    async def from_store(
        cls, store: Store, *, transport: Any = None, timeout: Optional[float] = 30.0, retries: int = 3
    ) -> "AsyncClient":
        """A client that logs in with the current secret in `store`."""
        record = await call_store(store.load)
        self = cls.__new__(cls)
        self._init(_Core.from_record(record, retries=retries), transport, timeout)
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

    async def rotate(
        self, store: Store, *, description: Optional[str] = None, max_propagation_wait: Optional[float] = None
    ) -> RotationReport:
        """Replaces the secret in `store` with a new one, crash-safely; see ``Client.rotate``."""
        wait_ms = None if max_propagation_wait is None else int(max_propagation_wait * 1000)
        lock_fn = getattr(store, "lock", None)
        lock = await call_store(lock_fn) if callable(lock_fn) else None
        if lock is not None:
            if hasattr(lock, "__aenter__"):
                await lock.__aenter__()
            elif hasattr(lock, "__enter__"):
                await call_store(lock.__enter__)
        try:
            record: StoreRecord = await call_store(store.load)
            flow = self._core.rotation_flow(record, description, os.urandom(8), now_ms(), wait_ms)
            report: RotationReport = await run_async(flow, self._send, self._timeout, store)
        finally:
            if lock is not None:
                if hasattr(lock, "__aexit__"):
                    await lock.__aexit__(None, None, None)
                elif hasattr(lock, "__exit__"):
                    await call_store(lock.__exit__, None, None, None)
        self._core.rotation_done(flow, report.token, now_ms())
        return report

    async def login_and_rotate(self, store: Store, *, description: Optional[str] = None) -> Token:
        """Rotate-at-every-login: rotates and returns a token from the new secret."""
        report = await self.rotate(store, description=description)
        token = report.token
        return token if token is not None else await self.token()
