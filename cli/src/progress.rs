//! Human labels for what a step was for, read from the step's own
//! [`Purpose`] and [`PersistReason`] (never guessed), and the `-v` log of
//! each event. Ids may be logged, secrets never.

use crate::driver::Event;
use mapsindoors_auth::{PersistReason, Purpose};
use std::io::Write as _;

/// A short label for a request.
pub(crate) fn request_label(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Login => "log in with the current secret",
        Purpose::Verify => "verify: log in with the pending secret",
        Purpose::List => "list the client's secrets",
        Purpose::Create => "create the new secret",
        Purpose::Delete => "delete a secret",
        Purpose::DeleteOld => "delete the old secret",
        Purpose::DeleteOrphan => "delete (sweep an orphan)",
        Purpose::DeleteAbandoned => "delete the never-accepted pending secret",
        _ => purpose.as_str(),
    }
}

/// A short label for a save.
pub(crate) fn persist_label(reason: PersistReason) -> &'static str {
    match reason {
        PersistReason::Seed => "store seeded (generation 1, before any remote change)",
        PersistReason::Claim => "claimed: the secret is this store's own",
        PersistReason::Intent => "intent recorded (a crash from here on is swept by the next run)",
        PersistReason::IntentCleared => "intent cleared: the server refused the create",
        PersistReason::Pending => "new secret persisted as pending",
        PersistReason::Promote => {
            "promoted: the new secret is current; the old one is to delete or kept"
        }
        PersistReason::Fence => "fence saved: the id about to be deleted is out of every role",
        PersistReason::Deleted => "delete done: fence cleared",
        PersistReason::Forget => "a started rotation whose secret never appeared is forgotten",
        _ => reason.as_str(),
    }
}

/// Whether `--log-format json` asked for a JSON line per step (set once by `main`).
static JSON_STEPS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--log-format json`: every step from now on is printed as one JSON line on stderr.
pub(crate) fn json_steps() {
    JSON_STEPS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--log-format json` is on.
pub(crate) fn json_steps_on() -> bool {
    JSON_STEPS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Logs an event at `info` (`-v`); with `--log-format json`, prints each
/// step as the core's event line on stderr.
pub(crate) fn log(event: &Event<'_>) {
    match event {
        Event::Step(step) => {
            if JSON_STEPS.load(std::sync::atomic::Ordering::Relaxed) {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{}", step.to_json());
            }
        }
        Event::Persisted { reason, record } => tracing::info!(
            generation = record.generation,
            why = reason.as_str(),
            deleting = record.deleting.as_deref(),
            "{}",
            persist_label(*reason)
        ),
        Event::Received {
            purpose, response, ..
        } => tracing::info!(
            status = response.as_ref().ok().map(|r| r.status),
            why = purpose.as_str(),
            "{}",
            request_label(*purpose)
        ),
        Event::Sleeping { ms, reason } => {
            tracing::info!(ms, why = reason.as_str(), "sleeping");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_purpose_and_reason_has_its_own_label() {
        let requests = BTreeSet::from(Purpose::ALL.map(request_label));
        assert_eq!(requests.len(), Purpose::ALL.len());
        let saves = BTreeSet::from(PersistReason::ALL.map(persist_label));
        assert_eq!(saves.len(), PersistReason::ALL.len());
    }
}
