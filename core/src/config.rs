//! Where to talk to and who is talking: the validated [`Config`] (base URL and
//! customer id) and the two kinds of [`Credentials`]. Validation only; no requests.

use crate::base_url::BaseUrl;
use crate::error::Error;
use crate::record::StoreRecord;
use crate::secret::{ClientSecret, Password};

/// The production auth server.
pub const DEFAULT_BASE_URL: &str = "https://auth.mapsindoors.com";
/// The client id used by the `password` grant unless told otherwise.
pub const DEFAULT_PASSWORD_CLIENT_ID: &str = "client";
const MAX_FIELD_LEN: usize = 1024;

/// The auth server's base URL and the customer whose secrets are managed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    base_url: BaseUrl,
    customer_id: Option<String>,
}

impl Config {
    /// A config for a base URL. HTTPS is required, except plain HTTP to a
    /// loopback host (127.0.0.0/8, `::1`, `localhost`) for emulators and tests.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unparsable, non-HTTPS, credential-bearing
    /// or query-bearing URL.
    pub fn new(base_url: &str) -> Result<Self, Error> {
        let url = BaseUrl::parse(base_url)?;
        if !url.is_https() && !url.is_loopback() {
            return Err(Error::invalid_input(
                "base_url",
                "plain http is allowed only for loopback hosts; use https",
            ));
        }
        Ok(Self {
            base_url: url,
            customer_id: None,
        })
    }

    /// The same config with a customer id, needed by the secrets endpoints.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty, overlong or control-character id.
    pub fn with_customer_id(mut self, customer_id: &str) -> Result<Self, Error> {
        self.customer_id = Some(check_field("customer_id", customer_id)?.to_owned());
        Ok(self)
    }

    /// The base URL, always ending in `/`.
    #[must_use]
    pub fn base_url(&self) -> &str {
        self.base_url.as_str()
    }

    /// The customer id, if set.
    #[must_use]
    pub fn customer_id(&self) -> Option<&str> {
        self.customer_id.as_deref()
    }

    pub(crate) fn require_customer_id(&self) -> Result<&str, Error> {
        self.customer_id
            .as_deref()
            .ok_or_else(|| Error::invalid_input("customer_id", "required by the secrets endpoint"))
    }

    /// The base URL joined with a relative path and an encoded query.
    pub(crate) fn endpoint(&self, path: &str, query: Option<&str>) -> String {
        self.base_url.join(path, query)
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: BaseUrl::production(),
            customer_id: None,
        }
    }
}

pub(crate) fn check_field<'a>(field: &'static str, value: &'a str) -> Result<&'a str, Error> {
    if value.is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    if value.len() > MAX_FIELD_LEN {
        return Err(Error::invalid_input(
            field,
            format!("longer than {MAX_FIELD_LEN} bytes"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value)
}

/// How to log in: a client secret, or a user's password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// The `client_credentials` grant.
    Client {
        /// The client id MapsPeople issued.
        client_id: String,
        /// The client's secret.
        secret: ClientSecret,
    },
    /// The `password` grant.
    Password {
        /// The client id, `client` by default.
        client_id: String,
        /// The user name.
        username: String,
        /// The password.
        password: Password,
    },
}

impl Credentials {
    /// Client credentials.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty client id or secret.
    pub fn client(client_id: &str, secret: ClientSecret) -> Result<Self, Error> {
        check_field("client_id", client_id)?;
        if secret.is_empty() {
            return Err(Error::invalid_input("client_secret", "must not be empty"));
        }
        Ok(Self::Client {
            client_id: client_id.to_owned(),
            secret,
        })
    }

    /// Username and password, with client id `client`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty username or password.
    pub fn password(username: &str, password: Password) -> Result<Self, Error> {
        Self::password_with_client(DEFAULT_PASSWORD_CLIENT_ID, username, password)
    }

    /// Username and password with another client id.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty field.
    pub fn password_with_client(
        client_id: &str,
        username: &str,
        password: Password,
    ) -> Result<Self, Error> {
        check_field("client_id", client_id)?;
        check_field("username", username)?;
        if password.is_empty() {
            return Err(Error::invalid_input("password", "must not be empty"));
        }
        Ok(Self::Password {
            client_id: client_id.to_owned(),
            username: username.to_owned(),
            password,
        })
    }

    /// What a client logging in with these credentials should use once the
    /// store record `before` was rotated into `after`: the new current secret
    /// when these credentials held a secret `before` knew (current or pending)
    /// for the same client; `None` to keep these (a password login, another
    /// client, or a sibling script's secret).
    #[must_use]
    pub fn after_rotation(&self, before: &StoreRecord, after: &StoreRecord) -> Option<Credentials> {
        let Credentials::Client { client_id, secret } = self else {
            return None;
        };
        let known = secret == &before.current.secret
            || before.pending.as_ref().is_some_and(|p| &p.secret == secret);
        let changed = secret != &after.current.secret;
        (client_id == &after.client_id && known && changed).then(|| Credentials::Client {
            client_id: client_id.clone(),
            secret: after.current.secret.clone(),
        })
    }

    /// The client id either way.
    #[must_use]
    pub fn client_id(&self) -> &str {
        match self {
            Credentials::Client { client_id, .. } | Credentials::Password { client_id, .. } => {
                client_id
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn https_and_loopback_only() {
        assert!(Config::new("https://auth.mapsindoors.com").is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:1",
            "http://localhost:3000/x",
        ] {
            assert!(Config::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://auth.mapsindoors.com",
            "http://10.0.0.1",
            "ftp://x",
            "nonsense",
            "https://u:p@h",
            "https://h/?q=1",
        ] {
            let err = Config::new(bad).unwrap_err();
            assert_eq!(err.kind().as_str(), "invalid_input", "{bad}");
        }
    }

    #[test]
    fn endpoints_join_under_prefix() {
        let c = Config::new("http://localhost:1/prefix").unwrap();
        assert_eq!(
            c.endpoint("connect/token", None),
            "http://localhost:1/prefix/connect/token"
        );
        assert_eq!(
            Config::default().endpoint("connect/token", None),
            "https://auth.mapsindoors.com/connect/token"
        );
    }
}
