//! A store's status for monitoring, as the core reads it: [`StoreStatus`]
//! (what `AuthClient.status()` returns) and the probe's [`StatusCheck`], with
//! the core's verdict (`health`, `exit_code`, `findings`). Plain records:
//! they hold ids, dates and counts, never a secret.

use crate::long;
use crate::store::KeptSecret;
use mapsindoors_auth::{Check, Status};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A store's status at one moment (see `AuthClient.status`). `health` is the
/// core's verdict: `critical` when the server refuses the current secret
/// (probe), `warning` when a rotation is unfinished or the secret is due (or
/// its age unknown) with a `maxAge`, else `ok`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreStatus {
    /// `ok`, `warning` or `critical`.
    pub health: String,
    /// The Nagios plugin exit code of `health`: 0, 1 or 2.
    pub exit_code: i32,
    /// What the verdict rests on, one sentence each (empty when ok).
    pub findings: Vec<String>,
    /// The store's generation.
    pub generation: i64,
    /// When that generation was saved, Unix ms.
    pub updated_at_ms: i64,
    /// The client.
    pub client_id: String,
    /// The customer.
    pub customer_id: String,
    /// The current secret's id, if known.
    pub current_id: Option<String>,
    /// Its `createdAt` as the server sent it, if known.
    pub current_created_at: Option<String>,
    /// Whether it is the store's own (a rotation deletes it once replaced).
    pub current_owned: bool,
    /// Its age in ms, if its date is known.
    pub age_ms: Option<i64>,
    /// Its age (Kotlin `java.time.Duration`, Swift `TimeInterval`), if known.
    pub age: Option<Duration>,
    /// The `maxAge` asked about, in ms, if any.
    pub max_age_ms: Option<i64>,
    /// When it is due, Unix ms: its date plus `maxAge`, if both are known.
    pub due_at_ms: Option<i64>,
    /// The same (Kotlin `java.time.Instant`, Swift `Date`).
    pub due_at: Option<SystemTime>,
    /// With a `maxAge`: whether a rotation would create a new secret now
    /// (due, or its age unknown).
    pub due: bool,
    /// The stage an unfinished rotation resumes at (`sweep`, `delete_old`,
    /// `verify`, `delete`), if any.
    pub unfinished: Option<String>,
    /// Secrets kept for deletion by hand (reported, not warned).
    pub kept: Vec<KeptSecret>,
    /// When the current secret was created by a rotation of this store, Unix ms.
    pub last_rotation_ms: Option<i64>,
    /// With `probe`: what the server said of the current secret.
    pub check: Option<StatusCheck>,
}

/// What a probe learnt from the server: one login with the current secret
/// and, when accepted, one listing.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StatusCheck {
    /// Whether a login with the current secret succeeded.
    pub accepted: bool,
    /// The refusal's text, when it did not (never a secret).
    pub refusal: Option<String>,
    /// The refusal's error code (`invalid_client`, ...).
    pub refusal_kind: Option<String>,
    /// How many secrets the client has.
    pub secret_count: Option<i32>,
}

/// Unix ms as a `SystemTime`, if representable.
pub(crate) fn instant(ms: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

impl From<&Status> for StoreStatus {
    fn from(s: &Status) -> Self {
        let health = s.health();
        Self {
            health: health.as_str().to_owned(),
            exit_code: i32::from(health.exit_code()),
            findings: s.findings(),
            generation: long(s.generation),
            updated_at_ms: long(s.updated_at_ms),
            client_id: s.client_id.clone(),
            customer_id: s.customer_id.clone(),
            current_id: s.current_id.clone(),
            current_created_at: s.current_created_at.clone(),
            current_owned: s.current_owned,
            age_ms: s.age_ms.map(long),
            age: s.age_ms.map(Duration::from_millis),
            max_age_ms: s.max_age_ms.map(long),
            due_at_ms: s.due_at_ms.map(long),
            due_at: s.due_at_ms.and_then(instant),
            due: s.due,
            unfinished: s.unfinished.map(str::to_owned),
            kept: s.kept.iter().map(KeptSecret::from).collect(),
            last_rotation_ms: s.last_rotation_ms.map(long),
            check: s.check.as_ref().map(StatusCheck::from),
        }
    }
}

impl From<&Check> for StatusCheck {
    fn from(c: &Check) -> Self {
        Self {
            accepted: c.accepted,
            refusal: c.refusal.clone(),
            refusal_kind: c.refusal_kind.clone(),
            secret_count: c.secret_count.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
        }
    }
}

/// A `maxAge` in whole ms (rounded to the nearest, as Swift's `TimeInterval`
/// is a `Double`); the core refuses 0 and more than ten years.
pub(crate) fn max_age_ms(max_age: Duration) -> u64 {
    let ms = max_age.as_nanos().saturating_add(500_000) / 1_000_000;
    u64::try_from(ms).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_rounds_to_the_nearest_ms() {
        assert_eq!(max_age_ms(Duration::from_secs(30 * 86_400)), 2_592_000_000);
        // A Swift TimeInterval of 2592000.001 s arrives a hair short.
        assert_eq!(max_age_ms(Duration::new(2_592_000, 999_999)), 2_592_000_001);
        assert_eq!(max_age_ms(Duration::from_micros(400)), 0);
        assert_eq!(max_age_ms(Duration::MAX), u64::MAX);
    }

    #[test]
    fn instants_from_unix_ms() {
        let t = instant(1_769_817_601_000).unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_millis(),
            1_769_817_601_000
        );
    }
}
