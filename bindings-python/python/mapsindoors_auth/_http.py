"""HTTP at the boundary: the plain ``Request``/``Response`` values the
core's flows exchange, the helpers every built-in transport shares (no
content coding, the capped body), and the mapping from transport exceptions
to the core's transport kinds.

No protocol here, and no transport: transports move bytes and never raise
on a 4xx/5xx (``_http_client``, ``_urllib``, ``_adapters``; which one a
client uses is ``_transports``').
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, List, Optional, Sequence, Tuple

    from ._deadline import Deadline

__all__ = ["Request", "Response", "MAX_BODY_BYTES"]

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

    @classmethod
    def _of(cls, status: int, headers: _Headers, body: bytes) -> "Response":
        """A response from values already of these types (a built-in
        transport's), without the copies ``__init__`` makes of a user's."""
        self = cls.__new__(cls)
        self.status = status
        self.headers = headers
        self.body = body
        return self

    def __repr__(self) -> str:
        return f"Response({self.status}, headers={self.headers!r}, body=[{len(self.body)} bytes redacted])"

    __str__ = __repr__


def identity(headers: Sequence[Tuple[str, str]]) -> _Headers:
    """The headers, asking for no content coding: bodies are never decompressed
    (a gzip bomb stays its compressed size); a coded body is refused by the core."""
    return [(k, v) for k, v in headers if k.lower() != "accept-encoding"] + [("Accept-Encoding", "identity")]


def capped(chunks: Any, deadline: Deadline) -> bytes:
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


def type_module(obj: Any) -> str:
    """The top-level package of an object's type (``httpx``, ``requests``, ...)."""
    return type(obj).__module__.split(".")[0]


def classify(exc: BaseException) -> Optional[str]:
    """The core's transport kind for a transport exception, or None if it is
    not one (a bug in a user transport propagates unchanged)."""
    import socket

    kind = getattr(exc, "transport_kind", None)
    if isinstance(kind, str):
        return kind
    module = type_module(exc)
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
