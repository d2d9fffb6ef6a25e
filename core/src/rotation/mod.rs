//! The crash-safe rotation as a resumable state machine. It decides every
//! step from the store record plus what this run has learnt, so a run that
//! starts from any crash point finishes the earlier rotation first.
//!
//! The protocol: log in; save an intent naming the rotation; create the new
//! secret (tagged with the store's lineage and the rotation); save it as
//! pending; verify it by logging in with it (waiting out propagation);
//! promote it; delete the old secret if it is provably this store's own;
//! sweep the orphans of rotations whose created secret was never saved.
//!
//! Safety rests on one rule: **every DELETE is fenced**. Before it sends a
//! DELETE, a run saves (compare-and-swap on the generation) a record naming
//! the id in `deleting`, with the id already removed from every role. A run
//! whose view is stale fails that save and deletes nothing. No lock is
//! needed; a lock only saves wasted work. Only token, GET and DELETE are
//! retried; a POST never is.

pub mod due;
mod report;
mod state;

pub use crate::record::KeptSecret;
pub use due::Decision;
pub use report::{RotateOptions, RotationReport};
use state::{Action, Control, Source, Stage, Target, Waited};

use crate::config::{Config, Credentials};
use crate::error::{Error, StoreErrorKind};
use crate::exchange::wire_step;
use crate::exchange::{Exchange, Wire};
use crate::http::{HttpResponse, TransportError};
use crate::model::{CreatedSecret, SecretInfo, Token};
use crate::record::{
    Candidate, MAX_KEPT, MAX_OPEN_ROTATIONS, StartedRotation, StoreRecord, StoredSecret, Tag,
    random_id,
};
use crate::request::{create_request, delete_request, list_request, token_request};
use crate::response::{parse_create, parse_delete, parse_list, parse_token};
use crate::retry::RetryPolicy;
use crate::secret::AccessToken;
pub use crate::step::PersistReason;
use crate::step::{Flow, Purpose, SleepReason, Step, misuse};

/// How long after its intent an unfound rotation's orphan is still looked
/// for: longer than any run lives, so a create still in flight from a live
/// run is never forgotten. (The caller's clock; a step forward only makes an
/// orphan be left alone, never a wrong delete.)
pub const ORPHAN_GRACE_MS: u64 = 15 * 60 * 1000;

use PersistReason as Why;

/// A rotation of the secret in a [`StoreRecord`]. Drive it with the
/// [`Flow`] loop: it asks to send requests, persist records and sleep, and
/// ends with a [`RotationReport`]. Every [`Step::Persist`] must be a
/// compare-and-swap: save the record only if the store still holds
/// generation `record.generation - 1`, else answer with a
/// [`StoreErrorKind::Conflict`] error. A crash at any point, or another run
/// on the same store at the same time, leaves a store from which the next
/// rotation recovers.
#[derive(Clone)]
pub struct Rotation {
    config: Config,
    options: RotateOptions,
    record: StoreRecord,
    rotation_id: String,
    token: Option<(Token, Source)>,
    cached: Option<Token>,
    token_is_cached: bool,
    rotate_needed: bool,
    /// With a `max_age`: whether this run has decided (due, or age unknown).
    decided: bool,
    pending_from_earlier_run: bool,
    /// The id this run fenced (saved in `deleting`) and what it is.
    fenced: Option<(String, Target)>,
    listing: Option<Vec<SecretInfo>>,
    /// Started rotations this run looked for and left (young or ambiguous).
    checked: Vec<String>,
    propagation: Waited,
    stage: Stage,
    control: Control,
    kept_now: Vec<KeptSecret>,
    report: RotationReport,
}

