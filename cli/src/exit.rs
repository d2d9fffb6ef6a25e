//! Exit codes: one place maps a core [`Error`] to the documented code (see
//! `args::EXIT_CODES` and `cli/README.md`).

use mapsindoors_auth::{Error, ErrorKind, StoreErrorKind};

/// Success.
pub(crate) const OK: u8 = 0;
/// Anything not classified below.
pub(crate) const OTHER: u8 = 1;
/// Usage error or invalid input (clap uses 2 as well).
pub(crate) const USAGE: u8 = 2;
/// The server rejected the credentials or the token.
pub(crate) const AUTH: u8 = 3;
/// Network, transport or server failure.
pub(crate) const NETWORK: u8 = 4;
/// A rotation stopped part-way, or another run changed the store first (a
/// compare-and-swap conflict); the store still holds a working secret: rerun.
pub(crate) const INCOMPLETE: u8 = 5;
/// The store could not be used.
pub(crate) const STORE: u8 = 6;

/// Whether the error is a compare-and-swap conflict: another run changed the
/// store first. Nothing unsafe happened; the command can simply run again.
pub(crate) fn is_conflict(error: &Error) -> bool {
    matches!(
        error,
        Error::Store {
            kind: StoreErrorKind::Conflict,
            ..
        }
    )
}

/// The exit code for an error.
pub(crate) fn code(error: &Error) -> u8 {
    if is_conflict(error) {
        return INCOMPLETE;
    }
    of_kind(error.kind()).unwrap_or(OTHER)
}

/// The exit code of each kind the core knows; `None` for a kind newer than this table.
fn of_kind(kind: ErrorKind) -> Option<u8> {
    Some(match kind {
        ErrorKind::InvalidClient
        | ErrorKind::InvalidGrant
        | ErrorKind::OAuth
        | ErrorKind::Unauthorized
        | ErrorKind::Forbidden => AUTH,
        ErrorKind::Transport
        | ErrorKind::Server
        | ErrorKind::RateLimited
        | ErrorKind::UnexpectedResponse => NETWORK,
        ErrorKind::RotationIncomplete => INCOMPLETE,
        ErrorKind::Store => STORE,
        ErrorKind::InvalidInput => USAGE,
        ErrorKind::NotFound => OTHER,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapsindoors_auth::{OAuthError, TransportError, TransportErrorKind};

    #[test]
    fn each_class_has_its_code() {
        let oauth = OAuthError {
            code: "invalid_client".into(),
            description: None,
            uri: None,
        };
        let transport =
            Error::Transport(TransportError::new(TransportErrorKind::Connect, "refused"));
        let cases = [
            (
                Error::InvalidClient {
                    status: 400,
                    oauth: oauth.clone(),
                },
                AUTH,
            ),
            (
                Error::InvalidGrant {
                    status: 400,
                    oauth: oauth.clone(),
                },
                AUTH,
            ),
            (
                Error::Unauthorized {
                    status: 401,
                    bearer: None,
                },
                AUTH,
            ),
            (Error::Forbidden { status: 403 }, AUTH),
            (transport.clone(), NETWORK),
            (
                Error::Server {
                    status: 503,
                    excerpt: String::new(),
                },
                NETWORK,
            ),
            (
                Error::RateLimited {
                    status: 429,
                    retry_after: None,
                },
                NETWORK,
            ),
            (
                Error::RotationIncomplete {
                    stage: "create".into(),
                    cause: Box::new(transport),
                },
                INCOMPLETE,
            ),
            (Error::store(StoreErrorKind::Corrupt, "x"), STORE),
            (Error::store(StoreErrorKind::Locked, "x"), STORE),
            (Error::store(StoreErrorKind::Conflict, "x"), INCOMPLETE),
            (
                Error::InvalidInput {
                    field: "f".into(),
                    reason: "r".into(),
                },
                USAGE,
            ),
            (Error::NotFound { status: 404 }, OTHER),
        ];
        for (error, code) in cases {
            assert_eq!(super::code(&error), code, "{error}");
        }
    }

    #[test]
    fn every_kind_of_the_core_has_its_exit_code() {
        for kind in ErrorKind::ALL {
            assert!(of_kind(kind).is_some(), "{kind} has no exit code");
        }
    }
}
