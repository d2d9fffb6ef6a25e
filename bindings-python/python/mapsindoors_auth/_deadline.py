"""One request's wall-clock deadline, which every built-in transport keeps
across DNS, connect, TLS, headers and body; the DNS lookup made within it;
and the transport exceptions of its own (timeout, interrupted body).

Nothing here sends a request: the transports (``_http_client``, ``_urllib``,
``_adapters``) use these pieces.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

    from ._http import Request


class TransportTimeout(TimeoutError):
    """The whole request outlived its deadline (``transport_kind`` "timeout")."""

    transport_kind = "timeout"


class Interrupted(ConnectionError):
    """The connection ended before the body its headers announced."""

    transport_kind = "interrupted"


def forget_frames(exc: BaseException) -> None:
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


class Deadline:
    """One request's wall-clock deadline, across connect, headers and every
    body read (HTTP libraries' timeouts are per read: a server that drips a
    byte at a time never trips them).

    The http.client transport sets each socket operation's timeout to
    ``remaining()``, so it needs no thread. The adapters of other libraries
    ``arm`` it: a watchdog timer then shuts the request's connection down
    when the deadline passes, so a blocked read returns at once. The
    connection is the socket handed to ``watch``, else any socket the
    request's thread is blocked on below the transport's frame (a pooled
    connection that httpx or requests reuses)."""

    __slots__ = ("ms", "at", "fired", "_sock", "_timer", "_lock", "_thread", "_top")

    def __init__(self, ms: Optional[int]) -> None:
        self.ms = ms
        self.at = None if ms is None else time.monotonic() + ms / 1000
        self.fired = False
        self._sock: Any = None
        self._timer: Any = None
        self._lock: Any = None  # made by ``arm``: only the watchdog needs it
        self._thread = 0
        self._top: Any = None

    def arm(self) -> None:
        """Starts the watchdog for the calling transport's frame and thread."""
        if self.at is None:
            return
        import sys
        import threading

        self._lock = threading.Lock()
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

    def timeout(self) -> TransportTimeout:
        return TransportTimeout(f"no complete response within the {self.ms} ms deadline")

    def check(self) -> None:
        """Raises if the deadline passed (a read the watchdog cut short looks like an end of body)."""
        if self.fired or (self.at is not None and time.monotonic() >= self.at):
            self.fired = True
            raise self.timeout()

    def watch(self, sock: Any) -> None:
        """The connection for the armed watchdog to shut down at the
        deadline. A duplicate of the descriptor is kept: a TLS wrap detaches
        the original object."""
        if self._lock is None or sock is None:
            return
        dup = sock.dup()
        with self._lock:
            old, self._sock = self._sock, dup
            fired = self.fired
        if old is not None:
            old.close()
        if fired:  # a connection made after the watchdog fired (a slow DNS lookup): ended at once
            shutdown(dup)

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
            shutdown(sock)

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
        forget_frames(exc)
        if isinstance(exc, Exception) and (self.fired or (self.at is not None and time.monotonic() >= self.at)):
            return self.timeout()
        return exc

    def close(self) -> None:
        """Stops the watchdog; forgets the socket and the frame."""
        if self._lock is None:
            return
        with self._lock:
            timer, self._timer = self._timer, None
            sock, self._sock = self._sock, None
            self._top = None
        if timer is not None:
            timer.cancel()
        if sock is not None:
            sock.close()


def shutdown(sock: Any) -> None:
    """Shuts a socket down both ways (the plain call, under any TLS wrapper)."""
    import socket

    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def of(request: Request, default_ms: Optional[int]) -> Deadline:
    """The request's deadline (else the transport's)."""
    return Deadline(request.timeout_ms if request.timeout_ms is not None else default_ms)


#: Lookups in flight, one per (host, port), shared by every caller: during a
#: DNS outage, calls that time out leave at most one resolver thread per name
#: behind, not one each.
_LOOKUPS: Dict[Tuple[str, int], Tuple[Any, List[Any]]] = {}
_LOOKUPS_LOCK = __import__("_thread").allocate_lock()  # a builtin: no import cost


def resolve(host: str, port: int, deadline: Deadline) -> List[Any]:
    """``getaddrinfo`` within the deadline: a numeric address at once, a name
    on a helper thread waited for at most the time left (the C resolver
    cannot be interrupted; a late answer is dropped with its thread, and a
    lookup already in flight for the same name is joined, not repeated)."""
    import socket

    left = deadline.remaining()
    # An ASCII name as bytes: a str goes through the "idna" codec, whose
    # first use imports unicodedata and stringprep (a third of a first
    # request's import time); for ASCII, IDNA changes nothing.
    name: Any = host.encode("ascii") if host.isascii() else host
    try:
        return socket.getaddrinfo(name, port, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        if left is None:
            return socket.getaddrinfo(name, port, 0, socket.SOCK_STREAM)
    import threading

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
            box.append(socket.getaddrinfo(name, port, 0, socket.SOCK_STREAM))
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


def dial(host: str, port: int, deadline: Deadline, source_address: Any = None) -> Any:
    """A TCP connection to `host`, resolved and connected within the
    deadline (each address in turn, as ``socket.create_connection``); an
    armed deadline watches each socket from before its connect."""
    import socket

    error: Optional[OSError] = None
    for family, kind, proto, _, where in resolve(host, port, deadline):
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
    raise error if error is not None else OSError(f"no address for {host}")
