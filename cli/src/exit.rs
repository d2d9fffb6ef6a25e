//! Exit codes: one place maps a core [`Error`] to the documented code (see
//! `args::EXIT_CODES` and `cli/README.md`).

use mapsindoors_auth::{Error, ErrorKind, StoreErrorKind};

/// Anything not classified below.
pub(crate) const OTHER: u8 = 1;
/// Usage error or invalid input (clap uses 2 as well), and `bad_request`: an
/// HTTP 4xx the server answered as the request's fault (a plain 400 from the
/// secrets endpoint), not the network's.
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
    of_kind(error.kind())
}

/// The exit code of each kind the core knows (the test below names every one).
fn of_kind(kind: ErrorKind) -> u8 {
    match kind {
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
        ErrorKind::InvalidInput | ErrorKind::BadRequest => USAGE,
        ErrorKind::NotFound => OTHER,
        // A kind newer than this table: the test fails until it is placed.
        _ => OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented code of every kind of the core (a new kind fails here);
    /// a compare-and-swap conflict is a rerun, other store errors are not.
    #[test]
    fn every_kind_of_the_core_has_its_exit_code() {
        let documented = [
            (ErrorKind::InvalidClient, AUTH),
            (ErrorKind::InvalidGrant, AUTH),
            (ErrorKind::OAuth, AUTH),
            (ErrorKind::Unauthorized, AUTH),
            (ErrorKind::Forbidden, AUTH),
            (ErrorKind::NotFound, OTHER),
            (ErrorKind::RateLimited, NETWORK),
            (ErrorKind::Server, NETWORK),
            (ErrorKind::UnexpectedResponse, NETWORK),
            (ErrorKind::InvalidInput, USAGE),
            (ErrorKind::BadRequest, USAGE),
            (ErrorKind::Transport, NETWORK),
            (ErrorKind::Store, STORE),
            (ErrorKind::RotationIncomplete, INCOMPLETE),
        ];
        for kind in ErrorKind::ALL {
            let code = documented.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c);
            assert_eq!(
                Some(of_kind(kind)),
                code,
                "{kind} has no documented exit code"
            );
        }
        assert_eq!(code(&Error::store(StoreErrorKind::Locked, "x")), STORE);
        assert_eq!(
            code(&Error::store(StoreErrorKind::Conflict, "x")),
            INCOMPLETE
        );
        let unexpected = |status| Error::UnexpectedResponse {
            status,
            content_type: None,
            reason: "unexpected status".into(),
            excerpt: String::new(),
        };
        let bad = |status| Error::BadRequest {
            status,
            excerpt: String::new(),
        };
        assert_eq!(code(&bad(400)), USAGE);
        assert_eq!(code(&bad(422)), USAGE);
        assert_eq!(code(&unexpected(200)), NETWORK);
        assert_eq!(code(&unexpected(307)), NETWORK);
    }
}
