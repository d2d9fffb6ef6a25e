//! The crash-safe rotation as a resumable state machine. It decides every
//! step from the store record plus what this run has learnt, so a run that
//! starts from any crash point finishes the earlier rotation first.
//!
//! The protocol: log in; persist an intent; create the new secret (tagged
//! with this store's lineage); persist it as pending; verify it by logging in
//! with it (waiting out propagation); promote it; delete the old secret by
//! id; sweep tagged orphans. Only token, GET and DELETE are retried.

mod report;

pub use report::{KeptSecret, RotateOptions, RotationReport};

use crate::config::{Config, Credentials};
use crate::error::Error;
use crate::exchange::{Exchange, Wire};
use crate::http::{HttpResponse, TransportError};
use crate::model::{CreatedSecret, SecretInfo, Token};
use crate::ops::wire_step;
use crate::record::{StoreRecord, StoredSecret, Tag, random_id};
use crate::request::{create_request, delete_request, list_request, token_request};
use crate::response::{parse_create, parse_delete, parse_list, parse_token};
use crate::retry::RetryPolicy;
use crate::secret::AccessToken;
use crate::step::{Flow, Step, misuse};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Current,
    Pending,
}

/// Why a rotation asks to persist a record, for progress reports and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PersistReason {
    /// Before creating a secret: names the rotation whose orphans a crash would leave.
    Intent,
    /// The server refused the create outright; the intent is dropped.
    IntentCleared,
    /// The new secret, saved before anything else happens.
    Pending,
    /// The verified new secret becomes current; the old id is kept as previous.
    Promote,
    /// The old secret is gone (or provably cannot be identified).
    PreviousCleared,
    /// Orphans of crashed runs are swept.
    Swept,
    /// A pending secret the server never accepted is given up.
    Abandon,
}

impl PersistReason {
    /// A stable name: `intent`, `intent_cleared`, `pending`, `promote`,
    /// `previous_cleared`, `swept` or `abandon`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PersistReason::Intent => "intent",
            PersistReason::IntentCleared => "intent_cleared",
            PersistReason::Pending => "pending",
            PersistReason::Promote => "promote",
            PersistReason::PreviousCleared => "previous_cleared",
            PersistReason::Swept => "swept",
            PersistReason::Abandon => "abandon",
        }
    }
}

use PersistReason as Why;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeleteWhy {
    Old,
    Orphan,
    Compensate,
}

enum Action {
    Login(Source, Exchange<Token>),
    Create(Exchange<CreatedSecret>),
    Delete(String, DeleteWhy, Exchange<()>),
    List(Exchange<Vec<SecretInfo>>),
    Persist(Box<StoreRecord>, Why),
}

/// A rotation of the secret in a [`StoreRecord`]. Drive it with the
/// [`Flow`] loop: it asks to send requests, persist records and sleep, and
/// ends with a [`RotationReport`]. Persist every record before answering
/// [`Flow::on_persisted`] with `Ok`; a crash at any point leaves a store from
/// which the next rotation recovers.
pub struct Rotation {
    config: Config,
    options: RotateOptions,
    record: StoreRecord,
    rotation_id: String,
    token: Option<(Token, Source)>,
    cached: Option<Token>,
    token_is_cached: bool,
    rotate_needed: bool,
    pending_from_earlier_run: bool,
    sweep_needed: bool,
    listing: Option<Vec<SecretInfo>>,
    orphans: Option<Vec<String>>,
    created: Option<CreatedSecret>,
    propagation_failures: u32,
    propagation_waited_ms: u64,
    stage: &'static str,
    action: Option<Action>,
    awaiting: bool,
    sleep_until: Option<u64>,
    failure: Option<Error>,
    deferred: Option<Error>,
    done: bool,
    report: RotationReport,
}

