"""The shared hostile-server corpus (``tests/hostile/cases.json``, see
``tests/hostile/README.md``) against the emulator's hostile mode, once per
transport flavour: the default transport (http.client), ``UrllibTransport``, a user's
``httpx.Client(follow_redirects=True)``, a user's
``httpx.AsyncClient(follow_redirects=True)`` with ``AsyncClient``, the
default ``AsyncClient`` transport, and a ``requests.Session()``.

Every case must end in the expected typed error (kind, status, transport
kind, OAuth code, message parts) within its time; no secret in ``str`` or
``repr`` of the error or of anything it chains to; nothing reaching the
emulator's second origin; and a state the next run recovers from (a rotate
again succeeds, the store's secret logs in and is the client's only one;
any other call leaves the secrets as they were). Per flavour it records the
slowest case, the peak RSS growth over its corpus (the highest ``VmHWM``
after a case, reset before each case, minus the RSS before the first; where
``/proc`` cannot reset it, ``ru_maxrss`` after minus before), the largest in
one case, and the ``tracemalloc`` peak;
``conftest.pytest_terminal_summary`` prints them with
``hostile: N passed, F failed (python <flavour>)``."""

from __future__ import annotations

import asyncio
import json
import pathlib
import resource
import time
import tracemalloc
from typing import Any, Dict, List, Optional, Tuple

import pytest

import mapsindoors_auth as mia

from conftest import HOSTILE, REPO, Emulator

for _library in ("httpx", "requests"):  # imported before any case: its import is not a case's memory
    try:
        __import__(_library)
    except ImportError:
        pass

CORPUS = json.loads((REPO / "tests" / "hostile" / "cases.json").read_text())
CASES: List[Dict[str, Any]] = CORPUS["cases"]
SETTINGS: Dict[str, int] = CORPUS["settings"]
FLAVOURS = ["default", "urllib", "httpx", "httpx-async", "async-default", "requests"]
SYNC = ("default", "urllib", "httpx", "requests")

OPS: Dict[str, Any] = {
    "token": lambda c: c.token(),
    "list": lambda c: c.list_secrets(),
    "create": lambda c: c.create_secret(CORPUS["description"]),
    "delete": lambda c: c.delete_secret(CORPUS["delete_id"]),
    "rotate": lambda c: c.rotate(),
}


def _proc_status_kib(field: str) -> Optional[int]:
    try:
        for line in pathlib.Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _reset_peak_rss() -> Optional[int]:
    """Resets this process's peak RSS (``VmHWM``) to its current RSS; returns
    that RSS in KiB, or None where Linux's ``clear_refs`` is unavailable."""
    try:
        pathlib.Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _proc_status_kib("VmRSS")


def _stats(flavour: str) -> Dict[str, Any]:
    return HOSTILE.setdefault(flavour, {
        "passed": 0, "failed": 0, "slowest_ms": 0.0, "slowest_case": "", "rss_kib": 0, "rss_case": "",
        "traced_kib": 0, "traced_case": "", "rss_start": _proc_status_kib("VmRSS"), "rss_peak": 0,
        "maxrss_start": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "maxrss_end": 0,
        "deadline_ms": SETTINGS["timeout_ms"],
    })


def _sync_transport(flavour: str) -> Any:
    if flavour == "urllib":
        return mia.UrllibTransport()
    if flavour == "httpx":
        return pytest.importorskip("httpx").Client(follow_redirects=True)
    if flavour == "requests":
        return pytest.importorskip("requests").Session()
    return None


def _kwargs(emulator: Emulator) -> Dict[str, Any]:
    return emulator.client_kwargs(timeout_ms=SETTINGS["timeout_ms"], retries=SETTINGS["retries"])


