//! The initial state: customers, their clients and secrets, and users — from JSON or [`Seed::demo`].
//! Only the description of the state lives here; the live, hashed state is in `store.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::demo::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMER_ID, DEMO_PASSWORD, DEMO_SECRET_CREATED_AT,
    DEMO_SECRET_DESCRIPTION, DEMO_SECRET_ID, DEMO_USERNAME, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET,
    OTHER_CUSTOMER_ID, OTHER_SECRET_ID, PASSWORD_CLIENT_ID,
};
use crate::dotnet_time;
use crate::secret::Digest;

/// A plaintext secret or password in a seed. `Debug` prints `[redacted]`; the memory is zeroed on drop.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a plaintext value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The plaintext.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Drop for Sensitive {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The whole initial state. See the crate README for the JSON file format.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The customers, each with its clients.
    #[serde(default)]
    pub customers: Vec<SeedCustomer>,
    /// The users of the password grant.
    #[serde(default)]
    pub users: Vec<SeedUser>,
}

/// A customer (the `customerId` of the secrets API).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCustomer {
    /// The customer id.
    pub id: String,
    /// Its clients; the first one receives secrets created with a user's token.
    #[serde(default)]
    pub clients: Vec<SeedClient>,
}

/// A confidential client of the client credentials grant.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeedClient {
    /// The client id (unique across customers, and not `client`).
    pub client_id: String,
    /// Allowed scopes; empty means just [`DEFAULT_SCOPE`](crate::DEFAULT_SCOPE).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Its secrets.
    #[serde(default)]
    pub secrets: Vec<SeedSecret>,
}

/// A client secret. Give exactly one of `secret` (plaintext) and `secret_sha256` (hex digest).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSecret {
    /// The secret id; minted when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// A free text description.
    #[serde(default)]
    pub description: String,
    /// An RFC 3339 creation time (`createdAt` is accepted too); the start time when absent.
    #[serde(default, alias = "createdAt")]
    pub created_at: Option<String>,
    /// The plaintext secret; hashed on load and then forgotten.
    #[serde(default)]
    pub secret: Option<Sensitive>,
    /// The SHA-256 of the secret as 64 hex characters, when the plaintext should not be in the file.
    #[serde(default)]
    pub secret_sha256: Option<String>,
}

/// A user of the password grant (through the public client `client`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// The user name (an e-mail address at MapsIndoors).
    pub username: String,
    /// The plaintext password; give this or `password_sha256`.
    #[serde(default)]
    pub password: Option<Sensitive>,
    /// The SHA-256 of the password as 64 hex characters.
    #[serde(default)]
    pub password_sha256: Option<String>,
    /// The customers this user's tokens may manage.
    #[serde(default)]
    pub customers: Vec<String>,
}

/// Why a seed could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read the seed file: {0}")]
    Io(#[from] std::io::Error),
    /// The JSON does not have the seed's shape.
    #[error("the seed is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// The content is inconsistent (duplicate ids, unknown customer, ...).
    #[error("invalid seed: {0}")]
    Invalid(String),
}

impl From<SeedError> for std::io::Error {
    fn from(e: SeedError) -> Self {
        match e {
            SeedError::Io(io) => io,
            other => std::io::Error::new(std::io::ErrorKind::InvalidData, other),
        }
    }
}

