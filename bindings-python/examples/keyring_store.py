"""A secret store kept in the OS keyring (``pip install keyring``), usable
with ``Client.rotate(store=...)`` and ``Client.from_store(...)``.

The record is the same JSON the CLI's file store holds (``StoreRecord.to_json``).
``save`` refuses to replace anything but the previous generation, so two
rotations cannot overwrite each other; ``lock`` serialises rotations within
this process (use a file lock for several processes).

    store = KeyringStore("mapsindoors-auth", "nightly-job")
    store.create(StoreRecord(auth_url=..., customer_id=..., client_id=..., client_secret=...))
    with Client.from_store(store) as client:
        client.rotate(store=store)
"""

from __future__ import annotations

import threading

import keyring  # type: ignore[import-not-found]

from mapsindoors_auth import StoreError, StoreRecord


class KeyringStore:
    def __init__(self, service: str, name: str) -> None:
        self.service = service
        self.name = name
        self._lock = threading.Lock()

    def load(self) -> StoreRecord:
        text = keyring.get_password(self.service, self.name)
        if text is None:
            raise StoreError("store error (missing): no record in the keyring", store_kind="missing")
        return StoreRecord.from_json(text)

    def create(self, record: StoreRecord) -> None:
        if keyring.get_password(self.service, self.name) is not None:
            raise StoreError("store error (conflict): a record exists already", store_kind="conflict")
        keyring.set_password(self.service, self.name, record.to_json())

    def save(self, record: StoreRecord) -> None:
        current = self.load()
        if current.generation != record.generation - 1:
            raise StoreError(
                f"store error (conflict): generation {current.generation} is stored, expected {record.generation - 1}",
                store_kind="conflict",
            )
        keyring.set_password(self.service, self.name, record.to_json())

    def lock(self) -> threading.Lock:
        return self._lock

    def __repr__(self) -> str:
        return f"KeyringStore({self.service!r}, {self.name!r})"
