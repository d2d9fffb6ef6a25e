//! [`Task`]: the one flow type a [`Session`] hands out, for every job
//! (token, API call, rotation, seed, claim). A binding drives any task with
//! the same loop and never looks inside.
//!
//! ```text
//! token:  lookup ─hit─────────────────────────────────────▶ done
//!           └─fetch─▶ login ─▶ cache ───────────────────────▶ done
//!           └─wait (another task logs in) ─▶ lookup
//! call:   token ─▶ request ─200─▶ done
//!                     └─401 (once)─▶ forget token ─▶ token ─▶ request
//! rotate: load ─empty─▶ seed (login, list, save gen 1) ─▶ rotation ─▶ adopt ─▶ done
//!           └─record─▶ rotation (cached token if the session serves it) ─▶ adopt ─▶ done
//! seed:   load ─empty─▶ seed ─▶ done     load ─record─▶ done (unchanged)
//! claim:  load ─record─▶ save claimed record ─▶ done
//! status: load ─record─▶ done (status)   └─probe─▶ login (refusal: a finding) ─▶ list ─▶ done
//! ```
//! A seed that loses the race for an empty store loads again once. A
//! rotation whose login with the current secret is refused loads again once
//! too: if the store moved on meanwhile (another run rotated and deleted
//! that secret), the run lost a race and says so (a store conflict: run
//! again) rather than reporting the secret as refused.

use super::Session;
use super::operation::{Answer, Operation};
use crate::cache::{FetchTicket, Lookup};
use crate::error::{Error, StoreErrorKind};
use crate::exchange::{Exchange, wire_step};
use crate::http::{HttpResponse, TransportError};
use crate::model::{CreatedSecret, SecretInfo, Token};
use crate::record::StoreRecord;
use crate::request::token_request;
use crate::response::parse_token;
use crate::rotation::{Rotation, RotationReport};
use crate::secret::{AccessToken, ClientSecret};
use crate::seed::{Seed, SeedOptions, Seeded};
use crate::status::{Probe, Status};
use crate::step::{Flow, PersistReason, Purpose, Step, misuse};

/// The longest a [`Step::Wait`] asks to wait before polling again.
pub const WAIT_MS: u64 = 20;

/// What a [`Task`] yields. One per finished task, matched by value in every
/// binding: its size does not matter, so its records are not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// From [`Session::token`].
    Token(Token),
    /// From a list call.
    Listed(Vec<SecretInfo>),
    /// From a create call: the secret, shown once.
    Created(CreatedSecret),
    /// From a delete call.
    Deleted,
    /// From [`Session::rotate`].
    Rotated(RotationReport),
    /// From [`Session::seed`] and [`Session::claim`]: the store's record.
    Record(StoreRecord),
    /// From [`Session::status`].
    Status(Status),
}

/// Getting a token through the session's cache.
enum Acquire {
    Lookup,
    /// This task holds the session's one login in flight.
    Fetching(Option<FetchTicket>, Exchange<Token>),
}

enum Call {
    Token(Acquire),
    Api(Exchange<Answer>, AccessToken),
}

#[derive(Clone)]
enum StoreJob {
    /// The nonce, and the `max_age` (ms) if the rotation is only when due.
    Rotate([u8; 16], Option<u64>),
    Seed(SeedOptions, [u8; 8]),
    Claim(String),
    /// Probe the server?, and the `max_age` (ms) asked about.
    Status(bool, Option<u64>),
}

enum Stage {
    Load,
    Loaded(Option<Box<StoreRecord>>),
    Seeding(Box<Seed>),
    Rotating(Box<Rotation>, Box<StoreRecord>),
    /// The current secret was refused at login: load again to tell a lost
    /// race (the store's generation moved on) from a refused secret.
    Recheck {
        secret: Box<ClientSecret>,
        refused: Box<Error>,
    },
    Claiming(Box<StoreRecord>),
    Probing(Box<Probe>),
}

enum Job {
    Token(Acquire),
    Call {
        operation: Operation,
        relogged: bool,
        call: Call,
    },
    Store {
        job: StoreJob,
        reloads: u32,
        stage: Stage,
    },
    Finished,
}