impl Seed {
    /// The demo state: `demo-customer` with `demo-client` and the user `admin@example.com`,
    /// plus `other-customer` with `other-client`. See the `DEMO_*` and `OTHER_*` constants.
    pub fn demo() -> Self {
        Seed {
            customers: vec![
                SeedCustomer {
                    id: DEMO_CUSTOMER_ID.to_owned(),
                    clients: vec![SeedClient {
                        client_id: DEMO_CLIENT_ID.to_owned(),
                        scopes: Vec::new(),
                        secrets: vec![SeedSecret {
                            id: Some(DEMO_SECRET_ID.to_owned()),
                            description: DEMO_SECRET_DESCRIPTION.to_owned(),
                            created_at: Some(DEMO_SECRET_CREATED_AT.to_owned()),
                            secret: Some(Sensitive::new(DEMO_CLIENT_SECRET)),
                            secret_sha256: None,
                        }],
                    }],
                },
                SeedCustomer {
                    id: OTHER_CUSTOMER_ID.to_owned(),
                    clients: vec![SeedClient {
                        client_id: OTHER_CLIENT_ID.to_owned(),
                        scopes: Vec::new(),
                        secrets: vec![SeedSecret {
                            id: Some(OTHER_SECRET_ID.to_owned()),
                            description: DEMO_SECRET_DESCRIPTION.to_owned(),
                            created_at: Some(DEMO_SECRET_CREATED_AT.to_owned()),
                            secret: Some(Sensitive::new(OTHER_CLIENT_SECRET)),
                            secret_sha256: None,
                        }],
                    }],
                },
            ],
            users: vec![SeedUser {
                username: DEMO_USERNAME.to_owned(),
                password: Some(Sensitive::new(DEMO_PASSWORD)),
                password_sha256: None,
                customers: vec![DEMO_CUSTOMER_ID.to_owned()],
            }],
        }
    }

    /// Parses and validates a seed from JSON text.
    pub fn from_json(text: &str) -> Result<Self, SeedError> {
        let seed: Seed = serde_json::from_str(text)?;
        seed.validate()?;
        Ok(seed)
    }

    /// Reads, parses and validates a seed file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, SeedError> {
        let text = std::fs::read_to_string(path)?;
        Self::from_json(&text)
    }

    /// Checks that ids are unique and present, that every secret and password is given once,
    /// that timestamps parse, and that users only name existing customers.
    pub fn validate(&self) -> Result<(), SeedError> {
        let invalid = |msg: String| Err(SeedError::Invalid(msg));
        let mut customers = BTreeSet::new();
        let mut clients = BTreeSet::new();
        let mut secret_ids = BTreeSet::new();
        for customer in &self.customers {
            if customer.id.is_empty() {
                return invalid("a customer has an empty id".into());
            }
            if !customers.insert(customer.id.as_str()) {
                return invalid(format!("customer {:?} is listed twice", customer.id));
            }
            for client in &customer.clients {
                if client.client_id.is_empty() {
                    return invalid(format!(
                        "customer {:?} has a client with an empty client_id",
                        customer.id
                    ));
                }
                if client.client_id == PASSWORD_CLIENT_ID {
                    return invalid(format!(
                        "client_id {PASSWORD_CLIENT_ID:?} is reserved for the password grant"
                    ));
                }
                if !clients.insert(client.client_id.as_str()) {
                    return invalid(format!("client {:?} is listed twice", client.client_id));
                }
                for secret in &client.secrets {
                    secret.digest().map_err(|m| {
                        SeedError::Invalid(format!("client {:?}: {m}", client.client_id))
                    })?;
                    if let Some(id) = &secret.id {
                        if id.is_empty() || !secret_ids.insert(id.as_str()) {
                            return invalid(format!("secret id {id:?} is empty or listed twice"));
                        }
                    }
                    if let Some(at) = &secret.created_at {
                        if dotnet_time::parse(at).is_none() {
                            return invalid(format!(
                                "createdAt {at:?} is not an RFC 3339 timestamp"
                            ));
                        }
                    }
                }
            }
        }
        let mut users = BTreeSet::new();
        for user in &self.users {
            if user.username.is_empty() || !users.insert(user.username.as_str()) {
                return invalid(format!("user {:?} is empty or listed twice", user.username));
            }
            user.digest()
                .map_err(|m| SeedError::Invalid(format!("user {:?}: {m}", user.username)))?;
            if let Some(unknown) = user
                .customers
                .iter()
                .find(|c| !customers.contains(c.as_str()))
            {
                return invalid(format!(
                    "user {:?} names unknown customer {unknown:?}",
                    user.username
                ));
            }
        }
        Ok(())
    }
}

