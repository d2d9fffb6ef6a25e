"""Events: what a client's drive loop did, one after each step it took (a
request, a load, a save, a sleep), in the core's one shape (``Event``). A
client hands them to its ``on_event`` callback; ``AsyncClient.events()``
also gives them as an async iterator (``EventStream``). An event never holds
a secret, token, URL or body: the core builds it from the step's purpose or
reason, the status or error kind, the generation and the duration."""

from __future__ import annotations

import asyncio
from typing import Any, List, Optional, TypedDict

__all__ = ["Event", "EventStream"]


class Event(TypedDict):
    """One step a client took and how it went (the core's ``Event``; every
    key is always present, ``None`` when it does not apply)."""

    #: ``send``, ``load``, ``persist`` or ``sleep``.
    event: str
    #: For ``send``: what the request was for (``login``, ``create``, ...; see ``PURPOSES``).
    purpose: Optional[str]
    #: For ``persist`` (``intent``, ``pending``, ...) and ``sleep`` (``backoff``, ``retry_after``, ``propagation``).
    reason: Optional[str]
    #: ``ok``, ``http_error``, ``transport_error``, ``conflict`` or ``store_error``.
    outcome: str
    #: For ``send``: the HTTP status, when a response came.
    status: Optional[int]
    #: For a failure without a status: the transport kind (``timeout``, ...) or store kind (``io``, ...).
    error: Optional[str]
    #: For ``persist``: the generation saved; for ``load``: the one read (None: empty).
    generation: Optional[int]
    #: How long the step took, in whole milliseconds (for ``sleep``: how long was slept).
    duration_ms: int


_END = object()


class EventStream:
    """The events of an ``AsyncClient`` from the moment ``events()`` was
    called, as an async iterator, until the stream or the client is closed
    (then it yields what is left and stops). Use it as an async context
    manager; read it in its own task, since it waits for the next event::

        async def log_events(client):
            async with client.events() as events:
                async for event in events:
                    print(event["event"], event["purpose"] or event["reason"], event["outcome"])

    Events queue up (unbounded) until read. ``close()`` stops it.
    """

    def __init__(self, streams: "List[EventStream]") -> None:
        self._streams = streams
        self._queue: "asyncio.Queue[Any]" = asyncio.Queue()
        self._closed = False
        streams.append(self)

    def _put(self, event: Event) -> None:
        if not self._closed:
            self._queue.put_nowait(event)

    def close(self) -> None:
        """Stops the stream: events already queued are still yielded, then it ends."""
        if not self._closed:
            self._closed = True
            if self in self._streams:
                self._streams.remove(self)
            self._queue.put_nowait(_END)

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called (or the client closed)."""
        return self._closed

    def __aiter__(self) -> "EventStream":
        return self

    async def __anext__(self) -> Event:
        item = await self._queue.get()
        if item is _END:
            self._queue.put_nowait(_END)  # later calls end too
            raise StopAsyncIteration
        return item  # type: ignore[no-any-return]

    async def __aenter__(self) -> "EventStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    async def aclose(self) -> None:
        """``close()``, awaitable."""
        self.close()

    def __repr__(self) -> str:
        return f"<EventStream {'closed' if self._closed else 'open'}, {self._queue.qsize()} queued>"
