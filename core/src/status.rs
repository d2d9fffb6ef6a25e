//! A store's status, for monitoring: [`Status`] (read from the record alone,
//! no request) and, on request, a [`Probe`] of the server (one login with the
//! current secret, one listing). [`Status::health`] is the one verdict every
//! binding and the CLI report: the Nagios levels.
//!
//! | finding | health |
//! |---|---|
//! | the server refuses the current secret (probe) | [`Health::Critical`] |
//! | a rotation is unfinished, or the secret is due (or its age unknown) with a `max_age` | [`Health::Warning`] |
//! | otherwise (kept secrets awaiting deletion by hand are reported, not warned) | [`Health::Ok`] |
//!
//! A store that cannot be read is the caller's error to report as critical.

use crate::config::Credentials;
use crate::error::Error;
use crate::exchange::{Exchange, wire_step};
use crate::http::{HttpResponse, TransportError};
use crate::model::{SecretInfo, Token};
use crate::record::{KeptSecret, StoreRecord};
use crate::request::{list_request, token_request};
use crate::response::{parse_list, parse_token};
use crate::retry::RetryPolicy;
use crate::rotation::{ORPHAN_GRACE_MS, due};
use crate::step::{Flow, Purpose, Step, misuse};

/// The Nagios-style verdict: exit codes 0, 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Health {
    /// Nothing to do.
    Ok,
    /// Due for rotation or a rotation unfinished: run `rotate`.
    Warning,
    /// The current secret is refused.
    Critical,
}

impl Health {
    /// `ok`, `warning` or `critical`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Warning => "warning",
            Health::Critical => "critical",
        }
    }

    /// The Nagios plugin exit code: 0, 1 or 2.
    #[must_use]
    pub fn exit_code(self) -> u8 {
        match self {
            Health::Ok => 0,
            Health::Warning => 1,
            Health::Critical => 2,
        }
    }
}

/// What the server said of the current secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Check {
    /// Whether a login with the current secret succeeded.
    pub accepted: bool,
    /// The refusal, when it did not (the error's text; never a secret); or,
    /// accepted, why the listing failed.
    pub refusal: Option<String>,
    /// The error kind of that (`invalid_client`, `forbidden`, ...).
    pub refusal_kind: Option<String>,
    /// How many secrets the client has (the listing's items of this client).
    pub secret_count: Option<u32>,
}

/// A store's status at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// The store's generation.
    pub generation: u64,
    /// When that generation was saved, Unix ms.
    pub updated_at_ms: u64,
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
    pub age_ms: Option<u64>,
    /// The `max_age` asked about, if any.
    pub max_age_ms: Option<u64>,
    /// When it is due (Unix ms): its date plus `max_age`, if both are known.
    pub due_at_ms: Option<u64>,
    /// With a `max_age`: whether a rotation would create a new secret now
    /// (due, or its age unknown).
    pub due: bool,
    /// The stage at which a rotation is unfinished (`verify`, `delete_old`,
    /// `delete`, `sweep`), if one is: the next `rotate` finishes it.
    pub unfinished: Option<&'static str>,
    /// Whether the recorded creation date is more than a day in the future
    /// (taken as unknown: the secret is due).
    pub future_date: bool,
    /// Secrets kept for deletion by hand.
    pub kept: Vec<KeptSecret>,
    /// When the current secret was created by a rotation (Unix ms); `None`
    /// if this store never rotated.
    pub last_rotation_ms: Option<u64>,
    /// The server's answer, when probed.
    pub check: Option<Check>,
}

impl Status {
    /// The status of `record` at `now_ms`, without asking the server.
    #[must_use]
    pub fn of(record: &StoreRecord, max_age_ms: Option<u64>, now_ms: u64) -> Self {
        let recorded = due::created_ms(record);
        let created = due::plausible(recorded, now_ms);
        let mut status = Self {
            generation: record.generation,
            updated_at_ms: record.updated_at_ms,
            client_id: record.client_id.clone(),
            customer_id: record.customer_id.clone(),
            current_id: record.current.id.clone(),
            current_created_at: record.current.created_at.clone(),
            current_owned: record.current.owned,
            age_ms: None,
            max_age_ms,
            due_at_ms: None,
            due: false,
            unfinished: unfinished(record, now_ms),
            future_date: recorded.is_some() && created.is_none(),
            kept: record.kept.clone(),
            last_rotation_ms: created.filter(|_| record.current.rotation.is_some()),
            check: None,
        };
        status.date(created, now_ms);
        status
    }

