"""``Client``: the blocking client, and ``_Base``, what both clients hold: a
native ``_Session`` (every protocol decision: token cache, single flight,
re-login after a 401, seeding, which secret to use after a rotation) plus
Python's HTTP, clock, sleep, randomness and an optional store. Each method
hands one native task to the blocking drive loop."""

from __future__ import annotations

import os
import time

from . import _store_access as access
from ._drive import now_ms, run_sync
from ._transports import async_transport, sync_transport
from ._native import CreatedSecret, RotationReport, SecretInfo, StoreRecord, Token, _Session

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    import datetime
    from typing import Any, Callable, List, Optional, Type

    from ._events import Event
    from ._http import Request
    from ._status import Status
    from .stores import Store

__all__ = ["Client", "DEFAULT_AUTH_URL"]

#: The production auth server.
DEFAULT_AUTH_URL = "https://auth.mapsindoors.com"


def max_age_ms(max_age: Optional[datetime.timedelta]) -> Optional[int]:
    """A ``max_age`` in whole milliseconds for the core, which judges it (0,
    which a negative or sub-millisecond age becomes, and more than ten years
    are ``InvalidInputError``)."""
    if max_age is None:
        return None
    import datetime

    if not isinstance(max_age, datetime.timedelta):
        raise TypeError(f"max_age must be a datetime.timedelta (e.g. timedelta(days=30)), not {type(max_age).__name__}")
    return min(max(max_age // datetime.timedelta(milliseconds=1), 0), 2**64 - 1)


def status_of(fields: Any) -> Status:
    from ._status import status_of

    return status_of(fields)


def callback_failed(callback: Any) -> None:
    """An ``on_event`` callback raised: logged with its traceback on the
    ``mapsindoors_auth`` logger and not raised into the task, which goes on
    (an observer must not break a rotation half-way)."""
    import logging
    import sys

    logging.getLogger("mapsindoors_auth").warning("on_event callback %r raised", callback, exc_info=sys.exc_info())


class _Base:
    """The session, transport and store of a client (sync or async)."""

    _async = False
    _transport: Any
    _owned: Any  # sync: whether to close the transport; async: what to close

    def __init__(
        self,
        *,
        auth_url: str = DEFAULT_AUTH_URL,
        customer_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        transport: Any = None,
        store: Any = None,
        retries: int = 3,
        propagation_wait_ms: int = 30_000,
        timeout_ms: int = 30_000,
        description: Optional[str] = None,
        on_event: Optional[Callable[[Event], Any]] = None,
    ) -> None:
        session = _Session(
            auth_url=auth_url, customer_id=customer_id, client_id=client_id, client_secret=client_secret,
            username=username, password=password, retries=retries, propagation_wait_ms=propagation_wait_ms,
            timeout_ms=timeout_ms, description=description,
        )
        self._init(session, transport, store, on_event)

    def _init(self, session: _Session, transport: Any, store: Any, on_event: Any = None) -> None:
        if on_event is not None and not callable(on_event):
            raise TypeError(f"on_event must be callable, not {type(on_event).__name__}")
        self._session = session
        self._store = store
        self._on_event = on_event
        adapt = async_transport if self._async else sync_transport
        self._transport, self._owned = adapt(transport, session.timeout_ms)
        # A built-in transport that ends each request at its deadline (else the async loop bounds the await).
        self._keeps_deadline = type(self._transport).__module__.startswith(__package__ or "mapsindoors_auth") and \
            getattr(self._transport, "keeps_deadline", False) is True

    @classmethod
    def _of(cls, record: Optional[StoreRecord], store: Any, transport: Any, creds: Any, knobs: Any, on_event: Any) -> Any:
        """A client of the store's record, else of the credentials given (to seed the store with)."""
        self = cls.__new__(cls)
        if record is not None:
            self._init(_Session.from_record(record, **knobs), transport, store, on_event)
        elif creds["client_secret"] is None:
            raise access.empty()
        else:
            _Base.__init__(self, transport=transport, store=store, on_event=on_event, **creds, **knobs)
        return self

    def _listening(self) -> bool:
        """Whether anyone listens for events (else steps are not timed)."""
        return self._on_event is not None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._session})"

    # The platform, as hooks (tests replace them): clock and randomness.
    def _now_ms(self) -> int:
        return now_ms()

    def _random(self, n: int) -> bytes:
        return os.urandom(n)


