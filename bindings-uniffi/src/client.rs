//! The client object the app holds: [`AuthClient`], configured by
//! [`ClientConfig`]. Each method starts a core flow and drives it over the
//! app's transport (and store); tokens are cached with single flight, and
//! the store's writers (seed, rotate, claim) take the client's lock.

use crate::driver::{drive, now_ms, random_bytes, save_cas};
use crate::error::AuthError;
use crate::http::HttpTransport;
use crate::lock::RotationLock;
use crate::secrets::{AccessToken, ClientSecret, CreatedSecret, SecretInfo};
use crate::store::{KeptSecret, SecretStore};
use crate::tokens::{Lease, Tokens};
use mapsindoors_auth::{
    ApiCall, ApiOutput, Config, Credentials, Error, Operation, Password, PropagationPolicy,
    RetryPolicy, RotateOptions, Rotation, Seed, StoreErrorKind, StoreRecord, Token, TokenFlow,
};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// Where the client talks to and how patient it is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClientConfig {
    /// The auth server, `https://auth.mapsindoors.com` in production. Plain
    /// `http` is accepted only for loopback hosts (emulators, tests).
    pub auth_url: String,
    /// The customer whose secrets are managed; needed by every method but `token()`.
    #[uniffi(default)]
    pub customer_id: Option<String>,
    /// Attempts in all for idempotent requests (token, list, delete) that
    /// fail transiently; 1 disables retries. A create is never retried.
    #[uniffi(default = 4)]
    pub max_attempts: u32,
    /// How long a rotation waits for a new secret to be accepted before
    /// giving up safely (the old secret stays in use).
    #[uniffi(default = 30000)]
    pub propagation_max_wait_ms: u64,
    /// The description for secrets a rotation creates (a lineage tag is appended).
    #[uniffi(default)]
    pub rotation_description: Option<String>,
}

/// What a rotation did. Holds ids only, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RotationReport {
    /// Whether this run created a secret and made it current.
    pub rotated: bool,
    /// Whether it first finished an earlier, interrupted rotation.
    pub resumed: bool,
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
    pub round_trips: u32,
    /// Records saved.
    pub persists: u32,
    /// The store generation at the end.
    pub generation: u64,
}

/// How to seed an empty store with the secret the client logs in with
/// ([`AuthClient::seed`]; `rotate()` on an empty store seeds with the
/// defaults). Seeding logs in, lists the client's secrets to identify the
/// secret, and saves the first record before any remote change.
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

/// The result of [`AuthClient::login_and_rotate`]: a token from the new
/// secret, and what the rotation did.
#[derive(uniffi::Record)]
pub struct LoginRotation {
    /// A token to use now (its `toString` redacts).
    pub token: Arc<AccessToken>,
    /// What the rotation did.
    pub report: RotationReport,
}

impl From<&mapsindoors_auth::RotationReport> for RotationReport {
    fn from(r: &mapsindoors_auth::RotationReport) -> Self {
        Self {
            rotated: r.rotated,
            resumed: r.resumed,
            old_id: r.old_id.clone(),
            new_id: r.new_id.clone(),
            deleted: r.deleted.clone(),
            swept: r.swept.clone(),
            kept: r.kept.iter().map(KeptSecret::from).collect(),
            round_trips: r.round_trips,
            persists: r.persists,
            generation: r.generation,
        }
    }
}

/// A MapsIndoors auth client over the app's own HTTP transport.
///
/// Every method is `suspend` in Kotlin and `async throws` in Swift, and
/// throws [`AuthError`] (`AuthException` in Kotlin). Cancelling a call is
/// safe: a rotation cancelled at any point leaves a store that the next
/// `rotate()` finishes or cleans up.
///
/// `seed`, `rotate`, `loginAndRotate` and `claim` of one client run one at a
/// time (an async lock per client). That only saves wasted work: safety
/// comes from the store's compare-and-swap, so two clients (or processes)
/// rotating one store at once are safe too; the loser throws
/// `ConflictRunAgain`.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct AuthClient {
    config: Config,
    retry: RetryPolicy,
    rotate_options: RotateOptions,
    credentials: Mutex<Credentials>,
    transport: Arc<dyn HttpTransport>,
    store: Option<Arc<dyn SecretStore>>,
    tokens: Tokens,
    lock: RotationLock,
}

