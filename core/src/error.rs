//! The one error type, split by who is at fault: the server said no (RFC 6749
//! codes kept typed and raw), the response made no sense, the transport failed,
//! the store failed, or the caller misused the API. Messages never carry secrets.

use crate::http::TransportError;
use std::fmt;

/// Everything that can go wrong. Match on [`Error::kind`] for a stable,
/// language-neutral code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client id or secret was rejected: wrong, deleted or expired.
    #[error(
        "invalid client: the client id or secret was rejected (HTTP {status}){}",
        describe(oauth)
    )]
    InvalidClient {
        /// HTTP status.
        status: u16,
        /// The server's RFC 6749 error.
        oauth: OAuthError,
    },
    /// The username or password was rejected.
    #[error(
        "invalid grant: the username or password was rejected (HTTP {status}){}",
        describe(oauth)
    )]
    InvalidGrant {
        /// HTTP status.
        status: u16,
        /// The server's RFC 6749 error.
        oauth: OAuthError,
    },
    /// Another RFC 6749 error (`invalid_request`, `unsupported_grant_type`, ...).
    #[error("the token endpoint refused the request: {} (HTTP {status}){}", oauth.code, describe(oauth))]
    OAuth {
        /// HTTP status.
        status: u16,
        /// The server's RFC 6749 error.
        oauth: OAuthError,
    },
    /// The access token was rejected (HTTP 401) by the secrets endpoint: a
    /// session logs in again once by itself; this error means the new token
    /// was refused too.
    #[error("unauthorized: the secrets endpoint refused the access token (HTTP {status}){}", bearer.as_ref().map(describe_bearer).unwrap_or_default())]
    Unauthorized {
        /// HTTP status.
        status: u16,
        /// The RFC 6750 error of its `WWW-Authenticate: Bearer` challenge
        /// (`invalid_token`, ...), if it sent one.
        bearer: Option<OAuthError>,
    },
    /// This login may not act on this customer (HTTP 403).
    #[error("forbidden: this login may not manage this customer's secrets (HTTP {status})")]
    Forbidden {
        /// HTTP status.
        status: u16,
    },
    /// No such secret or resource (HTTP 404).
    #[error("not found (HTTP {status})")]
    NotFound {
        /// HTTP status.
        status: u16,
    },
    /// Too many requests (HTTP 429); wait before trying again.
    #[error("rate limited (HTTP {status}){}", retry_after.map(|r| format!(", retry after {r}")).unwrap_or_default())]
    RateLimited {
        /// HTTP status.
        status: u16,
        /// The parsed `Retry-After` header.
        retry_after: Option<RetryAfter>,
    },
    /// The server refused the request as the client's error (HTTP 400, or
    /// another 4xx that has no kind of its own, such as 405, 409, 413 or 422):
    /// a malformed or unsupported request, not a network or server failure.
    /// Trying the same request again will not help.
    #[error("bad request: the server refused the request (HTTP {status}): {excerpt}")]
    BadRequest {
        /// HTTP status.
        status: u16,
        /// A short, scrubbed excerpt of the body (withheld when it may hold a secret).
        excerpt: String,
    },
    /// The server failed (HTTP 5xx).
    #[error("server error (HTTP {status}): {excerpt}")]
    Server {
        /// HTTP status.
        status: u16,
        /// A short, scrubbed excerpt of the body.
        excerpt: String,
    },
    /// The response was not what the API documents.
    #[error("unexpected response (HTTP {status}, content type {}): {reason}; body: {excerpt}", content_type.as_deref().unwrap_or("none"))]
    UnexpectedResponse {
        /// HTTP status.
        status: u16,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// What was wrong.
        reason: String,
        /// A short, scrubbed excerpt of the body (withheld when it may hold a secret).
        excerpt: String,
    },
    /// The caller passed something unusable.
    #[error("invalid input: `{field}` {reason}")]
    InvalidInput {
        /// Which argument.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No response arrived.
    #[error("transport error: {0}")]
    Transport(TransportError),
    /// A rotation stopped part-way. The store still holds a secret that
    /// works; the next rotation finishes or cleans up what this one began.
    #[error(
        "rotation incomplete at `{stage}` (safe: the store holds a working secret; run rotate again): {cause}"
    )]
    RotationIncomplete {
        /// The step that failed.
        stage: String,
        /// Why.
        cause: Box<Error>,
    },
    /// The secret store failed to load or save.
    #[error("store error ({kind}): {reason}")]
    Store {
        /// The class of failure.
        kind: StoreErrorKind,
        /// What happened, without secrets.
        reason: String,
    },
}

