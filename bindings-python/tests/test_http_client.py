"""The default transport, ``HttpClientTransport`` (the standard library's
``http.client``): the first fetch imports no ``urllib.request``; keep-alive
connections the transport owns, reused only while fresh and open, and
released by ``close()``, ``with`` and the async client; proxies from the
environment (a ``CONNECT`` tunnel for https, the whole URL for http,
``no_proxy``); TLS verified with the default context. Redirects, the body
cap, no decompression and the deadline are the hostile corpus's
(``test_hostile_corpus.py``, flavour ``default``)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Tuple

import pytest

import mapsindoors_auth as mia
from mapsindoors_auth import _http_client, _proxy

from conftest import Emulator

SECRET = "CANARY-http-client-secret"
TOKEN = "http-client-token"


def token_response(keep_alive: bool = True) -> bytes:
    body = json.dumps({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 0}).encode()
    head = ["HTTP/1.1 200 OK", "Content-Type: application/json", f"Content-Length: {len(body)}"]
    if not keep_alive:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def read_request(conn: socket.socket, buffered: bytearray) -> Optional[bytes]:
    """One request (head and body) from the connection, or None at its end."""
    while b"\r\n\r\n" not in buffered:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffered += chunk
    head, _, rest = bytes(buffered).partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        rest += chunk
    del buffered[:]
    buffered += rest[length:]
    return head + b"\r\n\r\n" + rest[:length]


class Origin:
    """An HTTP/1.1 server on 127.0.0.1 that answers every request on a
    connection with `answer(request) -> bytes` (then closes it if
    `close_after` says so); records connections, requests, and the
    connections the client closed."""

    def __init__(self, answer: Callable[[bytes], bytes] = lambda r: token_response(),
                 close_after: Callable[[int], bool] = lambda n: False, tls: Optional[ssl.SSLContext] = None) -> None:
        self.answer = answer
        self.close_after = close_after
        self.tls = tls
        self.connections = 0
        self.requests: List[bytes] = []
        self.client_closed = 0
        self.closed = 0  # connections this server closed
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            buffered = bytearray()
            served = 0
            while True:
                request = read_request(conn, buffered)
                if request is None:
                    self.client_closed += 1
                    return
                self.requests.append(request)
                conn.sendall(self.answer(request))
                served += 1
                if self.close_after(served):
                    conn.close()
                    self.closed += 1
                    return
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def origins() -> Iterator[Callable[..., Origin]]:
    made: List[Origin] = []

    def make(*args: Any, **kwargs: Any) -> Origin:
        made.append(Origin(*args, **kwargs))
        return made[-1]

    yield make
    for o in made:
        o.close()


def client(url: str, **kw: Any) -> mia.Client:
    return mia.Client(auth_url=url, client_id="c", client_secret=SECRET, retries=0, timeout_ms=2000, **kw)


def wait_for(check: Callable[[], bool]) -> bool:
    end = time.monotonic() + 2
    while not check() and time.monotonic() < end:
        time.sleep(0.01)
    return check()


def test_the_first_fetch_imports_no_urllib_request(emulator: Emulator) -> None:
    code = (
        "import sys, mapsindoors_auth as mia\n"
        "assert 'urllib.request' not in sys.modules, 'imported by the package'\n"
        f"with mia.Client(auth_url={emulator.url!r}, client_id={emulator.client_id!r},"
        f" client_secret={emulator.client_secret!r}) as c:\n"
        "    assert type(c._transport).__name__ == 'HttpClientTransport'\n"
        "    assert c.token().access_token\n"
        "assert 'urllib.request' not in sys.modules, 'imported by the first fetch'\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.stdout.strip() == "ok", out.stderr


def test_a_client_keeps_one_connection_alive_and_closes_it(origins: Any) -> None:
    origin = origins()
    with client(origin.url) as c:
        for _ in range(3):  # expires_in 0: each token() fetches
            assert c.token().access_token == TOKEN
        assert origin.connections == 1 and len(origin.requests) == 3
    assert wait_for(lambda: origin.client_closed == 1), "close() left the connection open"
    head = origin.requests[0].split(b"\r\n\r\n")[0].lower()
    assert b"\r\naccept-encoding: identity" in head and b"\r\nuser-agent: mapsindoors-auth-python/" in head


def test_close_releases_the_sockets_of_a_shared_transport(origins: Any) -> None:
    origin = origins()
    with mia.HttpClientTransport() as transport:
        for _ in range(2):
            with client(origin.url, transport=transport) as c:  # not the client's: it stays open
                c.token()
        assert origin.connections == 1 and origin.client_closed == 0
    assert wait_for(lambda: origin.client_closed == 1)
    with client(origin.url, transport=transport) as c:  # still works after close, keeping nothing
        c.token()
    assert wait_for(lambda: origin.client_closed == 2)


def test_a_connection_the_server_closed_is_not_reused(origins: Any) -> None:
    origin = origins(close_after=lambda served: True)  # keep-alive promised, then closed
    with client(origin.url) as c:
        for n in range(1, 4):
            assert c.token().access_token == TOKEN
            assert wait_for(lambda: origin.closed == n)
    assert origin.connections == 3


def test_connection_close_is_honoured(origins: Any) -> None:
    origin = origins(answer=lambda r: token_response(keep_alive=False))
    with client(origin.url) as c:
        c.token()
        c.token()
    assert origin.connections == 2


def test_an_idle_connection_is_reused_only_while_fresh(origins: Any, monkeypatch: Any) -> None:
    origin = origins()
    monkeypatch.setattr(_http_client, "IDLE_SECONDS", 0.0)
    with client(origin.url) as c:
        c.token()
        c.token()
    assert origin.connections == 2


def test_an_unused_client_releases_its_connection_when_collected(origins: Any) -> None:
    origin = origins()
    client(origin.url).token()  # never closed: dropped at once
    assert wait_for(lambda: origin.client_closed == 1)


def test_threads_share_one_transport(origins: Any) -> None:
    origin = origins()
    errors: List[BaseException] = []
    with mia.HttpClientTransport() as transport:
        def work() -> None:
            try:
                for _ in range(20):
                    with client(origin.url, transport=transport) as c:
                        assert c.token().access_token == TOKEN
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert len(origin.requests) == 160 and origin.connections < 160 / 2


def test_the_async_client_without_httpx_closes_its_threaded_transport(origins: Any, monkeypatch: Any) -> None:
    origin = origins()
    monkeypatch.setitem(sys.modules, "httpx", None)  # `import httpx` fails

    async def main() -> None:
        async with mia.AsyncClient(auth_url=origin.url, client_id="c", client_secret=SECRET) as c:
            assert (await c.token()).access_token == TOKEN
            assert (await c.token()).access_token == TOKEN

    asyncio.run(main())
    assert origin.connections == 1
    assert wait_for(lambda: origin.client_closed == 1)


# Proxies from the environment.


@pytest.fixture()
def proxy_env(monkeypatch: Any) -> Iterator[Callable[..., None]]:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        _proxy.reset()

    _proxy.reset()
    yield set_env
    _proxy.reset()


class Proxy(Origin):
    """A forward proxy: answers a plain request itself (recording its
    request line), and tunnels a ``CONNECT`` to `upstream` (any host named)."""

    def __init__(self, upstream: Optional[int] = None, refuse: bool = False) -> None:
        self.upstream = upstream
        self.refuse = refuse
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        buffered = bytearray()
        try:
            request = read_request(conn, buffered)
            if request is None:
                return
            self.requests.append(request)
            if not request.startswith(b"CONNECT "):
                conn.sendall(token_response(keep_alive=False))
                return
            if self.refuse or self.upstream is None:
                conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                return
            up = socket.create_connection(("127.0.0.1", self.upstream))
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

            def pump(a: socket.socket, b: socket.socket) -> None:
                try:
                    while True:
                        data = a.recv(65536)
                        if not data:
                            break
                        b.sendall(data)
                except OSError:
                    pass
                finally:
                    b.close()

            threading.Thread(target=pump, args=(up, conn), daemon=True).start()
            pump(conn, up)
        except OSError:
            pass


def basic(user: str, password: str) -> bytes:
    return b"proxy-authorization: basic " + base64.b64encode(f"{user}:{password}".encode()).lower()


def test_an_http_url_goes_to_the_proxy_whole(proxy_env: Any) -> None:
    proxy = Proxy()
    try:
        proxy_env(http_proxy=f"http://us%40er:p%3Ass@127.0.0.1:{proxy.port}")
        with client("http://127.0.0.1:9") as c:  # plain http: loopback only (the core's rule); nothing listens
            assert c.token().access_token == TOKEN
        line, _, head = proxy.requests[0].partition(b"\r\n")
        assert line == b"POST http://127.0.0.1:9/connect/token HTTP/1.1"
        assert basic("us@er", "p:ss") in head.lower()
        assert b"\r\nhost: 127.0.0.1:9" in b"\r\n" + head.lower()
    finally:
        proxy.close()


def test_no_proxy_goes_direct(proxy_env: Any, origins: Any) -> None:
    origin = origins()
    proxy = Proxy()
    try:
        proxy_env(HTTP_PROXY=f"http://127.0.0.1:{proxy.port}", NO_PROXY="example.com, .127.0.0.1,127.0.0.1")
        with client(origin.url) as c:
            c.token()
        assert proxy.requests == [] and len(origin.requests) == 1
    finally:
        proxy.close()


def test_an_https_url_is_tunnelled_with_connect(proxy_env: Any) -> None:
    proxy = Proxy(refuse=True)
    try:
        proxy_env(https_proxy=f"http://bench:secret@127.0.0.1:{proxy.port}")
        with pytest.raises(mia.TransportError) as err:
            with client("https://auth.test") as c:
                c.token()
        # As with urllib: an OSError naming the proxy's answer, of the kind "other".
        assert err.value.transport_kind == "other" and "407" in str(err.value.__cause__)
        line, _, head = proxy.requests[0].partition(b"\r\n")
        assert line.startswith(b"CONNECT auth.test:443 HTTP/1.")
        assert basic("bench", "secret") in head.lower()
    finally:
        proxy.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: Any) -> Tuple[Path, Path]:
    """A self-signed certificate for ``auth.test`` (and its key)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=auth.test",
         "-addext", "subjectAltName=DNS:auth.test"],
        check=True, capture_output=True)
    return cert, key


