//! Seeding a store: log in with a secret handed in from outside, identify it
//! among the client's secrets, and hand out the first record (generation 1)
//! to save before any remote change. Ownership is never inferred: a seeded
//! secret is deleted by a later rotation only when the caller claims it.

use crate::config::{Config, Credentials};
use crate::error::Error;
use crate::exchange::Exchange;
use crate::exchange::wire_step;
use crate::http::{HttpResponse, TransportError};
use crate::model::{SecretInfo, Token};
use crate::record::{Candidate, MAX_KEPT, StoreRecord, mint_lineage};
use crate::request::{list_request, token_request};
use crate::response::{parse_list, parse_token};
use crate::retry::RetryPolicy;
use crate::secret::ClientSecret;
use crate::step::{Flow, PersistReason, Purpose, Step, misuse};

/// How to seed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedOptions {
    /// The id of the secret handed in, if the caller knows it. Naming it
    /// claims it: the first rotation deletes it. It must be one of the
    /// client's secrets.
    pub secret_id: Option<String>,
    /// Claim the secret when it is the client's only one (its id is then
    /// certain): the first rotation deletes it. Say so only when no other
    /// job or installation was given the same secret.
    pub claim: bool,
    /// The description for secrets the store creates.
    pub description: Option<String>,
    /// Retries of the login and the listing.
    pub retry: RetryPolicy,
}

/// A seeded store: the first record, saved, and the login's token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Seeded {
    /// The record as saved (generation 1).
    pub record: StoreRecord,
    /// The token the seed logged in with, for the caller's cache.
    pub token: Token,
}

#[derive(Clone)]
enum Phase {
    Login(Exchange<Token>),
    List(Exchange<Vec<SecretInfo>>),
    Persist(Box<StoreRecord>),
    Done,
}

/// The seeding flow: `Send` (login), `Send` (list), `Persist` (generation
/// 1: the store must still be empty, so save only if it holds no record),
/// then `Done` with [`Seeded`]. Drive it with the [`Flow`] loop.
#[derive(Clone)]
pub struct Seed {
    config: Config,
    client_id: String,
    secret: ClientSecret,
    options: SeedOptions,
    lineage: String,
    token: Option<Token>,
    phase: Phase,
    awaiting: bool,
    failure: Option<Error>,
    seeded: Option<Seeded>,
}

impl Seed {
    /// Seeds a store for `client_id` with `secret`. `nonce` is fresh
    /// randomness naming the store's lineage.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unusable config (a customer id is
    /// needed) or credentials.
    pub fn new(
        config: &Config,
        client_id: &str,
        secret: ClientSecret,
        options: SeedOptions,
        nonce: [u8; 8],
    ) -> Result<Self, Error> {
        config.require_customer_id()?;
        if options.secret_id.as_deref() == Some("") {
            return Err(Error::invalid_input("secret_id", "must not be empty"));
        }
        let credentials = Credentials::client(client_id, secret.clone())?;
        let login = Exchange::new(
            token_request(config, &credentials)?,
            Purpose::Login,
            parse_token,
            options.retry,
        );
        Ok(Self {
            config: config.clone(),
            client_id: client_id.to_owned(),
            secret,
            lineage: mint_lineage(nonce),
            options,
            token: None,
            phase: Phase::Login(login),
            awaiting: false,
            failure: None,
            seeded: None,
        })
    }

    /// The token of the seed's login, once it has one (the session's own
    /// credentials: cacheable even when the seed loses the race).
    #[must_use]
    pub fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// The lineage the new store gets.
    #[must_use]
    pub fn lineage(&self) -> &str {
        &self.lineage
    }

