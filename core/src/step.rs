//! The push/pull contract shared by every flow: a flow hands out a [`Step`]
//! and takes back what happened. Each step says what it is for
//! ([`Purpose`], [`PersistReason`], [`SleepReason`]), so progress output and
//! logs read it instead of guessing. Bindings write one loop over [`Flow`].

use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::record::StoreRecord;

/// What the caller must do next.
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// Send this request, then call [`Flow::on_response`] with the outcome.
    Send(HttpRequest, Purpose),
    /// Load the store's record, then call [`Flow::on_loaded`].
    Load,
    /// Save this record with a compare-and-swap (only if the store still
    /// holds generation `record.generation - 1`; 0: only if it is empty,
    /// else fail with a [`crate::StoreErrorKind::Conflict`] error), then
    /// call [`Flow::on_persisted`].
    Persist(Box<StoreRecord>, PersistReason),
    /// Sleep this many milliseconds, then poll again.
    Sleep(u64, SleepReason),
    /// Another flow of the same [`crate::Session`] is fetching a token: wait
    /// until any flow of the session has taken a response, or this many
    /// milliseconds at most, then poll again.
    Wait(u64),
    /// Finished. Polling again is a misuse and yields an error.
    Done(Result<T, Error>),
}

/// A resumable protocol flow driven by the caller.
///
/// The loop, in any language:
/// ```text
/// loop {
///     match flow.poll(now_ms()) {
///         Step::Send(req, _)     => flow.on_response(transport.send(req), now_ms()),
///         Step::Load             => flow.on_loaded(store.load()),
///         Step::Persist(rec, _)  => flow.on_persisted(store.save(rec, rec.generation - 1)),
///         Step::Sleep(ms, _)     => sleep(ms),
///         Step::Wait(ms)         => wait_for_session_or(ms),
///         Step::Done(result)     => return result,
///     }
/// }
/// ```
pub trait Flow {
    /// What the flow yields when done.
    type Output;

    /// The next step, given the current time in Unix milliseconds.
    fn poll(&mut self, now_ms: u64) -> Step<Self::Output>;

    /// The outcome of the last [`Step::Send`]: a response of any status, or
    /// a transport failure.
    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64);

    /// The outcome of the last [`Step::Persist`].
    fn on_persisted(&mut self, result: Result<(), Error>);

    /// The outcome of the last [`Step::Load`]: the store's record, `None`
    /// for an empty store. Flows that never load ignore it.
    fn on_loaded(&mut self, result: Result<Option<StoreRecord>, Error>) {
        drop(result);
    }
}

/// What a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// Log in with the session's (or the store's current) credentials.
    Login,
    /// Log in with a just-created secret to check the server accepts it.
    Verify,
    /// List the customer's secrets.
    List,
    /// Create a secret.
    Create,
    /// Delete a secret the caller named.
    Delete,
    /// Delete the secret a rotation replaced.
    DeleteOld,
    /// Delete the secret of an interrupted rotation whose answer was lost.
    DeleteOrphan,
    /// Delete a created secret the server never accepted.
    DeleteAbandoned,
}

impl Purpose {
    /// Every purpose, for bindings and tests that map each one.
    pub const ALL: [Purpose; 8] = [
        Purpose::Login,
        Purpose::Verify,
        Purpose::List,
        Purpose::Create,
        Purpose::Delete,
        Purpose::DeleteOld,
        Purpose::DeleteOrphan,
        Purpose::DeleteAbandoned,
    ];

    /// A stable name: `login`, `verify`, `list`, `create`, `delete`,
    /// `delete_old`, `delete_orphan` or `delete_abandoned`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::Verify => "verify",
            Purpose::List => "list",
            Purpose::Create => "create",
            Purpose::Delete => "delete",
            Purpose::DeleteOld => "delete_old",
            Purpose::DeleteOrphan => "delete_orphan",
            Purpose::DeleteAbandoned => "delete_abandoned",
        }
    }
}

/// Why a flow asks to persist a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PersistReason {
    /// The first record of an empty store.
    Seed,
    /// A secret claimed as the store's own.
    Claim,
    /// Before creating a secret: names the rotation whose orphan a crash would leave.
    Intent,
    /// The server refused the create outright; the intent is dropped.
    IntentCleared,
    /// The new secret, saved before anything else happens.
    Pending,
    /// The verified new secret becomes current; the old one is to delete or kept.
    Promote,
    /// The fence of a delete: the id about to be deleted, out of every role.
    Fence,
    /// A fenced delete is done.
    Deleted,
    /// A started rotation whose secret never appeared is forgotten.
    Forget,
}

impl PersistReason {
    /// Every reason.
    pub const ALL: [PersistReason; 9] = [
        PersistReason::Seed,
        PersistReason::Claim,
        PersistReason::Intent,
        PersistReason::IntentCleared,
        PersistReason::Pending,
        PersistReason::Promote,
        PersistReason::Fence,
        PersistReason::Deleted,
        PersistReason::Forget,
    ];

    /// A stable name: `seed`, `claim`, `intent`, `intent_cleared`,
    /// `pending`, `promote`, `fence`, `deleted` or `forget`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PersistReason::Seed => "seed",
            PersistReason::Claim => "claim",
            PersistReason::Intent => "intent",
            PersistReason::IntentCleared => "intent_cleared",
            PersistReason::Pending => "pending",
            PersistReason::Promote => "promote",
            PersistReason::Fence => "fence",
            PersistReason::Deleted => "deleted",
            PersistReason::Forget => "forget",
        }
    }
}

/// Why a flow asks to sleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SleepReason {
    /// Backoff before retrying a transient failure.
    Backoff,
    /// The server's `Retry-After`.
    RetryAfter,
    /// Waiting for a new secret to propagate to every replica.
    Propagation,
}

impl SleepReason {
    /// A stable name: `backoff`, `retry_after` or `propagation`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SleepReason::Backoff => "backoff",
            SleepReason::RetryAfter => "retry_after",
            SleepReason::Propagation => "propagation",
        }
    }
}

pub(crate) fn misuse(what: &str) -> Error {
    Error::InvalidInput {
        field: "flow".to_owned(),
        reason: format!("driven out of order: {what}"),
    }
}