impl AuthClient {
    fn build(
        config: ClientConfig,
        credentials: Credentials,
        transport: Arc<dyn HttpTransport>,
        store: Option<Arc<dyn SecretStore>>,
    ) -> Result<Arc<Self>, AuthError> {
        let mut core = Config::new(&config.auth_url)?;
        if let Some(customer) = &config.customer_id {
            core = core.with_customer_id(customer)?;
        }
        let retry = RetryPolicy {
            max_attempts: config.max_attempts.max(1),
            ..RetryPolicy::default()
        };
        let propagation = PropagationPolicy {
            max_wait_ms: config.propagation_max_wait_ms,
            ..PropagationPolicy::default()
        };
        let rotate_options = RotateOptions {
            description: config.rotation_description,
            retry,
            propagation,
        };
        Ok(Arc::new(Self {
            config: core,
            retry,
            rotate_options,
            credentials: Mutex::new(credentials),
            transport,
            store,
            tokens: Tokens::default(),
            lock: RotationLock::default(),
        }))
    }

    fn credentials(&self) -> Credentials {
        self.credentials
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn fresh_token(&self) -> Result<Token, Error> {
        loop {
            match self.tokens.lease().await {
                Lease::Hit(token) => return Ok(token),
                Lease::Fetch(guard) => {
                    let result = drive(
                        &mut TokenFlow::new(&self.config, &self.credentials(), self.retry),
                        &self.transport,
                        None,
                    )
                    .await;
                    guard.finish(result.as_ref().ok().cloned());
                    return result;
                }
                Lease::Again => {}
            }
        }
    }

    async fn call(&self, operation: Operation) -> Result<ApiOutput, AuthError> {
        let cached = self.tokens.fresh().map(|t| t.access_token);
        let mut call = ApiCall::new(
            &self.config,
            &self.credentials(),
            self.retry,
            operation,
            cached,
        );
        let output = drive(&mut call, &self.transport, None).await?;
        if let Some(token) = output.new_token {
            self.tokens.insert(token);
        }
        Ok(output.value)
    }

    fn store(&self, what: &str) -> Result<&Arc<dyn SecretStore>, Error> {
        self.store.as_ref().ok_or_else(|| Error::InvalidInput {
            field: "store".to_owned(),
            reason: format!("{what} needs the SecretStore passed to the constructor"),
        })
    }

    /// The store's record, seeding an empty store first (the core's `Seed`
    /// flow: login, list, save generation 1 with a compare-and-swap on an
    /// empty store). Call it holding the lock.
    async fn load_or_seed(
        &self,
        store: &Arc<dyn SecretStore>,
        options: &SeedOptions,
    ) -> Result<StoreRecord, AuthError> {
        if let Some(record) = store.load().await.map_err(Error::from)? {
            return Ok(record.inner.clone());
        }
        let Credentials::Client { client_id, secret } = self.credentials() else {
            return Err(invalid(
                "store",
                "the store is empty and a store holds a client secret: seed it from a client built withClientSecret",
            )
            .into());
        };
        let seed_options = mapsindoors_auth::SeedOptions {
            secret_id: options.secret_id.clone(),
            claim: options.claim,
            description: self.rotate_options.description.clone(),
            retry: self.retry,
        };
        let mut seed = Seed::new(
            &self.config,
            &client_id,
            secret,
            seed_options,
            random_bytes::<8>()?,
        )?;
        match drive(&mut seed, &self.transport, Some(store)).await {
            Ok(seeded) => {
                self.tokens.insert(seeded.token);
                Ok(seeded.record)
            }
            // Another writer seeded the store first: use its record.
            Err(Error::Store {
                kind: StoreErrorKind::Conflict,
                reason,
            }) => match store.load().await.map_err(Error::from)? {
                Some(record) => Ok(record.inner.clone()),
                None => Err(Error::store(StoreErrorKind::Conflict, reason).into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    async fn rotate_inner(&self) -> Result<mapsindoors_auth::RotationReport, AuthError> {
        let store = self.store("rotate")?;
        let _guard = self.lock.lock().await;
        let credentials = self.credentials();
        let record = self.load_or_seed(store, &SeedOptions::default()).await?;
        let same_secret = matches!(&credentials, Credentials::Client { client_id, secret } if *client_id == record.client_id && *secret == record.current.secret);
        let cached = if same_secret {
            self.tokens.fresh()
        } else {
            None
        };
        let before = record.clone();
        let mut rotation = Rotation::new(
            record,
            self.rotate_options.clone(),
            cached,
            random_bytes::<8>()?,
        )?;
        let result = drive(&mut rotation, &self.transport, Some(store)).await;
        // The report's token is from the store's current secret: cache it if this
        // client now logs in with that secret.
        let adopted = self.adopt(&credentials, &before, rotation.record());
        let ours = adopted
            || rotation
                .record()
                .current_credentials()
                .is_ok_and(|c| c == credentials);
        let report = result?;
        if let (true, Some(token)) = (ours, &report.token) {
            self.tokens.insert(token.clone());
        }
        Ok(report)
    }

    /// After a rotation, log in with the store's new current secret if this
    /// client used the secret it replaced (the core decides); says whether it did.
    fn adopt(&self, used: &Credentials, before: &StoreRecord, after: &StoreRecord) -> bool {
        let Some(next) = used.after_rotation(before, after) else {
            return false;
        };
        *self
            .credentials
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = next;
        self.tokens.clear();
        true
    }
}

#[uniffi::export]
impl AuthClient {
    /// A client that logs in with a client id and secret (`client_credentials`).
    ///
    /// # Errors
    /// `InvalidInput` for an unusable URL, customer id, client id or secret.
    #[uniffi::constructor]
    pub fn with_client_secret(
        config: ClientConfig,
        client_id: String,
        secret: Arc<ClientSecret>,
        transport: Arc<dyn HttpTransport>,
        store: Option<Arc<dyn SecretStore>>,
    ) -> Result<Arc<Self>, AuthError> {
        let credentials = Credentials::client(&client_id, secret.inner.clone())?;
        Self::build(config, credentials, transport, store)
    }

    /// A client that logs in as a user (`password` grant, client id `client`).
    ///
    /// # Errors
    /// `InvalidInput` for an unusable URL, customer id, username or password.
    #[uniffi::constructor]
    pub fn with_password(
        config: ClientConfig,
        username: String,
        password: String,
        transport: Arc<dyn HttpTransport>,
        store: Option<Arc<dyn SecretStore>>,
    ) -> Result<Arc<Self>, AuthError> {
        let credentials = Credentials::password(&username, Password::new(password))?;
        Self::build(config, credentials, transport, store)
    }

    /// A valid access token: the cached one while fresh, else one fetched
    /// (one fetch at a time, however many callers wait).
    ///
    /// # Errors
    /// Any [`AuthError`]; `CheckCredentials` when the login is refused.
    pub async fn token(&self) -> Result<Arc<AccessToken>, AuthError> {
        Ok(Arc::new(AccessToken {
            inner: self.fresh_token().await?,
        }))
    }

    /// The customer's secrets (metadata only).
    ///
    /// # Errors
    /// Any [`AuthError`].
    pub async fn list_secrets(&self) -> Result<Vec<SecretInfo>, AuthError> {
        match self.call(Operation::List).await? {
            ApiOutput::Listed(list) => Ok(list.into_iter().map(SecretInfo::from).collect()),
            _ => Err(unexpected_output()),
        }
    }

    /// Creates a secret. Its value is in the result, shown this once.
    ///
    /// # Errors
    /// Any [`AuthError`]. A create is never retried automatically.
    pub async fn create_secret(
        &self,
        description: Option<String>,
    ) -> Result<Arc<CreatedSecret>, AuthError> {
        match self.call(Operation::Create { description }).await? {
            ApiOutput::Created(inner) => Ok(Arc::new(CreatedSecret { inner })),
            _ => Err(unexpected_output()),
        }
    }

    /// Deletes a secret by id.
    ///
    /// # Errors
    /// Any [`AuthError`]; `NotFound` for an unknown id.
    pub async fn delete_secret(&self, id: String) -> Result<(), AuthError> {
        match self.call(Operation::Delete { id }).await? {
            ApiOutput::Deleted => Ok(()),
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
    pub async fn seed(&self, options: SeedOptions) -> Result<Arc<crate::StoreRecord>, AuthError> {
        let store = self.store("seed")?;
        let _guard = self.lock.lock().await;
        Ok(crate::StoreRecord::wrap(
            self.load_or_seed(store, &options).await?,
        ))
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
    pub async fn claim(&self, id: String) -> Result<Arc<crate::StoreRecord>, AuthError> {
        let store = self.store("claim")?;
        let _guard = self.lock.lock().await;
        let Some(record) = store.load().await.map_err(Error::from)? else {
            return Err(invalid("store", "the store is empty: seed it first").into());
        };
        let next = record.inner.claim(&id, now_ms())?;
        save_cas(store, next.clone()).await?;
        Ok(crate::StoreRecord::wrap(next))
    }

    /// Rotates the secret in the store given to the constructor: creates a
    /// new secret, saves it, verifies it, makes it current and deletes the
    /// old one if it is provably this store's own (else keeps and reports
    /// it), first finishing any earlier interrupted rotation. An empty store
    /// is first seeded (as [`AuthClient::seed`] with default options: the
    /// handed-in secret is kept, not deleted). A client that logs in as the
    /// store's client switches to the new secret.
    ///
    /// # Errors
    /// `ConflictRunAgain` when another writer (another client, process or
    /// installation sharing the store) changed the store meanwhile (safe:
    /// run it again); `RotationIncompleteRunAgain` when it stopped part-way
    /// (safe: run it again); `StoreFailed` when the store cannot be read or
    /// written; any other [`AuthError`].
    pub async fn rotate(&self) -> Result<RotationReport, AuthError> {
        Ok(RotationReport::from(&self.rotate_inner().await?))
    }

    /// Rotate at login: rotates (as [`AuthClient::rotate`]) and returns a
    /// token obtained with the new secret, so every login uses a fresh secret.
    ///
    /// # Errors
    /// As [`AuthClient::rotate`] and [`AuthClient::token`].
    pub async fn login_and_rotate(&self) -> Result<LoginRotation, AuthError> {
        let report = self.rotate_inner().await?;
        let token = match &report.token {
            Some(token) => token.clone(),
            None => self.fresh_token().await?,
        };
        Ok(LoginRotation {
            token: Arc::new(AccessToken { inner: token }),
            report: RotationReport::from(&report),
        })
    }
}

fn invalid(field: &str, reason: &str) -> Error {
    Error::InvalidInput {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

fn unexpected_output() -> AuthError {
    Error::InvalidInput {
        field: "operation".to_owned(),
        reason: "the core returned another operation's output".to_owned(),
    }
    .into()
}

impl fmt::Display for AuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = match &*self
            .credentials
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            Credentials::Client { client_id, .. } => {
                format!("client {client_id}, secret [redacted]")
            }
            Credentials::Password { username, .. } => {
                format!("user {username}, password [redacted]")
            }
            _ => "credentials [redacted]".to_owned(),
        };
        write!(
            f,
            "AuthClient({}, customer {}, {credentials})",
            self.config.base_url(),
            self.config.customer_id().unwrap_or("none")
        )
    }
}
