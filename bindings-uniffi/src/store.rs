//! Durable storage of the secret a rotation manages: the opaque
//! [`StoreRecord`] (the core's one versioned JSON format, redacted in
//! `toString`) and the foreign [`SecretStore`] trait the app implements on
//! Keychain, EncryptedSharedPreferences or a file.

use crate::error::{AuthError, StoreError};
use crate::secrets::ClientSecret;
use mapsindoors_auth::Config;
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

impl StoreRecord {
    pub(crate) fn wrap(inner: mapsindoors_auth::StoreRecord) -> Arc<Self> {
        Arc::new(Self { inner })
    }
}

#[uniffi::export]
impl StoreRecord {
    /// A first record for a secret obtained outside any rotation (e.g. the
    /// one MapsPeople issued, or one from `createSecret`). `secret_id` is
    /// its id if known. A fresh random lineage names this store's secrets.
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
        let lineage = crate::driver::random_id("l-")?;
        let inner = mapsindoors_auth::StoreRecord::new(
            &config,
            &client_id,
            secret.inner.clone(),
            secret_id,
            &lineage,
        )?;
        Ok(Self::wrap(inner))
    }

    /// Parses text written by [`StoreRecord::to_storage_string`].
    ///
    /// # Errors
    /// `StoreFailed` (code `store`) for corrupt, truncated or unknown-version text;
    /// the message never echoes the content.
    #[uniffi::constructor]
    pub fn from_storage_string(text: String) -> Result<Arc<Self>, AuthError> {
        Ok(Self::wrap(mapsindoors_auth::StoreRecord::from_json(&text)?))
    }

    /// The record as text to persist. It holds the secret: write it only to
    /// encrypted storage, never to a log.
    pub fn to_storage_string(&self) -> String {
        // EXPOSE: the app's store must persist the secret to log in later.
        self.inner.to_json()
    }

    /// Bumped by every save; a save must replace exactly `generation - 1`.
    pub fn generation(&self) -> u64 {
        self.inner.generation
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
        Arc::new(ClientSecret {
            inner: self.inner.current.secret.clone(),
        })
    }

    /// Whether a rotation was interrupted and left work for the next one.
    pub fn has_unfinished_rotation(&self) -> bool {
        self.inner.has_unfinished_rotation()
    }
}

impl fmt::Display for StoreRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.inner;
        write!(
            f,
            "StoreRecord(customer {}, client {}, generation {}, current id {}, secret [redacted], unfinished rotation {})",
            r.customer_id,
            r.client_id,
            r.generation,
            r.current.id.as_deref().unwrap_or("unknown"),
            self.has_unfinished_rotation()
        )
    }
}

/// The app's durable store for one client's [`StoreRecord`].
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait SecretStore: Send + Sync {
    /// The stored record, or `null` if there is none yet.
    async fn load(&self) -> Result<Option<Arc<StoreRecord>>, StoreError>;

    /// Durably replaces the stored record (of generation
    /// `record.generation() - 1`) with this one before returning. Throw
    /// `StoreError.Conflict` if another writer got there first.
    async fn save(&self, record: Arc<StoreRecord>) -> Result<(), StoreError>;
}
