"""A client for the MapsIndoors authentication API: access tokens, client
secrets and crash-safe secret rotation, sync (``Client``) and asyncio
(``AsyncClient``). The protocol lives in a Rust core (``_native``); this
package drives it with Python's own HTTP, clock and storage.
"""

from ._client import DEFAULT_AUTH_URL, Client
from ._errors import (
    BadRequestError,
    ForbiddenError,
    InvalidClientError,
    InvalidGrantError,
    InvalidInputError,
    MapsIndoorsAuthError,
    NotFoundError,
    OAuthError,
    RateLimitedError,
    RotationIncompleteError,
    ServerError,
    StoreConflictError,
    StoreError,
    TransportError,
    UnauthorizedError,
    UnexpectedResponseError,
)
from ._http import Request, Response
from ._http_client import HttpClientTransport
from ._native import (
    Candidate,
    CreatedSecret,
    FileStore,
    KeptSecret,
    RotationReport,
    SecretInfo,
    StoreRecord,
    Token,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._adapters import HttpxTransport
    from ._async_client import AsyncClient
    from ._events import Event, EventStream
    from ._status import Status, StatusCheck
    from ._urllib import UrllibTransport
    from .stores import AsyncStore, MemoryStore, RotationLock, Store

#: Exported names imported on first use (``import mapsindoors_auth`` and a
#: sync ``Client``'s first request need none of them): name -> module.
_LAZY = {
    "AsyncClient": "_async_client",
    "Event": "_events",
    "EventStream": "_events",
    "Status": "_status",
    "StatusCheck": "_status",
    "HttpxTransport": "_adapters",
    "UrllibTransport": "_urllib",
    "AsyncStore": "stores",
    "MemoryStore": "stores",
    "RotationLock": "stores",
    "Store": "stores",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(module, globals(), None, [name], 1), name)
    globals()[name] = value
    return value


def __dir__() -> "list[str]":
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "AsyncClient",
    "AsyncStore",
    "BadRequestError",
    "Candidate",
    "Client",
    "CreatedSecret",
    "DEFAULT_AUTH_URL",
    "Event",
    "EventStream",
    "FileStore",
    "ForbiddenError",
    "HttpClientTransport",
    "HttpxTransport",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidInputError",
    "KeptSecret",
    "MapsIndoorsAuthError",
    "MemoryStore",
    "NotFoundError",
    "OAuthError",
    "RateLimitedError",
    "Request",
    "Response",
    "RotationIncompleteError",
    "RotationLock",
    "RotationReport",
    "SecretInfo",
    "ServerError",
    "Status",
    "StatusCheck",
    "Store",
    "StoreConflictError",
    "StoreError",
    "StoreRecord",
    "Token",
    "TransportError",
    "UnauthorizedError",
    "UnexpectedResponseError",
    "UrllibTransport",
]