/// Stable, language-neutral names for [`Error`] variants. The shared test
/// vectors and every binding use these strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`
    InvalidGrant,
    /// `oauth_error`
    OAuth,
    /// `unauthorized`
    Unauthorized,
    /// `forbidden`
    Forbidden,
    /// `not_found`
    NotFound,
    /// `rate_limited`
    RateLimited,
    /// `bad_request`
    BadRequest,
    /// `server_error`
    Server,
    /// `unexpected_response`
    UnexpectedResponse,
    /// `invalid_input`
    InvalidInput,
    /// `transport`
    Transport,
    /// `store`
    Store,
    /// `rotation_incomplete`
    RotationIncomplete,
}

impl ErrorKind {
    /// Every kind, for bindings that build one exception class each.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::InvalidClient,
        ErrorKind::InvalidGrant,
        ErrorKind::OAuth,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::RateLimited,
        ErrorKind::BadRequest,
        ErrorKind::Server,
        ErrorKind::UnexpectedResponse,
        ErrorKind::InvalidInput,
        ErrorKind::Transport,
        ErrorKind::Store,
        ErrorKind::RotationIncomplete,
    ];

    /// The stable code.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidClient => "invalid_client",
            ErrorKind::InvalidGrant => "invalid_grant",
            ErrorKind::OAuth => "oauth_error",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::Server => "server_error",
            ErrorKind::UnexpectedResponse => "unexpected_response",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Transport => "transport",
            ErrorKind::Store => "store",
            ErrorKind::RotationIncomplete => "rotation_incomplete",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The stable kind of this error.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidClient { .. } => ErrorKind::InvalidClient,
            Error::InvalidGrant { .. } => ErrorKind::InvalidGrant,
            Error::OAuth { .. } => ErrorKind::OAuth,
            Error::Unauthorized { .. } => ErrorKind::Unauthorized,
            Error::Forbidden { .. } => ErrorKind::Forbidden,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::BadRequest { .. } => ErrorKind::BadRequest,
            Error::Server { .. } => ErrorKind::Server,
            Error::UnexpectedResponse { .. } => ErrorKind::UnexpectedResponse,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Store { .. } => ErrorKind::Store,
            Error::RotationIncomplete { .. } => ErrorKind::RotationIncomplete,
        }
    }

    /// The HTTP status, when a response arrived.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::InvalidClient { status, .. }
            | Error::InvalidGrant { status, .. }
            | Error::OAuth { status, .. }
            | Error::Unauthorized { status, .. }
            | Error::Forbidden { status }
            | Error::NotFound { status }
            | Error::RateLimited { status, .. }
            | Error::BadRequest { status, .. }
            | Error::Server { status, .. }
            | Error::UnexpectedResponse { status, .. } => Some(*status),
            Error::RotationIncomplete { cause, .. } => cause.status(),
            Error::InvalidInput { .. } | Error::Transport(_) | Error::Store { .. } => None,
        }
    }

    /// The RFC 6749 error, when the token endpoint sent one, or the RFC 6750
    /// error of the secrets endpoint's `WWW-Authenticate` challenge.
    #[must_use]
    pub fn oauth(&self) -> Option<&OAuthError> {
        match self {
            Error::InvalidClient { oauth, .. }
            | Error::InvalidGrant { oauth, .. }
            | Error::OAuth { oauth, .. }
            | Error::Unauthorized {
                bearer: Some(oauth),
                ..
            } => Some(oauth),
            Error::RotationIncomplete { cause, .. } => cause.oauth(),
            _ => None,
        }
    }

    /// Why no response arrived, for a transport error or a rotation stopped
    /// by one (every binding reports it as `transport_kind`).
    #[must_use]
    pub fn transport_kind(&self) -> Option<crate::http::TransportErrorKind> {
        match self {
            Error::Transport(t) => Some(t.kind),
            Error::RotationIncomplete { cause, .. } => cause.transport_kind(),
            _ => None,
        }
    }

    /// The server's `Retry-After`, when it sent one.
    #[must_use]
    pub fn retry_after(&self) -> Option<RetryAfter> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            Error::RotationIncomplete { cause, .. } => cause.retry_after(),
            _ => None,
        }
    }

    /// Whether trying the same idempotent request again may succeed.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Transport(_) | Error::Server { .. } | Error::RateLimited { .. }
        )
    }

    pub(crate) fn invalid_input(field: &str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// A store failure.
    #[must_use]
    pub fn store(kind: StoreErrorKind, reason: impl Into<String>) -> Self {
        Error::Store {
            kind,
            reason: reason.into(),
        }
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Transport(e)
    }
}

