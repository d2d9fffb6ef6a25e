//! What a client did, step by step, for a job's log or metrics: the optional
//! [`EventListener`] and the [`AuthEvent`] it is told after each step, built
//! from the core's one `Event` shape (the same fields, names and JSON line
//! in every binding and the CLI's `--log-format json`). Never a secret, URL
//! or body. `progress` says what is about to happen; events say what did.

use crate::long;
use mapsindoors_auth::Event;

/// One step a client took and how it went. Holds no secret, token, URL or body.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthEvent {
    /// `send`, `load`, `persist` or `sleep`.
    pub event: String,
    /// For `send`: what the request was for (`login`, `verify`, `list`,
    /// `create`, `delete`, `delete_old`, `delete_orphan`, `delete_abandoned`).
    pub purpose: Option<String>,
    /// For `persist` (`seed`, `intent`, `pending`, `promote`, `fence`, ...)
    /// and `sleep` (`backoff`, `retry_after`, `propagation`): why.
    pub reason: Option<String>,
    /// `ok`, `http_error`, `transport_error`, `conflict` or `store_error`.
    pub outcome: String,
    /// For `send`: the HTTP status, when a response came.
    pub status: Option<i32>,
    /// For a failure without a status: the transport kind (`connect`,
    /// `timeout`, `interrupted`, `other`) or the store error kind.
    pub error: Option<String>,
    /// For `persist`: the generation saved; for `load`: the one read (`null`: empty).
    pub generation: Option<i64>,
    /// How long the step took, in ms (for `sleep`: how long was slept).
    pub duration_ms: i64,
    /// The same event as one line of JSON (the core's `Event::to_json`), for a log.
    pub json: String,
}

impl From<&Event> for AuthEvent {
    fn from(e: &Event) -> Self {
        Self {
            event: e.event.to_owned(),
            purpose: e.purpose.map(str::to_owned),
            reason: e.reason.map(str::to_owned),
            outcome: e.outcome.to_owned(),
            status: e.status.map(i32::from),
            error: e.error.clone(),
            generation: e.generation.map(long),
            duration_ms: long(e.duration_ms),
            json: e.to_json(),
        }
    }
}

/// Listens to what a client did: told after each step it took (a request,
/// a load or save of the store, a sleep), with how long it took. Called on
/// whatever thread drives the call: return quickly, do not throw, and do
/// not call the client from it.
#[uniffi::export(with_foreign)]
pub trait EventListener: Send + Sync {
    /// A step was taken.
    fn on_event(&self, event: AuthEvent);
}