    /// Sets the age and due fields from the current secret's creation date.
    fn date(&mut self, created_ms: Option<u64>, now_ms: u64) {
        self.age_ms = created_ms.map(|c| now_ms.saturating_sub(c));
        self.due_at_ms = created_ms
            .zip(self.max_age_ms)
            .map(|(c, max)| due::due_at(c, max));
        self.due = self.max_age_ms.is_some() && self.due_at_ms.is_none_or(|at| now_ms >= at);
    }

    /// The verdict (see the module doc).
    #[must_use]
    pub fn health(&self) -> Health {
        if self.check.as_ref().is_some_and(|c| !c.accepted) {
            Health::Critical
        } else if self.unfinished.is_some() || self.due {
            Health::Warning
        } else {
            Health::Ok
        }
    }

    /// What the verdict rests on, one short sentence each (empty when ok).
    #[must_use]
    pub fn findings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(check) = self.check.as_ref().filter(|c| !c.accepted) {
            out.push(format!(
                "the server refuses the current secret: {}",
                check.refusal.as_deref().unwrap_or("refused")
            ));
        }
        match self.unfinished {
            Some("sweep") => out.push(
                "an interrupted rotation's secret is still looked for: run rotate; copies it cannot tell apart are reported as kept, to delete by hand".to_owned(),
            ),
            Some(stage) => out.push(format!(
                "a rotation is unfinished (at {stage}): run rotate to finish it"
            )),
            None => {}
        }
        if self.due {
            out.push(match (self.due_at_ms, self.future_date) {
                (Some(_), _) => "the secret is due for rotation".to_owned(),
                (None, true) => "the secret's creation date is in the future (a clock is wrong): its age is unknown, the next rotation rotates".to_owned(),
                (None, false) => "the secret's age is unknown: the next rotation rotates".to_owned(),
            });
        }
        out
    }
}

/// The stage the next rotation resumes at, if the record holds unfinished
/// work. An intent younger than [`ORPHAN_GRACE_MS`] may be a run still in
/// progress: not counted.
fn unfinished(record: &StoreRecord, now_ms: u64) -> Option<&'static str> {
    if record.deleting.is_some() {
        Some("delete")
    } else if record.pending.is_some() {
        Some("verify")
    } else if record.previous_id.is_some() {
        Some("delete_old")
    } else if record
        .rotations
        .iter()
        .any(|r| now_ms >= r.started_ms.saturating_add(ORPHAN_GRACE_MS))
    {
        Some("sweep")
    } else {
        None
    }
}

enum Phase {
    Login(Exchange<Token>),
    List(Exchange<Vec<SecretInfo>>, Token),
    Done,
}

/// Probes the server for a [`Status`]: one login with the record's current
/// secret (a refusal is a finding, not an error), then one listing with
/// that token (the client's secret count, and the current secret's date
/// when the record lacks it). Ends with the status and, when accepted, the
/// login's token. Network and server failures end it with their error.
pub struct Probe {
    status: Status,
    record: StoreRecord,
    retry: RetryPolicy,
    phase: Phase,
    awaiting: bool,
    result: Option<Result<(Status, Option<Token>), Error>>,
}

impl Probe {
    /// A probe of `record`'s current secret; `status` is its [`Status::of`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unusable record.
    pub fn new(record: &StoreRecord, status: Status, retry: RetryPolicy) -> Result<Self, Error> {
        let config = record.config()?;
        let credentials: Credentials = record.current_credentials()?;
        let login = Exchange::new(
            token_request(&config, &credentials)?,
            Purpose::Login,
            parse_token,
            retry,
        );
        Ok(Self {
            status,
            record: record.clone(),
            retry,
            phase: Phase::Login(login),
            awaiting: false,
            result: None,
        })
    }