/// Classes of store failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The record could not be read or written.
    Io,
    /// The record is corrupt, truncated or of an unknown version; it was left untouched.
    Corrupt,
    /// Another writer changed the record since it was loaded (generation mismatch).
    Conflict,
    /// The store is locked by another process.
    Locked,
    /// There is no record yet.
    Missing,
}

impl fmt::Display for StoreErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreErrorKind::Io => "io",
            StoreErrorKind::Corrupt => "corrupt",
            StoreErrorKind::Conflict => "conflict",
            StoreErrorKind::Locked => "locked",
            StoreErrorKind::Missing => "missing",
        })
    }
}

/// An RFC 6749 §5.2 error body, kept raw as well as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// The `error` code, e.g. `invalid_client`.
    pub code: String,
    /// The `error_description`, scrubbed and shortened.
    pub description: Option<String>,
    /// The `error_uri`.
    pub uri: Option<String>,
}

fn describe_bearer(bearer: &OAuthError) -> String {
    format!(": {}{}", bearer.code, describe(bearer))
}

fn describe(oauth: &OAuthError) -> String {
    oauth
        .description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

/// A parsed `Retry-After` header: delay seconds or an HTTP date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// Wait this many seconds.
    Seconds(u64),
    /// Wait until this time, in Unix seconds.
    At(u64),
}

impl RetryAfter {
    /// Parses either form. `None` for anything else.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            return value.parse().ok().map(RetryAfter::Seconds);
        }
        let at = httpdate::parse_http_date(value).ok()?;
        let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        Some(RetryAfter::At(secs))
    }

    /// How long to wait from `now_ms` (Unix milliseconds), in milliseconds.
    #[must_use]
    pub fn delay_ms(self, now_ms: u64) -> u64 {
        match self {
            RetryAfter::Seconds(s) => s.saturating_mul(1000),
            RetryAfter::At(at) => at.saturating_mul(1000).saturating_sub(now_ms),
        }
    }
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryAfter::Seconds(s) => write!(f, "{s} s"),
            RetryAfter::At(t) => write!(f, "unix time {t}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_kind_reaches_through_a_stopped_rotation() {
        use crate::http::TransportErrorKind;
        let timeout = Error::Transport(TransportError::new(TransportErrorKind::Timeout, "slow"));
        let stopped = Error::RotationIncomplete {
            stage: "delete_old".into(),
            cause: Box::new(timeout.clone()),
        };
        assert_eq!(timeout.transport_kind(), Some(TransportErrorKind::Timeout));
        assert_eq!(stopped.transport_kind(), Some(TransportErrorKind::Timeout));
        assert_eq!(Error::NotFound { status: 404 }.transport_kind(), None);
    }

    #[test]
    fn retry_after_both_forms() {
        assert_eq!(RetryAfter::parse("120"), Some(RetryAfter::Seconds(120)));
        assert_eq!(RetryAfter::parse(" 0 "), Some(RetryAfter::Seconds(0)));
        let at = RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(at, Some(RetryAfter::At(1_445_412_480)));
        assert_eq!(at.map(|a| a.delay_ms(1_445_412_470_000)), Some(10_000));
        assert_eq!(at.map(|a| a.delay_ms(1_445_412_490_000)), Some(0));
        for bad in ["", "-1", "soon", "1.5"] {
            assert_eq!(RetryAfter::parse(bad), None, "{bad}");
        }
    }
}
