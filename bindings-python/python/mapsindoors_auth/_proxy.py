"""The proxy a request of the default transport goes through, as urllib
decides it: ``https_proxy`` for https URLs and ``http_proxy`` for http URLs
(either case, lower case winning; ``HTTP_PROXY`` is ignored in a CGI script,
where a client could set it), and ``no_proxy``'s list of hosts and domain
suffixes (``*`` for all) goes direct. The environment is read once, at the
first request. On macOS and Windows urllib also reads the system's proxy
settings: there ``urllib.request`` is imported to ask it.

Only the choice lives here; the connections are ``_connection``'s.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Optional, Tuple


class Proxy:
    """A proxy: ``tls`` (an ``https://`` proxy URL, for http URLs only, as
    urllib), its host and port, and the ``Proxy-Authorization`` value of
    its URL's ``user:password``, if any."""

    __slots__ = ("tls", "host", "port", "auth")

    def __init__(self, tls: bool, host: str, port: int, auth: Optional[str]) -> None:
        self.tls = tls
        self.host = host
        self.port = port
        self.auth = auth

    def __repr__(self) -> str:
        return f"Proxy({'https' if self.tls else 'http'}://{self.host}:{self.port}, auth={'[redacted]' if self.auth else None})"


def from_environment() -> Dict[str, str]:
    """``{scheme: proxy URL, "no": bypass list}`` from the environment, as
    ``urllib.request.getproxies_environment``."""
    proxies: Dict[str, str] = {}
    for name, value in os.environ.items():
        lower = name.lower()
        if value and lower[-6:] == "_proxy":
            proxies[lower[:-6]] = value
    if "REQUEST_METHOD" in os.environ:
        proxies.pop("http", None)
    for name, value in os.environ.items():  # lower case wins, and an empty one unsets
        if name[-6:] == "_proxy":
            if value:
                proxies[name[:-6]] = value
            else:
                proxies.pop(name[:-6], None)
    return proxies


def bypassed(host: str, port: int, no_proxy: Optional[str]) -> bool:
    """Whether ``no_proxy`` sends this host direct (as urllib: each entry
    matches the host, with or without its port, or a domain suffix)."""
    if not no_proxy:
        return False
    if no_proxy == "*":
        return True
    host = host.lower()
    hostport = f"{host}:{port}"
    for name in no_proxy.split(","):
        name = name.strip().lstrip(".").lower()
        if name and (name in (host, hostport) or host.endswith("." + name) or hostport.endswith("." + name)):
            return True
    return False


def parse(url: str, default_tls: bool) -> Proxy:
    """A proxy URL (``[scheme://][user:password@]host[:port]``)."""
    from urllib.parse import unquote

    scheme, sep, rest = url.partition("://")
    tls = scheme.lower() == "https" if sep else default_tls
    authority = (rest if sep else url).split("/", 1)[0]
    userinfo, at, hostport = authority.rpartition("@")
    auth = None
    if at:
        user, _, password = userinfo.partition(":")
        if user and password:
            import base64

            pair = f"{unquote(user)}:{unquote(password)}".encode()
            auth = "Basic " + base64.b64encode(pair).decode("ascii")
    host, port = hostport, 443 if tls else 80
    bracket = hostport.rfind("]")
    colon = hostport.rfind(":")
    if colon > bracket:
        host, digits = hostport[:colon], hostport[colon + 1:]
        if digits:
            port = int(digits)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return Proxy(tls, unquote(host), port, auth)


_chooser: Optional[Callable[[str, str, int], Optional[Proxy]]] = None


def _environment_chooser() -> Callable[[str, str, int], Optional[Proxy]]:
    proxies = from_environment()
    urls = {scheme: parse(proxies[scheme], False) for scheme in ("http", "https") if proxies.get(scheme)}
    no_proxy = proxies.get("no")
    if not urls:
        return lambda scheme, host, port: None

    def choose(scheme: str, host: str, port: int) -> Optional[Proxy]:
        proxy = urls.get(scheme)
        if proxy is None or bypassed(host, port, no_proxy):
            return None
        return proxy

    return choose


def _system_chooser() -> Callable[[str, str, int], Optional[Proxy]]:
    """macOS and Windows: urllib's reading, which adds the system's settings."""
    import urllib.request

    proxies = urllib.request.getproxies()
    urls = {scheme: parse(proxies[scheme], False) for scheme in ("http", "https") if proxies.get(scheme)}
    if not urls:
        return lambda scheme, host, port: None

    def choose(scheme: str, host: str, port: int) -> Optional[Proxy]:
        proxy = urls.get(scheme)
        if proxy is None or urllib.request.proxy_bypass(f"{host}:{port}"):
            return None
        return proxy

    return choose


def for_url(scheme: str, host: str, port: int) -> Optional[Proxy]:
    """The proxy for a request to this origin, or None to go direct."""
    global _chooser
    if _chooser is None:
        _chooser = _system_chooser() if sys.platform in ("darwin", "win32") else _environment_chooser()
    return _chooser(scheme, host, port)


def reset() -> None:
    """Forgets the proxies read (tests change the environment)."""
    global _chooser
    _chooser = None