/// One job of a [`Session`], driven with the [`Flow`] loop. Dropping a task
/// part-way is safe: a login it held is released to the session's other tasks.
pub struct Task {
    session: Session,
    job: Job,
    awaiting: bool,
    result: Option<Result<Outcome, Error>>,
    persisting: Option<StoreRecord>,
    record: Option<StoreRecord>,
    /// A finished rotation's report, kept past `Done` (a failed run's
    /// partial report is what its caller prints).
    report: Option<RotationReport>,
}

impl Task {
    fn new(session: Session, job: Job) -> Self {
        Self {
            session,
            job,
            awaiting: false,
            result: None,
            persisting: None,
            record: None,
            report: None,
        }
    }

    pub(super) fn token(session: Session) -> Self {
        Self::new(session, Job::Token(Acquire::Lookup))
    }

    pub(super) fn call(session: Session, operation: Operation) -> Self {
        // Refuse a bad operation (no customer id, empty id, ...) before logging in.
        let checked = operation.check(&session.config());
        let mut task = Self::new(
            session,
            Job::Call {
                operation,
                relogged: false,
                call: Call::Token(Acquire::Lookup),
            },
        );
        if let Err(e) = checked {
            task.result = Some(Err(e));
        }
        task
    }

    pub(super) fn rotate(session: Session, nonce: [u8; 16], max_age_ms: Option<u64>) -> Self {
        let mut task = Self::store(session, StoreJob::Rotate(nonce, max_age_ms));
        // Refuse a bad max_age before loading anything.
        if let Some(Err(e)) = max_age_ms.map(crate::rotation::due::check_max_age) {
            task.result = Some(Err(e));
        }
        task
    }

    pub(super) fn seed(session: Session, options: SeedOptions, nonce: [u8; 8]) -> Self {
        Self::store(session, StoreJob::Seed(options, nonce))
    }

    pub(super) fn claim(session: Session, id: String) -> Self {
        Self::store(session, StoreJob::Claim(id))
    }

    pub(super) fn status(session: Session, probe: bool, max_age_ms: Option<u64>) -> Self {
        let mut task = Self::store(session, StoreJob::Status(probe, max_age_ms));
        if let Some(Err(e)) = max_age_ms.map(crate::rotation::due::check_max_age) {
            task.result = Some(Err(e));
        }
        task
    }

    fn store(session: Session, job: StoreJob) -> Self {
        Self::new(
            session,
            Job::Store {
                job,
                reloads: 0,
                stage: Stage::Load,
            },
        )
    }

    /// The store's record as last loaded or saved by this task, if any.
    #[must_use]
    pub fn record(&self) -> Option<&StoreRecord> {
        self.record.as_ref()
    }

    /// What a rotation task has done so far (complete once it is done).
    #[must_use]
    pub fn report(&self) -> Option<&RotationReport> {
        match &self.job {
            Job::Store {
                stage: Stage::Rotating(rotation, _),
                ..
            } => Some(rotation.report()),
            _ => self.report.as_ref(),
        }
    }

    /// Ends the job, keeping a rotation's report.
    fn finish(&mut self) {
        if let Job::Store {
            stage: Stage::Rotating(rotation, _),
            ..
        } = &self.job
        {
            self.report = Some(rotation.report().clone());
        }
        self.job = Job::Finished;
    }

    /// Whether this task holds a login others wait for (for tests).
    #[must_use]
    pub fn holds_login(&self) -> bool {
        matches!(
            &self.job,
            Job::Token(Acquire::Fetching(Some(_), _))
                | Job::Call {
                    call: Call::Token(Acquire::Fetching(Some(_), _)),
                    ..
                }
        )
    }

