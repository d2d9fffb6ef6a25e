"""The private native module: the Rust core's ``Session`` and ``Task``, the
typed steps a task asks for, the API's values and the store record.

Type stubs, checked against the built module with ``mypy.stubtest``. The
public API is the pure-Python package around it (``Client``,
``AsyncClient``), which only drives these objects.
"""

import datetime
from os import PathLike
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union, final

from mapsindoors_auth._events import Event

__all__ = [
    "_Session",
    "_Task",
    "Send",
    "Load",
    "Persist",
    "Sleep",
    "Wait",
    "Done",
    "StoreRecord",
    "FileStore",
    "FileStoreLock",
    "Token",
    "SecretInfo",
    "CreatedSecret",
    "RotationReport",
    "KeptSecret",
    "Candidate",
    "CORE_VERSION",
    "ERROR_KINDS",
    "PURPOSES",
    "PERSIST_REASONS",
]

CORE_VERSION: str
"""The version of the Rust core."""

ERROR_KINDS: Tuple[str, ...]
"""Every stable error kind the core has (``invalid_client``, ...); each has its
own exception class in ``mapsindoors_auth``."""

PURPOSES: Tuple[str, ...]
"""Every purpose a ``Send`` step can have: ``login``, ``verify``, ``list``,
``create``, ``delete``, ``delete_old``, ``delete_orphan``, ``delete_abandoned``."""

PERSIST_REASONS: Tuple[str, ...]
"""Every reason a ``Persist`` step can have: ``seed``, ``claim``, ``intent``,
``intent_cleared``, ``pending``, ``promote``, ``fence``, ``deleted``, ``forget``."""

@final
class Token:
    """An access token. ``repr`` and ``str`` redact it; read ``access_token`` to use it."""
    @property
    def access_token(self) -> str:
        """The bearer token itself."""
    @property
    def token_type(self) -> str:
        """The token type, ``Bearer``."""
    @property
    def expires_in(self) -> Optional[int]:
        """Its lifetime in seconds, as the server said."""
    @property
    def scope(self) -> Optional[str]:
        """Its scope, if the server said."""
    @property
    def authorization(self) -> str:
        """``"Bearer <token>"``, ready for an ``Authorization`` header."""

@final
class SecretInfo:
    """A listed secret: its metadata, never its value."""
    @property
    def id(self) -> str:
        """The secret's id."""
    @property
    def description(self) -> Optional[str]:
        """Its description."""
    @property
    def client_id(self) -> Optional[str]:
        """The client it belongs to."""
    @property
    def created_at(self) -> str:
        """The creation time as the server wrote it (RFC 3339)."""
    @property
    def created_at_ms(self) -> int:
        """The creation time in Unix milliseconds."""

@final
class CreatedSecret:
    """A secret just created; its value is shown this once. ``repr`` redacts it."""
    @property
    def id(self) -> str:
        """The new secret's id."""
    @property
    def description(self) -> Optional[str]:
        """Its description."""
    @property
    def created_at(self) -> str:
        """The creation time as the server wrote it (RFC 3339)."""
    @property
    def created_at_ms(self) -> int:
        """The creation time in Unix milliseconds."""
    @property
    def secret(self) -> str:
        """The new secret itself. Store it; the server keeps only a hash."""

@final
class Candidate:
    """A secret the store may be using: its id and creation time."""
    @property
    def id(self) -> str:
        """Its id."""
    @property
    def created_at(self) -> Optional[str]:
        """Its creation time (RFC 3339), when known."""

@final
class KeptSecret:
    """A replaced secret not provably the store's own: never deleted by a
    rotation. ``advice`` says how to delete it by hand or claim it."""
    @property
    def id(self) -> Optional[str]:
        """Its id, when known."""
    @property
    def created_at(self) -> Optional[str]:
        """Its creation time (RFC 3339), when known."""
    @property
    def candidates(self) -> List[Candidate]:
        """When its id is unknown: the secrets it may be."""
    @property
    def reason(self) -> str:
        """Why it was kept."""
    @property
    def advice(self) -> str:
        """One sentence for users: how to delete it by hand, or claim it."""
    def __copy__(self) -> KeptSecret:
        """Immutable: itself."""
    def __deepcopy__(self, memo: Any, /) -> KeptSecret:
        """Immutable: itself (so ``dataclasses.asdict`` of a ``Status`` works)."""

