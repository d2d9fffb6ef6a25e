"""The store contract (``load() -> record | None``, ``save(record,
expected_generation)`` as compare-and-swap), seeding through the core's seed
flow, ``claim``, kept secrets, and concurrent rotations of one store — with
its lock (``MemoryStore``) and without one (a CAS-only store) — in threads
and under ``asyncio.gather``. Whatever interleaves, the store's current
secret still logs in afterwards and a conflict surfaces as
``StoreConflictError``."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import os
import sys
import threading
import traceback
import types
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

import mapsindoors_auth as mia

from conftest import REPO, Emulator
from test_e2e_sync import client_secrets

CANARY = "CANARY-7f3a9c1e-do-not-print"


class CasOnlyStore:
    """The bare contract: compare-and-swap, no lock. ``before_save`` runs
    once, before the next save (to interleave another run there)."""

    def __init__(self) -> None:
        self._record: Optional[mia.StoreRecord] = None
        self._cas = threading.Lock()
        self.before_save: Optional[Callable[[], None]] = None
        self.saves = 0

    def load(self) -> Optional[mia.StoreRecord]:
        return self._record

    def save(self, record: mia.StoreRecord, expected_generation: int) -> None:
        hook, self.before_save = self.before_save, None
        if hook is not None:
            hook()
        with self._cas:
            held = self._record.generation if self._record is not None else 0
            if held != expected_generation:
                raise mia.StoreConflictError(f"generation {held} is stored, expected {expected_generation}")
            self._record = record
            self.saves += 1


class AsyncCasOnlyStore:
    """The contract with coroutines, no lock."""

    def __init__(self) -> None:
        self._record: Optional[mia.StoreRecord] = None

    async def load(self) -> Optional[mia.StoreRecord]:
        await asyncio.sleep(0)
        return self._record

    async def save(self, record: mia.StoreRecord, expected_generation: int) -> None:
        await asyncio.sleep(0)
        held = self._record.generation if self._record is not None else 0
        if held != expected_generation:
            raise mia.StoreConflictError(f"generation {held} is stored, expected {expected_generation}")
        self._record = record


class SyncView:
    """A sync view of an async store, for checks outside the event loop."""

    def __init__(self, inner: AsyncCasOnlyStore) -> None:
        self.inner = inner

    def load(self) -> Optional[mia.StoreRecord]:
        return asyncio.run(self.inner.load())

    def save(self, record: mia.StoreRecord, expected_generation: int) -> None:
        asyncio.run(self.inner.save(record, expected_generation))


class RLockStore(mia.MemoryStore):
    """A store whose lock is a ``threading.RLock`` (must be released by the
    thread that took it): ``AsyncClient`` holds it from one worker thread."""

    def __init__(self) -> None:
        super().__init__()
        self._rlock = threading.RLock()

    def lock(self) -> Any:  # type: ignore[override]
        return self._rlock


def seeded(emulator: Emulator, store: Any, **kw: Any) -> mia.StoreRecord:
    mia.Client.from_store(store, **emulator.client_kwargs(), **kw)
    record = store.load()
    assert record is not None and record.generation == 1
    return record  # type: ignore[no-any-return]


def assert_current_works(emulator: Emulator, store: Any) -> None:
    """The store's current secret logs in; after one clean rotation only it is left."""
    record = store.load()
    assert record is not None
    assert mia.Client.from_store(store).token().access_token
    client = mia.Client.from_store(store)
    client.rotate(store)
    final = store.load()
    assert final is not None and not final.has_unfinished_rotation
    assert mia.Client.from_store(store).token().access_token
    assert [s["id"] for s in client_secrets(emulator)] == [final.current_id], "orphans or siblings left"


# --- the contract -------------------------------------------------------------


def test_memory_store_contract(emulator: Emulator) -> None:
    store = mia.MemoryStore()
    assert store.load() is None
    record = mia.StoreRecord(auth_url=emulator.url, customer_id="c", client_id="c", client_secret="s", secret_id="x")
    with pytest.raises(mia.StoreConflictError) as err:
        store.save(record, 1)
    assert isinstance(err.value, mia.StoreError) and err.value.store_kind == "conflict" and err.value.kind == "store"
    store.save(record, 0)
    assert store.load() == record
    with pytest.raises(mia.StoreConflictError):
        store.save(record, 0)
    nxt = record.claim("x", 1)
    assert nxt.generation == 2
    store.save(nxt, 1)
    assert store.load() == nxt