    fn poll_inner(&mut self, now_ms: u64) -> Step<Outcome> {
        loop {
            if let Some(result) = self.result.take() {
                self.finish();
                return Step::Done(result);
            }
            let session = self.session.clone();
            match &mut self.job {
                Job::Finished => return Step::Done(Err(misuse("polled after Done"))),
                Job::Token(acquire) => match poll_acquire(&session, acquire, now_ms) {
                    Acquired::Step(step) => return self.asked(step),
                    Acquired::Token(token) => self.result = Some(Ok(Outcome::Token(token))),
                    Acquired::Failed(e) => self.result = Some(Err(e)),
                },
                Job::Call {
                    operation, call, ..
                } => match call {
                    Call::Token(acquire) => match poll_acquire(&session, acquire, now_ms) {
                        Acquired::Step(step) => return self.asked(step),
                        Acquired::Token(token) => match start_api(&session, operation, &token) {
                            Ok(next) => *call = next,
                            Err(e) => self.result = Some(Err(e)),
                        },
                        Acquired::Failed(e) => self.result = Some(Err(e)),
                    },
                    Call::Api(exchange, _) => {
                        let step = wire_step(exchange.poll(), &mut false);
                        return self.asked(step);
                    }
                },
                Job::Store { .. } => {
                    if let Some(step) = self.poll_store(now_ms) {
                        return self.asked(step);
                    }
                }
            }
        }
    }

    /// Marks the task as waiting for the answer to a step it asked.
    fn asked(&mut self, step: Step<Outcome>) -> Step<Outcome> {
        if matches!(step, Step::Send(..) | Step::Load | Step::Persist(..)) {
            self.awaiting = true;
        }
        if let Step::Persist(record, _) = &step {
            self.persisting = Some((**record).clone());
        }
        step
    }

    /// The next step of a store job, or `None` to look again.
    fn poll_store(&mut self, now_ms: u64) -> Option<Step<Outcome>> {
        let Job::Store {
            job,
            reloads,
            stage,
        } = &mut self.job
        else {
            return None;
        };
        let session = self.session.clone();
        match stage {
            Stage::Load => Some(Step::Load),
            Stage::Loaded(loaded) => {
                let loaded = loaded.take().map(|r| *r);
                match start_store(&session, job, loaded, now_ms) {
                    Ok(Started::Stage(next)) => *stage = next,
                    Ok(Started::Done(outcome)) => self.result = Some(Ok(outcome)),
                    Err(e) => self.result = Some(Err(e)),
                }
                None
            }
            Stage::Claiming(record) => Some(Step::Persist(record.clone(), PersistReason::Claim)),
            Stage::Seeding(seed) => match seed.poll(now_ms) {
                Step::Done(Ok(seeded)) => {
                    self.record = Some(seeded.record.clone());
                    match seeded_next(&session, job, seeded, now_ms) {
                        Ok(Started::Stage(next)) => *stage = next,
                        Ok(Started::Done(outcome)) => self.result = Some(Ok(outcome)),
                        Err(e) => self.result = Some(Err(e)),
                    }
                    None
                }
                // Another writer seeded the store first: use its record.
                Step::Done(Err(Error::Store {
                    kind: StoreErrorKind::Conflict,
                    ..
                })) if *reloads == 0 => {
                    *reloads += 1;
                    // The seed logged in with the session's own secret.
                    if let Some(token) = seed.token() {
                        session.lock().cache.insert(token.clone(), now_ms);
                    }
                    *stage = Stage::Load;
                    None
                }
                step => pass(step, &mut self.result),
            },
            Stage::Recheck { .. } => Some(Step::Load),
            Stage::Probing(probe) => match probe.poll(now_ms) {
                Step::Done(Ok((status, token))) => {
                    // The store's own secret logged in: the session may keep the token.
                    if let (Some(token), Some(record)) = (token, &self.record) {
                        if session.serves(record) {
                            session.lock().cache.insert(token, now_ms);
                        }
                    }
                    self.result = Some(Ok(Outcome::Status(status)));
                    None
                }
                step => pass(step, &mut self.result),
            },
            Stage::Rotating(rotation, before) => match rotation.poll(now_ms) {
                // Refused before this run saved anything: was the record it
                // read stale? (After a save of its own, a refusal is real.)
                Step::Done(Err(refused @ Error::InvalidClient { .. }))
                    if rotation.report().persists == 0 =>
                {
                    self.report = Some(rotation.report().clone());
                    *stage = Stage::Recheck {
                        secret: Box::new(rotation.record().current.secret.clone()),
                        refused: Box::new(refused),
                    };
                    None
                }
                Step::Done(result) => {
                    session.adopt(
                        before,
                        rotation.record(),
                        result.as_ref().ok().and_then(|r| r.token.as_ref()),
                        now_ms,
                    );
                    self.record = Some(rotation.record().clone());
                    self.result = Some(result.map(Outcome::Rotated));
                    None
                }
                step => pass(step, &mut self.result),
            },
        }
    }
}