impl Rotation {
    /// A rotation of `record`. `cached_token` is a still-valid token from the
    /// record's current secret, if the caller has one (saves a round trip).
    /// `nonce` is fresh randomness naming this rotation.
    ///
    /// A record with unfinished work (a pending secret, an old secret to
    /// delete, a delete under way) is finished without starting another
    /// rotation; orphans of started rotations are swept before a new one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the record's URL, customer or client is unusable.
    pub fn new(
        record: StoreRecord,
        options: RotateOptions,
        cached_token: Option<Token>,
        nonce: [u8; 8],
    ) -> Result<Self, Error> {
        let config = record.config()?;
        record.current_credentials()?;
        record.check_roles()?;
        let resumed =
            record.pending.is_some() || record.previous_id.is_some() || record.deleting.is_some();
        if let Some(max_age) = options.max_age_ms {
            due::check_max_age(max_age)?;
        }
        Ok(Self {
            config,
            rotation_id: random_id("r-", &nonce),
            token: None,
            cached: cached_token,
            token_is_cached: false,
            rotate_needed: !resumed,
            decided: false,
            pending_from_earlier_run: record.pending.is_some(),
            fenced: None,
            listing: None,
            checked: Vec::new(),
            propagation: Waited::default(),
            stage: Stage::Login,
            control: Control::Plan,
            kept_now: Vec::new(),
            report: RotationReport {
                resumed,
                decision: if resumed {
                    Decision::Unfinished
                } else {
                    Decision::Always
                },
                generation: record.generation,
                ..RotationReport::default()
            },
            options,
            record,
        })
    }

    /// What the rotation has done so far; complete once it is `Done`.
    #[must_use]
    pub fn report(&self) -> &RotationReport {
        &self.report
    }

