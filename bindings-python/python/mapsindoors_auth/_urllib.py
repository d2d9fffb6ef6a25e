"""``UrllibTransport``: a sync transport on the standard library's urllib,
with the same guarantees as the default ``HttpClientTransport`` (the
deadline over DNS, connect, headers and body; no redirects; the body capped
and never decoded), one connection per request. A watchdog thread shuts the
connection down at the deadline. ``urllib.request`` is imported when one is made.
"""

from __future__ import annotations

from ._deadline import Deadline, Interrupted, dial, of
from ._http import MAX_BODY_BYTES, Response, capped

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    import ssl
    from typing import Any, Optional

    from ._http import Request

__all__ = ["UrllibTransport"]

_shared_opener: Optional[Any] = None


class _Watched:
    """Mixed into http.client's connections (see ``_opener``): connects within
    the deadline, then hands the socket to the deadline's watchdog."""

    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mia_deadline = deadline
        self._create_connection = self._mia_connect

    def _mia_connect(self, address: Any, timeout: Any = None, source_address: Any = None) -> Any:
        return dial(address[0], address[1], self._mia_deadline, source_address)


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
    """A sync transport on the standard library's urllib: one connection
    per request, proxies as urllib finds them (the environment; on macOS and
    Windows the system's settings too). ``HttpClientTransport``, the
    default, does the same with less work and keeps connections alive.

    Follows no redirects, never raises on an HTTP status (4xx/5xx come back
    as responses), reads at most ``MAX_BODY_BYTES`` and ends the whole
    request (DNS, connect, headers, body) at its deadline. Pass your own
    ``ssl_context`` for a custom CA bundle.
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
        deadline = of(request, self.timeout_ms)
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
                body = capped(iter(lambda: resp.read(min(65536, MAX_BODY_BYTES)), b""), deadline)
                if len(body) < MAX_BODY_BYTES and getattr(resp, "length", None):
                    raise Interrupted("the connection closed before the end of the body")
                return Response(resp.status, resp.getheaders(), body)
        except BaseException as exc:
            error = deadline.failure(exc)
            if error is exc:
                raise exc  # afresh: a bare raise would bring the frames below back on Python < 3.11
            raise error from None
        finally:
            deadline.close()

    def close(self) -> None:
        """Nothing to release: urllib opens a connection per request."""

    def __enter__(self) -> "UrllibTransport":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
