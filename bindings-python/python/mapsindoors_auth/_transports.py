"""Which transport a client sends with: the default (``HttpClientTransport``
for ``Client``; httpx, else ``HttpClientTransport`` in worker threads, for
``AsyncClient``), or the user's — a callable, an object with ``send``, an
``httpx`` client or a ``requests.Session`` — adapted; and what the client
must close.
"""

from __future__ import annotations

from ._http import type_module
from ._http_client import HttpClientTransport

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Tuple

    from ._http import Request, Response


def sync_transport(transport: Any, timeout_ms: int) -> Tuple[Callable[[Request], Any], bool]:
    """The callable to send with, and whether the client owns it."""
    if transport is None:
        return HttpClientTransport(timeout_ms=timeout_ms), True
    module = type_module(transport)
    if module == "httpx" and hasattr(transport, "request"):
        from ._adapters import _HttpxSyncTransport

        return _HttpxSyncTransport(transport), False
    if module == "requests" and hasattr(transport, "request"):
        from ._adapters import _RequestsTransport

        return _RequestsTransport(transport), False
    if hasattr(transport, "send") and not callable(transport):
        return transport.send, False
    if callable(transport):
        return transport, False
    raise TypeError("transport must be a callable (Request) -> Response or have a send(Request) method")


def async_transport(transport: Any, timeout_ms: int) -> Tuple[Callable[[Request], Any], Optional[Any]]:
    """The callable to send with (it may return an awaitable), and what to close."""
    from ._adapters import HttpxTransport, _HttpxSyncTransport

    if transport is None:
        try:
            owned = HttpxTransport(timeout_ms=timeout_ms)
        except ImportError:
            threaded = _Threaded(HttpClientTransport(timeout_ms=timeout_ms), keeps_deadline=True)
            return threaded, threaded
        return owned, owned
    if type_module(transport) == "httpx" and hasattr(transport, "build_request"):
        if hasattr(transport, "aclose"):
            return HttpxTransport(transport, timeout_ms=timeout_ms), None
        return _Threaded(_HttpxSyncTransport(transport)), None
    if hasattr(transport, "send") and not callable(transport):
        return transport.send, None
    if callable(transport):
        return transport, None
    raise TypeError("transport must be an async callable (Request) -> Response or have an async send(Request) method")


class _Threaded:
    """A sync transport run in worker threads, for ``AsyncClient``;
    ``aclose`` closes it (in a worker thread too) if it has ``close``.
    ``keeps_deadline``: the sync transport ends each request at its
    deadline itself (``HttpClientTransport``; not an httpx client, whose DNS
    lookup is outside it)."""

    def __init__(self, send: Callable[[Request], Response], keeps_deadline: bool = False) -> None:
        self._send = send
        self.keeps_deadline = keeps_deadline

    async def __call__(self, request: Request) -> Response:
        import asyncio

        return await asyncio.to_thread(self._send, request)

    async def aclose(self) -> None:
        close = getattr(self._send, "close", None)
        if callable(close):
            import asyncio

            await asyncio.to_thread(close)
