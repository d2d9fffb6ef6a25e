"""``Client``: the blocking client. It asks the native core what to do and
does it with its transport; concurrent ``token()`` calls from many threads
share one fetch (the core's single flight, waited on with a lock)."""

from __future__ import annotations

import os
import threading
TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, List, Optional, Type

from . import _store_access as access
from ._drive import now_ms, run_sync
from ._errors import StoreConflictError
from ._http import sync_transport
from ._native import CreatedSecret, RotationReport, SecretInfo, StoreRecord, Token, _Core

if TYPE_CHECKING:
    from .stores import Store

__all__ = ["Client", "DEFAULT_AUTH_URL"]

#: The production auth server.
DEFAULT_AUTH_URL = "https://auth.mapsindoors.com"


class _Pending:
    """One fetch in flight, for the threads waiting on it."""

    __slots__ = ("done", "token", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.token: Optional[Token] = None
        self.error: Optional[BaseException] = None


class Client:
    """A blocking client for the MapsIndoors auth API.

    Give ``client_id`` and ``client_secret`` (client credentials) or
    ``username`` and ``password`` (``client_id`` defaults to ``client``).
    ``customer_id`` is needed for the secrets endpoints. ``transport`` is any
    callable ``(Request) -> Response``, an object with ``send(Request) ->
    Response``, an ``httpx.Client`` or a ``requests.Session``; the default
    uses urllib. ``retries`` is how often an idempotent request is retried
    after a transient failure; ``timeout`` is per request, in seconds.
    """

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
        timeout: Optional[float] = 30.0,
        retries: int = 3,
    ) -> None:
        core = _Core(
            auth_url=auth_url, customer_id=customer_id, client_id=client_id, client_secret=client_secret,
            username=username, password=password, retries=retries,
        )
        self._init(core, transport, timeout)

    def _init(self, core: _Core, transport: Any, timeout: Optional[float]) -> None:
        self._core = core
        self._send, self._owns_transport = sync_transport(transport, timeout)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._rotating = threading.Lock()  # one rotation, seed or claim of this client at a time
        self._pending: Optional[_Pending] = None

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
        description: Optional[str] = None,
        transport: Any = None,
        timeout: Optional[float] = 30.0,
        retries: int = 3,
    ) -> "Client":
        """A client that logs in with the current secret in `store`.

        If the store is empty it is seeded first with `client_id` and
        `client_secret` (and `auth_url`, `customer_id`), exactly as ``seed``
        does with `secret_id`, `claim` and `description`. Once the store
        holds a record these keywords are ignored: the store's secret wins.
        """
        record = access.load(store)
        if record is not None:
            self = cls.__new__(cls)
            self._init(_Core.from_record(record, retries=retries), transport, timeout)
            return self
        if client_secret is None:
            raise access.empty("logging in from it")
        self = cls(
            auth_url=auth_url, customer_id=customer_id, client_id=client_id, client_secret=client_secret,
            transport=transport, timeout=timeout, retries=retries,
        )
        self.seed(store, secret_id=secret_id, claim=claim, description=description)
        return self

    def __repr__(self) -> str:
        return f"Client(auth_url={self._core.auth_url!r}, customer_id={self._core.customer_id!r}, client_id={self._core.client_id!r})"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Any) -> None:
        self.close()

    def close(self) -> None:
        """Releases the transport if the client created it."""
        if self._owns_transport:
            close = getattr(self._send, "close", None)
            if callable(close):
                close()

    def token(self) -> Token:
        """A valid access token: cached, or fetched once for all callers."""
        while True:
            with self._lock:
                kind, token, ticket = self._core.lookup(now_ms())
                if kind == "hit" and token is not None:
                    return token
                pending = self._pending
                if kind == "fetch":
                    pending = self._pending = _Pending()
            if kind == "wait":
                if pending is None:
                    threading.Event().wait(0.01)
                    continue
                pending.done.wait(1.0)
                if pending.error is not None:
                    raise pending.error
                if pending.token is not None:
                    return pending.token
                continue
            assert pending is not None and ticket is not None
            return self._fetch(pending, ticket)

    def _fetch(self, pending: _Pending, ticket: int) -> Token:
        token: Optional[Token] = None
        try:
            token = run_sync(self._core.token_flow(), self._send, self._timeout)
            assert token is not None
            return token
        except Exception as e:
            pending.error = e
            raise
        finally:
            with self._lock:
                self._core.complete(ticket, token, now_ms())
                pending.token = token
                if self._pending is pending:
                    self._pending = None
            pending.done.set()

    def _call(self, operation: str, argument: Optional[str]) -> Any:
        self._core.check_call(operation, argument)
        token = self.token()
        flow = self._core.api_flow(operation, argument, token)
        value, new_token = run_sync(flow, self._send, self._timeout)
        if new_token is not None:
            with self._lock:
                self._core.insert(new_token, now_ms())
        return value

    def list_secrets(self) -> List[SecretInfo]:
        """The customer's secrets (metadata only; values are never listed)."""
        return self._call("list", None)  # type: ignore[no-any-return]

    def create_secret(self, description: Optional[str] = None) -> CreatedSecret:
        """Creates a secret. Its value is in the result, this once."""
        return self._call("create", description)  # type: ignore[no-any-return]

    def delete_secret(self, id: str) -> None:
        """Deletes a secret by id."""
        self._call("delete", id)

    def seed(
        self, store: Store, *, secret_id: Optional[str] = None, claim: bool = False, description: Optional[str] = None
    ) -> StoreRecord:
        """Seeds an empty `store` with this client's secret (the core's seed
        flow): logs in, lists the client's secrets, and saves generation 1
        (``save(record, 0)``) before any remote change.

        The core identifies the secret: `secret_id` names it (it must exist;
        naming it claims it). Otherwise a client with exactly one secret
        identifies it, and it is the store's own only if `claim` is true;
        with several secrets the id stays unknown and the candidates are
        recorded. A secret that is not the store's own is never deleted by a
        rotation: it is reported as kept, with advice (claim it later with
        ``claim``). Claim only a secret no other job or installation uses.
        `description` names the secrets the store's rotations create.

        Raises ``StoreConflictError`` if the store already holds a record.
        """
        with self._rotating, access.lock(store):
            held = access.load(store)
            if held is not None:
                raise StoreConflictError(
                    f"store error (conflict): the store holds a record already (generation {held.generation}); not seeded"
                )
            flow = self._core.seed_flow(secret_id=secret_id, claim=claim, description=description)
            record, token = run_sync(flow, self._send, self._timeout, store)
        with self._lock:
            self._core.insert(token, now_ms())
        return record  # type: ignore[no-any-return]

    def claim(self, store: Store, id: str) -> StoreRecord:
        """Claims the secret `id` as the store's own and saves that
        (compare-and-swap): a kept secret (the next ``rotate`` deletes it),
        or the current secret (or one of its candidates), deleted once a
        rotation replaces it. Claim only a secret nothing else uses.
        Returns the record saved. No request is sent."""
        with self._rotating, access.lock(store):
            record = access.load(store)
            if record is None:
                raise access.empty("claiming a secret")
            claimed = record.claim(id, now_ms())
            store.save(claimed, record.generation)
        return claimed

    def rotate(
        self, store: Store, *, description: Optional[str] = None, max_propagation_wait: Optional[float] = None
    ) -> RotationReport:
        """Replaces the secret in `store` with a new one, crash-safely.

        Creates a secret, saves it as pending, logs in with it (waiting up to
        `max_propagation_wait` seconds for it to propagate), promotes it,
        deletes the old one if it is provably the store's own (else keeps it:
        see ``report.kept``) and sweeps orphans of interrupted runs. Every
        save is a compare-and-swap and every delete is fenced by one, so two
        rotations of one store are safe without a lock; the store's lock, if
        it has one, only saves wasted work. Run it again after any failure:
        it finishes what an earlier run began. ``StoreConflictError`` means
        another run changed the store meanwhile: run again. If this client
        used the old secret it switches to the new one.
        """
        wait_ms = None if max_propagation_wait is None else int(max_propagation_wait * 1000)
        with self._rotating, access.lock(store):
            record = access.load(store)
            if record is None:
                raise access.empty("rotating it")
            flow = self._core.rotation_flow(record, description, os.urandom(8), now_ms(), wait_ms)
            try:
                report: RotationReport = run_sync(flow, self._send, self._timeout, store)
            except BaseException:
                # A failed run may still have promoted a new secret: switch to it
                # (no token to cache), as the browser and mobile clients do.
                with self._lock:
                    self._core.rotation_done(flow, None, now_ms())
                raise
        with self._lock:
            self._core.rotation_done(flow, report.token, now_ms())
        return report

    def login_and_rotate(self, store: Store, *, description: Optional[str] = None) -> Token:
        """Rotate-at-every-login: rotates the secret in `store` and returns a
        token obtained with the new secret."""
        report = self.rotate(store, description=description)
        token = report.token
        return token if token is not None else self.token()
