"""HTTP at the boundary: the plain ``Request``/``Response`` values the core's
flows exchange, the default transports (urllib; httpx when installed), and the
mapping from transport exceptions to the core's transport kinds.

No protocol here: transports move bytes and never raise on a 4xx/5xx.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    import ssl

__all__ = ["Request", "Response", "UrllibTransport", "HttpxTransport", "MAX_BODY_BYTES"]

#: Bodies are read up to this many bytes; the core refuses anything longer.
MAX_BODY_BYTES = 1024 * 1024 + 1

if TYPE_CHECKING:
    _Headers = List[Tuple[str, str]]


class Request:
    """A request the client asks its transport to send.

    ``headers`` are ``(name, value)`` pairs in order; ``body`` is bytes (empty
    for none). The body and the ``Authorization`` header may hold credentials:
    ``repr`` redacts them. ``timeout_ms`` is the client's per-request timeout
    in milliseconds, for the transport to apply.
    """

    __slots__ = ("method", "url", "headers", "body", "timeout_ms")

    def __init__(
        self,
        method: str,
        url: str,
        headers: Sequence[Tuple[str, str]] = (),
        body: bytes = b"",
        timeout_ms: Optional[int] = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers: _Headers = list(headers)
        self.body = body
        self.timeout_ms = timeout_ms

    def header(self, name: str) -> Optional[str]:
        """The first header with this name (case-insensitive), or None."""
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return None

    def __repr__(self) -> str:
        shown = [(k, "[redacted]" if k.lower() == "authorization" else v) for k, v in self.headers]
        return f"Request({self.method!r}, {self.url!r}, headers={shown!r}, body=[{len(self.body)} bytes redacted])"

    __str__ = __repr__


class Response:
    """What a transport hands back: any status, headers as pairs, body bytes."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: Sequence[Tuple[str, str]] = (), body: bytes = b"") -> None:
        self.status = int(status)
        self.headers: _Headers = [(str(k), str(v)) for k, v in headers]
        self.body = bytes(body)

    def __repr__(self) -> str:
        return f"Response({self.status}, headers={self.headers!r}, body=[{len(self.body)} bytes redacted])"

    __str__ = __repr__


def _seconds(request: Request, default_ms: Optional[int]) -> Optional[float]:
    """The request's timeout (else the transport's) in seconds, as HTTP libraries take it."""
    ms = request.timeout_ms if request.timeout_ms is not None else default_ms
    return None if ms is None else ms / 1000


_shared_opener: "Optional[Any]" = None


