//! The live state: customers, clients with hashed secrets, users, and issued access tokens.
//! Pure bookkeeping with the clock passed in; HTTP shapes live in the endpoint modules.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::demo::{DEFAULT_SCOPE, PASSWORD_CLIENT_ID};
use crate::dotnet_time::{self, Precision};
use crate::secret::{self, Digest};
use crate::seed::Seed;

/// A client secret as listed: everything but the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretView {
    /// The secret id (24 lowercase hex characters when minted by the emulator).
    pub id: String,
    /// Its description (empty when none was given).
    pub description: String,
    /// The client it belongs to.
    pub client_id: String,
    /// When it was created, formatted like .NET (`2024-05-27T14:26:36.9981013Z`).
    #[serde(rename = "createdAt")]
    pub created_at: String,
}

/// Who an access token was issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// A confidential client (client credentials grant).
    Client(String),
    /// A user (password grant).
    User(String),
}

/// What a valid access token grants.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) principal: Principal,
    pub(crate) customers: BTreeSet<String>,
}

/// A client that passed authentication at the token endpoint.
#[derive(Debug, Clone)]
pub(crate) enum AuthenticatedClient {
    /// The public password-grant client `client`.
    Public,
    /// A confidential client, with its customer and allowed scopes.
    Confidential {
        client_id: String,
        customer_id: String,
        scopes: Vec<String>,
    },
}

/// A secret just created; the plaintext is handed out once and not kept.
pub(crate) struct CreatedSecret {
    pub(crate) id: String,
    pub(crate) description: String,
    pub(crate) created_at: String,
    pub(crate) secret: String,
}

/// Why a secret could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CreateError {
    /// The customer has no client to attach a secret to.
    NoClient,
    /// The named client is not the customer's, or a client's token named another client.
    WrongClient,
}

#[derive(Debug)]
struct Customer {
    id: String,
    client_ids: Vec<String>,
}

#[derive(Debug)]
struct Client {
    customer_id: String,
    scopes: Vec<String>,
    secrets: Vec<StoredSecret>,
}

#[derive(Debug)]
struct StoredSecret {
    id: String,
    description: String,
    created_at: SystemTime,
    digest: Digest,
    /// When it was minted by the API (`None` for seeded secrets, which are long propagated).
    minted_at: Option<Instant>,
}

#[derive(Debug)]
struct User {
    digest: Digest,
    customers: BTreeSet<String>,
}

#[derive(Debug)]
struct TokenRecord {
    grant: Grant,
    expires: Instant,
}

/// The whole mutable state. `Debug` shows digests only.
#[derive(Debug)]
pub(crate) struct Store {
    customers: Vec<Customer>,
    clients: BTreeMap<String, Client>,
    users: BTreeMap<String, User>,
    tokens: HashMap<Digest, TokenRecord>,
}

impl Store {
    /// Builds the state from a validated seed; secrets without a time were created `now`.
    pub(crate) fn from_seed(seed: &Seed, now: SystemTime) -> Self {
        let mut customers = Vec::new();
        let mut clients = BTreeMap::new();
        for c in &seed.customers {
            let mut client_ids = Vec::new();
            for client in &c.clients {
                let secrets = client
                    .secrets
                    .iter()
                    .filter_map(|s| {
                        let digest = s.digest().ok()?;
                        let created_at = s
                            .created_at
                            .as_deref()
                            .and_then(dotnet_time::parse)
                            .unwrap_or(now);
                        Some(StoredSecret {
                            id: s
                                .id
                                .clone()
                                .unwrap_or_else(|| secret::mint_secret_id(created_at)),
                            description: s.description.clone(),
                            created_at,
                            digest,
                            minted_at: None,
                        })
                    })
                    .collect();
                let scopes = if client.scopes.is_empty() {
                    vec![DEFAULT_SCOPE.to_owned()]
                } else {
                    client.scopes.clone()
                };
                clients.insert(
                    client.client_id.clone(),
                    Client {
                        customer_id: c.id.clone(),
                        scopes,
                        secrets,
                    },
                );
                client_ids.push(client.client_id.clone());
            }
            customers.push(Customer {
                id: c.id.clone(),
                client_ids,
            });
        }
        let users = seed
            .users
            .iter()
            .filter_map(|u| {
                let digest = u.digest().ok()?;
                let customers = u.customers.iter().cloned().collect();
                Some((u.username.clone(), User { digest, customers }))
            })
            .collect();
        Store {
            customers,
            clients,
            users,
            tokens: HashMap::new(),
        }
    }

