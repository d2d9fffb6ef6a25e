//! What a client is doing, step by step, for an app's progress display or
//! log: the optional [`Progress`] listener and the [`ProgressStep`] it is
//! told. Each step's purpose or reason is the core's own name for it.

use crate::long;
use mapsindoors_auth::Step;

/// One step a client takes, reported before it is taken. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ProgressStep {
    /// An HTTP request is about to be sent.
    Send {
        /// What it is for: `login`, `verify`, `list`, `create`, `delete`,
        /// `delete_old`, `delete_orphan` or `delete_abandoned`.
        purpose: String,
        /// `GET`, `POST` or `DELETE`.
        method: String,
        /// The URL (it holds no credential).
        url: String,
    },
    /// The store is about to be read.
    Load,
    /// A record is about to be saved (a compare-and-swap).
    Persist {
        /// Why: `seed`, `claim`, `intent`, `intent_cleared`, `pending`,
        /// `promote`, `fence`, `deleted` or `forget`.
        reason: String,
        /// The generation saved.
        generation: i64,
    },
    /// The client is about to sleep.
    Sleep {
        /// Why: `backoff`, `retry_after` or `propagation`.
        reason: String,
        /// For how long, in milliseconds.
        ms: i64,
    },
}

impl ProgressStep {
    /// The report of a step, or `None` for steps not reported (waiting for
    /// another call's login, the end).
    pub(crate) fn of<T>(step: &Step<T>) -> Option<Self> {
        Some(match step {
            Step::Send(request, purpose) => ProgressStep::Send {
                purpose: purpose.as_str().to_owned(),
                method: request.method.as_str().to_owned(),
                url: request.url.clone(),
            },
            Step::Load => ProgressStep::Load,
            Step::Persist(record, reason) => ProgressStep::Persist {
                reason: reason.as_str().to_owned(),
                generation: long(record.generation),
            },
            Step::Sleep(ms, reason) => ProgressStep::Sleep {
                reason: reason.as_str().to_owned(),
                ms: long(*ms),
            },
            _ => return None,
        })
    }
}

/// Listens to a client's steps. Called on whatever thread drives the call:
/// return quickly and do not call the client from it.
#[uniffi::export(with_foreign)]
pub trait Progress: Send + Sync {
    /// A step is about to be taken.
    fn on_step(&self, step: ProgressStep);
}
