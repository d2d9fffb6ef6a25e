"""A client for the MapsIndoors authentication API: access tokens, client
secrets and crash-safe secret rotation, sync (``Client``) and asyncio
(``AsyncClient``). The protocol lives in a Rust core (``_native``); this
package drives it with Python's own HTTP, clock and storage.
"""

from ._async_client import AsyncClient
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
from ._http import HttpxTransport, Request, Response, UrllibTransport
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
from .stores import AsyncStore, MemoryStore, RotationLock, Store

__all__ = [
    "AsyncClient",
    "AsyncStore",
    "BadRequestError",
    "Candidate",
    "Client",
    "CreatedSecret",
    "DEFAULT_AUTH_URL",
    "FileStore",
    "ForbiddenError",
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