    fn finish(
        &mut self,
        check: Check,
        token: Option<Token>,
        listing: Option<&[SecretInfo]>,
        now_ms: u64,
    ) {
        if self.status.age_ms.is_none() {
            let listed = listing.and_then(|l| due::listed_created_ms(&self.record, l));
            if let Some(created) = due::plausible(listed, now_ms) {
                self.status.date(Some(created), now_ms);
            }
        }
        self.status.check = Some(check);
        self.result = Some(Ok((self.status.clone(), token)));
    }
}

impl Flow for Probe {
    type Output = (Status, Option<Token>);

    fn poll(&mut self, _now_ms: u64) -> Step<Self::Output> {
        if self.awaiting {
            return Step::Done(Err(misuse("polled before the last step was answered")));
        }
        if let Some(result) = self.result.take() {
            self.phase = Phase::Done;
            return Step::Done(result);
        }
        match &mut self.phase {
            Phase::Login(ex) => wire_step(ex.poll(), &mut self.awaiting),
            Phase::List(ex, _) => wire_step(ex.poll(), &mut self.awaiting),
            Phase::Done => Step::Done(Err(misuse("polled after Done"))),
        }
    }

    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64) {
        if !std::mem::take(&mut self.awaiting) {
            self.result = Some(Err(misuse("response without a request")));
            return;
        }
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Login(mut ex) => match ex.on_response(response, now_ms) {
                None => self.phase = Phase::Login(ex),
                Some(Ok(token)) => match self
                    .record
                    .config()
                    .and_then(|c| list_request(&c, &token.access_token))
                {
                    Ok(req) => {
                        let list = Exchange::new(req, Purpose::List, parse_list, self.retry);
                        self.phase = Phase::List(list, token);
                    }
                    Err(e) => self.result = Some(Err(e)),
                },
                Some(Err(
                    // The server answered and refused (any OAuth error:
                    // invalid_client, unauthorized_client for a disabled
                    // client, ...): critical, not unknown.
                    e @ (Error::InvalidClient { .. }
                    | Error::InvalidGrant { .. }
                    | Error::OAuth { .. }
                    | Error::Unauthorized { .. }
                    | Error::Forbidden { .. }),
                )) => {
                    let check = Check {
                        accepted: false,
                        refusal: Some(e.to_string()),
                        refusal_kind: Some(e.kind().as_str().to_owned()),
                        secret_count: None,
                    };
                    self.finish(check, None, None, now_ms);
                }
                Some(Err(e)) => self.result = Some(Err(e)),
            },
            Phase::List(mut ex, token) => match ex.on_response(response, now_ms) {
                None => self.phase = Phase::List(ex, token),
                Some(Ok(listing)) => {
                    let mine = listing
                        .iter()
                        .filter(|s| s.client_id.as_deref() == Some(self.record.client_id.as_str()))
                        .count();
                    let check = Check {
                        accepted: true,
                        refusal: None,
                        refusal_kind: None,
                        secret_count: u32::try_from(mine).ok(),
                    };
                    self.finish(check, Some(token), Some(&listing), now_ms);
                }
                // The secret was accepted; the count is unknown. The status
                // (and its warnings) stands.
                Some(Err(e)) => {
                    let check = Check {
                        accepted: true,
                        refusal: Some(format!("the listing failed: {e}")),
                        refusal_kind: Some(e.kind().as_str().to_owned()),
                        secret_count: None,
                    };
                    self.finish(check, Some(token), None, now_ms);
                }
            },
            Phase::Done => self.result = Some(Err(misuse("response after Done"))),
        }
    }

    fn on_persisted(&mut self, _result: Result<(), Error>) {
        self.result = Some(Err(misuse("persisted without a request")));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::config::Config;
    use crate::record::StartedRotation;
    use crate::secret::ClientSecret;

    const DAY: u64 = 86_400_000;
    // 2026-01-01T00:00:00Z
    const JAN1: u64 = 1_767_225_600_000;

    fn record() -> StoreRecord {
        let config = Config::new("https://auth.example.test")
            .unwrap()
            .with_customer_id("c")
            .unwrap();
        let mut r = StoreRecord::new(
            &config,
            "client",
            ClientSecret::new("s"),
            Some("id1".into()),
            "l-00",
        )
        .unwrap();
        r.current.created_at = Some("2026-01-01T00:00:00.0000000Z".into());
        r
    }

    #[test]
    fn age_and_due_from_the_record() {
        let s = Status::of(&record(), Some(30 * DAY), JAN1 + 10 * DAY);
        assert_eq!(s.age_ms, Some(10 * DAY));
        assert_eq!(s.due_at_ms, Some(JAN1 + 30 * DAY));
        assert!(!s.due);
        assert_eq!(s.health(), Health::Ok);
        assert!(s.findings().is_empty());
        // Due at exactly created + max_age.
        let s = Status::of(&record(), Some(30 * DAY), JAN1 + 30 * DAY);
        assert!(s.due);
        assert_eq!(s.health(), Health::Warning);
    }

    #[test]
    fn without_max_age_nothing_is_due() {
        let s = Status::of(&record(), None, JAN1 + 1000 * DAY);
        assert!(!s.due);
        assert_eq!(s.due_at_ms, None);
        assert_eq!(s.health(), Health::Ok);
    }

    #[test]
    fn unknown_age_is_due_with_a_max_age() {
        let mut r = record();
        r.current.created_at = None;
        let s = Status::of(&r, Some(DAY), JAN1);
        assert_eq!((s.age_ms, s.due), (None, true));
        assert!(s.findings()[0].contains("age is unknown"));
        // An unparseable date is unknown too, never a panic.
        r.current.created_at = Some("yesterday".into());
        assert_eq!(Status::of(&r, Some(DAY), JAN1).age_ms, None);
    }

    #[test]
    fn a_date_far_in_the_future_is_unknown_and_due() {
        let mut r = record();
        r.current.created_at = Some("9999-12-31T00:00:00Z".into());
        let s = Status::of(&r, Some(30 * DAY), JAN1);
        assert_eq!((s.age_ms, s.due, s.future_date), (None, true, true));
        assert_eq!(s.health(), Health::Warning);
        assert!(
            s.findings()[0].contains("in the future"),
            "{:?}",
            s.findings()
        );
        // Within a day ahead: clock skew, believed.
        r.current.created_at = Some("2026-01-01T12:00:00Z".into());
        assert_eq!(Status::of(&r, Some(30 * DAY), JAN1).age_ms, Some(0));
    }

    #[test]
    fn a_clock_before_the_secret_gives_age_zero() {
        let s = Status::of(&record(), Some(DAY), JAN1 - DAY);
        assert_eq!(s.age_ms, Some(0));
        assert!(!s.due);
    }

    #[test]
    fn unfinished_stages_in_the_order_a_rotation_resumes() {
        let mut r = record();
        r.rotations.push(StartedRotation {
            id: "r-1".into(),
            started_ms: JAN1,
        });
        // A young intent may be a run in progress: not unfinished yet.
        assert_eq!(Status::of(&r, None, JAN1).unfinished, None);
        let later = JAN1 + ORPHAN_GRACE_MS;
        assert_eq!(Status::of(&r, None, later).unfinished, Some("sweep"));
        r.previous_id = Some("id0".into());
        assert_eq!(Status::of(&r, None, later).unfinished, Some("delete_old"));
        r.deleting = Some("id0".into());
        let s = Status::of(&r, None, JAN1);
        assert_eq!(s.unfinished, Some("delete"));
        assert_eq!(s.health(), Health::Warning);
    }

    #[test]
    fn a_refused_secret_is_critical_whatever_else() {
        let mut s = Status::of(&record(), Some(DAY), JAN1 + 2 * DAY);
        s.check = Some(Check {
            accepted: false,
            refusal: Some("invalid client".into()),
            refusal_kind: Some("invalid_client".into()),
            secret_count: None,
        });
        assert_eq!(s.health(), Health::Critical);
        assert_eq!(s.health().exit_code(), 2);
        assert_eq!(s.findings().len(), 2);
    }

    #[test]
    fn max_age_bounds() {
        assert!(due::check_max_age(0).is_err());
        assert!(due::check_max_age(1).is_ok());
        assert!(due::check_max_age(due::MAX_AGE_LIMIT_MS).is_ok());
        let e = due::check_max_age(due::MAX_AGE_LIMIT_MS + 1).unwrap_err();
        assert!(e.to_string().contains("max_age"), "{e}");
    }
}