/// A sub-flow's step as the task's own; its failure becomes the task's result.
fn pass<T>(step: Step<T>, result: &mut Option<Result<Outcome, Error>>) -> Option<Step<Outcome>> {
    Some(match step {
        Step::Send(request, purpose) => Step::Send(request, purpose),
        Step::Load => Step::Load,
        Step::Persist(record, why) => Step::Persist(record, why),
        Step::Sleep(ms, why) => Step::Sleep(ms, why),
        Step::Wait(ms) => Step::Wait(ms),
        Step::Done(done) => {
            *result = Some(Err(done
                .err()
                .unwrap_or_else(|| misuse("sub-flow ended early"))));
            return None;
        }
    })
}

#[allow(clippy::large_enum_variant)] // Short-lived: returned once per poll.
enum Acquired {
    Step(Step<Outcome>),
    Token(Token),
    Failed(Error),
}

fn poll_acquire(session: &Session, acquire: &mut Acquire, now_ms: u64) -> Acquired {
    if let Acquire::Fetching(_, exchange) = acquire {
        return Acquired::Step(wire_step(exchange.poll(), &mut false));
    }
    let mut shared = session.lock();
    match shared.cache.lookup(now_ms) {
        Lookup::Hit(token) => Acquired::Token(token),
        Lookup::Wait => Acquired::Step(Step::Wait(WAIT_MS)),
        Lookup::Fetch(ticket) => match token_request(&shared.config, &shared.credentials) {
            Ok(request) => {
                let mut exchange = Exchange::new(
                    request,
                    Purpose::Login,
                    parse_token,
                    shared.settings.retry(),
                );
                let step = wire_step(exchange.poll(), &mut false);
                *acquire = Acquire::Fetching(Some(ticket), exchange);
                Acquired::Step(step)
            }
            Err(e) => {
                shared.cache.complete(ticket, None, now_ms);
                Acquired::Failed(e)
            }
        },
    }
}

/// The login's answer: `None` while it retries.
fn acquire_response(
    session: &Session,
    acquire: &mut Acquire,
    response: Result<HttpResponse, TransportError>,
    now_ms: u64,
) -> Option<Result<Token, Error>> {
    let Acquire::Fetching(ticket, exchange) = acquire else {
        return Some(Err(misuse("response without a request")));
    };
    let result = exchange.on_response(response, now_ms)?;
    if let Some(ticket) = ticket.take() {
        session
            .lock()
            .cache
            .complete(ticket, result.as_ref().ok().cloned(), now_ms);
    }
    Some(result)
}

fn start_api(session: &Session, operation: &Operation, token: &Token) -> Result<Call, Error> {
    let (config, retry) = {
        let s = session.lock();
        (s.config.clone(), s.settings.retry())
    };
    let exchange = operation.exchange(&config, &token.access_token, retry)?;
    Ok(Call::Api(exchange, token.access_token.clone()))
}

#[allow(clippy::large_enum_variant)] // Short-lived: returned once per start.
enum Started {
    Stage(Stage),
    Done(Outcome),
}