class Client(_Base):
    """A blocking client for the MapsIndoors auth API.

    Give ``client_id`` and ``client_secret`` (client credentials) or
    ``username`` and ``password`` (``client_id`` defaults to ``client``).
    ``customer_id`` is needed for the secrets endpoints. ``transport`` is any
    callable ``(Request) -> Response``, an object with ``send(Request) ->
    Response``, an ``httpx.Client`` or a ``requests.Session``; the default
    is an ``HttpClientTransport`` (the standard library's ``http.client``,
    keep-alive), closed by ``close()`` or ``with``. ``store`` is the store
    ``rotate``, ``seed`` and ``claim`` use when given none.

    The knobs: ``retries`` (0 to 10) of an idempotent request after a
    transient failure; ``propagation_wait_ms``, how long a rotation waits for
    a new secret to be accepted; ``timeout_ms``, one deadline per request;
    ``description`` of the secrets rotations create.

    ``on_event`` is called after each step a call took (a request, a store
    load or save, a sleep) with an ``Event`` dict: ``event``, ``purpose``,
    ``reason``, ``outcome``, ``status``, ``error``, ``generation``,
    ``duration_ms``; never a secret. It runs in the thread that took the
    step; if it raises, the error is logged on the ``mapsindoors_auth``
    logger and the call goes on.
    """

    @classmethod
    def from_store(
        cls,
        store: Store,
        *,
        auth_url: str = DEFAULT_AUTH_URL,
        customer_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        secret_id: Optional[str] = None,
        claim: bool = False,
        transport: Any = None,
        retries: int = 3,
        propagation_wait_ms: int = 30_000,
        timeout_ms: int = 30_000,
        description: Optional[str] = None,
        on_event: Optional[Callable[[Event], Any]] = None,
    ) -> "Client":
        """A client that logs in with the current secret in `store`, and
        remembers the store (``rotate()`` needs no argument).

        If the store is empty it is seeded first with `client_id` and
        `client_secret` (and `auth_url`, `customer_id`), exactly as ``seed``
        does with `secret_id` and `claim`. Once the store holds a record these
        keywords are ignored: the store's secret wins.
        """
        creds = dict(auth_url=auth_url, customer_id=customer_id, client_id=client_id, client_secret=client_secret)
        knobs = dict(retries=retries, propagation_wait_ms=propagation_wait_ms, timeout_ms=timeout_ms,
                     description=description)
        record = access.load(store)
        self: Client = cls._of(record, store, transport, creds, knobs, on_event)
        if record is None:
            self.seed(secret_id=secret_id, claim=claim)
        return self

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Any) -> None:
        self.close()

    def close(self) -> None:
        """Releases the transport if the client created it."""
        close = getattr(self._transport, "close", None) if self._owned else None
        if callable(close):
            close()

    def token(self) -> Token:
        """A valid access token: cached, or fetched once for all threads."""
        return run_sync(self, self._session.token())  # type: ignore[no-any-return]

    def list_secrets(self) -> List[SecretInfo]:
        """The customer's secrets (metadata only; values are never listed)."""
        return run_sync(self, self._session.list())  # type: ignore[no-any-return]

    def create_secret(self, description: Optional[str] = None, *, client_id: Optional[str] = None) -> CreatedSecret:
        """Creates a secret. Its value is in the result, this once.

        `client_id` names the client the secret is for (needed when signed in
        as a user: a password-grant token names no client); by default the
        server picks the client that logged in."""
        return run_sync(self, self._session.create(description, client_id=client_id))  # type: ignore[no-any-return]

    def delete_secret(self, id: str) -> None:
        """Deletes a secret by id."""
        run_sync(self, self._session.delete(id))

    def _locked(self, store: Any, task: Any) -> Any:
        store = access.given(store, self._store)
        with access.lock(store):
            return run_sync(self, task, store)

    def seed(self, store: Optional[Store] = None, *, secret_id: Optional[str] = None, claim: bool = False) -> StoreRecord:
        """Seeds an empty store (this call's, else the client's) with this
        client's secret: logs in, lists the client's secrets, and saves
        generation 1 (``save(record, 0)``) before any remote change. A store
        that holds a record is left as it is. Returns the store's record.

        The core identifies the secret: `secret_id` names it (it must exist;
        naming it claims it). Otherwise a client with exactly one secret
        identifies it, and it is the store's own only if `claim` is true;
        with several secrets the id stays unknown and the candidates are
        recorded. A secret that is not the store's own is never deleted by a
        rotation: it is reported as kept, with advice (claim it later with
        ``claim``). Claim only a secret no other job or installation uses.
        """
        task = self._session.seed(self._random(8), secret_id=secret_id, claim=claim)
        return self._locked(store, task)  # type: ignore[no-any-return]

    def claim(self, id: str, *, store: Optional[Store] = None) -> StoreRecord:
        """Claims the secret `id` as the store's own and saves that
        (compare-and-swap): a kept secret (the next ``rotate`` deletes it),
        or the current secret (or one of its candidates), deleted once a
        rotation replaces it. Claim only a secret nothing else uses.
        Returns the record saved. No request is sent."""
        return self._locked(store, self._session.claim(id))  # type: ignore[no-any-return]

    def rotate(self, store: Optional[Store] = None, *, max_age: Optional[datetime.timedelta] = None) -> RotationReport:
        """Replaces the secret in the store (this call's, else the
        client's) with a new one, crash-safely; an empty store is seeded
        first.

        Creates a secret, saves it as pending, logs in with it (waiting up to
        ``propagation_wait_ms`` for it to propagate), promotes it, deletes the
        old one if it is provably the store's own (else keeps it: see
        ``report.kept``) and sweeps orphans of interrupted runs. Every save is
        a compare-and-swap and every delete is fenced by one, so two rotations
        of one store are safe without a lock; the store's lock, if it has one,
        only saves wasted work. Run it again after any failure: it finishes
        what an earlier run began. ``StoreConflictError`` means another run
        changed the store meanwhile: run again. If this client used the old
        secret it switches to the new one.

        With `max_age` (a ``timedelta``, at most ten years) a new secret is
        created only when the current one is at least that old (its date from
        the store, else one listing; unknown: rotate). Unfinished work is
        finished either way. ``report.decision`` says why (``always``,
        ``due``, ``age_unknown``, ``not_due``, ``unfinished``) and
        ``report.due_at`` when the secret now current is due. A secret not
        yet due costs no request when the store knows its date.
        """
        task = self._session.rotate(self._random(16), max_age_ms=max_age_ms(max_age))
        return self._locked(store, task)  # type: ignore[no-any-return]

    def login_and_rotate(self, store: Optional[Store] = None, *, max_age: Optional[datetime.timedelta] = None) -> Token:
        """Rotate-at-every-login: rotates the secret in the store (only when
        due, given `max_age`), then returns the client's token (from the new
        secret when the client switched to it)."""
        self.rotate(store, max_age=max_age)
        return self.token()

    def status(
        self, store: Optional[Store] = None, *, probe: bool = False, max_age: Optional[datetime.timedelta] = None
    ) -> Status:
        """The status of the store (this call's, else the client's), for
        monitoring: its generation, the current secret's id, age and (given
        `max_age`) due date, an unfinished rotation, kept secrets. Read from
        the store alone; with `probe`, also one login with the store's current
        secret (a refusal is ``health == "critical"``, not an error) and one
        listing (the client's secret count). Takes no lock: it only reads.
        An empty store raises ``StoreError`` (``store_kind == "missing"``).
        """
        task = self._session.status(probe=probe, max_age_ms=max_age_ms(max_age))
        return status_of(run_sync(self, task, access.given(store, self._store)))

    def _emit(self, event: Event) -> None:
        callback = self._on_event
        if callback is not None:
            try:
                callback(event)
            except Exception:
                callback_failed(callback)

    # The platform, as hooks (tests replace them).
    def _send(self, request: Request, purpose: str) -> Any:
        return self._transport(request)

    def _save(self, store: Any, record: StoreRecord, reason: str) -> None:
        store.save(record, record.generation - 1)

    def _sleep(self, ms: int, reason: str) -> None:
        time.sleep(ms / 1000)

    def _wait(self, ms: int) -> None:
        time.sleep(ms / 1000)
