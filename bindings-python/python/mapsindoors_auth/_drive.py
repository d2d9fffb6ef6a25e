"""The two loops that drive a native task: one blocking, one asyncio.

Translation only: each step names what to do and what for (``Send`` with its
purpose, ``Load``, ``Persist`` with its reason, ``Sleep`` with its reason,
``Wait``, ``Done``); the loop does it with the client's transport, store,
clock and sleep, then answers. Logs read the step's purpose and reason.

When the client has listeners (``on_event``, an event stream) the loop times
each step and hands the duration back with the answer; the native task then
returns the core's ``Event`` for the step, which the client emits.
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

    from ._events import Event
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


def _start(client: Any) -> Optional[int]:
    """A step's start time when someone listens for events, else None."""
    return time.perf_counter_ns() if client._listening() else None


def _ms(started: Optional[int]) -> Optional[int]:
    """The step's duration in whole ms (None: nobody listens)."""
    return None if started is None else (time.perf_counter_ns() - started) // 1_000_000


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


def _answer(
    task: _Task, client: Any, step: Send, response: Any, exc: Optional[Exception], started: Optional[int]
) -> Tuple[Optional[Exception], Optional[Event]]:
    """Feeds a response or transport failure back; returns the failure and
    the step's event. An exception that is not a transport failure (a bug)
    propagates."""
    duration = _ms(started)
    if exc is not None:
        kind = classify(exc)
        if kind is None:
            raise exc
        _debug("%s: transport error (%s): %s", step.purpose, kind, describe(exc))
        return exc, task.on_transport_error(kind, describe(exc), client._now_ms(), duration_ms=duration)
    if not isinstance(response, Response):
        raise TypeError(f"transport returned {type(response).__name__}, expected mapsindoors_auth.Response")
    _debug("%s: HTTP %d (%d bytes)", step.purpose, response.status, len(response.body))
    event = task.on_response(response.status, response.headers, response.body, client._now_ms(), duration_ms=duration)
    return None, event


def _store_error(exc: BaseException) -> Tuple[str, str]:
    kind = getattr(exc, "store_kind", None)
    message = str(exc) if isinstance(exc, MapsIndoorsAuthError) else describe(exc)
    return (kind if isinstance(kind, str) else "io", message)


def _loaded(task: _Task, record: Optional[StoreRecord], exc: Optional[Exception], started: Optional[int]) -> Optional[Event]:
    duration = _ms(started)
    if exc is not None:
        _debug("load failed: %s", describe(exc))
        return task.on_loaded(None, _store_error(exc), duration_ms=duration)
    _debug("loaded generation %d", 0 if record is None else record.generation)
    return task.on_loaded(record, duration_ms=duration)


def _saved(task: _Task, step: Persist, exc: Optional[Exception], started: Optional[int]) -> Optional[Event]:
    duration = _ms(started)
    if exc is not None:
        _debug("persist (%s) failed: %s", step.reason, describe(exc))
        return task.on_persisted(_store_error(exc), duration_ms=duration)
    _debug("persisted (%s) generation %d", step.reason, step.record.generation)
    return task.on_persisted(duration_ms=duration)


def _slept(task: _Task, started: Optional[int]) -> Optional[Event]:
    duration = _ms(started)
    return None if duration is None else task.on_slept(duration)


def run_sync(client: Any, task: _Task, store: Any = None) -> Any:
    """Drives `task` to completion, blocking; returns its value or raises."""
    failure: Optional[Exception] = None
    while True:
        step = _poll(task, client, failure)
        kind = type(step)
        if kind is Done:
            return step.value
        event: Optional[Event] = None
        started = _start(client)
        if kind is Send:
            try:
                response = client._send(_request(step, client), step.purpose)
            except Exception as exc:
                failure, event = _answer(task, client, step, None, exc, started)
            else:
                failure, event = _answer(task, client, step, response, None, started)
        elif kind is Load:
            try:
                record = access.load(store)
            except Exception as exc:
                event = _loaded(task, None, exc, started)
            else:
                event = _loaded(task, record, None, started)
        elif kind is Persist:
            try:
                client._save(store, step.record, step.reason)
            except Exception as exc:
                event = _saved(task, step, exc, started)
            else:
                event = _saved(task, step, None, started)
        elif kind is Sleep:
            _debug("sleep %d ms (%s)", step.ms, step.reason)
            client._sleep(step.ms, step.reason)
            event = _slept(task, started)
        else:
            client._wait(step.ms)
        if event is not None:
            client._emit(event)


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
        event: Optional[Event] = None
        started = _start(client)
        if kind is Send:
            try:
                response = client._send(_request(step, client), step.purpose)
                if hasattr(response, "__await__"):
                    if client._keeps_deadline:
                        response = await response
                    else:
                        response = await _within(response, client._session.timeout_ms)
            except Exception as exc:
                failure, event = _answer(task, client, step, None, exc, started)
            else:
                failure, event = _answer(task, client, step, response, None, started)
        elif kind is Load:
            try:
                record = await access.aload(store)
            except Exception as exc:
                event = _loaded(task, None, exc, started)
            else:
                event = _loaded(task, record, None, started)
        elif kind is Persist:
            try:
                await client._save(store, step.record, step.reason)
            except Exception as exc:
                event = _saved(task, step, exc, started)
            else:
                event = _saved(task, step, None, started)
        elif kind is Sleep:
            _debug("sleep %d ms (%s)", step.ms, step.reason)
            await client._sleep(step.ms, step.reason)
            event = _slept(task, started)
        else:
            await client._wait(step.ms)
        if event is not None:
            await client._emit(event)
