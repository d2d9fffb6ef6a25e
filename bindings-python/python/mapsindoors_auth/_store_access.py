"""How the clients use a store: ``load`` (None, or an old store's "missing"
error, means empty), sync or async methods (``call_store``), the error for
a missing store, and the store's optional rotation lock, taken sync or on
the event loop. Nothing here decides the protocol: the core does, through
the loads and compare-and-swap saves it asks for."""

from __future__ import annotations

from ._errors import InvalidInputError, StoreError
from ._native import StoreRecord

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, Callable, ContextManager, Optional


async def call_store(method: Callable[..., Any], *args: Any) -> Any:
    """Calls a store method: awaited if async, else in a worker thread so
    file IO never blocks the event loop."""
    import asyncio
    import inspect

    if inspect.iscoroutinefunction(method):
        return await method(*args)
    result = await asyncio.to_thread(method, *args)
    return await result if hasattr(result, "__await__") else result


def _missing(exc: BaseException) -> bool:
    return isinstance(exc, StoreError) and exc.store_kind == "missing"


def load(store: Any) -> Optional[StoreRecord]:
    """The store's record, or None when it is empty."""
    try:
        return store.load()  # type: ignore[no-any-return]
    except StoreError as e:
        if _missing(e):
            return None
        raise


async def aload(store: Any) -> Optional[StoreRecord]:
    """``load`` for ``AsyncClient``: awaited, or in a worker thread."""
    try:
        return await call_store(store.load)  # type: ignore[no-any-return]
    except StoreError as e:
        if _missing(e):
            return None
        raise


def empty() -> StoreError:
    """The error for an empty store and no credentials to seed it with."""
    return StoreError(
        "store error (missing): the store is empty; give the secret to seed it with "
        "(Client.from_store(store, customer_id=..., client_id=..., client_secret=...))",
        kind="store",
        store_kind="missing",
    )


def given(store: Any, held: Any) -> Any:
    """The store a call names, else the client's own; refused if neither."""
    if store is not None:
        return store
    if held is None:
        raise InvalidInputError(
            "invalid input: `store` no store to use: pass one to this call, Client(store=...) or Client.from_store",
            kind="invalid_input",
        )
    return held


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


def lock(store: Any) -> ContextManager[Any]:
    """The store's rotation lock, or a no-op: the lock is optional."""
    make = getattr(store, "lock", None)
    held = make() if callable(make) else None
    return held if held is not None and hasattr(held, "__enter__") else _NoLock()


class _InOneThread:
    """Holds a sync lock from one worker thread, entered and exited there
    (a ``threading.RLock`` must be released by the thread that took it), so
    the event loop never blocks. A wait cancelled part-way releases the
    lock as soon as it is taken."""

    def __init__(self, cm: Any) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._cm = cm
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mapsindoors-auth-lock")

    async def __aenter__(self) -> None:
        import asyncio

        entered = asyncio.wrap_future(self._pool.submit(self._cm.__enter__))
        try:
            await asyncio.shield(entered)
        except asyncio.CancelledError:

            def release(f: "asyncio.Future[Any]") -> None:
                if not f.cancelled() and f.exception() is None:
                    self._pool.submit(self._cm.__exit__, None, None, None)
                self._pool.shutdown(wait=False)

            entered.add_done_callback(release)
            raise
        except BaseException:
            self._pool.shutdown(wait=False)
            raise

    async def __aexit__(self, *exc: object) -> None:
        import asyncio

        try:
            await asyncio.wrap_future(self._pool.submit(self._cm.__exit__, None, None, None))
        finally:
            self._pool.shutdown(wait=False)


async def alock(store: Any) -> Any:
    """The store's rotation lock as an async context manager, or a no-op."""
    make = getattr(store, "lock", None)
    held = await call_store(make) if callable(make) else None
    if held is not None and hasattr(held, "__aenter__"):
        return held
    if held is not None and hasattr(held, "__enter__"):
        return _InOneThread(held)
    return _NoLock()
