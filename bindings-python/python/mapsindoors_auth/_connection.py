"""The standard library's ``http.client`` connections as the default
transport (``_http_client``) uses them: every socket operation's timeout is
the time left before the request's deadline — the DNS lookup and connect
(``_deadline.dial``), a proxy's CONNECT answer, the TLS handshake, the send,
each read of the status line, the headers and the body — so the whole
exchange ends by the deadline without a watchdog thread.

Imported at the first request: it imports ``http.client`` (and so ``ssl``),
never ``urllib.request``. The pooling, proxies and body cap are the
transport's.
"""

from __future__ import annotations

import errno
import http.client
import io
import socket
import sys
from urllib.parse import urlsplit

from ._deadline import Deadline, dial

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any, Dict, List, Optional, Tuple

HTTPResponse = http.client.HTTPResponse
#: http.client's limits: a status or header line, and header lines per response.
MAX_LINE = 65536
MAX_HEADERS = 100


class Fields(list):  # type: ignore[type-arg]
    """A response's header fields, ``(name, value)`` in order, with the
    lookups ``HTTPResponse.getheader`` and ``getheaders`` use."""

    def get(self, name: str, default: Any = None) -> Any:
        name = name.lower()
        for key, value in self:
            if key.lower() == name:
                return value
        return default

    def get_all(self, name: str, failobj: Any = None) -> Any:
        name = name.lower()
        found = [value for key, value in self if key.lower() == name]
        return found or failobj

    def items(self) -> List[Tuple[str, str]]:
        return list(self)


class LeanResponse(HTTPResponse):
    """``http.client.HTTPResponse`` whose header block is parsed here, with
    http.client's limits and outcome (the status line by http.client itself),
    not by the ``email`` package, which costs about half of a small
    exchange's CPU. The body is read by ``HTTPResponse`` as ever.

    Where this differs, it is stricter or plainer: a folded line (obs-fold)
    joins its field with a space; surrounding blanks are stripped from
    values; a line with no name, or a blank before its colon, is ignored
    (the ``email`` parser also dropped it, with every field after it); two
    ``Content-Length`` fields that disagree are refused; every interim
    (1xx) response is skipped, not only ``100 Continue``; an HTTP/1.0
    connection is not kept alive."""

    def begin(self) -> None:
        if self.headers is not None:
            return
        fp: Any = self.fp
        lines = 0
        while True:
            version, status, reason = self._read_status()
            fields = Fields()
            while True:
                line = fp.readline(MAX_LINE + 1)
                if len(line) > MAX_LINE:
                    raise http.client.LineTooLong("header line")
                if line in (b"\r\n", b"\n", b""):
                    break
                lines += 1
                if lines > MAX_HEADERS:
                    raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
                text = line.decode("iso-8859-1")
                if text[0] in " \t":
                    if fields:  # obs-fold: the field goes on
                        name, value = fields[-1]
                        fields[-1] = (name, f"{value} {text.strip()}".strip())
                    continue
                name, colon, value = text.partition(":")
                if colon and name and name == name.strip():
                    fields.append((name, value.strip(" \t\r\n")))
            if not 100 <= status < 200 or status == 101:
                break  # a final response (1xx ones are dropped with their fields: the response follows)
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = fields
        encoding = fields.get("transfer-encoding")
        self.chunked = bool(encoding) and encoding.lower() == "chunked"
        self.chunk_left = None
        self.length = None
        lengths = set(fields.get_all("content-length", ()))
        if len(lengths) > 1:
            raise http.client.HTTPException("Content-Length fields that disagree")
        if lengths and not self.chunked:
            try:
                length = int(lengths.pop())
            except ValueError:
                length = -1
            self.length = length if length >= 0 else None
        if status in (204, 304) or 100 <= status < 200 or self._method == "HEAD":
            self.length = 0
        connection = fields.get("connection")
        self.will_close = (
            self.version == 10
            or status == 101
            or bool(connection and "close" in connection.lower())
            or (not self.chunked and self.length is None)
        )


