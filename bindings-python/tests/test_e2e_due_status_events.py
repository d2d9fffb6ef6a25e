"""End-to-end, against the emulator over loopback HTTP, sync and asyncio:
``rotate(max_age=...)`` (not due: no request, nothing created; due: rotated),
``status()`` (ok with a probe; critical once the secret is deleted out of
band; warning when due) and the events of a rotation (``on_event`` and
``AsyncClient.events()``: purposes in order, durations, never a secret)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import json
import logging
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import mapsindoors_auth as mia

from conftest import Emulator

DAYS_30 = datetime.timedelta(days=30)
UTC = datetime.timezone.utc
#: The requests of a plain rotation of a store that knows its secret's id, in order.
ROTATION_PURPOSES = ["login", "create", "verify", "delete_old"]


def seeded_store(emulator: Emulator, tmp_path: Path) -> mia.FileStore:
    """A store seeded by ``from_store`` (so it knows its secret's id and date), claimed."""
    store = mia.FileStore(tmp_path / "store.json")
    mia.Client.from_store(store, claim=True, **emulator.client_kwargs()).close()
    return store


def secret_ids(emulator: Emulator) -> List[str]:
    return sorted(s["id"] for s in emulator.secrets() if s["client_id"] == emulator.client_id)


def current_secret(store: mia.FileStore) -> str:
    return json.loads(store.load().to_json())["current"]["secret"]  # type: ignore[union-attr]


def user(emulator: Emulator) -> mia.Client:
    return mia.Client(auth_url=emulator.url, customer_id=emulator.customer_id, username=emulator.username,
                      password=emulator.password)


def check_rotation_events(events: List[Dict[str, Any]], canaries: List[str]) -> None:
    sends = [e["purpose"] for e in events if e["event"] == "send"]
    assert sends == ROTATION_PURPOSES, events
    assert [e["reason"] for e in events if e["event"] == "persist"] == [
        "intent", "pending", "promote", "fence", "deleted"
    ], events
    assert events[0]["event"] == "load" and events[0]["generation"] == 1
    for e in events:
        assert e["outcome"] == "ok" and isinstance(e["duration_ms"], int) and e["duration_ms"] >= 0, e
        assert (e["status"] is not None) == (e["event"] == "send"), e
    text = json.dumps(events) + repr(events)
    for canary in canaries:
        assert canary and canary not in text


def test_rotate_when_due_then_not_due_sends_nothing(emulator: Emulator, tmp_path: Path) -> None:
    store = seeded_store(emulator, tmp_path)
    demo = store.load().current_id  # type: ignore[union-attr]
    with mia.Client.from_store(store) as client:
        # The demo secret was created long ago: due.
        due = client.rotate(max_age=DAYS_30)
        assert (due.rotated, due.decision, due.old_id, due.deleted) == (True, "due", demo, [demo])
        assert secret_ids(emulator) == [due.new_id]
        (listed,) = user(emulator).list_secrets()
        # due_at: the new secret's createdAt plus 30 days, as Unix ms and as an aware datetime.
        assert due.due_at_ms == listed.created_at_ms + DAYS_30 // datetime.timedelta(milliseconds=1)
        assert due.due_at is not None and due.due_at.tzinfo is not None
        assert due.due_at == datetime.datetime.fromtimestamp(due.due_at_ms / 1000, UTC)

        before_ids, before_log, generation = secret_ids(emulator), len(emulator.log()), due.generation
        report = client.rotate(max_age=DAYS_30)
        assert (report.rotated, report.decision, report.round_trips, report.persists) == (False, "not_due", 0, 0)
        assert report.due_at_ms == due.due_at_ms and report.due_at == due.due_at
        assert len(emulator.log()) == before_log, "a rotation not due sent a request"
        assert secret_ids(emulator) == before_ids and store.load().generation == generation  # type: ignore[union-attr]
        assert "decision=\"not_due\"" in repr(report), repr(report)

        time.sleep(0.01)
        again = client.rotate(max_age=datetime.timedelta(milliseconds=5))
        assert (again.rotated, again.decision, again.old_id) == (True, "due", due.new_id)
        assert secret_ids(emulator) == [again.new_id]
        plain = client.rotate()
        assert (plain.rotated, plain.decision, plain.due_at_ms, plain.due_at) == (True, "always", None, None)


def test_max_age_is_a_timedelta_within_ten_years(emulator: Emulator, tmp_path: Path) -> None:
    store = seeded_store(emulator, tmp_path)
    with mia.Client.from_store(store) as client:
        with pytest.raises(TypeError, match="timedelta"):
            client.rotate(max_age=30)  # type: ignore[arg-type]
        for bad in (datetime.timedelta(0), datetime.timedelta(days=-1), datetime.timedelta(days=3700)):
            with pytest.raises(mia.InvalidInputError, match="max_age"):
                client.rotate(max_age=bad)
            with pytest.raises(mia.InvalidInputError, match="max_age"):
                client.status(max_age=bad)
    assert store.load().generation == 1  # type: ignore[union-attr]


def test_status_ok_warning_then_critical_after_an_out_of_band_delete(emulator: Emulator, tmp_path: Path) -> None:
    store = seeded_store(emulator, tmp_path)
    with mia.Client.from_store(store) as client:
        demo = client.status(max_age=DAYS_30)  # the demo secret is old: due
        assert (demo.health, demo.exit_code, demo.due, demo.last_rotation) == ("warning", 1, True, None)
        client.rotate()
        secret = current_secret(store)
        before = len(emulator.log())
        quiet = client.status(max_age=DAYS_30)
        assert len(emulator.log()) == before, "status without a probe sent a request"
        assert (quiet.health, quiet.exit_code, quiet.findings, quiet.check) == ("ok", 0, (), None)
        assert quiet.due is False and quiet.unfinished is None and quiet.kept == ()
        assert quiet.current_owned and quiet.current_id == store.load().current_id  # type: ignore[union-attr]
        assert quiet.max_age == DAYS_30 and quiet.due_at is not None and quiet.age is not None
        (listed,) = user(emulator).list_secrets()
        assert quiet.due_at_ms == listed.created_at_ms + DAYS_30 // datetime.timedelta(milliseconds=1)
        assert quiet.due_at == datetime.datetime.fromtimestamp(quiet.due_at_ms / 1000, UTC)
        assert quiet.last_rotation is not None and quiet.last_rotation_ms == listed.created_at_ms

        probed = client.status(probe=True)
        assert (probed.health, probed.exit_code, probed.findings) == ("ok", 0, ())
        assert probed.check == mia.StatusCheck(accepted=True, refusal=None, refusal_kind=None, secret_count=1)
        assert probed.generation == 6 and probed.client_id == emulator.client_id
        assert probed.customer_id == emulator.customer_id and probed.ok

        due = client.status(max_age=datetime.timedelta(milliseconds=1))
        assert (due.health, due.exit_code, due.due) == ("warning", 1, True)
        assert due.findings == ("the secret is due for rotation",)

        user(emulator).delete_secret(probed.current_id)  # out of band
        refused = client.status(probe=True)
        assert (refused.health, refused.exit_code) == ("critical", 2)
        assert refused.check is not None and refused.check.accepted is False
        assert refused.check.refusal_kind == "invalid_client" and refused.check.secret_count is None
        assert refused.findings[0].startswith("the server refuses the current secret")
        for shown in (repr(refused), str(refused), json.dumps(dataclasses.asdict(refused), default=repr)):
            assert secret not in shown


def test_status_of_an_empty_store_is_a_missing_store_error(emulator: Emulator, tmp_path: Path) -> None:
    with mia.Client(**emulator.client_kwargs()) as client:
        with pytest.raises(mia.StoreError) as err:
            client.status(mia.FileStore(tmp_path / "none.json"))
        assert err.value.store_kind == "missing"
        with pytest.raises(mia.InvalidInputError):
            client.status()  # no store at all


def test_status_of_a_secret_of_unknown_id_then_its_kept_secret(emulator: Emulator, tmp_path: Path) -> None:
    """A store whose secret's id is unknown keeps it at rotation (not provably its own)."""
    store = mia.FileStore(tmp_path / "store.json")
    store.create(mia.StoreRecord(auth_url=emulator.url, customer_id=emulator.customer_id,
                                 client_id=emulator.client_id, client_secret=emulator.client_secret))
    with mia.Client.from_store(store) as client:
        status = client.status(max_age=DAYS_30)
        assert (status.current_id, status.age_ms, status.due, status.health) == (None, None, True, "warning")
        assert status.findings == ("the secret's age is unknown: the next rotation rotates",)
        report = client.rotate(max_age=DAYS_30)
        assert (report.rotated, report.decision) == (True, "age_unknown")
        after = client.status(probe=True)
        assert after.health == "ok" and len(after.kept) == 1 and after.check is not None
        assert after.check.secret_count == 2 and after.last_rotation is not None
        assert after.kept[0].advice
        assert dataclasses.asdict(after)["kept"][0] is after.kept[0]  # immutable: copied as itself


def test_on_event_reports_each_step_of_a_rotation_without_secrets(emulator: Emulator, tmp_path: Path) -> None:
    store = seeded_store(emulator, tmp_path)
    old_secret = current_secret(store)
    events: List[Dict[str, Any]] = []
    with mia.Client.from_store(store, on_event=events.append) as client:
        report = client.rotate()
        assert report.token is not None
        canaries = [old_secret, current_secret(store), report.token.access_token]
        check_rotation_events(events, canaries)
        events.clear()
        client.rotate(max_age=DAYS_30)  # just rotated, so not due: one load, nothing sent
        assert [e["event"] for e in events] == ["load"]


def test_a_failing_on_event_is_logged_and_the_rotation_goes_on(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = seeded_store(emulator, tmp_path)

    def broken(event: Dict[str, Any]) -> None:
        raise RuntimeError("observer bug")

    with caplog.at_level(logging.WARNING, logger="mapsindoors_auth"):
        with mia.Client.from_store(store, on_event=broken) as client:
            assert client.rotate().rotated
    assert store.load().generation == 6  # type: ignore[union-attr]
    assert any("on_event callback" in r.getMessage() for r in caplog.records)
    with pytest.raises(TypeError, match="on_event"):
        mia.Client(on_event="print", **emulator.client_kwargs())  # type: ignore[arg-type]


def test_async_rotate_when_due_status_and_events(emulator: Emulator, tmp_path: Path) -> None:
    store = seeded_store(emulator, tmp_path)
    old_secret = current_secret(store)

    async def main() -> None:
        called: List[Dict[str, Any]] = []

        async def on_event(event: Dict[str, Any]) -> None:  # a coroutine function is awaited
            await asyncio.sleep(0)
            called.append(event)

        client = await mia.AsyncClient.from_store(store, on_event=on_event)
        streamed: List[Dict[str, Any]] = []

        async def read(stream: mia.EventStream) -> None:
            async with stream:
                async for event in stream:
                    streamed.append(event)

        reader = asyncio.ensure_future(read(client.events()))
        report = await client.rotate(max_age=DAYS_30)  # the demo secret is old: due
        assert (report.rotated, report.decision) == (True, "due") and report.token is not None
        canaries = [old_secret, current_secret(store), report.token.access_token]
        check_rotation_events(called, canaries)
        rotation_events = list(called)

        before, log = secret_ids(emulator), len(emulator.log())
        quiet = await client.rotate(max_age=DAYS_30)
        assert (quiet.rotated, quiet.decision) == (False, "not_due") and quiet.due_at == report.due_at
        assert len(emulator.log()) == log and secret_ids(emulator) == before
        assert (await client.status(probe=True)).health == "ok"

        user(emulator).delete_secret(report.new_id)  # type: ignore[arg-type]
        refused = await client.status(probe=True, max_age=DAYS_30)
        assert (refused.health, refused.exit_code, refused.due) == ("critical", 2, False)
        await client.aclose()  # ends the stream
        await asyncio.wait_for(reader, 5)
        # The stream saw everything from its start: the rotation, the not-due load, the probes.
        assert streamed[: len(rotation_events)] == rotation_events
        assert streamed == called
        assert [e["event"] for e in streamed[len(rotation_events):]][:2] == ["load", "load"]
        assert [e["purpose"] for e in streamed if e["event"] == "send"][-1] == "login"
        assert streamed[-1]["outcome"] == "http_error" and streamed[-1]["status"] == 400
        assert not any(c in json.dumps(streamed) for c in canaries)

    asyncio.run(main())


def test_event_stream_ends_when_closed() -> None:
    async def main() -> None:
        client = mia.AsyncClient(auth_url="https://auth.example.test", client_id="c", client_secret="s")
        stream = client.events()
        assert client._listening()
        stream.close()
        assert stream.closed and not client._listening()
        assert [e async for e in stream] == []
        assert "closed" in repr(stream)
        await client.aclose()

    asyncio.run(main())