@final
class RotationReport:
    """What a rotation did."""
    @property
    def rotated(self) -> bool:
        """Whether this run created a secret and made it current."""
    @property
    def resumed(self) -> bool:
        """Whether it first finished an earlier, interrupted rotation."""
    @property
    def decision(self) -> str:
        """Why it created a secret or did not: ``always`` (no ``max_age``),
        ``due``, ``age_unknown``, ``not_due`` (nothing created) or
        ``unfinished`` (it finished an earlier run and created nothing more)."""
    @property
    def due_at_ms(self) -> Optional[int]:
        """With a ``max_age``: when the secret now current is due (Unix ms), if its date is known."""
    @property
    def due_at(self) -> Optional[datetime.datetime]:
        """``due_at_ms`` as an aware UTC datetime."""
    @property
    def old_id(self) -> Optional[str]:
        """The id of the secret current before, if known."""
    @property
    def new_id(self) -> Optional[str]:
        """The id of the secret now current."""
    @property
    def deleted(self) -> List[str]:
        """Replaced secrets deleted."""
    @property
    def swept(self) -> List[str]:
        """Orphans of interrupted runs deleted."""
    @property
    def kept(self) -> List[KeptSecret]:
        """Secrets left alone, with reasons and advice."""
    @property
    def round_trips(self) -> int:
        """HTTP requests sent."""
    @property
    def persists(self) -> int:
        """Records saved."""
    @property
    def generation(self) -> int:
        """The store's generation at the end."""
    @property
    def token(self) -> Optional[Token]:
        """A token from the secret now current, when the rotation has one."""

@final
class StoreRecord:
    """What a secret store holds for one client. Treat ``to_json()`` as secret;
    ``repr`` never shows a secret."""
    def __new__(
        cls,
        *,
        auth_url: str,
        customer_id: str,
        client_id: str,
        client_secret: str,
        secret_id: Optional[str] = None,
        description: Optional[str] = None,
        lineage: Optional[str] = None,
    ) -> StoreRecord:
        """A first record (generation 1) built offline, without the login and
        listing that seeding does (prefer ``Client.seed``). Naming
        `secret_id` claims that secret as the store's own."""
    @staticmethod
    def from_json(text: str) -> StoreRecord:
        """Parses a record (versions 1 and 2; a version 1 record is migrated)."""
    def to_json(self) -> str:
        """The record as JSON. It holds secrets: write it only to a store."""
    def claim(self, id: str, now_ms: int) -> StoreRecord:
        """The next record (generation + 1) in which the secret `id` is this store's own."""
    @property
    def auth_url(self) -> str:
        """The auth server's URL."""
    @property
    def customer_id(self) -> str:
        """The customer."""
    @property
    def client_id(self) -> str:
        """The client."""
    @property
    def lineage(self) -> str:
        """The store's lineage, tagged on the secrets its rotations create."""
    @property
    def generation(self) -> int:
        """Bumped by every save; a save replaces exactly generation - 1."""
    @property
    def updated_at_ms(self) -> int:
        """When it was saved, in Unix milliseconds."""
    @property
    def description(self) -> Optional[str]:
        """The description of secrets the store's rotations create."""
    @property
    def current_id(self) -> Optional[str]:
        """The id of the secret in use, when known."""
    @property
    def current_owned(self) -> bool:
        """Whether the current secret is provably this store's own."""
    @property
    def candidates(self) -> List[Candidate]:
        """When the current secret's id is unknown: the secrets it may be."""
    @property
    def pending_id(self) -> Optional[str]:
        """The id of a secret created mid-rotation and not yet promoted."""
    @property
    def has_pending(self) -> bool:
        """Whether a secret is pending (created, saved, not yet promoted)."""
    @property
    def previous_id(self) -> Optional[str]:
        """The id of a replaced secret of this store's own, not yet deleted."""
    @property
    def deleting(self) -> Optional[str]:
        """The id a rotation fenced and is deleting."""
    @property
    def kept(self) -> List[KeptSecret]:
        """Replaced secrets not provably this store's own: never deleted by a rotation."""
    @property
    def has_unfinished_rotation(self) -> bool:
        """Whether an interrupted rotation left work for the next one."""
    @property
    def unfinished_stage(self) -> Optional[str]:
        """Where an interrupted rotation stopped, or None."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class FileStoreLock:
    """A held store lock; released on ``__exit__`` or ``release()``."""
    def __enter__(self) -> FileStoreLock: ...
    def __exit__(self, *_exc: Any) -> bool: ...
    def release(self) -> None:
        """Releases the lock (idempotent)."""

@final
class FileStore:
    """A store file shared with the CLI: ``load()`` and a compare-and-swap ``save``."""
    def __new__(cls, path: Union[str, PathLike[str]]) -> FileStore:
        """The store at `path` (the file need not exist yet)."""
    @property
    def path(self) -> Path:
        """The file's path."""
    def load(self) -> Optional[StoreRecord]:
        """Reads the record; None when there is no file."""
    def create(self, record: StoreRecord) -> None:
        """Writes a new file (mode 0600); fails if one exists."""
    def save(self, record: StoreRecord, expected_generation: int) -> None:
        """Saves `record` only if the file holds generation `expected_generation`
        (0: only if there is none); else raises ``StoreConflictError``."""
    def lock(self) -> FileStoreLock:
        """An exclusive lock for a whole rotation, as a context manager."""

