"""The two loops that drive a native task: one blocking, one asyncio.

Translation only: each step names what to do and what for (``Send`` with its
purpose, ``Load``, ``Persist`` with its reason, ``Sleep`` with its reason,
``Wait``, ``Done``); the loop does it with the client's transport, store,
clock and sleep, then answers. Logs read the step's purpose and reason.
"""

from __future__ import annotations

import sys
import time

from . import _store_access as access
from ._errors import MapsIndoorsAuthError
from ._deadline import TransportTimeout as _Timeout
from ._http import Request, Response, classify, describe
from ._native import Done, Load, Persist, Send, Sleep

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    import logging
    from typing import Any, Optional, Tuple

    from ._native import StoreRecord, _Task

_logger: "Optional[logging.Logger]" = None


def _debug(message: str, *args: Any) -> None:
    """Logs on ``logging.getLogger("mapsindoors_auth")`` — once the program
    has imported ``logging``: until then no handler can be listening, so
    neither importing this package nor its first request imports it."""
    global _logger
    if _logger is None:
        logging = sys.modules.get("logging")
        if logging is None:
            return
        _logger = logging.getLogger("mapsindoors_auth")
    _logger.debug(message, *args)


def now_ms() -> int:
    """The clock the core is given: Unix milliseconds."""
    return time.time_ns() // 1_000_000


def _poll(task: _Task, client: Any, failure: Optional[BaseException]) -> Any:
    """The next step; a failure is raised with the transport's exception as
    ``__cause__`` when the last send failed in the transport."""
    try:
        return task.poll(client._now_ms())
    except MapsIndoorsAuthError as e:
        transport = failure is not None and "transport" in (e.kind, e.cause_kind)
        raise e from (failure if transport else None)


def _request(step: Send, client: Any) -> Request:
    _debug("%s: %s %s", step.purpose, step.method, step.url)
    return Request(step.method, step.url, step.headers, step.body, client._session.timeout_ms)


def _answer(task: _Task, client: Any, step: Send, response: Any, exc: Optional[Exception]) -> Optional[Exception]:
    """Feeds a response or transport failure back; returns the failure.
    An exception that is not a transport failure (a bug) propagates."""
    if exc is not None:
        kind = classify(exc)
        if kind is None:
            raise exc
        _debug("%s: transport error (%s): %s", step.purpose, kind, describe(exc))
        task.on_transport_error(kind, describe(exc), client._now_ms())
        return exc
    if not isinstance(response, Response):
        raise TypeError(f"transport returned {type(response).__name__}, expected mapsindoors_auth.Response")
    _debug("%s: HTTP %d (%d bytes)", step.purpose, response.status, len(response.body))
    task.on_response(response.status, response.headers, response.body, client._now_ms())
    return None


def _store_error(exc: BaseException) -> Tuple[str, str]:
    kind = getattr(exc, "store_kind", None)
    message = str(exc) if isinstance(exc, MapsIndoorsAuthError) else describe(exc)
    return (kind if isinstance(kind, str) else "io", message)


def _loaded(task: _Task, record: Optional[StoreRecord], exc: Optional[Exception]) -> None:
    if exc is not None:
        _debug("load failed: %s", describe(exc))
        task.on_loaded(None, _store_error(exc))
        return
    _debug("loaded generation %d", 0 if record is None else record.generation)
    task.on_loaded(record)


def _saved(task: _Task, step: Persist, exc: Optional[Exception]) -> None:
    if exc is not None:
        _debug("persist (%s) failed: %s", step.reason, describe(exc))
        task.on_persisted(_store_error(exc))
        return
    _debug("persisted (%s) generation %d", step.reason, step.record.generation)
    task.on_persisted()


def run_sync(client: Any, task: _Task, store: Any = None) -> Any:
    """Drives `task` to completion, blocking; returns its value or raises."""
    failure: Optional[Exception] = None
    while True:
        step = _poll(task, client, failure)
        kind = type(step)
        if kind is Done:
            return step.value
        if kind is Send:
            try:
                response = client._send(_request(step, client), step.purpose)
            except Exception as exc:
                failure = _answer(task, client, step, None, exc)
            else:
                failure = _answer(task, client, step, response, None)
        elif kind is Load:
            try:
                record = access.load(store)
            except Exception as exc:
                _loaded(task, None, exc)
            else:
                _loaded(task, record, None)
        elif kind is Persist:
            try:
                client._save(store, step.record, step.reason)
            except Exception as exc:
                _saved(task, step, exc)
            else:
                _saved(task, step, None)
        elif kind is Sleep:
            _debug("sleep %d ms (%s)", step.ms, step.reason)
            client._sleep(step.ms, step.reason)
        else:
            client._wait(step.ms)


async def _within(response: Any, timeout_ms: int) -> Any:
    """Awaits a transport's answer within the request's whole deadline, for
    any async transport (cancelled when it passes)."""
    import asyncio

    try:
        return await asyncio.wait_for(response, timeout_ms / 1000)
    except asyncio.TimeoutError:
        raise _Timeout(f"no complete response within the {timeout_ms} ms deadline") from None


async def run_async(client: Any, task: _Task, store: Any = None) -> Any:
    """Drives `task` to completion on the event loop; returns its value or raises."""
    failure: Optional[Exception] = None
    while True:
        step = _poll(task, client, failure)
        kind = type(step)
        if kind is Done:
            return step.value
        if kind is Send:
            try:
                response = client._send(_request(step, client), step.purpose)
                if hasattr(response, "__await__"):
                    if client._keeps_deadline:
                        response = await response
                    else:
                        response = await _within(response, client._session.timeout_ms)
            except Exception as exc:
                failure = _answer(task, client, step, None, exc)
            else:
                failure = _answer(task, client, step, response, None)
        elif kind is Load:
            try:
                record = await access.aload(store)
            except Exception as exc:
                _loaded(task, None, exc)
            else:
                _loaded(task, record, None)
        elif kind is Persist:
            try:
                await client._save(store, step.record, step.reason)
            except Exception as exc:
                _saved(task, step, exc)
            else:
                _saved(task, step, None)
        elif kind is Sleep:
            _debug("sleep %d ms (%s)", step.ms, step.reason)
            await client._sleep(step.ms, step.reason)
        else:
            await client._wait(step.ms)
