//! Durable storage of the secret a rotation manages: the opaque
//! [`StoreRecord`] (the core's one versioned JSON format, redacted in
//! `toString`), the foreign [`SecretStore`] trait the app implements on
//! Keychain, EncryptedSharedPreferences or a file (a compare-and-swap on the
//! record's generation), and the kept secrets a record reports.

use crate::error::{AuthError, StoreError};
use crate::long;
use crate::platform::{SystemPlatform, random};
use crate::secrets::ClientSecret;
pub use mapsindoors_auth::Candidate;
use mapsindoors_auth::{Config, mint_lineage};
use std::fmt;
use std::sync::Arc;

/// What a store holds: the secret in use, one mid-rotation, and what is
/// left to clean up. Persist it with [`StoreRecord::to_storage_string`] in
/// encrypted storage; it holds a secret.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct StoreRecord {
    pub(crate) inner: mapsindoors_auth::StoreRecord,
}

#[uniffi::export]
impl StoreRecord {
    /// A first record (generation 1) for a secret obtained outside any
    /// rotation, built offline. Naming `secret_id` claims the secret as this
    /// store's own: the first rotation deletes it once replaced, so name it
    /// only for a secret no other installation uses (e.g. one this
    /// installation got from `createSecret`). Without an id the secret is
    /// kept forever. Prefer [`AuthClient::seed`](crate::AuthClient::seed),
    /// which checks the secret on the server first. The core mints the
    /// store's lineage from fresh randomness.
    ///
    /// # Errors
    /// `InvalidInput` for an unusable URL, customer, client or secret.
    #[uniffi::constructor]
    pub fn create(
        auth_url: String,
        customer_id: String,
        client_id: String,
        secret: Arc<ClientSecret>,
        secret_id: Option<String>,
    ) -> Result<Arc<Self>, AuthError> {
        let config = Config::new(&auth_url)?.with_customer_id(&customer_id)?;
        let lineage = mint_lineage(random(&SystemPlatform)?);
        let inner = mapsindoors_auth::StoreRecord::new(
            &config,
            &client_id,
            secret.inner.clone(),
            secret_id,
            &lineage,
        )?;
        Ok(Arc::new(Self { inner }))
    }

    /// Parses text written by [`StoreRecord::to_storage_string`].
    ///
    /// # Errors
    /// `StoreFailed` (code `store`) for corrupt, truncated or unknown-version text;
    /// the message never echoes the content.
    #[uniffi::constructor]
    pub fn from_storage_string(text: String) -> Result<Arc<Self>, AuthError> {
        let inner = mapsindoors_auth::StoreRecord::from_json(&text)?;
        Ok(Arc::new(Self { inner }))
    }

    /// The record as text to persist. It holds the secret: write it only to
    /// encrypted storage, never to a log.
    pub fn to_storage_string(&self) -> String {
        // EXPOSE: the app's store must persist the secret to log in later.
        self.inner.to_json()
    }

    /// Bumped by every save; a save must replace exactly `generation - 1`.
    pub fn generation(&self) -> i64 {
        long(self.inner.generation)
    }

    /// The auth server's base URL.
    pub fn auth_url(&self) -> String {
        self.inner.auth_url.clone()
    }

    /// The customer whose secrets these are.
    pub fn customer_id(&self) -> String {
        self.inner.customer_id.clone()
    }

    /// The client the secrets belong to.
    pub fn client_id(&self) -> String {
        self.inner.client_id.clone()
    }

    /// The id of the secret in use, when known.
    pub fn current_secret_id(&self) -> Option<String> {
        self.inner.current.id.clone()
    }

    /// The secret in use.
    pub fn current_secret(&self) -> Arc<ClientSecret> {
        let inner = self.inner.current.secret.clone();
        Arc::new(ClientSecret { inner })
    }

    /// Whether the current secret is provably this store's own (created by
    /// its rotation, or claimed): only then is it deleted once replaced.
    pub fn current_secret_owned(&self) -> bool {
        self.inner.current.owned
    }