class _TimedReader(io.RawIOBase):
    """A socket's reads, each with the time left before the deadline as its
    timeout (raising once it has passed)."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        # makefile's reader holds a reference to the socket, which then stays
        # open after a ``Connection: close`` connection lets it go, until the
        # response has read its body.
        self._raw = sock.makefile("rb", buffering=0)
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> Optional[int]:
        self._sock.settimeout(self._deadline.remaining())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _TimedSocket:
    """What ``HTTPResponse`` is built on: only its ``makefile`` is called."""

    __slots__ = ("_sock", "_deadline")

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_TimedReader(self._sock, self._deadline))


class Connection(http.client.HTTPConnection):
    """A connection whose connect and reads keep ``deadline`` (set before
    each request). ``target_absolute`` (a plain proxy's connection) sends
    the whole URL as the request target; ``proxy_auth`` is the
    ``Proxy-Authorization`` to add to each request."""

    deadline: Deadline
    target_absolute = False
    proxy_auth: Optional[str] = None
    _body: Optional[bytes] = None  # to send with the header block (``send_with_body``)

    def send_with_body(self, method: str, target: str, body: Optional[bytes], headers: Dict[str, str]) -> None:
        """``request``, with a small body sent in one segment with the
        headers rather than after them (one send, not two)."""
        if body is not None and len(body) <= 4096:
            self._body = body
        try:
            self.request(method, target, body, headers)
        finally:
            self._body = None

    def send(self, data: Any) -> None:
        body = self._body
        if body is not None:
            if data is body:  # already sent with the header block
                return
            data = data + body  # the header block
        super().send(data)

    def connect(self) -> None:
        sys.audit("http.client.connect", self, self.host, self.port)
        self.sock = dial(self.host, self.port, self.deadline, getattr(self, "source_address", None))
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as e:  # as http.client: some systems lack TCP_NODELAY
            if e.errno != errno.ENOPROTOOPT:
                raise
        if self._tunnel_host:  # type: ignore[attr-defined]
            self._tunnel()  # type: ignore[attr-defined]

    # http.client builds every response (a proxy's CONNECT answer too) with
    # ``self.response_class(sock, ...)``: here it reads within the deadline.
    def response_class(  # type: ignore[override]
        self, sock: socket.socket, debuglevel: int = 0, method: Optional[str] = None, url: Optional[str] = None
    ) -> HTTPResponse:
        return LeanResponse(_TimedSocket(sock, self.deadline), debuglevel, method=method)  # type: ignore[arg-type]


class TLSConnection(Connection):
    """``Connection`` over TLS: the handshake within the deadline, with the
    context's verification (the host name checked against the origin's, not
    a proxy's)."""

    default_port = 443

    def __init__(self, host: str, port: int, context: ssl.SSLContext) -> None:
        super().__init__(host, port)
        self._context = context

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(self.deadline.remaining())
        server_hostname = self._tunnel_host or self.host  # type: ignore[attr-defined]
        self.sock = self._context.wrap_socket(self.sock, server_hostname=server_hostname)


#: (scheme, netloc) -> (host, port), for the few origins a process talks to.
_ORIGINS: Dict[Tuple[str, str], Tuple[str, int]] = {}


def split(url: str) -> Tuple[str, str, int, str]:
    """``(scheme, host, port, path and query)`` of an http or https URL."""
    parts = urlsplit(url)
    scheme = parts.scheme
    origin = _ORIGINS.get((scheme, parts.netloc))
    if origin is None:
        if scheme != "http" and scheme != "https":
            raise http.client.InvalidURL(f"not an http or https URL: {scheme}://")
        host = parts.hostname
        if not host:
            raise http.client.InvalidURL("no host in the URL")
        origin = (host, parts.port or (443 if scheme == "https" else 80))
        if len(_ORIGINS) < 64:
            _ORIGINS[(scheme, parts.netloc)] = origin
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, origin[0], origin[1], target


def alive(conn: Connection) -> bool:
    """Whether an idle keep-alive connection may carry another request: its
    socket is open and has nothing to read (the server has not closed it,
    nor sent anything unasked)."""
    import select

    sock: Any = conn.sock
    if sock is None:
        return False
    try:
        if getattr(sock, "pending", None) is not None and sock.pending():  # TLS: read ahead
            return False
        return not select.select([sock], [], [], 0)[0]
    except (OSError, ValueError):
        return False
