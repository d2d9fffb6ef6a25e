//! The single-request flows: fetch a token ([`TokenFlow`]) and call the
//! secrets endpoint ([`ApiCall`]) with a cached token, logging in when there
//! is none and once more after a 401. Rotation lives in [`crate::rotation`].

use crate::config::{Config, Credentials};
use crate::error::Error;
use crate::exchange::{Exchange, Parser, Wire};
use crate::http::{HttpResponse, TransportError};
use crate::model::{CreatedSecret, SecretInfo, Token};
use crate::request::{create_request, delete_request, list_request, token_request};
use crate::response::{parse_create, parse_delete, parse_list, parse_token};
use crate::retry::RetryPolicy;
use crate::secret::AccessToken;
use crate::step::{Flow, Step, misuse};

/// Fetches an access token, retrying transient failures.
pub struct TokenFlow {
    exchange: Option<Exchange<Token>>,
    error: Option<Error>,
    awaiting: bool,
    result: Option<Result<Token, Error>>,
}

impl TokenFlow {
    /// A flow that logs in with these credentials.
    #[must_use]
    pub fn new(config: &Config, credentials: &Credentials, policy: RetryPolicy) -> Self {
        match token_request(config, credentials) {
            Ok(req) => Self {
                exchange: Some(Exchange::new(req, parse_token, policy)),
                error: None,
                awaiting: false,
                result: None,
            },
            Err(e) => Self {
                exchange: None,
                error: Some(e),
                awaiting: false,
                result: None,
            },
        }
    }
}

impl Flow for TokenFlow {
    type Output = Token;

    fn poll(&mut self, now_ms: u64) -> Step<Token> {
        if let Some(e) = self.error.take() {
            return Step::Done(Err(e));
        }
        if let Some(r) = self.result.take() {
            self.exchange = None;
            return Step::Done(r);
        }
        match (&mut self.exchange, self.awaiting) {
            (Some(ex), false) => wire_step(ex.poll(now_ms), &mut self.awaiting),
            (Some(_), true) => Step::Done(Err(misuse("polled before on_response"))),
            (None, _) => Step::Done(Err(misuse("polled after Done"))),
        }
    }

    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64) {
        self.awaiting = false;
        if let Some(ex) = &mut self.exchange {
            self.result = ex.on_response(response, now_ms);
        }
    }

    fn on_persisted(&mut self, _result: Result<(), Error>) {
        self.error = Some(misuse("TokenFlow never asks to persist"));
    }
}

/// A call to the secrets endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `GET`: list secrets.
    List,
    /// `POST`: create a secret with an optional description.
    Create {
        /// The description.
        description: Option<String>,
    },
    /// `DELETE`: delete a secret by id.
    Delete {
        /// The secret's id.
        id: String,
    },
}

/// What an [`ApiCall`] yields.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiOutput {
    /// From [`Operation::List`].
    Listed(Vec<SecretInfo>),
    /// From [`Operation::Create`]: the secret, shown once.
    Created(CreatedSecret),
    /// From [`Operation::Delete`].
    Deleted,
}

/// The result of an [`ApiCall`], with any token it had to fetch so the
/// caller can put it in its cache.
#[derive(Debug)]
pub struct CallOutput {
    /// The operation's result.
    pub value: ApiOutput,
    /// A token fetched during the call, for the caller's cache.
    pub new_token: Option<Token>,
}

enum Phase {
    Login(Exchange<Token>),
    Api(Exchange<ApiOutput>),
}

/// Calls the secrets endpoint: uses the given token, or logs in first; on a
/// 401 with a token it did not fetch itself, logs in once and tries again.
pub struct ApiCall {
    config: Config,
    credentials: Credentials,
    policy: RetryPolicy,
    operation: Operation,
    phase: Option<Phase>,
    awaiting: bool,
    fetched: Option<Token>,
    finished: Option<Result<ApiOutput, Error>>,
    done: bool,
}

impl ApiCall {
    /// A call, with a cached token if the caller has one.
    #[must_use]
    pub fn new(
        config: &Config,
        credentials: &Credentials,
        policy: RetryPolicy,
        operation: Operation,
        token: Option<AccessToken>,
    ) -> Self {
        let mut call = Self {
            config: config.clone(),
            credentials: credentials.clone(),
            policy,
            operation,
            phase: None,
            awaiting: false,
            fetched: None,
            finished: None,
            done: false,
        };
        // Refuse a bad operation (no customer id, empty id, ...) before logging in.
        if let Err(e) = call.build(&AccessToken::new("validation-only")) {
            call.finished = Some(Err(e));
            return call;
        }
        match token {
            Some(t) => call.start_api(&t),
            None => call.start_login(),
        }
        call
    }

