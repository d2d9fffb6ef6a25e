//! The records of seeding and rotating: what `seed` is told
//! ([`SeedOptions`]) and what a rotation tells back ([`RotationReport`],
//! [`LoginRotation`]), with Kotlin `Int`/`Long` counts.

use crate::long;
use crate::secrets::AccessToken;
use crate::status::instant;
use crate::store::KeptSecret;
use std::sync::Arc;
use std::time::SystemTime;

/// What a rotation did. Holds ids only, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RotationReport {
    /// Whether this run created a secret and made it current.
    pub rotated: bool,
    /// Whether it first finished an earlier, interrupted rotation.
    pub resumed: bool,
    /// Why it created a new secret or did not: `always` (no `maxAge`),
    /// `due`, `age_unknown` (rotated: the date could not be learnt),
    /// `not_due` (nothing created) or `unfinished` (with or without a
    /// `maxAge`: it finished an earlier rotation, whose new secret is now
    /// current, and created nothing more).
    pub decision: String,
    /// With a `maxAge`: when the secret now current is due, Unix ms, if its
    /// creation date is known.
    pub due_at_ms: Option<i64>,
    /// The same (Kotlin `java.time.Instant`, Swift `Date`).
    pub due_at: Option<SystemTime>,
    /// The id of the secret that was current before, if known.
    pub old_id: Option<String>,
    /// The id of the secret now current.
    pub new_id: Option<String>,
    /// Replaced secrets deleted.
    pub deleted: Vec<String>,
    /// Orphans of interrupted runs deleted.
    pub swept: Vec<String>,
    /// Secrets left alone because they are not provably this store's own
    /// (handed in, shared, or of unknown id), with the reason and advice:
    /// those the store keeps, reported on every run, plus any this run left.
    pub kept: Vec<KeptSecret>,
    /// HTTP requests sent.
    pub round_trips: i32,
    /// Records saved.
    pub persists: i32,
    /// The store generation at the end.
    pub generation: i64,
}

impl From<&mapsindoors_auth::RotationReport> for RotationReport {
    fn from(r: &mapsindoors_auth::RotationReport) -> Self {
        Self {
            rotated: r.rotated,
            resumed: r.resumed,
            decision: r.decision.as_str().to_owned(),
            due_at_ms: r.due_at_ms.map(long),
            due_at: r.due_at_ms.and_then(instant),
            old_id: r.old_id.clone(),
            new_id: r.new_id.clone(),
            deleted: r.deleted.clone(),
            swept: r.swept.clone(),
            kept: r.kept.iter().map(KeptSecret::from).collect(),
            round_trips: i32::try_from(r.round_trips).unwrap_or(i32::MAX),
            persists: i32::try_from(r.persists).unwrap_or(i32::MAX),
            generation: long(r.generation),
        }
    }
}

/// How to seed an empty store with the secret the client logs in with
/// ([`AuthClient::seed`](crate::AuthClient::seed); `rotate()` on an empty
/// store seeds with the defaults). Seeding logs in, lists the client's
/// secrets to identify the secret, and saves the first record before any
/// remote change.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SeedOptions {
    /// The secret's id, if known. Naming it claims it as this installation's
    /// own: the first rotation deletes it once replaced. It must be one of
    /// the client's secrets. Name it only if no other installation or job
    /// uses the same secret.
    #[uniffi(default)]
    pub secret_id: Option<String>,
    /// Claim the secret when it is the client's only one (its id is then
    /// certain): the first rotation deletes it. Only for a secret no other
    /// installation or job was given.
    #[uniffi(default = false)]
    pub claim: bool,
}

impl From<SeedOptions> for mapsindoors_auth::SeedOptions {
    fn from(o: SeedOptions) -> Self {
        Self {
            secret_id: o.secret_id,
            claim: o.claim,
            ..Self::default()
        }
    }
}

/// The result of [`AuthClient::login_and_rotate`](crate::AuthClient::login_and_rotate):
/// a token of the client after the rotation, and what the rotation did.
#[derive(uniffi::Record)]
pub struct LoginRotation {
    /// A token to use now (its `toString` redacts).
    pub token: Arc<AccessToken>,
    /// What the rotation did.
    pub report: RotationReport,
}
