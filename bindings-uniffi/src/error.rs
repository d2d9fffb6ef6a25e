//! The errors that cross the boundary: [`AuthError`] (thrown by the client,
//! one variant per thing the caller should do next) and the two errors the
//! app's own code throws, [`TransportError`] and [`StoreError`]. Core errors
//! are mapped here once, in one place.

use mapsindoors_auth::{Error, ErrorKind, RetryAfter, StoreErrorKind, TransportErrorKind};

/// What went wrong, named for what the caller should do next. Every variant
/// carries the same fields: the stable `code` (the core's error kind, as in
/// the conformance vectors), the HTTP `status` when a response arrived, the
/// server's RFC 6749 `oauth_code`, the `Retry-After` as delay seconds or as
/// a Unix time, and a human-readable `detail` that never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The client id/secret or username/password was rejected
    /// (`invalid_client`, `invalid_grant`): ask for new credentials.
    #[error("{detail}")]
    CheckCredentials {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// This login may not manage this customer's secrets (`forbidden`).
    #[error("{detail}")]
    NotPermitted {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// No such secret (`not_found`): refresh your list.
    #[error("{detail}")]
    NotFound {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// The server is busy or failing (`rate_limited`, `server_error`): try
    /// again later, after `retry_after_secs` / `retry_after_at` if given.
    #[error("{detail}")]
    Retry {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// No response arrived (`transport`): check connectivity, then retry.
    #[error("{detail}")]
    Network {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// The server answered in a way this library does not understand or
    /// accept (`oauth_error`, `unauthorized`, `unexpected_response`): report it.
    #[error("{detail}")]
    ServerRejected {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// An argument was unusable (`invalid_input`): fix the call. Nothing was sent.
    #[error("{detail}")]
    InvalidInput {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// The secret store failed to load or save (`store`): fix the storage.
    #[error("{detail}")]
    StoreFailed {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// A rotation stopped part-way (`rotation_incomplete`). The store holds a
    /// working secret; run `rotate()` again later to finish or clean up.
    /// `status`/`oauth_code`/`retry_after_*` are those of the cause.
    #[error("{detail}")]
    RotationIncompleteRunAgain {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
    /// Another writer changed the store since this run read it (a
    /// compare-and-swap save failed: `store` code, a generation mismatch).
    /// Nothing was deleted after this run's last save and the store holds a
    /// working secret: run `rotate()` again (it re-reads the store and
    /// finishes or cleans up).
    #[error("{detail}")]
    ConflictRunAgain {
        /// Stable error code.
        code: String,
        /// HTTP status.
        status: Option<u16>,
        /// RFC 6749 `error`.
        oauth_code: Option<String>,
        /// `Retry-After` in seconds.
        retry_after_secs: Option<u64>,
        /// `Retry-After` as Unix seconds.
        retry_after_at: Option<u64>,
        /// What happened.
        detail: String,
    },
}

impl From<Error> for AuthError {
    fn from(e: Error) -> Self {
        let code = e.kind().as_str().to_owned();
        let status = e.status();
        let oauth_code = e.oauth().map(|o| o.code.clone());
        let (retry_after_secs, retry_after_at) = match e.retry_after() {
            Some(RetryAfter::Seconds(s)) => (Some(s), None),
            Some(RetryAfter::At(at)) => (None, Some(at)),
            None => (None, None),
        };
        let detail = e.to_string();
        let conflict = matches!(
            e,
            Error::Store {
                kind: StoreErrorKind::Conflict,
                ..
            }
        );
        macro_rules! variant {
            ($v:ident) => {
                AuthError::$v {
                    code,
                    status,
                    oauth_code,
                    retry_after_secs,
                    retry_after_at,
                    detail,
                }
            };
        }
        match e.kind() {
            ErrorKind::InvalidClient | ErrorKind::InvalidGrant => variant!(CheckCredentials),
            ErrorKind::Forbidden => variant!(NotPermitted),
            ErrorKind::NotFound => variant!(NotFound),
            ErrorKind::RateLimited | ErrorKind::Server => variant!(Retry),
            ErrorKind::Transport => variant!(Network),
            ErrorKind::InvalidInput => variant!(InvalidInput),
            ErrorKind::Store if conflict => variant!(ConflictRunAgain),
            ErrorKind::Store => variant!(StoreFailed),
            ErrorKind::RotationIncomplete => variant!(RotationIncompleteRunAgain),
            _ => variant!(ServerRejected),
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for AuthError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Error::InvalidInput {
            field: "callback".to_owned(),
            reason: format!("unexpected error from app code: {}", e.reason),
        }
        .into()
    }
}

/// A failure the app's [`HttpTransport`](crate::HttpTransport) throws when no
/// response arrived. Any other exception it throws counts as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TransportError {
    /// The connection could not be made (refused, DNS, TLS).
    #[error("connect: {detail}")]
    Connect {
        /// What happened; never a header value or body.
        detail: String,
    },
    /// No answer in time.
    #[error("timeout: {detail}")]
    Timeout {
        /// What happened.
        detail: String,
    },
    /// The connection broke after the request may have been sent.
    #[error("interrupted: {detail}")]
    Interrupted {
        /// What happened.
        detail: String,
    },
    /// Anything else.
    #[error("other: {detail}")]
    Other {
        /// What happened.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TransportError::Other { detail: e.reason }
    }
}

impl From<TransportError> for mapsindoors_auth::TransportError {
    fn from(e: TransportError) -> Self {
        let (kind, detail) = match e {
            TransportError::Connect { detail } => (TransportErrorKind::Connect, detail),
            TransportError::Timeout { detail } => (TransportErrorKind::Timeout, detail),
            TransportError::Interrupted { detail } => (TransportErrorKind::Interrupted, detail),
            TransportError::Other { detail } => (TransportErrorKind::Other, detail),
        };
        mapsindoors_auth::TransportError::new(kind, detail)
    }
}

/// A failure the app's [`SecretStore`](crate::SecretStore) throws. Any other
/// exception it throws counts as `Io`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum StoreError {
    /// The record could not be read or written.
    #[error("io: {detail}")]
    Io {
        /// What happened; never the record's content.
        detail: String,
    },
    /// The compare-and-swap failed: the store does not hold the expected
    /// generation (another writer changed it since it was loaded). Nothing
    /// was written.
    #[error("conflict: {detail}")]
    Conflict {
        /// What happened.
        detail: String,
    },
    /// The store is locked by another process.
    #[error("locked: {detail}")]
    Locked {
        /// What happened.
        detail: String,
    },
    /// The stored text is corrupt.
    #[error("corrupt: {detail}")]
    Corrupt {
        /// What happened.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for StoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        StoreError::Io { detail: e.reason }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        let (kind, detail) = match e {
            StoreError::Io { detail } => (StoreErrorKind::Io, detail),
            StoreError::Conflict { detail } => (StoreErrorKind::Conflict, detail),
            StoreError::Locked { detail } => (StoreErrorKind::Locked, detail),
            StoreError::Corrupt { detail } => (StoreErrorKind::Corrupt, detail),
        };
        Error::store(kind, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapsindoors_auth::OAuthError;

    #[test]
    fn core_errors_map_to_what_to_do_next() {
        let oauth = OAuthError {
            code: "invalid_client".into(),
            description: None,
            uri: None,
        };
        let e = AuthError::from(Error::InvalidClient { status: 400, oauth });
        let AuthError::CheckCredentials {
            code,
            status,
            oauth_code,
            ..
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(
            (code.as_str(), status, oauth_code.as_deref()),
            ("invalid_client", Some(400), Some("invalid_client"))
        );

        let e = AuthError::from(Error::RateLimited {
            status: 429,
            retry_after: Some(RetryAfter::At(1_445_412_480)),
        });
        let AuthError::Retry {
            retry_after_secs,
            retry_after_at,
            ..
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(
            (retry_after_secs, retry_after_at),
            (None, Some(1_445_412_480))
        );

        let cause = Error::from(StoreError::Io {
            detail: "disk full".into(),
        });
        let e = AuthError::from(Error::RotationIncomplete {
            stage: "persist_pending".into(),
            cause: Box::new(cause),
        });
        let AuthError::RotationIncompleteRunAgain { code, detail, .. } = e else {
            panic!("{e:?}")
        };
        assert_eq!(code, "rotation_incomplete");
        assert!(detail.contains("disk full"), "{detail}");

        let e = AuthError::from(Error::from(StoreError::Conflict {
            detail: "stored generation 5, expected 4".into(),
        }));
        let AuthError::ConflictRunAgain { code, detail, .. } = e else {
            panic!("{e:?}")
        };
        assert_eq!(code, "store");
        assert!(detail.contains("expected 4"), "{detail}");
        assert!(matches!(
            AuthError::from(Error::from(StoreError::Io { detail: "x".into() })),
            AuthError::StoreFailed { .. }
        ));

        let t = mapsindoors_auth::TransportError::from(TransportError::Timeout {
            detail: "slow".into(),
        });
        assert_eq!(t.kind, TransportErrorKind::Timeout);
        assert!(matches!(
            AuthError::from(Error::Transport(t)),
            AuthError::Network { .. }
        ));
    }
}
