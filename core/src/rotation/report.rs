//! What a rotation is told ([`RotateOptions`]) and what it tells back
//! ([`RotationReport`]): ids created and deleted, orphans swept, round trips.

use super::due::Decision;
use crate::model::Token;
use crate::record::KeptSecret;
use crate::retry::{PropagationPolicy, RetryPolicy};

/// How to rotate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotateOptions {
    /// The description for the new secret (the lineage tag is appended).
    /// `None` uses the record's own description.
    pub description: Option<String>,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// How long to wait for a new secret to be accepted.
    pub propagation: PropagationPolicy,
    /// Rotate only when the current secret is at least this old (ms); `None`
    /// rotates at every run. See [`super::due`].
    pub max_age_ms: Option<u64>,
}

/// What a rotation did. Also readable part-way, from a failed rotation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RotationReport {
    /// Whether this run created a secret and made it current.
    pub rotated: bool,
    /// Whether it first finished an earlier, interrupted rotation.
    pub resumed: bool,
    /// Why it created a new secret or did not.
    pub decision: Decision,
    /// With a `max_age`: when the secret now current is due (Unix ms), if
    /// its creation date is known.
    pub due_at_ms: Option<u64>,
    /// The id of the secret that was current before (if known).
    pub old_id: Option<String>,
    /// The id of the secret now current.
    pub new_id: Option<String>,
    /// Replaced secrets deleted.
    pub deleted: Vec<String>,
    /// Orphans of crashed runs deleted.
    pub swept: Vec<String>,
    /// Secrets left alone, with reasons: those the record keeps (not
    /// provably this store's own) and any this run could not settle.
    pub kept: Vec<KeptSecret>,
    /// HTTP requests sent.
    pub round_trips: u32,
    /// Records saved.
    pub persists: u32,
    /// The store generation at the end.
    pub generation: u64,
    /// A token from the current secret, for the caller's cache.
    pub token: Option<Token>,
}