def call(flavour: str, emulator: Emulator, op: str, store: Any = None) -> Tuple[Any, Optional[Exception], float]:
    """Runs `op` with a fresh client of this flavour (built from `store` when
    given); returns its value, what it raised, and how long the call took (s)."""
    knobs = {"timeout_ms": SETTINGS["timeout_ms"], "retries": SETTINGS["retries"]}
    if flavour in SYNC:
        transport = _sync_transport(flavour)
        try:
            if store is not None:
                client = mia.Client.from_store(store, transport=transport, **knobs)
            else:
                client = mia.Client(transport=transport, **_kwargs(emulator))
            with client:
                start = time.monotonic()
                try:
                    return OPS[op](client), None, time.monotonic() - start
                except Exception as exc:
                    return None, exc, time.monotonic() - start
        finally:
            if transport is not None:
                transport.close()

    async def main() -> Tuple[Any, Optional[Exception], float]:
        transport = None
        if flavour == "httpx-async":
            transport = pytest.importorskip("httpx").AsyncClient(follow_redirects=True)
        try:
            if store is not None:
                client = await mia.AsyncClient.from_store(store, transport=transport, **knobs)
            else:
                client = mia.AsyncClient(transport=transport, **_kwargs(emulator))
            async with client:
                start = time.monotonic()
                try:
                    return await OPS[op](client), None, time.monotonic() - start
                except Exception as exc:
                    return None, exc, time.monotonic() - start
        finally:
            if transport is not None:
                await transport.aclose()

    return asyncio.run(main())


def _chain(error: BaseException) -> List[BaseException]:
    seen: List[BaseException] = []
    todo: List[Any] = [error]
    while todo:
        e = todo.pop()
        if isinstance(e, BaseException) and all(e is not s for s in seen):
            seen.append(e)
            todo += [e.__cause__, e.__context__]
    return seen


def _texts(error: BaseException) -> str:
    """``str`` and ``repr`` of the error, its attributes and every exception it chains to."""
    out = []
    for e in _chain(error):
        out += [str(e), repr(e), repr(getattr(e, "__dict__", {})), repr(e.args)]
    return "\n".join(out)


