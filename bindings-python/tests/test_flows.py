"""Every flow vector (tests/flows/*.json, format in its README) replayed through
``Client`` and ``AsyncClient`` and their real drive loops, with a scripted
transport, store, clock, sleep and randomness put in through the clients'
private hooks, compared step by step."""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import json
import os
import pathlib
import threading
from collections import deque
from typing import Any, Dict, List, Optional

import pytest

import mapsindoors_auth as mia

from conftest import FLOW_COUNTS, REPO

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
REASON: "contextvars.ContextVar[str]" = contextvars.ContextVar("reason")  # the reason of the save under way
FLOWS = sorted(pathlib.Path(os.environ.get("MIA_FLOWS_DIR", str(REPO / "tests" / "flows"))).glob("*.json"))


class Mismatch(Exception):
    """The client asked for something the transcript does not hold."""


class ScriptedFailure(Exception):
    """A transport failure of the kind the transcript names."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.transport_kind = kind


def as_record(value: Any) -> Optional[mia.StoreRecord]:
    return None if value is None else mia.StoreRecord.from_json(json.dumps(value))


class Script:
    """The transcript's events, consumed in order by every hook (from any thread)."""

    def __init__(self, vector: Dict[str, Any]) -> None:
        self.events = deque(vector["events"])
        self.store = vector["store"]
        self.now: int = vector["start_ms"]
        self.random = deque(vector["random"])
        self.lock = threading.Lock()
        self.building = False  # from_store's own load is not a step: the session is built from the record
        self.mismatch: Optional[str] = None
        self.emitted: List[Dict[str, Any]] = []  # the clients' events (on_event)

    def on_event(self, event: Dict[str, Any]) -> None:
        with self.lock:
            self.emitted.append(dict(event))

    def fail(self, message: str) -> Mismatch:
        self.mismatch = self.mismatch or message
        return Mismatch(message)

    def next(self, key: str, asked: Any) -> Dict[str, Any]:
        if not self.events:
            raise self.fail(f"the client asked {key} {asked}, but the transcript has ended")
        event = self.events.popleft()
        if event.get(key, Ellipsis) != asked:
            raise self.fail(f"{key}:\n  expected {event}\n  asked    {asked}")
        return event  # type: ignore[no-any-return]

    def send(self, request: mia.Request, purpose: str) -> mia.Response:
        asked = {"purpose": purpose, "method": request.method, "url": request.url,
                 "headers": [list(h) for h in request.headers], "body": request.body.decode()}
        with self.lock:
            event = self.next("send", asked)
            if "store_now" in event:  # another writer saved this while the request was out
                self.store = event["store_now"]
        if "fail" in event:
            raise ScriptedFailure(event["fail"]["kind"], event["fail"]["message"])
        r = event["respond"]
        return mia.Response(r["status"], [tuple(h) for h in r["headers"]], r["body"].encode())

    def load(self) -> Optional[mia.StoreRecord]:
        with self.lock:
            if not self.building:
                self.next("load", self.store)
            return as_record(self.store)

    def save(self, record: mia.StoreRecord, expected_generation: int) -> None:
        with self.lock:
            asked = {"reason": REASON.get(None), "record": json.loads(record.to_json())}
            event = self.next("persist", asked)
            if expected_generation != record.generation - 1:
                raise self.fail(f"saved generation {record.generation} expecting {expected_generation}")
            if event["result"] == "ok":
                self.store = asked["record"]
                return
            if "store_now" in event:
                self.store = event["store_now"]
        raise mia.StoreConflictError("store error (conflict): the store changed meanwhile")

    def sleep(self, ms: int, reason: str) -> None:
        with self.lock:
            self.next("sleep", {"ms": ms, "reason": reason})
            self.now += ms

    def random_bytes(self, n: int) -> bytes:
        with self.lock:
            chunk = self.random.popleft()
        if len(chunk) != 2 * n:
            raise self.fail(f"asked {n} random bytes, the transcript has {chunk}")
        return bytes.fromhex(chunk)


