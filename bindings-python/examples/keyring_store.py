"""A secret store kept in the OS keyring (``pip install keyring``), usable
with ``Client.from_store``, ``Client.rotate`` and ``AsyncClient``.

It implements the store contract (``mapsindoors_auth.Store``):

* ``load()`` returns the record, or None when the keyring holds none;
* ``save(record, expected_generation)`` saves only if the keyring holds
  generation ``expected_generation`` (0: none yet), else raises
  ``StoreConflictError``. That compare-and-swap is what makes rotations safe.

The compare and the write are one step within this process (a
``threading.Lock``); the keyring offers no atomic compare-and-swap across
processes, so give each process its own entry (one secret per job). There is
no ``lock()``: a lock is optional, the rotation is safe with CAS alone.

    store = KeyringStore("mapsindoors-auth", "nightly-job")
    # First run seeds the empty entry with the secret you were given; later
    # runs use the stored (rotated) secret and ignore these keywords.
    with Client.from_store(store, customer_id="my-customer", client_id="my-client",
                           client_secret=initial_secret) as client:
        report = client.rotate()
        for kept in report.kept:
            print(kept.advice)
"""

from __future__ import annotations

import threading
from typing import Optional

import keyring  # type: ignore[import-not-found]

from mapsindoors_auth import StoreConflictError, StoreRecord


class KeyringStore:
    def __init__(self, service: str, name: str) -> None:
        self.service = service
        self.name = name
        self._cas = threading.Lock()

    def load(self) -> Optional[StoreRecord]:
        text = keyring.get_password(self.service, self.name)
        return None if text is None else StoreRecord.from_json(text)

    def save(self, record: StoreRecord, expected_generation: int) -> None:
        with self._cas:
            current = self.load()
            held = 0 if current is None else current.generation
            if held != expected_generation:
                raise StoreConflictError(
                    f"store error (conflict): generation {held} is in the keyring, expected {expected_generation}"
                )
            keyring.set_password(self.service, self.name, record.to_json())

    def __repr__(self) -> str:
        return f"KeyringStore({self.service!r}, {self.name!r})"
