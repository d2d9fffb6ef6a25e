//! The client object the app holds: [`AuthClient`], a mirror of the core's
//! `Session` with no logic of its own. Each method asks the session for a
//! task and drives it (`driver`) over the app's transport, store and
//! platform; the session decides everything (token cache and single
//! flight, the one re-login after a 401, seeding, cache reuse, which
//! secret the client uses after a rotation).

use crate::config::{ClientConfig, settings};
use crate::driver::{Env, drive};
use crate::error::AuthError;
use crate::events::EventListener;
use crate::http::HttpTransport;
use crate::lock::RotationLock;
use crate::platform::{Platform, SystemPlatform, random};
use crate::progress::Progress;
use crate::rotation::{LoginRotation, RotationReport, SeedOptions};
use crate::secrets::{AccessToken, ClientSecret, CreatedSecret, SecretInfo};
use crate::status::{StoreStatus, max_age_ms};
use crate::store::{SecretStore, StoreRecord};
use mapsindoors_auth::{Credentials, Error, Operation, Outcome, Password, Session, Task};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A MapsIndoors auth client over the app's own HTTP transport (and, to
/// rotate, its secret store).
///
/// Every method is `suspend` in Kotlin and `async throws` in Swift, and
/// throws [`AuthError`] (`AuthException` in Kotlin). Cancelling a call is
/// safe: a rotation cancelled at any point leaves a store that the next
/// `rotate()` finishes or cleans up.
///
/// Tokens are cached: however many calls run at once, one login serves
/// them all, and a token the server refuses (HTTP 401) costs one new login.
/// `seed`, `rotate`, `loginAndRotate` and `claim` of one client run one at a
/// time (an async lock per client). That only saves wasted work: safety
/// comes from the store's compare-and-swap, so two clients (or processes)
/// rotating one store at once are safe too; the loser throws
/// `ConflictRunAgain`.
///
/// `progress` (optional) is told each step before it is taken; `events`
/// (optional) is told after, with how it went and how long it took;
/// `platform` (optional, for tests) replaces the system clock, timer and
/// randomness.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct AuthClient {
    session: Session,
    env: Env,
    lock: RotationLock,
}

impl AuthClient {
    fn build(
        session: Session,
        transport: Arc<dyn HttpTransport>,
        store: impl Into<Option<Arc<dyn SecretStore>>>,
        progress: Option<Arc<dyn Progress>>,
        platform: Option<Arc<dyn Platform>>,
        events: Option<Arc<dyn EventListener>>,
    ) -> Arc<Self> {
        let env = Env {
            timeout_ms: session.settings().timeout_ms,
            transport,
            store: store.into(),
            platform: platform.unwrap_or_else(|| Arc::new(SystemPlatform)),
            progress,
            events,
        };
        let lock = RotationLock::default();
        Arc::new(Self { session, env, lock })
    }

    /// Runs a store job (seed, rotate, claim) under the client's lock.
    async fn run_locked(
        &self,
        task: impl FnOnce() -> Result<Task, Error>,
    ) -> Result<Outcome, AuthError> {
        self.env.store()?;
        let _guard = self.lock.lock().await;
        Ok(drive(task()?, &self.env).await?)
    }

    async fn record(
        &self,
        task: impl FnOnce() -> Result<Task, Error>,
    ) -> Result<Arc<StoreRecord>, AuthError> {
        match self.run_locked(task).await? {
            Outcome::Record(inner) => Ok(Arc::new(StoreRecord { inner })),
            _ => Err(unexpected_output()),
        }
    }
}

#[uniffi::export]
impl AuthClient {
    /// A client that logs in with a client id and secret (`client_credentials`).
    ///
    /// # Errors
    /// `InvalidInput` for an unusable URL, customer id, client id, secret or knob.
    // Kotlin and Swift callers name the optional ones (`events = ...`); a
    // uniffi record cannot carry the foreign listeners instead.
    #[allow(clippy::too_many_arguments)]
    #[uniffi::constructor(default(store = None, progress = None, platform = None, events = None))]
    pub fn with_client_secret(
        config: ClientConfig,
        client_id: String,
        secret: Arc<ClientSecret>,
        transport: Arc<dyn HttpTransport>,
        store: Option<Arc<dyn SecretStore>>,
        progress: Option<Arc<dyn Progress>>,
        platform: Option<Arc<dyn Platform>>,
        events: Option<Arc<dyn EventListener>>,
    ) -> Result<Arc<Self>, AuthError> {
        let session = config.session(Credentials::client(&client_id, secret.inner.clone())?)?;
        Ok(Self::build(
            session, transport, store, progress, platform, events,
        ))
    }

