"""HTTP at the boundary: the plain ``Request``/``Response`` values the core's
flows exchange, the default transports (urllib; httpx when installed), and the
mapping from transport exceptions to the core's transport kinds.

No protocol here: transports move bytes and never raise on a 4xx/5xx.
"""

from __future__ import annotations

import time

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
    ``repr`` redacts them. ``timeout_ms`` is the client's deadline for the whole
    request (headers and body) in milliseconds, for the transport to keep.
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


class _TransportTimeout(TimeoutError):
    """The whole request outlived its deadline (``transport_kind`` "timeout")."""

    transport_kind = "timeout"


class _Interrupted(ConnectionError):
    """The connection ended before the body its headers announced."""

    transport_kind = "interrupted"


def _forget_frames(exc: BaseException) -> None:
    """Drops the tracebacks of `exc` and of every exception it chains to:
    the HTTP library's frames below the transport hold the raw request
    (headers with ``Authorization``, the form body) in locals that debuggers,
    ``capture_locals`` and error trackers print."""
    seen = set()
    todo: List[Any] = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        e.__traceback__ = None
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None)]


class _Deadline:
    """One request's wall-clock deadline, across connect, headers and every
    body read (HTTP libraries' timeouts are per read: a server that drips a
    byte at a time never trips them).

    A sync transport ``arm``s it: a watchdog timer then shuts the request's
    connection down when the deadline passes, so a blocked read returns at
    once. The connection is the socket handed to ``watch``, else any socket
    the request's thread is blocked on below the transport's frame (a pooled
    connection that httpx or requests reuses)."""

    __slots__ = ("ms", "at", "fired", "_sock", "_timer", "_lock", "_thread", "_top")

    def __init__(self, ms: Optional[int]) -> None:
        import threading

        self.ms = ms
        self.at = None if ms is None else time.monotonic() + ms / 1000
        self.fired = False
        self._sock: Any = None
        self._timer: Any = None
        self._lock = threading.Lock()
        self._thread = 0
        self._top: Any = None

    def arm(self) -> None:
        """Starts the watchdog for the calling transport's frame and thread."""
        if self.at is None:
            return
        import sys
        import threading

        self._thread = threading.get_ident()
        self._top = sys._getframe(1)
        self._timer = threading.Timer(max(0.0, self.at - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> Optional[float]:
        """Seconds left (for per-operation timeouts); raises once past."""
        if self.at is None:
            return None
        left = self.at - time.monotonic()
        if left <= 0:
            self.fired = True
            raise self.timeout()
        return left

    def timeout(self) -> _TransportTimeout:
        return _TransportTimeout(f"no complete response within the {self.ms} ms deadline")

    def check(self) -> None:
        """Raises if the deadline passed (a read the watchdog cut short looks like an end of body)."""
        if self.fired or (self.at is not None and time.monotonic() >= self.at):
            self.fired = True
            raise self.timeout()

    def watch(self, sock: Any) -> None:
        """The connection to shut down at the deadline. A duplicate of the
        descriptor is kept: a TLS wrap detaches the original object."""
        if self.at is None or sock is None:
            return
        dup = sock.dup()
        with self._lock:
            old, self._sock = self._sock, dup
            fired = self.fired
        if old is not None:
            old.close()
        if fired:  # a connection made after the watchdog fired (a slow DNS lookup): ended at once
            _shutdown(dup)

    def httpcore_trace(self, event: str, info: Dict[str, Any]) -> None:
        """httpcore's ``trace`` extension: watches each new connection's socket."""
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            self.watch(stream.get_extra_info("socket") if stream is not None else None)

    def _fire(self) -> None:
        import socket

        with self._lock:
            self.fired = True
            socks = [self._sock] if self._sock is not None else self._blocked_on(socket.socket)
        for sock in socks:
            _shutdown(sock)

    def _blocked_on(self, kind: type) -> List[Any]:
        """The sockets in the locals of the request's thread, below the transport's frame."""
        import sys

        frame = sys._current_frames().get(self._thread)
        frames = []
        while frame is not None and frame is not self._top:
            frames.append(frame)
            frame = frame.f_back
        found = []
        if frame is not None:  # still inside the transport
            for f in frames:
                for value in list(f.f_locals.values()):
                    for candidate in (value, getattr(value, "_sock", None), getattr(value, "sock", None)):
                        if isinstance(candidate, kind):
                            found.append(candidate)
        return found

    def failure(self, exc: BaseException) -> BaseException:
        """What to raise for `exc`, its frames forgotten: a timeout once past the deadline."""
        _forget_frames(exc)
        if isinstance(exc, Exception) and (self.fired or (self.at is not None and time.monotonic() >= self.at)):
            return self.timeout()
        return exc

    def close(self) -> None:
        """Stops the watchdog; forgets the socket and the frame."""
        with self._lock:
            timer, self._timer = self._timer, None
            sock, self._sock = self._sock, None
            self._top = None
        if timer is not None:
            timer.cancel()
        if sock is not None:
            sock.close()


def _shutdown(sock: Any) -> None:
    """Shuts a socket down both ways (the plain call, under any TLS wrapper)."""
    import socket

    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def _deadline(request: Request, default_ms: Optional[int]) -> _Deadline:
    """The request's deadline (else the transport's)."""
    return _Deadline(request.timeout_ms if request.timeout_ms is not None else default_ms)


def _identity(headers: Sequence[Tuple[str, str]]) -> _Headers:
    """The headers, asking for no content coding: bodies are never decompressed
    (a gzip bomb stays its compressed size); a coded body is refused by the core."""
    return [(k, v) for k, v in headers if k.lower() != "accept-encoding"] + [("Accept-Encoding", "identity")]


def _capped(chunks: Any, deadline: _Deadline) -> bytes:
    """Reads `chunks` up to ``MAX_BODY_BYTES``, minding the deadline between reads."""
    parts: List[bytes] = []
    size = 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size >= MAX_BODY_BYTES:
            break
        deadline.check()
    deadline.check()
    return b"".join(parts)[:MAX_BODY_BYTES]


_shared_opener: "Optional[Any]" = None


class _Watched:
    """Mixed into http.client's connections (see ``_opener``): connects within
    the deadline, then hands the socket to the deadline's watchdog."""

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mia_deadline = deadline
        self._create_connection = self._mia_connect

    def _mia_connect(self, address: Any, timeout: Any = None, source_address: Any = None) -> Any:
        import socket

        deadline = self._mia_deadline
        error: Optional[OSError] = None
        for family, kind, proto, _, where in _resolve(address[0], address[1], deadline):
            sock = socket.socket(family, kind, proto)
            try:
                deadline.watch(sock)
                sock.settimeout(deadline.remaining())
                if source_address:
                    sock.bind(source_address)
                sock.connect(where)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
                deadline.check()
        raise error if error is not None else OSError(f"no address for {address[0]}")


#: Lookups in flight, one per (host, port), shared by every caller: during a
#: DNS outage, calls that time out leave at most one resolver thread per name
#: behind, not one each.
_LOOKUPS: Dict[Tuple[str, int], Tuple[Any, List[Any]]] = {}
_LOOKUPS_LOCK = __import__("_thread").allocate_lock()  # a builtin: no import cost


def _resolve(host: str, port: int, deadline: _Deadline) -> List[Any]:
    """``getaddrinfo`` within the deadline: a numeric address at once, a name
    on a helper thread waited for at most the time left (the C resolver
    cannot be interrupted; a late answer is dropped with its thread, and a
    lookup already in flight for the same name is joined, not repeated)."""
    import socket
    import threading

    left = deadline.remaining()
    try:
        return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        if left is None:
            return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    key = (host, port)
    with _LOOKUPS_LOCK:
        lookup = _LOOKUPS.get(key)
        if lookup is None:
            lookup = _LOOKUPS[key] = (threading.Event(), [])
            start = True
        else:
            start = False
    done, box = lookup

    def run() -> None:
        try:
            box.append(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except Exception as exc:
            box.append(exc)
        with _LOOKUPS_LOCK:
            _LOOKUPS.pop(key, None)
        done.set()

    if start:
        threading.Thread(target=run, name="mapsindoors_auth-resolve", daemon=True).start()
    if not done.wait(left) or not box:
        deadline.fired = True
        raise deadline.timeout()
    if isinstance(box[0], Exception):
        raise box[0]
    return box[0]  # type: ignore[no-any-return]


def _https_open(handler: Any, connection: Any, req: Any) -> Any:
    extra = {"check_hostname": handler._check_hostname} if hasattr(handler, "_check_hostname") else {}
    return handler.do_open(connection, req, context=handler._context, deadline=req.mia_deadline, **extra)


def _opener(ssl_context: Optional[ssl.SSLContext]) -> Any:
    """An opener with no redirect handler and no error processor (3xx, 4xx and
    5xx come back as responses), whose connections keep the request's deadline.
    Its classes are built here: http.client is imported on first use only."""
    import http.client
    import urllib.request

    http_conn = type("HTTPConnection", (_Watched, http.client.HTTPConnection), {})
    https_conn = type("HTTPSConnection", (_Watched, http.client.HTTPSConnection), {})
    http_handler = type("HTTPHandler", (urllib.request.HTTPHandler,), {
        "http_open": lambda self, req: self.do_open(http_conn, req, deadline=req.mia_deadline),
    })
    https_handler = type("HTTPSHandler", (urllib.request.HTTPSHandler,), {
        "https_open": lambda self, req: _https_open(self, https_conn, req),
    })
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        http_handler(),
        https_handler(context=ssl_context),
    ):
        opener.add_handler(handler)
    return opener


class UrllibTransport:
    """The default sync transport: the standard library only.

    Follows no redirects, never raises on an HTTP status (4xx/5xx come back
    as responses), reads at most ``MAX_BODY_BYTES`` and ends the whole
    request (connect, headers, body) at its deadline. Pass your own
    ``ssl_context`` for a custom CA bundle; proxies come from the environment.
    """

    def __init__(self, *, timeout_ms: Optional[int] = 30_000, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        import urllib.request

        global _shared_opener
        self.timeout_ms = timeout_ms
        if ssl_context is None and _shared_opener is not None:
            self._opener = _shared_opener
        else:
            self._opener = _opener(ssl_context)
            if ssl_context is None:
                # Like urllib's own global opener: built once (proxies read from the environment then).
                _shared_opener = self._opener
        self._request = urllib.request.Request

    def __call__(self, request: Request) -> Response:
        deadline = _deadline(request, self.timeout_ms)
        deadline.arm()
        try:
            req: Any = self._request(
                request.url,
                data=request.body if request.body or request.method == "POST" else None,
                headers=dict(request.headers),
                method=request.method,
            )
            req.mia_deadline = deadline
            with self._opener.open(req, timeout=deadline.remaining()) as resp:
                body = _capped(iter(lambda: resp.read(min(65536, MAX_BODY_BYTES)), b""), deadline)
                if len(body) < MAX_BODY_BYTES and getattr(resp, "length", None):
                    raise _Interrupted("the connection closed before the end of the body")
                return Response(resp.status, resp.getheaders(), body)
        except BaseException as exc:
            error = deadline.failure(exc)
            if error is exc:
                raise
            raise error from None
        finally:
            deadline.close()

    def close(self) -> None:
        """Nothing to release: urllib opens a connection per request."""


class HttpxTransport:
    """The default async transport when httpx is installed.

    Wraps an ``httpx.AsyncClient`` (yours, or one it owns and closes); follows
    no redirects even if your client would, never raises on an HTTP status,
    reads at most ``MAX_BODY_BYTES`` undecoded, and ends the whole request at
    its deadline.
    """

    def __init__(self, client: Any = None, *, timeout_ms: Optional[int] = 30_000) -> None:
        import httpx

        self._owned = client is None
        timeout = None if timeout_ms is None else timeout_ms / 1000
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self.timeout_ms = timeout_ms

    async def __call__(self, request: Request) -> Response:
        import asyncio

        deadline = _deadline(request, self.timeout_ms)
        try:
            return await asyncio.wait_for(self._send(request, deadline), deadline.remaining())
        except BaseException as exc:
            error = deadline.failure(exc)
            if error is exc:
                raise
            raise error from None

    async def _send(self, request: Request, deadline: _Deadline) -> Response:
        req = self._client.build_request(
            request.method, request.url, headers=_identity(request.headers), content=request.body,
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
        deadline = _deadline(request, None)
        deadline.arm()
        try:
            req = self._client.build_request(
                request.method, request.url, headers=_identity(request.headers), content=request.body,
                timeout=deadline.remaining(), extensions={"trace": deadline.httpcore_trace},
            )
            resp = self._client.send(req, stream=True, follow_redirects=False)
            try:
                stream = resp.extensions.get("network_stream")
                if stream is not None:
                    deadline.watch(stream.get_extra_info("socket"))
                body = _capped(resp.iter_raw(), deadline)
            finally:
                resp.close()
            return Response(resp.status_code, resp.headers.multi_items(), body)
        except BaseException as exc:
            error = deadline.failure(exc)
            if error is exc:
                raise
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
        deadline = _deadline(request, None)
        deadline.arm()
        try:
            left = deadline.remaining()
            resp = self._session.request(
                request.method, request.url, headers=dict(_identity(request.headers)), data=request.body,
                timeout=None if left is None else (left, left), allow_redirects=False, stream=True,
            )
            try:
                sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
                if sock is not None:
                    deadline.watch(sock)
                body = _capped(iter(lambda: resp.raw.read1(65536, decode_content=False) if hasattr(resp.raw, "read1")
                                    else resp.raw.read(65536, decode_content=False), b""), deadline)
            finally:
                resp.close()
            return Response(resp.status_code, list(resp.headers.items()), body)
        except BaseException as exc:
            error = deadline.failure(exc)
            if error is exc:
                raise
            raise error from None
        finally:
            deadline.close()


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
    if module == "urllib3" or module == "requests":
        return _classify_urllib3(exc)
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


def _classify_urllib3(exc: BaseException) -> str:
    """The transport kind of a requests or urllib3 exception (requests wraps
    urllib3's as its first argument, urllib3's retries as ``reason``)."""
    mro = {c.__name__ for c in type(exc).__mro__}
    inner = getattr(exc, "reason", None) if "MaxRetryError" in mro else next(
        (a for a in exc.args if isinstance(a, BaseException)), None)
    if isinstance(inner, BaseException) and inner is not exc:
        kind = classify(inner)
        if kind is not None and kind != "other":
            return kind
    if mro & {"NewConnectionError", "NameResolutionError", "SSLError", "ProxyError"}:
        return "connect"
    if mro & {"Timeout", "TimeoutError", "ReadTimeoutError", "ConnectTimeoutError"}:
        return "timeout"
    if mro & {"ProtocolError", "IncompleteRead", "InvalidChunkLength", "ChunkedEncodingError", "ResponseNotChunked"}:
        return "interrupted"
    if "ConnectionError" in mro and type(exc).__module__.startswith("requests"):
        return "connect"
    return "other"


def describe(exc: BaseException) -> str:
    """A one-line description of an exception for error messages."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