def tls_origin(origins: Any, certificate: Tuple[Path, Path]) -> Origin:
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return origins(tls=server)  # type: ignore[no-any-return]


def test_tls_through_the_tunnel_verifies_the_origin(proxy_env: Any, origins: Any, certificate: Any) -> None:
    origin = tls_origin(origins, certificate)
    proxy = Proxy(upstream=origin.port)
    try:
        proxy_env(HTTPS_PROXY=f"127.0.0.1:{proxy.port}")
        trusting = ssl.create_default_context(cafile=str(certificate[0]))
        with client("https://auth.test", transport=mia.HttpClientTransport(ssl_context=trusting)) as c:
            assert c.token().access_token == TOKEN
            assert c.token().access_token == TOKEN
        assert len(proxy.requests) == 1 and origin.connections == 1 and len(origin.requests) == 2
        with pytest.raises(mia.TransportError) as err:  # the default context does not trust it
            with client("https://auth.test") as c:
                c.token()
        assert err.value.transport_kind == "connect"
        assert isinstance(err.value.__cause__, ssl.SSLCertVerificationError)
    finally:
        proxy.close()


def test_tls_is_verified_with_the_default_context(origins: Any, certificate: Any) -> None:
    origin = tls_origin(origins, certificate)
    with pytest.raises(mia.TransportError) as err:
        with client(f"https://127.0.0.1:{origin.port}") as c:
            c.token()
    assert err.value.transport_kind == "connect"
    assert isinstance(err.value.__cause__, ssl.SSLCertVerificationError)
    assert SECRET not in str(err.value) and origin.requests == []
