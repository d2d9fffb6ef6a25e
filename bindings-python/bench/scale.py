"""Benchmark at scale (a script, not a test): one asyncio process rotates
the secrets of N clients (N customers, one client each), `concurrency` at
a time, over one shared ``httpx.AsyncClient()`` (httpx's default limits:
100 connections), each client with its own compare-and-swap store — beside
the same four calls per client made with raw httpx (token, create, token
with the new secret, delete the old one: what a rotation sends), plainly
and with each request first waiting on a semaphore as wide as the pool (as
``HttpxTransport`` does). Wall time and client CPU (``time.process_time``)
of each, medians of interleaved rounds, and the ratios; then one run of
each at a higher concurrency, which must complete or end in a typed error.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any, Dict, List, Optional, Tuple

import emulator

#: httpx's default pool: at most this many connections.
POOL = 100


def shared_client() -> Any:
    """The one ``httpx.AsyncClient`` of a run, as a user writes it."""
    import httpx

    return httpx.AsyncClient(timeout=30)


class CasStore:
    """The store contract with coroutines: a compare-and-swap on the
    generation, in memory (no lock: the CAS alone keeps a rotation safe)."""

    __slots__ = ("record",)

    def __init__(self) -> None:
        self.record: Any = None

    async def load(self) -> Any:
        return self.record

    async def save(self, record: Any, expected_generation: int) -> None:
        import mapsindoors_auth as mia

        held = self.record.generation if self.record is not None else 0
        if held != expected_generation:
            raise mia.StoreConflictError(f"generation {held} is stored, expected {expected_generation}")
        self.record = record


async def gather_limited(concurrency: int, jobs: List[Any]) -> List[Any]:
    """Runs the coroutine functions `jobs`, at most `concurrency` at a time;
    returns each one's result or exception."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Any) -> Any:
        async with gate:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)


async def seed_ours(url: str, customers: List[emulator.Customer], concurrency: int) -> List[CasStore]:
    """Each customer's store, seeded (login, list, generation 1): not timed."""
    import mapsindoors_auth as mia

    stores = [CasStore() for _ in customers]
    async with shared_client() as http:
        async def seed(c: emulator.Customer, store: CasStore) -> None:
            client = await mia.AsyncClient.from_store(
                store, auth_url=url, customer_id=c.id, client_id=c.client_id, client_secret=c.secret,
                secret_id=c.secret_id, transport=http)
            await client.aclose()

        results = await gather_limited(concurrency, [lambda c=c, s=s: seed(c, s) for c, s in zip(customers, stores)])
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        raise RuntimeError(f"seeding failed for {len(failed)} stores: {failed[0]!r}")
    return stores


async def ours(url: str, stores: List[CasStore], concurrency: int) -> List[Any]:
    """One rotation per store with this package, over one shared httpx.AsyncClient."""
    import mapsindoors_auth as mia

    async with shared_client() as http:
        async def rotate(store: CasStore) -> None:
            client = await mia.AsyncClient.from_store(store, transport=http)
            report = await client.rotate()
            if not (report.rotated and report.deleted):
                raise RuntimeError(f"rotated {report.rotated}, deleted {report.deleted}")

        return await gather_limited(concurrency, [lambda s=s: rotate(s) for s in stores])


