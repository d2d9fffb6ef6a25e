"""The exception hierarchy: one base class and one subclass per core error kind.

The native module raises these through ``_from_native`` (from one mapping,
``src/errors.rs``), which picks the class for the kind; nothing here decides
anything else. Messages never hold secrets.
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
    "BadRequestError",
    "InvalidInputError",
    "TransportError",
    "StoreError",
    "StoreConflictError",
    "RotationIncompleteError",
]


class MapsIndoorsAuthError(Exception):
    """Base class of every error this package raises.

    Attributes:
        message: the text, as ``str(error)``.
        kind: the stable error kind, e.g. ``"invalid_client"`` (one of
            ``mapsindoors_auth._native.ERROR_KINDS``).
        status: the HTTP status, when a response arrived, else None.
        retry_after: seconds to wait, from a ``Retry-After`` header, else None.
        retry_after_at: the HTTP-date form of ``Retry-After``, in Unix seconds.
        stage: for ``rotation_incomplete``, where the rotation stopped.
        cause_kind: for ``rotation_incomplete``, the kind of its cause.
        oauth_error: the RFC 6749 ``error`` code from the token endpoint, or
            the RFC 6750 one of a 401's ``WWW-Authenticate`` (``invalid_token``).
        oauth_description: its ``error_description``, scrubbed.
        store_kind: for store errors, how the store failed.
        transport_kind: for transport errors, how the request failed.
    """

    kind: str = "error"

    def __init__(
        self,
        message: str,
        *,
        kind: Optional[str] = None,
        status: Optional[int] = None,
        oauth_error: Optional[str] = None,
        oauth_description: Optional[str] = None,
        retry_after: Optional[float] = None,
        retry_after_at: Optional[int] = None,
        stage: Optional[str] = None,
        cause_kind: Optional[str] = None,
        store_kind: Optional[str] = None,
        transport_kind: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.status = status
        self.oauth_error = oauth_error
        self.oauth_description = oauth_description
        self.retry_after = retry_after
        self.retry_after_at = retry_after_at
        self.stage = stage
        self.cause_kind = cause_kind
        self.store_kind = store_kind
        self.transport_kind = transport_kind

    @property
    def message(self) -> str:
        """The message, as ``str(error)``."""
        return str(self.args[0]) if self.args else ""


class InvalidClientError(MapsIndoorsAuthError):
    """The client id or secret was rejected: wrong, deleted or not yet propagated."""

    kind = "invalid_client"


class InvalidGrantError(MapsIndoorsAuthError):
    """The username or password was rejected."""

    kind = "invalid_grant"


class OAuthError(MapsIndoorsAuthError):
    """Another RFC 6749 error from the token endpoint (see ``oauth_error``)."""

    kind = "oauth_error"


class UnauthorizedError(MapsIndoorsAuthError):
    """The secrets endpoint refused the access token (HTTP 401) even after one
    new login; ``oauth_error`` is its ``WWW-Authenticate`` error, if any."""

    kind = "unauthorized"


class ForbiddenError(MapsIndoorsAuthError):
    """This login may not manage this customer's secrets (HTTP 403)."""

    kind = "forbidden"


class NotFoundError(MapsIndoorsAuthError):
    """No such secret (HTTP 404)."""

    kind = "not_found"


class RateLimitedError(MapsIndoorsAuthError):
    """Too many requests (HTTP 429); see ``retry_after``."""

    kind = "rate_limited"


class ServerError(MapsIndoorsAuthError):
    """The server failed (HTTP 5xx)."""

    kind = "server_error"


class UnexpectedResponseError(MapsIndoorsAuthError):
    """The response was not what the API documents."""

    kind = "unexpected_response"


class BadRequestError(MapsIndoorsAuthError):
    """The server refused the request as the client's fault: a 4xx with no
    kind of its own (400, 405, 409, 413, 422, ...); see ``status``."""

    kind = "bad_request"


class InvalidInputError(MapsIndoorsAuthError):
    """An argument was unusable; nothing was sent."""

    kind = "invalid_input"


class TransportError(MapsIndoorsAuthError):
    """No response arrived; the transport's exception is ``__cause__``."""

    kind = "transport"


class StoreError(MapsIndoorsAuthError):
    """The secret store failed; ``store_kind`` says how (io, corrupt, conflict, locked, missing)."""

    kind = "store"


class StoreConflictError(StoreError):
    """A compare-and-swap save found another generation in the store: another
    run (or process) changed it meanwhile. Nothing was deleted after this
    run's last save, and the store holds a working secret: run again.

    A store's ``save`` raises this when the stored generation is not
    ``expected_generation``; ``rotate`` and ``seed`` then raise it too.
    ``store_kind`` is ``"conflict"``.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("kind", "store")
        kwargs.setdefault("store_kind", "conflict")
        super().__init__(message, **kwargs)


class RotationIncompleteError(MapsIndoorsAuthError):
    """A rotation stopped part-way at ``stage``. The store still holds a working
    secret; run ``rotate`` again to finish or clean up."""

    kind = "rotation_incomplete"


_BY_KIND = {
    cls.kind: cls
    for cls in (
        InvalidClientError, InvalidGrantError, OAuthError, UnauthorizedError, ForbiddenError, NotFoundError,
        RateLimitedError, ServerError, UnexpectedResponseError, BadRequestError, InvalidInputError, TransportError, StoreError,
        RotationIncompleteError,
    )
}


def _from_native(message: str, *, kind: str, **attrs: Any) -> MapsIndoorsAuthError:
    """The exception for a core error of this kind (the native module's one
    way to build one); a store conflict is a ``StoreConflictError``."""
    cls = _BY_KIND.get(kind, MapsIndoorsAuthError)
    if cls is StoreError and attrs.get("store_kind") == "conflict":
        cls = StoreConflictError
    return cls(message, kind=kind, **attrs)