    /// Whether this operation's request can be built, without sending anything.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a missing customer id, an empty id or a bad description.
    pub fn check(config: &Config, operation: &Operation) -> Result<(), Error> {
        let token = AccessToken::new("validation-only");
        match operation {
            Operation::List => list_request(config, &token),
            Operation::Create { description } => {
                create_request(config, &token, description.as_deref())
            }
            Operation::Delete { id } => delete_request(config, &token, id),
        }
        .map(drop)
    }

    fn build(&self, token: &AccessToken) -> Result<(), Error> {
        Self::check(&self.config, &self.operation).and_then(|()| {
            if token.is_empty() {
                Err(Error::invalid_input("access_token", "must not be empty"))
            } else {
                Ok(())
            }
        })
    }

    fn start_login(&mut self) {
        match token_request(&self.config, &self.credentials) {
            Ok(req) => {
                self.phase = Some(Phase::Login(Exchange::new(req, parse_token, self.policy)))
            }
            Err(e) => self.finished = Some(Err(e)),
        }
    }

    fn start_api(&mut self, token: &AccessToken) {
        let (request, parse): (_, Parser<ApiOutput>) = match &self.operation {
            Operation::List => (list_request(&self.config, token), |r| {
                parse_list(r).map(ApiOutput::Listed)
            }),
            Operation::Create { description } => (
                create_request(&self.config, token, description.as_deref()),
                |r| parse_create(r).map(ApiOutput::Created),
            ),
            Operation::Delete { id } => (delete_request(&self.config, token, id), |r| {
                parse_delete(r).map(|()| ApiOutput::Deleted)
            }),
        };
        // A create is never retried blindly: a retry could leave an orphan.
        let policy = if matches!(self.operation, Operation::Create { .. }) {
            RetryPolicy::none()
        } else {
            self.policy
        };
        match request {
            Ok(req) => self.phase = Some(Phase::Api(Exchange::new(req, parse, policy))),
            Err(e) => self.finished = Some(Err(e)),
        }
    }
}

impl Flow for ApiCall {
    type Output = CallOutput;

    fn poll(&mut self, now_ms: u64) -> Step<CallOutput> {
        if self.done {
            return Step::Done(Err(misuse("polled after Done")));
        }
        if self.awaiting {
            return Step::Done(Err(misuse("polled before on_response")));
        }
        if let Some(result) = self.finished.take() {
            self.done = true;
            return Step::Done(result.map(|value| CallOutput {
                value,
                new_token: self.fetched.take(),
            }));
        }
        let wire = match &mut self.phase {
            Some(Phase::Login(ex)) => ex.poll(now_ms),
            Some(Phase::Api(ex)) => ex.poll(now_ms),
            None => return Step::Done(Err(misuse("no phase"))),
        };
        wire_step(wire, &mut self.awaiting)
    }

    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64) {
        self.awaiting = false;
        match self.phase.take() {
            Some(Phase::Login(mut ex)) => match ex.on_response(response, now_ms) {
                None => self.phase = Some(Phase::Login(ex)),
                Some(Ok(token)) => {
                    self.start_api(&token.access_token.clone());
                    self.fetched = Some(token);
                }
                Some(Err(e)) => self.finished = Some(Err(e)),
            },
            Some(Phase::Api(mut ex)) => match ex.on_response(response, now_ms) {
                None => self.phase = Some(Phase::Api(ex)),
                Some(Err(Error::Unauthorized { .. })) if self.fetched.is_none() => {
                    self.start_login()
                }
                Some(result) => self.finished = Some(result),
            },
            None => self.finished = Some(Err(misuse("response without a request"))),
        }
    }

    fn on_persisted(&mut self, _result: Result<(), Error>) {
        self.finished = Some(Err(misuse("ApiCall never asks to persist")));
    }
}

pub(crate) fn wire_step<T>(wire: Wire, awaiting: &mut bool) -> Step<T> {
    match wire {
        Wire::Send(req) => {
            *awaiting = true;
            Step::Send(req)
        }
        Wire::Sleep(ms) => Step::Sleep(ms),
    }
}