class ScriptedStore:
    """The store contract over the script (the reason of a save comes through ``_save``)."""

    def __init__(self, script: Script) -> None:
        self.script = script

    def load(self) -> Optional[mia.StoreRecord]:
        return self.script.load()

    def save(self, record: mia.StoreRecord, expected_generation: int) -> None:
        self.script.save(record, expected_generation)


def scripted(base: Any, script: Script) -> Any:
    """A subclass of ``Client`` or ``AsyncClient`` whose platform hooks follow the script."""

    class Scripted(base):  # type: ignore[valid-type, misc]
        def _now_ms(self) -> int:
            return script.now

        def _random(self, n: int) -> bytes:
            return script.random_bytes(n)

    if base is mia.Client:

        def _send(self: Any, request: mia.Request, purpose: str) -> mia.Response:
            return script.send(request, purpose)

        def _save(self: Any, store: Any, record: mia.StoreRecord, reason: str) -> None:
            REASON.set(reason)
            mia.Client._save(self, store, record, reason)

        def _sleep(self: Any, ms: int, reason: str) -> None:
            script.sleep(ms, reason)

    else:

        async def _send(self: Any, request: mia.Request, purpose: str) -> mia.Response:
            await asyncio.sleep(0)  # a real transport yields to the loop
            return script.send(request, purpose)

        async def _save(self: Any, store: Any, record: mia.StoreRecord, reason: str) -> None:
            REASON.set(reason)  # asyncio.to_thread carries it to the store's thread
            await mia.AsyncClient._save(self, store, record, reason)

        async def _sleep(self: Any, ms: int, reason: str) -> None:
            script.sleep(ms, reason)

    Scripted._send, Scripted._save, Scripted._sleep = _send, _save, _sleep
    return Scripted


def knobs(vector: Dict[str, Any]) -> Dict[str, Any]:
    s = vector["session"]["settings"]
    return dict(retries=s["retries"], propagation_wait_ms=s["propagation_wait_ms"], timeout_ms=s["timeout_ms"],
                description=s["description"])


def credentials(vector: Dict[str, Any]) -> Dict[str, Any]:
    s = vector["session"]
    c = s["credentials"]
    kw: Dict[str, Any] = dict(auth_url=s["base_url"], customer_id=s["customer_id"])
    if c["grant"] == "client_credentials":
        kw.update(client_id=c["client_id"], client_secret=c["client_secret"])
    else:
        kw.update(username=c["username"], password=c["password"])
    return kw


def unused_transport(request: mia.Request) -> mia.Response:
    raise AssertionError("the scripted _send hook sends everything")


def max_age(call: Dict[str, Any]) -> Optional[datetime.timedelta]:
    ms = call.get("max_age_ms")
    return None if ms is None else datetime.timedelta(milliseconds=ms)


def invoke(client: Any, call: Dict[str, Any]) -> Any:
    """The client method a call names (a coroutine for ``AsyncClient``)."""
    name = call["call"]
    if name == "token":
        return client.token()
    if name == "list":
        return client.list_secrets()
    if name == "create":
        return client.create_secret(call.get("description"))
    if name == "delete":
        return client.delete_secret(call["id"])
    if name == "rotate":
        return client.rotate(max_age=max_age(call))
    if name == "status":
        return client.status(probe=call["probe"], max_age=max_age(call))
    if name == "seed":
        return client.seed(secret_id=call.get("secret_id"), claim=call["claim"])
    if name == "claim":
        return client.claim(call["id"])
    raise AssertionError(f"unknown call {name}")