/// What a store job does with the record it loaded.
fn start_store(
    session: &Session,
    job: &StoreJob,
    loaded: Option<StoreRecord>,
    now_ms: u64,
) -> Result<Started, Error> {
    match (job, loaded) {
        (StoreJob::Rotate(nonce, _), None) => {
            let lineage = tail(nonce);
            start_seed(session, SeedOptions::default(), lineage)
        }
        (StoreJob::Rotate(nonce, max_age), Some(record)) => {
            let cached = if session.serves(&record) {
                session.cached_token(now_ms)
            } else {
                None
            };
            start_rotation(session, record, cached, nonce, *max_age)
        }
        (StoreJob::Seed(options, nonce), None) => start_seed(session, options.clone(), *nonce),
        (StoreJob::Seed(..), Some(record)) => Ok(Started::Done(Outcome::Record(record))),
        (StoreJob::Claim(_), None) => Err(Error::invalid_input(
            "store",
            "the store is empty: seed it first",
        )),
        (StoreJob::Claim(id), Some(record)) => Ok(Started::Stage(Stage::Claiming(Box::new(
            record.claim(id, now_ms)?,
        )))),
        (StoreJob::Status(..), None) => Err(Error::store(
            StoreErrorKind::Missing,
            "the store is empty: seed it first (init)",
        )),
        (StoreJob::Status(probe, max_age), Some(record)) => {
            let status = Status::of(&record, *max_age, now_ms);
            if *probe {
                let retry = session.settings().retry();
                Ok(Started::Stage(Stage::Probing(Box::new(Probe::new(
                    &record, status, retry,
                )?))))
            } else {
                Ok(Started::Done(Outcome::Status(status)))
            }
        }
    }
}

fn start_seed(session: &Session, options: SeedOptions, nonce: [u8; 8]) -> Result<Started, Error> {
    let s = session.lock();
    let crate::config::Credentials::Client { client_id, secret } = &s.credentials else {
        return Err(Error::invalid_input(
            "store",
            "the store is empty, and only a session with a client secret can seed it",
        ));
    };
    let options = SeedOptions {
        description: s.settings.description.clone(),
        retry: s.settings.retry(),
        ..options
    };
    let seed = Seed::new(&s.config, client_id, secret.clone(), options, nonce)?;
    Ok(Started::Stage(Stage::Seeding(Box::new(seed))))
}

fn start_rotation(
    session: &Session,
    record: StoreRecord,
    cached: Option<Token>,
    nonce: &[u8; 16],
    max_age_ms: Option<u64>,
) -> Result<Started, Error> {
    let options = crate::rotation::RotateOptions {
        max_age_ms,
        ..session.settings().rotate_options()
    };
    let before = Box::new(record.clone());
    let mut head = [0u8; 8];
    head.copy_from_slice(nonce.get(..8).unwrap_or(&[0; 8]));
    let rotation = Rotation::new(record, options, cached, head)?;
    Ok(Started::Stage(Stage::Rotating(Box::new(rotation), before)))
}

fn tail(nonce: &[u8; 16]) -> [u8; 8] {
    let mut out = [0u8; 8];
    out.copy_from_slice(nonce.get(8..).unwrap_or(&[0; 8]));
    out
}

/// After a seed: cache its token for the session, then rotate or finish.
fn seeded_next(
    session: &Session,
    job: &StoreJob,
    seeded: Seeded,
    now_ms: u64,
) -> Result<Started, Error> {
    if session.serves(&seeded.record) {
        session.lock().cache.insert(seeded.token.clone(), now_ms);
    }
    match job {
        StoreJob::Rotate(nonce, max_age) => {
            start_rotation(session, seeded.record, Some(seeded.token), nonce, *max_age)
        }
        _ => Ok(Started::Done(Outcome::Record(seeded.record))),
    }
}

impl Flow for Task {
    type Output = Outcome;

