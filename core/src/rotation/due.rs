//! When a rotation is due: the current secret's age against a maximum, from
//! its `createdAt` as the store recorded it or, when the store does not know
//! it, as one listing shows it. One rule for every binding:
//!
//! | the store's current secret | with `max_age` | decision |
//! |---|---|---|
//! | unfinished work (pending, old secret to delete, a delete under way, an interrupted rotation's orphan) | any | finished first, always |
//! | created at `t`, `now < t + max_age` | | [`Decision::NotDue`]: nothing created, `due_at = t + max_age` |
//! | created at `t`, `now >= t + max_age` | | [`Decision::Due`]: rotated |
//! | date unknown, id known | | one listing (with the login's token); the date from it, as above |
//! | date unknown and not listed, or id unknown, or more than a day in the future | | [`Decision::AgeUnknown`]: rotated (the new secret's date is then known) |
//! | any | none | [`Decision::Always`]: rotated |
//!
//! A run that only finished an earlier rotation creates nothing more:
//! [`Decision::Unfinished`].

use crate::error::Error;
use crate::model::{SecretInfo, Timestamp};
use crate::record::StoreRecord;

/// The longest `max_age` accepted: ten years.
pub const MAX_AGE_LIMIT_MS: u64 = 10 * 366 * 24 * 60 * 60 * 1000;

/// Why a rotation created a new secret or did not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// No maximum age was given: every run rotates.
    #[default]
    Always,
    /// The current secret was at least `max_age` old.
    Due,
    /// The current secret's creation date could not be learnt.
    AgeUnknown,
    /// The current secret is younger than `max_age`: nothing was created.
    NotDue,
    /// The run finished an earlier, interrupted rotation, whose new secret
    /// is now current; it created nothing more.
    Unfinished,
}

impl Decision {
    /// The stable name in reports and every binding: `always`, `due`,
    /// `age_unknown`, `not_due`, `unfinished`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Always => "always",
            Decision::Due => "due",
            Decision::AgeUnknown => "age_unknown",
            Decision::NotDue => "not_due",
            Decision::Unfinished => "unfinished",
        }
    }
}

/// Refuses a `max_age` of zero or beyond [`MAX_AGE_LIMIT_MS`].
///
/// # Errors
/// [`Error::InvalidInput`] naming `max_age`.
pub fn check_max_age(max_age_ms: u64) -> Result<(), Error> {
    if max_age_ms == 0 || max_age_ms > MAX_AGE_LIMIT_MS {
        return Err(Error::invalid_input(
            "max_age",
            format!(
                "must be between 1 ms and 10 years ({MAX_AGE_LIMIT_MS} ms), got {max_age_ms} ms; to rotate at every run, give no max_age"
            ),
        ));
    }
    Ok(())
}

/// How far in the future a creation date may be (clock skew between the
/// server and this machine) before it counts as unknown.
pub const FUTURE_TOLERANCE_MS: u64 = 24 * 60 * 60 * 1000;

/// When the record's current secret was created, Unix ms, if the record
/// knows (a date before 1970 counts as 0).
#[must_use]
pub fn created_ms(record: &StoreRecord) -> Option<u64> {
    let text = record.current.created_at.as_deref()?;
    Timestamp::parse(text).map(|t| u64::try_from(t.unix_millis()).unwrap_or(0))
}

/// `created_ms` if it is believable at `now_ms`: a date more than
/// [`FUTURE_TOLERANCE_MS`] ahead (a server clock far ahead, a hostile
/// answer, this machine's clock far behind) is unknown, so the secret is
/// rotated rather than never due.
#[must_use]
pub fn plausible(created_ms: Option<u64>, now_ms: u64) -> Option<u64> {
    created_ms.filter(|c| *c <= now_ms.saturating_add(FUTURE_TOLERANCE_MS))
}

/// The current secret's creation date from a listing: the item with its id.
#[must_use]
pub fn listed_created_ms(record: &StoreRecord, listing: &[SecretInfo]) -> Option<u64> {
    let id = record.current.id.as_deref()?;
    listing
        .iter()
        .find(|s| s.id == id)
        .map(|s| u64::try_from(s.created_at.unix_millis()).unwrap_or(0))
}

/// When a secret created at `created_ms` is due.
#[must_use]
pub fn due_at(created_ms: u64, max_age_ms: u64) -> u64 {
    created_ms.saturating_add(max_age_ms)
}