impl SeedCustomer {
    /// A customer without clients.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            clients: Vec::new(),
        }
    }

    /// Adds a client.
    #[must_use]
    pub fn with_client(mut self, client: SeedClient) -> Self {
        self.clients.push(client);
        self
    }
}

impl SeedClient {
    /// A client without secrets and with the default scope.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            scopes: Vec::new(),
            secrets: Vec::new(),
        }
    }

    /// Adds a plaintext secret with a minted id, created when the emulator starts.
    #[must_use]
    pub fn with_secret(
        mut self,
        secret: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        self.secrets.push(SeedSecret {
            description: description.into(),
            secret: Some(Sensitive::new(secret)),
            ..SeedSecret::default()
        });
        self
    }
}

impl SeedUser {
    /// A user with a plaintext password, allowed on `customers`.
    pub fn new(
        username: impl Into<String>,
        password: impl Into<String>,
        customers: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            username: username.into(),
            password: Some(Sensitive::new(password)),
            password_sha256: None,
            customers: customers.into_iter().map(Into::into).collect(),
        }
    }

    pub(crate) fn digest(&self) -> Result<Digest, String> {
        one_digest(
            self.password.as_ref(),
            self.password_sha256.as_deref(),
            "password",
        )
    }
}

impl SeedSecret {
    pub(crate) fn digest(&self) -> Result<Digest, String> {
        one_digest(
            self.secret.as_ref(),
            self.secret_sha256.as_deref(),
            "secret",
        )
    }
}

fn one_digest(plain: Option<&Sensitive>, hex: Option<&str>, what: &str) -> Result<Digest, String> {
    match (plain, hex) {
        (Some(p), None) => Ok(Digest::of(p.expose())),
        (None, Some(h)) => {
            Digest::from_hex(h).ok_or_else(|| format!("{what}_sha256 is not 64 hex characters"))
        }
        _ => Err(format!("give exactly one of {what} and {what}_sha256")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn demo_is_valid_and_redacted() {
        let seed = Seed::demo();
        seed.validate().unwrap();
        let debug = format!("{seed:?}");
        assert!(!debug.contains(DEMO_CLIENT_SECRET));
        assert!(!debug.contains(DEMO_PASSWORD));
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn json_round_trip_and_hashed_form() {
        let text = r#"{
          "customers": [{"id": "c1", "clients": [{"client_id": "a", "secrets": [
            {"secret_sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
             "description": "hashed", "createdAt": "2024-01-02T03:04:05Z"}]}]}],
          "users": [{"username": "u", "password": "p", "customers": ["c1"]}]
        }"#;
        let seed = Seed::from_json(text).unwrap();
        assert!(
            seed.customers[0].clients[0].secrets[0]
                .digest()
                .unwrap()
                .matches(&Digest::of("hello"))
        );
    }

    #[test]
    fn inconsistent_seeds_are_rejected() {
        let cases = [
            r#"{"customers": [{"id": "c"}, {"id": "c"}]}"#,
            r#"{"customers": [{"id": "c", "clients": [{"client_id": "client"}]}]}"#,
            r#"{"customers": [{"id": "c", "clients": [{"client_id": "a", "secrets": [{}]}]}]}"#,
            r#"{"customers": [{"id": "c", "clients": [{"client_id": "a", "secrets": [{"secret": "s", "created_at": "nope"}]}]}]}"#,
            r#"{"users": [{"username": "u", "password": "p", "customers": ["nobody"]}]}"#,
            r#"{"users": [{"username": "u"}]}"#,
            r#"{"customer": []}"#,
        ];
        for case in cases {
            assert!(Seed::from_json(case).is_err(), "{case}");
        }
    }
}