class UrllibTransport:
    """The default sync transport: the standard library only.

    Follows no redirects, never raises on an HTTP status (4xx/5xx come back
    as responses), and reads at most ``MAX_BODY_BYTES``. Pass your own
    ``ssl_context`` for a custom CA bundle; proxies come from the environment.
    """

    def __init__(self, *, timeout_ms: Optional[int] = 30_000, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        import urllib.request

        global _shared_opener
        self.timeout_ms = timeout_ms
        if ssl_context is None and _shared_opener is not None:
            self._opener = _shared_opener
        else:
            opener = urllib.request.OpenerDirector()
            # No HTTPErrorProcessor (so no exception for 4xx/5xx) and no redirect handler.
            for handler in (
                urllib.request.ProxyHandler(),
                urllib.request.UnknownHandler(),
                urllib.request.HTTPHandler(),
                urllib.request.HTTPSHandler(context=ssl_context),
            ):
                opener.add_handler(handler)
            self._opener = opener
            if ssl_context is None:
                # Like urllib's own global opener: built once (proxies read from the environment then).
                _shared_opener = opener
        self._request = urllib.request.Request

    def __call__(self, request: Request) -> Response:
        req = self._request(
            request.url,
            data=request.body if request.body or request.method == "POST" else None,
            headers=dict(request.headers),
            method=request.method,
        )
        with self._opener.open(req, timeout=_seconds(request, self.timeout_ms)) as resp:
            body = resp.read(MAX_BODY_BYTES)
            return Response(resp.status, resp.getheaders(), body)

    def close(self) -> None:
        """Nothing to release: urllib opens a connection per request."""


class HttpxTransport:
    """The default async transport when httpx is installed.

    Wraps an ``httpx.AsyncClient`` (yours, or one it owns and closes). Never
    raises on an HTTP status; reads at most ``MAX_BODY_BYTES``.
    """

    def __init__(self, client: Any = None, *, timeout_ms: Optional[int] = 30_000) -> None:
        import httpx

        self._owned = client is None
        timeout = None if timeout_ms is None else timeout_ms / 1000
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self.timeout_ms = timeout_ms

    async def __call__(self, request: Request) -> Response:
        extra: Dict[str, Any] = {} if request.timeout_ms is None else {"timeout": _seconds(request, None)}
        req = self._client.build_request(request.method, request.url, headers=request.headers, content=request.body, **extra)
        resp = await self._client.send(req, stream=True)
        try:
            chunks: List[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_BODY_BYTES:
                    break
            return Response(resp.status_code, resp.headers.multi_items(), b"".join(chunks)[:MAX_BODY_BYTES])
        finally:
            await resp.aclose()

    async def aclose(self) -> None:
        """Closes the httpx client if this transport created it."""
        if self._owned:
            await self._client.aclose()


class _HttpxSyncTransport:
    """Adapts a user's ``httpx.Client`` to the sync transport protocol."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __call__(self, request: Request) -> Response:
        extra: Dict[str, Any] = {} if request.timeout_ms is None else {"timeout": _seconds(request, None)}
        resp = self._client.request(request.method, request.url, headers=request.headers, content=request.body, **extra)
        return Response(resp.status_code, resp.headers.multi_items(), resp.content[:MAX_BODY_BYTES])


class _RequestsTransport:
    """Adapts a user's ``requests.Session`` to the sync transport protocol."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def __call__(self, request: Request) -> Response:
        resp = self._session.request(
            request.method, request.url, headers=dict(request.headers), data=request.body,
            timeout=_seconds(request, None), allow_redirects=False,
        )
        return Response(resp.status_code, list(resp.headers.items()), resp.content[:MAX_BODY_BYTES])


def _type_module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def sync_transport(transport: Any, timeout_ms: int) -> Tuple[Callable[[Request], Any], bool]:
    """The callable to send with, and whether the client owns it."""
    if transport is None:
        return UrllibTransport(timeout_ms=timeout_ms), True
    module = _type_module(transport)
    if module == "httpx" and hasattr(transport, "request"):
        return _HttpxSyncTransport(transport), False
    if module == "requests" and hasattr(transport, "request"):
        return _RequestsTransport(transport), False
    if hasattr(transport, "send") and not callable(transport):
        return transport.send, False
    if callable(transport):
        return transport, False
    raise TypeError("transport must be a callable (Request) -> Response or have a send(Request) method")


def async_transport(transport: Any, timeout_ms: int) -> Tuple[Callable[[Request], Any], Optional[Any]]:
    """The callable to send with (it may return an awaitable), and what to close."""
    if transport is None:
        try:
            owned = HttpxTransport(timeout_ms=timeout_ms)
        except ImportError:
            return _threaded(UrllibTransport(timeout_ms=timeout_ms)), None
        return owned, owned
    if _type_module(transport) == "httpx" and hasattr(transport, "build_request"):
        if hasattr(transport, "aclose"):
            return HttpxTransport(transport, timeout_ms=timeout_ms), None
        return _threaded(_HttpxSyncTransport(transport)), None
    if hasattr(transport, "send") and not callable(transport):
        return transport.send, None
    if callable(transport):
        return transport, None
    raise TypeError("transport must be an async callable (Request) -> Response or have an async send(Request) method")


def _threaded(send: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        import asyncio

        return await asyncio.to_thread(send, request)

    return run


def classify(exc: BaseException) -> Optional[str]:
    """The core's transport kind for a transport exception, or None if it is
    not one (a bug in a user transport propagates unchanged)."""
    import socket

    kind = getattr(exc, "transport_kind", None)
    if isinstance(kind, str):
        return kind
    module = _type_module(exc)
    if module == "httpx" or module == "httpcore":
        name = type(exc).__name__
        mro = {c.__name__ for c in type(exc).__mro__}
        if "TimeoutException" in mro or "Timeout" in name:
            return "timeout"
        if "ConnectError" in mro:
            return "connect"
        if mro & {"RemoteProtocolError", "ReadError", "WriteError", "NetworkError"}:
            return "interrupted"
        if "TransportError" in mro or "HTTPError" in mro:
            return "other"
        return None
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException) and type(exc).__name__ == "URLError":
        return classify(reason) or "connect"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(exc, (ConnectionRefusedError, socket.gaierror)):
        return "connect"
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, EOFError)):
        return "interrupted"
    import http.client

    if isinstance(exc, (http.client.RemoteDisconnected, http.client.IncompleteRead)):
        return "interrupted"
    if isinstance(exc, http.client.HTTPException):
        return "other"
    if type(exc).__name__ == "SSLError" or (isinstance(exc, OSError) and exc.errno is not None):
        return "connect"
    if isinstance(exc, OSError):
        return "other"
    return None


def describe(exc: BaseException) -> str:
    """A one-line description of an exception for error messages."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
