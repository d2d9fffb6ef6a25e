"""Hostile servers on loopback, per transport (urllib, httpx sync and async,
requests when installed): no redirect is ever followed (nothing reaches the
second origin), one wall-clock deadline per request (a drip ends in a typed
timeout within 1.5x of it), bodies capped while streaming and never
decompressed (an endless body or a gzip bomb costs little memory), and no
frame of a failed request keeps the raw request where a repr shows it."""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import threading
import time
import tracemalloc
import zlib
from typing import Any, Callable, Iterator, List, Optional

import pytest

import mapsindoors_auth as mia

CANARY = "CANARY-5e1d-hostile-do-not-print"
TOKEN = "CANARYTOKEN-9b2c-do-not-print"
DEADLINE_MS = 1000
TIMES: dict = {}


class Server:
    """An HTTP/1.1 server on 127.0.0.1 that hands each request to
    `handler(conn, method, path)` on its own thread; counts connections."""

    def __init__(self, handler: Callable[[socket.socket, str, str], None]) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: List[bytes] = []
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(rest) < length:
                rest += conn.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + rest)
            method, path = head.split(b" ")[:2]
            self.handler(conn, method.decode(), path.decode())
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture()
def servers() -> Iterator[Callable[..., Server]]:
    made: List[Server] = []

    def make(handler: Callable[[socket.socket, str, str], None]) -> Server:
        made.append(Server(handler))
        return made[-1]

    yield make
    for s in made:
        s.close()


def answer(conn: socket.socket, status: int, body: bytes = b"", headers: Optional[List[str]] = None) -> None:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", "Connection: close", *(headers or [])]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def token_body() -> bytes:
    return json.dumps({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}).encode()


def drip_forever(conn: socket.socket, head: bytes) -> None:
    conn.sendall(head)
    while True:
        time.sleep(0.2)
        conn.sendall(b"x")


FLAVOURS = ["urllib", "httpx", "httpx-async", "async-default", "requests"]


