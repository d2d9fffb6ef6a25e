//! The four operations and the two sides, and [`drive`]: the one place that
//! maps an (operation, side) pair to the code that runs, for every mode.

use crate::fixture::Fixture;
use crate::{ours, peer};
use std::hint::black_box;

/// An operation measured on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Build a `client_credentials` token request.
    Build,
    /// Parse a token response and compute its expiry.
    ParseToken,
    /// Build, answer with a canned response, parse.
    RoundTrip,
    /// Parse a list of 50 secrets.
    ParseList,
}

impl Op {
    /// Every operation, in table order.
    pub const ALL: [Op; 4] = [Op::Build, Op::ParseToken, Op::RoundTrip, Op::ParseList];

    /// A short name for the command line and file names.
    pub fn id(self) -> &'static str {
        match self {
            Op::Build => "build",
            Op::ParseToken => "parse_token",
            Op::RoundTrip => "round_trip",
            Op::ParseList => "parse_list",
        }
    }

    /// What the table calls it.
    pub fn label(self) -> &'static str {
        match self {
            Op::Build => "build a client_credentials token request",
            Op::ParseToken => "parse a token response + expiry",
            Op::RoundTrip => "build + canned response + parse",
            Op::ParseList => "parse a list of 50 secrets",
        }
    }

    /// What the peer does for it.
    pub fn peer(self) -> &'static str {
        match self {
            Op::Build => {
                "oauth2-rs exchange_client_credentials().request(closure capturing the request), same form body"
            }
            Op::ParseToken => {
                "serde_json -> oauth2-rs BasicTokenResponse, expires_in() + SystemTime"
            }
            Op::RoundTrip => {
                "oauth2-rs exchange_client_credentials().request(closure returning a canned http::Response)"
            }
            Op::ParseList => {
                "serde_json + time (RFC 3339) into owned strings and an OffsetDateTime"
            }
        }
    }

    /// The operation named `id`.
    pub fn from_id(id: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.id() == id)
    }
}

/// Who does the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// This project's core.
    Ours,
    /// The peer.
    Peer,
}

impl Side {
    /// Both sides, ours first.
    pub const BOTH: [Side; 2] = [Side::Ours, Side::Peer];

    /// A short name for the command line and file names.
    pub fn id(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Peer => "peer",
        }
    }

    /// The side named `id`.
    pub fn from_id(id: &str) -> Option<Side> {
        Side::BOTH.into_iter().find(|side| side.id() == id)
    }
}

/// Runs one operation's closure, however a mode measures it.
pub trait Runner {
    /// `f` does the operation once; its result is dropped by the runner.
    fn run<T, F: FnMut() -> T>(&mut self, op: Op, side: Side, f: F);
}

/// Hands `runner` the closure for `op` done by `side`. Inputs go through
/// `black_box`, so nothing is computed ahead of the loop.
pub fn drive(fixture: &Fixture, op: Op, side: Side, runner: &mut impl Runner) {
    let f = || black_box(fixture);
    match (op, side) {
        (Op::Build, Side::Ours) => runner.run(op, side, || ours::build(f())),
        (Op::Build, Side::Peer) => runner.run(op, side, || peer::build(f())),
        (Op::ParseToken, Side::Ours) => runner.run(op, side, || ours::parse_token_expiry(f())),
        (Op::ParseToken, Side::Peer) => runner.run(op, side, || peer::parse_token_expiry(f())),
        (Op::RoundTrip, Side::Ours) => runner.run(op, side, || ours::round_trip(f())),
        (Op::RoundTrip, Side::Peer) => runner.run(op, side, || peer::round_trip(f())),
        (Op::ParseList, Side::Ours) => runner.run(op, side, || ours::list(f())),
        (Op::ParseList, Side::Peer) => runner.run(op, side, || peer::list(f())),
    }
}

/// Does `op` `n` times on `side` (what runs under callgrind).
pub fn repeat(fixture: &Fixture, op: Op, side: Side, n: u64) {
    struct Repeat(u64);
    impl Runner for Repeat {
        fn run<T, F: FnMut() -> T>(&mut self, _: Op, _: Side, mut f: F) {
            for _ in 0..self.0 {
                drop(black_box(f()));
            }
        }
    }
    drive(fixture, op, side, &mut Repeat(n));
}