    /// Authenticates a client at the token endpoint, as IdentityServer4's client secret validator:
    /// unknown client, missing or wrong secret, or a secret still propagating all fail.
    pub(crate) fn authenticate_client(
        &self,
        client_id: &str,
        secret: Option<&str>,
        propagation: Duration,
        now: Instant,
    ) -> Option<AuthenticatedClient> {
        if client_id == PASSWORD_CLIENT_ID {
            // A public client: IdentityServer4 skips secret validation.
            return Some(AuthenticatedClient::Public);
        }
        let client = self.clients.get(client_id)?;
        let presented = Digest::of(secret.filter(|s| !s.is_empty())?);
        let matched = matching_secret(&client.secrets, &presented)?;
        let propagated = matched
            .minted_at
            .is_none_or(|minted| now.saturating_duration_since(minted) >= propagation);
        propagated.then(|| AuthenticatedClient::Confidential {
            client_id: client_id.to_owned(),
            customer_id: client.customer_id.clone(),
            scopes: client.scopes.clone(),
        })
    }

    /// Whether `secret` is currently one of `client_id`'s secrets (propagation ignored).
    pub(crate) fn secret_is_valid(&self, client_id: &str, secret: &str) -> bool {
        self.clients
            .get(client_id)
            .and_then(|c| matching_secret(&c.secrets, &Digest::of(secret)))
            .is_some()
    }

    /// Checks a user's password; on success, the customers the user may manage.
    pub(crate) fn authenticate_user(
        &self,
        username: &str,
        password: &str,
    ) -> Option<BTreeSet<String>> {
        let presented = Digest::of(password);
        let user = self.users.get(username)?;
        user.digest
            .matches(&presented)
            .then(|| user.customers.clone())
    }

    /// Mints an access token and remembers its digest.
    pub(crate) fn issue_token(&mut self, grant: Grant, lifetime: Duration, now: Instant) -> String {
        self.tokens.retain(|_, t| t.expires > now);
        let token = secret::mint_token();
        let expires = now.checked_add(lifetime).unwrap_or(now);
        self.tokens
            .insert(Digest::of(&token), TokenRecord { grant, expires });
        token
    }

    /// Forgets every issued access token: each is refused from now on.
    pub(crate) fn revoke_tokens(&mut self) {
        self.tokens.clear();
    }

    /// What a presented access token grants, if it is known and not expired.
    pub(crate) fn grant(&self, token: &str, now: Instant) -> Option<Grant> {
        self.tokens
            .get(&Digest::of(token))
            .filter(|t| now < t.expires)
            .map(|t| t.grant.clone())
    }

    /// A customer's secrets, `None` if the customer is unknown.
    pub(crate) fn list(&self, customer_id: &str, precision: Precision) -> Option<Vec<SecretView>> {
        let customer = self.customers.iter().find(|c| c.id == customer_id)?;
        let mut views = Vec::new();
        for client_id in &customer.client_ids {
            if let Some(client) = self.clients.get(client_id) {
                views.extend(client.secrets.iter().map(|s| SecretView {
                    id: s.id.clone(),
                    description: s.description.clone(),
                    client_id: client_id.clone(),
                    created_at: dotnet_time::format(s.created_at, precision),
                }));
            }
        }
        Some(views)
    }

    /// Mints a secret for `named` (the client the request names), else the principal's own
    /// client, or the customer's first client when the principal is a user. A client's token
    /// may name only itself.
    pub(crate) fn create(
        &mut self,
        customer_id: &str,
        principal: &Principal,
        named: Option<&str>,
        description: String,
        now: SystemTime,
        mono_now: Instant,
    ) -> Result<CreatedSecret, CreateError> {
        let client_id = match (principal, named) {
            (Principal::Client(id), Some(n)) if n != id => return Err(CreateError::WrongClient),
            (_, Some(n)) => Some(n.to_owned()),
            (Principal::Client(id), None) => Some(id.clone()),
            (Principal::User(_), None) => self
                .customers
                .iter()
                .find(|c| c.id == customer_id)
                .and_then(|c| c.client_ids.first().cloned()),
        };
        let error = if named.is_some() {
            CreateError::WrongClient
        } else {
            CreateError::NoClient
        };
        let client = client_id
            .and_then(|id| self.clients.get_mut(&id))
            .filter(|c| c.customer_id == customer_id)
            .ok_or(error)?;
        let plain = secret::mint_secret();
        let stored = StoredSecret {
            id: secret::mint_secret_id(now),
            description,
            created_at: now,
            digest: Digest::of(&plain),
            minted_at: Some(mono_now),
        };
        let created = CreatedSecret {
            id: stored.id.clone(),
            description: stored.description.clone(),
            created_at: dotnet_time::format(now, Precision::Ticks),
            secret: plain,
        };
        client.secrets.push(stored);
        Ok(created)
    }

