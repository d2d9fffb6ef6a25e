"""The exception hierarchy: one base class and one subclass per core error kind.

The native module raises these from a single mapping (``src/errors.rs``);
nothing here decides anything. Messages never hold secrets.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it would double the import time
if TYPE_CHECKING:
    from typing import Any, Optional

__all__ = [
    "MapsIndoorsAuthError",
    "InvalidClientError",
    "InvalidGrantError",
    "OAuthError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitedError",
    "ServerError",
    "UnexpectedResponseError",
    "InvalidInputError",
    "TransportError",
    "StoreError",
    "StoreConflictError",
    "RotationIncompleteError",
]


class MapsIndoorsAuthError(Exception):
    """Base class of every error this package raises.

    Attributes:
        code: the stable error kind, e.g. ``"invalid_client"``.
        status: the HTTP status, when a response arrived.
        oauth_error: the RFC 6749 ``error`` code from the token endpoint.
        oauth_description: its ``error_description``, scrubbed.
        retry_after: seconds to wait, from a ``Retry-After`` header.
        retry_after_at: the HTTP-date form of ``Retry-After``, in Unix seconds.
    """

    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        status: Optional[int] = None,
        oauth_error: Optional[str] = None,
        oauth_description: Optional[str] = None,
        retry_after: Optional[float] = None,
        retry_after_at: Optional[int] = None,
        stage: Optional[str] = None,
        cause_code: Optional[str] = None,
        store_kind: Optional[str] = None,
        transport_kind: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.status = status
        self.oauth_error = oauth_error
        self.oauth_description = oauth_description
        self.retry_after = retry_after
        self.retry_after_at = retry_after_at
        self.stage = stage
        self.cause_code = cause_code
        self.store_kind = store_kind
        self.transport_kind = transport_kind

    @property
    def message(self) -> str:
        """The message, as ``str(error)``."""
        return str(self.args[0]) if self.args else ""


class InvalidClientError(MapsIndoorsAuthError):
    """The client id or secret was rejected: wrong, deleted or not yet propagated."""

    code = "invalid_client"


class InvalidGrantError(MapsIndoorsAuthError):
    """The username or password was rejected."""

    code = "invalid_grant"


class OAuthError(MapsIndoorsAuthError):
    """Another RFC 6749 error from the token endpoint (see ``oauth_error``)."""

    code = "oauth_error"


class UnauthorizedError(MapsIndoorsAuthError):
    """The access token was rejected (HTTP 401)."""

    code = "unauthorized"


class ForbiddenError(MapsIndoorsAuthError):
    """This login may not manage this customer's secrets (HTTP 403)."""

    code = "forbidden"


class NotFoundError(MapsIndoorsAuthError):
    """No such secret (HTTP 404)."""

    code = "not_found"


class RateLimitedError(MapsIndoorsAuthError):
    """Too many requests (HTTP 429); see ``retry_after``."""

    code = "rate_limited"


class ServerError(MapsIndoorsAuthError):
    """The server failed (HTTP 5xx)."""

    code = "server_error"


class UnexpectedResponseError(MapsIndoorsAuthError):
    """The response was not what the API documents."""

    code = "unexpected_response"


class InvalidInputError(MapsIndoorsAuthError):
    """An argument was unusable; nothing was sent."""

    code = "invalid_input"


class TransportError(MapsIndoorsAuthError):
    """No response arrived; the transport's exception is ``__cause__``."""

    code = "transport"


class StoreError(MapsIndoorsAuthError):
    """The secret store failed; ``store_kind`` says how (io, corrupt, conflict, locked, missing)."""

    code = "store"


class StoreConflictError(StoreError):
    """A compare-and-swap save found another generation in the store: another
    run (or process) changed it meanwhile. Nothing was deleted after this
    run's last save, and the store holds a working secret: run again.

    A store's ``save`` raises this when the stored generation is not
    ``expected_generation``; ``rotate`` and ``seed`` then raise it too.
    ``store_kind`` is ``"conflict"``.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("code", "store")
        kwargs.setdefault("store_kind", "conflict")
        super().__init__(message, **kwargs)


class RotationIncompleteError(MapsIndoorsAuthError):
    """A rotation stopped part-way at ``stage``. The store still holds a working
    secret; run ``rotate`` again to finish or clean up."""

    code = "rotation_incomplete"