    /// The step the rotation is at: `login`, `create`, `persist_pending`,
    /// `verify`, `promote`, `delete_old`, `delete`, `sweep` or `abandon_pending`.
    #[must_use]
    pub fn stage(&self) -> &'static str {
        self.stage.as_str()
    }

    /// Why the record of the outstanding [`Step::Persist`] is being saved.
    #[must_use]
    pub fn persist_reason(&self) -> Option<PersistReason> {
        match &self.control {
            Control::Ready(Action::Persist(_, why))
            | Control::Awaiting(Action::Persist(_, why)) => Some(*why),
            _ => None,
        }
    }

    /// The record as last persisted (or as loaded).
    #[must_use]
    pub fn record(&self) -> &StoreRecord {
        &self.record
    }

    fn fail(&mut self, error: Error) {
        let error = match error {
            e @ (Error::RotationIncomplete { .. }
            | Error::Store {
                kind: StoreErrorKind::Conflict,
                ..
            }) => e,
            e if !matches!(self.stage, Stage::Login) => Error::RotationIncomplete {
                stage: self.stage.as_str().to_owned(),
                cause: Box::new(e),
            },
            e => e,
        };
        self.control = Control::Failed(error);
    }

    fn exchange<T>(
        &self,
        request: Result<crate::http::HttpRequest, Error>,
        purpose: Purpose,
        parse: crate::exchange::Parser<T>,
    ) -> Result<Exchange<T>, Error> {
        request.map(|r| Exchange::new(r, purpose, parse, self.options.retry))
    }

    fn set(&mut self, action: Result<Action, Error>) {
        match action {
            Ok(a) => self.control = Control::Ready(a),
            Err(e) => self.fail(e),
        }
    }

    fn persist(&mut self, now_ms: u64, why: Why, change: impl FnOnce(&mut StoreRecord)) {
        match self.record.next(now_ms) {
            Ok(mut next) => {
                change(&mut next);
                self.control = Control::Ready(Action::Persist(Box::new(next), why));
            }
            Err(e) => self.fail(e),
        }
    }

    /// Saves the fence of a delete of `id`: the change removes it from its role.
    fn fence(
        &mut self,
        now_ms: u64,
        id: String,
        target: Target,
        change: impl FnOnce(&mut StoreRecord),
    ) {
        self.fenced = Some((id.clone(), target));
        self.persist(now_ms, Why::Fence, |r| {
            change(r);
            r.deleting = Some(id);
        });
        // Never a fence on a secret in use, whatever the record said.
        if let Control::Ready(Action::Persist(next, _)) = &self.control {
            if let Err(e) = next.check_roles() {
                self.fail(e);
            }
        }
    }

    fn login(&mut self, source: Source) {
        let secret = match (source, &self.record.pending) {
            (Source::Pending, Some(p)) => p.secret.clone(),
            _ => self.record.current.secret.clone(),
        };
        let request = Credentials::client(&self.record.client_id, secret)
            .and_then(|c| token_request(&self.config, &c));
        let purpose = match source {
            Source::Current => Purpose::Login,
            Source::Pending => Purpose::Verify,
        };
        let action = self
            .exchange(request, purpose, parse_token)
            .map(|ex| Action::Login(source, ex));
        self.set(action);
    }

    /// The current secret's token, or `None` after starting a login.
    fn current_token(&mut self) -> Option<AccessToken> {
        if let Some((t, Source::Current)) = &self.token {
            return Some(t.access_token.clone());
        }
        if let Some(t) = self.cached.take() {
            let access = t.access_token.clone();
            self.token = Some((t, Source::Current));
            self.token_is_cached = true;
            return Some(access);
        }
        self.login(Source::Current);
        None
    }

    fn delete(&mut self, id: String, target: Target, token: &AccessToken) {
        let purpose = match target {
            Target::Old => Purpose::DeleteOld,
            Target::Orphan => Purpose::DeleteOrphan,
            Target::Abandoned => Purpose::DeleteAbandoned,
        };
        let action = self
            .exchange(
                delete_request(&self.config, token, &id),
                purpose,
                parse_delete,
            )
            .map(|ex| Action::Delete(id, ex));
        self.set(action);
    }

    fn list(&mut self, token: &AccessToken) {
        let action = self
            .exchange(list_request(&self.config, token), Purpose::List, parse_list)
            .map(Action::List);
        self.set(action);
    }

    /// Chooses the next action from the record and what this run knows.
    /// Returns `false` when there is nothing left to do.
    fn plan(&mut self, now_ms: u64) -> bool {
        if let Some(id) = self.record.deleting.clone() {
            self.plan_delete(now_ms, id);
            return true;
        }
        if self.record.pending.is_some() {
            self.plan_pending(now_ms);
            return true;
        }
        if let Some(id) = self.record.previous_id.clone() {
            self.stage = Stage::DeleteOld;
            if self.current_token().is_some() {
                self.fence(now_ms, id, Target::Old, |r| r.previous_id = None);
            }
            return true;
        }
        if self.next_open_rotation().is_some() {
            self.plan_sweep(now_ms);
            return true;
        }
        if self.rotate_needed {
            return self.plan_due(now_ms);
        }
        false
    }

    /// A new rotation is wanted: with a `max_age`, only when the current
    /// secret is due (its date from the record, else from one listing).
    /// Decided once per run. Returns `false` when it is not due.
    fn plan_due(&mut self, now_ms: u64) -> bool {
        let Some(max_age) = self.options.max_age_ms.filter(|_| !self.decided) else {
            if self.options.max_age_ms.is_none() {
                self.report.decision = Decision::Always;
            }
            self.plan_rotate(now_ms);
            return true;
        };
        let listed = self
            .listing
            .as_deref()
            .and_then(|l| due::listed_created_ms(&self.record, l));
        let created = due::plausible(due::created_ms(&self.record).or(listed), now_ms);
        let decision = match created {
            Some(created) if now_ms < due::due_at(created, max_age) => Decision::NotDue,
            Some(_) => Decision::Due,
            // The store knows the id but not the date: one listing tells.
            None if self.record.current.id.is_some()
                && self.listing.is_none()
                && due::created_ms(&self.record).is_none() =>
            {
                self.stage = Stage::Login;
                if let Some(token) = self.current_token() {
                    self.list(&token);
                }
                return true;
            }
            None => Decision::AgeUnknown,
        };
        self.report.decision = decision;
        if decision == Decision::NotDue {
            self.rotate_needed = false;
            return false;
        }
        self.decided = true;
        self.plan_rotate(now_ms);
        true
    }

    /// A delete whose fence is saved. A fence from an earlier run (or not
    /// saved by this run) is saved again first: the DELETE always follows this
    /// run's own successful compare-and-swap naming the id.
    fn plan_delete(&mut self, now_ms: u64, id: String) {
        self.stage = Stage::Delete;
        let Some(token) = self.current_token() else {
            return;
        };
        match &self.fenced {
            Some((fenced, target)) if *fenced == id => {
                let target = *target;
                self.delete(id, target, &token);
            }
            _ => {
                let target = match self.fenced.take() {
                    Some((_, t)) => t,
                    None => Target::Old,
                };
                self.fence(now_ms, id, target, |_| {});
            }
        }
    }

    fn plan_pending(&mut self, now_ms: u64) {
        self.stage = Stage::Verify;
        if !matches!(self.token, Some((_, Source::Pending))) {
            self.login(Source::Pending);
            return;
        }
        self.stage = Stage::Promote;
        self.persist(now_ms, Why::Promote, |r| {
            let Some(mut new) = r.pending.take() else {
                return;
            };
            new.owned = true;
            let old = std::mem::replace(&mut r.current, new);
            match old.id {
                Some(id) if old.owned && r.previous_id.is_none() => r.previous_id = Some(id),
                id => {
                    let reason = if old.owned {
                        "an older secret is still being deleted"
                    } else {
                        "not created by this store: it may be used by another job or installation"
                    };
                    r.kept.push(KeptSecret {
                        id,
                        created_at: old.created_at,
                        candidates: old.candidates,
                        reason: reason.to_owned(),
                    });
                    if r.kept.len() > MAX_KEPT {
                        r.kept.remove(0);
                    }
                }
            }
        });
    }

    fn plan_sweep(&mut self, now_ms: u64) {
        self.stage = Stage::Sweep;
        let Some(token) = self.current_token() else {
            return;
        };
        let Some(listing) = &self.listing else {
            self.list(&token);
            return;
        };
        let Some(open) = self.next_open_rotation() else {
            return;
        };
        let found = self.orphans_of(listing, &open.id);
        match earliest(&found) {
            Some(orphan) => {
                let id = orphan.id.clone();
                let r_id = open.id.clone();
                self.fence(now_ms, id, Target::Orphan, |r| {
                    r.rotations.retain(|s| s.id != r_id);
                });
            }
            None if found.is_empty()
                && now_ms >= open.started_ms.saturating_add(ORPHAN_GRACE_MS) =>
            {
                let r_id = open.id.clone();
                self.persist(now_ms, Why::Forget, |r| {
                    r.rotations.retain(|s| s.id != r_id);
                });
            }
            None => {
                if !found.is_empty() {
                    self.kept_now.push(KeptSecret {
                        id: None,
                        created_at: None,
                        candidates: found
                            .iter()
                            .map(|s| Candidate {
                                id: s.id.clone(),
                                created_at: Some(s.created_at.as_str().to_owned()),
                            })
                            .collect(),
                        reason: format!(
                            "several secrets carry the tag of interrupted rotation {}, created at the same time; none is provably its own",
                            open.id
                        ),
                    });
                }
                self.checked.push(open.id);
            }
        }
    }

    /// A started rotation (not this run's own) still to look for.
    fn next_open_rotation(&self) -> Option<StartedRotation> {
        self.record
            .rotations
            .iter()
            .find(|r| r.id != self.rotation_id && !self.checked.contains(&r.id))
            .cloned()
    }

    fn plan_rotate(&mut self, now_ms: u64) {
        self.stage = Stage::Login;
        let Some(token) = self.current_token() else {
            return;
        };
        if !self
            .record
            .rotations
            .iter()
            .any(|r| r.id == self.rotation_id)
        {
            let started = StartedRotation {
                id: self.rotation_id.clone(),
                started_ms: now_ms,
            };
            self.persist(now_ms, Why::Intent, |r| {
                r.rotations.push(started);
                if r.rotations.len() > MAX_OPEN_ROTATIONS {
                    r.rotations.remove(0);
                }
            });
            return;
        }
        self.stage = Stage::Create;
        let user = self
            .options
            .description
            .clone()
            .or_else(|| self.record.description.clone());
        let description = Tag::describe(user.as_deref(), &self.record.lineage, &self.rotation_id);
        // Never retried: the sweep reconciles a create whose answer was lost.
        let action = create_request(&self.config, &token, Some(&description), None).map(|r| {
            Action::Create(Exchange::new(
                r,
                Purpose::Create,
                parse_create,
                RetryPolicy::none(),
            ))
        });
        self.set(action);
    }

    /// The secrets of this client carrying the tag of started rotation `r`,
    /// other than the current and pending ones.
    fn orphans_of<'a>(&self, listing: &'a [SecretInfo], r: &str) -> Vec<&'a SecretInfo> {
        let pending = self.record.pending.as_ref().and_then(|p| p.id.as_ref());
        listing
            .iter()
            .filter(|s| s.client_id.as_deref() == Some(self.record.client_id.as_str()))
            .filter(|s| {
                s.description
                    .as_deref()
                    .and_then(Tag::parse)
                    .is_some_and(|t| t.lineage == self.record.lineage && t.rotation == r)
            })
            .filter(|s| Some(&s.id) != self.record.current.id.as_ref() && Some(&s.id) != pending)
            .filter(|s| !self.report.deleted.contains(&s.id) && !self.report.swept.contains(&s.id))
            .collect()
    }

    /// A 401 on a cached token: forget it and log in again.
    fn retry_without_cache(&mut self, error: &Error) -> bool {
        if matches!(error, Error::Unauthorized { .. }) && self.token_is_cached {
            self.token = None;
            self.token_is_cached = false;
            return true;
        }
        false
    }

    fn wait_for_propagation(&mut self) -> bool {
        self.propagation.failures += 1;
        match self
            .options
            .propagation
            .delay_ms(self.propagation.failures, self.propagation.waited_ms)
        {
            Some(d) => {
                self.propagation.waited_ms += d;
                self.control = Control::Sleep(d);
                true
            }
            None => false,
        }
    }

    fn on_login(&mut self, source: Source, result: Result<Token, Error>, now_ms: u64) {
        match (source, result) {
            (_, Ok(token)) => {
                self.token = Some((token, source));
                self.token_is_cached = false;
            }
            // A just-promoted secret worked once: a replica may not have seen
            // it yet, so wait like for a pending one.
            (Source::Current, Err(e @ Error::InvalidClient { .. })) => {
                let just_promoted = self.record.current.rotation.is_some()
                    && (self.record.previous_id.is_some() || self.record.deleting.is_some());
                if !(just_promoted && self.wait_for_propagation()) {
                    self.fail(e);
                }
            }
            (Source::Pending, Err(Error::InvalidClient { status, oauth })) => {
                if self.wait_for_propagation() {
                    return;
                }
                if self.pending_from_earlier_run {
                    // Never accepted across runs: delete it (it is ours), then rotate again.
                    self.stage = Stage::AbandonPending;
                    let pending = self.record.pending.clone();
                    match pending.and_then(|p| p.id.map(|id| (id, p.rotation))) {
                        Some((id, _)) => self.fence(now_ms, id, Target::Abandoned, |r| {
                            r.pending = None;
                        }),
                        None => self.persist(now_ms, Why::Forget, |r| {
                            if let Some(rotation) = r.pending.take().and_then(|p| p.rotation) {
                                r.rotations.push(StartedRotation {
                                    id: rotation,
                                    started_ms: now_ms,
                                });
                            }
                        }),
                    }
                    self.rotate_needed = true;
                    return;
                }
                let waited = self.propagation.waited_ms;
                self.fail(Error::RotationIncomplete {
                    stage: Stage::Verify.as_str().to_owned(),
                    cause: Box::new(Error::InvalidClient {
                        status,
                        oauth: crate::error::OAuthError {
                            description: Some(format!(
                                "the new secret was still refused after waiting {waited} ms for propagation ({})",
                                oauth.description.as_deref().unwrap_or(&oauth.code)
                            )),
                            ..oauth
                        },
                    }),
                });
            }
            (_, Err(e)) => self.fail(e),
        }
    }

    fn on_create(&mut self, result: Result<CreatedSecret, Error>, now_ms: u64) {
        match result {
            Ok(created) => {
                self.stage = Stage::PersistPending;
                self.report.new_id = Some(created.id.clone());
                let pending = StoredSecret {
                    id: Some(created.id.clone()),
                    secret: created.secret.clone(),
                    created_at: Some(created.created_at.as_str().to_owned()),
                    rotation: Some(self.rotation_id.clone()),
                    owned: true,
                    candidates: Vec::new(),
                };
                let rotation_id = self.rotation_id.clone();
                self.persist(now_ms, Why::Pending, |r| {
                    r.pending = Some(pending);
                    r.rotations.retain(|s| s.id != rotation_id);
                });
            }
            Err(e) if self.retry_without_cache(&e) => {}
            // A 4xx means the server created nothing: clear the intent, then fail.
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
                self.stage = Stage::CreateRefused(Box::new(e));
                let rotation_id = self.rotation_id.clone();
                self.persist(now_ms, Why::IntentCleared, |r| {
                    r.rotations.retain(|s| s.id != rotation_id);
                });
            }
            // Ambiguous (transport, 5xx, unreadable 2xx): keep the intent; a sweep reconciles.
            Err(e) => self.fail(e),
        }
    }

    fn on_delete(&mut self, id: String, result: Result<(), Error>, now_ms: u64) {
        match result {
            Ok(()) | Err(Error::NotFound { .. }) => {
                match self.fenced.as_ref().map(|(_, t)| *t) {
                    Some(Target::Orphan) => self.report.swept.push(id),
                    _ => self.report.deleted.push(id),
                }
                self.persist(now_ms, Why::Deleted, |r| r.deleting = None);
            }
            Err(e) if self.retry_without_cache(&e) => {}
            // Refused for good (403, 400, ...): retrying next run would wedge
            // the store. Keep the secret, say why, and go on.
            Err(e) if e.status().is_some_and(permanent_refusal) => {
                let kept = KeptSecret::new(
                    Some(id),
                    format!("the server refused to delete it ({e}); delete it by hand"),
                );
                self.persist(now_ms, Why::Deleted, |r| {
                    r.deleting = None;
                    r.kept.push(kept);
                    if r.kept.len() > MAX_KEPT {
                        r.kept.remove(0);
                    }
                });
            }
            Err(e) => self.fail(e),
        }
    }

    fn on_saved(&mut self, record: StoreRecord, why: Why) {
        self.record = record;
        self.report.persists += 1;
        self.report.generation = self.record.generation;
        match why {
            Why::Intent | Why::Fence | Why::Forget | Why::Seed | Why::Claim => {}
            Why::IntentCleared => {
                // The server refused the create outright: nothing is half-done.
                let stage = std::mem::replace(&mut self.stage, Stage::Create);
                self.control = Control::Failed(match stage {
                    Stage::CreateRefused(e) => *e,
                    _ => misuse("intent cleared without cause"),
                });
            }
            Why::Pending => {
                self.rotate_needed = false;
                self.stage = Stage::Verify;
            }
            Why::Promote => {
                if let Some((_, s)) = &mut self.token {
                    *s = Source::Current;
                }
                self.report.rotated = self.report.rotated
                    || !self.pending_from_earlier_run
                    || self.report.new_id.is_some();
                self.report.old_id = self
                    .record
                    .previous_id
                    .clone()
                    .or_else(|| self.record.kept.last().and_then(|k| k.id.clone()));
                self.report.new_id = self.record.current.id.clone();
                self.pending_from_earlier_run = false;
            }
            Why::Deleted => {
                if let Some((id, target)) = self.fenced.take() {
                    if let Some(listing) = &mut self.listing {
                        listing.retain(|s| s.id != id);
                    }
                    if target == Target::Abandoned {
                        self.pending_from_earlier_run = false;
                        self.propagation = Waited::default();
                        if matches!(self.token, Some((_, Source::Pending))) {
                            self.token = None;
                        }
                    }
                }
            }
        }
    }

    fn finish(&mut self) -> RotationReport {
        if let Some(max_age) = self.options.max_age_ms {
            let listed = self
                .listing
                .as_deref()
                .and_then(|l| due::listed_created_ms(&self.record, l));
            self.report.due_at_ms = due::created_ms(&self.record)
                .or(listed)
                .map(|created| due::due_at(created, max_age));
        }
        self.report.token = match &self.token {
            Some((t, Source::Current)) => Some(t.clone()),
            _ => None,
        };
        self.report.kept = self.record.kept.clone();
        self.report.kept.extend(self.kept_now.iter().cloned());
        self.report.clone()
    }
}