def result_json(call: Dict[str, Any], value: Any, error: Optional[BaseException]) -> Dict[str, Any]:
    """A call's outcome as the transcripts write it."""
    if error is not None:
        if not isinstance(error, mia.MapsIndoorsAuthError):
            raise error
        e: Dict[str, Any] = {"kind": error.kind, "status": error.status, "code": error.oauth_error}
        if error.kind == "rotation_incomplete":
            e["stage"] = error.stage
        return {"error": e}
    name = call["call"]
    if name == "token":
        return {"ok": {"access_token": value.access_token, "expires_in": value.expires_in}}
    if name == "list":
        return {"ok": [s.id for s in value]}
    if name == "create":
        return {"ok": {"id": value.id, "secret": value.secret}}
    if name == "rotate":
        fields = ("rotated", "resumed", "old_id", "new_id", "deleted", "swept", "round_trips", "persists", "generation")
        ok = {f: getattr(value, f) for f in fields}
        ok["kept"] = [k.id for k in value.kept]
        if call.get("max_age_ms") is not None:  # only a rotation with a max_age reports when due
            ok["decision"] = value.decision
            ok["due_at_ms"] = value.due_at_ms
            assert value.due_at == (None if value.due_at_ms is None else EPOCH + datetime.timedelta(milliseconds=value.due_at_ms))
        return {"ok": ok}
    if name == "status":  # as core/tests/flows/record.rs outcome_json
        fields = ("health", "generation", "current_id", "age_ms", "due_at_ms", "due", "unfinished", "last_rotation_ms")
        ok = {f: getattr(value, f) for f in fields}
        ok["kept"] = [k.id for k in value.kept]
        c = value.check
        ok["check"] = None if c is None else {"accepted": c.accepted, "refusal_kind": c.refusal_kind,
                                              "secret_count": c.secret_count}
        return {"ok": ok}
    if name in ("seed", "claim"):
        return {"ok": {"generation": value.generation}}
    return {"ok": value}


def check(script: Script, call: Dict[str, Any], value: Any, error: Optional[BaseException]) -> None:
    if script.mismatch is not None:
        pytest.fail(script.mismatch)
    got = result_json(call, value, error)
    if call["expect"] != {} and call["expect"] != got:
        pytest.fail(f"{call['call']}: expected {call['expect']}, got {got}")


def run_sync_call(client: Any, call: Dict[str, Any]) -> Any:
    try:
        return invoke(client, call), None
    except Exception as e:
        return None, e


def replay_sync(vector: Dict[str, Any]) -> Script:
    script = Script(vector)
    store = ScriptedStore(script)
    cls = scripted(mia.Client, script)
    if vector["session"]["from_store"]:
        script.building = True
        client = cls.from_store(store, transport=unused_transport, on_event=script.on_event, **knobs(vector))
        script.building = False
    else:
        client = cls(**credentials(vector), store=store, transport=unused_transport, on_event=script.on_event,
                     **knobs(vector))
    for call in vector["calls"]:
        if call.get("call") == "advance":
            script.now += call["ms"]
            continue
        group = call.get("concurrent", [call])
        results: List[Any] = [None] * len(group)
        start = threading.Barrier(len(group))

        def one(i: int) -> None:
            start.wait()
            results[i] = run_sync_call(client, group[i])

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(group))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        for c, (value, error) in zip(group, results):
            check(script, c, value, error)
    return script


async def run_async_call(client: Any, call: Dict[str, Any]) -> Any:
    try:
        return await invoke(client, call), None
    except Exception as e:
        return None, e


async def replay_async(vector: Dict[str, Any]) -> Script:
    script = Script(vector)
    store = ScriptedStore(script)
    cls = scripted(mia.AsyncClient, script)
    if vector["session"]["from_store"]:
        script.building = True
        client = await cls.from_store(store, transport=unused_transport, on_event=script.on_event, **knobs(vector))
        script.building = False
    else:
        client = cls(**credentials(vector), store=store, transport=unused_transport, on_event=script.on_event,
                     **knobs(vector))
    for call in vector["calls"]:
        if call.get("call") == "advance":
            script.now += call["ms"]
            continue
        group = call.get("concurrent", [call])
        results = await asyncio.wait_for(asyncio.gather(*(run_async_call(client, c) for c in group)), 30)
        for c, (value, error) in zip(group, results):
            check(script, c, value, error)
    return script