async def raw(url: str, customers: List[emulator.Customer], concurrency: int, gated: bool = False) -> List[Any]:
    """The same four calls per customer with raw httpx: log in, create a
    secret, log in with it, delete the old one (and remember the new one);
    `gated`: each request first waits on a semaphore as wide as the pool."""
    token_url = url + "/connect/token"
    secrets_url = url + "/api/clientcredentials"
    gate = asyncio.Semaphore(POOL) if gated else None

    async with shared_client() as http:
        async def call(method: str, url: str, **kw: Any) -> Any:
            if gate is None:
                r = await http.request(method, url, **kw)
            else:
                async with gate:
                    r = await http.request(method, url, **kw)
            r.raise_for_status()
            return r

        async def token(client_id: str, secret: str) -> str:
            r = await call("POST", token_url, data={
                "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
            return json.loads(r.content)["access_token"]  # type: ignore[no-any-return]

        async def rotate(c: emulator.Customer) -> None:
            bearer = {"Authorization": "Bearer " + await token(c.client_id, c.secret)}
            r = await call("POST", secrets_url, params={"customerId": c.id, "description": "bench"}, headers=bearer)
            created = json.loads(r.content)
            await token(c.client_id, created["secret"])
            await call("DELETE", secrets_url, params={"customerId": c.id, "id": c.secret_id}, headers=bearer)
            c.secret, c.secret_id = created["secret"], created["id"]

        return await gather_limited(concurrency, [lambda c=c: rotate(c) for c in customers])


def timed(coro: Any) -> Tuple[float, float, List[Any]]:
    """(wall s, CPU s, results) of one asyncio run."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    results = asyncio.run(coro)
    return time.perf_counter() - wall0, time.process_time() - cpu0, results


def failures(results: List[Any]) -> Optional[str]:
    """None if every job succeeded, else a summary of what they raised."""
    errors = [r for r in results if isinstance(r, BaseException)]
    if not errors:
        return None
    kinds: Dict[str, int] = {}
    for e in errors:
        name = type(e).__module__.split(".")[0] + "." + type(e).__name__
        extra = getattr(e, "transport_kind", None)
        key = f"{name}" + (f" (transport_kind {extra})" if extra else "")
        kinds[key] = kinds.get(key, 0) + 1
    first = errors[0]
    return f"{len(errors)} of {len(results)} failed: " + ", ".join(f"{k} x{v}" for k, v in kinds.items()) + \
        f"; first: {type(first).__name__}: {first}"


LABELS = {
    "raw": "raw httpx: token, create, token (new), delete",
    "gated": "raw httpx, the same, gated to the pool's 100",
    "ours": "mapsindoors_auth AsyncClient.rotate()",
}


def contender(name: str, url: str, stores: List[CasStore], theirs: Dict[str, List[emulator.Customer]],
              concurrency: int) -> Any:
    if name == "ours":
        return ours(url, stores, concurrency)
    return raw(url, theirs[name], concurrency, gated=name == "gated")


def run(binary: str, n: int, concurrency: int, rounds: int, stress: int) -> None:
    """Prints the scale table (and the stress run)."""
    mine = emulator.customers("ours", 0, n)
    theirs = {"raw": emulator.customers("raw", 1, n), "gated": emulator.customers("gated", 2, n)}
    proc, url, _ = emulator.start(binary, mine + theirs["raw"] + theirs["gated"])
    try:
        stores = asyncio.run(seed_ours(url, mine, concurrency))
        names = list(LABELS)
        samples: Dict[str, List[Tuple[float, float]]] = {name: [] for name in names}
        for r in range(rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                wall, cpu, results = timed(contender(name, url, stores, theirs, concurrency))
                failed = failures(results)
                if failed:
                    raise SystemExit(f"scale ({name}, N={n}, concurrency {concurrency}): {failed}")
                samples[name].append((wall, cpu))
        med = {k: (statistics.median(s[0] for s in v), statistics.median(s[1] for s in v)) for k, v in samples.items()}
        print(f"\nat scale: {n} clients (customers) rotated in one asyncio process, {concurrency} at a time, one shared")
        print(f"httpx.AsyncClient() (default limits: {POOL} connections), a compare-and-swap store per client;")
        print(f"medians of {rounds} interleaved rounds:\n")
        print(f"| {'contender':<58} | {'wall s':>7} | {'CPU s':>7} | {'rotations/s':>11} |")
        print(f"|{'-' * 60}|{'-' * 8}:|{'-' * 8}:|{'-' * 12}:|")
        for k in names:
            wall, cpu = med[k]
            print(f"| {LABELS[k]:<58} | {wall:7.2f} | {cpu:7.2f} | {n / wall:11.0f} |")
        for base in ("raw", "gated"):
            (ow, oc), (bw, bc) = med["ours"], med[base]
            print(f"| {'ratio ours / ' + base:<58} | {ow / bw:7.2f} | {oc / bc:7.2f} | {'':>11} |")
        if stress:
            print(f"\nat concurrency {stress} (N={n}), one run each:")
            for name in names:
                try:
                    wall, cpu, results = timed(contender(name, url, stores, theirs, stress))
                except Exception as exc:  # an error escaping gather itself
                    print(f"  {LABELS[name]}: failed: {type(exc).__module__}.{type(exc).__name__}: {exc}")
                    continue
                failed = failures(results)
                print(f"  {LABELS[name]}: " + (failed or f"completed in {wall:.2f} s wall, {cpu:.2f} s CPU"))
    finally:
        emulator.stop(proc)
