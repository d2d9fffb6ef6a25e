//! [`Client`]: a core [`Session`] plus a [`Platform`], one method per job,
//! each a task the session hands out run through [`drive`]. The session makes
//! every decision (token cache, single flight, re-login after a 401, seeding,
//! adopting the new secret); the client only picks the task and unwraps its
//! outcome. A method fails with its task's error.

use crate::driver::{Platform, drive};
use mapsindoors_auth::{
    CreatedSecret, Error, Operation, Outcome, RotationReport, SecretInfo, SeedOptions, Session,
    Status, StoreRecord, Task, Token,
};

/// A session driven on one platform.
#[derive(Debug)]
pub struct Client<P> {
    session: Session,
    platform: P,
}

/// An outcome of another job than asked (never printed: it may hold a secret).
fn unexpected(_: &Outcome) -> Error {
    Error::InvalidInput {
        field: "flow".to_owned(),
        reason: "the task yielded another job's outcome".to_owned(),
    }
}

impl<P: Platform> Client<P> {
    /// A client of `session` on `platform`.
    pub fn new(session: Session, platform: P) -> Self {
        Self { session, platform }
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }

    fn run(&self, mut task: Task) -> Result<Outcome, Error> {
        drive(&mut task, &self.platform, |_| {})
    }

    fn random<const N: usize>(&self) -> Result<[u8; N], Error> {
        let mut bytes = [0u8; N];
        self.platform.random(&mut bytes)?;
        Ok(bytes)
    }

    /// A valid access token (the session's cached one while fresh).
    pub fn token(&self) -> Result<Token, Error> {
        match self.run(self.session.token())? {
            Outcome::Token(token) => Ok(token),
            other => Err(unexpected(&other)),
        }
    }

    /// The customer's secrets.
    pub fn list(&self) -> Result<Vec<SecretInfo>, Error> {
        match self.run(self.session.call(Operation::List))? {
            Outcome::Listed(list) => Ok(list),
            other => Err(unexpected(&other)),
        }
    }

    /// Creates a secret.
    pub fn create(&self, description: Option<String>) -> Result<CreatedSecret, Error> {
        match self.run(self.session.call(Operation::Create {
            description,
            client_id: None,
        }))? {
            Outcome::Created(created) => Ok(created),
            other => Err(unexpected(&other)),
        }
    }

    /// Deletes a secret by id.
    pub fn delete(&self, id: &str) -> Result<(), Error> {
        let id = id.to_owned();
        match self.run(self.session.call(Operation::Delete { id }))? {
            Outcome::Deleted => Ok(()),
            other => Err(unexpected(&other)),
        }
    }

    /// Rotates the store's secret (seeding an empty store first); with
    /// `max_age_ms`, only when the current secret is that old (the core's
    /// rule; unfinished work is finished either way). On failure it first
    /// hands `partial` its report so far, if it got as far as loading the
    /// store, then returns the rotation's error.
    pub fn rotate(
        &self,
        max_age_ms: Option<u64>,
        partial: impl FnOnce(&RotationReport),
    ) -> Result<RotationReport, Error> {
        let nonce = self.random()?;
        let mut task = match max_age_ms {
            Some(ms) => self.session.rotate_if_older_than(ms, nonce),
            None => self.session.rotate(nonce),
        };
        match drive(&mut task, &self.platform, partial)? {
            Outcome::Rotated(report) => Ok(report),
            other => Err(unexpected(&other)),
        }
    }

    /// Seeds an empty store with the session's secret; a store that holds a
    /// record is left as it is. Returns the store's record.
    pub fn seed(&self, options: SeedOptions) -> Result<StoreRecord, Error> {
        match self.run(self.session.seed(options, self.random()?))? {
            Outcome::Record(record) => Ok(record),
            other => Err(unexpected(&other)),
        }
    }

    /// The store's status; with `probe`, one login with its current secret
    /// and one listing.
    pub fn status(&self, probe: bool, max_age_ms: Option<u64>) -> Result<Status, Error> {
        match self.run(self.session.status(probe, max_age_ms))? {
            Outcome::Status(status) => Ok(status),
            other => Err(unexpected(&other)),
        }
    }

    /// The session (for its token cache).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Claims a kept (or the current) secret as the store's own; returns the
    /// saved record.
    pub fn claim(&self, id: &str) -> Result<StoreRecord, Error> {
        match self.run(self.session.claim(id))? {
            Outcome::Record(record) => Ok(record),
            other => Err(unexpected(&other)),
        }
    }
}
