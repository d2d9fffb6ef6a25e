"""``HttpClientTransport``: the default sync transport, on the standard
library's ``http.client`` alone — the request's deadline over DNS, connect,
TLS, headers and body; no redirects, no decompression, the body capped; a
proxy from the environment; and a few keep-alive connections per origin,
owned by the transport and released by ``close()``.

``http.client`` is imported at the first request, ``urllib.request`` never
(except on macOS and Windows, to read the system's proxy settings).
"""

from __future__ import annotations

import time
from _thread import allocate_lock

from . import _deadline, _proxy
from ._deadline import Interrupted
from ._http import MAX_BODY_BYTES, Response
from ._native import CORE_VERSION

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    import ssl
    from types import ModuleType
    from typing import Any, Dict, List, Optional, Tuple

    from ._connection import Connection
    from ._http import Request

__all__ = ["HttpClientTransport"]

#: How long an idle connection may wait to be reused: less than the 5 s
#: keep-alive of Apache's default (httpx's too), so that a server rarely
#: closes one just as a request goes out on it. A connection the server has
#: closed, or that has anything to read, is never reused.
IDLE_SECONDS = 4.0
#: Idle connections kept per origin.
IDLE_PER_ORIGIN = 4

USER_AGENT = f"mapsindoors-auth-python/{CORE_VERSION}"

_connection: Optional[ModuleType] = None
_default_context: Optional[ssl.SSLContext] = None


def _connections() -> Any:
    """The ``_connection`` module, imported at the first request."""
    global _connection
    if _connection is None:
        from . import _connection as module

        _connection = module
    return _connection


def default_context() -> ssl.SSLContext:
    """The TLS context of https requests when none is given: the one
    ``http.client`` would make (``ssl._create_default_https_context()``, so
    certificates and host names are verified against the system's CAs; ALPN
    ``http/1.1``), made once per process rather than per connection."""
    global _default_context
    if _default_context is None:
        import ssl

        context = ssl._create_default_https_context()
        context.set_alpn_protocols(["http/1.1"])
        if context.post_handshake_auth is not None:
            context.post_handshake_auth = True
        _default_context = context
    return _default_context


