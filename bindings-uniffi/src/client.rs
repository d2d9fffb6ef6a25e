//! The client object the app holds: [`AuthClient`], configured by
//! [`ClientConfig`]. Each method starts a core flow and drives it over the
//! app's transport (and store); tokens are cached with single flight.

use crate::driver::{drive, random_bytes, random_id};
use crate::error::AuthError;
use crate::http::HttpTransport;
use crate::secrets::{AccessToken, ClientSecret, CreatedSecret, SecretInfo};
use crate::store::SecretStore;
use crate::tokens::{Lease, Tokens};
use mapsindoors_auth::{
    ApiCall, ApiOutput, Config, Credentials, Error, Operation, Password, PropagationPolicy,
    RetryPolicy, RotateOptions, Rotation, StoreRecord, Token, TokenFlow,
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
    /// Secrets left alone, with reasons.
    pub kept: Vec<KeptSecret>,
    /// HTTP requests sent.
    pub round_trips: u32,
    /// Records saved.
    pub persists: u32,
    /// The store generation at the end.
    pub generation: u64,
}

/// A secret a rotation saw but would not delete.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KeptSecret {
    /// Its id, when it could be named.
    pub id: Option<String>,
    /// Why it was left.
    pub reason: String,
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
            kept: r
                .kept
                .iter()
                .map(|k| KeptSecret {
                    id: k.id.clone(),
                    reason: k.reason.clone(),
                })
                .collect(),
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

    async fn rotate_inner(&self) -> Result<mapsindoors_auth::RotationReport, AuthError> {
        let store = self.store.as_ref().ok_or_else(|| Error::InvalidInput {
            field: "store".to_owned(),
            reason: "rotate needs the SecretStore passed to the constructor".to_owned(),
        })?;
        let credentials = self.credentials();
        let record = match store.load().await.map_err(Error::from)? {
            Some(record) => record.inner.clone(),
            None => {
                let seed =
                    StoreRecord::from_credentials(&self.config, &credentials, &random_id("l-")?)?;
                store
                    .save(crate::store::StoreRecord::wrap(seed.clone()))
                    .await
                    .map_err(Error::from)?;
                seed
            }
        };
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

    /// Rotates the secret in the store given to the constructor: creates a
    /// new secret, saves it, verifies it, makes it current and deletes the
    /// old one, first finishing any earlier interrupted rotation. An empty
    /// store is first seeded with this client's own secret. A client that
    /// logs in as the store's client switches to the new secret.
    ///
    /// # Errors
    /// `RotationIncompleteRunAgain` when it stopped part-way (safe: run it
    /// again); `StoreFailed` when the store cannot be read; any other [`AuthError`].
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
