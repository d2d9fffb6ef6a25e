"""``AsyncClient``: the asyncio client. The same native session as
``Client``; its tasks are driven on the event loop: the transport and async
stores are awaited, sync stores run in worker threads, and a task asked to
wait for another's login awaits ``asyncio.sleep``."""

from __future__ import annotations

from . import _store_access as access
from ._client import DEFAULT_AUTH_URL, _Base
from ._drive import run_async

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, List, Optional, Type, Union

    from ._http import Request
    from ._native import CreatedSecret, RotationReport, SecretInfo, StoreRecord, Token
    from .stores import AsyncStore, Store

__all__ = ["AsyncClient"]


class AsyncClient(_Base):
    """An asyncio client for the MapsIndoors auth API.

    Takes the same keyword arguments as ``Client``. ``transport`` is an async
    callable ``(Request) -> Response``, an object with an async ``send``, or
    an ``httpx.AsyncClient``; the default uses httpx when installed, else an
    ``HttpClientTransport`` in worker threads. Use ``async with`` or
    ``aclose()``: they close the default transport.
    """

    _async = True

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
        transport: Any = None,
        retries: int = 3,
        propagation_wait_ms: int = 30_000,
        timeout_ms: int = 30_000,
        description: Optional[str] = None,
    ) -> "AsyncClient":
        """A client that logs in with the current secret in `store`, seeding
        an empty store first; see ``Client.from_store``."""
        creds = dict(auth_url=auth_url, customer_id=customer_id, client_id=client_id, client_secret=client_secret)
        knobs = dict(retries=retries, propagation_wait_ms=propagation_wait_ms, timeout_ms=timeout_ms,
                     description=description)
        record = await access.aload(store)
        self: AsyncClient = cls._of(record, store, transport, creds, knobs)
        if record is None:
            await self.seed(secret_id=secret_id, claim=claim)
        return self

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
        return await run_async(self, self._session.token())  # type: ignore[no-any-return]

    async def list_secrets(self) -> List[SecretInfo]:
        """The customer's secrets (metadata only; values are never listed)."""
        return await run_async(self, self._session.list())  # type: ignore[no-any-return]

    async def create_secret(self, description: Optional[str] = None, *, client_id: Optional[str] = None) -> CreatedSecret:
        """Creates a secret. Its value is in the result, this once; see ``Client.create_secret``."""
        return await run_async(self, self._session.create(description, client_id=client_id))  # type: ignore[no-any-return]

    async def delete_secret(self, id: str) -> None:
        """Deletes a secret by id."""
        await run_async(self, self._session.delete(id))

    async def _locked(self, store: Any, task: Any) -> Any:
        store = access.given(store, self._store)
        async with await access.alock(store):
            return await run_async(self, task, store)

    async def seed(
        self, store: Optional[Union[Store, AsyncStore]] = None, *, secret_id: Optional[str] = None, claim: bool = False
    ) -> StoreRecord:
        """Seeds an empty store with this client's secret; see ``Client.seed``."""
        task = self._session.seed(self._random(8), secret_id=secret_id, claim=claim)
        return await self._locked(store, task)  # type: ignore[no-any-return]

    async def claim(self, id: str, *, store: Optional[Union[Store, AsyncStore]] = None) -> StoreRecord:
        """Claims the secret `id` as the store's own; see ``Client.claim``."""
        return await self._locked(store, self._session.claim(id))  # type: ignore[no-any-return]

    async def rotate(self, store: Optional[Union[Store, AsyncStore]] = None) -> RotationReport:
        """Replaces the secret in the store with a new one, crash-safely; see
        ``Client.rotate``. The store's lock (if any) is awaited on the event
        loop, or held from one worker thread if it is a sync lock."""
        return await self._locked(store, self._session.rotate(self._random(16)))  # type: ignore[no-any-return]

    async def login_and_rotate(self, store: Optional[Union[Store, AsyncStore]] = None) -> Token:
        """Rotate-at-every-login: rotates, then returns the client's token."""
        await self.rotate(store)
        return await self.token()

    # The platform, as hooks (tests replace them).
    def _send(self, request: Request, purpose: str) -> Any:
        return self._transport(request)

    async def _save(self, store: Any, record: StoreRecord, reason: str) -> None:
        await access.call_store(store.save, record, record.generation - 1)

    async def _sleep(self, ms: int, reason: str) -> None:
        import asyncio

        await asyncio.sleep(ms / 1000)

    async def _wait(self, ms: int) -> None:
        import asyncio

        await asyncio.sleep(ms / 1000)