class HttpClientTransport:
    """The default sync transport: the standard library's ``http.client``.

    Follows no redirects (a 3xx comes back as a response, which the client
    refuses), never raises on an HTTP status, asks for no content coding and
    decodes none, reads at most ``MAX_BODY_BYTES``, and ends the whole
    request — DNS lookup, connect, TLS handshake, send, headers and body —
    at its deadline. Verifies TLS with ``ssl_context`` (default: the
    system's CAs, as ``http.client``).

    Proxies come from the environment as urllib reads them (``https_proxy``,
    ``http_proxy``, ``no_proxy``; see the README): https goes through a
    ``CONNECT`` tunnel, http to the proxy with the whole URL.

    Keeps up to ``IDLE_PER_ORIGIN`` idle keep-alive connections per origin
    for ``IDLE_SECONDS``; ``close()`` (or ``with``) closes them, and a
    client closes the transport it made. Safe to share between threads
    and clients.
    """

    def __init__(self, *, timeout_ms: Optional[int] = 30_000, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        self.timeout_ms = timeout_ms
        self._ssl_context = ssl_context
        self._idle: Dict[Tuple[str, str, int], List[Tuple[Connection, float]]] = {}
        self._lock = allocate_lock()
        self._closed = False

    def __call__(self, request: Request) -> Response:
        deadline = _deadline.of(request, self.timeout_ms)
        conn = None
        try:
            connections = _connection or _connections()
            scheme, host, port, target = connections.split(request.url)
            origin = (scheme, host, port)
            conn = self._idle_connection(origin) if self._idle else None
            if conn is None:
                conn = self._connection(connections, scheme, host, port)
            conn.deadline = deadline
            headers = dict(request.headers)
            headers.setdefault("User-Agent", USER_AGENT)
            method = request.method
            body: Optional[bytes] = request.body
            if method == "POST":
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            elif not body:
                body = None
            if conn.target_absolute:
                target = request.url.split("#", 1)[0]
                if conn.proxy_auth:
                    headers["Proxy-Authorization"] = conn.proxy_auth
            if conn.sock is None:
                conn.connect()
            conn.sock.settimeout(deadline.remaining())
            conn.send_with_body(method, target, body, headers)
            resp = conn.getresponse()
            chunk = resp.read(65536)
            size = len(chunk)
            if size and not resp.isclosed():
                parts = [chunk]
                while size < MAX_BODY_BYTES:
                    chunk = resp.read(min(65536, MAX_BODY_BYTES - size))
                    if not chunk:
                        break
                    parts.append(chunk)
                    size += len(chunk)
                chunk = b"".join(parts)
            if size < MAX_BODY_BYTES and resp.length:
                raise Interrupted("the connection closed before the end of the body")
            fields: Any = resp.msg  # ``_connection.Fields``: the (name, value) pairs
            response = Response._of(resp.status, fields, chunk)
            if size < MAX_BODY_BYTES and resp.isclosed() and conn.sock is not None:
                self._keep(origin, conn)
                conn = None
            return response
        except BaseException as exc:
            # No frame may keep the raw request (a debugger, ``capture_locals``
            # or an error tracker prints frames): this one forgets it, and the
            # exception is raised afresh, without the traceback of the frames
            # below (a bare ``raise`` would bring it back on Python < 3.11).
            headers, body = {}, None
            error = deadline.failure(exc)
            if error is exc:
                raise exc
            raise error from None
        finally:
            if conn is not None:
                conn.close()

    def _connection(self, connections: Any, scheme: str, host: str, port: int) -> Connection:
        """A new (unconnected) connection to the origin, through its proxy if any."""
        proxy = _proxy.for_url(scheme, host, port)
        tls = scheme == "https"
        context = (self._ssl_context or default_context()) if tls or (proxy is not None and proxy.tls) else None
        if proxy is None:
            if tls:
                return connections.TLSConnection(host, port, context)  # type: ignore[no-any-return]
            return connections.Connection(host, port)  # type: ignore[no-any-return]
        if tls:  # a CONNECT tunnel (over plain TCP to the proxy, as urllib), then TLS to the origin
            conn = connections.TLSConnection(proxy.host, proxy.port, context)
            conn.set_tunnel(host, port, {"Proxy-Authorization": proxy.auth} if proxy.auth else None)
            return conn  # type: ignore[no-any-return]
        if proxy.tls:
            conn = connections.TLSConnection(proxy.host, proxy.port, context)
        else:
            conn = connections.Connection(proxy.host, proxy.port)
        conn.target_absolute = True
        conn.proxy_auth = proxy.auth
        return conn  # type: ignore[no-any-return]

    def _idle_connection(self, origin: Tuple[str, str, int]) -> Optional[Connection]:
        """An idle connection to the origin that may carry a request, if any."""
        alive = (_connection or _connections()).alive
        now = time.monotonic()
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                if not idle:
                    return None
                conn, since = idle.pop()
                if not idle:
                    del self._idle[origin]
            if now - since < IDLE_SECONDS and alive(conn):
                return conn
            conn.close()

    def _keep(self, origin: Tuple[str, str, int], conn: Connection) -> None:
        with self._lock:
            if not self._closed:
                idle = self._idle.setdefault(origin, [])
                if len(idle) < IDLE_PER_ORIGIN:
                    idle.append((conn, time.monotonic()))
                    return
        conn.close()

    def close(self) -> None:
        """Closes the idle connections. The transport still works afterwards,
        without keeping any."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn, _ in conns:
                conn.close()

    def __enter__(self) -> "HttpClientTransport":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            for conns in self._idle.values():
                for conn, _ in conns:
                    conn.close()
        except Exception:  # interpreter shutdown
            pass

    def __repr__(self) -> str:
        return f"HttpClientTransport(timeout_ms={self.timeout_ms}, idle={sum(map(len, self._idle.values()))})"
