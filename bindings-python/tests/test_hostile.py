"""Hostile servers on loopback, per transport (the default http.client one,
urllib, httpx sync and async, requests when installed), for what the shared corpus
(``test_hostile_corpus.py``: redirects, drips, endless bodies, gzip bombs,
...) does not cover: a drip inside the headers, a slow DNS lookup, and no
frame of a failed request keeping the raw request where a repr shows it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
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


FLAVOURS = ["default", "urllib", "httpx", "httpx-async", "async-default", "requests"]
TOOK = [0.0]  # how long the last call's operation took (s), without asyncio.run's shutdown


def call(flavour: str, url: str, op: str = "token", **kw: Any) -> BaseException:
    """Runs `op` with this flavour's transport; returns what it raised."""
    kw = {"auth_url": url, "customer_id": "c", "client_id": "c", "client_secret": CANARY, "retries": 0,
          "timeout_ms": DEADLINE_MS, **kw}
    ops: dict = {"token": lambda c: c.token(), "list": lambda c: c.list_secrets(),
                 "delete": lambda c: c.delete_secret("s1")}
    if flavour in ("default", "urllib", "httpx", "requests"):
        transport: Any = None
        if flavour == "urllib":
            transport = mia.UrllibTransport()
        elif flavour == "httpx":
            httpx = pytest.importorskip("httpx")
            transport = httpx.Client(follow_redirects=True)
        elif flavour == "requests":
            transport = pytest.importorskip("requests").Session()
        with mia.Client(transport=transport, **kw) as client:
            start = time.monotonic()
            with pytest.raises(mia.MapsIndoorsAuthError) as err:
                ops[op](client)
            TOOK[0] = time.monotonic() - start
        return err.value

    async def run() -> BaseException:
        transport: Any = None
        if flavour == "httpx-async":
            transport = pytest.importorskip("httpx").AsyncClient(follow_redirects=True)
        async with mia.AsyncClient(transport=transport, **kw) as client:
            start = time.monotonic()
            with pytest.raises(mia.MapsIndoorsAuthError) as err:
                await ops[op](client)
            TOOK[0] = time.monotonic() - start
        return err.value

    return asyncio.run(run())


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


#: How long the slow lookup of ``slow.invalid`` takes, per flavour: the
#: deadline covers DNS for the default transport, urllib and the async
#: transports (README, "What the deadline covers"); a user's httpx.Client
#: resolves outside it, and its new connection is ended the moment it is made.
DNS_DELAY = {"default": 5.0, "urllib": 5.0, "httpx-async": 5.0, "async-default": 5.0, "httpx": 1.3}


@pytest.mark.parametrize("flavour", sorted(DNS_DELAY))
def test_a_slow_dns_lookup(monkeypatch: Any, flavour: str) -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # connects, never answers (not even TLS)
    port = silent.getsockname()[1]
    real = socket.getaddrinfo

    def slow(host: Any, *args: Any, **kwargs: Any) -> Any:
        flags = args[4] if len(args) > 4 else kwargs.get("flags", 0)
        if host in ("slow.invalid", b"slow.invalid") and not flags & socket.AI_NUMERICHOST:
            time.sleep(DNS_DELAY[flavour])
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    try:
        err = call(flavour, f"https://slow.invalid:{port}")
        took = TOOK[0]
    finally:
        silent.close()
    TIMES[f"{flavour} slow dns"] = took
    assert isinstance(err, mia.TransportError) and err.transport_kind == "timeout", repr(err)
    bound = DEADLINE_MS / 1000 if flavour != "httpx" else DNS_DELAY[flavour]
    assert took < bound + 0.5 * DEADLINE_MS / 1000, took


def test_timed_out_lookups_of_one_name_share_one_resolver_thread(monkeypatch: Any) -> None:
    """During a DNS outage, calls that time out leave one lookup per name
    behind, not one thread each."""
    lookups: List[str] = []
    release = threading.Event()
    real = socket.getaddrinfo

    def stuck(host: Any, *args: Any, **kwargs: Any) -> Any:
        flags = args[4] if len(args) > 4 else kwargs.get("flags", 0)
        if host in ("stuck.invalid", b"stuck.invalid") and not flags & socket.AI_NUMERICHOST:
            lookups.append(host.decode() if isinstance(host, bytes) else str(host))
            release.wait(10)
            raise socket.gaierror("outage")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    try:
        errors = [call(flavour, "https://stuck.invalid:1", timeout_ms=200) for flavour in ("default", "urllib", "default")]
        assert all(isinstance(e, mia.TransportError) and e.transport_kind == "timeout" for e in errors), errors
        assert lookups == ["stuck.invalid"], lookups
    finally:
        release.set()


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
        print(f"hostile (local servers): {name}: {value:.3f}" if isinstance(value, float) else f"hostile (local servers): {name}: {value}")
