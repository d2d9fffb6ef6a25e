//! Values that hold secrets, as opaque objects whose `toString` redacts:
//! [`ClientSecret`], [`AccessToken`] and [`CreatedSecret`]. [`SecretInfo`]
//! (a listed secret's metadata, never its value) is a plain record.

use std::fmt;
use std::sync::Arc;

/// A client secret. `toString` prints `[redacted]`; read it with `expose()`.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct ClientSecret {
    pub(crate) inner: mapsindoors_auth::ClientSecret,
}

#[uniffi::export]
impl ClientSecret {
    /// Wraps a secret value.
    #[uniffi::constructor]
    pub fn new(value: String) -> Arc<Self> {
        Arc::new(Self {
            inner: mapsindoors_auth::ClientSecret::new(value),
        })
    }

    /// The raw value. Call it only to hand the secret to where it must go.
    pub fn expose(&self) -> String {
        // EXPOSE: the app asked for the value explicitly.
        self.inner.expose_secret().to_owned()
    }
}

impl fmt::Display for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// An access token. `toString` prints `[redacted]`; read it with `expose()`.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct AccessToken {
    pub(crate) inner: mapsindoors_auth::Token,
}

#[uniffi::export]
impl AccessToken {
    /// The bearer token itself, for an `Authorization: Bearer` header.
    pub fn expose(&self) -> String {
        // EXPOSE: the app asked for the token to call MapsIndoors.
        self.inner.access_token.expose_secret().to_owned()
    }

    /// Always `Bearer`.
    pub fn token_type(&self) -> String {
        self.inner.token_type.clone()
    }

    /// Lifetime in seconds, if the server said.
    pub fn expires_in(&self) -> Option<i64> {
        self.inner.expires_in.map(crate::long)
    }

    /// Granted scopes, space-separated.
    pub fn scope(&self) -> Option<String> {
        self.inner.scope.clone()
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AccessToken([redacted], {}, expires in {:?} s)",
            self.inner.token_type, self.inner.expires_in
        )
    }
}

/// A secret just created; its value is shown this once, via `secret()`.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct CreatedSecret {
    pub(crate) inner: mapsindoors_auth::CreatedSecret,
}

#[uniffi::export]
impl CreatedSecret {
    /// The new secret's id.
    pub fn id(&self) -> String {
        self.inner.id.clone()
    }

    /// Its description, if any.
    pub fn description(&self) -> Option<String> {
        self.inner.description.clone()
    }

    /// When it was created, as the server wrote it.
    pub fn created_at(&self) -> String {
        self.inner.created_at.as_str().to_owned()
    }

    /// When it was created, in Unix milliseconds.
    pub fn created_at_ms(&self) -> i64 {
        self.inner.created_at.unix_millis()
    }

    /// The secret itself.
    pub fn secret(&self) -> Arc<ClientSecret> {
        let inner = self.inner.secret.clone();
        Arc::new(ClientSecret { inner })
    }
}

impl fmt::Display for CreatedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CreatedSecret(id {}, created {}, secret [redacted])",
            self.inner.id, self.inner.created_at
        )
    }
}

/// A listed secret: metadata only, the API never returns the value.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SecretInfo {
    /// The secret's id.
    pub id: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// The client it belongs to, if the server said.
    pub client_id: Option<String>,
    /// When it was created, as the server wrote it.
    pub created_at: String,
    /// When it was created, in Unix milliseconds.
    pub created_at_ms: i64,
}

impl From<mapsindoors_auth::SecretInfo> for SecretInfo {
    fn from(s: mapsindoors_auth::SecretInfo) -> Self {
        Self {
            created_at_ms: s.created_at.unix_millis(),
            created_at: s.created_at.as_str().to_owned(),
            id: s.id,
            description: s.description,
            client_id: s.client_id,
        }
    }
}