def test_file_store_contract(emulator: Emulator, tmp_path: Path) -> None:
    store = mia.FileStore(tmp_path / "store.json")
    assert store.load() is None
    record = mia.StoreRecord(auth_url=emulator.url, customer_id="c", client_id="c", client_secret="s", secret_id="x")
    with pytest.raises(mia.StoreConflictError):
        store.save(record.claim("x", 1), 1)  # expects generation 1; there is no file
    store.save(record, 0)
    assert os.stat(tmp_path / "store.json").st_mode & 0o077 == 0
    with pytest.raises(mia.StoreConflictError):
        store.save(record, 0)
    with pytest.raises(mia.InvalidInputError):
        store.save(record, 5)  # not generation - 1: a bug in the caller
    nxt = record.claim("x", 1)
    store.save(nxt, 1)
    with pytest.raises(mia.StoreConflictError):
        store.save(nxt, 1)
    assert store.load() == nxt


def test_empty_store_is_refused_without_credentials_and_seeded_by_rotate(emulator: Emulator) -> None:
    store = mia.MemoryStore()
    with pytest.raises(mia.StoreError) as err:
        mia.Client.from_store(store)
    assert err.value.store_kind == "missing" and "seed" in str(err.value)
    with pytest.raises(mia.InvalidInputError):
        mia.Client(**emulator.client_kwargs()).rotate()  # no store given anywhere
    assert emulator.log() == []  # nothing was sent
    (only,) = client_secrets(emulator)
    report = mia.Client(**emulator.client_kwargs(), store=store).rotate()  # the core seeds it, then rotates
    assert report.rotated and [k.id for k in report.kept] == [only["id"]]
    assert [e["route"] for e in emulator.log()][:2] == ["token", "list"]


# --- seeding --------------------------------------------------------------------


def test_seed_identifies_the_only_secret_and_keeps_it(emulator: Emulator) -> None:
    (only,) = client_secrets(emulator)
    store = mia.MemoryStore()
    record = seeded(emulator, store)
    assert record.current_id == only["id"] and not record.current_owned and record.kept == []
    routes = [e["route"] for e in emulator.log()]
    assert routes == ["token", "list"]  # login, list, save generation 1: no remote change

    report = mia.Client.from_store(store).rotate(store)
    assert report.rotated and report.deleted == []
    (kept,) = report.kept
    assert kept.id == only["id"] and kept.created_at
    assert only["id"] in kept.advice and kept.reason
    assert only["id"] in str(kept)
    assert sorted(s["id"] for s in client_secrets(emulator)) == sorted([only["id"], report.new_id])
    assert mia.Client(**emulator.client_kwargs()).token().access_token  # the handed-in secret still works
    again = mia.Client.from_store(store).rotate(store)
    assert only["id"] in [k.id for k in again.kept]  # reported every run, never deleted


def test_seed_with_claim_deletes_it_at_the_first_rotation(emulator: Emulator) -> None:
    (only,) = client_secrets(emulator)
    store = mia.MemoryStore()
    record = seeded(emulator, store, claim=True)
    assert record.current_id == only["id"] and record.current_owned
    report = mia.Client.from_store(store).rotate(store)
    assert report.deleted == [only["id"]] and report.kept == []
    assert report.persists == 5
    assert [s["id"] for s in client_secrets(emulator)] == [report.new_id]


def test_seed_with_secret_id_and_refusals(emulator: Emulator, tmp_path: Path) -> None:
    (only,) = client_secrets(emulator)
    store = mia.FileStore(tmp_path / "store.json")
    record = seeded(emulator, store, secret_id=only["id"], description="nightly")
    assert record.current_owned and record.description == "nightly"
    assert mia.Client(**emulator.client_kwargs()).seed(store) == record  # a seeded store is left as it is
    # The store's record wins over the keywords once seeded.
    client = mia.Client.from_store(store, **emulator.client_kwargs(client_secret="ignored"))
    assert client.token().access_token
    with pytest.raises(mia.InvalidInputError):
        mia.Client(**emulator.client_kwargs()).seed(mia.MemoryStore(), secret_id="no-such-id")
    with pytest.raises(mia.InvalidInputError):
        mia.Client(auth_url=emulator.url, customer_id="c", username="u", password="p").seed(mia.MemoryStore())


def test_seed_with_several_secrets_records_candidates_then_claim(emulator: Emulator) -> None:
    (original,) = client_secrets(emulator)
    sibling = mia.Client(**emulator.client_kwargs()).create_secret(description="sibling")
    with pytest.raises(mia.InvalidInputError):
        mia.Client(**emulator.client_kwargs()).seed(mia.MemoryStore(), claim=True)
    store = mia.MemoryStore()
    record = seeded(emulator, store)
    assert record.current_id is None and not record.current_owned
    assert sorted(c.id for c in record.candidates) == sorted([original["id"], sibling.id])

    report = mia.Client.from_store(store).rotate(store)
    assert report.deleted == []
    (kept,) = report.kept
    assert kept.id is None and sorted(c.id for c in kept.candidates) == sorted([original["id"], sibling.id])
    assert original["id"] in kept.advice and sibling.id in kept.advice

    claimed = mia.Client.from_store(store).claim(original["id"])
    assert claimed.previous_id == original["id"] and claimed.kept == [] and store.load() == claimed
    with pytest.raises(mia.InvalidInputError):
        mia.Client.from_store(store).claim("not-kept")
    report = mia.Client.from_store(store).rotate(store)
    assert original["id"] in report.deleted
    remaining = sorted(s["id"] for s in client_secrets(emulator))
    assert remaining == sorted([sibling.id, store.load().current_id])  # the sibling is never touched


