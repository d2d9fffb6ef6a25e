"""Secret stores: the contract a store follows (``Store``), the CLI-compatible
``FileStore`` (native, atomic, file-locked) and ``MemoryStore`` (for tests).

The contract is two methods; an async store may make them coroutines
(``AsyncClient`` awaits them):

* ``load() -> StoreRecord | None``: the record as last saved, or None when
  the store is empty.
* ``save(record, expected_generation) -> None``: a compare-and-swap. Save
  ``record`` durably only if the store holds generation
  ``expected_generation`` (always ``record.generation - 1``; 0 means "only if
  the store is empty"), else raise ``StoreConflictError`` and change nothing.
  Any other exception is a failed save (the store is taken as unchanged).

That is all a rotation needs to be safe: every delete is fenced by a save, so
a stale run fails its save before it deletes anything. ``lock()`` is
optional: if present it returns a context manager (sync, or async with
``__aenter__``) held for a whole rotation, which only saves wasted work.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading's Lock, without importing threading

from ._errors import StoreConflictError
from ._native import FileStore, StoreRecord

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Optional, Protocol

__all__ = ["Store", "AsyncStore", "FileStore", "MemoryStore", "RotationLock"]


if TYPE_CHECKING:

    class Store(Protocol):
        """What ``rotate``, ``seed``, ``claim`` and ``from_store`` need from a store."""

        def load(self) -> Optional[StoreRecord]:
            """The record as last saved, or None when the store is empty."""
            ...

        def save(self, record: StoreRecord, expected_generation: int) -> None:
            """Durably save `record` only if the store holds generation
            `expected_generation` (0: only if empty); else raise ``StoreConflictError``."""
            ...

    class AsyncStore(Protocol):
        """``Store`` with coroutines, for ``AsyncClient``."""

        async def load(self) -> Optional[StoreRecord]:
            """The record as last saved, or None when the store is empty."""
            ...

        async def save(self, record: StoreRecord, expected_generation: int) -> None:
            """Durably save `record` only if the store holds generation
            `expected_generation` (0: only if empty); else raise ``StoreConflictError``."""
            ...

else:

    class Store:
        """What ``rotate``, ``seed``, ``claim`` and ``from_store`` need from a
        store (a protocol: any object with these methods will do; no need to
        subclass)."""

        def load(self) -> Optional[StoreRecord]:
            """The record as last saved, or None when the store is empty."""
            raise NotImplementedError

        def save(self, record: StoreRecord, expected_generation: int) -> None:
            """Durably save `record` only if the store holds generation
            `expected_generation` (0: only if empty); else raise ``StoreConflictError``."""
            raise NotImplementedError

    class AsyncStore:
        """``Store`` with coroutines, for ``AsyncClient``."""

        async def load(self) -> Optional[StoreRecord]:
            """The record as last saved, or None when the store is empty."""
            raise NotImplementedError

        async def save(self, record: StoreRecord, expected_generation: int) -> None:
            """Durably save `record` only if the store holds generation
            `expected_generation` (0: only if empty); else raise ``StoreConflictError``."""
            raise NotImplementedError


class RotationLock:
    """A lock one rotation holds at a time, for threads and asyncio tasks alike.

    ``with lock:`` blocks the thread; ``async with lock:`` waits on the event
    loop (never in a worker thread, so a cancelled wait leaves it free). It is
    not reentrant. Return one from a store's ``lock()``.
    """

    def __init__(self) -> None:
        self._lock = allocate_lock()

    def __enter__(self) -> "RotationLock":
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    async def __aenter__(self) -> "RotationLock":
        import asyncio

        delay = 0.001
        while not self._lock.acquire(blocking=False):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.02)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._lock.release()

    def locked(self) -> bool:
        """Whether a rotation holds it."""
        return self._lock.locked()

    def __repr__(self) -> str:
        return f"RotationLock(locked={self.locked()})"


class MemoryStore:
    """A store in memory (for tests and examples): compare-and-swap on the
    generation, and a ``RotationLock`` for sync and asyncio rotations."""

    def __init__(self, record: Optional[StoreRecord] = None) -> None:
        self._record = record
        self._cas = allocate_lock()  # held only for one compare-and-swap
        self._rotation = RotationLock()

    def load(self) -> Optional[StoreRecord]:
        return self._record

    def save(self, record: StoreRecord, expected_generation: int) -> None:
        with self._cas:
            held = self._record.generation if self._record is not None else 0
            if held != expected_generation:
                raise StoreConflictError(
                    f"store error (conflict): generation {held} is stored, expected {expected_generation}"
                )
            self._record = record

    def lock(self) -> RotationLock:
        return self._rotation

    def __repr__(self) -> str:
        generation = self._record.generation if self._record is not None else 0
        return f"MemoryStore(generation={generation})"