def _store_secrets(store_path: pathlib.Path) -> List[str]:
    """Every secret value the store file holds (what the rotation created, too)."""
    found: List[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and "secret" in key.lower() and len(value) >= 16:
            found.append(value)

    if store_path.exists():
        walk(json.loads(store_path.read_text()))
    return found


def check_outcome(case: Dict[str, Any], value: Any, error: Optional[Exception], took: float) -> None:
    max_ms = case.get("max_ms", 1500)
    assert took * 1000 <= max_ms, f"took {took * 1000:.0f} ms > {max_ms} ms ({error!r})"
    expect = case["expect"]
    if expect.get("ok"):
        assert error is None, f"expected success, got {error!r}"
        return
    want = expect["error"]
    assert error is not None, f"succeeded against a hostile server: {value!r}"
    assert isinstance(error, mia.MapsIndoorsAuthError), f"not a typed error: {type(error).__name__}"
    assert error.kind in want["kind"], f"kind {error.kind}, want one of {want['kind']}: {error}"
    assert type(error).kind == error.kind, f"{type(error).__name__} for kind {error.kind}"
    if "status" in want:
        assert error.status == want["status"], f"status {error.status}, want {want['status']}: {error}"
    if "transport_kind" in want:
        assert error.transport_kind == want["transport_kind"], f"transport_kind {error.transport_kind}: {error}"
    if "oauth_code" in want:
        assert error.oauth_error == want["oauth_code"], f"oauth_error {error.oauth_error}: {error}"
    for part in want.get("message_has", []):
        assert part in str(error), f"message lacks {part!r}: {error}"
    for part in want.get("message_lacks", []):
        assert part not in _texts(error), f"message holds {part!r}: {error}"


def secret_ids(emulator: Emulator) -> Dict[str, str]:
    """The customer's secrets: id -> client."""
    return {s["id"]: s["client_id"] for s in emulator.secrets()}


def run_case(flavour: str, case: Dict[str, Any], emulator: Emulator, tmp_path: pathlib.Path) -> None:
    stats = _stats(flavour)
    # 1. reset (propagation 0, bearer errors without a body); the secrets before.
    emulator.reset()
    before = secret_ids(emulator)
    sent = [emulator.client_secret]
    # 2. rotate: a store seeded with the banner secret, claimed.
    store = None
    store_path = tmp_path / "store.json"
    if case["call"] == "rotate":
        store = mia.FileStore(store_path)
        mia.Client.from_store(store, claim=True, **emulator.client_kwargs()).close()
        record = store.load()
        assert record is not None and record.current_owned and record.current_id in before
    # 3. the faults, in order.
    for fault in case["faults"]:
        emulator.admin("POST", "/_emulator/faults", fault)
    # 4. the call, timed and measured.
    rss_base = _reset_peak_rss()
    tracemalloc.start()
    try:
        value, error, took = call(flavour, emulator, case["call"], store)
        traced = tracemalloc.get_traced_memory()[1] // 1024
    finally:
        tracemalloc.stop()
    peak = _proc_status_kib("VmHWM")
    if rss_base is not None and peak is not None:
        stats["rss_peak"] = max(stats["rss_peak"], peak)
        if peak - rss_base > stats["rss_kib"]:
            stats["rss_kib"], stats["rss_case"] = peak - rss_base, case["name"]
    if traced > stats["traced_kib"]:
        stats["traced_kib"], stats["traced_case"] = traced, case["name"]
    stats["maxrss_end"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if took * 1000 > stats["slowest_ms"]:
        stats["slowest_ms"], stats["slowest_case"] = took * 1000, case["name"]
    # 5. the secrets first (a failure message below quotes the error), the
    # outcome, the second origin.
    if error is not None:
        text = _texts(error)
        for secret in sent + _store_secrets(store_path):
            assert secret not in text, "a secret reached the error"
        assert traced < 8 * 1024, f"{traced} KiB traced"
    check_outcome(case, value, error, took)
    if rss_base is not None and peak is not None:  # bounded memory: 1 MiB bodies, never inflated
        assert peak - rss_base < 16 * 1024, f"peak RSS grew {peak - rss_base} KiB in one call"
    hits = emulator.admin("GET", "/_emulator/elsewhere")
    assert hits == [], f"reached the second origin: {hits}"
    # 6. the faults gone: the next run recovers.
    emulator.admin("DELETE", "/_emulator/faults")
    if case["call"] == "rotate":
        _, again, _ = call(flavour, emulator, "rotate", store)
        assert again is None, f"the next rotation failed: {again!r}"
        with mia.Client.from_store(store, timeout_ms=SETTINGS["timeout_ms"]) as fresh:
            assert fresh.token().access_token  # the store's secret logs in
        record = store.load()
        assert record is not None and record.current_id is not None
        after = secret_ids(emulator)
        ours = {i for i, c in after.items() if c == emulator.client_id}
        assert ours == {record.current_id}, (
            f"the client holds {sorted(ours)}, the store {record.current_id}: "
            "a secret was orphaned or a delete counted as done"
        )
        others = {i for i, c in after.items() if c != emulator.client_id}
        assert others == {i for i, c in before.items() if c != emulator.client_id}
        if error is not None:
            for secret in _store_secrets(store_path):
                assert secret not in _texts(error), "the new secret reached the error"
    else:
        assert secret_ids(emulator) == before, "the server's secrets changed"


PARAMS = [(flavour, case) for flavour in FLAVOURS for case in CASES]


@pytest.mark.parametrize(("flavour", "case"), PARAMS, ids=[f"{f}-{c['name']}" for f, c in PARAMS])
def test_hostile_case(flavour: str, case: Dict[str, Any], emulator: Emulator, tmp_path: pathlib.Path) -> None:
    passed = False
    try:
        run_case(flavour, case, emulator, tmp_path)
        passed = True
    finally:
        _stats(flavour)["passed" if passed else "failed"] += 1