def test_claim_makes_the_next_rotation_delete_it(emulator: Emulator) -> None:
    (only,) = client_secrets(emulator)
    store = mia.MemoryStore()
    seeded(emulator, store)
    first = mia.Client.from_store(store).rotate(store)
    assert [k.id for k in first.kept] == [only["id"]]

    async def claim() -> mia.StoreRecord:
        async with await mia.AsyncClient.from_store(store) as client:
            return await client.claim(only["id"])

    claimed = asyncio.run(claim())
    assert claimed.previous_id == only["id"] and claimed.kept == []
    report = mia.Client.from_store(store).rotate(store)
    assert only["id"] in report.deleted and report.kept == []
    assert [s["id"] for s in client_secrets(emulator)] == [store.load().current_id]


def test_async_seed_through_from_store(emulator: Emulator) -> None:
    store = AsyncCasOnlyStore()

    async def main() -> None:
        async with await mia.AsyncClient.from_store(store, **emulator.client_kwargs(), claim=True) as client:
            assert (await client.token()).access_token
            report = await client.rotate(store)
            assert report.rotated and report.kept == []
            assert await client.list_secrets()

    asyncio.run(main())
    routes = [e["route"] for e in emulator.log()]
    assert routes.count("token") >= 2 and routes[:2] == ["token", "list"]


# --- conflicts ------------------------------------------------------------------


@pytest.mark.parametrize("at_save", [0, 1, 2, 3, 4])
def test_a_rotation_racing_another_at_each_save(emulator: Emulator, at_save: int) -> None:
    """Issue 9, scenario 1: run A is overtaken by a whole run B just before
    its n-th save. A fails that save with a conflict and deletes nothing
    after it; B's promoted secret still works."""
    store = CasOnlyStore()
    seeded(emulator, store, claim=True)
    base = store.saves
    b_reports: List[mia.RotationReport] = []

    def run_b() -> None:
        b_reports.append(mia.Client.from_store(store).rotate(store))

    a = mia.Client.from_store(store)

    def arm() -> None:
        if store.saves - base == at_save:
            run_b()
        else:
            store.before_save = arm

    store.before_save = arm
    outcome: Any
    try:
        outcome = a.rotate(store)
    except mia.StoreConflictError as e:
        outcome = e
    assert b_reports and b_reports[0].rotated or b_reports[0].resumed, "run B never ran"
    assert isinstance(outcome, mia.StoreConflictError), outcome  # A's view was stale at that save
    assert "run again" in str(outcome) and outcome.store_kind == "conflict" and outcome.kind == "store"
    assert isinstance(outcome, mia.StoreError)
    assert_current_works(emulator, store)