    /// Deletes one of the customer's secrets; `false` if it has no secret with that id.
    pub(crate) fn delete(&mut self, customer_id: &str, secret_id: &str) -> bool {
        let Some(customer) = self.customers.iter().find(|c| c.id == customer_id) else {
            return false;
        };
        for client_id in &customer.client_ids {
            if let Some(client) = self.clients.get_mut(client_id) {
                let before = client.secrets.len();
                client.secrets.retain(|s| s.id != secret_id);
                if client.secrets.len() != before {
                    return true;
                }
            }
        }
        false
    }
}

/// The secret whose digest equals `presented`, comparing with every secret in constant time.
fn matching_secret<'a>(
    secrets: &'a [StoredSecret],
    presented: &Digest,
) -> Option<&'a StoredSecret> {
    let mut found = None;
    for s in secrets {
        if s.digest.matches(presented) && found.is_none() {
            found = Some(s);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::demo::*;

    fn store() -> Store {
        Store::from_seed(&Seed::demo(), SystemTime::now())
    }

    #[test]
    fn demo_client_authenticates_with_its_secret_only() {
        let s = store();
        let now = Instant::now();
        let zero = Duration::ZERO;
        assert!(
            s.authenticate_client(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET), zero, now)
                .is_some()
        );
        assert!(
            s.authenticate_client(DEMO_CLIENT_ID, Some(OTHER_CLIENT_SECRET), zero, now)
                .is_none()
        );
        assert!(
            s.authenticate_client(DEMO_CLIENT_ID, None, zero, now)
                .is_none()
        );
        assert!(
            s.authenticate_client("nobody", Some(DEMO_CLIENT_SECRET), zero, now)
                .is_none()
        );
        assert!(matches!(
            s.authenticate_client(PASSWORD_CLIENT_ID, None, zero, now),
            Some(AuthenticatedClient::Public)
        ));
    }

    #[test]
    fn created_secret_propagates_then_works_and_can_be_deleted() {
        let mut s = store();
        let t0 = Instant::now();
        let principal = Principal::Client(DEMO_CLIENT_ID.into());
        let created = s
            .create(
                DEMO_CUSTOMER_ID,
                &principal,
                None,
                "d".into(),
                SystemTime::now(),
                t0,
            )
            .unwrap();
        let d = Duration::from_millis(100);
        assert!(
            s.authenticate_client(DEMO_CLIENT_ID, Some(&created.secret), d, t0)
                .is_none()
        );
        assert!(
            s.authenticate_client(DEMO_CLIENT_ID, Some(&created.secret), d, t0 + d)
                .is_some()
        );
        assert!(s.secret_is_valid(DEMO_CLIENT_ID, &created.secret));
        assert!(!format!("{s:?}").contains(&created.secret));
        assert!(s.delete(DEMO_CUSTOMER_ID, &created.id));
        assert!(!s.delete(DEMO_CUSTOMER_ID, &created.id));
        assert!(!s.secret_is_valid(DEMO_CLIENT_ID, &created.secret));
    }

    #[test]
    fn tokens_expire() {
        let mut s = store();
        let now = Instant::now();
        let grant = Grant {
            principal: Principal::User(DEMO_USERNAME.into()),
            customers: BTreeSet::from([DEMO_CUSTOMER_ID.to_owned()]),
        };
        let token = s.issue_token(grant, Duration::from_secs(10), now);
        assert!(s.grant(&token, now).is_some());
        assert!(s.grant(&token, now + Duration::from_secs(10)).is_none());
        assert!(s.grant("unknown", now).is_none());
        assert!(!format!("{s:?}").contains(&token));
    }
}