impl Rotation {
    /// A rotation of `record`. `cached_token` is a still-valid token from the
    /// record's current secret, if the caller has one (saves a round trip).
    /// `nonce` is fresh randomness naming this rotation.
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
        let resumed = record.pending.is_some()
            || record.previous_id.is_some()
            || record.previous_unidentified;
        Ok(Self {
            config,
            rotation_id: random_id("r-", &nonce),
            token: None,
            cached: cached_token,
            token_is_cached: false,
            rotate_needed: !resumed,
            pending_from_earlier_run: record.pending.is_some(),
            sweep_needed: record.intent.is_some(),
            listing: None,
            orphans: None,
            created: None,
            propagation_failures: 0,
            propagation_waited_ms: 0,
            stage: "login",
            action: None,
            awaiting: false,
            sleep_until: None,
            failure: None,
            deferred: None,
            done: false,
            report: RotationReport {
                resumed,
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
    /// `verify`, `promote`, `delete_old`, `sweep` or `abandon_pending`.
    #[must_use]
    pub fn stage(&self) -> &'static str {
        self.stage
    }

    /// Why the record of the outstanding [`Step::Persist`] is being saved.
    #[must_use]
    pub fn persist_reason(&self) -> Option<PersistReason> {
        match &self.action {
            Some(Action::Persist(_, why)) => Some(*why),
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
            e @ Error::RotationIncomplete { .. } => e,
            e if self.stage != "login" => Error::RotationIncomplete {
                stage: self.stage.to_owned(),
                cause: Box::new(e),
            },
            e => e,
        };
        self.failure = Some(error);
    }

    fn exchange<T>(
        &self,
        request: Result<crate::http::HttpRequest, Error>,
        parse: crate::exchange::Parser<T>,
    ) -> Result<Exchange<T>, Error> {
        request.map(|r| Exchange::new(r, parse, self.options.retry))
    }

    fn set(&mut self, action: Result<Action, Error>) {
        match action {
            Ok(a) => self.action = Some(a),
            Err(e) => self.fail(e),
        }
    }

    fn persist(&mut self, now_ms: u64, why: Why, change: impl FnOnce(&mut StoreRecord)) {
        let mut next = self.record.next(now_ms);
        change(&mut next);
        self.action = Some(Action::Persist(Box::new(next), why));
    }

    fn login(&mut self, source: Source) {
        let secret = match (source, &self.record.pending) {
            (Source::Pending, Some(p)) => p.secret.clone(),
            _ => self.record.current.secret.clone(),
        };
        let request = Credentials::client(&self.record.client_id, secret)
            .and_then(|c| token_request(&self.config, &c));
        let action = self
            .exchange(request, parse_token)
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

    fn delete(&mut self, id: String, why: DeleteWhy, token: &AccessToken) {
        let action = self
            .exchange(delete_request(&self.config, token, &id), parse_delete)
            .map(|ex| Action::Delete(id, why, ex));
        self.set(action);
    }

    fn list(&mut self, token: &AccessToken) {
        let action = self
            .exchange(list_request(&self.config, token), parse_list)
            .map(Action::List);
        self.set(action);
    }

    /// Chooses the next action from the record and what this run knows.
    /// Returns `false` when there is nothing left to do.
    fn plan(&mut self, now_ms: u64) -> bool {
        if self.record.pending.is_some() {
            self.stage = "verify";
            match &self.token {
                Some((_, Source::Pending)) => {
                    self.stage = "promote";
                    let old = self.record.current.clone();
                    self.persist(now_ms, Why::Promote, |r| {
                        if let Some(p) = r.pending.take() {
                            r.current = p;
                        }
                        r.previous_id = old.id.clone();
                        r.previous_unidentified = old.id.is_none();
                    });
                }
                _ => self.login(Source::Pending),
            }
            return true;
        }
        if let Some(id) = self.record.previous_id.clone() {
            self.stage = "delete_old";
            if let Some(token) = self.current_token() {
                self.delete(id, DeleteWhy::Old, &token);
            }
            return true;
        }
        if self.record.previous_unidentified {
            self.stage = "delete_old";
            let Some(token) = self.current_token() else {
                return true;
            };
            let Some(listing) = &self.listing else {
                self.list(&token);
                return true;
            };
            let candidates = self.unidentified_candidates(listing);
            match candidates.as_slice() {
                [only] => {
                    let id = only.clone();
                    self.delete(id, DeleteWhy::Old, &token);
                }
                others => {
                    let reason = format!(
                        "the replaced secret had no known id and {} other secrets of client `{}` exist; none is provably it",
                        others.len(),
                        self.record.client_id
                    );
                    self.report.kept.extend(others.iter().map(|id| KeptSecret {
                        id: Some(id.clone()),
                        reason: reason.clone(),
                    }));
                    if others.is_empty() {
                        self.report.kept.push(KeptSecret { id: None, reason });
                    }
                    self.persist(now_ms, Why::PreviousCleared, |r| {
                        r.previous_unidentified = false
                    });
                }
            }
            return true;
        }
        if self.sweep_needed {
            self.stage = "sweep";
            let Some(token) = self.current_token() else {
                return true;
            };
            let Some(listing) = &self.listing else {
                self.list(&token);
                return true;
            };
            let orphans = match self.orphans.take() {
                Some(o) => o,
                None => self.orphans_in(listing),
            };
            let mut orphans = orphans;
            match orphans.pop() {
                Some(id) => {
                    self.orphans = Some(orphans);
                    self.delete(id, DeleteWhy::Orphan, &token);
                }
                None => {
                    self.orphans = Some(orphans);
                    self.persist(now_ms, Why::Swept, |r| r.intent = None);
                }
            }
            return true;
        }
        if self.rotate_needed {
            self.stage = "login";
            let Some(token) = self.current_token() else {
                return true;
            };
            if self.record.intent.as_deref() != Some(self.rotation_id.as_str()) {
                let id = self.rotation_id.clone();
                self.persist(now_ms, Why::Intent, |r| r.intent = Some(id));
                return true;
            }
            self.stage = "create";
            let user = self
                .options
                .description
                .clone()
                .or_else(|| self.record.description.clone());
            let description =
                Tag::describe(user.as_deref(), &self.record.lineage, &self.rotation_id);
            // Never retried: the sweep reconciles a create whose answer was lost.
            let action = create_request(&self.config, &token, Some(&description))
                .map(|r| Action::Create(Exchange::new(r, parse_create, RetryPolicy::none())));
            self.set(action);
            return true;
        }
        false
    }

    fn unidentified_candidates(&self, listing: &[SecretInfo]) -> Vec<String> {
        listing
            .iter()
            .filter(|s| s.client_id.as_deref() == Some(self.record.client_id.as_str()))
            .filter(|s| Some(&s.id) != self.record.current.id.as_ref())
            .filter(|s| {
                s.description
                    .as_deref()
                    .and_then(Tag::parse)
                    .is_none_or(|t| t.lineage != self.record.lineage)
            })
            .map(|s| s.id.clone())
            .collect()
    }

    fn orphans_in(&self, listing: &[SecretInfo]) -> Vec<String> {
        let pending = self.record.pending.as_ref().and_then(|p| p.id.as_ref());
        listing
            .iter()
            .filter(|s| {
                s.description
                    .as_deref()
                    .and_then(Tag::parse)
                    .is_some_and(|t| t.lineage == self.record.lineage)
            })
            .filter(|s| Some(&s.id) != self.record.current.id.as_ref() && Some(&s.id) != pending)
            .filter(|s| !self.report.deleted.contains(&s.id))
            .map(|s| s.id.clone())
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

    fn on_login(&mut self, source: Source, result: Result<Token, Error>, now_ms: u64) {
        match (source, result) {
            (_, Ok(token)) => {
                self.token = Some((token, source));
                self.token_is_cached = false;
            }
            // A just-promoted secret (the old one is still to delete) worked once:
            // a replica may not have seen it yet, so wait like for a pending one.
            (Source::Current, Err(e @ Error::InvalidClient { .. })) => {
                let made_by_rotation = self.record.current.rotation.is_some()
                    && (self.record.previous_id.is_some() || self.record.previous_unidentified);
                self.propagation_failures += 1;
                let delay = self
                    .options
                    .propagation
                    .delay_ms(self.propagation_failures, self.propagation_waited_ms);
                match delay.filter(|_| made_by_rotation) {
                    Some(d) => {
                        self.propagation_waited_ms += d;
                        self.sleep_until = Some(now_ms.saturating_add(d));
                    }
                    None => self.fail(e),
                }
            }
            (Source::Pending, Err(Error::InvalidClient { .. })) => {
                self.propagation_failures += 1;
                match self
                    .options
                    .propagation
                    .delay_ms(self.propagation_failures, self.propagation_waited_ms)
                {
                    Some(d) => {
                        self.propagation_waited_ms += d;
                        self.sleep_until = Some(now_ms.saturating_add(d));
                    }
                    None if self.pending_from_earlier_run => {
                        // Never accepted across runs: abandon it; the sweep deletes it.
                        self.stage = "abandon_pending";
                        self.report.kept.push(KeptSecret {
                            id: self.record.pending.as_ref().and_then(|p| p.id.clone()),
                            reason: "pending secret was never accepted; abandoned and swept"
                                .to_owned(),
                        });
                        self.persist(now_ms, Why::Abandon, |r| {
                            if let Some(p) = r.pending.take() {
                                r.intent = p.rotation.or_else(|| r.intent.take());
                            }
                        });
                    }
                    None => {
                        let waited = self.propagation_waited_ms;
                        self.fail(Error::RotationIncomplete {
                            stage: "verify".to_owned(),
                            cause: Box::new(Error::InvalidClient {
                                status: 400,
                                oauth: crate::error::OAuthError {
                                    code: "invalid_client".to_owned(),
                                    description: Some(format!("new secret not accepted after waiting {waited} ms for propagation")),
                                    uri: None,
                                },
                            }),
                        });
                    }
                }
            }
            (_, Err(e)) => self.fail(e),
        }
    }

    fn on_create(&mut self, result: Result<CreatedSecret, Error>, now_ms: u64) {
        match result {
            Ok(created) => {
                self.stage = "persist_pending";
                self.report.new_id = Some(created.id.clone());
                let pending = StoredSecret {
                    id: Some(created.id.clone()),
                    secret: created.secret.clone(),
                    created_at: Some(created.created_at.as_str().to_owned()),
                    rotation: Some(self.rotation_id.clone()),
                };
                self.created = Some(created);
                self.persist(now_ms, Why::Pending, |r| {
                    r.pending = Some(pending);
                    r.intent = None;
                });
            }
            Err(e) if self.retry_without_cache(&e) => {}
            // A 4xx means the server created nothing: clear the intent, then fail.
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
                self.deferred = Some(e);
                self.persist(now_ms, Why::IntentCleared, |r| r.intent = None);
            }
            // Ambiguous (transport, 5xx, unreadable 2xx): keep the intent; the next run sweeps.
            Err(e) => self.fail(e),
        }
    }

    fn on_delete(&mut self, id: String, why: DeleteWhy, result: Result<(), Error>, now_ms: u64) {
        let gone = matches!(result, Ok(()) | Err(Error::NotFound { .. }));
        match (why, result) {
            (DeleteWhy::Compensate, _) => {
                if !gone {
                    self.report.kept.push(KeptSecret {
                        id: Some(id),
                        reason: "could not delete the unsaved new secret; the next run sweeps it"
                            .to_owned(),
                    });
                }
                let e = self
                    .deferred
                    .take()
                    .unwrap_or_else(|| misuse("compensation without cause"));
                self.fail(e);
            }
            (DeleteWhy::Old, _) if gone => {
                self.report.deleted.push(id);
                self.persist(now_ms, Why::PreviousCleared, |r| {
                    r.previous_id = None;
                    r.previous_unidentified = false;
                });
            }
            (DeleteWhy::Orphan, _) if gone => self.report.swept.push(id),
            (_, Err(e)) if self.retry_without_cache(&e) => {}
            (_, Err(e)) => self.fail(e),
            (_, Ok(())) => {}
        }
    }

    fn on_saved(&mut self, record: StoreRecord, why: Why) {
        self.record = record;
        self.report.persists += 1;
        self.report.generation = self.record.generation;
        match why {
            Why::Intent => {}
            Why::IntentCleared => {
                // The server refused the create outright: nothing is half-done.
                let e = self
                    .deferred
                    .take()
                    .unwrap_or_else(|| misuse("intent cleared without cause"));
                self.failure = Some(e);
            }
            Why::Pending => {
                self.created = None;
                self.rotate_needed = false;
                self.stage = "verify";
            }
            Why::Promote => {
                if let Some((_, s)) = &mut self.token {
                    *s = Source::Current;
                }
                self.report.rotated = self.report.rotated
                    || !self.pending_from_earlier_run
                    || self.report.new_id.is_some();
                self.report.old_id = self.record.previous_id.clone();
                self.report.new_id = self.record.current.id.clone();
                self.pending_from_earlier_run = false;
                self.listing = None;
            }
            Why::PreviousCleared => {
                self.listing = self.listing.take().filter(|_| self.sweep_needed)
            }
            Why::Swept => {
                self.sweep_needed = false;
                self.orphans = None;
            }
            Why::Abandon => {
                self.rotate_needed = true;
                self.sweep_needed = true;
                self.pending_from_earlier_run = false;
                self.listing = None;
                self.orphans = None;
                self.propagation_failures = 0;
                self.propagation_waited_ms = 0;
                if matches!(self.token, Some((_, Source::Pending))) {
                    self.token = None;
                }
            }
        }
    }
}

impl Flow for Rotation {
    type Output = RotationReport;

    fn poll(&mut self, now_ms: u64) -> Step<RotationReport> {
        if self.done {
            return Step::Done(Err(misuse("polled after Done")));
        }
        if self.awaiting {
            return Step::Done(Err(misuse("polled before the last step was answered")));
        }
        loop {
            if let Some(e) = self.failure.take() {
                self.done = true;
                return Step::Done(Err(e));
            }
            if let Some(until) = self.sleep_until {
                if now_ms < until {
                    return Step::Sleep(until - now_ms);
                }
                self.sleep_until = None;
            }
            let wire = match &mut self.action {
                Some(Action::Login(_, ex)) => ex.poll(now_ms),
                Some(Action::Create(ex)) => ex.poll(now_ms),
                Some(Action::Delete(_, _, ex)) => ex.poll(now_ms),
                Some(Action::List(ex)) => ex.poll(now_ms),
                Some(Action::Persist(record, _)) => {
                    self.awaiting = true;
                    return Step::Persist(record.clone());
                }
                None => {
                    if self.plan(now_ms) {
                        continue;
                    }
                    self.done = true;
                    self.report.token = match &self.token {
                        Some((t, Source::Current)) => Some(t.clone()),
                        _ => None,
                    };
                    return Step::Done(Ok(self.report.clone()));
                }
            };
            if matches!(wire, Wire::Send(_)) {
                self.report.round_trips += 1;
            }
            return wire_step(wire, &mut self.awaiting);
        }
    }

    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64) {
        if !self.awaiting {
            self.failure = Some(misuse("response without a request"));
            return;
        }
        self.awaiting = false;
        match self.action.take() {
            Some(Action::Login(source, mut ex)) => match ex.on_response(response, now_ms) {
                None => self.action = Some(Action::Login(source, ex)),
                Some(r) => self.on_login(source, r, now_ms),
            },
            Some(Action::Create(mut ex)) => match ex.on_response(response, now_ms) {
                None => self.action = Some(Action::Create(ex)),
                Some(r) => self.on_create(r, now_ms),
            },
            Some(Action::Delete(id, why, mut ex)) => match ex.on_response(response, now_ms) {
                None => self.action = Some(Action::Delete(id, why, ex)),
                Some(r) => self.on_delete(id, why, r, now_ms),
            },
            Some(Action::List(mut ex)) => match ex.on_response(response, now_ms) {
                None => self.action = Some(Action::List(ex)),
                Some(Ok(listing)) => self.listing = Some(listing),
                Some(Err(e)) if self.retry_without_cache(&e) => {}
                Some(Err(e)) => self.fail(e),
            },
            other => {
                self.action = other;
                self.failure = Some(misuse("response while persisting"));
            }
        }
    }

    fn on_persisted(&mut self, result: Result<(), Error>) {
        if !self.awaiting {
            self.failure = Some(misuse("persisted without a request"));
            return;
        }
        self.awaiting = false;
        let Some(Action::Persist(record, why)) = self.action.take() else {
            self.failure = Some(misuse("persisted while sending"));
            return;
        };
        match result {
            Ok(()) => self.on_saved(*record, why),
            Err(e) if why == Why::Pending => {
                // The new secret is not saved: delete it now; the old one is intact.
                self.deferred = Some(e);
                match (self.created.take(), self.current_token()) {
                    (Some(created), Some(token)) => {
                        self.delete(created.id.clone(), DeleteWhy::Compensate, &token)
                    }
                    _ => {
                        let e = self.deferred.take().unwrap_or_else(|| misuse("no cause"));
                        self.fail(e);
                    }
                }
            }
            Err(e) => self.fail(e),
        }
    }
}