@final
class Send:
    """Send this request with the transport, then answer the task with
    ``on_response`` (any status) or ``on_transport_error``."""
    @property
    def method(self) -> str:
        """``GET``, ``POST`` or ``DELETE``."""
    @property
    def url(self) -> str:
        """The full URL."""
    @property
    def headers(self) -> List[Tuple[str, str]]:
        """The headers, in order (they may hold a token: never log them)."""
    @property
    def body(self) -> bytes:
        """The body (it may hold a secret: never log it)."""
    @property
    def purpose(self) -> str:
        """What the request is for: one of ``PURPOSES``."""

@final
class Load:
    """Load the store's record, then answer with ``on_loaded``."""

@final
class Persist:
    """Save ``record`` with a compare-and-swap expecting generation
    ``record.generation - 1``, then answer with ``on_persisted``."""
    @property
    def record(self) -> StoreRecord:
        """The record to save."""
    @property
    def reason(self) -> str:
        """Why: one of ``PERSIST_REASONS``."""

@final
class Sleep:
    """Sleep ``ms`` milliseconds, then poll again."""
    @property
    def ms(self) -> int:
        """How long, in milliseconds."""
    @property
    def reason(self) -> str:
        """Why: ``backoff``, ``retry_after`` or ``propagation``."""

@final
class Wait:
    """Another task of the session is logging in: wait a little (at most
    ``ms`` milliseconds), then poll again."""
    @property
    def ms(self) -> int:
        """The longest wait, in milliseconds."""

@final
class Done:
    """The task finished; a failure is raised by ``poll`` instead."""
    @property
    def value(self) -> Any:
        """What the task yields: a ``Token``, a list of ``SecretInfo``, a
        ``CreatedSecret``, None (a delete), a ``RotationReport``, a
        ``StoreRecord`` (seed, claim) or a status's fields as a dict."""

