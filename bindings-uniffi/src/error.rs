//! The errors that cross the boundary: [`AuthError`] (thrown by the client,
//! one variant per thing the caller should do next, every variant with the
//! same fields, each field with one meaning, readable on the base type too)
//! and the two errors the app's own code throws, [`TransportError`] and
//! [`StoreError`]. Core errors are mapped here once, in one place;
//! [`error_codes`] lists every `code` so tests can check each one.

use crate::long;
use crate::platform::{Platform, SystemPlatform};
use mapsindoors_auth::{Error, ErrorKind, StoreErrorKind, TransportErrorKind};

/// Declares [`AuthError`]: the given variants, each with the same fields.
macro_rules! auth_error {
    ($($(#[$doc:meta])* $variant:ident,)*) => {
        /// What went wrong, named for what the caller should do next. Every
        /// variant carries the same fields, and the base type reads them as
        /// methods (`code()`, `status()`, ...), so one `catch` needs no
        /// `when`: the stable `code` (the core's error kind: see
        /// [`error_codes`]), the HTTP `status` if a response arrived, the
        /// server's `oauth_code` (RFC 6749, or RFC 6750 for a refused token),
        /// `retry_after` (seconds to wait, if the server said), the `stage`
        /// and `cause_code` of an incomplete rotation, and `detail`, the
        /// text (never a secret).
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        #[non_exhaustive]
        pub enum AuthError {
            $(
                $(#[$doc])*
                #[error("{detail}")]
                $variant {
                    /// The stable code: the core's error kind.
                    code: String,
                    /// The HTTP status, if a response arrived.
                    status: Option<i32>,
                    /// The server's RFC 6749/6750 `error`, if it sent one.
                    oauth_code: Option<String>,
                    /// Seconds to wait before trying again, if the server said.
                    retry_after: Option<i64>,
                    /// Where an incomplete rotation stopped (`rotation_incomplete` only).
                    stage: Option<String>,
                    /// The code of what stopped it (`rotation_incomplete` only).
                    cause_code: Option<String>,
                    /// Why no response arrived (`connect`, `timeout`,
                    /// `interrupted`, `other`): `transport` errors, and a
                    /// rotation that stopped on one.
                    transport_kind: Option<String>,
                    /// What happened, as text; never a secret.
                    detail: String,
                },
            )*
        }

        #[derive(Debug, Clone, Copy)]
        enum Variant { $($variant,)* }

        impl AuthError {
            fn build(variant: Variant, f: Fields) -> Self {
                let Fields { code, status, oauth_code, retry_after, stage, cause_code, transport_kind, detail } = f;
                match variant {
                    $(Variant::$variant => AuthError::$variant {
                        code, status, oauth_code, retry_after, stage, cause_code, transport_kind, detail
                    },)*
                }
            }

            fn fields(&self) -> Fields {
                match self.clone() {
                    $(AuthError::$variant {
                        code, status, oauth_code, retry_after, stage, cause_code, transport_kind, detail
                    })|* => Fields { code, status, oauth_code, retry_after, stage, cause_code, transport_kind, detail },
                }
            }
        }
    };
}

auth_error! {
    /// The client id/secret or username/password was rejected
    /// (`invalid_client`, `invalid_grant`): ask for new credentials.
    CheckCredentials,
    /// This login may not manage this customer's secrets (`forbidden`).
    NotPermitted,
    /// No such secret (`not_found`): refresh your list.
    NotFound,
    /// The server is busy or failing (`rate_limited`, `server_error`): try
    /// again later, after `retry_after` seconds if given.
    Retry,
    /// No response arrived (`transport`): check connectivity, then retry.
    Network,
    /// The server answered in a way this library does not understand or
    /// accept (`oauth_error`, `unauthorized`: a new token refused too,
    /// `unexpected_response`): report it.
    ServerRejected,
    /// An argument was unusable (`invalid_input`): fix the call. Nothing was sent.
    InvalidInput,
    /// The server refused the request as malformed (`bad_request`: HTTP 400
    /// or another 4xx without a kind of its own): fix the call; retrying the
    /// same request will not help.
    BadRequest,
    /// The secret store failed to load or save (`store`): fix the storage.
    StoreFailed,
    /// A rotation stopped part-way (`rotation_incomplete`) at `stage`,
    /// because of an error coded `cause_code` (whose `status`, `oauth_code`
    /// and `retry_after` it carries). The store holds a working secret; run
    /// `rotate()` again later to finish or clean up.
    RotationIncompleteRunAgain,
    /// Another writer changed the store since this run read it (`store`: a
    /// compare-and-swap save failed). Nothing was deleted after this run's
    /// last save and the store holds a working secret: run `rotate()` again
    /// (it re-reads the store and finishes or cleans up).
    ConflictRunAgain,
}

struct Fields {
    code: String,
    status: Option<i32>,
    oauth_code: Option<String>,
    retry_after: Option<i64>,
    stage: Option<String>,
    cause_code: Option<String>,
    transport_kind: Option<String>,
    detail: String,
}

#[uniffi::export]
impl AuthError {
    /// The stable code: one of [`error_codes`].
    pub fn code(&self) -> String {
        self.fields().code
    }

    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<i32> {
        self.fields().status
    }

    /// The server's RFC 6749/6750 `error`, if it sent one.
    pub fn oauth_code(&self) -> Option<String> {
        self.fields().oauth_code
    }

    /// Seconds to wait before trying again, if the server said.
    pub fn retry_after(&self) -> Option<i64> {
        self.fields().retry_after
    }

    /// Where an incomplete rotation stopped.
    pub fn stage(&self) -> Option<String> {
        self.fields().stage
    }

    /// The code of what stopped an incomplete rotation.
    pub fn cause_code(&self) -> Option<String> {
        self.fields().cause_code
    }

    /// Why no response arrived (`connect`, `timeout`, `interrupted`,
    /// `other`), for a `transport` error or a rotation stopped by one.
    pub fn transport_kind(&self) -> Option<String> {
        self.fields().transport_kind
    }

    /// What happened, as text.
    pub fn detail(&self) -> String {
        self.fields().detail
    }
}

/// Every `code` an [`AuthError`] can carry: the core's error kinds, in order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    ErrorKind::ALL.map(|k| k.as_str().to_owned()).to_vec()
}

impl From<Error> for AuthError {
    fn from(e: Error) -> Self {
        let (stage, cause_code) = match &e {
            Error::RotationIncomplete { stage, cause } => {
                (Some(stage.clone()), Some(cause.kind().as_str().to_owned()))
            }
            _ => (None, None),
        };
        let now_ms = u64::try_from(SystemPlatform.now_ms()).unwrap_or(0);
        let variant = match &e {
            Error::Store { kind, .. } if *kind == StoreErrorKind::Conflict => {
                Variant::ConflictRunAgain
            }
            _ => Variant::of(e.kind()),
        };
        AuthError::build(
            variant,
            Fields {
                code: e.kind().as_str().to_owned(),
                status: e.status().map(i32::from),
                oauth_code: e.oauth().map(|o| o.code.clone()),
                retry_after: e
                    .retry_after()
                    .map(|r| long(r.delay_ms(now_ms).div_ceil(1000))),
                stage,
                cause_code,
                transport_kind: e.transport_kind().map(|k| k.as_str().to_owned()),
                detail: e.to_string(),
            },
        )
    }
}

impl Variant {
    /// What to do next about an error of `kind` (a store conflict aside).
    fn of(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidClient | ErrorKind::InvalidGrant => Variant::CheckCredentials,
            ErrorKind::Forbidden => Variant::NotPermitted,
            ErrorKind::NotFound => Variant::NotFound,
            ErrorKind::RateLimited | ErrorKind::Server => Variant::Retry,
            ErrorKind::Transport => Variant::Network,
            ErrorKind::InvalidInput => Variant::InvalidInput,
            ErrorKind::BadRequest => Variant::BadRequest,
            ErrorKind::Store => Variant::StoreFailed,
            ErrorKind::RotationIncomplete => Variant::RotationIncompleteRunAgain,
            // OAuth, Unauthorized, UnexpectedResponse, and any newer kind
            // (the test below fails until it is placed).
            _ => Variant::ServerRejected,
        }
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
    use mapsindoors_auth::{OAuthError, RetryAfter};

    #[test]
    fn every_error_kind_has_its_variant() {
        let want = [
            ("invalid_client", "CheckCredentials"),
            ("invalid_grant", "CheckCredentials"),
            ("oauth_error", "ServerRejected"),
            ("unauthorized", "ServerRejected"),
            ("forbidden", "NotPermitted"),
            ("not_found", "NotFound"),
            ("rate_limited", "Retry"),
            ("bad_request", "BadRequest"),
            ("server_error", "Retry"),
            ("unexpected_response", "ServerRejected"),
            ("invalid_input", "InvalidInput"),
            ("transport", "Network"),
            ("store", "StoreFailed"),
            ("rotation_incomplete", "RotationIncompleteRunAgain"),
        ];
        assert_eq!(
            ErrorKind::ALL.len(),
            want.len(),
            "a new error kind: place it"
        );
        for (kind, (code, variant)) in ErrorKind::ALL.into_iter().zip(want) {
            assert_eq!(kind.as_str(), code);
            assert_eq!(format!("{:?}", Variant::of(kind)), variant, "{code}");
        }
        let codes: Vec<String> = want.iter().map(|(c, _)| (*c).to_owned()).collect();
        assert_eq!(error_codes(), codes);
    }

    #[test]
    fn core_errors_map_to_what_to_do_next() {
        let oauth = OAuthError {
            code: "invalid_client".into(),
            description: None,
            uri: None,
        };
        let e = AuthError::from(Error::InvalidClient { status: 400, oauth });
        assert!(matches!(e, AuthError::CheckCredentials { .. }), "{e:?}");
        assert_eq!(
            (e.code().as_str(), e.status(), e.oauth_code().as_deref()),
            ("invalid_client", Some(400), Some("invalid_client"))
        );

        let e = AuthError::from(Error::RateLimited {
            status: 429,
            retry_after: Some(RetryAfter::Seconds(7)),
        });
        assert!(matches!(e, AuthError::Retry { .. }), "{e:?}");
        assert_eq!(e.retry_after(), Some(7));
        let past = AuthError::from(Error::RateLimited {
            status: 429,
            retry_after: Some(RetryAfter::At(1_445_412_480)),
        });
        assert_eq!(past.retry_after(), Some(0), "a date in the past: no wait");

        let cause = Error::from(StoreError::Io {
            detail: "disk full".into(),
        });
        let e = AuthError::from(Error::RotationIncomplete {
            stage: "persist_pending".into(),
            cause: Box::new(cause),
        });
        assert!(
            matches!(e, AuthError::RotationIncompleteRunAgain { .. }),
            "{e:?}"
        );
        assert_eq!(e.code(), "rotation_incomplete");
        assert_eq!(e.stage().as_deref(), Some("persist_pending"));
        assert_eq!(e.cause_code().as_deref(), Some("store"));
        assert!(e.detail().contains("disk full"), "{e}");

        let e = AuthError::from(Error::from(StoreError::Conflict {
            detail: "stored generation 5, expected 4".into(),
        }));
        assert!(matches!(e, AuthError::ConflictRunAgain { .. }), "{e:?}");
        assert_eq!(e.code(), "store");
        assert!(matches!(
            AuthError::from(Error::from(StoreError::Io { detail: "x".into() })),
            AuthError::StoreFailed { .. }
        ));

        let t = mapsindoors_auth::TransportError::from(TransportError::Timeout {
            detail: "slow".into(),
        });
        assert_eq!(t.kind, TransportErrorKind::Timeout);
        let e = AuthError::from(Error::Transport(t));
        assert!(matches!(e, AuthError::Network { .. }), "{e:?}");
        assert_eq!(e.transport_kind().as_deref(), Some("timeout"));
        assert_eq!(e.status(), None);

        let e = AuthError::from(Error::BadRequest {
            status: 422,
            excerpt: "no".into(),
        });
        assert!(matches!(e, AuthError::BadRequest { .. }), "{e:?}");
        assert_eq!((e.code().as_str(), e.status()), ("bad_request", Some(422)));
        assert_eq!(e.transport_kind(), None);
    }
}
