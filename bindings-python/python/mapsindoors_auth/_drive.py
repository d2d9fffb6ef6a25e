"""The two loops that drive a native flow: one blocking, one asyncio.

Translation only: a step names what to do (send, persist, sleep, done) and
the loop does it with the client's transport, clock and store, then reports
back. A persist is the store's compare-and-swap ``save(record,
record.generation - 1)``. Retries, parsing and URLs are all the core's.
"""

from __future__ import annotations

import time
TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, Callable, Optional

from ._errors import MapsIndoorsAuthError
from ._http import Request, Response, classify, describe

if TYPE_CHECKING:
    import logging

_logger: "Optional[logging.Logger]" = None


def _debug(message: str, *args: Any) -> None:
    """Logs on ``logging.getLogger("mapsindoors_auth")``, importing logging
    on first use so that importing this package stays fast."""
    global _logger
    if _logger is None:
        import logging

        _logger = logging.getLogger("mapsindoors_auth")
    _logger.debug(message, *args)


def isawaitable(value: Any) -> bool:
    return hasattr(value, "__await__")


def now_ms() -> int:
    """The clock the core is given: Unix milliseconds."""
    return time.time_ns() // 1_000_000


def _cause(error: MapsIndoorsAuthError, last: Optional[BaseException]) -> Optional[BaseException]:
    """The transport exception behind a transport error, kept as ``__cause__``."""
    transport = error.code == "transport" or error.cause_code == "transport"
    return last if transport else None


def _store_error(exc: BaseException) -> "tuple[str, str]":
    kind = getattr(exc, "store_kind", None)
    message = str(exc) if isinstance(exc, MapsIndoorsAuthError) else describe(exc)
    return (kind if isinstance(kind, str) else "io", message)


def _check(response: Any) -> Response:
    if not isinstance(response, Response):
        raise TypeError(f"transport returned {type(response).__name__}, expected mapsindoors_auth.Response")
    return response


def run_sync(flow: Any, send: Callable[[Request], Any], timeout: Optional[float], store: Any = None) -> Any:
    """Drives `flow` to completion, blocking; returns its value or raises."""
    last_error: Optional[BaseException] = None
    while True:
        try:
            step = flow.poll(now_ms())
        except MapsIndoorsAuthError as e:
            raise e from _cause(e, last_error)
        tag = step[0]
        if tag == "send":
            request = Request(step[1], step[2], step[3], step[4], timeout)
            _debug("-> %s %s", request.method, request.url)
            try:
                response = _check(send(request))
            except Exception as exc:
                kind = classify(exc)
                if kind is None:
                    raise
                last_error = exc
                _debug("<- transport error (%s): %s", kind, describe(exc))
                flow.on_transport_error(kind, describe(exc), now_ms())
                continue
            last_error = None
            _debug("<- %d (%d bytes)", response.status, len(response.body))
            flow.on_response(response.status, response.headers, response.body, now_ms())
        elif tag == "persist":
            record = step[1]
            _debug("persisting store record generation %d (compare-and-swap on %d)", record.generation, record.generation - 1)
            try:
                store.save(record, record.generation - 1)
            except Exception as exc:
                _debug("store save failed: %s", describe(exc))
                flow.on_persisted(_store_error(exc))
            else:
                flow.on_persisted(None)
        elif tag == "sleep":
            _debug("sleeping %d ms", step[1])
            time.sleep(step[1] / 1000)
        else:
            return step[1]


async def _maybe_await(value: Any) -> Any:
    if isawaitable(value):
        return await value
    return value


async def call_store(method: Callable[..., Any], *args: Any) -> Any:
    """Calls a store method: awaited if async, else in a worker thread so
    file IO never blocks the event loop."""
    import asyncio
    import inspect

    if inspect.iscoroutinefunction(method):
        return await method(*args)
    return await _maybe_await(await asyncio.to_thread(method, *args))


async def run_async(flow: Any, send: Callable[[Request], Any], timeout: Optional[float], store: Any = None) -> Any:
    """Drives `flow` to completion on the event loop; returns its value or raises."""
    import asyncio

    last_error: Optional[BaseException] = None
    while True:
        try:
            step = flow.poll(now_ms())
        except MapsIndoorsAuthError as e:
            raise e from _cause(e, last_error)
        tag = step[0]
        if tag == "send":
            request = Request(step[1], step[2], step[3], step[4], timeout)
            _debug("-> %s %s", request.method, request.url)
            try:
                response = _check(await _maybe_await(send(request)))
            except Exception as exc:
                kind = classify(exc)
                if kind is None:
                    raise
                last_error = exc
                _debug("<- transport error (%s): %s", kind, describe(exc))
                flow.on_transport_error(kind, describe(exc), now_ms())
                continue
            last_error = None
            _debug("<- %d (%d bytes)", response.status, len(response.body))
            flow.on_response(response.status, response.headers, response.body, now_ms())
        elif tag == "persist":
            record = step[1]
            _debug("persisting store record generation %d (compare-and-swap on %d)", record.generation, record.generation - 1)
            try:
                await call_store(store.save, record, record.generation - 1)
            except Exception as exc:
                _debug("store save failed: %s", describe(exc))
                flow.on_persisted(_store_error(exc))
            else:
                flow.on_persisted(None)
        elif tag == "sleep":
            _debug("sleeping %d ms", step[1])
            await asyncio.sleep(step[1] / 1000)
        else:
            return step[1]
