"""Secret stores: the protocol a store follows, the CLI-compatible
``FileStore`` (native, atomic, locked) and an in-memory store for tests.

A store holds one ``StoreRecord``. ``save`` must be durable before it
returns and should replace exactly generation ``record.generation - 1``
(compare-and-swap). ``lock()``, if present, returns a context manager held
for a whole rotation. Async stores may make these coroutines.
"""

from __future__ import annotations

import threading
from ._errors import StoreError
from ._native import FileStore, StoreRecord

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, ContextManager, Optional, Protocol

__all__ = ["Store", "FileStore", "MemoryStore"]


if TYPE_CHECKING:

    class Store(Protocol):
        """What ``rotate`` and ``from_store`` need from a store."""

        def load(self) -> StoreRecord:
            """The record as last saved; raise ``StoreError`` if there is none."""
            ...

        def save(self, record: StoreRecord) -> None:
            """Durably replace the record of generation ``record.generation - 1``."""
            ...

else:

    class Store:
        """What ``rotate`` and ``from_store`` need from a store (a protocol:
        any object with these methods will do; no need to subclass)."""

        def load(self) -> StoreRecord:
            """The record as last saved; raise ``StoreError`` if there is none."""
            raise NotImplementedError

        def save(self, record: StoreRecord) -> None:
            """Durably replace the record of generation ``record.generation - 1``."""
            raise NotImplementedError


class MemoryStore:
    """A store in memory (for tests and examples): compare-and-swap on the
    generation, and a lock held for a whole rotation."""

    def __init__(self, record: Optional[StoreRecord] = None) -> None:
        self._json = record.to_json() if record is not None else None
        self._lock = threading.RLock()

    def load(self) -> StoreRecord:
        if self._json is None:
            raise StoreError("store error (missing): no record yet", code="store", store_kind="missing")
        return StoreRecord.from_json(self._json)

    def save(self, record: StoreRecord) -> None:
        with self._lock:
            current = StoreRecord.from_json(self._json) if self._json is not None else None
            expected = record.generation - 1
            if current is not None and current.generation != expected:
                raise StoreError(
                    f"store error (conflict): generation {current.generation} is stored, expected {expected}",
                    code="store",
                    store_kind="conflict",
                )
            self._json = record.to_json()

    def lock(self) -> ContextManager[Any]:
        return self._lock

    def __repr__(self) -> str:
        return "MemoryStore(...)"