def test_threads_rotating_a_memory_store(emulator: Emulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = mia.MemoryStore()
    seeded(emulator, store, claim=True)
    for _ in range(3):
        barrier = threading.Barrier(3)

        def rotate(_: int) -> mia.RotationReport:
            client = mia.Client.from_store(store)
            barrier.wait()
            return client.rotate(store)

        with ThreadPoolExecutor(max_workers=3) as pool:
            reports = list(pool.map(rotate, range(3)))
        assert all(r.rotated for r in reports)  # the lock serialises them: no conflict
    assert_current_works(emulator, store)


def test_threads_rotating_a_cas_only_store(emulator: Emulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = CasOnlyStore()
    seeded(emulator, store, claim=True)
    outcomes: List[Any] = []
    for _ in range(4):
        barrier = threading.Barrier(3)

        def rotate(_: int) -> Any:
            client = mia.Client.from_store(store)
            barrier.wait()
            try:
                return client.rotate(store)
            except (mia.StoreConflictError, mia.RotationIncompleteError) as e:
                return e

        with ThreadPoolExecutor(max_workers=3) as pool:
            outcomes += list(pool.map(rotate, range(3)))
        record = store.load()
        assert record is not None and mia.Client.from_store(store).token().access_token
    assert any(isinstance(o, mia.RotationReport) for o in outcomes)
    assert_current_works(emulator, store)


def test_gathered_rotations_of_one_async_client_and_memory_store(emulator: Emulator) -> None:
    """Used to deadlock or raise in 7 of 12 runs."""
    store = mia.MemoryStore()
    seeded(emulator, store, claim=True)

    async def main() -> List[mia.RotationReport]:
        async with await mia.AsyncClient.from_store(store) as client:
            return list(await asyncio.wait_for(asyncio.gather(*(client.rotate(store) for _ in range(3))), 60))

    for _ in range(12):
        assert all(r.rotated for r in asyncio.run(main()))
    assert_current_works(emulator, store)


@pytest.mark.parametrize("kind", ["memory", "rlock", "cas_only", "async_cas_only"])
def test_gathered_rotations_of_two_async_clients(emulator: Emulator, kind: str) -> None:
    store: Any = {
        "memory": mia.MemoryStore, "rlock": RLockStore, "cas_only": CasOnlyStore, "async_cas_only": AsyncCasOnlyStore,
    }[kind]()

    async def seed() -> None:
        await mia.AsyncClient.from_store(store, **emulator.client_kwargs(), claim=True)

    asyncio.run(seed())
    locked = kind in ("memory", "rlock")
    view = SyncView(store) if kind == "async_cas_only" else store

    async def one() -> Any:
        async with await mia.AsyncClient.from_store(store) as client:
            try:
                return await client.rotate(store)
            except mia.StoreConflictError as e:
                assert not locked, "a store with a lock never conflicts"
                return e

    async def main() -> List[Any]:
        return list(await asyncio.wait_for(asyncio.gather(one(), one()), 60))

    for _ in range(6):
        outcomes = asyncio.run(main())
        assert any(isinstance(o, mia.RotationReport) for o in outcomes)
        if locked:
            assert all(isinstance(o, mia.RotationReport) and o.rotated for o in outcomes)
        assert mia.Client.from_store(view).token().access_token
    assert_current_works(emulator, view)


# --- the example stores -----------------------------------------------------------


def test_keyring_example_implements_the_contract(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    vault: Dict[Any, str] = {}
    fake = types.ModuleType("keyring")
    fake.get_password = lambda service, name: vault.get((service, name))  # type: ignore[attr-defined]
    fake.set_password = lambda service, name, value: vault.__setitem__((service, name), value)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    path = REPO / "bindings-python" / "examples" / "keyring_store.py"
    spec = importlib.util.spec_from_file_location("keyring_store", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    store = module.KeyringStore("mapsindoors-auth", "job")
    assert store.load() is None
    with mia.Client.from_store(store, **emulator.client_kwargs(), claim=True) as client:
        report = client.rotate(store)
    assert report.rotated and report.kept == [] and len(report.deleted) == 1
    record = store.load()
    with pytest.raises(mia.StoreConflictError):
        store.save(record, record.generation - 1)
    assert_current_works(emulator, store)


# --- redaction ------------------------------------------------------------------


def test_new_types_never_show_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="mapsindoors_auth")

    def transport(request: mia.Request) -> mia.Response:
        if request.url.endswith("/connect/token"):
            body = json.dumps({"access_token": CANARY + "-token", "token_type": "Bearer", "expires_in": 3600})
        else:
            body = json.dumps([
                {"id": "s1", "description": CANARY[:0] + "d", "client_id": "c", "createdAt": "2024-05-27T14:26:36Z"},
                {"id": "s2", "description": None, "client_id": "c", "createdAt": "2024-05-28T14:26:36Z"},
            ])
        return mia.Response(200, [("Content-Type", "application/json")], body.encode())

    store = mia.MemoryStore()
    client = mia.Client.from_store(
        store, auth_url="http://127.0.0.1:1", customer_id="cu", client_id="c", client_secret=CANARY, transport=transport
    )
    record = store.load()
    assert record is not None and CANARY in record.to_json()
    assert [c.id for c in record.candidates] == ["s1", "s2"]
    data = json.loads(record.to_json())
    data["kept"] = [{"id": None, "created_at": None, "reason": "handed in", "candidates": [{"id": "s1", "created_at": None}]}]
    with_kept = mia.StoreRecord.from_json(json.dumps(data))
    errors: List[BaseException] = []
    for bad in (
        lambda: store.save(record, 0),
        lambda: mia.Client(auth_url="http://127.0.0.1:1", username="u", password=CANARY).seed(mia.MemoryStore()),
        lambda: client.claim("nope"),
        lambda: mia.Client.from_store(mia.MemoryStore()),
    ):
        with pytest.raises(mia.MapsIndoorsAuthError) as err:
            bad()
        errors.append(err.value)
    objects = [record, with_kept, *with_kept.kept, *with_kept.kept[0].candidates, *record.candidates, store,
               store.lock(), client, *errors]
    text = "\n".join(f"{o!r}\n{o!s}" for o in objects) + with_kept.kept[0].advice
    for e in errors:
        text += "".join(traceback.format_exception(type(e), e, e.__traceback__)) + repr(e.args)
    assert CANARY not in text
    assert CANARY not in caplog.text and caplog.records
