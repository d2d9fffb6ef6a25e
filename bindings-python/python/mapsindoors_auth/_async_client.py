"""``AsyncClient``: the asyncio client. The same native session as
``Client``; its tasks are driven on the event loop: the transport and async
stores are awaited, sync stores run in worker threads, and a task asked to
wait for another's login awaits ``asyncio.sleep``."""

from __future__ import annotations

from . import _store_access as access
from ._client import DEFAULT_AUTH_URL, _Base, callback_failed, max_age_ms, status_of
from ._drive import run_async

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    import datetime
    from typing import Any, Callable, List, Optional, Type, Union

    from ._events import Event, EventStream
    from ._http import Request
    from ._status import Status
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

    ``on_event`` is called after each step with an ``Event`` dict, as for
    ``Client``; it may be a plain function or a coroutine function (awaited
    before the task goes on). ``events()`` gives the same events as an async
    iterator.
    """

    _async = True
    _streams: "List[EventStream]"

    def _init(self, session: Any, transport: Any, store: Any, on_event: Any = None) -> None:
        super()._init(session, transport, store, on_event)
        self._streams = []

    def _listening(self) -> bool:
        return self._on_event is not None or bool(self._streams)

    def events(self) -> EventStream:
        """The client's events from now on, as an async iterator (and async
        context manager) that ends when it or the client is closed::

            async with client.events() as events:
                async for event in events:
                    ...

        Read it in a task of its own: it waits for the next event."""
        from ._events import EventStream

        return EventStream(self._streams)

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
        on_event: Optional[Callable[[Event], Any]] = None,
    ) -> "AsyncClient":
        """A client that logs in with the current secret in `store`, seeding
        an empty store first; see ``Client.from_store``."""
        creds = dict(auth_url=auth_url, customer_id=customer_id, client_id=client_id, client_secret=client_secret)
        knobs = dict(retries=retries, propagation_wait_ms=propagation_wait_ms, timeout_ms=timeout_ms,
                     description=description)
        record = await access.aload(store)
        self: AsyncClient = cls._of(record, store, transport, creds, knobs, on_event)
        if record is None:
            await self.seed(secret_id=secret_id, claim=claim)
        return self

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the transport if the client created it, and ends its event streams."""
        for stream in list(self._streams):
            stream.close()
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

    async def rotate(
        self, store: Optional[Union[Store, AsyncStore]] = None, *, max_age: Optional[datetime.timedelta] = None
    ) -> RotationReport:
        """Replaces the secret in the store with a new one, crash-safely
        (with `max_age`: only when the current one is at least that old); see
        ``Client.rotate``. The store's lock (if any) is awaited on the event
        loop, or held from one worker thread if it is a sync lock."""
        task = self._session.rotate(self._random(16), max_age_ms=max_age_ms(max_age))
        return await self._locked(store, task)  # type: ignore[no-any-return]

    async def login_and_rotate(
        self, store: Optional[Union[Store, AsyncStore]] = None, *, max_age: Optional[datetime.timedelta] = None
    ) -> Token:
        """Rotate-at-every-login: rotates (only when due, given `max_age`),
        then returns the client's token."""
        await self.rotate(store, max_age=max_age)
        return await self.token()

    async def status(
        self,
        store: Optional[Union[Store, AsyncStore]] = None,
        *,
        probe: bool = False,
        max_age: Optional[datetime.timedelta] = None,
    ) -> Status:
        """The store's status for monitoring (with `probe`, one login and one
        listing); see ``Client.status``."""
        task = self._session.status(probe=probe, max_age_ms=max_age_ms(max_age))
        return status_of(await run_async(self, task, access.given(store, self._store)))

    async def _emit(self, event: Event) -> None:
        for stream in self._streams:
            stream._put(event)
        callback = self._on_event
        if callback is not None:
            try:
                result = callback(event)
                if hasattr(result, "__await__"):
                    await result
            except Exception:
                callback_failed(callback)

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