@final
class _Task:
    """One job of a session. Drive it: ``poll(now_ms)`` until ``Done``,
    answering each step with the matching ``on_*`` method."""
    def poll(self, now_ms: int) -> Union[Send, Load, Persist, Sleep, Wait, Done]:
        """The next step at `now_ms` (Unix milliseconds); raises the mapped
        exception when the task fails."""
    def on_response(
        self,
        status: int,
        headers: List[Tuple[str, str]],
        body: bytes,
        now_ms: int,
        *,
        duration_ms: Optional[int] = None,
    ) -> Optional[Event]:
        """The response to the last ``Send``, of any status. Given the
        step's `duration_ms`, returns the core's event for it (else None)."""
    def on_transport_error(
        self, kind: str, message: str, now_ms: int, *, duration_ms: Optional[int] = None
    ) -> Optional[Event]:
        """The last ``Send`` got no response: `kind` is ``connect``,
        ``timeout``, ``interrupted`` or ``other``; `message` holds no secret.
        Given `duration_ms`, returns the event."""
    def on_loaded(
        self,
        record: Optional[StoreRecord],
        error: Optional[Tuple[str, str]] = None,
        *,
        duration_ms: Optional[int] = None,
    ) -> Optional[Event]:
        """The answer to ``Load``: the record (None: empty), or
        ``(store_kind, message)`` when the load failed. Given `duration_ms`,
        returns the event."""
    def on_persisted(
        self, error: Optional[Tuple[str, str]] = None, *, duration_ms: Optional[int] = None
    ) -> Optional[Event]:
        """The answer to ``Persist``: None when saved, else ``(store_kind,
        message)``. Given `duration_ms`, returns the event."""
    def on_slept(self, duration_ms: int) -> Event:
        """The event for the last ``Sleep``, slept for `duration_ms`."""
    @property
    def record(self) -> Optional[StoreRecord]:
        """The store's record as this task last saved it (or loaded it, before any save)."""
    @property
    def report(self) -> Optional[RotationReport]:
        """For a rotation: what it has done so far."""

@final
class _Session:
    """One client's session: config, credentials, knobs and token cache. It
    makes every protocol decision and hands out tasks."""
    def __new__(
        cls,
        *,
        auth_url: str,
        customer_id: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        retries: int = 3,
        propagation_wait_ms: int = 30_000,
        timeout_ms: int = 30_000,
        description: Optional[str] = None,
    ) -> _Session:
        """A session logging in with a client secret or a password."""
    @staticmethod
    def from_record(
        record: StoreRecord,
        *,
        retries: int = 3,
        propagation_wait_ms: int = 30_000,
        timeout_ms: int = 30_000,
        description: Optional[str] = None,
    ) -> _Session:
        """A session logging in with the record's current secret, at its server and customer."""
    def token(self) -> _Task:
        """A valid access token: cached, or one login for all tasks (single flight)."""
    def list(self) -> _Task:
        """List the customer's secrets (one new login after a 401)."""
    def create(self, description: Optional[str] = None, *, client_id: Optional[str] = None) -> _Task:
        """Create a secret (never retried), for `client_id` if given (needed when signed in as a user)."""
    def delete(self, id: str) -> _Task:
        """Delete a secret by id."""
    def rotate(self, nonce: bytes, *, max_age_ms: Optional[int] = None) -> _Task:
        """Rotate the store's secret, seeding an empty store first; `nonce` is
        16 random bytes. With `max_age_ms`, a new secret only when the current
        one is at least that old (unfinished work is finished either way)."""
    def status(self, *, probe: bool = False, max_age_ms: Optional[int] = None) -> _Task:
        """The store's status (a dict of its fields); with `probe`, one login
        with its current secret and one listing."""
    def seed(self, nonce: bytes, *, secret_id: Optional[str] = None, claim: bool = False) -> _Task:
        """Seed an empty store (a store holding a record is left as it is); `nonce` is 8 random bytes."""
    def claim(self, id: str) -> _Task:
        """Claim a kept (or the current) secret as the store's own."""
    @property
    def timeout_ms(self) -> int:
        """The per-request timeout the transport applies."""