/// A 4xx that another try will not change (not 401, 404, 408 or 429).
fn permanent_refusal(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 401 | 404 | 408 | 429)
}

/// The orphan among secrets carrying one rotation's tag: the only one, or
/// the one created strictly first (a copy of a description is always made
/// after the secret it was copied from). `None` when there is none or the
/// first is not unique.
fn earliest<'a>(found: &[&'a SecretInfo]) -> Option<&'a SecretInfo> {
    let first = found.iter().min_by_key(|s| s.created_at.unix_millis())?;
    let ties = found
        .iter()
        .filter(|s| s.created_at.unix_millis() == first.created_at.unix_millis())
        .count();
    (ties == 1).then_some(*first)
}

impl Flow for Rotation {
    type Output = RotationReport;

    fn poll(&mut self, now_ms: u64) -> Step<RotationReport> {
        loop {
            match std::mem::replace(&mut self.control, Control::Done) {
                Control::Done => return Step::Done(Err(misuse("polled after Done"))),
                Control::Awaiting(action) => {
                    self.control = Control::Awaiting(action);
                    return Step::Done(Err(misuse("polled before the last step was answered")));
                }
                Control::Failed(e) => {
                    self.report.kept = self.record.kept.clone();
                    self.report.kept.extend(self.kept_now.iter().cloned());
                    return Step::Done(Err(e));
                }
                // Relative: a clock that steps back never stretches a wait.
                Control::Sleep(ms) => {
                    self.control = Control::Plan;
                    return Step::Sleep(ms, SleepReason::Propagation);
                }
                Control::Plan => {
                    self.control = Control::Plan;
                    if !self.plan(now_ms) {
                        self.control = Control::Done;
                        return Step::Done(Ok(self.finish()));
                    }
                }
                Control::Ready(mut action) => {
                    let wire = match &mut action {
                        Action::Login(_, ex) => ex.poll(),
                        Action::Create(ex) => ex.poll(),
                        Action::Delete(_, ex) => ex.poll(),
                        Action::List(ex) => ex.poll(),
                        Action::Persist(record, why) => {
                            let step = Step::Persist(record.clone(), *why);
                            self.control = Control::Awaiting(action);
                            return step;
                        }
                    };
                    let mut awaiting = false;
                    if matches!(wire, Wire::Send(..)) {
                        self.report.round_trips += 1;
                    }
                    let step = wire_step(wire, &mut awaiting);
                    self.control = if awaiting {
                        Control::Awaiting(action)
                    } else {
                        Control::Ready(action)
                    };
                    return step;
                }
            }
        }
    }

    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64) {
        let action = match std::mem::replace(&mut self.control, Control::Plan) {
            Control::Awaiting(action) => action,
            _ => {
                self.control = Control::Failed(misuse("response without a request"));
                return;
            }
        };
        match action {
            Action::Login(source, mut ex) => match ex.on_response(response, now_ms) {
                None => self.control = Control::Ready(Action::Login(source, ex)),
                Some(r) => self.on_login(source, r, now_ms),
            },
            Action::Create(mut ex) => match ex.on_response(response, now_ms) {
                None => self.control = Control::Ready(Action::Create(ex)),
                Some(r) => self.on_create(r, now_ms),
            },
            Action::Delete(id, mut ex) => match ex.on_response(response, now_ms) {
                None => self.control = Control::Ready(Action::Delete(id, ex)),
                Some(r) => self.on_delete(id, r, now_ms),
            },
            Action::List(mut ex) => match ex.on_response(response, now_ms) {
                None => self.control = Control::Ready(Action::List(ex)),
                Some(Ok(listing)) => self.listing = Some(listing),
                Some(Err(e)) if self.retry_without_cache(&e) => {}
                Some(Err(e)) => self.fail(e),
            },
            Action::Persist(..) => {
                self.control = Control::Failed(misuse("response while persisting"));
            }
        }
    }

    fn on_persisted(&mut self, result: Result<(), Error>) {
        let (record, why) = match std::mem::replace(&mut self.control, Control::Plan) {
            Control::Awaiting(Action::Persist(record, why)) => (record, why),
            Control::Awaiting(_) => {
                self.control = Control::Failed(misuse("persisted while sending"));
                return;
            }
            _ => {
                self.control = Control::Failed(misuse("persisted without a request"));
                return;
            }
        };
        match result {
            Ok(()) => self.on_saved(*record, why),
            Err(Error::Store {
                kind: StoreErrorKind::Conflict,
                ..
            }) => {
                // Another run changed the store since this one read it: this
                // run's view is stale, so it stops before any delete. The new
                // secret it may have created is that run's to sweep.
                self.fenced = None;
                let deleted: Vec<&str> = self
                    .report
                    .deleted
                    .iter()
                    .chain(&self.report.swept)
                    .map(String::as_str)
                    .collect();
                let done = if deleted.is_empty() {
                    "this run deleted nothing".to_owned()
                } else {
                    format!(
                        "this run deleted only {} (each fenced first)",
                        deleted.join(", ")
                    )
                };
                self.fail(Error::store(
                    StoreErrorKind::Conflict,
                    format!(
                        "another rotation changed the store (at `{}`, saving generation {}); {done}; run again to finish",
                        self.stage.as_str(),
                        record.generation
                    ),
                ));
            }
            Err(e) => {
                // Not saved (or not known to be): never delete on that basis.
                self.fenced = None;
                self.fail(e);
            }
        }
    }
}