    fn poll(&mut self, now_ms: u64) -> Step<Outcome> {
        if self.awaiting {
            self.finish();
            return Step::Done(Err(misuse("polled before the last step was answered")));
        }
        self.poll_inner(now_ms)
    }

    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64) {
        let awaited = std::mem::take(&mut self.awaiting);
        let session = self.session.clone();
        match &mut self.job {
            Job::Token(acquire) if awaited => {
                if let Some(result) = acquire_response(&session, acquire, response, now_ms) {
                    self.result = Some(result.map(Outcome::Token));
                }
            }
            Job::Call {
                operation,
                relogged,
                call,
            } if awaited => match call {
                Call::Token(acquire) => {
                    match acquire_response(&session, acquire, response, now_ms) {
                        None => {}
                        Some(Ok(token)) => match start_api(&session, operation, &token) {
                            Ok(next) => *call = next,
                            Err(e) => self.result = Some(Err(e)),
                        },
                        Some(Err(e)) => self.result = Some(Err(e)),
                    }
                }
                Call::Api(exchange, used) => match exchange.on_response(response, now_ms) {
                    None => {}
                    // The token was refused, whatever the body said: forget
                    // it and log in once more (another task may already have).
                    Some(Err(Error::Unauthorized { .. })) if !*relogged => {
                        *relogged = true;
                        session.lock().cache.invalidate(used);
                        *call = Call::Token(Acquire::Lookup);
                    }
                    Some(result) => {
                        self.result = Some(result.map(|answer| match answer {
                            Answer::Listed(list) => Outcome::Listed(list),
                            Answer::Created(created) => Outcome::Created(created),
                            Answer::Deleted => Outcome::Deleted,
                        }));
                    }
                },
            },
            Job::Store {
                stage: Stage::Seeding(seed),
                ..
            } => seed.on_response(response, now_ms),
            Job::Store {
                stage: Stage::Rotating(rotation, _),
                ..
            } => rotation.on_response(response, now_ms),
            Job::Store {
                stage: Stage::Probing(probe),
                ..
            } => probe.on_response(response, now_ms),
            _ => self.result = Some(Err(misuse("response without a request"))),
        }
    }

    fn on_persisted(&mut self, result: Result<(), Error>) {
        let awaited = std::mem::take(&mut self.awaiting);
        let saved = self.persisting.take();
        if result.is_ok() {
            if let Some(record) = saved {
                self.record = Some(record);
            }
        }
        match &mut self.job {
            Job::Store {
                stage: Stage::Seeding(seed),
                ..
            } => seed.on_persisted(result),
            Job::Store {
                stage: Stage::Rotating(rotation, _),
                ..
            } => rotation.on_persisted(result),
            Job::Store {
                stage: Stage::Claiming(record),
                ..
            } if awaited => {
                self.result = Some(result.map(|()| Outcome::Record((**record).clone())));
            }
            _ => self.result = Some(Err(misuse("persisted without a request"))),
        }
    }

    fn on_loaded(&mut self, result: Result<Option<StoreRecord>, Error>) {
        let awaited = std::mem::take(&mut self.awaiting);
        match (&mut self.job, result) {
            (
                Job::Store {
                    stage: stage @ Stage::Load,
                    ..
                },
                Ok(loaded),
            ) if awaited => {
                self.record.clone_from(&loaded);
                *stage = Stage::Loaded(loaded.map(Box::new));
            }
            (
                Job::Store {
                    stage: Stage::Recheck { secret, refused },
                    ..
                },
                loaded,
            ) if awaited => {
                // A load error or an emptied store: report the refusal as it was.
                let moved_on = loaded
                    .ok()
                    .flatten()
                    .filter(|r| r.current.secret != **secret);
                self.result = Some(Err(match moved_on {
                    Some(record) => {
                        let generation = record.generation;
                        self.record = Some(record);
                        Error::store(
                            StoreErrorKind::Conflict,
                            format!(
                                "another run replaced the store's secret after this rotation read it (the store is at generation {generation}); this run changed nothing; run again"
                            ),
                        )
                    }
                    None => std::mem::replace(&mut **refused, misuse("refusal reported twice")),
                }));
            }
            (Job::Store { .. }, Err(e)) if awaited => self.result = Some(Err(e)),
            _ => self.result = Some(Err(misuse("loaded without a request"))),
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        let acquire = match &mut self.job {
            Job::Token(acquire)
            | Job::Call {
                call: Call::Token(acquire),
                ..
            } => acquire,
            _ => return,
        };
        if let Acquire::Fetching(ticket, _) = acquire {
            if let Some(ticket) = ticket.take() {
                // Abandoned part-way: let the session's other tasks log in.
                self.session.lock().cache.complete(ticket, None, 0);
            }
        }
    }
}