    fn record(&self, listing: &[SecretInfo]) -> Result<StoreRecord, Error> {
        let mine: Vec<&SecretInfo> = listing
            .iter()
            .filter(|s| s.client_id.as_deref() == Some(self.client_id.as_str()))
            .collect();
        let mut record = StoreRecord::new(
            &self.config,
            &self.client_id,
            self.secret.clone(),
            None,
            &self.lineage,
        )?;
        record.description = self.options.description.clone();
        let current = &mut record.current;
        match (&self.options.secret_id, mine.as_slice()) {
            (Some(id), _) => {
                let Some(found) = mine.iter().find(|s| s.id == *id) else {
                    return Err(Error::invalid_input(
                        "secret_id",
                        format!(
                            "client `{}` has no secret with that id ({} secrets listed)",
                            self.client_id,
                            mine.len()
                        ),
                    ));
                };
                current.id = Some(id.clone());
                current.created_at = Some(found.created_at.as_str().to_owned());
                current.owned = true;
            }
            (None, [only]) => {
                current.id = Some(only.id.clone());
                current.created_at = Some(only.created_at.as_str().to_owned());
                current.owned = self.options.claim;
            }
            (None, several) => {
                if self.options.claim {
                    return Err(Error::invalid_input(
                        "claim",
                        format!(
                            "client `{}` has {} secrets: name the one handed in (its id) to claim it",
                            self.client_id,
                            several.len()
                        ),
                    ));
                }
                current.candidates = several
                    .iter()
                    .take(MAX_KEPT)
                    .map(|s| Candidate {
                        id: s.id.clone(),
                        created_at: Some(s.created_at.as_str().to_owned()),
                    })
                    .collect();
            }
        }
        Ok(record)
    }
}

impl Flow for Seed {
    type Output = Seeded;

    fn poll(&mut self, now_ms: u64) -> Step<Seeded> {
        if self.awaiting {
            return Step::Done(Err(misuse("polled before the last step was answered")));
        }
        if let Some(e) = self.failure.take() {
            self.phase = Phase::Done;
            return Step::Done(Err(e));
        }
        if let Some(seeded) = self.seeded.take() {
            return Step::Done(Ok(seeded));
        }
        match &mut self.phase {
            Phase::Login(ex) => wire_step(ex.poll(), &mut self.awaiting),
            Phase::List(ex) => wire_step(ex.poll(), &mut self.awaiting),
            Phase::Persist(record) => {
                self.awaiting = true;
                record.updated_at_ms = now_ms;
                Step::Persist(record.clone(), PersistReason::Seed)
            }
            Phase::Done => Step::Done(Err(misuse("polled after Done"))),
        }
    }

    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64) {
        if !self.awaiting {
            self.failure = Some(misuse("response without a request"));
            return;
        }
        self.awaiting = false;
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Login(mut ex) => match ex.on_response(response, now_ms) {
                None => self.phase = Phase::Login(ex),
                Some(Ok(token)) => {
                    match list_request(&self.config, &token.access_token) {
                        Ok(req) => {
                            self.phase = Phase::List(Exchange::new(
                                req,
                                Purpose::List,
                                parse_list,
                                self.options.retry,
                            ));
                        }
                        Err(e) => self.failure = Some(e),
                    }
                    self.token = Some(token);
                }
                Some(Err(e)) => self.failure = Some(e),
            },
            Phase::List(mut ex) => match ex.on_response(response, now_ms) {
                None => self.phase = Phase::List(ex),
                Some(Ok(listing)) => match self.record(&listing) {
                    Ok(record) => self.phase = Phase::Persist(Box::new(record)),
                    Err(e) => self.failure = Some(e),
                },
                Some(Err(e)) => self.failure = Some(e),
            },
            other => {
                self.phase = other;
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
        let (Phase::Persist(record), Some(token)) = (
            std::mem::replace(&mut self.phase, Phase::Done),
            self.token.take(),
        ) else {
            self.failure = Some(misuse("persisted while sending"));
            return;
        };
        match result {
            Ok(()) => {
                self.seeded = Some(Seeded {
                    record: *record,
                    token,
                });
            }
            Err(e) => {
                self.token = Some(token);
                self.failure = Some(e);
            }
        }
    }
}