    /// A client that logs in as a user (`password` grant, client id `client`).
    ///
    /// # Errors
    /// `InvalidInput` for an unusable URL, customer id, username, password or knob.
    // Kotlin and Swift callers name the optional ones (`events = ...`); a
    // uniffi record cannot carry the foreign listeners instead.
    #[allow(clippy::too_many_arguments)]
    #[uniffi::constructor(default(store = None, progress = None, platform = None, events = None))]
    pub fn with_password(
        config: ClientConfig,
        username: String,
        password: String,
        transport: Arc<dyn HttpTransport>,
        store: Option<Arc<dyn SecretStore>>,
        progress: Option<Arc<dyn Progress>>,
        platform: Option<Arc<dyn Platform>>,
        events: Option<Arc<dyn EventListener>>,
    ) -> Result<Arc<Self>, AuthError> {
        let session = config.session(Credentials::password(&username, Password::new(password))?)?;
        Ok(Self::build(
            session, transport, store, progress, platform, events,
        ))
    }

    /// A client that logs in with the secret `store` holds, at its server
    /// and customer (an app's usual start once the store is seeded). The
    /// knobs are those of [`ClientConfig`].
    ///
    /// # Errors
    /// `InvalidInput` for an empty store or a knob out of range; `StoreFailed`.
    #[allow(clippy::too_many_arguments)]
    #[uniffi::constructor(default(
        retries = 3,
        propagation_wait_ms = 30000,
        timeout_ms = 30000,
        description = None,
        progress = None,
        platform = None,
        events = None
    ))]
    pub async fn from_store(
        transport: Arc<dyn HttpTransport>,
        store: Arc<dyn SecretStore>,
        retries: i32,
        propagation_wait_ms: i64,
        timeout_ms: i64,
        description: Option<String>,
        progress: Option<Arc<dyn Progress>>,
        platform: Option<Arc<dyn Platform>>,
        events: Option<Arc<dyn EventListener>>,
    ) -> Result<Arc<Self>, AuthError> {
        let settings = settings(retries, propagation_wait_ms, timeout_ms, description)?;
        let Some(record) = store.load().await.map_err(Error::from)? else {
            return Err(AuthError::from(Error::store(
                mapsindoors_auth::StoreErrorKind::Missing,
                "the store is empty: build the client withClientSecret and seed it",
            )));
        };
        let session = Session::from_record(&record.inner, settings)?;
        Ok(Self::build(
            session, transport, store, progress, platform, events,
        ))
    }

    /// A valid access token: the cached one while fresh, else one fetched
    /// (one login at a time, however many callers wait).
    ///
    /// # Errors
    /// Any [`AuthError`]; `CheckCredentials` when the login is refused.
    pub async fn token(&self) -> Result<Arc<AccessToken>, AuthError> {
        match drive(self.session.token(), &self.env).await? {
            Outcome::Token(inner) => Ok(Arc::new(AccessToken { inner })),
            _ => Err(unexpected_output()),
        }
    }

    /// The customer's secrets (metadata only).
    ///
    /// # Errors
    /// Any [`AuthError`].
    pub async fn list_secrets(&self) -> Result<Vec<SecretInfo>, AuthError> {
        match drive(self.session.call(Operation::List), &self.env).await? {
            Outcome::Listed(list) => Ok(list.into_iter().map(SecretInfo::from).collect()),
            _ => Err(unexpected_output()),
        }
    }

    /// Creates a secret. Its value is in the result, shown this once.
    /// `client_id` names the client the secret is for (needed when signed
    /// in as a user, whose token names no client); `null` leaves it to the
    /// server (the signed-in client's own).
    ///
    /// # Errors
    /// Any [`AuthError`]; `InvalidInput` for an unusable `client_id`. A
    /// create is never retried automatically.
    #[uniffi::method(default(description = None, client_id = None))]
    pub async fn create_secret(
        &self,
        description: Option<String>,
        client_id: Option<String>,
    ) -> Result<Arc<CreatedSecret>, AuthError> {
        let task = self.session.call(Operation::Create {
            description,
            client_id,
        });
        match drive(task, &self.env).await? {
            Outcome::Created(inner) => Ok(Arc::new(CreatedSecret { inner })),
            _ => Err(unexpected_output()),
        }
    }

    /// Deletes a secret by id.
    ///
    /// # Errors
    /// Any [`AuthError`]; `NotFound` for an unknown id.
    pub async fn delete_secret(&self, id: String) -> Result<(), AuthError> {
        match drive(self.session.call(Operation::Delete { id }), &self.env).await? {
            Outcome::Deleted => Ok(()),
            _ => Err(unexpected_output()),
        }
    }

    /// Seeds the store given to the constructor, if it is empty, with the
    /// secret this client logs in with: logs in, lists the client's secrets
    /// to identify it, and saves the first record (generation 1) before any
    /// remote change. Unless `options` claim it, the secret is never deleted
    /// by a rotation (it is kept and reported: it may be shared with other
    /// installations). Returns the store's record; a store that already
    /// holds one is left unchanged (claim a kept secret with `claim`).
    ///
    /// # Errors
    /// `InvalidInput` for a `secret_id` that is not one of the client's
    /// secrets, `claim` when the client has several, no store or password
    /// credentials; `CheckCredentials` when the secret does not log in;
    /// `StoreFailed`; any other [`AuthError`].
    pub async fn seed(&self, options: SeedOptions) -> Result<Arc<StoreRecord>, AuthError> {
        let nonce = || random(&*self.env.platform);
        let task = || Ok(self.session.seed(options.into(), nonce()?));
        self.record(task).await
    }

    /// Claims a kept secret (or the current one, or a candidate of either)
    /// as this store's own, with a compare-and-swap save: the next rotation
    /// deletes a claimed kept secret, and a claimed current secret is deleted
    /// once a rotation replaces it. Claim only a secret no other installation
    /// or job uses. Returns the record saved.
    ///
    /// # Errors
    /// `InvalidInput` when `id` is not such a secret, an old secret is still
    /// being deleted (rotate first), or the store is empty;
    /// `ConflictRunAgain` when another writer changed the store meanwhile;
    /// `StoreFailed`.
    pub async fn claim(&self, id: String) -> Result<Arc<StoreRecord>, AuthError> {
        self.record(|| Ok(self.session.claim(&id))).await
    }

    /// Rotates the secret in the store given to the constructor: creates a
    /// new secret, saves it, verifies it, makes it current and deletes the
    /// old one if it is provably this store's own (else keeps and reports
    /// it), first finishing any earlier interrupted rotation. An empty store
    /// is first seeded (as [`AuthClient::seed`] with default options: the
    /// handed-in secret is kept, not deleted). A client that logs in with
    /// the store's secret switches to the new one.
    ///
    /// # Errors
    /// `ConflictRunAgain` when another writer (another client, process or
    /// installation sharing the store) changed the store meanwhile (safe:
    /// run it again); `RotationIncompleteRunAgain` when it stopped part-way
    /// (safe: run it again); `StoreFailed` when the store cannot be read or
    /// written; any other [`AuthError`].
    ///
    /// With `max_age`, a new secret is created only when the current one is
    /// at least that old (its date from the store, or from one listing when
    /// the store does not know it; unknown: rotate), and unfinished work is
    /// finished either way; the report's `decision` and `dueAt` say what was
    /// decided. A secret not yet due costs no request when the store knows
    /// its date. `max_age` is rounded to whole milliseconds; zero or more
    /// than ten years is `InvalidInput` (field `max_age`).
    #[uniffi::method(default(max_age = None))]
    pub async fn rotate(&self, max_age: Option<Duration>) -> Result<RotationReport, AuthError> {
        let max_age_ms = max_age.map(max_age_ms);
        let task = || {
            let nonce = random(&*self.env.platform)?;
            Ok(match max_age_ms {
                Some(ms) => self.session.rotate_if_older_than(ms, nonce),
                None => self.session.rotate(nonce),
            })
        };
        match self.run_locked(task).await? {
            Outcome::Rotated(report) => Ok(RotationReport::from(&report)),
            _ => Err(unexpected_output()),
        }
    }

    /// The status of the store given to the constructor, for monitoring:
    /// its generation, the current secret's id and age, when it is due
    /// (with `max_age`), an unfinished rotation's stage, kept secrets, the
    /// last rotation, and the core's verdict (`health`, `exitCode`,
    /// `findings`). Read from the record alone; with `probe`, also one
    /// login with the current secret (a refusal is a `critical` finding,
    /// not an error) and one listing (the client's secret count, and the
    /// secret's date when the store lacks it).
    ///
    /// # Errors
    /// `StoreFailed` (code `store`) for an empty or unreadable store;
    /// `InvalidInput` without a store or for a `max_age` of zero or more
    /// than ten years; with `probe`, `Network`, `Retry` and the like when
    /// the server could not be asked.
    #[uniffi::method(default(probe = false, max_age = None))]
    pub async fn status(
        &self,
        probe: bool,
        max_age: Option<Duration>,
    ) -> Result<StoreStatus, AuthError> {
        self.env.store()?;
        let task = self.session.status(probe, max_age.map(max_age_ms));
        match drive(task, &self.env).await? {
            Outcome::Status(status) => Ok(StoreStatus::from(&status)),
            _ => Err(unexpected_output()),
        }
    }

    /// Rotate at login: rotates (as [`AuthClient::rotate`]), then returns
    /// this client's token, from the new secret when the client switched to
    /// it (the rotation's own login is reused), so every login uses a
    /// fresh secret (with `max_age`: a secret at most that old).
    ///
    /// # Errors
    /// As [`AuthClient::rotate`] and [`AuthClient::token`].
    #[uniffi::method(default(max_age = None))]
    pub async fn login_and_rotate(
        &self,
        max_age: Option<Duration>,
    ) -> Result<LoginRotation, AuthError> {
        let report = self.rotate(max_age).await?;
        Ok(LoginRotation {
            token: self.token().await?,
            report,
        })
    }
}

fn unexpected_output() -> AuthError {
    AuthError::from(Error::InvalidInput {
        field: "operation".to_owned(),
        reason: "the core returned another operation's output".to_owned(),
    })
}

/// `AuthClient(client X at URL, customer C)`: never a secret.
impl fmt::Display for AuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthClient({})", self.session)
    }
}