def call(flavour: str, url: str, op: str = "token", **kw: Any) -> BaseException:
    """Runs `op` with this flavour's transport; returns what it raised."""
    kw = {"auth_url": url, "customer_id": "c", "client_id": "c", "client_secret": CANARY, "retries": 0,
          "timeout_ms": DEADLINE_MS, **kw}
    ops: dict = {"token": lambda c: c.token(), "list": lambda c: c.list_secrets(),
                 "delete": lambda c: c.delete_secret("s1")}
    if flavour in ("urllib", "httpx", "requests"):
        transport: Any = None
        if flavour == "httpx":
            httpx = pytest.importorskip("httpx")
            transport = httpx.Client(follow_redirects=True)
        elif flavour == "requests":
            transport = pytest.importorskip("requests").Session()
        with mia.Client(transport=transport, **kw) as client:
            with pytest.raises(mia.MapsIndoorsAuthError) as err:
                ops[op](client)
        return err.value

    async def run() -> BaseException:
        transport: Any = None
        if flavour == "httpx-async":
            transport = pytest.importorskip("httpx").AsyncClient(follow_redirects=True)
        async with mia.AsyncClient(transport=transport, **kw) as client:
            with pytest.raises(mia.MapsIndoorsAuthError) as err:
                await ops[op](client)
        return err.value

    return asyncio.run(run())


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_token_redirect_is_never_followed(servers: Any, flavour: str, status: int) -> None:
    elsewhere = servers(lambda conn, m, p: answer(conn, 200, token_body(), ["Content-Type: application/json"]))
    where = elsewhere.url.replace("127.0.0.1", "localhost")
    hostile = servers(lambda conn, m, p: answer(conn, status, b"", [f"Location: {where}/steal?x=1"]))
    err = call(flavour, hostile.url)
    assert elsewhere.connections == 0 and not elsewhere.requests
    assert isinstance(err, mia.UnexpectedResponseError) and err.status == status
    assert "localhost" in str(err) and "steal" not in str(err)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_delete_answered_with_302_is_not_deleted(servers: Any, flavour: str) -> None:
    elsewhere = servers(lambda conn, m, p: answer(conn, 200, b"{}", ["Content-Type: application/json"]))

    def hostile_handler(conn: socket.socket, method: str, path: str) -> None:
        if method == "POST" and path.endswith("/connect/token"):
            answer(conn, 200, token_body(), ["Content-Type: application/json"])
        else:
            answer(conn, 302, b"", [f"Location: {elsewhere.url}/gone"])

    hostile = servers(hostile_handler)
    err = call(flavour, hostile.url, op="delete")
    assert elsewhere.connections == 0
    assert err.status == 302 and any(r.startswith(b"DELETE ") for r in hostile.requests)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_drip_ends_within_the_deadline(servers: Any, flavour: str, where: str) -> None:
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            if where == "body" else b"HTTP/1.1 200 OK\r\nX-Drip: ")
    hostile = servers(lambda conn, m, p: drip_forever(conn, head))
    start = time.monotonic()
    err = call(flavour, hostile.url)
    took = time.monotonic() - start
    TIMES[f"{flavour} {where}"] = took
    assert isinstance(err, mia.TransportError) and err.transport_kind == "timeout", repr(err)
    assert took < 1.5 * DEADLINE_MS / 1000, took


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("kind", ["endless", "gzip-bomb"])
def test_bodies_are_capped_while_streaming(servers: Any, flavour: str, kind: str) -> None:
    def endless(conn: socket.socket, method: str, path: str) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
        block = b"[" * 65536
        while True:
            conn.sendall(block)

    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    gz = b"".join(bomb.compress(b"\0" * (1 << 20)) for _ in range(64)) + bomb.flush()  # 64 MiB in ~64 KiB

    def gzip_bomb(conn: socket.socket, method: str, path: str) -> None:
        answer(conn, 200, gz, ["Content-Type: application/json", "Content-Encoding: gzip"])

    hostile = servers(endless if kind == "endless" else gzip_bomb)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        err = call(flavour, hostile.url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    TIMES[f"{flavour} {kind} peak"] = peak
    TIMES[f"{flavour} {kind} maxrss growth KiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss
    assert isinstance(err, mia.MapsIndoorsAuthError) and err.kind in ("unexpected_response", "transport"), repr(err)
    assert peak < 8 * 1024 * 1024, peak


def exceptions_of(err: BaseException) -> Iterator[BaseException]:
    seen: set = set()
    todo: List[Any] = [err]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None)]


def frame_reprs(err: BaseException) -> str:
    out = []
    for e in exceptions_of(err):
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == __file__:  # this test's own frames hold the canary
                tb = tb.tb_next
                continue
            for name, value in tb.tb_frame.f_locals.items():
                try:
                    out.append(f"{tb.tb_frame.f_code.co_name}.{name}={value!r}")
                except Exception:  # a half-built object
                    pass
            tb = tb.tb_next
    return "\n".join(out)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("op", ["token", "list"])
def test_no_frame_keeps_the_raw_request(servers: Any, flavour: str, op: str) -> None:
    def reset(conn: socket.socket, method: str, path: str) -> None:
        if op == "list" and path.endswith("/connect/token"):
            answer(conn, 200, token_body(), ["Content-Type: application/json"])
            return
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")  # close with RST

    hostile = servers(reset)
    err = call(flavour, hostile.url, op=op)
    assert isinstance(err, mia.TransportError), repr(err)
    text = frame_reprs(err)
    assert text and CANARY not in text and TOKEN not in text


def test_a_raising_user_transport_keeps_no_raw_request_in_frames() -> None:
    def transport(request: mia.Request) -> mia.Response:
        if request.url.endswith("/connect/token"):
            return mia.Response(200, [("Content-Type", "application/json")], token_body())
        raise ConnectionResetError("reset")

    client = mia.Client(auth_url="http://127.0.0.1:1", customer_id="c", username="u", password=CANARY,
                        transport=transport, retries=0)
    with pytest.raises(mia.TransportError) as err:
        client.list_secrets()
    text = frame_reprs(err.value)
    assert "run_sync" in text and CANARY not in text and TOKEN not in text


def test_print_measured_times() -> None:
    for name, value in sorted(TIMES.items()):
        print(f"hostile: {name}: {value:.3f}" if isinstance(value, float) else f"hostile: {name}: {value}")