    /// Whether a rotation was interrupted and left work for the next one.
    pub fn has_unfinished_rotation(&self) -> bool {
        self.inner.has_unfinished_rotation()
    }

    /// The unfinished work's stage, if any: `deleting`, `verify`,
    /// `delete_old` or `sweep`.
    pub fn unfinished_stage(&self) -> Option<String> {
        self.inner.unfinished_stage().map(str::to_owned)
    }

    /// Replaced secrets this store will never delete (not provably its own),
    /// each with advice: delete it by hand, or claim it.
    pub fn kept_secrets(&self) -> Vec<KeptSecret> {
        self.inner.kept.iter().map(KeptSecret::from).collect()
    }
}

/// A secret a rotation will not delete because it is not provably this
/// store's own (handed in, shared with other installations, or of unknown
/// id). Show `advice` to the user.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KeptSecret {
    /// Its id, when it could be named.
    pub id: Option<String>,
    /// When it was created, as the server said, if known.
    pub created_at: Option<String>,
    /// For a secret of unknown id: the client's secrets it may be.
    pub candidates: Vec<Candidate>,
    /// Why it was kept.
    pub reason: String,
    /// What to do about it, in one sentence (the core's words, shared with
    /// the CLI, whose commands it names; in an app, `AuthClient.deleteSecret(id)`
    /// and `AuthClient.claim(id)` do the same): delete it by hand once nothing
    /// uses it, or claim it and the next rotation deletes it.
    pub advice: String,
}

/// A secret a kept secret of unknown id may be, as listed at seeding (the
/// core's own record).
#[uniffi::remote(Record)]
pub struct Candidate {
    /// Its id.
    pub id: String,
    /// When it was created, as the server said.
    pub created_at: Option<String>,
}

impl From<&mapsindoors_auth::KeptSecret> for KeptSecret {
    fn from(k: &mapsindoors_auth::KeptSecret) -> Self {
        Self {
            id: k.id.clone(),
            created_at: k.created_at.clone(),
            candidates: k.candidates.clone(),
            reason: k.reason.clone(),
            advice: k.advice(),
        }
    }
}

impl fmt::Display for StoreRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.inner;
        write!(
            f,
            "StoreRecord(customer {}, client {}, generation {}, current id {}, owned {}, secret [redacted], unfinished rotation {}, {} kept)",
            r.customer_id,
            r.client_id,
            r.generation,
            r.current.id.as_deref().unwrap_or("unknown"),
            r.current.owned,
            r.has_unfinished_rotation(),
            r.kept.len()
        )
    }
}

/// The app's durable store for one client's [`StoreRecord`]: one record, or
/// none yet. Persist it with [`StoreRecord::to_storage_string`] in encrypted
/// storage (it holds the secret).
///
/// **The contract.** `save` is a compare-and-swap on the record's generation:
/// it writes `record` only if the store still holds generation
/// `expected_generation` (always `record.generation() - 1`; `0` means the
/// store must still be empty), atomically with that check and durably before
/// returning, and otherwise writes nothing and throws
/// `StoreError.Conflict`. That is all a rotation needs to be safe: no lock is
/// required, even when two processes or two clients rotate one store at once
/// (the loser's save fails before it deletes anything, and the client throws
/// `ConflictRunAgain`). Do the check and the write under whatever the
/// platform offers for atomicity (a `synchronized` block or a file lock
/// around read-compare-write in one process, a transaction in a database).
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait SecretStore: Send + Sync {
    /// The stored record, or `null` if there is none yet.
    async fn load(&self) -> Result<Option<Arc<StoreRecord>>, StoreError>;

    /// Durably replaces the stored record of generation `expected_generation`
    /// with `record` (of generation `expected_generation + 1`); with
    /// `expected_generation == 0`, stores the first record only if there is
    /// none. Throw `StoreError.Conflict` (and write nothing) if the store
    /// holds anything else: another writer got there first.
    async fn save(
        &self,
        record: Arc<StoreRecord>,
        expected_generation: i64,
    ) -> Result<(), StoreError>;
}