EVENT_KEYS = {"event", "purpose", "reason", "outcome", "status", "error", "generation", "duration_ms"}


def expected_event(e: Dict[str, Any]) -> Dict[str, Any]:
    """The core's event for a transcript event (all but its duration)."""
    x: Dict[str, Any] = dict(purpose=None, reason=None, outcome="ok", status=None, error=None, generation=None)
    if "send" in e:
        x.update(event="send", purpose=e["send"]["purpose"])
        if "fail" in e:
            x.update(outcome="transport_error", error=e["fail"]["kind"])
        else:
            status = e["respond"]["status"]
            x.update(status=status, outcome="ok" if 200 <= status < 300 else "http_error")
    elif "load" in e:
        x.update(event="load", generation=None if e["load"] is None else e["load"]["generation"])
    elif "persist" in e:
        x.update(event="persist", reason=e["persist"]["reason"], generation=e["persist"]["record"]["generation"],
                 outcome="ok" if e["result"] == "ok" else "conflict")
    else:
        x.update(event="sleep", reason=e["sleep"]["reason"])
    return x


def check_events(vector: Dict[str, Any], script: Script) -> None:
    """``on_event`` saw one event per transcript step, with its fields (in
    order; as a multiset when calls ran concurrently)."""
    for e in script.emitted:
        assert set(e) == EVENT_KEYS and isinstance(e["duration_ms"], int) and e["duration_ms"] >= 0, e
    got = [{k: v for k, v in e.items() if k != "duration_ms"} for e in script.emitted]
    want = [expected_event(e) for e in vector["events"]]
    if any("concurrent" in c for c in vector["calls"]):
        key = lambda d: json.dumps(d, sort_keys=True)  # noqa: E731
        got, want = sorted(got, key=key), sorted(want, key=key)
    assert got == want


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("path", FLOWS, ids=[p.stem for p in FLOWS])
def test_flow_vector(path: pathlib.Path, flavour: str) -> None:
    vector = json.loads(path.read_text())
    script = replay_sync(vector) if flavour == "sync" else asyncio.run(replay_async(vector))
    assert script.mismatch is None, script.mismatch
    assert not script.events, f"{len(script.events)} events never happened: {list(script.events)[:1]}"
    assert script.store == vector["store_after"], "the store at the end differs"
    check_events(vector, script)
    FLOW_COUNTS[flavour] = FLOW_COUNTS.get(flavour, 0) + 1


def test_every_flow_vector_replayed_per_flavour() -> None:
    """Runs last in this module: each flavour replayed every file."""
    assert len(FLOWS) >= 10, f"too few flow vectors in tests/flows: {len(FLOWS)}"
    assert FLOW_COUNTS == {"sync": len(FLOWS), "async": len(FLOWS)}, FLOW_COUNTS


def test_task_steps_are_typed_and_record_is_the_last_saved() -> None:
    """The native boundary by hand: a claim task's typed steps, and its
    ``record`` (the loaded one until a save, then the saved one)."""
    from mapsindoors_auth import _native

    loaded = mia.StoreRecord(auth_url="https://auth.example.test", customer_id="c", client_id="c", client_secret="s",
                             secret_id="id1")
    task = _native._Session.from_record(loaded).claim("id1")
    assert isinstance(task.poll(1), _native.Load) and task.record is None
    task.on_loaded(loaded)
    step = task.poll(2)
    assert isinstance(step, _native.Persist) and step.reason == "claim" and step.record.generation == 2
    assert task.record == loaded
    task.on_persisted()
    assert task.record == step.record
    done = task.poll(3)
    assert isinstance(done, _native.Done) and done.value == step.record and task.report is None
